/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Cursor parsers: Ethernet, VLAN, IPv4, IPv6 (+ extension headers), L4.
 *
 * Parsing never fails: it fills as much of the flow key as the packet allows
 * and records in key_flags why it stopped early. The rule is the same at every
 * layer: a header contributes its fields only if it is complete and valid;
 * everything parsed before it is kept; parsing stops at the first header that
 * is cut short (TRUNCATED: by the frame, or by the IP datagram's own length,
 * past which there is only link-layer padding) or invalid (MALFORMED).
 * docs/datapath.md lists the exact outcomes.
 *
 * Parsing only reads the packet and the parse state; counters and maps are
 * touched by the caller once the final result is known (the TC hook may parse
 * a second time after pulling non-linear data). It calls no BPF helper, so
 * this file also compiles natively: tests/bpf/test_parse_native.c runs it
 * under ASan on frames BPF_PROG_TEST_RUN will not take.
 */
#pragma once

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_endian.h>

#include "abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif

/* In-packet VLAN tags walked; a deeper stack is counted as VLAN_LIMIT. */
#define NETOBS_VLAN_MAX_TAGS 2
/* IPv6 extension headers walked; real traffic rarely has more than 2-3. */
#define NETOBS_IPV6_EXTHDR_MAX 8

#define NETOBS_VLAN_HLEN     4
#define NETOBS_VLAN_VID_MASK 0x0fff
/* IPv4 frag_off (host order after ntohs): fragment offset in 8-byte units. */
#define NETOBS_IPV4_OFFSET_MASK 0x1fff
/* IPv6 fragment header frag_off (host order): offset, low 3 bits are flags. */
#define NETOBS_IPV6_OFFSET_MASK 0xfff8
#define NETOBS_IPV4_MF		0x2000 /* more fragments, in frag_off (host order) */
#define NETOBS_IPV6_MF		0x01   /* more fragments, low bit of the offset field */
#define NETOBS_TCP_MIN_DOFF	5
#define NETOBS_ICMP_HLEN	8  /* type, code, checksum, 4 bytes of rest: ICMPv4 and ICMPv6 */
#define NETOBS_SCTP_HLEN	12 /* common header: ports, verification tag, checksum */
#define NETOBS_UDP_HLEN		8

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

enum parse_result {
	PARSE_CONTINUE = 0,
	PARSE_STOP = 1,
};

/* Conditions that have a counter but no key flag, and FIRST_FRAGMENT: the
 * L4 header is whole but its payload continues in other fragments, so the
 * L7 code leaves it alone. */
enum parse_note {
	PARSE_NOTE_VLAN_LIMIT = 1 << 0,
	PARSE_NOTE_NON_IP = 1 << 1,
	PARSE_NOTE_FIRST_FRAGMENT = 1 << 2,
};

/* Facts about the packet that are not in its bytes (skb metadata). */
struct frame_meta {
	__u32 ifindex;
	__u16 meta_vlan_id; /* VLAN ID from skb metadata, valid if has_meta_vlan */
	__be16 l3_proto;    /* parse_frame_l3(): the frame's EtherType (skb->protocol) */
	__u8 hook;	    /* enum netobs_hook */
	__u8 has_meta_vlan; /* the outermost tag was taken out of the packet (TC) */
	__u8 is_gso;	    /* one skb stands for several wire packets */
	__u8 pad;
};

/* Outcome of one pass over a frame. */
struct parsed_packet {
	struct netobs_flow_key key;
	__u32 header_len; /* frame start to end of the last complete header */
	/* TCP or UDP header complete (so no TRUNCATED, MALFORMED or FRAGMENT),
	 * not an IPv4 first fragment, and bytes after it within the IP
	 * datagram: where its payload starts, from the frame start
	 * (= header_len). 0 for any other packet, so that the L7 code skips a
	 * pure ACK on this one test. */
	__u32 payload_off;
	/* With payload_off: the IP datagram's end from the frame start
	 * (NETOBS_IP_END_NONE when the IP length is 0: BIG TCP, jumbograms). */
	__u32 ip_end;
	__u32 tcp_seq;	 /* TCP sequence number, host order; 0 for UDP */
	__u16 tcp_flags; /* enum netobs_tcp_flags of this packet */
	__u16 udp_len;	 /* UDP length field (header + payload), host order */
	__u8 notes;	 /* enum parse_note */
	__u8 pad[3];
};

