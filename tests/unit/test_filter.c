// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Filters: flag parsing, matching semantics, JSON wire form, time bounds. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

Suite *netobs_test_suite(void);

#define SEC   1000000000ULL
#define T0_NS (1764067940ULL * SEC) /* 2025-11-25T10:52:20Z */

static void make_flow(struct netobs_record *rec, int family, const char *src, const char *dst,
		      uint8_t proto, uint16_t sport, uint16_t dport)
{
	int af = family == NETOBS_FAMILY_IPV4 ? AF_INET : AF_INET6;
	struct netobs_flow_record *f = &rec->flow;

	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->time_ns = T0_NS;
	ck_assert_int_eq(inet_pton(af, src, f->key.saddr), 1);
	ck_assert_int_eq(inet_pton(af, dst, f->key.daddr), 1);
	f->key.family = (uint8_t)family;
	f->key.proto = proto;
	f->key.sport = htons(sport);
	f->key.dport = htons(dport);
	f->key.ifindex = 7;
	strcpy(f->ifname, "veth-a");
	f->verdict = NETOBS_VERDICT_FORWARDED;
	f->direction = NETOBS_DIR_EGRESS;
	f->is_reply = 0;
}

/* Fresh set with the given allow flags ("flag=value" strings, NULL-terminated). */
static void set_with(struct netobs_filter_set *set, const char *const *flags)
{
	char err[256];

	netobs_filter_set_init(set);
	for (; *flags; flags++) {
		char flag[64];
		const char *eq = strchr(*flags, '=');
		const char *value = eq ? eq + 1 : NULL;
		size_t n = eq ? (size_t)(eq - *flags) : strlen(*flags);
		bool negate = (*flags)[0] == '!';

		memcpy(flag, *flags + negate, n - negate);
		flag[n - negate] = '\0';
		ck_assert_msg(!netobs_filter_add_flag(set, flag, value, negate, err, sizeof(err)),
			      "%s: %s", *flags, err);
	}
}

static bool matches(const char *const *flags, const struct netobs_record *rec)
{
	struct netobs_filter_set set;

	set_with(&set, flags);
	return netobs_filter_set_match(&set, rec);
}

#define F(...) ((const char *const[]){__VA_ARGS__, NULL})

START_TEST(test_cidr_parse_and_contains)
{
	struct netobs_cidr c;
	uint8_t a[16] = {0};

	ck_assert_int_eq(netobs_cidr_parse("10.1.2.3/8", &c), 0);
	ck_assert_int_eq(c.family, NETOBS_FAMILY_IPV4);
	ck_assert_int_eq(c.prefix_len, 8);
	ck_assert_int_eq(c.addr[0], 10);
	ck_assert_int_eq(c.addr[1], 0); /* host bits cleared */
	ck_assert_int_eq(netobs_cidr_parse("fd00::1", &c), 0);
	ck_assert_int_eq(c.family, NETOBS_FAMILY_IPV6);
	ck_assert_int_eq(c.prefix_len, 128);

	ck_assert_int_eq(netobs_cidr_parse("10.0.0.0/33", &c), -EINVAL);
	ck_assert_int_eq(netobs_cidr_parse("fd00::/129", &c), -EINVAL);
	ck_assert_int_eq(netobs_cidr_parse("10.0.0.0/", &c), -EINVAL);
	ck_assert_int_eq(netobs_cidr_parse("10.0.0.0/8x", &c), -EINVAL);
	ck_assert_int_eq(netobs_cidr_parse("10.0.0/8", &c), -EINVAL);
	ck_assert_int_eq(netobs_cidr_parse("/8", &c), -EINVAL);
	ck_assert_int_eq(netobs_cidr_parse("host", &c), -EINVAL);

	/* /0 holds every address of its family, and none of the other */
	ck_assert_int_eq(netobs_cidr_parse("0.0.0.0/0", &c), 0);
	inet_pton(AF_INET, "203.0.113.9", a);
	ck_assert(netobs_cidr_contains(&c, NETOBS_FAMILY_IPV4, a));
	ck_assert(!netobs_cidr_contains(&c, NETOBS_FAMILY_IPV6, a));
	/* /32: that address only */
	ck_assert_int_eq(netobs_cidr_parse("203.0.113.9/32", &c), 0);
	ck_assert(netobs_cidr_contains(&c, NETOBS_FAMILY_IPV4, a));
	inet_pton(AF_INET, "203.0.113.8", a);
	ck_assert(!netobs_cidr_contains(&c, NETOBS_FAMILY_IPV4, a));
	/* a prefix that ends inside a byte */
	ck_assert_int_eq(netobs_cidr_parse("192.168.0.0/23", &c), 0);
	inet_pton(AF_INET, "192.168.1.255", a);
	ck_assert(netobs_cidr_contains(&c, NETOBS_FAMILY_IPV4, a));
	inet_pton(AF_INET, "192.168.2.0", a);
	ck_assert(!netobs_cidr_contains(&c, NETOBS_FAMILY_IPV4, a));

	ck_assert_int_eq(netobs_cidr_parse("::/0", &c), 0);
	inet_pton(AF_INET6, "2001:db8::1", a);
	ck_assert(netobs_cidr_contains(&c, NETOBS_FAMILY_IPV6, a));
	ck_assert_int_eq(netobs_cidr_parse("2001:db8::1/128", &c), 0);
	ck_assert(netobs_cidr_contains(&c, NETOBS_FAMILY_IPV6, a));
	inet_pton(AF_INET6, "2001:db8::2", a);
	ck_assert(!netobs_cidr_contains(&c, NETOBS_FAMILY_IPV6, a));
	ck_assert_int_eq(netobs_cidr_parse("2001:db8::/127", &c), 0);
	inet_pton(AF_INET6, "2001:db8::1", a);
	ck_assert(netobs_cidr_contains(&c, NETOBS_FAMILY_IPV6, a));
	inet_pton(AF_INET6, "2001:db8::2", a);
	ck_assert(!netobs_cidr_contains(&c, NETOBS_FAMILY_IPV6, a));
}
END_TEST

