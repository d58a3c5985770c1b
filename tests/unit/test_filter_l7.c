// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Filters over L7 records and DNS names: --protocol dns|http, --type l7,
 * --fqdn/--from-fqdn/--to-fqdn, --http-status, --http-method, --http-path;
 * their errors and their JSON wire form.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

Suite *netobs_test_suite(void);

/* A TCP or UDP flow record 10.0.0.1:sport -> 10.0.0.2:dport, no L7 part yet. */
static void make_flow(struct netobs_record *rec, uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct netobs_flow_record *f = &rec->flow;

	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->time_ns = 1764067940ULL * 1000000000ULL;
	inet_pton(AF_INET, "10.0.0.1", f->key.saddr);
	inet_pton(AF_INET, "10.0.0.2", f->key.daddr);
	f->key.family = NETOBS_FAMILY_IPV4;
	f->key.proto = proto;
	f->key.sport = htons(sport);
	f->key.dport = htons(dport);
	f->verdict = NETOBS_VERDICT_FORWARDED;
	f->obs_point = NETOBS_OBS_TO_ENDPOINT;
	f->is_reply = 0;
}

static void make_dns(struct netobs_record *rec, struct netobs_l7 *l7, const char *query)
{
	make_flow(rec, IPPROTO_UDP, 40000, 53);
	memset(l7, 0, sizeof(*l7));
	l7->type = NETOBS_L7_REQUEST;
	l7->kind = NETOBS_L7_DNS;
	strcpy(l7->dns.query, query);
	rec->flow.l7 = l7;
}

static void make_http(struct netobs_record *rec, struct netobs_l7 *l7, const char *method,
		      const char *url, uint32_t code)
{
	make_flow(rec, IPPROTO_TCP, 47194, 80);
	memset(l7, 0, sizeof(*l7));
	l7->type = code ? NETOBS_L7_RESPONSE : NETOBS_L7_REQUEST;
	l7->kind = NETOBS_L7_HTTP;
	strcpy(l7->http.method, method);
	strcpy(l7->http.url, url);
	strcpy(l7->http.protocol, "HTTP/1.1");
	l7->http.code = code;
	rec->flow.l7 = l7;
}

/* Does a filter of one flag (negated with a leading '!') pass the record? */
static bool passes(const char *flag, const char *value, const struct netobs_record *rec)
{
	struct netobs_filter_set set;
	bool negate = flag[0] == '!';
	char err[256];

	netobs_filter_set_init(&set);
	ck_assert_msg(!netobs_filter_add_flag(&set, flag + negate, value, negate, err, sizeof(err)),
		      "--%s %s: %s", flag, value, err);
	return netobs_filter_set_match(&set, rec);
}

START_TEST(test_protocol_and_type)
{
	struct netobs_record dns, http, udp53, tcp80;
	struct netobs_l7 dns_l7, http_l7;

	make_dns(&dns, &dns_l7, "example.com.");
	make_http(&http, &http_l7, "GET", "http://echo/", 0);
	make_flow(&udp53, IPPROTO_UDP, 40000, 53);
	make_flow(&tcp80, IPPROTO_TCP, 47194, 80);

	/* dns/http: the L7 records only, not the L3/L4 flows that carried them */
	ck_assert(passes("protocol", "dns", &dns));
	ck_assert(!passes("protocol", "dns", &http));
	ck_assert(!passes("protocol", "dns", &udp53));
	ck_assert(passes("protocol", "HTTP", &http));
	ck_assert(!passes("protocol", "http", &dns));
	ck_assert(!passes("protocol", "http", &tcp80));
	/* an L7 record is still of its transport */
	ck_assert(passes("protocol", "udp", &dns));
	ck_assert(passes("protocol", "tcp", &http));
	ck_assert(!passes("!protocol", "dns", &dns));
	ck_assert(passes("!protocol", "dns", &udp53));

	/* --type l7: L7 records only; trace types: L3/L4 records only */
	ck_assert(passes("type", "l7", &dns));
	ck_assert(passes("type", "l7", &http));
	ck_assert(!passes("type", "l7", &udp53));
	ck_assert(!passes("type", "trace", &dns));
	ck_assert(!passes("type", "trace:to-endpoint", &http));
	ck_assert(passes("type", "trace:to-endpoint", &tcp80));
	ck_assert(!passes("!type", "l7", &http));
}
END_TEST

