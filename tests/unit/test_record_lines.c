// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The JSON text of a record as the agent serves it: netobs_record_json_write()
 * (escapes, refusals, snprintf-like lengths) and the shared line cache
 * (agent/record_lines.c): one encoding per record while it is held, a new
 * one after the store reuses the slot or the ring comes round.
 */
#define _GNU_SOURCE /* memmem */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record_lines.h"
#include "store.h"

Suite *netobs_test_suite(void);

static void make_flow(struct netobs_record *rec, uint64_t time_ns, const char *ifname)
{
	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->time_ns = time_ns;
	rec->flow.key.family = NETOBS_FAMILY_IPV4;
	rec->flow.key.proto = 17;
	memcpy(rec->flow.key.saddr, "\x0a\x00\x00\x01", 4);
	memcpy(rec->flow.key.daddr, "\xc0\xa8\x64\xfe", 4);
	rec->flow.packets = 3;
	rec->flow.is_reply = -1;
	snprintf(rec->flow.ifname, sizeof(rec->flow.ifname), "%.*s", NETOBS_IFNAME_MAX - 1, ifname);
}

static char *write_line(const struct netobs_record *rec, ssize_t *len)
{
	static char buf[16384];

	*len = netobs_record_json_write(rec, "node-a", buf, sizeof(buf));
	ck_assert_int_gt(*len, 0);
	ck_assert_int_lt(*len, (ssize_t)sizeof(buf));
	buf[*len] = '\0';
	return buf;
}

START_TEST(test_write_fields_and_escapes)
{
	struct netobs_record rec;
	ssize_t len;
	char *text;

	/* A quote, a backslash, a newline, a control byte, two-byte UTF-8. */
	make_flow(&rec, 1764000000123456789ULL, "a\"b\\c\nd\x01\xc3\xa9");
	text = write_line(&rec, &len);
	ck_assert_ptr_nonnull(strstr(text, "\"name\":\"a\\\"b\\\\c\\nd\\u0001\xc3\xa9\""));
	ck_assert_ptr_nonnull(strstr(text, "\"IP\":{\"source\":\"10.0.0.1\",\"destination\":"
					   "\"192.168.100.254\",\"ipVersion\":\"IPv4\"}"));
	ck_assert_ptr_nonnull(strstr(text, "\"time\":\"2025-11-24T16:00:00.123456789Z\""));
	ck_assert_ptr_nonnull(strstr(text, "\"stats\":{\"packets\":\"3\",\"bytes\":\"0\"}"));
	ck_assert(!strncmp(text, "{\"flow\":{\"time\":", 16));
	ck_assert_int_eq((int)strlen(text), (int)len);
	/* jansson reads back what was written */
	json_t *obj = json_loadb(text, (size_t)len, 0, NULL);
	ck_assert_ptr_nonnull(obj);
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_object_get(json_object_get(obj, "flow"), "interface"), "name")),
		"a\"b\\c\nd\x01\xc3\xa9");
	json_decref(obj);
}
END_TEST

START_TEST(test_write_refuses_bad_utf8)
{
	static const char *const bad[] = {"\xc3", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
					  "ok\xff"};
	struct netobs_record rec;
	char buf[4096];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_flow(&rec, 1, bad[i]);
		ck_assert_int_eq(netobs_record_json_write(&rec, "n", buf, sizeof(buf)), -EILSEQ);
		/* jansson refused them too: the object is not made */
		ck_assert_ptr_null(netobs_record_to_json(&rec, "n"));
	}
	make_flow(&rec, 1, "\xf0\x9f\x98\x80"); /* U+1F600 is fine */
	ck_assert_int_gt(netobs_record_json_write(&rec, "n", buf, sizeof(buf)), 0);
	rec.kind = 9;
	ck_assert_int_eq(netobs_record_json_write(&rec, "n", buf, sizeof(buf)), -EINVAL);
}
END_TEST

/* Like snprintf: the whole length whatever the room, and the bytes that fit. */
START_TEST(test_write_short_buffer)
{
	struct netobs_record rec;
	char full[4096], part[64];
	ssize_t len;

	make_flow(&rec, 42, "eth0");
	len = netobs_record_json_write(&rec, "node-a", full, sizeof(full));
	ck_assert_int_gt(len, (ssize_t)sizeof(part));
	memset(part, '#', sizeof(part));
	ck_assert_int_eq(netobs_record_json_write(&rec, "node-a", part, 40), len);
	ck_assert(!memcmp(part, full, 40));
	ck_assert_int_eq(part[40], '#');
	ck_assert_int_eq(netobs_record_json_write(&rec, "node-a", NULL, 0), len);
}
END_TEST

