// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Records of policy enforcement: the verdict, drop reason, match type and
 * deciding policy through the JSON encoder, the jansson decoder and the fast
 * scanner (exact round trips), the compact and table lines, the filters
 * (--drop-reason-desc, --type drop|policy-verdict, --verdict) and the agent's
 * record store. Expected values are written out by hand here, not derived
 * from the code under test.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "print_capture.h"
#include "record.h"
#include "store.h"

Suite *netobs_test_suite(void);

/* 2025-11-25T10:52:20.150Z (Python calendar.timegm) */
#define T0_NS (1764067940ULL * 1000000000ULL + 150000000ULL)

static const struct netobs_policy_ref allow_web = {
	.name = "web-ingress", .kind = "CiliumNetworkPolicy", .revision = 3};
static const struct netobs_policy_ref deny_block = {.name = "block-9",
						    .kind = "CiliumClusterwideNetworkPolicy",
						    .revision = 18446744073709551615ULL};

enum kind {
	DROP_DENIED,   /* default deny: 133, no policy */
	DROP_DENY,     /* a deny rule: 181, its policy, on egress */
	AUDIT_NEW,     /* audit mode, a deny rule would have dropped: policy-verdict */
	AUDIT_DENIED,  /* audit mode, default deny would have dropped; an END */
	ALLOWED_NEW,   /* an allow rule: policy-verdict */
	ALLOWED_LATER, /* the same flow's UPDATE: a trace again */
	REPLY,	       /* the reply of an allowed connection */
	UNENFORCED,    /* no policy for this endpoint */
	KIND_COUNT,
};

/* A SYN from client (ID 12) to echo (ID 14), seen where echo's veth sends it to echo. */
static void make_record(struct netobs_record *rec, enum kind kind)
{
	struct netobs_flow_record *f = &rec->flow;

	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->seq = 1;
	rec->time_ns = T0_NS;
	inet_pton(AF_INET, "10.0.0.1", f->key.saddr);
	inet_pton(AF_INET, "10.0.0.2", f->key.daddr);
	f->key.sport = htons(47194);
	f->key.dport = htons(80);
	f->key.family = NETOBS_FAMILY_IPV4;
	f->key.eth_proto = htons(0x0800);
	f->key.proto = IPPROTO_TCP;
	f->key.ifindex = 7;
	f->key.hook = NETOBS_HOOK_TC_EGRESS;
	strcpy(f->ifname, "lxc-echo");
	f->packets = 1;
	f->bytes = 74;
	f->first_seen_ns = f->last_seen_ns = T0_NS;
	f->src.id = 12;
	strcpy(f->src.name, "client");
	f->dst.id = 14;
	strcpy(f->dst.name, "echo");
	f->tcp_flags = f->tcp_flags_seen = NETOBS_TCP_SYN;
	f->event = NETOBS_FLOW_EVENT_NEW;
	f->direction = NETOBS_DIR_INGRESS;
	f->obs_point = NETOBS_OBS_TO_ENDPOINT;
	f->is_reply = 0;
	f->verdict = NETOBS_VERDICT_FORWARDED;
	switch (kind) {
	case DROP_DENIED:
		f->key.key_flags = NETOBS_KEY_F_DROPPED;
		f->verdict = NETOBS_VERDICT_DROPPED;
		f->drop_reason = 133;
		f->policy_verdict = NETOBS_PV_DENIED;
		break;
	case DROP_DENY:
		/* sent by client on its own veth: its egress, an UPDATE of two drops */
		f->key.key_flags = NETOBS_KEY_F_DROPPED;
		f->key.hook = NETOBS_HOOK_TC_INGRESS;
		f->direction = NETOBS_DIR_EGRESS;
		f->obs_point = NETOBS_OBS_FROM_ENDPOINT;
		f->event = NETOBS_FLOW_EVENT_UPDATE;
		f->tcp_flags = 0;
		f->packets = 2;
		f->bytes = 148;
		f->verdict = NETOBS_VERDICT_DROPPED;
		f->drop_reason = 181;
		f->policy_verdict = NETOBS_PV_DENY;
		f->policy_match_type = NETOBS_MATCH_L3_L4;
		f->policy = &deny_block;
		break;
	case AUDIT_NEW:
		f->verdict = NETOBS_VERDICT_AUDIT;
		f->policy_verdict = NETOBS_PV_AUDIT_DENY;
		f->policy_match_type = NETOBS_MATCH_L4_ONLY;
		f->policy = &deny_block;
		break;
	case AUDIT_DENIED:
		f->verdict = NETOBS_VERDICT_AUDIT;
		f->policy_verdict = NETOBS_PV_AUDIT_DENIED;
		f->event = NETOBS_FLOW_EVENT_END;
		f->end_reason = NETOBS_END_IDLE;
		f->tcp_flags = 0;
		break;
	case ALLOWED_NEW:
	case ALLOWED_LATER:
		f->policy_verdict = NETOBS_PV_ALLOWED;
		f->policy_match_type = NETOBS_MATCH_L3_L4;
		f->policy = &allow_web;
		if (kind == ALLOWED_LATER) {
			f->event = NETOBS_FLOW_EVENT_UPDATE;
			f->tcp_flags = 0;
			f->packets = 9;
		}
		break;
	case REPLY:
		f->policy_verdict = NETOBS_PV_REPLY;
		f->is_reply = 1;
		f->tcp_flags = f->tcp_flags_seen = NETOBS_TCP_SYN | NETOBS_TCP_ACK;
		f->event = NETOBS_FLOW_EVENT_TCP_FLAGS;
		break;
	case UNENFORCED:
		f->policy_verdict = NETOBS_PV_UNENFORCED;
		break;
	case KIND_COUNT:
		break;
	}
}

