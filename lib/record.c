// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Names of the record model's enums (Hubble's spelling where Hubble has the
 * enum), and the formatting helpers every printer and encoder shares.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "record.h"

struct enum_name {
	int value;
	const char *name;
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *enum_name_lookup(const struct enum_name *names, size_t count, int value)
{
	for (size_t i = 0; i < count; i++)
		if (names[i].value == value)
			return names[i].name;
	/* names[0] is each enum's "unknown" spelling */
	return names[0].name;
}

static int enum_value_lookup(const struct enum_name *names, size_t count, const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < count; i++)
		if (!strcasecmp(names[i].name, name))
			return names[i].value;
	return -1;
}

static const struct enum_name verdict_names[] = {
	{NETOBS_VERDICT_UNKNOWN, "VERDICT_UNKNOWN"},
	{NETOBS_VERDICT_FORWARDED, "FORWARDED"},
	{NETOBS_VERDICT_DROPPED, "DROPPED"},
	{NETOBS_VERDICT_ERROR, "ERROR"},
	{NETOBS_VERDICT_AUDIT, "AUDIT"},
};

static const struct enum_name direction_names[] = {
	{NETOBS_DIR_UNKNOWN, "TRAFFIC_DIRECTION_UNKNOWN"},
	{NETOBS_DIR_INGRESS, "INGRESS"},
	{NETOBS_DIR_EGRESS, "EGRESS"},
};

static const struct enum_name obs_point_names[] = {
	{NETOBS_OBS_UNKNOWN, "UNKNOWN_POINT"},	   {NETOBS_OBS_FROM_ENDPOINT, "FROM_ENDPOINT"},
	{NETOBS_OBS_FROM_NETWORK, "FROM_NETWORK"}, {NETOBS_OBS_TO_NETWORK, "TO_NETWORK"},
	{NETOBS_OBS_TO_ENDPOINT, "TO_ENDPOINT"},
};

/* Events have no "unknown" member: NEW doubles as the fallback name. */
static const struct enum_name flow_event_names[] = {
	{NETOBS_FLOW_EVENT_NEW, "NEW"},
	{NETOBS_FLOW_EVENT_TCP_FLAGS, "TCP_FLAGS"},
	{NETOBS_FLOW_EVENT_UPDATE, "UPDATE"},
	{NETOBS_FLOW_EVENT_END, "END"},
};

static const struct enum_name end_reason_names[] = {
	{NETOBS_END_NONE, "NONE"}, {NETOBS_END_FIN, "FIN"},	  {NETOBS_END_RST, "RST"},
	{NETOBS_END_IDLE, "IDLE"}, {NETOBS_END_FORCED, "FORCED"},
};

static const struct enum_name lost_source_names[] = {
	{NETOBS_LOST_UNKNOWN, "UNKNOWN_LOST_EVENT_SOURCE"},
	{NETOBS_LOST_PERF_EVENT_RING_BUFFER, "PERF_EVENT_RING_BUFFER"},
	{NETOBS_LOST_OBSERVER_EVENTS_QUEUE, "OBSERVER_EVENTS_QUEUE"},
	{NETOBS_LOST_HUBBLE_RING_BUFFER, "HUBBLE_RING_BUFFER"},
	{NETOBS_LOST_FLOW_MAP, "NETOBS_FLOW_MAP"},
};

/* Unknown hook numbers print as "unknown" but never parse back. */
static const struct enum_name hook_names[] = {
	{-1, "unknown"},
	{NETOBS_HOOK_TC_INGRESS, "tc-ingress"},
	{NETOBS_HOOK_TC_EGRESS, "tc-egress"},
	{NETOBS_HOOK_XDP, "xdp"},
};

/* netobs's own "policy_verdict": enum netobs_policy_verdict (lib/abi.h) by its name there. */
static const struct enum_name policy_verdict_names[] = {
	{NETOBS_PV_NONE, "NONE"},
	{NETOBS_PV_UNENFORCED, "UNENFORCED"},
	{NETOBS_PV_ALLOWED, "ALLOWED"},
	{NETOBS_PV_REPLY, "REPLY"},
	{NETOBS_PV_DENIED, "DENIED"},
	{NETOBS_PV_DENY, "DENY"},
	{NETOBS_PV_AUDIT_DENIED, "AUDIT_DENIED"},
	{NETOBS_PV_AUDIT_DENY, "AUDIT_DENY"},
	{NETOBS_PV_PREFILTER, "PREFILTER"},
};