START_TEST(test_fqdn)
{
	struct netobs_names src_names = {.len = 1}, dst_names = {.len = 2};
	struct netobs_record dns, flow;
	struct netobs_l7 l7;

	strcpy(src_names.name[0], "client.corp.example.");
	strcpy(dst_names.name[0], "www.example.com.");
	strcpy(dst_names.name[1], "edge.cdn.example.net.");
	make_flow(&flow, IPPROTO_TCP, 47194, 443);
	flow.flow.source_names = &src_names;
	flow.flow.destination_names = &dst_names;

	ck_assert(passes("fqdn", "www.example.com", &flow));
	ck_assert(passes("fqdn", "www.example.com.", &flow)); /* trailing dot optional */
	ck_assert(passes("fqdn", "WWW.Example.COM", &flow));  /* case-insensitive */
	ck_assert(passes("fqdn", "*.example.com", &flow));
	ck_assert(passes("fqdn", "client.*.example", &flow)); /* either side */
	ck_assert(!passes("fqdn", "*.example", &flow));	      /* '*' stays in one label */
	ck_assert(!passes("fqdn", "example.com", &flow));
	ck_assert(passes("to-fqdn", "*.cdn.example.net", &flow));
	ck_assert(!passes("to-fqdn", "client.corp.example", &flow));
	ck_assert(passes("from-fqdn", "client.corp.example", &flow));
	ck_assert(!passes("from-fqdn", "www.example.com", &flow));
	ck_assert(!passes("!to-fqdn", "www.example.com", &flow));

	/* no names: nothing to match */
	flow.flow.source_names = flow.flow.destination_names = NULL;
	ck_assert(!passes("fqdn", "*", &flow));
	ck_assert(passes("!fqdn", "*", &flow));

	/* a DNS record's query counts on both sides */
	make_dns(&dns, &l7, "api.example.org.");
	ck_assert(passes("fqdn", "api.example.org", &dns));
	ck_assert(passes("to-fqdn", "*.example.org", &dns));
	ck_assert(passes("from-fqdn", "api.*.org", &dns));
	ck_assert(!passes("fqdn", "www.example.org", &dns));
}
END_TEST

START_TEST(test_http_fields)
{
	struct netobs_record rec, dns;
	struct netobs_l7 l7, dns_l7;

	make_http(&rec, &l7, "GET", "http://echo:8080/api/v2/items?id=7", 404);
	ck_assert(passes("http-status", "404", &rec));
	ck_assert(passes("http-status", "4+", &rec));
	ck_assert(passes("http-status", "40+", &rec));
	ck_assert(!passes("http-status", "41+", &rec));
	ck_assert(!passes("http-status", "5+", &rec));
	ck_assert(!passes("http-status", "200", &rec));
	ck_assert(passes("http-method", "get", &rec));
	ck_assert(!passes("http-method", "POST", &rec));
	ck_assert(passes("http-path", "^/api/v[0-9]+/", &rec));
	ck_assert(passes("http-path", "items", &rec)); /* unanchored */
	ck_assert(!passes("http-path", "id=7", &rec)); /* the query is not the path */
	ck_assert(!passes("http-path", "echo", &rec)); /* nor is the host */
	ck_assert(!passes("http-path", "^/items$", &rec));
	ck_assert(passes("http-url", "^http://echo:8080/api/", &rec));
	ck_assert(passes("http-url", "id=[0-9]+$", &rec)); /* the whole URL, query too */
	ck_assert(!passes("http-url", "^/api/", &rec));

	/* a request has no status: no --http-status value matches it */
	make_http(&rec, &l7, "POST", "http://echo/", 0);
	ck_assert(!passes("http-status", "1+", &rec));
	ck_assert(passes("http-path", "^/$", &rec));

	/* HTTP filters match only HTTP records */
	make_dns(&dns, &dns_l7, "example.com.");
	ck_assert(!passes("http-method", "GET", &dns));
	ck_assert(!passes("http-path", ".*", &dns));
	ck_assert(!passes("http-url", ".*", &dns));
	ck_assert(!passes("http-status", "2+", &dns));
}
END_TEST

struct flag_error {
	const char *flag;
	const char *value;
	const char *message;
};

