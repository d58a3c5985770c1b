// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The reference for lib/print.c: the compact line, table row and Summary as
 * commit 20b296d made them, with snprintf(), fprintf() and a localtime_r()
 * per record. lib/print.c now builds the same text without printf and with
 * the local time of a second kept (issue 9: formatting was a third of the
 * CLI's time per record); tests/unit/test_print_fast.c holds it to this
 * text, byte for byte, on random records. Not to be changed except to
 * follow a deliberate change of the output in both.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "print.h"
#include "print_reference.h"

#define HOST_TEXT_MAX (NETOBS_NAMES_MAX * NETOBS_NAME_TEXT_MAX + INET6_ADDRSTRLEN + 16)
#define SUMMARY_MAX   NETOBS_SUMMARY_MAX

/* Hubble's colours (fatih/color SGR codes); only when the CLI turns them on. */
#define SGR_BOLD    "\033[1m"
#define SGR_RED	    "\033[31m"
#define SGR_GREEN   "\033[32m"
#define SGR_YELLOW  "\033[33m"
#define SGR_MAGENTA "\033[35m"
#define SGR_CYAN    "\033[36m"
#define SGR_RESET   "\033[0m"

static bool print_color;

void ref_print_set_color(bool on)
{
	print_color = on;
}

/* The escape sequence to start a colour, "" when colour is off. */
static const char *sgr(const char *code)
{
	return print_color ? code : "";
}

static const char *sgr_reset(void)
{
	return print_color ? SGR_RESET : "";
}

static const char *verdict_color(int verdict)
{
	switch (verdict) {
	case NETOBS_VERDICT_FORWARDED:
		return sgr(SGR_GREEN);
	case NETOBS_VERDICT_DROPPED:
	case NETOBS_VERDICT_ERROR:
		return sgr(SGR_RED);
	case NETOBS_VERDICT_AUDIT:
		return sgr(SGR_YELLOW);
	default:
		return "";
	}
}

/* Bounded appender: output is cut at the buffer's end, never overflows. */
struct text {
	char *buf;
	size_t len;
	size_t used;
};

__attribute__((format(printf, 2, 3))) static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->used >= t->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used += (size_t)n;
}

struct code_name {
	uint8_t value;
	const char *name;
};

struct icmp_type_name {
	uint8_t type;
	const char *name;
	const struct code_name *codes; /* NULL: the type uses no code */
	size_t ncodes;
};

#define CODES(table) table, sizeof(table) / sizeof(table[0])

/* Names as gopacket prints them, which is what Hubble's Summary shows. */
static const struct code_name icmp4_unreach_codes[] = {
	{0, "Net"},
	{1, "Host"},
	{2, "Protocol"},
	{3, "Port"},
	{4, "FragmentationNeeded"},
	{5, "SourceRoutingFailed"},
	{6, "NetUnknown"},
	{7, "HostUnknown"},
	{9, "NetAdminProhibited"},
	{10, "HostAdminProhibited"},
	{13, "CommAdminProhibited"},
};
static const struct code_name icmp4_redirect_codes[] = {
	{0, "Net"},
	{1, "Host"},
	{2, "TOS+Net"},
	{3, "TOS+Host"},
};
static const struct code_name icmp4_time_exceeded_codes[] = {
	{0, "TTLExceeded"},
	{1, "FragmentReassemblyTimeExceeded"},
};
static const struct code_name icmp4_param_problem_codes[] = {
	{0, "PointerIndicatesError"},
	{1, "MissingOption"},
	{2, "BadLength"},
};
static const struct icmp_type_name icmp4_types[] = {
	{0, "EchoReply", NULL, 0},
	{3, "DestinationUnreachable", CODES(icmp4_unreach_codes)},
	{4, "SourceQuench", NULL, 0},
	{5, "Redirect", CODES(icmp4_redirect_codes)},
	{8, "EchoRequest", NULL, 0},
	{9, "RouterAdvertisement", NULL, 0},
	{10, "RouterSolicitation", NULL, 0},
	{11, "TimeExceeded", CODES(icmp4_time_exceeded_codes)},
	{12, "ParameterProblem", CODES(icmp4_param_problem_codes)},
	{13, "TimestampRequest", NULL, 0},
	{14, "TimestampReply", NULL, 0},
};