struct flag_error {
	const char *flag;
	const char *value;
	int ret;
	const char *message;
};

static const struct flag_error flag_errors[] = {
	{"port", "x", -EINVAL, "invalid --port value 'x': expected a port number 0-65535"},
	{"to-port", "65536", -EINVAL, "invalid --to-port value '65536'"},
	{"from-port", "-1", -EINVAL, "invalid --from-port value '-1'"},
	{"port", "", -EINVAL, "invalid --port value ''"},
	{"ip", "10.0.0.256", -EINVAL, "invalid --ip value '10.0.0.256': expected an IP address"},
	{"from-ip", "10.0.0.0/40", -EINVAL, "invalid --from-ip value '10.0.0.0/40'"},
	{"protocol", "gre", -EINVAL,
	 "invalid --protocol value 'gre': expected tcp, udp, sctp, icmp, icmpv4, icmpv6, dns or "
	 "http"},
	{"verdict", "ALLOWED", -EINVAL, "invalid --verdict value 'ALLOWED': expected FORWARDED"},
	{"verdict", "VERDICT_UNKNOWN", -EINVAL, "invalid --verdict value"},
	{"traffic-direction", "sideways", -EINVAL, "expected ingress or egress"},
	{"tcp-flags", "SYN,BOGUS", -EINVAL, "invalid --tcp-flags value 'SYN,BOGUS'"},
	{"tcp-flags", ",", -EINVAL, "invalid --tcp-flags value ','"},
	{"interface", "a-name-that-is-too-long", -EINVAL, "at most 15 characters"},
	{"interface", "", -EINVAL, "invalid --interface value ''"},
	{"endpoint", "", -EINVAL, "invalid --endpoint value ''"},
	{"to-endpoint", NULL, -EINVAL, "invalid --to-endpoint value ''"},
	{"label", "app=x", -ENOENT, "unknown filter flag --label"},
	{"pod", "", -EINVAL, "invalid --pod value ''"},
	{"type", "trace:to-moon", -EINVAL,
	 "invalid --type value 'trace:to-moon': expected trace, trace:to-endpoint"},
	{"type", "drop:to-endpoint", -EINVAL, "invalid --type value 'drop:to-endpoint'"},
	{"type", "trace:", -EINVAL, "invalid --type value 'trace:'"},
	{"type", "TRACE", -EINVAL, "invalid --type value 'TRACE'"},
	{"type", "", -EINVAL, "invalid --type value ''"},
};

