/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * L7 payload slices: recognise DNS (by port) and HTTP/1.x (by the first
 * bytes of a segment), copy a bounded slice of the L4 payload into a
 * NETOBS_EVENT_L7 ring-buffer event, and decode nothing: the agent's L7
 * tracker does that (lib/l7_tracker.h). docs/datapath.md, "L7 slices",
 * says when a packet is copied and what it costs.
 *
 * Cost rule: a packet without TCP/UDP payload (a pure ACK) costs the
 * caller's one compare (parsed_packet.payload_off is 0); TCP data that is
 * neither DNS nor HTTP pays one inlined per-CPU array lookup (the scratch
 * map, l7_forget_path()), three loads of the settings (global data, not
 * maps: see bpf/lib/maps.h), an 8-byte read and a few compares, and never a
 * ring-buffer call.
 */
#pragma once

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "lib/clock.h"
#include "lib/counters.h"
#include "lib/events.h"
#include "lib/maps.h"
#include "lib/parse.h"

/* Bytes of a segment the HTTP test looks at: "HTTP/1." is the longest. */
#define L7_HEAD_LEN 8
/*
 * Payload offsets beyond this are read with the load helper rather than
 * directly: a bound the verifier needs before adding an offset to a packet
 * pointer, far above any header stack the parser walks.
 */
#define L7_DIRECT_OFF_MAX 0x3fff

/* Four bytes as a 32-bit load from memory sees them, on either byte order:
 * compared with one load of the payload, not four byte loads. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define L7_WORD(a, b, c, d)                                                                        \
	((__u32)(__u8)(a) | ((__u32)(__u8)(b) << 8) | ((__u32)(__u8)(c) << 16) |                   \
	 ((__u32)(__u8)(d) << 24))
#else
#define L7_WORD(a, b, c, d)                                                                        \
	(((__u32)(__u8)(a) << 24) | ((__u32)(__u8)(b) << 16) | ((__u32)(__u8)(c) << 8) |           \
	 (__u32)(__u8)(d))
#endif

/* The first payload bytes, readable as one word. */
union l7_head {
	__u64 all;
	__u32 word;
	__u8 bytes[L7_HEAD_LEN];
};

/* Where a program's packet bytes come from; a constant in each program. */
enum l7_source {
	L7_FROM_SKB = 0,
	L7_FROM_XDP = 1,
};

/* len is 64-bit on purpose: a __u32 may reach the helper with stale upper
 * bits in its register, which the verifier then cannot bound. */
static __always_inline long l7_load_bytes(void *ctx, enum l7_source src, __u32 off, void *to,
					  __u64 len)
{
	if (src == L7_FROM_XDP)
		return bpf_xdp_load_bytes(ctx, off, to, len);
	return bpf_skb_load_bytes(ctx, off, to, len);
}

/*
 * The first L7_HEAD_LEN payload bytes (zero past the payload's end). Read
 * straight from the packet when they are in its linear part, as they are
 * for nearly every segment; through the helper otherwise (paged skb data).
 * 0 or a negative errno.
 */
static __always_inline long l7_read_head(void *ctx, enum l7_source src, __u32 off,
					 __u64 payload_len, union l7_head *head)
{
	void *data, *data_end;
	__u64 n;

	if (src == L7_FROM_XDP) {
		data = (void *)(long)((struct xdp_md *)ctx)->data;
		data_end = (void *)(long)((struct xdp_md *)ctx)->data_end;
	} else {
		data = (void *)(long)((struct __sk_buff *)ctx)->data;
		data_end = (void *)(long)((struct __sk_buff *)ctx)->data_end;
	}
	/* Only a whole head: past a short payload is padding or the next
	 * header's bytes, which must not help a match. */
	if (payload_len >= L7_HEAD_LEN && off <= L7_DIRECT_OFF_MAX) {
		__u8 *p = data + off;

		if ((void *)(p + L7_HEAD_LEN) <= data_end) {
			/* One 8-byte load, unaligned: fine on the targets with
			 * efficient unaligned access (x86-64, arm64), where the
			 * verifier allows it; a memcpy here is 8 byte loads. */
			head->all = *(__u64 *)p;
			return 0;
		}
	}
	head->all = 0;
	n = payload_len < L7_HEAD_LEN ? payload_len : L7_HEAD_LEN;
	barrier_var(n);		      /* see l7_emit() */
	if (n < 1 || n > L7_HEAD_LEN) /* not reached; bounds for the verifier */
		return -1;
	return l7_load_bytes(ctx, src, off, head->bytes, n);
}

