/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Policy enforcement at TC (lib/abi.h, "Policy enforcement";
 * docs/datapath.md, "Policy enforcement"). A flow direction is judged when
 * it starts and when netobs_policy_gen changes; the verdict is cached in its
 * flow entry (one 8-byte word, lib/flow.h), so an established flow costs the
 * flow lookup it already paid plus one compare.
 *
 * Judging is three global functions, verified once each and not per call
 * site: the TC programs are near the verifier's budget already (L7), and
 * a judgement is a handful of lookups that gains nothing from inlining.
 */
#pragma once

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "lib/clock.h"
#include "lib/counters.h"
#include "lib/flow.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/verdict.h"

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

#define ICMP_ECHO_REPLY	   0
#define ICMP_ECHO_REQUEST  8
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY   129
/* Router and neighbor discovery (RFC 4861): 133 router solicitation .. 137 redirect. */
#define ICMP6_ND_FIRST 133
#define ICMP6_ND_LAST  137

/*
 * Packets L3/L4 policy has nothing to say about, as in Cilium: not IP (ARP
 * and the like) and IPv6 neighbor discovery, without which no IPv6 address
 * of an endpoint in default deny could even be resolved.
 */
static __always_inline int policy_exempt(const struct netobs_flow_key *key)
{
	if (key->family == NETOBS_FAMILY_NONE)
		return 1;
	return key->proto == IPPROTO_ICMPV6 && key->icmp_type >= ICMP6_ND_FIRST &&
	       key->icmp_type <= ICMP6_ND_LAST;
}

/* The endpoint's direction of a packet seen at this hook of its veth. */
static __always_inline __u8 policy_direction(__u8 hook)
{
	return hook == NETOBS_HOOK_TC_INGRESS ? NETOBS_POLICY_DIR_EGRESS
					      : NETOBS_POLICY_DIR_INGRESS;
}

/* The peer's identity: policy_ipcache's longest match, else world. */
static __always_inline __u32 policy_peer_identity(const struct netobs_flow_key *key, __u8 dir)
{
	struct netobs_ipcache_key ck = {};
	struct netobs_ipcache_value *v;

	ck.family = key->family;
	ck.prefixlen = 32 + (key->family == NETOBS_FAMILY_IPV4 ? 32 : 128);
	if (dir == NETOBS_POLICY_DIR_EGRESS)
		__builtin_memcpy(ck.addr, key->daddr, sizeof(ck.addr));
	else
		__builtin_memcpy(ck.addr, key->saddr, sizeof(ck.addr));
	v = bpf_map_lookup_elem(&policy_ipcache, &ck);
	return v ? v->identity : NETOBS_POLICY_IDENTITY_WORLD;
}

/*
 * What a policy_rules entry decides for (peer identity, protocol, port):
 * the lookups for the peer's identity and for any peer; a deny from either
 * wins, then an allow from either. 0 when no rule matches.
 */
static __always_inline __u8 policy_rules_decide(const struct netobs_flow_key *key, __u8 dir,
						__u32 identity, struct policy_decision *out)
{
	struct netobs_policy_key rk = {
		.prefixlen = NETOBS_POLICY_PREFIX_FULL,
		.ifindex = key->ifindex,
		.identity = identity,
		.direction = dir,
		.proto = key->proto,
	};
	struct netobs_policy_rule *peer, *any;
	struct netobs_policy_rule chosen = {};

	/* ICMP's "port" is its type and code, where the key keeps them. */
	if (key->proto == IPPROTO_ICMP || key->proto == IPPROTO_ICMPV6)
		rk.port = key->sport;
	else
		rk.port = key->dport;

	peer = bpf_map_lookup_elem(&policy_rules, &rk);
	if (peer)
		chosen = *peer;
	rk.identity = NETOBS_POLICY_IDENTITY_ANY;
	any = bpf_map_lookup_elem(&policy_rules, &rk);
	if (any && (!peer || (any->action == NETOBS_POLICY_ACTION_DENY &&
			      chosen.action != NETOBS_POLICY_ACTION_DENY)))
		chosen = *any;
	if (!peer && !any)
		return 0;
	out->policy_id = chosen.policy_id;
	out->match_type = chosen.match_type;
	return chosen.action;
}