static char *encode(const struct netobs_record *rec, const char *node)
{
	static char line[8192];
	ssize_t len = netobs_record_json_write(rec, node, line, sizeof(line));

	ck_assert_int_gt(len, 0);
	ck_assert_int_lt(len, (ssize_t)sizeof(line));
	line[len] = '\0';
	return line;
}

/* Equal records; the policy compared by what it says (the decoder's is its own copy). */
static void assert_same_record(const struct netobs_record *got, const struct netobs_record *want,
			       const char *line)
{
	struct netobs_record a = *got, b = *want;

	ck_assert_msg(!a.flow.policy == !b.flow.policy, "policy presence differs: %s", line);
	if (a.flow.policy) {
		ck_assert_str_eq(a.flow.policy->name, b.flow.policy->name);
		ck_assert_str_eq(a.flow.policy->kind, b.flow.policy->kind);
		ck_assert_uint_eq(a.flow.policy->revision, b.flow.policy->revision);
	}
	a.flow.policy = b.flow.policy = NULL;
	ck_assert_msg(!memcmp(&a, &b, sizeof(a)), "record differs after: %s", line);
}

/* Every kind: encoder -> jansson decoder gives the record back exactly, and the
 * scanner agrees with jansson (or leaves the line, when it names a policy). */
START_TEST(test_round_trip)
{
	static struct netobs_record_storage storage, scan_storage;
	struct netobs_record rec, back, scanned;
	char err[256];
	const char *line;
	json_t *obj;
	int scan;

	make_record(&rec, (enum kind)_i);
	line = encode(&rec, "node1");
	obj = json_loads(line, 0, NULL);
	ck_assert_ptr_nonnull(obj);
	ck_assert_msg(!netobs_record_from_json_into(obj, &back, &storage, err, sizeof(err)),
		      "%s: %s", err, line);
	json_decref(obj);
	assert_same_record(&back, &rec, line);

	scan = netobs_record_scan_line(line, strlen(line), &scanned, &scan_storage);
	if (rec.flow.policy) {
		ck_assert_msg(!scan, "a policy list is the full decoder's: %s", line);
	} else {
		ck_assert_msg(scan, "not scanned: %s", line);
		assert_same_record(&scanned, &rec, line);
	}
}
END_TEST