/*
 * Does the segment start like an HTTP/1.x request or response? The request
 * methods of RFC 9110 (by their first four bytes), and "HTTP/1." for a
 * status line: "HTTP" alone would also take a body segment that happens to
 * start with that word. HTTP/2 ("PRI * HTTP/2.0") is not HTTP/1.x.
 */
static __always_inline int l7_is_http_start(const union l7_head *head)
{
	switch (head->word) {
	case L7_WORD('G', 'E', 'T', ' '):
	case L7_WORD('H', 'E', 'A', 'D'):
	case L7_WORD('P', 'O', 'S', 'T'):
	case L7_WORD('P', 'U', 'T', ' '):
	case L7_WORD('D', 'E', 'L', 'E'):
	case L7_WORD('O', 'P', 'T', 'I'):
	case L7_WORD('P', 'A', 'T', 'C'):
	case L7_WORD('C', 'O', 'N', 'N'):
	case L7_WORD('T', 'R', 'A', 'C'):
		return 1;
	case L7_WORD('H', 'T', 'T', 'P'):
		return head->bytes[4] == '/' && head->bytes[5] == '1' && head->bytes[6] == '.';
	default:
		return 0;
	}
}

/*
 * Copy min(payload_len, NETOBS_L7_SLICE_MAX) payload bytes into this CPU's
 * scratch event and put exactly its used length on the ring buffer.
 * Returns 1 if the copied bytes end with CRLF CRLF (an HTTP head that is
 * complete in this segment), 0 if not, -1 if nothing could be copied.
 * A full ring buffer loses the event (counted in RINGBUF_FULL, which the
 * agent reports as lost events) but not the copy's result.
 */
static __always_inline int l7_emit(void *ctx, enum l7_source src, const struct parsed_packet *pkt,
				   struct netobs_l7_scratch *scratch, __u32 off, __u64 payload_len,
				   __u8 hint)
{
	struct netobs_l7_event *event;
	__u8 *data;
	__u32 tail;
	__u64 len;
	int ends_head = 0;

	event = (struct netobs_l7_event *)scratch->bytes;
	data = scratch->bytes + sizeof(*event);
	len = payload_len < NETOBS_L7_SLICE_MAX ? payload_len : NETOBS_L7_SLICE_MAX;
	/* Restated on the very register the helper gets: left alone, the
	 * compiler passes payload_len itself on one branch of the min(), and
	 * the verifier cannot bound it. 1 <= len <= NETOBS_L7_SLICE_MAX. */
	barrier_var(len);
	if (len < 1 || len > NETOBS_L7_SLICE_MAX)
		return -1;
	if (l7_load_bytes(ctx, src, off, data, len)) {
		counter_add(NETOBS_CNT_L7_COPY_ERROR, 1);
		return -1;
	}
	if (len >= 4) {
		tail = len - 4;
		if (tail <= NETOBS_L7_SLICE_MAX - 4 &&
		    L7_WORD(data[tail], data[tail + 1], data[tail + 2], data[tail + 3]) ==
			    L7_WORD('\r', '\n', '\r', '\n'))
			ends_head = 1;
	}

	/* Exact, not the packet's tick-granular time: the agent subtracts
	 * these (a response's latency). Once per event, never per packet. */
	event_hdr_init(&event->hdr, NETOBS_EVENT_L7, sizeof(*event) + len, netobs_precise_now_ns());
	__builtin_memcpy(&event->key, &pkt->key, sizeof(event->key));
	event->seq = pkt->tcp_seq;
	event->payload_len = payload_len;
	event->captured_len = len;
	event->tcp_flags = pkt->tcp_flags;
	event->hint = hint;
	event->reserved[0] = event->reserved[1] = event->reserved[2] = 0;
	if (payload_len > NETOBS_L7_SLICE_MAX)
		counter_add(NETOBS_CNT_L7_TRUNCATED, 1);
	if (bpf_ringbuf_output(&events, event, sizeof(*event) + len, 0)) {
		counter_add(NETOBS_CNT_RINGBUF_FULL, 1);
		return ends_head;
	}
	counter_add(NETOBS_CNT_EVENTS, 1);
	counter_add(NETOBS_CNT_L7_EVENTS, 1);
	counter_add(NETOBS_CNT_L7_BYTES, len);
	return ends_head;
}