static const struct code_name icmp6_unreach_codes[] = {
	{0, "NoRouteToDst"},	   {1, "AdminProhibited"}, {2, "BeyondScopeOfSrc"},
	{3, "AddressUnreachable"}, {4, "PortUnreachable"}, {5, "SrcAddressFailedPolicy"},
	{6, "RejectRouteToDst"},
};
static const struct code_name icmp6_time_exceeded_codes[] = {
	{0, "HopLimitExceeded"},
	{1, "FragmentReassemblyTimeExceeded"},
};
static const struct code_name icmp6_param_problem_codes[] = {
	{0, "ErroneousHeaderField"},
	{1, "UnrecognizedNextHeader"},
	{2, "UnrecognizedIPv6Option"},
};
static const struct icmp_type_name icmp6_types[] = {
	{1, "DestinationUnreachable", CODES(icmp6_unreach_codes)},
	{2, "PacketTooBig", NULL, 0},
	{3, "TimeExceeded", CODES(icmp6_time_exceeded_codes)},
	{4, "ParameterProblem", CODES(icmp6_param_problem_codes)},
	{128, "EchoRequest", NULL, 0},
	{129, "EchoReply", NULL, 0},
	{133, "RouterSolicitation", NULL, 0},
	{134, "RouterAdvertisement", NULL, 0},
	{135, "NeighborSolicitation", NULL, 0},
	{136, "NeighborAdvertisement", NULL, 0},
	{137, "Redirect", NULL, 0},
};

static const struct {
	uint16_t type;
	const char *name;
} ethertype_names[] = {
	{0x0800, "IPv4"},
	{0x0806, "ARP"},
	{0x8035, "RARP"},
	{0x86dd, "IPv6"},
	{0x8847, "MPLS"},
	{0x8848, "MPLS multicast"},
	{0x8863, "PPPoE discovery"},
	{0x8864, "PPPoE session"},
	{0x888e, "EAPOL"},
	{0x88cc, "LLDP"},
	{0x88f7, "PTP"},
};

static const struct {
	uint8_t flag;
	const char *text;
} key_flag_texts[] = {
	{NETOBS_KEY_F_TRUNCATED, "truncated"},
	{NETOBS_KEY_F_MALFORMED, "malformed"},
	{NETOBS_KEY_F_FRAGMENT, "fragment"},
	{NETOBS_KEY_F_EXTHDR_LIMIT, "exthdr-limit"},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* lib/record.c's netobs_tcp_flags_format() as it was (snprintf). */
static void ref_tcp_flags_format(uint16_t flags, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (int i = 0; i < NETOBS_TCP_FLAG_COUNT; i++) {
		int n;

		if (!(flags & netobs_tcp_flag_names[i].flag))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			     netobs_tcp_flag_names[i].name);
		if (n < 0 || (size_t)n >= len - used) {
			buf[used] = '\0'; /* whole names only */
			return;
		}
		used += n;
	}
}

static void icmp_summary(struct text *t, const char *family, const struct icmp_type_name *types,
			 size_t ntypes, uint8_t type, uint8_t code)
{
	const struct icmp_type_name *entry = NULL;

	for (size_t i = 0; i < ntypes; i++)
		if (types[i].type == type)
			entry = &types[i];
	if (!entry) {
		text_add(t, "%s type %u code %u", family, type, code);
		return;
	}
	text_add(t, "%s %s", family, entry->name);
	if (!entry->codes && !code)
		return;
	for (size_t i = 0; i < entry->ncodes; i++) {
		if (entry->codes[i].value == code) {
			text_add(t, "(%s)", entry->codes[i].name);
			return;
		}
	}
	text_add(t, "(Code: %u)", code);
}