/* The whole line of a default-deny drop: no key_flags (DROPPED is the verdict). */
START_TEST(test_encode_drop_exact)
{
	struct netobs_record rec;

	make_record(&rec, DROP_DENIED);
	ck_assert_str_eq(
		encode(&rec, ""),
		"{\"flow\":{\"time\":\"2025-11-25T10:52:20.150000000Z\","
		"\"uuid\":\"cbf29ce4-8422-8325-8000-000000000001\",\"verdict\":\"DROPPED\","
		"\"drop_reason\":133,\"IP\":{\"source\":\"10.0.0.1\",\"destination\":\"10.0.0.2\","
		"\"ipVersion\":\"IPv4\"},\"l4\":{\"TCP\":{\"source_port\":47194,"
		"\"destination_port\":80,\"flags\":{\"SYN\":true}}},\"source\":{\"ID\":12,"
		"\"labels\":[\"netobs:endpoint=client\"],\"pod_name\":\"client\"},"
		"\"destination\":{\"ID\":14,\"labels\":[\"netobs:endpoint=echo\"],"
		"\"pod_name\":\"echo\"},\"Type\":\"L3_L4\",\"traffic_direction\":\"INGRESS\","
		"\"trace_observation_point\":\"TO_ENDPOINT\",\"trace_reason\":\"NEW\","
		"\"drop_reason_desc\":\"POLICY_DENIED\",\"is_reply\":false,"
		"\"interface\":{\"index\":7,\"name\":\"lxc-echo\"},"
		"\"event_type\":{\"type\":1,\"sub_type\":133},\"Summary\":\"TCP Flags: SYN\","
		"\"policy_verdict\":\"DENIED\",\"stats\":{\"packets\":\"1\",\"bytes\":\"74\","
		"\"first_seen\":\"2025-11-25T10:52:20.150000000Z\","
		"\"last_seen\":\"2025-11-25T10:52:20.150000000Z\",\"tcp_flags\":{\"SYN\":true}},"
		"\"flow_event\":\"NEW\",\"hook\":\"tc-egress\"},"
		"\"time\":\"2025-11-25T10:52:20.150000000Z\"}");
}
END_TEST

/* The members each kind adds, as Hubble names and nests them. */
START_TEST(test_encode_policy_members)
{
	struct netobs_record rec;

	make_record(&rec, DROP_DENY);
	ck_assert_ptr_nonnull(
		strstr(encode(&rec, "n"),
		       "\"Summary\":\"TCP\",\"egress_denied_by\":[{\"name\":\"block-9\","
		       "\"kind\":\"CiliumClusterwideNetworkPolicy\",\"revision\":"
		       "\"18446744073709551615\"}],\"policy_verdict\":\"DENY\""));
	ck_assert_ptr_nonnull(
		strstr(encode(&rec, "n"), "\"event_type\":{\"type\":1,\"sub_type\":181}"));
	ck_assert_ptr_nonnull(strstr(encode(&rec, "n"), "\"drop_reason_desc\":\"POLICY_DENY\""));
	ck_assert_ptr_nonnull(strstr(encode(&rec, "n"), "\"traffic_direction\":\"EGRESS\","
							"\"policy_match_type\":2,"));

	make_record(&rec, ALLOWED_NEW);
	ck_assert_ptr_nonnull(strstr(encode(&rec, "n"),
				     "\"ingress_allowed_by\":[{\"name\":\"web-ingress\",\"kind\":"
				     "\"CiliumNetworkPolicy\",\"revision\":\"3\"}],"
				     "\"policy_verdict\":\"ALLOWED\""));
	ck_assert_ptr_nonnull(strstr(encode(&rec, "n"), "\"event_type\":{\"type\":5},"));
	ck_assert_ptr_null(strstr(encode(&rec, "n"), "drop_reason"));

	make_record(&rec, ALLOWED_LATER); /* only the NEW record is the policy verdict */
	ck_assert_ptr_nonnull(strstr(encode(&rec, "n"), "\"event_type\":{\"type\":4},"));

	make_record(&rec, AUDIT_NEW);
	ck_assert_ptr_nonnull(strstr(encode(&rec, "n"), "\"verdict\":\"AUDIT\""));
	ck_assert_ptr_nonnull(strstr(encode(&rec, "n"), "\"ingress_denied_by\":[{\"name\":"));
	ck_assert_ptr_nonnull(strstr(encode(&rec, "n"), "\"event_type\":{\"type\":5},"));

	make_record(&rec, REPLY); /* no rule decided: no list, no match type */
	ck_assert_ptr_null(strstr(encode(&rec, "n"), "_by\""));
	ck_assert_ptr_null(strstr(encode(&rec, "n"), "policy_match_type"));
	ck_assert_ptr_nonnull(strstr(encode(&rec, "n"), "\"policy_verdict\":\"REPLY\""));

	make_record(&rec, UNENFORCED);
	rec.flow.policy_verdict = NETOBS_PV_NONE; /* no policy loaded: nothing written */
	ck_assert_ptr_null(strstr(encode(&rec, "n"), "policy"));
}
END_TEST