static __always_inline __u8 l7_port_flags(__be16 port)
{
	/* A 16-bit index into a 65536-entry array: always in bounds. */
	return netobs_l7_port_flags[bpf_ntohs(port)];
}

/*
 * The payload's offset and end, read back from the per-CPU scratch map
 * rather than taken from the parser's result. The verifier follows a value
 * from the packet to its use and, where the use needs an exact value (a
 * helper's size, a packet pointer's offset), keeps apart every parser path
 * that produced a different one: inlined, the L7 code was verified again for
 * each header stack, which doubled the programs' load time. A value loaded
 * from a map is just a number in a range, so every path meets here as one.
 * (A separate global function avoids that too, but its call measured ~9 ns
 * per packet here (docs/performance.md): more than the rest of the check for
 * a data segment that is neither DNS nor HTTP.)
 */
static __always_inline void l7_forget_path(struct netobs_l7_scratch *scratch, __u32 *off,
					   __u32 *end)
{
	*(volatile __u32 *)&scratch->payload_off = *off;
	*(volatile __u32 *)&scratch->payload_end = *end;
	*off = *(volatile __u32 *)&scratch->payload_off;
	*end = *(volatile __u32 *)&scratch->payload_end;
}

/*
 * After flow accounting, for a packet with a complete TCP/UDP header and
 * payload within its IP datagram (pkt->payload_off set: the caller's one
 * compare). pkt_len: the frame's bytes as the program sees them (skb->len
 * at TC: all of a GSO skb's segments); stats: the flow entry, NULL on the
 * packet that created it (which then gives an HTTP start no continuation
 * budget).
 */
static __always_inline void l7_observe(void *ctx, enum l7_source src,
				       const struct parsed_packet *pkt, __u32 pkt_len, __u8 is_gso,
				       struct netobs_flow_stats *stats)
{
	__u32 off = pkt->payload_off, end, zero = 0, config;
	struct netobs_l7_scratch *scratch;
	__u64 payload_len; /* 64-bit: see l7_load_bytes() */
	union l7_head head;
	__u8 port_flags;
	int ends_head;

	/* The payload ends at the IP datagram's end (the rest is link-layer
	 * padding) or the frame's, whichever comes first. A GSO skb's IP
	 * length may describe one segment or none (BIG TCP): skb->len is the
	 * whole payload. */
	end = pkt_len;
	if (!is_gso && pkt->ip_end < end)
		end = pkt->ip_end;
	scratch = bpf_map_lookup_elem(&l7_scratch, &zero);
	if (!scratch)
		return;
	l7_forget_path(scratch, &off, &end);
	if (end <= off)
		return;
	payload_len = (__u64)end - off;

	/* One read: both checks below see the same setting. */
	config = *(volatile __u32 *)&netobs_l7_config;
	if (config & NETOBS_L7_CFG_DISABLED)
		return;
	port_flags = l7_port_flags(pkt->key.sport) | l7_port_flags(pkt->key.dport);
	if (port_flags & NETOBS_L7_PORT_DNS) {
		/* A UDP datagram longer than its payload here is a first
		 * fragment (or cut): half a DNS message helps nobody. */
		if (pkt->key.proto == IPPROTO_UDP && payload_len + NETOBS_UDP_HLEN < pkt->udp_len)
			return;
		l7_emit(ctx, src, pkt, scratch, off, payload_len, NETOBS_L7_HINT_DNS);
		return;
	}
	if (pkt->key.proto != IPPROTO_TCP)
		return;
	if ((config & NETOBS_L7_CFG_HTTP_PORTS_ONLY) && !(port_flags & NETOBS_L7_PORT_HTTP))
		return;

	if (!l7_read_head(ctx, src, off, payload_len, &head) && l7_is_http_start(&head)) {
		ends_head = l7_emit(ctx, src, pkt, scratch, off, payload_len,
				    NETOBS_L7_HINT_HTTP_START);
		/* A head split over segments: copy the next few of this flow
		 * direction too. The budget is shared by the CPUs; a race
		 * between two of them copies a segment more or less, a
		 * heuristic's error, not a count's. */
		if (stats)
			stats->l7_budget = ends_head == 1 ? 0 : NETOBS_L7_CONT_SEGMENTS;
		return;
	}
	if (stats && stats->l7_budget) {
		stats->l7_budget--;
		l7_emit(ctx, src, pkt, scratch, off, payload_len, NETOBS_L7_HINT_HTTP_CONT);
	}
}