/*
 * The L7 summaries of Hubble's parser (cilium/cilium
 * pkg/hubble/parser/seven/dns.go dnsSummary, http.go httpSummary):
 *   DNS Query example.com. A,AAAA
 *   DNS Answer "1.2.3.4,5.6.7.8" CNAMEs: "a.example." TTL: 300 (Query example.com. A)
 *   DNS Answer RCode: NXDOMAIN TTL: 0 (Query nx.example. A)
 *   HTTP/1.1 GET http://a/path
 *   HTTP/1.1 200 3ms (GET http://a/path)
 * A request no response answered ends in " unanswered" (netobs's own).
 * netobs reads the packets, it is no proxy: the source is "Query", never
 * "Proxy". Hubble spells rcodes as gopacket does ("Non-Existent Domain");
 * netobs as miekg/dns and lib/dns.h do ("NXDOMAIN").
 */
static void l7_summary(struct text *t, const struct netobs_l7 *l7)
{
	char buf[16], addr[INET6_ADDRSTRLEN];

	if (l7->kind == NETOBS_L7_HTTP) {
		const struct netobs_l7_http *http = &l7->http;

		if (l7->type == NETOBS_L7_REQUEST)
			text_add(t, "%s %s %s", http->protocol, http->method, http->url);
		else
			text_add(t, "%s %u %" PRIu64 "ms (%s %s)", http->protocol, http->code,
				 l7->latency_ns / 1000000, http->method, http->url);
		return;
	}
	if (l7->kind != NETOBS_L7_DNS)
		return;
	if (l7->type == NETOBS_L7_RESPONSE) {
		const struct netobs_l7_dns *dns = &l7->dns;

		text_add(t, "DNS Answer ");
		if (dns->rcode) {
			text_add(t, "RCode: %s", dns_rcode_name(dns->rcode, buf, sizeof(buf)));
		} else {
			if (dns->ips_len)
				text_add(t, "\"");
			for (unsigned int i = 0; i < dns->ips_len && i < DNS_IPS_MAX; i++) {
				inet_ntop(dns->ips[i].family, dns->ips[i].addr, addr, sizeof(addr));
				text_add(t, "%s%s", i ? "," : "", addr);
			}
			if (dns->ips_len)
				text_add(t, "\"");
			if (dns->cnames_len)
				text_add(t, "%sCNAMEs: \"", dns->ips_len ? " " : "");
			for (unsigned int i = 0; i < dns->cnames_len && i < DNS_CNAMES_MAX; i++)
				text_add(t, "%s%s", i ? "," : "", dns->cnames[i]);
			if (dns->cnames_len)
				text_add(t, "\"");
		}
		text_add(t, " TTL: %u (Query %s ", dns->ttl, dns->query);
	} else {
		text_add(t, "DNS Query %s ", l7->dns.query);
	}
	for (unsigned int i = 0; i < l7->dns.qtypes_len && i < DNS_QTYPES_MAX; i++)
		text_add(t, "%s%s", i ? "," : "",
			 dns_type_name(l7->dns.qtypes[i], buf, sizeof(buf)));
	if (l7->type == NETOBS_L7_RESPONSE)
		text_add(t, ")");
}

/* Hubble's TYPE column of an L7 record (printer.go GetFlowType): "dns-request", "http-response". */
static const char *l7_type_text(const struct netobs_l7 *l7)
{
	bool request = l7->type == NETOBS_L7_REQUEST;

	if (l7->kind == NETOBS_L7_DNS)
		return request ? "dns-request" : "dns-response";
	if (l7->kind == NETOBS_L7_HTTP)
		return request ? "http-request" : "http-response";
	return request ? "l7-request" : "l7-response";
}