START_TEST(test_flag_errors)
{
	const struct flag_error *e = &flag_errors[_i];
	struct netobs_filter_set set;
	char err[256] = "";

	netobs_filter_set_init(&set);
	ck_assert_int_eq(netobs_filter_add_flag(&set, e->flag, e->value, false, err, sizeof(err)),
			 e->ret);
	ck_assert_msg(strstr(err, e->message), "--%s: '%s' lacks '%s'", e->flag, err, e->message);
	ck_assert(netobs_filter_is_empty(&set.allow));
}
END_TEST

START_TEST(test_flag_parsing)
{
	struct netobs_filter_set set;
	char err[128];

	set_with(&set, F("port=80", "port=443", "port=80", "protocol=TCP", "protocol=icmpv6",
			 "verdict=dropped", "traffic-direction=Ingress", "tcp-flags=syn, ack",
			 "interface=eth0", "interface=3", "endpoint=web", "ipv6", "ip=10.0.0.0/8"));
	ck_assert_uint_eq(set.allow.port.n, 2); /* the repeated 80 is kept once */
	ck_assert_uint_eq(set.allow.port.v[0], 80);
	ck_assert_uint_eq(set.allow.port.v[1], 443);
	ck_assert_uint_eq(set.allow.protocol.v[0], NETOBS_FPROTO_TCP);
	ck_assert_uint_eq(set.allow.protocol.v[1], NETOBS_FPROTO_ICMPV6);
	ck_assert_uint_eq(set.allow.verdict.v[0], NETOBS_VERDICT_DROPPED);
	ck_assert_uint_eq(set.allow.traffic_direction.v[0], NETOBS_DIR_INGRESS);
	ck_assert_uint_eq(set.allow.tcp_flags.v[0], NETOBS_TCP_SYN | NETOBS_TCP_ACK);
	ck_assert_str_eq(set.allow.interface.v[1], "3");
	ck_assert_str_eq(set.allow.endpoint.v[0], "web");
	ck_assert_uint_eq(set.allow.ip_version.v[0], 6);
	ck_assert_uint_eq(set.allow.ip.n, 1);
	ck_assert(netobs_filter_is_empty(&set.deny));

	ck_assert(netobs_filter_is_flag("from-endpoint"));
	ck_assert(netobs_filter_is_flag("ipv4"));
	ck_assert(!netobs_filter_is_flag("ip_version"));
	ck_assert(!netobs_filter_is_flag("last"));

	netobs_filter_set_init(&set);
	for (int i = 0; i < NETOBS_FILTER_MAX_VALUES; i++) {
		char value[8];

		snprintf(value, sizeof(value), "%d", 1000 + i);
		ck_assert_int_eq(
			netobs_filter_add_flag(&set, "port", value, false, err, sizeof(err)), 0);
	}
	ck_assert_int_eq(netobs_filter_add_flag(&set, "port", "1", false, err, sizeof(err)),
			 -E2BIG);
	ck_assert_ptr_nonnull(strstr(err, "too many --port values"));
}
END_TEST