struct parse_cursor {
	void *pos;
	void *end;
	/* Where the IP datagram ends, as an offset from the frame start (the
	 * unit of header_len); NETOBS_IP_END_NONE until an IP header sets it, and
	 * for a length of 0 (BIG TCP, jumbograms). Bytes past it are link-layer
	 * padding, not headers. A scalar, not a pointer: the verifier proves
	 * packet reads only against data_end, so both bounds are checked. */
	__u32 ip_end;
};

#define NETOBS_IP_END_NONE 0xffffffffU

/*
 * Headers are read byte by byte at fixed offsets rather than through UAPI
 * structs: after a 14- or 18-byte L2 header they are not naturally aligned,
 * which BPF does not mind but the native (sanitized) test build would.
 */
#define NETOBS_IPV6_HLEN	40
#define NETOBS_IPV6_OFF_NEXTHDR 6
#define NETOBS_IPV6_OFF_SADDR	8
#define NETOBS_IPV6_OFF_DADDR	24
#define NETOBS_IPV6_FRAG_HLEN	8

static __always_inline int parse_stop(struct parsed_packet *pkt, __u8 key_flag)
{
	pkt->key.key_flags |= key_flag;
	return PARSE_STOP;
}

/* Would n more bytes run past the end of the IP datagram? */
static __always_inline int beyond_ip(const struct parse_cursor *cur,
				     const struct parsed_packet *pkt, __u32 n)
{
	return pkt->header_len + n > cur->ip_end;
}

static __always_inline void cursor_advance(struct parse_cursor *cur, struct parsed_packet *pkt,
					   __u32 len)
{
	cur->pos += len;
	pkt->header_len += len;
}

static __always_inline int parse_tcp(struct parse_cursor *cur, struct parsed_packet *pkt)
{
	__u8 *tcp = cur->pos;
	__u32 hdr_len;

	if ((void *)(tcp + 20) > cur->end || beyond_ip(cur, pkt, 20))
		return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
	/* Data offset: high nibble of byte 12, in 32-bit words. */
	hdr_len = (tcp[12] >> 4) * 4;
	if (hdr_len < NETOBS_TCP_MIN_DOFF * 4)
		return parse_stop(pkt, NETOBS_KEY_F_MALFORMED);
	/* Options must be complete too: GSO byte accounting uses header_len. */
	if (cur->pos + hdr_len > cur->end || beyond_ip(cur, pkt, hdr_len))
		return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
	__builtin_memcpy(&pkt->key.sport, tcp, 2);
	__builtin_memcpy(&pkt->key.dport, tcp + 2, 2);
	pkt->tcp_flags = tcp[13] | ((__u16)(tcp[12] & 1) << 8);
	pkt->tcp_seq =
		((__u32)tcp[4] << 24) | ((__u32)tcp[5] << 16) | ((__u32)tcp[6] << 8) | tcp[7];
	cursor_advance(cur, pkt, hdr_len);
	return PARSE_CONTINUE;
}

/* UDP and SCTP: ports are the first 4 bytes of a fixed-size header. */
static __always_inline int parse_ports(struct parse_cursor *cur, struct parsed_packet *pkt,
				       __u32 hdr_len)
{
	__u8 *l4 = cur->pos;

	/* hdr_len is a constant (8 or 12) at every call site once inlined. */
	if ((void *)(l4 + hdr_len) > cur->end || beyond_ip(cur, pkt, hdr_len))
		return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
	__builtin_memcpy(&pkt->key.sport, l4, 2);
	__builtin_memcpy(&pkt->key.dport, l4 + 2, 2);
	cursor_advance(cur, pkt, hdr_len);
	return PARSE_CONTINUE;
}

/* UDP: the ports, and the length the L7 code compares with the payload. */
static __always_inline int parse_udp(struct parse_cursor *cur, struct parsed_packet *pkt)
{
	__u8 *udp = cur->pos;

	if ((void *)(udp + NETOBS_UDP_HLEN) > cur->end || beyond_ip(cur, pkt, NETOBS_UDP_HLEN))
		return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
	pkt->udp_len = ((__u16)udp[4] << 8) | udp[5];
	return parse_ports(cur, pkt, NETOBS_UDP_HLEN);
}

static __always_inline int parse_icmp(struct parse_cursor *cur, struct parsed_packet *pkt)
{
	__u8 *icmp = cur->pos;

	if ((void *)(icmp + NETOBS_ICMP_HLEN) > cur->end || beyond_ip(cur, pkt, NETOBS_ICMP_HLEN))
		return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
	pkt->key.icmp_type = icmp[0];
	pkt->key.icmp_code = icmp[1];
	cursor_advance(cur, pkt, NETOBS_ICMP_HLEN);
	return PARSE_CONTINUE;
}

