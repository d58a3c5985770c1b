// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Matching records against flow filters (built by filter_parse.c), with
 * Hubble's semantics as described in filter.h: values of one field OR, the
 * fields present AND, and the time window applies to every record.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "filter.h"
#include "filter_internal.h"

bool netobs_cidr_contains(const struct netobs_cidr *cidr, int family, const uint8_t addr[16])
{
	unsigned int whole = cidr->prefix_len / 8, rest = cidr->prefix_len % 8;

	if (cidr->family != family || cidr->prefix_len > (family == NETOBS_FAMILY_IPV4 ? 32 : 128))
		return false;
	if (memcmp(cidr->addr, addr, whole))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((cidr->addr[whole] & mask) != (addr[whole] & mask))
			return false;
	}
	return true;
}

/* ---- matching ---- */

static bool key_has_ports(const struct netobs_flow_key *key)
{
	if (key->family == NETOBS_FAMILY_NONE || (key->key_flags & NETOBS_KEY_F_FRAGMENT))
		return false;
	return key->proto == IPPROTO_TCP || key->proto == IPPROTO_UDP || key->proto == IPPROTO_SCTP;
}

static bool cidrs_match(const struct netobs_filter_cidrs *cidrs, const struct netobs_flow_key *key,
			bool source, bool destination)
{
	for (unsigned int i = 0; i < cidrs->n; i++) {
		if (source && netobs_cidr_contains(&cidrs->v[i], key->family, key->saddr))
			return true;
		if (destination && netobs_cidr_contains(&cidrs->v[i], key->family, key->daddr))
			return true;
	}
	return false;
}

static bool ports_match(const struct netobs_filter_u16s *ports, const struct netobs_flow_key *key,
			bool source, bool destination)
{
	if (!key_has_ports(key))
		return false;
	return (source && u16s_has(ports, ntohs(key->sport))) ||
	       (destination && u16s_has(ports, ntohs(key->dport)));
}

/* A value names a thing by name, or by number when it is all digits. */
static bool name_or_number_matches(const char *value, const char *name, uint32_t number)
{
	unsigned long parsed;

	if (name[0] && !strcmp(value, name))
		return true;
	return number && parse_decimal(value, UINT32_MAX, &parsed) && parsed == number;
}

static bool endpoints_match(const struct netobs_filter_strs *values,
			    const struct netobs_flow_record *flow, bool source, bool destination)
{
	for (unsigned int i = 0; i < values->n; i++) {
		if (source && name_or_number_matches(values->v[i], flow->src.name, flow->src.id))
			return true;
		if (destination &&
		    name_or_number_matches(values->v[i], flow->dst.name, flow->dst.id))
			return true;
	}
	return false;
}

/*
 * dns and http match L7 records of that kind only, as Hubble matches them
 * (by the l7 field): the L3/L4 flows on port 53 or 80 are --port's. An L7
 * record also matches its transport (an HTTP record is tcp).
 */
static bool protocol_matches(uint16_t protocol, const struct netobs_flow_record *flow)
{
	const struct netobs_flow_key *key = &flow->key;

	if (protocol == NETOBS_FPROTO_DNS)
		return flow->l7 && flow->l7->kind == NETOBS_L7_DNS;
	if (protocol == NETOBS_FPROTO_HTTP)
		return flow->l7 && flow->l7->kind == NETOBS_L7_HTTP;
	if (key->family == NETOBS_FAMILY_NONE)
		return false;
	switch (protocol) {
	case NETOBS_FPROTO_TCP:
		return key->proto == IPPROTO_TCP;
	case NETOBS_FPROTO_UDP:
		return key->proto == IPPROTO_UDP;
	case NETOBS_FPROTO_SCTP:
		return key->proto == IPPROTO_SCTP;
	case NETOBS_FPROTO_ICMP:
		return key->proto == IPPROTO_ICMP || key->proto == IPPROTO_ICMPV6;
	case NETOBS_FPROTO_ICMPV4:
		return key->proto == IPPROTO_ICMP;
	case NETOBS_FPROTO_ICMPV6:
		return key->proto == IPPROTO_ICMPV6;
	default:
		return false;
	}
}

static bool tcp_flags_match(const struct netobs_filter_u16s *masks,
			    const struct netobs_flow_record *flow)
{
	if (flow->key.family == NETOBS_FAMILY_NONE || flow->key.proto != IPPROTO_TCP)
		return false;
	for (unsigned int i = 0; i < masks->n; i++)
		if ((flow->tcp_flags & masks->v[i]) == masks->v[i])
			return true;
	return false;
}

/*
 * The record's event type as the encoder writes it (netobs_flow_event_type):
 * l7 (129), drop (1, any reason), policy-verdict (5), or a trace (4), which
 * "trace:to-endpoint" and the like narrow to one observation point.
 */
