/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one header for every structure that crosses the kernel/user boundary.
 * Included by bpf/ (with only <linux/types.h>) and by agent/, cli/, tests/.
 *
 * Rules: fixed-width types, largest fields first, explicit padding, sizes and
 * key offsets asserted below on both sides. A field is never removed or
 * reordered: retire it as reserved and bump NETOBS_ABI_VERSION when the
 * meaning of an existing byte changes.
 */
#pragma once

#include <linux/types.h>

/*
 * 2: a non-IP flow's key holds its MACs in saddr/daddr (were zero).
 * 3: NETOBS_EVENT_L7 payload slices; flow_stats.reserved became l7_budget.
 */
#define NETOBS_ABI_VERSION 3

/* Sizes of the BPF maps; the agent may change the flow map's with
 * bpf_map__set_max_entries() before load. */
#define NETOBS_FLOW_MAP_DEFAULT_ENTRIES 65536
#define NETOBS_RINGBUF_BYTES		(1U << 20)

/* Hook a packet was seen at, relative to the interface (not the endpoint). */
enum netobs_hook {
	NETOBS_HOOK_TC_INGRESS = 0, /* TC clsact ingress: packet received by the interface */
	NETOBS_HOOK_TC_EGRESS = 1,  /* TC clsact egress: packet sent by the interface */
	NETOBS_HOOK_XDP = 2, /* XDP: packet received, before the stack (replaces TC ingress) */
	NETOBS_HOOK__MAX,
};

/* flow_key.family: 0 means "not IP" (eth_proto tells what it was). */
enum netobs_family {
	NETOBS_FAMILY_NONE = 0,
	NETOBS_FAMILY_IPV4 = 4,
	NETOBS_FAMILY_IPV6 = 6,
};

/* flow_key.key_flags: why a key holds less than a full 5-tuple. */
enum netobs_key_flags {
	NETOBS_KEY_F_TRUNCATED = 1 << 0, /* packet or datagram ended before a header it announced */
	NETOBS_KEY_F_MALFORMED = 1 << 1, /* header present but invalid (IHL < 5, doff < 5, ...) */
	NETOBS_KEY_F_FRAGMENT = 1 << 2,	 /* non-first fragment: no L4 header, ports are 0 */
	NETOBS_KEY_F_EXTHDR_LIMIT = 1 << 3, /* IPv6 extension-header walk hit its bound */
};

/* TCP flags as on the wire (byte 13 of the header), plus NS (bit 0 of byte 12) as bit 8. */
enum netobs_tcp_flags {
	NETOBS_TCP_FIN = 1 << 0,
	NETOBS_TCP_SYN = 1 << 1,
	NETOBS_TCP_RST = 1 << 2,
	NETOBS_TCP_PSH = 1 << 3,
	NETOBS_TCP_ACK = 1 << 4,
	NETOBS_TCP_URG = 1 << 5,
	NETOBS_TCP_ECE = 1 << 6,
	NETOBS_TCP_CWR = 1 << 7,
	NETOBS_TCP_NS = 1 << 8,
};

/*
 * Key of the per-CPU flow map. One entry per (interface, hook, 5-tuple).
 * IPv4 addresses sit in the first 4 bytes of saddr/daddr, the rest zero.
 * Family NONE (not IP) on an Ethernet frame: the source and destination MAC
 * in saddr[0..5] / daddr[0..5], the rest zero (all zero when the Ethernet
 * header itself was cut, or on a device without one).
 * Every byte is written by the datapath (the key is hashed as raw bytes).
 */
struct netobs_flow_key {
	__u8 saddr[16]; /* source address (IP, or MAC when not IP), network order */
	__u8 daddr[16]; /* destination address (IP, or MAC when not IP), network order */
	__u32 ifindex;	/* interface the hook is attached to (host order) */
	union {
		struct {
			__be16 sport; /* TCP/UDP/SCTP source port, network order */
			__be16 dport; /* TCP/UDP/SCTP destination port, network order */
		};
		struct {
			__u8 icmp_type; /* ICMPv4/ICMPv6 type */
			__u8 icmp_code; /* ICMPv4/ICMPv6 code */
			__u16 icmp_pad; /* zero */
		};
	};
	__be16 eth_proto; /* innermost EtherType (ETH_P_IP, ETH_P_ARP, ...), network order */
	__u16 vlan_id;	  /* outermost VLAN ID (12 bits), 0 when untagged, host order */
	__u8 family;	  /* enum netobs_family */
	__u8 proto;	  /* IP protocol number (IPPROTO_*), 0 when not IP */
	__u8 hook;	  /* enum netobs_hook */
	__u8 key_flags;	  /* enum netobs_key_flags */
};