/* A complete TCP or UDP header: the payload after it is the L7 code's. */
static __always_inline int l4_payload_mark(struct parse_cursor *cur, struct parsed_packet *pkt,
					   int result)
{
	if (result == PARSE_CONTINUE && !(pkt->notes & PARSE_NOTE_FIRST_FRAGMENT) &&
	    cur->ip_end > pkt->header_len) {
		pkt->payload_off = pkt->header_len;
		pkt->ip_end = cur->ip_end;
	}
	return result;
}

/* key.proto and key.family are set; anything we do not know keeps ports 0. */
static __always_inline int parse_l4(struct parse_cursor *cur, struct parsed_packet *pkt)
{
	switch (pkt->key.proto) {
	case IPPROTO_TCP:
		return l4_payload_mark(cur, pkt, parse_tcp(cur, pkt));
	case IPPROTO_UDP:
		return l4_payload_mark(cur, pkt, parse_udp(cur, pkt));
	case IPPROTO_SCTP:
		return parse_ports(cur, pkt, NETOBS_SCTP_HLEN);
	case IPPROTO_ICMP:
		/* ICMPv4 inside IPv6 is not ICMP: leave it as an opaque protocol. */
		if (pkt->key.family == NETOBS_FAMILY_IPV4)
			return parse_icmp(cur, pkt);
		return PARSE_STOP;
	case IPPROTO_ICMPV6:
		if (pkt->key.family == NETOBS_FAMILY_IPV6)
			return parse_icmp(cur, pkt);
		return PARSE_STOP;
	default:
		return PARSE_STOP;
	}
}

static __always_inline int parse_ipv4(struct parse_cursor *cur, struct parsed_packet *pkt,
				      const struct frame_meta *meta)
{
	__u8 *ip = cur->pos;
	__u32 hdr_len;
	__u16 tot_len, frag_off;

	pkt->key.family = NETOBS_FAMILY_IPV4;
	if ((void *)(ip + 20) > cur->end)
		return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
	/* Byte 0: version (high nibble), IHL in 32-bit words (low nibble). */
	if ((ip[0] >> 4) != 4)
		return parse_stop(pkt, NETOBS_KEY_F_MALFORMED);
	hdr_len = (ip[0] & 0x0f) * 4;
	if (hdr_len < 20)
		return parse_stop(pkt, NETOBS_KEY_F_MALFORMED);
	/* With options: the L4 header starts after them, never at byte 20. */
	if (cur->pos + hdr_len > cur->end)
		return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
	/*
	 * A total length shorter than the header is invalid, except 0 on a GSO
	 * skb: BIG TCP (Linux 6.3+) leaves tot_len 0 on IPv4 GSO packets over
	 * 64 KiB. A total length beyond the frame is not flagged: the headers
	 * are complete, and at TC the payload may sit in pages we do not read.
	 */
	tot_len = ((__u16)ip[2] << 8) | ip[3];
	if (tot_len < hdr_len && !(tot_len == 0 && meta->is_gso))
		return parse_stop(pkt, NETOBS_KEY_F_MALFORMED);

	__builtin_memcpy(pkt->key.saddr, ip + 12, 4);
	__builtin_memcpy(pkt->key.daddr, ip + 16, 4);
	pkt->key.proto = ip[9];
	frag_off = ((__u16)ip[6] << 8) | ip[7];
	if (tot_len)
		cur->ip_end = pkt->header_len + tot_len;
	cursor_advance(cur, pkt, hdr_len);
	/* Only the first fragment carries the L4 header; bytes after the IP
	 * header of a later fragment are payload, whatever they look like. */
	if (frag_off & NETOBS_IPV4_OFFSET_MASK)
		return parse_stop(pkt, NETOBS_KEY_F_FRAGMENT);
	/* Without a branch: one more path through the parser for the
	 * verifier to walk, times every path after it, is too many. IPv6 gets
	 * no such note (even branch-free, inside the extension-header walk it
	 * multiplies the verifier's states past its limit): for UDP the L7
	 * code compares the UDP length with the payload instead. */
	pkt->notes |= ((frag_off & NETOBS_IPV4_MF) != 0) * PARSE_NOTE_FIRST_FRAGMENT;
	return PARSE_CONTINUE;
}

/* The allow-list of extension headers we step over. Anything else (ESP 50,
 * No Next Header 59, unknown values) is the upper-layer protocol: walking an
 * unknown value as an extension header would let a sender forge the ports. */
static __always_inline int ipv6_is_walked_exthdr(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_FRAGMENT || nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_AH;
}