START_TEST(test_match_ip_port_protocol)
{
	struct netobs_record r4, r6, icmp;

	make_flow(&r4, NETOBS_FAMILY_IPV4, "10.1.0.5", "192.168.7.9", IPPROTO_TCP, 40000, 80);
	make_flow(&r6, NETOBS_FAMILY_IPV6, "fd00::5", "2001:db8::9", IPPROTO_UDP, 5353, 53);
	make_flow(&icmp, NETOBS_FAMILY_IPV4, "10.1.0.5", "192.168.7.9", IPPROTO_ICMP, 0, 0);
	icmp.flow.key.icmp_type = 8;

	ck_assert(matches(F("ip=10.0.0.0/8"), &r4));  /* source side */
	ck_assert(matches(F("ip=192.168.7.9"), &r4)); /* destination side */
	ck_assert(!matches(F("ip=172.16.0.0/12"), &r4));
	ck_assert(!matches(F("ip=10.0.0.0/8"), &r6)); /* other family */
	ck_assert(matches(F("ip=::/0"), &r6));
	ck_assert(!matches(F("ip=::/0"), &r4));
	ck_assert(matches(F("from-ip=10.1.0.5"), &r4));
	ck_assert(!matches(F("from-ip=192.168.7.9"), &r4));
	ck_assert(matches(F("to-ip=192.168.0.0/16"), &r4));
	ck_assert(!matches(F("to-ip=10.0.0.0/8"), &r4));
	ck_assert(matches(F("to-ip=2001:db8::/32"), &r6));

	ck_assert(matches(F("port=80"), &r4));
	ck_assert(matches(F("port=40000"), &r4));
	ck_assert(!matches(F("port=443"), &r4));
	ck_assert(matches(F("from-port=40000"), &r4));
	ck_assert(!matches(F("from-port=80"), &r4));
	ck_assert(matches(F("to-port=53"), &r6));
	ck_assert(!matches(F("port=0"), &icmp)); /* ICMP has no ports */
	ck_assert(!matches(F("port=8"), &icmp));
	r4.flow.key.key_flags = NETOBS_KEY_F_FRAGMENT;
	ck_assert(!matches(F("port=80"), &r4)); /* a fragment carries no ports */
	r4.flow.key.key_flags = 0;

	ck_assert(matches(F("protocol=tcp"), &r4));
	ck_assert(!matches(F("protocol=udp"), &r4));
	ck_assert(matches(F("protocol=udp"), &r6));
	ck_assert(matches(F("protocol=icmp"), &icmp));
	ck_assert(matches(F("protocol=icmpv4"), &icmp));
	ck_assert(!matches(F("protocol=icmpv6"), &icmp));
	icmp.flow.key.proto = IPPROTO_ICMPV6;
	icmp.flow.key.family = NETOBS_FAMILY_IPV6;
	ck_assert(matches(F("protocol=icmp"), &icmp));
	ck_assert(matches(F("protocol=icmpv6"), &icmp));
	r6.flow.key.proto = IPPROTO_SCTP;
	ck_assert(matches(F("protocol=sctp"), &r6));
	ck_assert(matches(F("port=53"), &r6));

	ck_assert(matches(F("ipv4"), &r4));
	ck_assert(!matches(F("ipv6"), &r4));
	ck_assert(matches(F("ipv4", "ipv6"), &r6));
}
END_TEST

START_TEST(test_match_other_fields)
{
	struct netobs_record r;

	make_flow(&r, NETOBS_FAMILY_IPV4, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000, 80);
	r.flow.src.id = 12;
	strcpy(r.flow.src.name, "client");
	r.flow.dst.identity = NETOBS_IDENTITY_WORLD;
	r.flow.tcp_flags = NETOBS_TCP_SYN | NETOBS_TCP_ACK;

	ck_assert(matches(F("endpoint=client"), &r));
	ck_assert(matches(F("endpoint=12"), &r));
	ck_assert(!matches(F("endpoint=13"), &r));
	ck_assert(!matches(F("endpoint=cli"), &r));
	ck_assert(matches(F("from-endpoint=client"), &r));
	ck_assert(!matches(F("to-endpoint=client"), &r));
	ck_assert(!matches(F("to-endpoint=0"), &r)); /* no endpoint is not "endpoint 0" */

	ck_assert(matches(F("verdict=FORWARDED"), &r));
	ck_assert(!matches(F("verdict=DROPPED"), &r));
	ck_assert(matches(F("traffic-direction=egress"), &r));
	ck_assert(!matches(F("traffic-direction=ingress"), &r));

	ck_assert(matches(F("tcp-flags=SYN"), &r));
	ck_assert(matches(F("tcp-flags=SYN,ACK"), &r));
	ck_assert(!matches(F("tcp-flags=SYN,FIN"), &r)); /* all flags of a value must be set */
	ck_assert(matches(F("tcp-flags=SYN,FIN", "tcp-flags=ACK"), &r));
	r.flow.key.proto = IPPROTO_UDP;
	ck_assert(!matches(F("tcp-flags=SYN"), &r)); /* only TCP carries flags */
	r.flow.key.proto = IPPROTO_TCP;
	/* the packet's flags count, not the flow's: a later ACK or an UPDATE is no SYN */
	r.flow.tcp_flags_seen = NETOBS_TCP_SYN | NETOBS_TCP_ACK | NETOBS_TCP_FIN;
	r.flow.tcp_flags = NETOBS_TCP_ACK | NETOBS_TCP_FIN;
	ck_assert(!matches(F("tcp-flags=SYN"), &r));
	ck_assert(matches(F("tcp-flags=FIN"), &r));
	r.flow.event = NETOBS_FLOW_EVENT_UPDATE;
	r.flow.tcp_flags = 0;
	ck_assert(!matches(F("tcp-flags=SYN"), &r));
	ck_assert(!matches(F("tcp-flags=FIN"), &r));
	ck_assert(matches(F("!tcp-flags=SYN"), &r));
	r.flow.event = NETOBS_FLOW_EVENT_NEW;
	r.flow.tcp_flags = NETOBS_TCP_SYN | NETOBS_TCP_ACK;

	ck_assert(matches(F("interface=veth-a"), &r));
	ck_assert(matches(F("interface=7"), &r));
	ck_assert(!matches(F("interface=8"), &r));
	ck_assert(!matches(F("interface=eth0"), &r));
}
END_TEST

