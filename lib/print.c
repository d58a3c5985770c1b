// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Human-readable output: Hubble's compact line and table, plus the Summary
 * text the JSON encoder also uses. Layout decisions are documented in
 * docs/records.md ("Text output").
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "print.h"

#define HOST_TEXT_MAX (NETOBS_NAME_MAX + INET6_ADDRSTRLEN + 16)
#define SUMMARY_MAX   128

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

void netobs_record_summary(const struct netobs_record *rec, char *buf, size_t len)
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
	if (key->family == NETOBS_FAMILY_NONE) {
		uint16_t type = ntohs(key->eth_proto);

		text_add(&t, "ethertype 0x%04x", type);
		for (size_t i = 0; i < ARRAY_SIZE(ethertype_names); i++)
			if (ethertype_names[i].type == type)
				text_add(&t, " (%s)", ethertype_names[i].name);
	} else {
		switch (key->proto) {
		case IPPROTO_TCP:
			netobs_tcp_flags_format(rec->flow.tcp_flags, flags, sizeof(flags));
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

/* "name:port" for endpoints, "ip:port" ("[ip6]:port") otherwise, the MAC for
 * a non-IP flow, "-" without any. */
static void peer_host(const struct netobs_flow_record *flow, bool source, char *buf, size_t len)
{
	const struct netobs_flow_key *key = &flow->key;
	const struct netobs_peer *peer = source ? &flow->src : &flow->dst;
	uint16_t port = ntohs(source ? key->sport : key->dport);
	char addr[INET6_ADDRSTRLEN];
	bool bracket;

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

/* "host (identity)"; the MAC alone for a non-IP side with no endpoint, in
 * place of "- (unknown)". */
static void peer_text(const struct netobs_flow_record *flow, bool source, char *buf, size_t len)
{
	char host[HOST_TEXT_MAX], id[32];

	peer_host(flow, source, host, sizeof(host));
	if (peer_is_mac(flow, source)) {
		snprintf(buf, len, "%s", host);
		return;
	}
	peer_identity(source ? &flow->src : &flow->dst, id, sizeof(id));
	snprintf(buf, len, "%s %s", host, id);
}

static const char *obs_point_text(int obs_point)
{
	switch (obs_point) {
	case NETOBS_OBS_FROM_ENDPOINT:
		return "from-endpoint";
	case NETOBS_OBS_TO_ENDPOINT:
		return "to-endpoint";
	case NETOBS_OBS_FROM_NETWORK:
		return "from-network";
	case NETOBS_OBS_TO_NETWORK:
		return "to-network";
	default:
		return "unknown";
	}
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

void netobs_print_compact(FILE *out, const struct netobs_record *rec)
{
	char when[48], src[HOST_TEXT_MAX + 32], dst[HOST_TEXT_MAX + 32];
	char summary[SUMMARY_MAX], event[32], cpu[32];
	const struct netobs_flow_record *flow = &rec->flow;
	const char *arrow = "<>";

	format_timestamp(rec->time_ns, when, sizeof(when));
	if (rec->kind == NETOBS_RECORD_LOST_EVENTS) {
		lost_cpu_text(&rec->lost, cpu, sizeof(cpu));
		fprintf(out, "%s: EVENTS LOST: %s %s%s%" PRIu64 "\n", when,
			netobs_lost_source_name(rec->lost.source), cpu, cpu[0] ? " " : "",
			rec->lost.count);
		return;
	}
	if (rec->kind != NETOBS_RECORD_FLOW)
		return;
	if (flow->is_reply > 0) {
		/* Hubble's layout: the initiator is printed first, the arrow points back. */
		arrow = "<-";
		peer_text(flow, false, src, sizeof(src));
		peer_text(flow, true, dst, sizeof(dst));
	} else {
		if (flow->is_reply == 0)
			arrow = "->";
		peer_text(flow, true, src, sizeof(src));
		peer_text(flow, false, dst, sizeof(dst));
	}
	netobs_record_summary(rec, summary, sizeof(summary));
	flow_event_text(flow, event, sizeof(event));
	fprintf(out, "%s: %s %s %s %s %s (%s) %s %" PRIu64 " pkts %" PRIu64 " B\n", when, src,
		arrow, dst, obs_point_text(flow->obs_point),
		netobs_verdict_name(flow->verdict), summary, event, flow->packets, flow->bytes);
}

/* Column widths; a longer value pushes the rest of its row right (one space kept). */
#define COL_TIME    19
#define COL_PEER    30
#define COL_TYPE    13
#define COL_VERDICT 9
#define COL_SUMMARY 28
#define COL_PACKETS 10
#define COL_BYTES   12

static void print_row(FILE *out, const char *when, const char *src, const char *dst,
		      const char *type, const char *verdict, const char *summary,
		      const char *packets, const char *bytes)
{
	char line[512];
	int len;

	len = snprintf(line, sizeof(line), "%-*s %-*s %-*s %-*s %-*s %-*s %*s %*s", COL_TIME, when,
		       COL_PEER, src, COL_PEER, dst, COL_TYPE, type, COL_VERDICT, verdict,
		       COL_SUMMARY, summary, COL_PACKETS, packets, COL_BYTES, bytes);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(line))
		len = sizeof(line) - 1;
	while (len > 0 && line[len - 1] == ' ')
		len--; /* rows with empty last columns (lost events) */
	fprintf(out, "%.*s\n", len, line);
}

void netobs_print_table_header(FILE *out)
{
	print_row(out, "TIMESTAMP", "SOURCE", "DESTINATION", "TYPE", "VERDICT", "SUMMARY",
		  "PACKETS", "BYTES");
}

void netobs_print_table_row(FILE *out, const struct netobs_record *rec)
{
	char when[48], src[HOST_TEXT_MAX], dst[HOST_TEXT_MAX], summary[SUMMARY_MAX + 32];
	char packets[24], bytes[24], cpu[32];
	const struct netobs_flow_record *flow = &rec->flow;

	format_timestamp(rec->time_ns, when, sizeof(when));
	if (rec->kind == NETOBS_RECORD_LOST_EVENTS) {
		lost_cpu_text(&rec->lost, cpu, sizeof(cpu));
		snprintf(summary, sizeof(summary), "%s%s%s - %" PRIu64,
			 netobs_lost_source_name(rec->lost.source), cpu[0] ? " " : "", cpu,
			 rec->lost.count);
		print_row(out, when, "", "", "EVENTS LOST", "", summary, "", "");
		return;
	}
	if (rec->kind != NETOBS_RECORD_FLOW)
		return;
	peer_host(flow, true, src, sizeof(src));
	peer_host(flow, false, dst, sizeof(dst));
	netobs_record_summary(rec, summary, sizeof(summary));
	snprintf(packets, sizeof(packets), "%" PRIu64, flow->packets);
	snprintf(bytes, sizeof(bytes), "%" PRIu64, flow->bytes);
	print_row(out, when, src, dst, obs_point_text(flow->obs_point),
		  netobs_verdict_name(flow->verdict), summary, packets, bytes);
}