static const char *const bad_lines[] = {
	/* the number and the name of the drop reason disagree */
	"\"verdict\":\"DROPPED\",\"drop_reason\":133,\"drop_reason_desc\":\"POLICY_DENY\"",
	/* allowed_by on an egress record */
	"\"traffic_direction\":\"EGRESS\",\"policy_verdict\":\"ALLOWED\",\"ingress_allowed_by\":"
	"[{\"name\":\"a\",\"kind\":\"CiliumNetworkPolicy\",\"revision\":\"1\"}]",
	/* two lists */
	"\"traffic_direction\":\"INGRESS\",\"policy_verdict\":\"ALLOWED\",\"ingress_allowed_by\":"
	"[{\"name\":\"a\",\"kind\":\"k\"}],\"ingress_denied_by\":[{\"name\":\"b\",\"kind\":\"k\"}]",
	/* two policies in one list */
	"\"traffic_direction\":\"INGRESS\",\"policy_verdict\":\"ALLOWED\",\"ingress_allowed_by\":"
	"[{\"name\":\"a\",\"kind\":\"k\"},{\"name\":\"b\",\"kind\":\"k\"}]",
	/* no name */
	"\"traffic_direction\":\"INGRESS\",\"policy_verdict\":\"ALLOWED\",\"ingress_allowed_by\":"
	"[{\"kind\":\"k\"}]",
	"\"policy_verdict\":\"MAYBE\"",
	"\"drop_reason_desc\":\"CT_TRUNCATED\"",
	"\"policy_match_type\":256",
	"\"key_flags\":[\"DROPPED\"]",
};

/* Wrong input is refused with a message naming the member, by both decoders. */
START_TEST(test_decode_refuses)
{
	static struct netobs_record_storage storage;
	struct netobs_record rec;
	char line[1024], err[256];
	json_t *obj;

	snprintf(line, sizeof(line),
		 "{\"flow\":{\"hook\":\"tc-ingress\",\"flow_event\":\"NEW\",%s},"
		 "\"time\":\"2026-01-01T00:00:00Z\"}",
		 bad_lines[_i]);
	obj = json_loads(line, 0, NULL);
	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(netobs_record_from_json_into(obj, &rec, &storage, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "flow"), "message '%s' names no member", err);
	json_decref(obj);
	ck_assert_msg(!netobs_record_scan_line(line, strlen(line), &rec, &storage), "scanned: %s",
		      line);
}
END_TEST

/* Without storage the decoder cannot keep a policy: it says so. */
START_TEST(test_decode_policy_needs_storage)
{
	struct netobs_record rec;
	char err[256];
	json_t *obj;

	make_record(&rec, ALLOWED_NEW);
	obj = json_loads(encode(&rec, "n"), 0, NULL);
	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(netobs_record_from_json(obj, &rec, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "ingress_allowed_by"));
	json_decref(obj);
}
END_TEST

/* An unnamed drop reason is written as the number alone and read back as is. */
START_TEST(test_unnamed_drop_reason)
{
	static struct netobs_record_storage storage;
	struct netobs_record rec, back;
	char err[256];
	const char *line;
	json_t *obj;

	make_record(&rec, DROP_DENIED);
	rec.flow.drop_reason = 196;
	rec.flow.key.key_flags = 0; /* not a policy drop: no entry of the agent's */
	line = encode(&rec, "n");
	ck_assert_ptr_null(strstr(line, "drop_reason_desc"));
	ck_assert_ptr_nonnull(strstr(line, "\"event_type\":{\"type\":1,\"sub_type\":196}"));
	obj = json_loads(line, 0, NULL);
	ck_assert_int_eq(netobs_record_from_json_into(obj, &back, &storage, err, sizeof(err)), 0);
	json_decref(obj);
	assert_same_record(&back, &rec, line);
	ck_assert_int_eq(netobs_record_scan_line(line, strlen(line), &back, &storage), 1);
	assert_same_record(&back, &rec, line);
}
END_TEST