/*
 * Judge a new flow direction by the rules alone (no reply check): out gets
 * UNENFORCED, ALLOWED, DENIED, DENY or their AUDIT_ forms. Global: verified
 * once. Returns 1 when the endpoint is enforced (it has a policy_endpoints
 * entry: its allowed connections must be remembered for their replies).
 */
__noinline int netobs_policy_decide(const struct netobs_flow_key *key, struct policy_decision *out)
{
	struct netobs_policy_endpoint *ep;
	__u32 ifindex, rules_flag, deny_flag;
	__u8 dir, action;

	if (!key || !out)
		return 0;
	out->verdict = NETOBS_PV_UNENFORCED;
	out->policy_id = 0;
	out->match_type = NETOBS_MATCH_NONE;
	if (key->hook == NETOBS_HOOK_XDP)
		return 0;
	ifindex = key->ifindex;
	ep = bpf_map_lookup_elem(&policy_endpoints, &ifindex);
	if (!ep)
		return 0;
	dir = policy_direction(key->hook);
	rules_flag = dir == NETOBS_POLICY_DIR_INGRESS ? NETOBS_PEP_INGRESS_RULES
						      : NETOBS_PEP_EGRESS_RULES;
	deny_flag = dir == NETOBS_POLICY_DIR_INGRESS ? NETOBS_PEP_INGRESS_DEFAULT_DENY
						     : NETOBS_PEP_EGRESS_DEFAULT_DENY;
	if (!(ep->flags & (rules_flag | deny_flag)) || policy_exempt(key))
		return 1;

	action = policy_rules_decide(key, dir, policy_peer_identity(key, dir), out);
	if (action == NETOBS_POLICY_ACTION_DENY)
		out->verdict = NETOBS_PV_DENY;
	else if (action == NETOBS_POLICY_ACTION_ALLOW)
		out->verdict = NETOBS_PV_ALLOWED;
	else if (ep->flags & deny_flag)
		out->verdict = NETOBS_PV_DENIED;
	if (ep->flags & NETOBS_PEP_AUDIT) {
		if (out->verdict == NETOBS_PV_DENY)
			out->verdict = NETOBS_PV_AUDIT_DENY;
		else if (out->verdict == NETOBS_PV_DENIED)
			out->verdict = NETOBS_PV_AUDIT_DENIED;
	}
	return 1;
}

/*
 * The parts of a key for the same interface at the other TC hook: where a
 * connection's opening direction passed when this packet answers it.
 */
static __always_inline void policy_key_other_hook(const struct netobs_flow_key *key,
						  struct netobs_flow_key *conn)
{
	conn->ifindex = key->ifindex;
	conn->eth_proto = key->eth_proto;
	conn->vlan_id = key->vlan_id;
	conn->family = key->family;
	conn->hook = key->hook == NETOBS_HOOK_TC_INGRESS ? NETOBS_HOOK_TC_EGRESS
							 : NETOBS_HOOK_TC_INGRESS;
	conn->key_flags = 0;
}

/*
 * The key of the connection a packet would answer: at the same interface,
 * the other TC hook, addresses and ports swapped; an ICMP echo reply
 * answers the request. 0 when the packet cannot be a reply.
 */
static __always_inline int policy_reverse_key(const struct netobs_flow_key *key,
					      struct netobs_flow_key *rev)
{
	policy_key_other_hook(key, rev);
	__builtin_memcpy(rev->saddr, key->daddr, sizeof(rev->saddr));
	__builtin_memcpy(rev->daddr, key->saddr, sizeof(rev->daddr));
	rev->proto = key->proto;
	if (key->proto == IPPROTO_ICMP || key->proto == IPPROTO_ICMPV6) {
		__u8 type = key->icmp_type;

		rev->icmp_code = key->icmp_code;
		rev->icmp_pad = 0;
		if (key->proto == IPPROTO_ICMP && type == ICMP_ECHO_REPLY)
			rev->icmp_type = ICMP_ECHO_REQUEST;
		else if (key->proto == IPPROTO_ICMPV6 && type == ICMP6_ECHO_REPLY)
			rev->icmp_type = ICMP6_ECHO_REQUEST;
		else
			return 0;
		return 1;
	}
	rev->sport = key->dport;
	rev->dport = key->sport;
	return 1;
}