/* --type: Hubble's event types; every flow record is a trace at its observation point. */
START_TEST(test_match_type_and_pod)
{
	static const struct {
		uint8_t obs_point;
		const char *type; /* the one trace:X value it matches, NULL for none */
	} points[] = {
		{NETOBS_OBS_TO_ENDPOINT, "type=trace:to-endpoint"},
		{NETOBS_OBS_FROM_ENDPOINT, "type=trace:from-endpoint"},
		{NETOBS_OBS_TO_NETWORK, "type=trace:to-network"},
		{NETOBS_OBS_FROM_NETWORK, "type=trace:from-network"},
		{NETOBS_OBS_UNKNOWN, NULL},
	};
	static const char *const trace_types[] = {
		"type=trace:to-endpoint",
		"type=trace:from-endpoint",
		"type=trace:to-network",
		"type=trace:from-network",
	};
	struct netobs_record r;

	make_flow(&r, NETOBS_FAMILY_IPV4, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000, 80);
	for (size_t p = 0; p < sizeof(points) / sizeof(points[0]); p++) {
		r.flow.obs_point = points[p].obs_point;
		ck_assert(matches(F("type=trace"), &r));
		for (size_t t = 0; t < sizeof(trace_types) / sizeof(trace_types[0]); t++) {
			bool want = points[p].type && !strcmp(points[p].type, trace_types[t]);

			ck_assert_msg(matches(F(trace_types[t]), &r) == want, "point %zu, %s", p,
				      trace_types[t]);
		}
		/* --not --type: the other observation points, so each packet shows once */
		ck_assert(matches(F("!type=trace:to-endpoint"), &r) ==
			  (points[p].obs_point != NETOBS_OBS_TO_ENDPOINT));
		/* no such records yet */
		ck_assert(!matches(F("type=l7"), &r));
		ck_assert(!matches(F("type=drop"), &r));
		ck_assert(!matches(F("type=policy-verdict"), &r));
		ck_assert(matches(F("type=l7", "type=trace"), &r)); /* values OR */
	}
	r.flow.obs_point = NETOBS_OBS_FROM_NETWORK;
	ck_assert(matches(F("type=trace:to-endpoint", "type=trace:from-network"), &r));
	ck_assert(!matches(F("type=trace:from-network", "verdict=DROPPED"), &r)); /* fields AND */

	/* Hubble's pod flags are the endpoint flags */
	r.flow.src.id = 12;
	strcpy(r.flow.src.name, "client");
	strcpy(r.flow.dst.name, "echo");
	ck_assert(matches(F("pod=client"), &r));
	ck_assert(matches(F("pod=echo"), &r));
	ck_assert(matches(F("pod=12"), &r));
	ck_assert(!matches(F("pod=web"), &r));
	ck_assert(matches(F("from-pod=client"), &r));
	ck_assert(!matches(F("from-pod=echo"), &r));
	ck_assert(matches(F("to-pod=echo"), &r));
	ck_assert(!matches(F("to-pod=client"), &r));
	ck_assert(!matches(F("!pod=client"), &r));
	ck_assert(netobs_filter_is_flag("pod") && netobs_filter_is_flag("to-pod"));
	ck_assert(netobs_filter_is_flag("type"));
}
END_TEST