/*
 * One extension header. key.proto holds its type on entry and the type of the
 * header after it on return, so a packet cut inside an extension header keeps
 * that header's type as proto.
 */
static __always_inline int parse_ipv6_exthdr(struct parse_cursor *cur, struct parsed_packet *pkt)
{
	__u8 *ext = cur->pos;
	__u8 type = pkt->key.proto;
	__u32 hdr_len;

	/* Every walked extension header is at least 8 bytes. */
	if ((void *)(ext + 8) > cur->end)
		return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
	if (type == IPPROTO_FRAGMENT) {
		/* next header, reserved, offset (13 bits) + flags, identification.
		 * Checked against the IP length below like any other, unless it
		 * ends the walk here as a later fragment (no L4 header to bound). */
		hdr_len = NETOBS_IPV6_FRAG_HLEN;
		if ((((__u16)ext[2] << 8) | ext[3]) & NETOBS_IPV6_OFFSET_MASK) {
			pkt->key.proto = ext[0];
			cursor_advance(cur, pkt, hdr_len);
			return parse_stop(pkt, NETOBS_KEY_F_FRAGMENT);
		}
	} else if (type == IPPROTO_AH) {
		/* AH counts its length in 32-bit words, minus 2 (RFC 4302). */
		hdr_len = ((__u32)ext[1] + 2) * 4;
	} else {
		/* Hop-by-Hop, Routing, Destination Options: 8-byte units, minus 1. */
		hdr_len = ((__u32)ext[1] + 1) * 8;
	}
	if (cur->pos + hdr_len > cur->end || beyond_ip(cur, pkt, hdr_len))
		return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
	pkt->key.proto = ext[0];
	cursor_advance(cur, pkt, hdr_len);
	return PARSE_CONTINUE;
}

static __always_inline int parse_ipv6(struct parse_cursor *cur, struct parsed_packet *pkt)
{
	__u8 *ip6 = cur->pos;
	__u16 payload_len;
	int i;

	pkt->key.family = NETOBS_FAMILY_IPV6;
	if ((void *)(ip6 + NETOBS_IPV6_HLEN) > cur->end)
		return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
	if ((ip6[0] >> 4) != 6)
		return parse_stop(pkt, NETOBS_KEY_F_MALFORMED);
	__builtin_memcpy(pkt->key.saddr, ip6 + NETOBS_IPV6_OFF_SADDR, 16);
	__builtin_memcpy(pkt->key.daddr, ip6 + NETOBS_IPV6_OFF_DADDR, 16);
	pkt->key.proto = ip6[NETOBS_IPV6_OFF_NEXTHDR];
	/* 0: a jumbogram (RFC 2675) or a BIG TCP GSO packet, length unknown here */
	payload_len = ((__u16)ip6[4] << 8) | ip6[5];
	if (payload_len)
		cur->ip_end = pkt->header_len + NETOBS_IPV6_HLEN + payload_len;
	cursor_advance(cur, pkt, NETOBS_IPV6_HLEN);

#pragma unroll
	for (i = 0; i < NETOBS_IPV6_EXTHDR_MAX; i++) {
		if (!ipv6_is_walked_exthdr(pkt->key.proto))
			return PARSE_CONTINUE;
		if (parse_ipv6_exthdr(cur, pkt) == PARSE_STOP)
			return PARSE_STOP;
	}
	/* The bound is hit only if yet another extension header follows. */
	if (ipv6_is_walked_exthdr(pkt->key.proto))
		return parse_stop(pkt, NETOBS_KEY_F_EXTHDR_LIMIT);
	return PARSE_CONTINUE;
}

/* A frame that is not IP keeps its MACs in the address bytes (family NONE):
 * without them an ARP or LLDP flow says nothing about who talks. */
static __always_inline void key_set_macs(struct parsed_packet *pkt, const struct ethhdr *eth)
{
	__builtin_memcpy(pkt->key.saddr, eth->h_source, ETH_ALEN);
	__builtin_memcpy(pkt->key.daddr, eth->h_dest, ETH_ALEN);
}

static __always_inline int eth_proto_is_ip(__be16 proto)
{
	return proto == bpf_htons(ETH_P_IP) || proto == bpf_htons(ETH_P_IPV6);
}

/*
 * Ethernet and up to NETOBS_VLAN_MAX_TAGS in-packet 802.1Q/802.1ad tags.
 * key.eth_proto ends as the innermost EtherType seen, key.vlan_id as the
 * outermost tag (the skb's metadata tag if there is one). Continues only
 * for IPv4 and IPv6: any frame it stops has family NONE (parse_frame then
 * puts the MACs in the key).
 */
