// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Human-readable output: Hubble's compact line and table (the Summary
 * they show is print_summary.c's). Layout decisions are documented in
 * docs/records.md ("Text output").
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "print.h"
#include "print_text.h"

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

void netobs_print_set_color(bool on)
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

/*
 * Hubble's "Jan _2 15:04:05.000", local time. The text of the last second
 * is kept: the records printed in a row share their second, and
 * localtime_r() and strftime() cost more than the rest of a line. The zone's
 * offset is the one of that very second (a DST change is a new second). A
 * tzset() to another zone drops the kept text when it changes the zone's
 * names or its standard offset: names alone are not enough, glibc shares
 * the text of equal names (America/Chicago and America/Havana are both
 * CST/CDT, an hour apart). A zone of the same names and standard offset
 * but other DST rules is seen from the next second on.
 */
static void format_timestamp(uint64_t ns, char *buf, size_t len)
{
	static __thread uint64_t kept_secs = UINT64_MAX;
	static __thread const char *kept_zone[2];
	static __thread long kept_timezone;
	static __thread int kept_daylight;
	static __thread char kept_date[32];
	static __thread bool kept_ok;
	uint64_t secs = ns / 1000000000ULL;
	unsigned int ms = (unsigned int)(ns % 1000000000ULL / 1000000ULL);
	struct text t = {.buf = buf, .len = len};

	if (secs != kept_secs || kept_zone[0] != tzname[0] || kept_zone[1] != tzname[1] ||
	    kept_timezone != timezone || kept_daylight != daylight) {
		time_t when = (time_t)secs;
		struct tm tm;

		kept_ok = localtime_r(&when, &tm) &&
			  strftime(kept_date, sizeof(kept_date), "%b %e %H:%M:%S", &tm);
		/* after localtime_r(): its first call reads the zone (tzset) */
		kept_zone[0] = tzname[0];
		kept_zone[1] = tzname[1];
		kept_timezone = timezone;
		kept_daylight = daylight;
		kept_secs = secs;
	}
	if (!kept_ok) {
		text_str(&t, "?");
		return;
	}
	text_str(&t, kept_date);
	text_put(&t, ".", 1);
	text_put(&t,
		 (const char[]){(char)('0' + ms / 100), (char)('0' + ms / 10 % 10),
				(char)('0' + ms % 10)},
		 3);
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

	struct text t = {.buf = buf, .len = len};

	if (!peer->name[0] && names && names->len) {
		buf[0] = '\0';
		for (unsigned int i = 0; i < names->len && i < NETOBS_NAMES_MAX; i++) {
			if (i)
				text_put(&t, ",", 1);
			text_str(&t, names->name[i]);
		}
		if (record_has_ports(key) && port) {
			text_put(&t, ":", 1);
			text_u64(&t, port);
		}
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
	if (record_has_ports(key) && port) {
		if (bracket)
			text_put(&t, "[", 1);
		text_str(&t, peer->name[0] ? peer->name : addr);
		if (bracket)
			text_put(&t, "]", 1);
		text_put(&t, ":", 1);
		text_u64(&t, port);
	} else {
		text_str(&t, peer->name[0] ? peer->name : addr[0] ? addr : "-");
	}
}

/* Hubble prints reserved identities by name, others as "ID:n". */
static void peer_identity(const struct netobs_peer *peer, char *buf, size_t len)
{
	struct text t = {.buf = buf, .len = len};

	if (peer->id || (peer->identity != NETOBS_IDENTITY_HOST &&
			 peer->identity != NETOBS_IDENTITY_WORLD && peer->identity)) {
		text_str(&t, "(ID:");
		text_u64(&t, peer->id ? peer->id : peer->identity);
		text_put(&t, ")", 1);
	} else {
		text_str(&t, peer->identity == NETOBS_IDENTITY_HOST    ? "(host)"
			     : peer->identity == NETOBS_IDENTITY_WORLD ? "(world)"
								       : "(unknown)");
	}
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
	struct text t = {.buf = buf, .len = len};

	switch (flow->event) {
	case NETOBS_FLOW_EVENT_NEW:
		text_str(&t, "new");
		break;
	case NETOBS_FLOW_EVENT_TCP_FLAGS:
		text_str(&t, "tcp-flags");
		break;
	case NETOBS_FLOW_EVENT_UPDATE:
		text_str(&t, "update");
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

/* "host (identity)" of one side of a compact line, in colour if on. */
static void compact_side(struct text *t, const char *host, const char *id)
{
	text_str(t, sgr(SGR_CYAN));
	text_str(t, host);
	text_str(t, sgr_reset());
	if (id[0])
		text_put(t, " ", 1);
	text_str(t, sgr(SGR_MAGENTA));
	text_str(t, id);
	text_str(t, sgr_reset());
}

/* Room for every part of a compact line at its longest, colours included. */
#define COMPACT_LINE_MAX (2 * HOST_TEXT_MAX + SUMMARY_MAX + 512)

void netobs_print_compact(FILE *out, const struct netobs_record *rec)
{
	char when[48], src[HOST_TEXT_MAX], dst[HOST_TEXT_MAX], src_id[32], dst_id[32];
	char summary[SUMMARY_MAX], event[32], cpu[32], type[TYPE_TEXT_MAX];
	char line[COMPACT_LINE_MAX];
	struct text t = {.buf = line, .len = sizeof(line)};
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
	netobs_record_summary(rec, summary, sizeof(summary));
	/* Hubble's colours: hosts cyan, identities magenta, the verdict by its meaning */
	text_str(&t, when);
	text_put(&t, ": ", 2);
	compact_side(&t, src, src_id);
	text_put(&t, " ", 1);
	text_str(&t, arrow);
	text_put(&t, " ", 1);
	compact_side(&t, dst, dst_id);
	text_put(&t, " ", 1);
	text_str(&t, flow_type_text(flow, type, sizeof(type)));
	text_put(&t, " ", 1);
	text_str(&t, verdict_color(flow->verdict));
	text_str(&t, flow_verdict_text(flow));
	text_str(&t, verdict_color(flow->verdict)[0] ? sgr_reset() : "");
	text_put(&t, " (", 2);
	text_str(&t, summary);
	text_put(&t, ")", 1);
	/* an L7 record is one message, Hubble's line as it is: no flow event or counters */
	if (!flow->l7) {
		flow_event_text(flow, event, sizeof(event));
		text_put(&t, " ", 1);
		text_str(&t, event);
		text_put(&t, " ", 1);
		text_u64(&t, flow->packets);
		text_put(&t, " pkts ", 6);
		text_u64(&t, flow->bytes);
		text_put(&t, " B", 2);
	}
	text_put(&t, "\n", 1);
	fwrite(line, 1, text_length(&t), out);
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
			text_put(&t, " ", 1);
		if (width < 0)
			text_spaces(&t, (size_t)pad);
		if (cells[i][0]) {
			text_str(&t, color);
			text_str(&t, cells[i]);
			text_str(&t, color[0] ? sgr_reset() : "");
		}
		if (width > 0)
			text_spaces(&t, (size_t)pad);
	}
	used = t.used < len ? t.used : len - 1;
	while (used > 0 && line[used - 1] == ' ')
		used--; /* rows with empty last columns (lost events) */
	return (int)used;
}

#define TABLE_LINE_MAX (2 * HOST_TEXT_MAX + SUMMARY_MAX + 256)

void netobs_print_table_header(FILE *out)
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
	char line[TABLE_LINE_MAX + 1];
	int len = format_row(line, sizeof(line) - 1, cells, colors);

	line[len] = '\n';
	fwrite(line, 1, (size_t)len + 1, out);
}

void netobs_print_table_row(FILE *out, const struct netobs_record *rec)
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
	netobs_record_summary(rec, summary, sizeof(summary));
	/* an L7 record is one message: no flow event, no counters */
	if (flow->l7) {
		event[0] = packets[0] = bytes[0] = '\0';
	} else {
		flow_event_text(flow, event, sizeof(event));
		text_u64(&(struct text){.buf = packets, .len = sizeof(packets)}, flow->packets);
		text_u64(&(struct text){.buf = bytes, .len = sizeof(bytes)}, flow->bytes);
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