/*
 * Per-CPU value of the flow map. The agent sums the CPUs' copies:
 * packets/bytes add, first_seen takes the smallest non-zero, last_seen the
 * largest, tcp_flags OR.
 */
struct netobs_flow_stats {
	__u64 packets;	     /* wire packets (GSO segments counted one by one) */
	__u64 bytes;	     /* wire bytes from the Ethernet (L3 device: IP) header on, no FCS */
	__u64 first_seen_ns; /* bpf_ktime_get_boot_ns() of the first packet (CLOCK_BOOTTIME) */
	__u64 last_seen_ns;  /* bpf_ktime_get_boot_ns() of the latest packet */
	__u32 policy_rev;    /* reserved: policy revision the cached verdict was computed at */
	__u16 tcp_flags;     /* union of enum netobs_tcp_flags seen */
	__u8 verdict;	     /* reserved: cached policy verdict (0 = none, forwarded) */
	__u8 l7_budget;	     /* this CPU: HTTP segments still copied after a message start */
};

/* Per-CPU error and accounting counters (array map indexed by this enum). */
enum netobs_counter {
	NETOBS_CNT_PACKETS = 0,	      /* wire packets seen by any hook */
	NETOBS_CNT_BYTES,	      /* wire bytes seen by any hook */
	NETOBS_CNT_TRUNCATED,	      /* packet shorter than a header it announced */
	NETOBS_CNT_MALFORMED,	      /* invalid header field (IHL, doff, ...) */
	NETOBS_CNT_FRAGMENTS,	      /* non-first IPv4/IPv6 fragments (no L4) */
	NETOBS_CNT_EXTHDR_LIMIT,      /* IPv6 extension-header walk bound reached */
	NETOBS_CNT_VLAN_LIMIT,	      /* more VLAN tags than the parser walks */
	NETOBS_CNT_NON_IP,	      /* packets of other EtherTypes (counted as flows) */
	NETOBS_CNT_FLOW_MAP_FULL,     /* flow insert failed: map full (E2BIG) */
	NETOBS_CNT_FLOW_MAP_BUSY,     /* flow insert failed: bucket lock busy (EBUSY) */
	NETOBS_CNT_FLOW_MAP_ERROR,    /* flow insert failed: any other error */
	NETOBS_CNT_RINGBUF_FULL,      /* event dropped: ring buffer reserve failed */
	NETOBS_CNT_EVENTS,	      /* events submitted to the ring buffer */
	NETOBS_CNT_UNTRACKED_PACKETS, /* wire packets of the FLOW_MAP_* failures: in no flow */
	NETOBS_CNT_UNTRACKED_BYTES,   /* wire bytes of those packets */
	NETOBS_CNT_L7_EVENTS,	      /* NETOBS_EVENT_L7 submitted (also in EVENTS) */
	NETOBS_CNT_L7_BYTES,	      /* payload bytes copied into those events */
	NETOBS_CNT_L7_TRUNCATED,      /* L7 slices cut at NETOBS_L7_SLICE_MAX */
	NETOBS_CNT_L7_COPY_ERROR,     /* payload copy failed: no event (should stay 0) */
	NETOBS_CNT__MAX,
};

/* Event types in the ring buffer. Later: policy drops. */
enum netobs_event_type {
	NETOBS_EVENT_FLOW_NEW = 1,  /* first packet of a flow-map entry */
	NETOBS_EVENT_TCP_FLAGS = 2, /* SYN, FIN or RST new to this CPU's copy of an entry */
	NETOBS_EVENT_L7 = 3,	    /* a bounded slice of a DNS or HTTP packet's L4 payload */
};

/* Every ring-buffer event starts with this header. */
struct netobs_event_hdr {
	__u64 ts_ns;   /* bpf_ktime_get_boot_ns() of the packet (CLOCK_BOOTTIME) */
	__u16 version; /* NETOBS_ABI_VERSION */
	__u16 type;    /* enum netobs_event_type */
	__u16 len;     /* bytes of the whole event, header included */
	__u16 cpu;     /* CPU that produced the event */
};