START_TEST(test_event_type)
{
	static const struct {
		enum kind kind;
		int type, subtype;
	} want[] = {
		{DROP_DENIED, 1, 133}, {DROP_DENY, 1, 181}, {AUDIT_NEW, 5, 0},
		{AUDIT_DENIED, 4, 0},  {ALLOWED_NEW, 5, 0}, {ALLOWED_LATER, 4, 0},
		{REPLY, 4, 0},	       {UNENFORCED, 4, 0},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct netobs_record rec;
		int type = -9, subtype = -9;

		make_record(&rec, want[i].kind);
		ck_assert(netobs_flow_event_type(&rec.flow, &type, &subtype));
		ck_assert_int_eq(type, want[i].type);
		ck_assert_int_eq(subtype, want[i].subtype);
	}
}
END_TEST

/* Hubble's TYPE and VERDICT columns for drops and policy verdicts. */
START_TEST(test_print_compact)
{
	static const struct {
		enum kind kind;
		const char *line;
	} want[] = {
		{DROP_DENIED, "Nov 25 10:52:20.150: client:47194 (ID:12) -> echo:80 (ID:14) "
			      "Policy denied DROPPED (TCP Flags: SYN) new 1 pkts 74 B\n"},
		{DROP_DENY, "Nov 25 10:52:20.150: client:47194 (ID:12) -> echo:80 (ID:14) "
			    "Policy denied by denylist DROPPED (TCP) update 2 pkts 148 B\n"},
		{ALLOWED_NEW,
		 "Nov 25 10:52:20.150: client:47194 (ID:12) -> echo:80 (ID:14) "
		 "policy-verdict:L3-L4 INGRESS ALLOWED (TCP Flags: SYN) new 1 pkts 74 B\n"},
		{AUDIT_NEW,
		 "Nov 25 10:52:20.150: client:47194 (ID:12) -> echo:80 (ID:14) "
		 "policy-verdict:L4-Only INGRESS AUDIT (TCP Flags: SYN) new 1 pkts 74 B\n"},
		{ALLOWED_LATER, "Nov 25 10:52:20.150: client:47194 (ID:12) -> echo:80 (ID:14) "
				"to-endpoint FORWARDED (TCP) update 9 pkts 74 B\n"},
		{AUDIT_DENIED, "Nov 25 10:52:20.150: client:47194 (ID:12) -> echo:80 (ID:14) "
			       "to-endpoint AUDIT (TCP) end(IDLE) 1 pkts 74 B\n"},
	};

	use_utc();
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct netobs_record rec;

		make_record(&rec, want[i].kind);
		assert_compact(&rec, want[i].line);
	}
}
END_TEST

START_TEST(test_print_table)
{
	static const struct {
		enum kind kind;
		const char *type, *verdict, *summary, *event, *packets, *bytes;
	} want[] = {
		{DROP_DENIED, "Policy denied", "DROPPED", "TCP Flags: SYN", "new", "1", "74"},
		{ALLOWED_NEW, "policy-verdict:L3-L4 INGRESS", "ALLOWED", "TCP Flags: SYN", "new",
		 "1", "74"},
		{DROP_DENY, "Policy denied by denylist", "DROPPED", "TCP", "update", "2", "148"},
	};

	use_utc();
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct netobs_record rec;
		char expected[512], *row;

		make_record(&rec, want[i].kind);
		/* docs/records.md's columns: 19, 30, 30, 13, 9, 28, 9, right 10, right 12 */
		snprintf(expected, sizeof(expected),
			 "%-19s %-30s %-30s %-13s %-9s %-28s %-9s %10s %12s\n",
			 "Nov 25 10:52:20.150", "client:47194", "echo:80", want[i].type,
			 want[i].verdict, want[i].summary, want[i].event, want[i].packets,
			 want[i].bytes);
		row = capture(netobs_print_table_row, &rec);
		ck_assert_str_eq(row, expected);
		free(row);
	}
}
END_TEST

