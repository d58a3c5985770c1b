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
 * 4: policy enforcement: flow_stats grew to 48 bytes (policy_gen, verdict,
 *    policy_id, match_type), flow_event to 88 (the same verdict), the key flag
 *    NETOBS_KEY_F_DROPPED, the policy maps. Later, without a new version (only
 *    values appended): verdict NETOBS_PV_PREFILTER, the counters
 *    NETOBS_CNT_PREFILTER_*, the prefilter map.
 * 5: datapath times are CLOCK_MONOTONIC (were CLOCK_BOOTTIME); a flow's
 *    last_seen after its first packet is tick-granular (bpf/lib/clock.h).
 * 6: the flow map is a plain hash shared by all CPUs (was per-CPU); its value
 *    laid out again: the verdict in one 8-byte word (policy_gen, policy_id,
 *    verdict, match_type), tcp_flags 32-bit (atomic or), l7_budget per flow.
 *    TCP_FLAGS: once per flag and flow (was per flag, flow and CPU).
 */
#define NETOBS_ABI_VERSION 6

/* Sizes of the BPF maps; the agent may change the flow map's with
 * bpf_map__set_max_entries() before load. */
#define NETOBS_FLOW_MAP_DEFAULT_ENTRIES 65536
/* The event ring: 16 MiB (kernel memory, whatever the CPU count) hold about
 * 174000 flow events of 88 B + 8: 0.7 s of new flows at 250k/s while the
 * agent's loop is busy elsewhere (a harvest pass over a full flow map). At
 * 1 MiB (11900 events, 48 ms) such a flood lost a third of its events. */
#define NETOBS_RINGBUF_BYTES (16U << 20)
/* What one compiled policy may use of each policy map; the maps hold twice
 * that, as the agent writes a new policy before it deletes the old one. */
#define NETOBS_POLICY_ENDPOINTS_MAX 1024  /* policy_endpoints */
#define NETOBS_POLICY_IPCACHE_MAX   16384 /* policy_ipcache */
#define NETOBS_POLICY_RULES_MAX	    65536 /* policy_rules */
#define NETOBS_PREFILTER_MAX	    16384 /* prefilter (IPv4 and IPv6 together) */
/* policy_conns has the flow map's max_entries: one per allowed flow direction at most. */

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
	/*
	 * The datapath dropped these packets (TC_ACT_SHOT). A flow's dropped
	 * packets are accounted in their own entry, the key with this flag,
	 * so forwarded and dropped counts stay exact when a policy change
	 * flips a flow's verdict; the stats' verdict says why.
	 */
	NETOBS_KEY_F_DROPPED = 1 << 7,
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
 * Policy verdict of a flow direction at one hook (docs/policy.md,
 * "Enforcement"). Judged when this CPU first sees the flow and again when
 * netobs_policy_gen changes; cached in the flow entry's per-CPU value.
 */
enum netobs_policy_verdict {
	NETOBS_PV_NONE = 0,	    /* not judged: no policy loaded (netobs_policy_gen 0) */
	NETOBS_PV_UNENFORCED = 1,   /* no policy applies to this direction: forwarded */
	NETOBS_PV_ALLOWED = 2,	    /* an allow rule matched (policy_id): forwarded */
	NETOBS_PV_REPLY = 3,	    /* reply of a connection allowed the other way: forwarded */
	NETOBS_PV_DENIED = 4,	    /* default deny, no rule allowed it: dropped (POLICY_DENIED) */
	NETOBS_PV_DENY = 5,	    /* a deny rule matched (policy_id): dropped (POLICY_DENY) */
	NETOBS_PV_AUDIT_DENIED = 6, /* audit mode: would be DENIED, forwarded */
	NETOBS_PV_AUDIT_DENY = 7,   /* audit mode: would be DENY (policy_id), forwarded */
	NETOBS_PV_PREFILTER = 8,    /* XDP: the source is in the prefilter map: dropped */
	NETOBS_PV__MAX,
};

/* Hubble's PolicyMatchType: what part of the rule that decided matched. */
enum netobs_policy_match {
	NETOBS_MATCH_NONE = 0,
	NETOBS_MATCH_L3_ONLY = 1, /* a peer (endpoint, CIDR, entity), any port */
	NETOBS_MATCH_L3_L4 = 2,	  /* a peer and a port (or ICMP type) */
	NETOBS_MATCH_L4_ONLY = 3, /* a port (or ICMP type), any peer */
	NETOBS_MATCH_ALL = 4,	  /* any peer, any port (entity all, no ports) */
};