/* NETOBS_EVENT_FLOW_NEW and NETOBS_EVENT_TCP_FLAGS. */
struct netobs_flow_event {
	struct netobs_event_hdr hdr;
	struct netobs_flow_key key;
	__u64 bytes;	 /* wire bytes of this packet */
	__u32 packets;	 /* wire packets of this packet (GSO segments) */
	__u16 tcp_flags; /* flags of this packet (enum netobs_tcp_flags) */
	__u16 reserved;
};

/*
 * L7 payload slices (docs/datapath.md, "L7"). The datapath copies the first
 * NETOBS_L7_SLICE_MAX bytes of an L4 payload when the packet is:
 *   - UDP or TCP with a port marked NETOBS_L7_PORT_DNS in netobs_l7_port_flags[];
 *   - TCP whose payload starts like an HTTP/1.x message ("GET ", "HTTP/1.",
 *     ...), on any port unless the config narrows HTTP to ports marked
 *     NETOBS_L7_PORT_HTTP; and the next NETOBS_L7_CONT_SEGMENTS payload
 *     segments of that flow direction on that CPU (a head split across
 *     segments), unless the start segment ended with CRLF CRLF.
 * The event is exactly as long as its header plus the bytes copied.
 */
#define NETOBS_L7_SLICE_MAX	2048
#define NETOBS_L7_CONT_SEGMENTS 3
#define NETOBS_L7_PORTS		65536

/* netobs_l7_port_flags[] values (global data of the BPF object, indexed by port, host order). */
enum netobs_l7_port_flags {
	NETOBS_L7_PORT_DNS = 1 << 0,
	NETOBS_L7_PORT_HTTP = 1 << 1,
};

/* netobs_l7_config flags (global data of the BPF object). */
enum netobs_l7_config_flags {
	NETOBS_L7_CFG_HTTP_PORTS_ONLY = 1 << 0, /* HTTP only on NETOBS_L7_PORT_HTTP ports */
	NETOBS_L7_CFG_DISABLED = 1 << 1,	/* no L7 slices at all */
};

/* netobs_l7_event.hint: why the datapath copied the slice. */
enum netobs_l7_hint {
	NETOBS_L7_HINT_DNS = 1,	       /* a DNS port */
	NETOBS_L7_HINT_HTTP_START = 2, /* content looks like an HTTP/1.x start line */
	NETOBS_L7_HINT_HTTP_CONT = 3,  /* a segment after an HTTP start (l7_budget) */
};

/* NETOBS_EVENT_L7: hdr.len = sizeof(struct netobs_l7_event) + captured_len. */
struct netobs_l7_event {
	struct netobs_event_hdr hdr;
	struct netobs_flow_key key;
	__u32 seq;	    /* TCP: sequence number of the payload's first byte; UDP: 0 */
	__u32 payload_len;  /* L4 payload bytes on the wire (a GSO skb: all its segments) */
	__u16 captured_len; /* bytes of payload in data[] (<= NETOBS_L7_SLICE_MAX) */
	__u16 tcp_flags;    /* this packet's flags (enum netobs_tcp_flags) */
	__u8 hint;	    /* enum netobs_l7_hint */
	__u8 reserved[3];
	__u8 data[]; /* captured_len bytes of L4 payload */
};

#define NETOBS_ABI_ASSERT(cond, msg) _Static_assert(cond, msg)
#define NETOBS_OFFSETOF(t, f)	     __builtin_offsetof(t, f)

NETOBS_ABI_ASSERT(sizeof(struct netobs_flow_key) == 48, "flow key size");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_key, ifindex) == 32, "flow key ifindex");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_key, sport) == 36, "flow key ports");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_key, icmp_type) == 36, "flow key icmp");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_key, eth_proto) == 40, "flow key eth_proto");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_key, family) == 44, "flow key family");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_key, key_flags) == 47, "flow key flags");
NETOBS_ABI_ASSERT(sizeof(struct netobs_flow_stats) == 40, "flow stats size");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_stats, policy_rev) == 32, "flow stats rev");
NETOBS_ABI_ASSERT(sizeof(struct netobs_event_hdr) == 16, "event header size");
NETOBS_ABI_ASSERT(sizeof(struct netobs_flow_event) == 80, "flow event size");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_event, key) == 16, "flow event key");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_event, bytes) == 64, "flow event bytes");
NETOBS_ABI_ASSERT(sizeof(struct netobs_l7_event) == 80, "l7 event size");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_l7_event, seq) == 64, "l7 event seq");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_l7_event, data) == 80, "l7 event data");