static bool event_types_match(const struct netobs_filter_u16s *values,
			      const struct netobs_flow_record *flow)
{
	int type, subtype;

	/* a trace at an unknown point (no event_type written) is still a trace */
	netobs_flow_event_type(flow, &type, &subtype);
	for (unsigned int i = 0; i < values->n; i++) {
		uint16_t want_subtype = values->v[i] & 0xff; /* 0: any, else subtype + 1 */

		if (values->v[i] >> 8 != type)
			continue;
		if (!want_subtype || want_subtype == subtype + 1)
			return true;
	}
	return false;
}

/*
 * One side of Hubble's filter pair: the "either side" fields (ip, port,
 * endpoint, fqdn) are all taken on the source side, or all on the destination
 * side, so `--ip A --port 80` means A:80 as source or as destination, never
 * A on one side and port 80 on the other. Every other field applies as is.
 */
static bool filter_match_side(const struct netobs_filter *f, const struct netobs_record *rec,
			      bool source_side)
{
	const struct netobs_flow_record *flow = &rec->flow;
	const struct netobs_flow_key *key = &flow->key;
	bool any;

	if (f->ip.n && !cidrs_match(&f->ip, key, source_side, !source_side))
		return false;
	if (f->source_ip.n && !cidrs_match(&f->source_ip, key, true, false))
		return false;
	if (f->destination_ip.n && !cidrs_match(&f->destination_ip, key, false, true))
		return false;
	if (f->port.n && !ports_match(&f->port, key, source_side, !source_side))
		return false;
	if (f->source_port.n && !ports_match(&f->source_port, key, true, false))
		return false;
	if (f->destination_port.n && !ports_match(&f->destination_port, key, false, true))
		return false;
	if (f->protocol.n) {
		any = false;
		for (unsigned int i = 0; i < f->protocol.n && !any; i++)
			any = protocol_matches(f->protocol.v[i], flow);
		if (!any)
			return false;
	}
	if (f->endpoint.n && !endpoints_match(&f->endpoint, flow, source_side, !source_side))
		return false;
	if (f->source_endpoint.n && !endpoints_match(&f->source_endpoint, flow, true, false))
		return false;
	if (f->destination_endpoint.n &&
	    !endpoints_match(&f->destination_endpoint, flow, false, true))
		return false;
	if (f->verdict.n && !u16s_has(&f->verdict, flow->verdict))
		return false;
	if (f->drop_reason.n && !u16s_has(&f->drop_reason, flow->drop_reason))
		return false;
	if (f->traffic_direction.n && !u16s_has(&f->traffic_direction, flow->direction))
		return false;
	if (f->tcp_flags.n && !tcp_flags_match(&f->tcp_flags, flow))
		return false;
	if (f->interface.n) {
		any = false;
		for (unsigned int i = 0; i < f->interface.n && !any; i++)
			any = name_or_number_matches(f->interface.v[i], flow->ifname, key->ifindex);
		if (!any)
			return false;
	}
	if (f->ip_version.n && !u16s_has(&f->ip_version, key->family))
		return false;
	if (f->event_type.n && !event_types_match(&f->event_type, flow))
		return false;
	if (f->fqdn.n && !filter_fqdn_match(&f->fqdn, flow, source_side, !source_side))
		return false;
	if (f->source_fqdn.n && !filter_fqdn_match(&f->source_fqdn, flow, true, false))
		return false;
	if (f->destination_fqdn.n && !filter_fqdn_match(&f->destination_fqdn, flow, false, true))
		return false;
	if (f->http_status.n && !filter_http_status_match(&f->http_status, flow))
		return false;
	if (f->http_method.n && !filter_http_method_match(&f->http_method, flow))
		return false;
	if (f->http_path.n && !filter_http_url_match(&f->http_path, flow, false))
		return false;
	if (f->http_url.n && !filter_http_url_match(&f->http_url, flow, true))
		return false;
	return true;
}

bool netobs_filter_match(const struct netobs_filter *f, const struct netobs_record *rec)
{
	if (rec->kind != NETOBS_RECORD_FLOW)
		return true;
	if (filter_match_side(f, rec, true))
		return true;
	/* Without either-side fields the two sides are the same test. */
	return (f->ip.n || f->port.n || f->endpoint.n || f->fqdn.n) &&
	       filter_match_side(f, rec, false);
}

bool netobs_filter_set_match(const struct netobs_filter_set *set, const struct netobs_record *rec)
{
	/*
	 * The time window selects lost-events records too (a loss from last
	 * week is no answer to --since 5m); no content filter hides them.
	 */
	if (set->since_ns && rec->time_ns < set->since_ns)
		return false;
	if (set->until_ns && rec->time_ns > set->until_ns)
		return false;
	if (rec->kind == NETOBS_RECORD_LOST_EVENTS)
		return true;
	if (!netobs_filter_is_empty(&set->allow) && !netobs_filter_match(&set->allow, rec))
		return false;
	if (!netobs_filter_is_empty(&set->deny) && netobs_filter_match(&set->deny, rec))
		return false;
	return true;
}