/*
 * Value of the flow map, one per flow shared by all CPUs (since ABI 6; a
 * per-CPU value before): its memory does not grow with the CPU count. The
 * datapath adds packets and bytes with atomic adds and sets TCP flags with
 * an atomic fetch-or, so every count is exact whichever CPUs the packets
 * come on; the verdict's four fields share one 8-byte word that one store
 * writes whole, so a reader never sees a verdict of one judgement with the
 * policy of another.
 */
struct netobs_flow_stats {
	__u64 packets;	     /* wire packets (GSO segments counted one by one) */
	__u64 bytes;	     /* wire bytes from the Ethernet (L3 device: IP) header on, no FCS */
	__u64 first_seen_ns; /* CLOCK_MONOTONIC of the first packet, exact */
	__u64 last_seen_ns;  /* CLOCK_MONOTONIC: latest packet's tick end, exact on insert */
	union {
		__u64 verdict_word; /* the four fields below, written together */
		struct {
			__u32 policy_gen; /* netobs_policy_gen the verdict was judged at, 0: never */
			__u16 policy_id;  /* the policy whose rule decided (ALLOWED, DENY,
					     AUDIT_DENY), 0 none */
			__u8 verdict;	  /* enum netobs_policy_verdict, judged at policy_gen */
			__u8 match_type;  /* enum netobs_policy_match */
		};
	};
	__u32 tcp_flags; /* union of enum netobs_tcp_flags seen */
	__u8 l7_budget;	 /* HTTP segments still copied after a message start */
	__u8 reserved[3];
};

/* Per-CPU error and accounting counters (array map indexed by this enum). */
enum netobs_counter {
	NETOBS_CNT_PACKETS = 0,		 /* wire packets seen by any hook */
	NETOBS_CNT_BYTES,		 /* wire bytes seen by any hook */
	NETOBS_CNT_TRUNCATED,		 /* packet shorter than a header it announced */
	NETOBS_CNT_MALFORMED,		 /* invalid header field (IHL, doff, ...) */
	NETOBS_CNT_FRAGMENTS,		 /* non-first IPv4/IPv6 fragments (no L4) */
	NETOBS_CNT_EXTHDR_LIMIT,	 /* IPv6 extension-header walk bound reached */
	NETOBS_CNT_VLAN_LIMIT,		 /* more VLAN tags than the parser walks */
	NETOBS_CNT_NON_IP,		 /* packets of other EtherTypes (counted as flows) */
	NETOBS_CNT_FLOW_MAP_FULL,	 /* flow insert failed: map full (E2BIG) */
	NETOBS_CNT_FLOW_MAP_BUSY,	 /* flow insert failed: bucket lock busy (EBUSY) */
	NETOBS_CNT_FLOW_MAP_ERROR,	 /* flow insert failed: any other error */
	NETOBS_CNT_RINGBUF_FULL,	 /* event dropped: ring buffer reserve failed */
	NETOBS_CNT_EVENTS,		 /* events submitted to the ring buffer */
	NETOBS_CNT_UNTRACKED_PACKETS,	 /* wire packets of the FLOW_MAP_* failures: in no flow */
	NETOBS_CNT_UNTRACKED_BYTES,	 /* wire bytes of those packets */
	NETOBS_CNT_L7_EVENTS,		 /* NETOBS_EVENT_L7 submitted (also in EVENTS) */
	NETOBS_CNT_L7_BYTES,		 /* payload bytes copied into those events */
	NETOBS_CNT_L7_TRUNCATED,	 /* L7 slices cut at NETOBS_L7_SLICE_MAX */
	NETOBS_CNT_L7_COPY_ERROR,	 /* payload copy failed: no event (should stay 0) */
	NETOBS_CNT_POLICY_DROPPED,	 /* wire packets dropped by policy (TC_ACT_SHOT) */
	NETOBS_CNT_POLICY_DROPPED_BYTES, /* their wire bytes */
	NETOBS_CNT_POLICY_AUDIT,	 /* wire packets policy would have dropped (audit mode) */
	NETOBS_CNT_POLICY_JUDGED,     /* verdicts judged (flow start on a CPU, generation change) */
	NETOBS_CNT_POLICY_CONN_FULL,  /* connection insert failed: replies will be judged as new */
	NETOBS_CNT_PREFILTER_DROPPED, /* wire packets the XDP prefilter dropped (XDP_DROP) */
	NETOBS_CNT_PREFILTER_DROPPED_BYTES, /* their wire bytes */
	NETOBS_CNT__MAX,
};

/*
 * Event types in the ring buffer. A policy drop needs none of its own: the
 * first dropped packet of a flow creates its NETOBS_KEY_F_DROPPED entry,
 * whose FLOW_NEW (verdict included) reports the drop at once.
 */