#define TYPE_TEXT_MAX 48

/*
 * The TYPE of a flow record, by its event type as Hubble's printer
 * (GetFlowType) shows it: L7's kind and direction; a drop's reason ("Policy
 * denied"); "policy-verdict:L3-L4 INGRESS"; else the observation point.
 */
static const char *flow_type_text(const struct netobs_flow_record *flow, char *buf, size_t len)
{
	int type, subtype;

	if (!netobs_flow_event_type(flow, &type, &subtype))
		return netobs_obs_point_text(flow->obs_point);
	switch (type) {
	case NETOBS_EVENT_TYPE_L7:
		return l7_type_text(flow->l7);
	case NETOBS_EVENT_TYPE_DROP:
		return netobs_drop_reason_text(subtype);
	case NETOBS_EVENT_TYPE_POLICY_VERDICT:
		snprintf(buf, len, "policy-verdict:%s %s",
			 netobs_policy_match_text(flow->policy_match_type),
			 flow->direction == NETOBS_DIR_UNKNOWN
				 ? "UNKNOWN"
				 : netobs_direction_name(flow->direction));
		return buf;
	default:
		return netobs_obs_point_text(flow->obs_point);
	}
}

/* VERDICT: a policy-verdict event says what the policy decided, as Hubble's does. */
static const char *flow_verdict_text(const struct netobs_flow_record *flow)
{
	if (netobs_flow_is_policy_verdict(flow))
		return flow->verdict == NETOBS_VERDICT_AUDIT ? "AUDIT" : "ALLOWED";
	return netobs_verdict_name(flow->verdict);
}