START_TEST(test_match_combination)
{
	struct netobs_record r;

	make_flow(&r, NETOBS_FAMILY_IPV4, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000, 80);

	/* one flag repeated ORs, different flags AND */
	ck_assert(matches(F("port=443", "port=80"), &r));
	ck_assert(matches(F("port=80", "protocol=tcp"), &r));
	ck_assert(!matches(F("port=80", "protocol=udp"), &r));
	ck_assert(matches(F("port=80", "protocol=udp", "protocol=tcp"), &r));

	/* --not: deny what matches the deny filter */
	ck_assert(!matches(F("!port=80"), &r));
	ck_assert(matches(F("!port=443"), &r));
	ck_assert(!matches(F("protocol=tcp", "!ip=10.0.0.2"), &r));
	ck_assert(matches(F("protocol=tcp", "!ip=10.0.0.3"), &r));
	/* deny fields AND too: only records matching all of them are hidden */
	ck_assert(matches(F("!port=80", "!protocol=udp"), &r));
	ck_assert(!matches(F("!port=80", "!protocol=tcp"), &r));
	ck_assert(matches(F("protocol=udp", "!port=443"), &r) == false);

	/* an empty set passes everything */
	ck_assert(matches(F(NULL), &r));
}
END_TEST

/* Hubble's either-side flags pair up on one side: --ip A --port P is A:P as
 * source or as destination, never A on one side and P on the other. */
START_TEST(test_match_either_side_same_side)
{
	struct netobs_record r;

	make_flow(&r, NETOBS_FAMILY_IPV4, "10.0.0.5", "1.2.3.4", IPPROTO_TCP, 40000, 80);

	ck_assert(matches(F("ip=10.0.0.5", "port=40000"), &r)); /* source side */
	ck_assert(matches(F("ip=1.2.3.4", "port=80"), &r));	/* destination side */
	ck_assert(!matches(F("ip=10.0.0.5", "port=80"), &r));	/* split across sides */
	ck_assert(!matches(F("ip=1.2.3.4", "port=40000"), &r));
	ck_assert(matches(F("ip=10.0.0.5", "ip=1.2.3.4", "port=80"), &r)); /* values OR */
	/* directional flags apply on both sides as they are */
	ck_assert(matches(F("ip=1.2.3.4", "from-port=40000"), &r));
	ck_assert(!matches(F("ip=10.0.0.5", "to-port=40000"), &r));
	/* the deny filter pairs up the same way */
	ck_assert(matches(F("!ip=10.0.0.5", "!port=80"), &r));
	ck_assert(!matches(F("!ip=1.2.3.4", "!port=80"), &r));
}
END_TEST

START_TEST(test_lost_events_and_time)
{
	struct netobs_filter_set set;
	struct netobs_record lost = {0}, r;

	lost.kind = NETOBS_RECORD_LOST_EVENTS;
	lost.time_ns = T0_NS;
	lost.lost.count = 5;
	ck_assert(matches(F("port=80"), &lost));
	ck_assert(matches(F("!port=80"), &lost));
	ck_assert(matches(F("protocol=udp", "verdict=DROPPED", "!ipv4"), &lost));

	make_flow(&r, NETOBS_FAMILY_IPV4, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 40000, 80);
	netobs_filter_set_init(&set);
	set.since_ns = T0_NS;
	ck_assert(netobs_filter_set_match(&set, &r)); /* bounds are inclusive */
	set.since_ns = T0_NS + 1;
	ck_assert(!netobs_filter_set_match(&set, &r));
	ck_assert(!netobs_filter_set_match(&set, &lost)); /* the window selects losses too */
	set.since_ns = T0_NS - SEC;
	set.until_ns = T0_NS;
	ck_assert(netobs_filter_set_match(&set, &r));
	set.until_ns = T0_NS - 1;
	ck_assert(!netobs_filter_set_match(&set, &r));
}
END_TEST