/* A connection was used at now_ns (its last_used, written only when it moves). */
static __always_inline void policy_conn_touch(struct netobs_policy_conn *conn, __u64 now_ns)
{
	__u32 now = (__u32)(now_ns >> NETOBS_POLICY_CONN_TIME_SHIFT);

	if (conn->last_used != now)
		conn->last_used = now;
}

/* Forwarded by the rules (or not enforced): its replies may come back. */
static __always_inline int policy_verdict_opens(__u8 verdict)
{
	return verdict == NETOBS_PV_UNENFORCED || verdict == NETOBS_PV_ALLOWED ||
	       verdict == NETOBS_PV_AUDIT_DENIED || verdict == NETOBS_PV_AUDIT_DENY;
}

/*
 * ICMP errors (destination unreachable, time exceeded, parameter problem;
 * ICMPv6 1-4) carry the header of the packet they answer: judged by that
 * packet's connection, not by the rules, and never from the cache (the
 * error's own flow key says nothing about which connection it is for).
 */
static __always_inline int policy_icmp_error(const struct netobs_flow_key *key)
{
	if (key->proto == IPPROTO_ICMP)
		return key->icmp_type == 3 || key->icmp_type == 11 || key->icmp_type == 12;
	if (key->proto == IPPROTO_ICMPV6)
		return key->icmp_type >= 1 && key->icmp_type <= 4;
	return 0;
}

/*
 * The connection an ICMP error is about, from the packet it quotes at
 * inner_off (where its quoted IP header starts): the quoted packet went the
 * connection's way (an error about what this endpoint sent quotes endpoint
 * -> peer), at the other TC hook of the same interface. Fills *conn and
 * returns 1 when the quoted packet could be read, 0 otherwise (the caller
 * looks the connection up, as for a reply). Global:
 * verified once; the caller judges a stale one again (its stack, not ours:
 * the BPF stack of all the frames together is bounded).
 */
__noinline int netobs_policy_related(struct __sk_buff *skb, const struct netobs_flow_key *key,
				     __u32 inner_off, struct netobs_flow_key *conn)
{
	__u8 hdr[20], l4[4];
	__u32 l4_off;

	if (!skb || !key || !conn || inner_off > 0xffff)
		return 0;
	__builtin_memset(conn, 0, sizeof(*conn));
	policy_key_other_hook(key, conn);
	if (key->family == NETOBS_FAMILY_IPV4) {
		if (bpf_skb_load_bytes(skb, inner_off, hdr, 20) || (hdr[0] >> 4) != 4 ||
		    (hdr[0] & 0xf) < 5)
			return 0;
		conn->proto = hdr[9];
		__builtin_memcpy(conn->saddr, hdr + 12, 4);
		__builtin_memcpy(conn->daddr, hdr + 16, 4);
		l4_off = inner_off + (hdr[0] & 0xf) * 4;
	} else {
		/* version .. next header, then the addresses straight into place */
		if (bpf_skb_load_bytes(skb, inner_off, hdr, 8) || (hdr[0] >> 4) != 6 ||
		    bpf_skb_load_bytes(skb, inner_off + 8, conn->saddr, 16) ||
		    bpf_skb_load_bytes(skb, inner_off + 24, conn->daddr, 16))
			return 0;
		conn->proto = hdr[6]; /* no extension headers walked: no match then */
		l4_off = inner_off + 40;
	}
	if (bpf_skb_load_bytes(skb, l4_off, l4, 4))
		return 0;
	switch (conn->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		__builtin_memcpy(&conn->sport, l4, 2);
		__builtin_memcpy(&conn->dport, l4 + 2, 2);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		conn->icmp_type = l4[0];
		conn->icmp_code = l4[1];
		break;
	default:
		return 0;
	}
	return 1;
}

/*
 * Judge a packet whose flow direction has no verdict cached at gen
 * (passed in, not read again: the agent may change it meanwhile).
 * A reply of a connection allowed the other way is REPLY whatever the
 * rules say (stateful, as Cilium); a connection allowed at an older
 * generation is judged again before its replies count as such. A direction
 * the rules forward on an enforced endpoint is remembered in policy_conns.
 */
