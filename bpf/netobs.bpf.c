// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs datapath: observe every packet at TC ingress, TC egress or XDP,
 * account it into a flow map shared by all CPUs, and report new flows, TCP
 * SYN/FIN/RST and slices of DNS and HTTP payloads through a ring buffer.
 * Without a policy the programs never change a packet's fate: TC returns
 * TC_ACT_UNSPEC (the next filter still runs), XDP XDP_PASS. With one, TC
 * drops what it denies on an endpoint's veth (lib/policy.h); with a
 * prefilter, XDP drops the listed sources (lib/prefilter.h).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "lib/account.h"
#include "lib/counters.h"
#include "lib/flow.h"
#include "lib/l7.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/policy.h"
#include "lib/prefilter.h"

/*
 * Bytes made linear when the headers are not all in the skb's linear part.
 * Covers Ethernet + 2 VLAN tags + IPv6 + a few extension headers + TCP with
 * options; deeper headers stay TRUNCATED rather than copying more.
 */
#define NETOBS_PULL_MAX 256

/* l3_frame (a constant in each program): the frames start at the IP header. */
static __always_inline void parse_skb(struct __sk_buff *skb, const struct frame_meta *meta,
				      struct parsed_packet *pkt, __u8 l3_frame)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (l3_frame)
		parse_frame_l3(data, data_end, meta, pkt);
	else
		parse_frame(data, data_end, meta, pkt);
}

/*
 * l3_frame: the device has no Ethernet header (its frames start at L3).
 * Returns the TC action: TC_ACT_SHOT for a packet policy denies, else
 * TC_ACT_UNSPEC (the next filter still runs).
 */
static __always_inline int observe_skb(struct __sk_buff *skb, __u8 hook, __u8 l3_frame)
{
	struct frame_meta meta = {
		.ifindex = skb->ifindex,
		.hook = hook,
	};
	struct netobs_flow_stats *stats = NULL;
	struct policy_decision d = {};
	struct parsed_packet pkt;
	__u32 gso_size = skb->gso_size;
	__u32 gen;
	__u64 now;
	__u32 segs = 1;
	__u32 linear;
	__u64 bytes;

	if (l3_frame)
		meta.l3_proto = (__be16)skb->protocol;
	/* GSO/GRO: one skb stands for several wire packets. */
	if (gso_size)
		meta.is_gso = 1;
	/* A tag the driver or stack took out of the packet is the outermost. */
	if (skb->vlan_present) {
		meta.has_meta_vlan = 1;
		meta.meta_vlan_id = skb->vlan_tci;
	}

	parse_skb(skb, &meta, &pkt, l3_frame);

	/*
	 * Direct packet access sees only the linear part. If the headers
	 * continue in paged data, make them linear and parse again rather
	 * than report a truncation the wire packet does not have.
	 */
	linear = skb->data_end - skb->data;
	if ((pkt.key.key_flags & NETOBS_KEY_F_TRUNCATED) && skb->len > linear &&
	    linear < NETOBS_PULL_MAX) {
		__u32 want = skb->len < NETOBS_PULL_MAX ? skb->len : NETOBS_PULL_MAX;

		if (!bpf_skb_pull_data(skb, want))
			parse_skb(skb, &meta, &pkt, l3_frame);
	}

	if (meta.is_gso) {
		segs = skb->gso_segs;
		/* 0: the sender (tun/tap, virtio, af_packet with a vnet header) left
		 * the count to the kernel, which computes it later the same way
		 * (qdisc_pkt_len_init() for SKB_GSO_DODGY). */
		if (!segs && skb->len > pkt.header_len)
			segs = (skb->len - pkt.header_len + gso_size - 1) / gso_size;
		if (!segs)
			segs = 1;
	}

	/* Each wire segment of a GSO skb repeats the headers (as the kernel's
	 * qdisc_pkt_len_init() counts them); skb->len holds them once. A tag
	 * held in metadata was (or will be) in every wire frame, not in skb->len. */
	bytes = skb->len + (__u64)(segs - 1) * pkt.header_len;
	if (meta.has_meta_vlan)
		bytes += (__u64)segs * NETOBS_VLAN_HLEN;
	now = netobs_now_ns();
	gen = netobs_policy_gen;
	if (gen) {
		policy_packet_verdict(skb, &pkt, gen, now, &stats, &d);
		if (policy_verdict_drops(d.verdict)) {
			/* The forwarded entry (if any: the flow was forwarded at an
			 * older generation) keeps the verdict, so the next packets
			 * are not judged again; they are accounted, exactly, in
			 * the flow's dropped entry. */
			if (stats)
				flow_stats_set_verdict(stats, &d);
			pkt.key.key_flags |= NETOBS_KEY_F_DROPPED;
			account_packet(&pkt, NULL, segs, bytes, now, &d);
			counter_add(NETOBS_CNT_POLICY_DROPPED, segs);
			counter_add(NETOBS_CNT_POLICY_DROPPED_BYTES, bytes);
			return TC_ACT_SHOT;
		}
		if (d.verdict == NETOBS_PV_AUDIT_DENIED || d.verdict == NETOBS_PV_AUDIT_DENY)
			counter_add(NETOBS_CNT_POLICY_AUDIT, segs);
	}
	stats = account_packet(&pkt, stats, segs, bytes, now, &d);
	/* TCP/UDP with payload in its datagram: a pure ACK stops here. */
	if (pkt.payload_off)
		l7_observe(skb, L7_FROM_SKB, &pkt, skb->len, meta.is_gso, stats);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int netobs_tc_ingress(struct __sk_buff *skb)
{
	return observe_skb(skb, NETOBS_HOOK_TC_INGRESS, 0);
}

SEC("tc")
int netobs_tc_egress(struct __sk_buff *skb)
{
	return observe_skb(skb, NETOBS_HOOK_TC_EGRESS, 0);
}

/*
 * The same for devices without an Ethernet header (ARPHRD_NONE: tun,
 * WireGuard; ARPHRD_TUNNEL/TUNNEL6/SIT: ipip, ip6tnl, sit; ...): their frames
 * start at the IP header, and skb->protocol names it. Read as Ethernet,
 * their IP addresses would be taken for MACs and an EtherType.
 */
SEC("tc")
int netobs_tc_ingress_l3(struct __sk_buff *skb)
{
	return observe_skb(skb, NETOBS_HOOK_TC_INGRESS, 1);
}

SEC("tc")
int netobs_tc_egress_l3(struct __sk_buff *skb)
{
	return observe_skb(skb, NETOBS_HOOK_TC_EGRESS, 1);
}

SEC("xdp")
int netobs_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct frame_meta meta = {
		.ifindex = ctx->ingress_ifindex,
		.hook = NETOBS_HOOK_XDP,
	};
	struct policy_decision no_policy = {}; /* policy is enforced at TC only */
	struct parsed_packet pkt;
	struct netobs_flow_stats *stats;
	__u64 now = netobs_now_ns();

	/* XDP sees every in-packet tag and never a GSO aggregate. Multi-buffer
	 * frames are not seen here at all (the program is not xdp.frags). */
	parse_frame(data, data_end, &meta, &pkt);
	if (netobs_prefilter_enabled && netobs_prefilter_drop(&pkt, data_end - data, now))
		return XDP_DROP;
	stats = account_packet(&pkt, NULL, 1, data_end - data, now, &no_policy);
	if (pkt.payload_off)
		l7_observe(ctx, L7_FROM_XDP, &pkt, data_end - data, 0, stats);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