START_TEST(test_lines_shared_and_refreshed)
{
	struct record_store store;
	struct record_lines lines;
	struct record_store_scratch *scratch = malloc(sizeof(*scratch));
	struct netobs_record rec;
	const char *line, *again;
	size_t len, len2;
	ssize_t want_len;
	char *want;

	ck_assert_ptr_nonnull(scratch);
	ck_assert_int_eq(record_store_init(&store, 4), 0);
	ck_assert_int_eq(record_lines_init(&lines, 4), 0);
	make_flow(&rec, 1000, "eth0");
	record_store_append(&store, &rec, NULL, NULL);

	line = record_lines_get(&lines, &store, 1, "node-a", scratch, &len);
	ck_assert_ptr_nonnull(line);
	rec.seq = 1;
	want = write_line(&rec, &want_len);
	ck_assert_uint_eq(len, (size_t)want_len + 1);
	ck_assert(!memcmp(line, want, (size_t)want_len));
	ck_assert_int_eq(line[len - 1], '\n');
	ck_assert_uint_eq(lines.encoded, 1);

	/* A second reader gets the same bytes without encoding them again. */
	again = record_lines_get(&lines, &store, 1, "node-a", scratch, &len2);
	ck_assert_ptr_eq(again, line);
	ck_assert_uint_eq(len2, len);
	ck_assert_uint_eq(lines.encoded, 1);
	ck_assert_uint_eq(lines.reused, 1);

	/* Four more records: seq 5 takes seq 1's slot, and its own line. */
	for (int i = 2; i <= 5; i++) {
		make_flow(&rec, 1000 + (uint64_t)i, i == 5 ? "eth5" : "eth0");
		record_store_append(&store, &rec, NULL, NULL);
	}
	ck_assert_ptr_null(record_lines_get(&lines, &store, 1, "node-a", scratch, &len));
	ck_assert_int_eq(errno, ENOENT);
	line = record_lines_get(&lines, &store, 5, "node-a", scratch, &len);
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(memmem(line, len, "\"name\":\"eth5\"", 13));
	ck_assert_uint_eq(lines.encoded, 2);

	record_lines_free(&lines);
	record_store_free(&store);
	free(scratch);
}
END_TEST

/* Once the ring has come round over a line, the line is made again, right. */
START_TEST(test_lines_ring_comes_round)
{
	struct record_store store;
	struct record_lines lines;
	struct record_store_scratch *scratch = malloc(sizeof(*scratch));
	struct netobs_record rec;
	static struct netobs_names names;
	char ifname[32];
	const char *line;
	size_t len, n;

	ck_assert_ptr_nonnull(scratch);
	ck_assert_int_eq(record_store_init(&store, 8192), 0);
	ck_assert_int_eq(record_lines_init(&lines, 8192), 0);
	ck_assert_uint_eq(lines.ring_size, 8192 * 1024);
	/* Lines of about 1.4 KiB, more than the ring's 1 KiB a slot: it comes
	 * round over lines of records the store still holds. */
	names.len = 4;
	for (int i = 0; i < 4; i++)
		memset(names.name[i], 'a' + i, 250), names.name[i][250] = '\0';
	/* Enough lines to go round the ring about twice. */
	for (n = 1; lines.head < 2 * lines.ring_size; n++) {
		snprintf(ifname, sizeof(ifname), "if%zu", n);
		make_flow(&rec, n, ifname);
		rec.flow.destination_names = &names;
		record_store_append(&store, &rec, NULL, NULL);
		ck_assert_ptr_nonnull(record_lines_get(&lines, &store, n, "node-a", scratch, &len));
	}
	ck_assert_uint_eq(lines.encoded, n - 1);
	/* A record 8000 back is still stored, its line long overwritten:
	 * asked again, it is encoded again. */
	ck_assert_uint_gt(8000 * 1300, lines.ring_size);
	line = record_lines_get(&lines, &store, n - 8000, "node-a", scratch, &len);
	ck_assert_ptr_nonnull(line);
	ck_assert_uint_eq(lines.encoded, n);
	snprintf(ifname, sizeof(ifname), "\"name\":\"if%zu\"", n - 8000);
	ck_assert_ptr_nonnull(memmem(line, len, ifname, strlen(ifname)));
	/* The newest line is still held. */
	line = record_lines_get(&lines, &store, n - 1, "node-a", scratch, &len);
	ck_assert_uint_eq(lines.encoded, n);
	snprintf(ifname, sizeof(ifname), "\"name\":\"if%zu\"", n - 1);
	ck_assert_ptr_nonnull(memmem(line, len, ifname, strlen(ifname)));
	record_lines_free(&lines);
	record_store_free(&store);
	free(scratch);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("record_lines");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_write_fields_and_escapes);
	tcase_add_test(tc, test_write_refuses_bad_utf8);
	tcase_add_test(tc, test_write_short_buffer);
	tcase_add_test(tc, test_lines_shared_and_refreshed);
	tcase_add_test(tc, test_lines_ring_comes_round);
	suite_add_tcase(s, tc);
	return s;
}