START_TEST(test_time_bound_parse)
{
	const uint64_t now = T0_NS + 123;
	uint64_t t;

	ck_assert_int_eq(netobs_time_bound_parse("30s", now, &t), 0);
	ck_assert_uint_eq(t, now - 30 * SEC);
	ck_assert_int_eq(netobs_time_bound_parse("5m", now, &t), 0);
	ck_assert_uint_eq(t, now - 300 * SEC);
	ck_assert_int_eq(netobs_time_bound_parse("2h30m", now, &t), 0);
	ck_assert_uint_eq(t, now - 9000 * SEC);
	ck_assert_int_eq(netobs_time_bound_parse("1d", now, &t), 0);
	ck_assert_uint_eq(t, now - 86400 * SEC);
	ck_assert_int_eq(netobs_time_bound_parse("250ms", now, &t), 0);
	ck_assert_uint_eq(t, now - 250000000ULL);
	ck_assert_int_eq(netobs_time_bound_parse("2025-11-25T10:00:00Z", now, &t), 0);
	ck_assert_uint_eq(t, T0_NS - (52 * 60 + 20) * SEC);
	ck_assert_int_eq(netobs_time_bound_parse("2025-11-25T10:52:20.5Z", now, &t), 0);
	ck_assert_uint_eq(t, T0_NS + SEC / 2);

	ck_assert_int_eq(netobs_time_bound_parse("", now, &t), -EINVAL);
	ck_assert_int_eq(netobs_time_bound_parse("30", now, &t), -EINVAL);
	ck_assert_int_eq(netobs_time_bound_parse("m", now, &t), -EINVAL);
	ck_assert_int_eq(netobs_time_bound_parse("5x", now, &t), -EINVAL);
	ck_assert_int_eq(netobs_time_bound_parse("5m ", now, &t), -EINVAL);
	ck_assert_int_eq(netobs_time_bound_parse("-5m", now, &t), -EINVAL);
	ck_assert_int_eq(netobs_time_bound_parse("100000d", now, &t), -EINVAL); /* before 1970 */
	ck_assert_int_eq(netobs_time_bound_parse("99999999999999s", now, &t), -EINVAL);
}
END_TEST

START_TEST(test_json_round_trip)
{
	struct netobs_filter_set set, back;
	char err[256], *text;
	json_t *obj;

	set_with(&set, F("ip=10.1.2.3/8", "from-ip=fd00::1", "to-ip=192.168.0.0/16", "port=80",
			 "from-port=1234", "to-port=53", "protocol=tcp", "protocol=icmp",
			 "endpoint=web", "from-endpoint=12", "to-endpoint=db", "verdict=FORWARDED",
			 "traffic-direction=egress", "tcp-flags=ack,syn", "interface=eth0", "ipv4",
			 "type=trace:to-endpoint", "type=l7", "type=trace", "to-pod=web",
			 "!port=22", "!verdict=DROPPED", "!tcp-flags=RST", "!type=trace:to-network",
			 "!type=trace:from-endpoint", "!type=trace:from-network"));
	set.since_ns = T0_NS;
	set.until_ns = T0_NS + 60 * SEC;

	obj = netobs_filter_set_to_json(&set);
	ck_assert_ptr_nonnull(obj);
	text = json_dumps(obj, JSON_COMPACT);
	/* the documented wire form (docs/api.md), written out by hand */
	ck_assert_str_eq(
		text, "{\"allow\":{\"ip\":[\"10.0.0.0/8\"],\"source_ip\":[\"fd00::1/128\"],"
		      "\"destination_ip\":[\"192.168.0.0/16\"],\"port\":[80],"
		      "\"source_port\":[1234],\"destination_port\":[53],"
		      "\"protocol\":[\"tcp\",\"icmp\"],\"endpoint\":[\"web\"],"
		      "\"source_endpoint\":[\"12\"],\"destination_endpoint\":[\"db\",\"web\"],"
		      "\"verdict\":[\"FORWARDED\"],\"traffic_direction\":[\"egress\"],"
		      "\"tcp_flags\":[\"SYN,ACK\"],\"interface\":[\"eth0\"],"
		      "\"event_type\":[\"trace:to-endpoint\",\"l7\",\"trace\"],\"ip_version\":[4]},"
		      "\"deny\":{\"port\":[22],\"verdict\":[\"DROPPED\"],\"tcp_flags\":[\"RST\"],"
		      "\"event_type\":[\"trace:to-network\",\"trace:from-endpoint\","
		      "\"trace:from-network\"]},"
		      "\"since\":\"1764067940000000000\",\"until\":\"1764068000000000000\"}");
	ck_assert_int_eq(netobs_filter_set_from_json(obj, &back, err, sizeof(err)), 0);
	ck_assert_msg(!memcmp(&set, &back, sizeof(set)), "round trip differs");
	free(text);
	json_decref(obj);

	/* empty set: empty object, and NULL decodes as "no filter" */
	netobs_filter_set_init(&set);
	obj = netobs_filter_set_to_json(&set);
	ck_assert_uint_eq(json_object_size(obj), 0);
	json_decref(obj);
	memset(&back, 1, sizeof(back));
	ck_assert_int_eq(netobs_filter_set_from_json(NULL, &back, err, sizeof(err)), 0);
	ck_assert(!memcmp(&set, &back, sizeof(set)));
}
END_TEST