/* Which kinds a filter set built from flags lets through, as a bit per kind. */
static unsigned int passing(const char *const *flags, size_t n)
{
	struct netobs_filter_set set, back;
	unsigned int mask = 0;
	char err[256];
	json_t *wire;

	netobs_filter_set_init(&set);
	for (size_t i = 0; i + 1 < n; i += 2) {
		bool negate = !strncmp(flags[i], "not:", 4);

		ck_assert_msg(!netobs_filter_add_flag(&set, flags[i] + (negate ? 4 : 0),
						      flags[i + 1], negate, err, sizeof(err)),
			      "--%s %s: %s", flags[i], flags[i + 1], err);
	}
	/* the agent matches what the CLI sent: go through the wire form */
	wire = netobs_filter_set_to_json(&set);
	ck_assert_ptr_nonnull(wire);
	ck_assert_msg(!netobs_filter_set_from_json(wire, &back, err, sizeof(err)), "%s", err);
	json_decref(wire);
	for (int k = 0; k < KIND_COUNT; k++) {
		struct netobs_record rec;

		make_record(&rec, (enum kind)k);
		ck_assert(netobs_filter_set_match(&set, &rec) ==
			  netobs_filter_set_match(&back, &rec));
		if (netobs_filter_set_match(&back, &rec))
			mask |= 1u << k;
	}
	return mask;
}