enum netobs_event_type {
	NETOBS_EVENT_FLOW_NEW = 1,  /* first packet of a flow-map entry */
	NETOBS_EVENT_TCP_FLAGS = 2, /* SYN, FIN or RST new to a flow-map entry */
	NETOBS_EVENT_L7 = 3,	    /* a bounded slice of a DNS or HTTP packet's L4 payload */
};

/* Every ring-buffer event starts with this header. */
struct netobs_event_hdr {
	__u64 ts_ns;   /* CLOCK_MONOTONIC of the packet, exact */
	__u16 version; /* NETOBS_ABI_VERSION */
	__u16 type;    /* enum netobs_event_type */
	__u16 len;     /* bytes of the whole event, header included */
	__u16 cpu;     /* CPU that produced the event */
};

/* NETOBS_EVENT_FLOW_NEW and NETOBS_EVENT_TCP_FLAGS. */
struct netobs_flow_event {
	struct netobs_event_hdr hdr;
	struct netobs_flow_key key; /* key_flags NETOBS_KEY_F_DROPPED: a dropped packet */
	__u64 bytes;		    /* wire bytes of this packet */
	__u32 packets;		    /* wire packets of this packet (GSO segments) */
	__u16 tcp_flags;	    /* flags of this packet (enum netobs_tcp_flags) */
	__u8 verdict;		    /* enum netobs_policy_verdict of this packet */
	__u8 match_type;	    /* enum netobs_policy_match */
	__u32 policy_gen;	    /* netobs_policy_gen the verdict was judged at */
	__u16 policy_id;	    /* as in struct netobs_flow_stats */
	__u16 reserved;
};

/*
 * Policy enforcement (docs/policy.md, "Datapath"). The TC programs judge a
 * flow direction on an endpoint's host-side veth when the flow starts (on
 * each CPU) and when netobs_policy_gen (global data) changes; 0 there means
 * no policy is loaded and nothing is judged. Directions are the endpoint's:
 * TC ingress on its veth is the endpoint's EGRESS, TC egress its INGRESS.
 *
 * Map "policy_endpoints": __u32 ifindex -> struct netobs_policy_endpoint.
 * An interface without an entry is not enforced.
 */
enum netobs_policy_endpoint_flags {
	NETOBS_PEP_INGRESS_RULES = 1 << 0,	  /* some policy's rules apply to ingress */
	NETOBS_PEP_INGRESS_DEFAULT_DENY = 1 << 1, /* ingress denies what no rule allows */
	NETOBS_PEP_EGRESS_RULES = 1 << 2,
	NETOBS_PEP_EGRESS_DEFAULT_DENY = 1 << 3,
	NETOBS_PEP_AUDIT = 1 << 4, /* PolicyAuditMode: would-be drops pass, verdict AUDIT_* */
};

struct netobs_policy_endpoint {
	__u32 flags;	/* enum netobs_policy_endpoint_flags */
	__u32 identity; /* the endpoint's own identity (as peers see it in policy_ipcache) */
};

/* Identities. Endpoints and CIDRs get theirs from the agent's compiler. */
#define NETOBS_POLICY_IDENTITY_ANY	     0	 /* policy_rules only: any peer */
#define NETOBS_POLICY_IDENTITY_HOST	     1	 /* reserved:host (Cilium's number) */
#define NETOBS_POLICY_IDENTITY_WORLD	     2	 /* reserved:world, no policy_ipcache match */
#define NETOBS_POLICY_IDENTITY_ENDPOINT_BASE 256 /* + a small index */
#define NETOBS_POLICY_IDENTITY_CIDR_BASE     (1U << 24) /* Cilium's local identities */

/*
 * Map "policy_ipcache" (LPM trie): peer address -> identity. prefixlen
 * counts the bits of family and pad (32) and then of addr; family is 4 or 6.
 */
struct netobs_ipcache_key {
	__u32 prefixlen;
	__u8 family;
	__u8 pad[3];
	__u8 addr[16]; /* network order; IPv4 in the first 4 bytes */
};

struct netobs_ipcache_value {
	__u32 identity;
};

#define NETOBS_POLICY_DIR_INGRESS 0
#define NETOBS_POLICY_DIR_EGRESS  1