static const struct {
	const char *json;
	const char *message;
} json_errors[] = {
	{"[]", "filter must be an object"},
	{"{\"allw\": {}}", "unknown filter field 'allw' (expected allow, deny, since, until)"},
	{"{\"allow\": []}", "filter field 'allow' must be an object"},
	{"{\"deny\": {\"label\": [\"x\"]}}", "unknown filter field 'deny.label'"},
	{"{\"allow\": {\"port\": 80}}", "filter field allow.port must be a list"},
	{"{\"allow\": {\"port\": [\"80\"]}}", "filter field allow.port values must be numbers"},
	{"{\"allow\": {\"port\": [70000]}}",
	 "invalid filter field allow.port value '70000': expected a port number 0-65535"},
	{"{\"allow\": {\"ip\": [\"10.0.0.300\"]}}",
	 "invalid filter field allow.ip value '10.0.0.300'"},
	{"{\"allow\": {\"ip\": [10]}}", "filter field allow.ip values must be strings"},
	{"{\"allow\": {\"protocol\": [\"gre\"]}}",
	 "invalid filter field allow.protocol value 'gre'"},
	{"{\"allow\": {\"ip_version\": [5]}}", "expected 4 or 6"},
	{"{\"deny\": {\"tcp_flags\": [\"SYN|ACK\"]}}", "invalid filter field deny.tcp_flags"},
	{"{\"since\": \"yesterday\"}", "filter field 'since' must be Unix-epoch nanoseconds"},
	{"{\"until\": true}", "filter field 'until' must be Unix-epoch nanoseconds"},
	{"{\"allow\": {\"port\": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}}",
	 "too many filter field allow.port values"},
};

START_TEST(test_json_errors)
{
	struct netobs_filter_set set;
	json_error_t jerr;
	char err[256] = "";
	json_t *obj = json_loads(json_errors[_i].json, JSON_DECODE_ANY, &jerr);

	ck_assert_msg(obj, "test input %d is not JSON", _i);
	ck_assert_int_eq(netobs_filter_set_from_json(obj, &set, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, json_errors[_i].message), "input %d: '%s' lacks '%s'", _i, err,
		      json_errors[_i].message);
	ck_assert(netobs_filter_is_empty(&set.allow));
	ck_assert(netobs_filter_is_empty(&set.deny));
	json_decref(obj);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_cidr_parse_and_contains);
	tcase_add_loop_test(tc, test_flag_errors, 0,
			    (int)(sizeof(flag_errors) / sizeof(flag_errors[0])));
	tcase_add_test(tc, test_flag_parsing);
	tcase_add_test(tc, test_match_ip_port_protocol);
	tcase_add_test(tc, test_match_other_fields);
	tcase_add_test(tc, test_match_type_and_pod);
	tcase_add_test(tc, test_match_combination);
	tcase_add_test(tc, test_match_either_side_same_side);
	tcase_add_test(tc, test_lost_events_and_time);
	tcase_add_test(tc, test_time_bound_parse);
	tcase_add_test(tc, test_json_round_trip);
	tcase_add_loop_test(tc, test_json_errors, 0,
			    (int)(sizeof(json_errors) / sizeof(json_errors[0])));
	suite_add_tcase(s, tc);
	return s;
}