/* Hubble's DropReason names (drop_reason_desc). */
static const struct enum_name drop_reason_names[] = {
	{NETOBS_DROP_NONE, "DROP_REASON_UNKNOWN"},
	{NETOBS_DROP_POLICY_DENIED, "POLICY_DENIED"},
	{NETOBS_DROP_POLICY_DENY, "POLICY_DENY"},
	/* netobs's own (Hubble has none), named as Cilium's DENIED_BY_LB_SRC_RANGE_CHECK */
	{NETOBS_DROP_PREFILTER, "DENIED_BY_PREFILTER"},
};

#define DEFINE_ENUM_NAMES(prefix, table)                                                           \
	const char *netobs_##prefix##_name(int value)                                              \
	{                                                                                          \
		return enum_name_lookup(table, ARRAY_SIZE(table), value);                          \
	}                                                                                          \
	int netobs_##prefix##_from_name(const char *name)                                          \
	{                                                                                          \
		return enum_value_lookup(table, ARRAY_SIZE(table), name);                          \
	}

DEFINE_ENUM_NAMES(verdict, verdict_names)
DEFINE_ENUM_NAMES(direction, direction_names)
DEFINE_ENUM_NAMES(obs_point, obs_point_names)
DEFINE_ENUM_NAMES(flow_event, flow_event_names)
DEFINE_ENUM_NAMES(end_reason, end_reason_names)
DEFINE_ENUM_NAMES(lost_source, lost_source_names)
DEFINE_ENUM_NAMES(hook, hook_names)
DEFINE_ENUM_NAMES(policy_verdict, policy_verdict_names)
DEFINE_ENUM_NAMES(drop_reason, drop_reason_names)

const char *netobs_drop_reason_text(int reason)
{
	/* Cilium's messages (pkg/monitor/api/drop.go), which Hubble's TYPE column shows */
	switch (reason) {
	case NETOBS_DROP_POLICY_DENIED:
		return "Policy denied";
	case NETOBS_DROP_POLICY_DENY:
		return "Policy denied by denylist";
	case NETOBS_DROP_PREFILTER:
		return "Denied by prefilter"; /* netobs's own, as "Denied by LB src range check" */
	default:
		return "drop";
	}
}

const char *netobs_policy_match_text(int match)
{
	/* Cilium's PolicyMatchType.String() (pkg/monitor/api/types.go) */
	switch (match) {
	case NETOBS_MATCH_L3_ONLY:
		return "L3-Only";
	case NETOBS_MATCH_L3_L4:
		return "L3-L4";
	case NETOBS_MATCH_L4_ONLY:
		return "L4-Only";
	case NETOBS_MATCH_ALL:
		return "all";
	default:
		return "none";
	}
}

bool netobs_flow_is_policy_verdict(const struct netobs_flow_record *flow)
{
	return !flow->l7 && flow->event == NETOBS_FLOW_EVENT_NEW &&
	       flow->verdict != NETOBS_VERDICT_DROPPED &&
	       (flow->policy_verdict == NETOBS_PV_ALLOWED ||
		flow->policy_verdict == NETOBS_PV_AUDIT_DENIED ||
		flow->policy_verdict == NETOBS_PV_AUDIT_DENY);
}

bool netobs_flow_event_type(const struct netobs_flow_record *flow, int *type, int *subtype)
{
	*subtype = 0;
	if (flow->l7) {
		*type = NETOBS_EVENT_TYPE_L7;
		return true;
	}
	if (flow->verdict == NETOBS_VERDICT_DROPPED && flow->drop_reason) {
		*type = NETOBS_EVENT_TYPE_DROP;
		*subtype = flow->drop_reason;
		return true;
	}
	if (netobs_flow_is_policy_verdict(flow)) {
		*type = NETOBS_EVENT_TYPE_POLICY_VERDICT;
		return true;
	}
	*type = NETOBS_EVENT_TYPE_TRACE;
	*subtype = netobs_obs_point_trace_subtype(flow->obs_point);
	return *subtype >= 0;
}

static const struct {
	int obs_point;
	int subtype; /* enum netobs_trace_subtype */
	const char *text;
} obs_point_traces[] = {
	{NETOBS_OBS_TO_ENDPOINT, NETOBS_TRACE_TO_LXC, "to-endpoint"},
	{NETOBS_OBS_FROM_ENDPOINT, NETOBS_TRACE_FROM_LXC, "from-endpoint"},
	{NETOBS_OBS_FROM_NETWORK, NETOBS_TRACE_FROM_NETWORK, "from-network"},
	{NETOBS_OBS_TO_NETWORK, NETOBS_TRACE_TO_NETWORK, "to-network"},
};