/*
 * Map "policy_rules" (LPM trie): (endpoint, direction, peer identity,
 * protocol, port) -> rule. ifindex, identity and direction are always whole
 * (prefixlen >= NETOBS_POLICY_PREFIX_PEER); protocol may be left out (any
 * protocol and port); the port is matched by its leading bits (ranges). For
 * ICMP and ICMPv6 "port" holds the type in its first byte (the flow key's
 * icmp_type/icmp_code bytes), so an icmps rule is prefixlen PEER + 16.
 * The datapath looks up its peer's identity and NETOBS_POLICY_IDENTITY_ANY;
 * a DENY from either wins, then an ALLOW from either. Within one lookup the
 * longest prefix wins, so the compiler gives each entry the merged action
 * of every entry covering it (a deny of a whole protocol reaches a longer
 * allow of one of its ports).
 */
struct netobs_policy_key {
	__u32 prefixlen;
	__u32 ifindex;	/* the endpoint's host-side veth */
	__u32 identity; /* the peer's, or NETOBS_POLICY_IDENTITY_ANY */
	__u8 direction; /* NETOBS_POLICY_DIR_* */
	__u8 proto;	/* IPPROTO_* */
	__be16 port;	/* destination port, network order; ICMP: type, code */
};

#define NETOBS_POLICY_PREFIX_PEER  72 /* ifindex, identity, direction */
#define NETOBS_POLICY_PREFIX_PROTO 80 /* ... and the protocol */
#define NETOBS_POLICY_PREFIX_FULL  96 /* ... and the whole port */

enum netobs_policy_action {
	NETOBS_POLICY_ACTION_ALLOW = 1,
	NETOBS_POLICY_ACTION_DENY = 2,
};

struct netobs_policy_rule {
	__u16 policy_id; /* the agent's id of the policy of the deciding rule */
	__u8 action;	 /* enum netobs_policy_action */
	__u8 match_type; /* enum netobs_policy_match */
};

/*
 * Map "policy_conns" (hash): connections an enforced endpoint allowed.
 * Key: the flow key of the allowed direction at the hook that allowed it
 * (key_flags 0). A packet whose reversed key (addresses and ports swapped,
 * ICMP echo request <-> reply, the other TC hook, same ifindex) is here is a
 * reply. The agent deletes an entry with the flow entry of the same key.
 */
struct netobs_policy_conn {
	__u32 policy_gen; /* the generation the connection was last allowed at */
	/* When a packet last used it: monotonic clock >> NETOBS_POLICY_CONN_TIME_SHIFT
	 * (units of about a second), written when it changes. The agent keeps a
	 * connection while either direction is in use (agent/policy_conns.c). */
	__u32 last_used;
};

#define NETOBS_POLICY_CONN_TIME_SHIFT 30

/*
 * XDP prefilter (docs/policy.md, "XDP prefilter"). Map "prefilter" (LPM
 * trie): source prefixes netobs_xdp drops before the stack, on the
 * interfaces given to --xdp. The key is laid out as struct
 * netobs_ipcache_key: prefixlen counts the 32 bits of family and pad, then
 * those of addr. netobs_xdp looks the map up only while the global
 * netobs_prefilter_enabled (.bss) is non-zero, which the agent sets when
 * the list is not empty. A dropped packet is accounted in its flow's
 * NETOBS_KEY_F_DROPPED entry with verdict NETOBS_PV_PREFILTER (policy_gen
 * 0, no policy_id): its FLOW_NEW reports the drop at once. Only packets
 * with a whole IP header are judged (bpf/lib/prefilter.h).
 */
struct netobs_prefilter_value {
	__u32 revision; /* the agent's prefilter revision that wrote the prefix (low 32 bits) */
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
NETOBS_ABI_ASSERT(sizeof(struct netobs_flow_stats) == 48, "flow stats size");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_stats, policy_gen) == 32, "flow stats gen");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_stats, policy_id) == 36, "flow stats policy");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_stats, match_type) == 39, "flow stats match");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_stats, tcp_flags) == 40,
		  "flow stats flags (4-byte aligned: atomic or)");
NETOBS_ABI_ASSERT(sizeof(struct netobs_event_hdr) == 16, "event header size");
NETOBS_ABI_ASSERT(sizeof(struct netobs_flow_event) == 88, "flow event size");
NETOBS_ABI_ASSERT(sizeof(struct netobs_policy_key) == 16, "policy key size");
NETOBS_ABI_ASSERT(sizeof(struct netobs_ipcache_key) == 24, "ipcache key size");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_event, key) == 16, "flow event key");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_flow_event, bytes) == 64, "flow event bytes");
NETOBS_ABI_ASSERT(sizeof(struct netobs_l7_event) == 80, "l7 event size");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_l7_event, seq) == 64, "l7 event seq");
NETOBS_ABI_ASSERT(NETOBS_OFFSETOF(struct netobs_l7_event, data) == 80, "l7 event data");