static const struct flag_error flag_errors[] = {
	{"http-status", "9x",
	 "invalid --http-status value '9x': expected a status code 100-599 (404) or a prefix"},
	{"http-status", "600", "invalid --http-status value '600'"},
	{"http-status", "4044", "invalid --http-status value '4044'"},
	{"http-status", "+", "invalid --http-status value '+'"},
	{"http-status", "4++", "invalid --http-status value '4++'"},
	{"http-status", "40", "invalid --http-status value '40'"},
	{"http-method", "GE T", "invalid --http-method value 'GE T': expected an HTTP method"},
	{"http-method", "", "invalid --http-method value ''"},
	{"http-path", "(", "invalid --http-path value '(': expected a POSIX extended regular"},
	{"http-path", "", "invalid --http-path value ''"},
	{"http-url", "a{", "invalid --http-url value 'a{': expected a POSIX extended regular"},
	{"fqdn", "exa mple.com", "invalid --fqdn value 'exa mple.com': expected a DNS name glob"},
	{"to-fqdn", "", "invalid --to-fqdn value ''"},
	{"from-fqdn", "a/b", "invalid --from-fqdn value 'a/b'"},
};

START_TEST(test_flag_errors)
{
	const struct flag_error *e = &flag_errors[_i];
	struct netobs_filter_set set;
	char err[256] = "";

	netobs_filter_set_init(&set);
	ck_assert_int_eq(netobs_filter_add_flag(&set, e->flag, e->value, false, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, e->message), "--%s: '%s' lacks '%s'", e->flag, err, e->message);
	ck_assert(netobs_filter_is_empty(&set.allow));
}
END_TEST

START_TEST(test_json_wire_form)
{
	static const char *const flags[][2] = {
		{"protocol", "dns"},	   {"protocol", "http"},	{"type", "l7"},
		{"fqdn", "*.example.com"}, {"from-fqdn", "a.example."}, {"to-fqdn", "b.*"},
		{"http-status", "5+"},	   {"http-status", "404"},	{"http-method", "GET"},
		{"http-path", "^/api/"},   {"http-url", "^http://a/"},	{"!http-method", "OPTIONS"},
	};
	struct netobs_filter_set set, back;
	char err[256], *text;
	json_t *obj;

	netobs_filter_set_init(&set);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		bool negate = flags[i][0][0] == '!';

		ck_assert_int_eq(netobs_filter_add_flag(&set, flags[i][0] + negate, flags[i][1],
							negate, err, sizeof(err)),
				 0);
	}
	obj = netobs_filter_set_to_json(&set);
	ck_assert_ptr_nonnull(obj);
	text = json_dumps(obj, JSON_COMPACT);
	/* the documented wire form (docs/api.md), written out by hand */
	ck_assert_str_eq(text,
			 "{\"allow\":{\"protocol\":[\"dns\",\"http\"],\"event_type\":[\"l7\"],"
			 "\"fqdn\":[\"*.example.com\"],\"source_fqdn\":[\"a.example.\"],"
			 "\"destination_fqdn\":[\"b.*\"],"
			 "\"http_status_code\":[\"5+\",\"404\"],\"http_method\":[\"GET\"],"
			 "\"http_path\":[\"^/api/\"],\"http_url\":[\"^http://a/\"]},"
			 "\"deny\":{\"http_method\":[\"OPTIONS\"]}}");
	ck_assert_int_eq(netobs_filter_set_from_json(obj, &back, err, sizeof(err)), 0);
	ck_assert_msg(!memcmp(&set, &back, sizeof(set)), "round trip differs");
	free(text);
	json_decref(obj);

	/* the agent checks wire values as the CLI checks flags */
	obj = json_loads("{\"allow\": {\"http_status_code\": [\"9x\"]}}", 0, NULL);
	ck_assert_int_eq(netobs_filter_set_from_json(obj, &back, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(
		strstr(err, "invalid filter field allow.http_status_code value '9x'"));
	json_decref(obj);
	obj = json_loads("{\"deny\": {\"http_path\": [\"[\"]}}", 0, NULL);
	ck_assert_int_eq(netobs_filter_set_from_json(obj, &back, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "invalid filter field deny.http_path value '['"));
	json_decref(obj);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("filter_l7");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_protocol_and_type);
	tcase_add_test(tc, test_fqdn);
	tcase_add_test(tc, test_http_fields);
	tcase_add_loop_test(tc, test_flag_errors, 0,
			    (int)(sizeof(flag_errors) / sizeof(flag_errors[0])));
	tcase_add_test(tc, test_json_wire_form);
	suite_add_tcase(s, tc);
	return s;
}