const char *netobs_obs_point_text(int obs_point)
{
	for (size_t i = 0; i < ARRAY_SIZE(obs_point_traces); i++)
		if (obs_point_traces[i].obs_point == obs_point)
			return obs_point_traces[i].text;
	return "unknown";
}

int netobs_obs_point_trace_subtype(int obs_point)
{
	for (size_t i = 0; i < ARRAY_SIZE(obs_point_traces); i++)
		if (obs_point_traces[i].obs_point == obs_point)
			return obs_point_traces[i].subtype;
	return -1;
}

const char *netobs_trace_subtype_text(int subtype)
{
	for (size_t i = 0; i < ARRAY_SIZE(obs_point_traces); i++)
		if (obs_point_traces[i].subtype == subtype)
			return obs_point_traces[i].text;
	return NULL;
}

int netobs_trace_subtype_from_text(const char *text)
{
	for (size_t i = 0; i < ARRAY_SIZE(obs_point_traces); i++)
		if (!strcmp(obs_point_traces[i].text, text))
			return obs_point_traces[i].subtype;
	return -1;
}

int netobs_flow_trace_reason(const struct netobs_flow_record *flow)
{
	if (flow->is_reply > 0)
		return NETOBS_TRACE_REASON_REPLY;
	/* is_reply unknown (not a connection netobs can pair): its first record still opens it */
	if (flow->event == NETOBS_FLOW_EVENT_NEW)
		return NETOBS_TRACE_REASON_NEW;
	return NETOBS_TRACE_REASON_ESTABLISHED;
}

static const struct enum_name trace_reason_names[] = {
	{0, "TRACE_REASON_UNKNOWN"},
	{NETOBS_TRACE_REASON_NEW, "NEW"},
	{NETOBS_TRACE_REASON_ESTABLISHED, "ESTABLISHED"},
	{NETOBS_TRACE_REASON_REPLY, "REPLY"},
};

const char *netobs_trace_reason_name(int reason)
{
	return enum_name_lookup(trace_reason_names, ARRAY_SIZE(trace_reason_names), reason);
}

/* Hubble's getTCPFlags() order (cilium pkg/hubble/parser/threefour). */
const struct netobs_tcp_flag_name netobs_tcp_flag_names[NETOBS_TCP_FLAG_COUNT] = {
	{NETOBS_TCP_SYN, "SYN"}, {NETOBS_TCP_ACK, "ACK"}, {NETOBS_TCP_RST, "RST"},
	{NETOBS_TCP_FIN, "FIN"}, {NETOBS_TCP_PSH, "PSH"}, {NETOBS_TCP_URG, "URG"},
	{NETOBS_TCP_ECE, "ECE"}, {NETOBS_TCP_CWR, "CWR"}, {NETOBS_TCP_NS, "NS"},
};

int netobs_tcp_flag_from_name(const char *name)
{
	for (int i = 0; i < NETOBS_TCP_FLAG_COUNT; i++)
		if (!strcasecmp(netobs_tcp_flag_names[i].name, name))
			return netobs_tcp_flag_names[i].flag;
	return -1;
}

void netobs_tcp_flags_format(uint16_t flags, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	/* without snprintf: every record's Summary has it (issue 9) */
	for (int i = 0; i < NETOBS_TCP_FLAG_COUNT; i++) {
		const char *name = netobs_tcp_flag_names[i].name;
		size_t sep = used ? 2 : 0, n = strlen(name);

		if (!(flags & netobs_tcp_flag_names[i].flag))
			continue;
		if (sep + n >= len - used)
			return; /* whole names only */
		memcpy(buf + used, ", ", sep);
		memcpy(buf + used + sep, name, n + 1);
		used += sep + n;
	}
}

void netobs_addr_format(int family, const uint8_t addr[16], char *buf, size_t len)
{
	int af = family == NETOBS_FAMILY_IPV4 ? AF_INET : AF_INET6;

	if (!len)
		return;
	buf[0] = '\0';
	if (family != NETOBS_FAMILY_IPV4 && family != NETOBS_FAMILY_IPV6)
		return;
	if (family == NETOBS_FAMILY_IPV4 && len >= INET_ADDRSTRLEN) {
		/* inet_ntop's text, without the sprintf it makes it with: every
		 * record served is formatted (docs/performance.md, issue 9) */
		char *p = buf;

		for (int i = 0; i < 4; i++) {
			unsigned int b = addr[i];

			if (i)
				*p++ = '.';
			if (b >= 100)
				*p++ = (char)('0' + b / 100);
			if (b >= 10)
				*p++ = (char)('0' + b / 10 % 10);
			*p++ = (char)('0' + b % 10);
		}
		*p = '\0';
		return;
	}
	if (!inet_ntop(af, addr, buf, len))
		buf[0] = '\0';
}