__noinline int netobs_policy_judge(struct __sk_buff *skb, const struct netobs_flow_key *key,
				   __u32 l4_end, __u32 gen, struct policy_decision *out)
{
	struct netobs_policy_conn *conn, fresh = {};
	struct netobs_flow_key rev = {}, forward;
	struct policy_decision again;

	if (!key || !out)
		return 0;
	out->gen = gen;
	counter_add(NETOBS_CNT_POLICY_JUDGED, 1);
	if (!netobs_policy_decide(key, out))
		return 0; /* not an enforced endpoint */

	/* The connection this packet answers: the reversed key, or for an
	 * ICMP error the connection of the packet it quotes. */
	if (policy_icmp_error(key) ? netobs_policy_related(skb, key, l4_end, &rev)
				   : policy_reverse_key(key, &rev)) {
		conn = bpf_map_lookup_elem(&policy_conns, &rev);
		if (conn) {
			if (conn->policy_gen != gen) {
				netobs_policy_decide(&rev, &again);
				if (policy_verdict_opens(again.verdict))
					conn->policy_gen = gen;
			}
			if (conn->policy_gen == gen) {
				policy_conn_touch(conn, netobs_now_ns());
				out->verdict = NETOBS_PV_REPLY;
				out->policy_id = 0;
				out->match_type = NETOBS_MATCH_NONE;
				return 0;
			}
		}
	}
	if (policy_icmp_error(key))
		return 0; /* an error opens no connection */

	/* A key with flags (truncated, malformed, a fragment) is no
	 * connection's: its replies are judged as new. */
	if (!policy_verdict_opens(out->verdict) || key->key_flags)
		return 0;
	forward = *key;
	fresh.policy_gen = gen;
	fresh.last_used = (__u32)(netobs_now_ns() >> NETOBS_POLICY_CONN_TIME_SHIFT);
	if (bpf_map_update_elem(&policy_conns, &forward, &fresh, BPF_ANY))
		counter_add(NETOBS_CNT_POLICY_CONN_FULL, 1);
	return 0;
}

/*
 * The verdict of a TC packet when a policy is loaded (gen non-zero), and
 * its forwarded flow entry when there is one (*stats,
 * looked up once for both). A dropped flow caches its verdict in its
 * NETOBS_KEY_F_DROPPED entry, looked up only when the forwarded one is
 * missing, so a flood of denied packets costs two lookups each, not a
 * judgement.
 */
static __always_inline void policy_packet_verdict(struct __sk_buff *skb, struct parsed_packet *pkt,
						  __u32 gen, __u64 now,
						  struct netobs_flow_stats **stats,
						  struct policy_decision *d)
{
	struct netobs_policy_conn *conn = NULL;
	struct netobs_flow_key rev = {};
	struct netobs_flow_stats *entry, cached_v, *cached = &cached_v;

	*stats = bpf_map_lookup_elem(&flows, &pkt->key);
	entry = *stats;
	if (!entry) {
		pkt->key.key_flags |= NETOBS_KEY_F_DROPPED;
		entry = bpf_map_lookup_elem(&flows, &pkt->key);
		pkt->key.key_flags &= ~NETOBS_KEY_F_DROPPED;
	}
	/* The verdict as one judgement wrote it: one load of its word. */
	if (entry)
		cached_v = flow_stats_verdict(entry);
	if (entry && cached->policy_gen == gen && !policy_icmp_error(&pkt->key)) {
		/* A reply stays one only while its connection is remembered,
		 * and a drop turns into a reply once the endpoint opens the
		 * connection: one lookup on these two paths, never on an
		 * ALLOWED or UNENFORCED flow's packets. */
		if (cached->verdict == NETOBS_PV_REPLY || policy_verdict_drops(cached->verdict)) {
			if (policy_reverse_key(&pkt->key, &rev))
				conn = bpf_map_lookup_elem(&policy_conns, &rev);
			if (!conn != (cached->verdict != NETOBS_PV_REPLY))
				goto judge;
			/* A reply keeps its connection alive. */
			if (conn)
				policy_conn_touch(conn, now);
		}
		d->gen = gen;
		d->verdict = cached->verdict;
		d->policy_id = cached->policy_id;
		d->match_type = cached->match_type;
		return;
	}
judge:
	netobs_policy_judge(skb, &pkt->key, pkt->header_len, gen, d);
}