void ref_record_summary(const struct netobs_record *rec, char *buf, size_t len)
{
	struct text t = {.buf = buf, .len = len};
	const struct netobs_flow_key *key = &rec->flow.key;
	char flags[64];

	if (!len)
		return;
	buf[0] = '\0';
	if (rec->kind == NETOBS_RECORD_LOST_EVENTS) {
		text_add(&t, "%" PRIu64 " events lost (%s)", rec->lost.count,
			 netobs_lost_source_name(rec->lost.source));
		return;
	}
	if (rec->kind != NETOBS_RECORD_FLOW)
		return;
	if (rec->flow.l7) {
		l7_summary(&t, rec->flow.l7);
		if (rec->flow.l7->flags & NETOBS_L7_F_UNANSWERED)
			text_add(&t, " unanswered");
		return;
	}
	if (key->family == NETOBS_FAMILY_NONE) {
		uint16_t type = ntohs(key->eth_proto);

		text_add(&t, "ethertype 0x%04x", type);
		for (size_t i = 0; i < ARRAY_SIZE(ethertype_names); i++)
			if (ethertype_names[i].type == type)
				text_add(&t, " (%s)", ethertype_names[i].name);
	} else {
		switch (key->proto) {
		case IPPROTO_TCP:
			ref_tcp_flags_format(rec->flow.tcp_flags, flags, sizeof(flags));
			if (flags[0])
				text_add(&t, "TCP Flags: %s", flags);
			else
				text_add(&t, "TCP");
			break;
		case IPPROTO_UDP:
			text_add(&t, "UDP");
			break;
		case IPPROTO_SCTP:
			text_add(&t, "SCTP");
			break;
		case IPPROTO_ICMP:
			icmp_summary(&t, "ICMPv4", icmp4_types, ARRAY_SIZE(icmp4_types),
				     key->icmp_type, key->icmp_code);
			break;
		case IPPROTO_ICMPV6:
			icmp_summary(&t, "ICMPv6", icmp6_types, ARRAY_SIZE(icmp6_types),
				     key->icmp_type, key->icmp_code);
			break;
		default:
			text_add(&t, "IP proto %u", key->proto);
			break;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(key_flag_texts); i++)
		if (key->key_flags & key_flag_texts[i].flag)
			text_add(&t, " [%s]", key_flag_texts[i].text);
}

/* Hubble's "Jan _2 15:04:05.000", local time. */
static void format_timestamp(uint64_t ns, char *buf, size_t len)
{
	time_t secs = (time_t)(ns / 1000000000ULL);
	char date[32];
	struct tm tm;

	if (!localtime_r(&secs, &tm) || !strftime(date, sizeof(date), "%b %e %H:%M:%S", &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%s.%03u", date, (unsigned int)(ns % 1000000000ULL / 1000000ULL));
}

static bool record_has_ports(const struct netobs_flow_key *key)
{
	if (key->family == NETOBS_FAMILY_NONE)
		return false;
	return key->proto == IPPROTO_TCP || key->proto == IPPROTO_UDP || key->proto == IPPROTO_SCTP;
}

/* A non-IP flow keeps its MACs in the address bytes (docs/abi.md); none
 * when the device has no Ethernet header or the frame was cut. */
static bool key_has_macs(const struct netobs_flow_key *key)
{
	static const uint8_t zero[6];

	return key->family == NETOBS_FAMILY_NONE &&
	       (memcmp(key->saddr, zero, 6) || memcmp(key->daddr, zero, 6));
}

/* Is this side of a non-IP flow shown by its MAC alone (no endpoint known)? */
static bool peer_is_mac(const struct netobs_flow_record *flow, bool source)
{
	const struct netobs_peer *peer = source ? &flow->src : &flow->dst;

	return key_has_macs(&flow->key) && !peer->name[0] && !peer->id && !peer->identity;
}

/*
 * "name:port" for endpoints; else, as Hubble's printer (Hostname()) does, the
 * DNS names learned for the address joined by ",", "names:port"; else
 * "ip:port" ("[ip6]:port"); the MAC for a non-IP flow; "-" without any.
 */
static void peer_host(const struct netobs_flow_record *flow, bool source, char *buf, size_t len)
{
	const struct netobs_flow_key *key = &flow->key;
	const struct netobs_peer *peer = source ? &flow->src : &flow->dst;
	const struct netobs_names *names = source ? flow->source_names : flow->destination_names;
	uint16_t port = ntohs(source ? key->sport : key->dport);
	char addr[INET6_ADDRSTRLEN];
	bool bracket;

	if (!peer->name[0] && names && names->len) {
		struct text t = {.buf = buf, .len = len};

		buf[0] = '\0';
		for (unsigned int i = 0; i < names->len && i < NETOBS_NAMES_MAX; i++)
			text_add(&t, "%s%s", i ? "," : "", names->name[i]);
		if (record_has_ports(key) && port)
			text_add(&t, ":%u", port);
		return;
	}

	if (key_has_macs(key)) {
		const uint8_t *m = source ? key->saddr : key->daddr;

		snprintf(addr, sizeof(addr), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
			 m[3], m[4], m[5]);
	} else {
		netobs_addr_format(key->family, source ? key->saddr : key->daddr, addr,
				   sizeof(addr));
	}
	bracket = !peer->name[0] && key->family == NETOBS_FAMILY_IPV6;
	if (record_has_ports(key) && port)
		snprintf(buf, len, "%s%s%s:%u", bracket ? "[" : "",
			 peer->name[0] ? peer->name : addr, bracket ? "]" : "", port);
	else if (peer->name[0] || addr[0])
		snprintf(buf, len, "%s", peer->name[0] ? peer->name : addr);
	else
		snprintf(buf, len, "-");
}

/* Hubble prints reserved identities by name, others as "ID:n". */
static void peer_identity(const struct netobs_peer *peer, char *buf, size_t len)
{
	if (peer->id)
		snprintf(buf, len, "(ID:%u)", peer->id);
	else if (peer->identity == NETOBS_IDENTITY_HOST)
		snprintf(buf, len, "(host)");
	else if (peer->identity == NETOBS_IDENTITY_WORLD)
		snprintf(buf, len, "(world)");
	else if (peer->identity)
		snprintf(buf, len, "(ID:%u)", peer->identity);
	else
		snprintf(buf, len, "(unknown)");
}

/* "host" and "(identity)" of one side; the identity is "" for a non-IP side
 * known only by its MAC, which replaces "- (unknown)". */
static void peer_parts(const struct netobs_flow_record *flow, bool source, char *host,
		       size_t host_len, char *id, size_t id_len)
{
	peer_host(flow, source, host, host_len);
	if (peer_is_mac(flow, source))
		id[0] = '\0';
	else
		peer_identity(source ? &flow->src : &flow->dst, id, id_len);
}

/* "new", "tcp-flags", "update", "end(FIN)": why netobs emitted this record. */
static void flow_event_text(const struct netobs_flow_record *flow, char *buf, size_t len)
{
	switch (flow->event) {
	case NETOBS_FLOW_EVENT_NEW:
		snprintf(buf, len, "new");
		break;
	case NETOBS_FLOW_EVENT_TCP_FLAGS:
		snprintf(buf, len, "tcp-flags");
		break;
	case NETOBS_FLOW_EVENT_UPDATE:
		snprintf(buf, len, "update");
		break;
	case NETOBS_FLOW_EVENT_END:
		if (flow->end_reason != NETOBS_END_NONE)
			snprintf(buf, len, "end(%s)", netobs_end_reason_name(flow->end_reason));
		else
			snprintf(buf, len, "end");
		break;
	default:
		snprintf(buf, len, "event-%u", flow->event);
		break;
	}
}

static void lost_cpu_text(const struct netobs_lost_record *lost, char *buf, size_t len)
{
	if (lost->cpu >= 0)
		snprintf(buf, len, "CPU(%d)", lost->cpu);
	else
		buf[0] = '\0';
}

void ref_print_compact(FILE *out, const struct netobs_record *rec)
{
	char when[48], src[HOST_TEXT_MAX], dst[HOST_TEXT_MAX], src_id[32], dst_id[32];
	char summary[SUMMARY_MAX], event[32], cpu[32], type[TYPE_TEXT_MAX];
	const struct netobs_flow_record *flow = &rec->flow;
	const char *arrow = "<>";

	format_timestamp(rec->time_ns, when, sizeof(when));
	if (rec->kind == NETOBS_RECORD_LOST_EVENTS) {
		lost_cpu_text(&rec->lost, cpu, sizeof(cpu));
		fprintf(out, "%s: %sEVENTS LOST:%s %s %s%s%" PRIu64 "\n", when, sgr(SGR_RED),
			sgr_reset(), netobs_lost_source_name(rec->lost.source), cpu,
			cpu[0] ? " " : "", rec->lost.count);
		return;
	}
	if (rec->kind != NETOBS_RECORD_FLOW)
		return;
	if (flow->is_reply > 0) {
		/* Hubble's layout: the initiator is printed first, the arrow points back. */
		arrow = "<-";
		peer_parts(flow, false, src, sizeof(src), src_id, sizeof(src_id));
		peer_parts(flow, true, dst, sizeof(dst), dst_id, sizeof(dst_id));
	} else {
		if (flow->is_reply == 0)
			arrow = "->";
		peer_parts(flow, true, src, sizeof(src), src_id, sizeof(src_id));
		peer_parts(flow, false, dst, sizeof(dst), dst_id, sizeof(dst_id));
	}
	ref_record_summary(rec, summary, sizeof(summary));
	if (flow->l7) {
		/* Hubble's line as it is: one message has no flow event or counters */
		fprintf(out, "%s: %s%s%s%s%s%s%s %s %s%s%s%s%s%s%s %s %s%s%s (%s)\n", when,
			sgr(SGR_CYAN), src, sgr_reset(), src_id[0] ? " " : "", sgr(SGR_MAGENTA),
			src_id, sgr_reset(), arrow, sgr(SGR_CYAN), dst, sgr_reset(),
			dst_id[0] ? " " : "", sgr(SGR_MAGENTA), dst_id, sgr_reset(),
			flow_type_text(flow, type, sizeof(type)), verdict_color(flow->verdict),
			flow_verdict_text(flow), verdict_color(flow->verdict)[0] ? sgr_reset() : "",
			summary);
		return;
	}
	flow_event_text(flow, event, sizeof(event));
	/* Hubble's colours: hosts cyan, identities magenta, the verdict by its meaning */
	fprintf(out,
		"%s: %s%s%s%s%s%s%s %s %s%s%s%s%s%s%s %s %s%s%s (%s) %s %" PRIu64 " pkts %" PRIu64
		" B\n",
		when, sgr(SGR_CYAN), src, sgr_reset(), src_id[0] ? " " : "", sgr(SGR_MAGENTA),
		src_id, sgr_reset(), arrow, sgr(SGR_CYAN), dst, sgr_reset(), dst_id[0] ? " " : "",
		sgr(SGR_MAGENTA), dst_id, sgr_reset(), flow_type_text(flow, type, sizeof(type)),
		verdict_color(flow->verdict), flow_verdict_text(flow),
		verdict_color(flow->verdict)[0] ? sgr_reset() : "", summary, event, flow->packets,
		flow->bytes);
}

/* Column widths; a longer value pushes the rest of its row right (one space kept). */
#define COL_TIME    19
#define COL_PEER    30
#define COL_TYPE    13
#define COL_VERDICT 9
#define COL_SUMMARY 28
#define COL_EVENT   9
#define COL_PACKETS 10
#define COL_BYTES   12

enum table_col {
	TCOL_TIME,
	TCOL_SRC,
	TCOL_DST,
	TCOL_TYPE,
	TCOL_VERDICT,
	TCOL_SUMMARY,
	TCOL_EVENT,
	TCOL_PACKETS,
	TCOL_BYTES,
	TCOL_COUNT,
};

/* Hubble's six columns, then netobs's: why the record exists and its counters. */
static const struct {
	const char *title;
	int width; /* negative: right-aligned */
} table_cols[TCOL_COUNT] = {
	[TCOL_TIME] = {"TIMESTAMP", COL_TIME},	   [TCOL_SRC] = {"SOURCE", COL_PEER},
	[TCOL_DST] = {"DESTINATION", COL_PEER},	   [TCOL_TYPE] = {"TYPE", COL_TYPE},
	[TCOL_VERDICT] = {"VERDICT", COL_VERDICT}, [TCOL_SUMMARY] = {"SUMMARY", COL_SUMMARY},
	[TCOL_EVENT] = {"EVENT", COL_EVENT},	   [TCOL_PACKETS] = {"PACKETS", -COL_PACKETS},
	[TCOL_BYTES] = {"BYTES", -COL_BYTES},
};

/*
 * One row into line, trailing blanks trimmed; returns its length. Padding is
 * computed on the plain text and colour wraps only the text, so escape
 * sequences never shift the columns. colors may be NULL, and its entries "".
 */
static int format_row(char *line, size_t len, const char *const *cells, const char *const *colors)
{
	struct text t = {.buf = line, .len = len};
	size_t used;

	line[0] = '\0';
	for (int i = 0; i < TCOL_COUNT; i++) {
		int width = table_cols[i].width, pad = abs(width) - (int)strlen(cells[i]);
		const char *color = colors && colors[i] ? colors[i] : "";

		if (pad < 0)
			pad = 0;
		if (i)
			text_add(&t, " ");
		if (width < 0)
			text_add(&t, "%*s", pad, "");
		if (cells[i][0])
			text_add(&t, "%s%s%s", color, cells[i], color[0] ? sgr_reset() : "");
		if (width > 0)
			text_add(&t, "%*s", pad, "");
	}
	used = t.used < len ? t.used : len - 1;
	while (used > 0 && line[used - 1] == ' ')
		used--; /* rows with empty last columns (lost events) */
	return (int)used;
}

#define TABLE_LINE_MAX (2 * HOST_TEXT_MAX + SUMMARY_MAX + 256)

void ref_print_table_header(FILE *out)
{
	const char *titles[TCOL_COUNT];
	char line[TABLE_LINE_MAX];
	int len;

	for (int i = 0; i < TCOL_COUNT; i++)
		titles[i] = table_cols[i].title;
	len = format_row(line, sizeof(line), titles, NULL);
	fprintf(out, "%s%.*s%s\n", sgr(SGR_BOLD), len, line, sgr_reset());
}

static void print_row(FILE *out, const char *const *cells, const char *const *colors)
{
	char line[TABLE_LINE_MAX];
	int len = format_row(line, sizeof(line), cells, colors);

	fprintf(out, "%.*s\n", len, line);
}

void ref_print_table_row(FILE *out, const struct netobs_record *rec)
{
	char when[48], src[HOST_TEXT_MAX], dst[HOST_TEXT_MAX], summary[SUMMARY_MAX + 32];
	char event[32], packets[24], bytes[24], cpu[32], type[TYPE_TEXT_MAX];
	const struct netobs_flow_record *flow = &rec->flow;
	const char *cells[TCOL_COUNT], *colors[TCOL_COUNT] = {0};

	format_timestamp(rec->time_ns, when, sizeof(when));
	if (rec->kind == NETOBS_RECORD_LOST_EVENTS) {
		lost_cpu_text(&rec->lost, cpu, sizeof(cpu));
		snprintf(summary, sizeof(summary), "%s%s%s - %" PRIu64,
			 netobs_lost_source_name(rec->lost.source), cpu[0] ? " " : "", cpu,
			 rec->lost.count);
		cells[TCOL_TIME] = when;
		cells[TCOL_SRC] = cells[TCOL_DST] = cells[TCOL_VERDICT] = "";
		cells[TCOL_EVENT] = cells[TCOL_PACKETS] = cells[TCOL_BYTES] = "";
		cells[TCOL_TYPE] = "EVENTS LOST";
		cells[TCOL_SUMMARY] = summary;
		colors[TCOL_TYPE] = sgr(SGR_RED);
		print_row(out, cells, colors);
		return;
	}
	if (rec->kind != NETOBS_RECORD_FLOW)
		return;
	peer_host(flow, true, src, sizeof(src));
	peer_host(flow, false, dst, sizeof(dst));
	ref_record_summary(rec, summary, sizeof(summary));
	/* an L7 record is one message: no flow event, no counters */
	if (flow->l7) {
		event[0] = packets[0] = bytes[0] = '\0';
	} else {
		flow_event_text(flow, event, sizeof(event));
		snprintf(packets, sizeof(packets), "%" PRIu64, flow->packets);
		snprintf(bytes, sizeof(bytes), "%" PRIu64, flow->bytes);
	}
	cells[TCOL_TIME] = when;
	cells[TCOL_SRC] = src;
	cells[TCOL_DST] = dst;
	cells[TCOL_TYPE] = flow_type_text(flow, type, sizeof(type));
	cells[TCOL_VERDICT] = flow_verdict_text(flow);
	cells[TCOL_SUMMARY] = summary;
	cells[TCOL_EVENT] = event;
	cells[TCOL_PACKETS] = packets;
	cells[TCOL_BYTES] = bytes;
	colors[TCOL_SRC] = colors[TCOL_DST] = sgr(SGR_CYAN);
	colors[TCOL_VERDICT] = verdict_color(flow->verdict);
	print_row(out, cells, colors);
}