void netobs_time_format_rfc3339(uint64_t ns, char *buf, size_t len)
{
	time_t secs = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	char date[32];

	if (!len)
		return;
	if (!gmtime_r(&secs, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm)) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, len, "%s.%09uZ", date, (unsigned int)(ns % 1000000000ULL));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t year, unsigned int month, unsigned int day)
{
	int64_t era;
	unsigned int yoe, doy, doe;

	year -= month <= 2;
	era = (year >= 0 ? year : year - 399) / 400;
	yoe = (unsigned int)(year - era * 400);
	doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool is_leap_year(unsigned int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned int days_in_month(unsigned int year, unsigned int month)
{
	static const unsigned char days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month == 2 && is_leap_year(year))
		return 29;
	return days[month - 1];
}

/* Exactly `count` decimal digits at *s; advances *s. */
static int parse_digits(const char **s, int count, unsigned int *out)
{
	unsigned int value = 0;

	for (int i = 0; i < count; i++) {
		char c = (*s)[i];

		if (c < '0' || c > '9')
			return -EINVAL;
		value = value * 10 + (unsigned int)(c - '0');
	}
	*s += count;
	*out = value;
	return 0;
}

static int expect_char(const char **s, const char *accepted)
{
	if (!**s || !strchr(accepted, **s))
		return -EINVAL;
	(*s)++;
	return 0;
}

int netobs_time_parse_rfc3339(const char *s, uint64_t *ns)
{
	unsigned int year, month, day, hour, minute, second, off_h, off_m;
	uint64_t frac_ns = 0;
	int64_t offset_secs = 0, secs;

	if (!s)
		return -EINVAL;
	if (parse_digits(&s, 4, &year) || expect_char(&s, "-") || parse_digits(&s, 2, &month) ||
	    expect_char(&s, "-") || parse_digits(&s, 2, &day) || expect_char(&s, "Tt ") ||
	    parse_digits(&s, 2, &hour) || expect_char(&s, ":") || parse_digits(&s, 2, &minute) ||
	    expect_char(&s, ":") || parse_digits(&s, 2, &second))
		return -EINVAL;
	if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
	    minute > 59 || second > 60)
		return -EINVAL;
	if (*s == '.') {
		uint64_t scale = 100000000ULL;
		int digits = 0;

		for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
			/* digits beyond nanoseconds are dropped, not rounded */
			frac_ns += (uint64_t)(*s - '0') * scale;
			scale /= 10;
		}
		if (!digits)
			return -EINVAL;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s == '-' ? -1 : 1;

		s++;
		if (parse_digits(&s, 2, &off_h) || expect_char(&s, ":") ||
		    parse_digits(&s, 2, &off_m) || off_h > 23 || off_m > 59)
			return -EINVAL;
		offset_secs = sign * (int64_t)(off_h * 3600 + off_m * 60);
	} else {
		return -EINVAL;
	}
	if (*s)
		return -EINVAL;

	secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
	       offset_secs;
	/* Before the epoch, or past 2554 (64-bit nanoseconds): not representable. */
	if (secs < 0 || (uint64_t)secs > (UINT64_MAX - frac_ns) / 1000000000ULL)
		return -EINVAL;
	*ns = (uint64_t)secs * 1000000000ULL + frac_ns;
	return 0;
}

const char *netobs_l7_type_name(int type)
{
	if (type == NETOBS_L7_REQUEST)
		return "REQUEST";
	if (type == NETOBS_L7_RESPONSE)
		return "RESPONSE";
	return NULL;
}

int netobs_l7_type_from_name(const char *name)
{
	if (name && !strcmp(name, "REQUEST"))
		return NETOBS_L7_REQUEST;
	if (name && !strcmp(name, "RESPONSE"))
		return NETOBS_L7_RESPONSE;
	return -1;
}

int netobs_dns_type_from_name(const char *name)
{
	char buf[16];
	unsigned int type;
	int used = 0;

	/* RFC 3597's generic form, which dns_type_name() writes for unnamed types */
	if (sscanf(name, "TYPE%u%n", &type, &used) == 1 && !name[used] && type <= 65535)
		return (int)type;
	/* every named type is below 261 or one of 32768, 32769 (lib/dns.c's table) */
	for (type = 0; type < 32770; type = type == 260 ? 32768 : type + 1)
		if (!strcmp(dns_type_name(type, buf, sizeof(buf)), name))
			return (int)type;
	return -1;
}