static __always_inline int parse_ethernet(struct parse_cursor *cur, struct parsed_packet *pkt,
					  const struct frame_meta *meta)
{
	struct ethhdr *eth = cur->pos;
	int have_vlan = meta->has_meta_vlan;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > cur->end)
		return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
	proto = eth->h_proto;
	pkt->key.eth_proto = proto;
	cursor_advance(cur, pkt, sizeof(*eth));

#pragma unroll
	for (i = 0; i < NETOBS_VLAN_MAX_TAGS; i++) {
		__u8 *tag = cur->pos;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		/* eth_proto keeps the TPID that announced the missing tag. */
		if ((void *)(tag + NETOBS_VLAN_HLEN) > cur->end)
			return parse_stop(pkt, NETOBS_KEY_F_TRUNCATED);
		if (!have_vlan) {
			pkt->key.vlan_id = (((__u16)tag[0] << 8) | tag[1]) & NETOBS_VLAN_VID_MASK;
			have_vlan = 1;
		}
		__builtin_memcpy(&proto, tag + 2, 2);
		pkt->key.eth_proto = proto;
		cursor_advance(cur, pkt, NETOBS_VLAN_HLEN);
	}
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		/* Family stays 0; eth_proto is the TPID of the first unwalked tag. */
		pkt->notes |= PARSE_NOTE_VLAN_LIMIT;
		return PARSE_STOP;
	}
	if (!eth_proto_is_ip(proto)) {
		pkt->notes |= PARSE_NOTE_NON_IP;
		return PARSE_STOP;
	}
	return PARSE_CONTINUE;
}

/* The map hashes raw key bytes: every byte must be set. */
static __always_inline void parse_start(const struct frame_meta *meta, struct parsed_packet *pkt)
{
	__builtin_memset(pkt, 0, sizeof(*pkt));
	pkt->key.ifindex = meta->ifindex;
	pkt->key.hook = meta->hook;
	if (meta->has_meta_vlan)
		pkt->key.vlan_id = meta->meta_vlan_id & NETOBS_VLAN_VID_MASK;
}

/* IPv4 or IPv6 and what follows, as key.eth_proto says. */
static __always_inline void parse_ip(struct parse_cursor *cur, struct parsed_packet *pkt,
				     const struct frame_meta *meta)
{
	if (pkt->key.eth_proto == bpf_htons(ETH_P_IP)) {
		if (parse_ipv4(cur, pkt, meta) == PARSE_STOP)
			return;
	} else if (pkt->key.eth_proto == bpf_htons(ETH_P_IPV6)) {
		if (parse_ipv6(cur, pkt) == PARSE_STOP)
			return;
	} else {
		/* An L3 frame of another protocol (MPLS, say); parse_ethernet
		 * stops any such Ethernet frame itself. */
		pkt->notes |= PARSE_NOTE_NON_IP;
		return;
	}
	parse_l4(cur, pkt);
}

/*
 * Parse one Ethernet frame into pkt. Not inlined: the TC hook may call it
 * twice (again after pulling non-linear headers), and one copy keeps the
 * program small.
 */
static __noinline void parse_frame(void *data, void *data_end, const struct frame_meta *meta,
				   struct parsed_packet *pkt)
{
	struct parse_cursor cur = {.pos = data, .end = data_end, .ip_end = NETOBS_IP_END_NONE};

	parse_start(meta, pkt);
	if (parse_ethernet(&cur, pkt, meta) == PARSE_CONTINUE) {
		parse_ip(&cur, pkt, meta);
		return;
	}
	/* Stopped before any IP header: family NONE. Keep the MACs if the
	 * Ethernet header was whole. */
	if (data + sizeof(struct ethhdr) <= data_end)
		key_set_macs(pkt, data);
}

/*
 * The same for a frame without a link-layer header (tun, WireGuard, ipip,
 * sit, ...): it starts at the IP header, and meta->l3_proto (skb->protocol)
 * says what it is. A function of its own rather than a flag, so that the
 * verifier walks only the one parser each program uses.
 */
static __noinline void parse_frame_l3(void *data, void *data_end, const struct frame_meta *meta,
				      struct parsed_packet *pkt)
{
	struct parse_cursor cur = {.pos = data, .end = data_end, .ip_end = NETOBS_IP_END_NONE};

	parse_start(meta, pkt);
	pkt->key.eth_proto = meta->l3_proto;
	parse_ip(&cur, pkt, meta);
}