#define PASSING(...)                                                                               \
	passing((const char *const[]){__VA_ARGS__},                                                \
		sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#define BIT(k) (1u << (k))
#define ALL    ((1u << KIND_COUNT) - 1)

START_TEST(test_filters)
{
	char err[256];
	struct netobs_filter_set set;

	ck_assert_uint_eq(PASSING("drop-reason-desc", "POLICY_DENIED"), BIT(DROP_DENIED));
	ck_assert_uint_eq(PASSING("drop-reason-desc", "policy_deny"), BIT(DROP_DENY));
	ck_assert_uint_eq(
		PASSING("drop-reason-desc", "POLICY_DENIED", "drop-reason-desc", "POLICY_DENY"),
		BIT(DROP_DENIED) | BIT(DROP_DENY));
	ck_assert_uint_eq(PASSING("not:drop-reason-desc", "POLICY_DENY"), ALL & ~BIT(DROP_DENY));
	ck_assert_uint_eq(PASSING("type", "drop"), BIT(DROP_DENIED) | BIT(DROP_DENY));
	ck_assert_uint_eq(PASSING("type", "policy-verdict"), BIT(AUDIT_NEW) | BIT(ALLOWED_NEW));
	ck_assert_uint_eq(PASSING("type", "trace"),
			  BIT(AUDIT_DENIED) | BIT(ALLOWED_LATER) | BIT(REPLY) | BIT(UNENFORCED));
	ck_assert_uint_eq(PASSING("type", "trace:to-endpoint"),
			  BIT(AUDIT_DENIED) | BIT(ALLOWED_LATER) | BIT(REPLY) | BIT(UNENFORCED));
	ck_assert_uint_eq(PASSING("type", "drop", "type", "policy-verdict"),
			  BIT(DROP_DENIED) | BIT(DROP_DENY) | BIT(AUDIT_NEW) | BIT(ALLOWED_NEW));
	ck_assert_uint_eq(PASSING("not:type", "drop"), ALL & ~(BIT(DROP_DENIED) | BIT(DROP_DENY)));
	ck_assert_uint_eq(PASSING("verdict", "AUDIT"), BIT(AUDIT_NEW) | BIT(AUDIT_DENIED));
	ck_assert_uint_eq(PASSING("verdict", "DROPPED"), BIT(DROP_DENIED) | BIT(DROP_DENY));
	ck_assert_uint_eq(PASSING("verdict", "DROPPED", "drop-reason-desc", "POLICY_DENY"),
			  BIT(DROP_DENY));

	netobs_filter_set_init(&set);
	ck_assert_int_eq(
		netobs_filter_add_flag(&set, "drop-reason-desc", "DENIED", false, err, sizeof(err)),
		-EINVAL);
	ck_assert_str_eq(err, "invalid --drop-reason-desc value 'DENIED': expected POLICY_DENIED "
			      "or POLICY_DENY");
	ck_assert_int_eq(netobs_filter_add_flag(&set, "drop-reason-desc", "DROP_REASON_UNKNOWN",
						false, err, sizeof(err)),
			 -EINVAL);
	ck_assert(netobs_filter_is_flag("drop-reason-desc"));
}
END_TEST

/* The agent's filter request names the field as Hubble's FlowFilter does. */
START_TEST(test_filter_wire_form)
{
	struct netobs_filter_set set;
	char err[256], *text;
	json_t *obj;

	netobs_filter_set_init(&set);
	ck_assert_int_eq(netobs_filter_add_flag(&set, "drop-reason-desc", "POLICY_DENY", true, err,
						sizeof(err)),
			 0);
	obj = netobs_filter_set_to_json(&set);
	text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(text, "{\"deny\":{\"drop_reason_desc\":[\"POLICY_DENY\"]}}");
	free(text);
	json_decref(obj);
	obj = json_loads("{\"allow\":{\"drop_reason_desc\":[\"NOPE\"]}}", 0, NULL);
	ck_assert_int_eq(netobs_filter_set_from_json(obj, &set, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "allow.drop_reason_desc"));
	json_decref(obj);
}
END_TEST

/* The agent's store keeps the policy fields and pointer, with or without parts. */
START_TEST(test_store_keeps_policy)
{
	static struct record_store_scratch scratch;
	static struct netobs_names names = {.len = 1, .name = {"echo.example."}};
	struct record_store store;
	struct netobs_record rec;
	const struct netobs_record *got;

	ck_assert_int_eq(record_store_init_parts(&store, 8, RECORD_STORE_PARTS_MIN), 0);
	make_record(&rec, DROP_DENY);
	record_store_append(&store, &rec, NULL, NULL);
	make_record(&rec, ALLOWED_NEW);
	rec.flow.destination_names = &names; /* packed: the record has parts */
	record_store_append(&store, &rec, NULL, NULL);

	got = record_store_get_full(&store, record_store_oldest_seq(&store), &scratch);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(got->flow.verdict, NETOBS_VERDICT_DROPPED);
	ck_assert_uint_eq(got->flow.drop_reason, 181);
	ck_assert_uint_eq(got->flow.policy_verdict, NETOBS_PV_DENY);
	ck_assert_uint_eq(got->flow.policy_match_type, NETOBS_MATCH_L3_L4);
	ck_assert_ptr_eq(got->flow.policy, &deny_block);
	ck_assert_uint_eq(got->flow.key.key_flags, NETOBS_KEY_F_DROPPED);

	got = record_store_get_full(&store, record_store_newest_seq(&store), &scratch);
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(got->flow.destination_names);
	ck_assert_str_eq(got->flow.destination_names->name[0], "echo.example.");
	ck_assert_uint_eq(got->flow.policy_verdict, NETOBS_PV_ALLOWED);
	ck_assert_ptr_eq(got->flow.policy, &allow_web);
	record_store_free(&store);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("record_policy");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_round_trip, 0, KIND_COUNT);
	tcase_add_test(tc, test_encode_drop_exact);
	tcase_add_test(tc, test_encode_policy_members);
	tcase_add_loop_test(tc, test_decode_refuses, 0,
			    (int)(sizeof(bad_lines) / sizeof(bad_lines[0])));
	tcase_add_test(tc, test_decode_policy_needs_storage);
	tcase_add_test(tc, test_unnamed_drop_reason);
	tcase_add_test(tc, test_event_type);
	tcase_add_test(tc, test_print_compact);
	tcase_add_test(tc, test_print_table);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_filter_wire_form);
	tcase_add_test(tc, test_store_keeps_policy);
	suite_add_tcase(s, tc);
	return s;
}
