// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Record store: sequence numbers, bounds before and after wrap-around,
 * copies; L7 parts and names kept in the arena and evicted with their
 * records, every eviction reported.
 */
#include <check.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record_parts.h"
#include "store.h"

Suite *netobs_test_suite(void);

/* A flow record whose time_ns tells which append it came from. */
static void make_plain(struct netobs_record *rec, uint64_t time_ns)
{
	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->time_ns = time_ns;
	rec->flow.packets = time_ns + 1;
	strcpy(rec->flow.ifname, "eth0");
}

START_TEST(test_init_capacity_zero)
{
	struct record_store store;

	ck_assert_int_eq(record_store_init(&store, 0), -EINVAL);
	record_store_free(&store); /* must be safe after a failed init */
}
END_TEST

START_TEST(test_empty_store)
{
	struct record_store store;

	ck_assert_int_eq(record_store_init(&store, 4), 0);
	ck_assert_uint_eq(record_store_count(&store), 0);
	ck_assert_uint_eq(record_store_newest_seq(&store), 0);
	ck_assert_uint_eq(record_store_oldest_seq(&store), 1);
	ck_assert_ptr_null(record_store_get(&store, 0));
	ck_assert_ptr_null(record_store_get(&store, 1));
	record_store_free(&store);
}
END_TEST

START_TEST(test_append_assigns_sequence)
{
	struct record_store store;
	struct netobs_record rec;
	struct netobs_record *stored;

	ck_assert_int_eq(record_store_init(&store, 8), 0);

	make_plain(&rec, 500);
	rec.seq = 999; /* the caller's seq is ignored */
	stored = record_store_append(&store, &rec, NULL, NULL);
	ck_assert_ptr_nonnull(stored);
	ck_assert_uint_eq(stored->seq, 1);
	ck_assert_uint_eq(stored->time_ns, 500);

	make_plain(&rec, 501);
	ck_assert_uint_eq(record_store_append(&store, &rec, NULL, NULL)->seq, 2);
	make_plain(&rec, 502);
	ck_assert_uint_eq(record_store_append(&store, &rec, NULL, NULL)->seq, 3);

	ck_assert_uint_eq(record_store_oldest_seq(&store), 1);
	ck_assert_uint_eq(record_store_newest_seq(&store), 3);
	ck_assert_uint_eq(record_store_count(&store), 3);
	ck_assert_uint_eq(record_store_get(&store, 1)->time_ns, 500);
	ck_assert_uint_eq(record_store_get(&store, 2)->time_ns, 501);
	ck_assert_uint_eq(record_store_get(&store, 3)->time_ns, 502);
	ck_assert_ptr_null(record_store_get(&store, 4));
	record_store_free(&store);
}
END_TEST

START_TEST(test_wrap_around)
{
	/* time_ns of append number i (1-based) */
	static const uint64_t times[10] = {1001, 1002, 1003, 1004, 1005,
					   1006, 1007, 1008, 1009, 1010};
	struct record_store store;
	struct netobs_record rec;

	ck_assert_int_eq(record_store_init(&store, 4), 0);
	for (int i = 0; i < 4; i++) {
		make_plain(&rec, times[i]);
		record_store_append(&store, &rec, NULL, NULL);
	}
	/* exactly full */
	ck_assert_uint_eq(record_store_oldest_seq(&store), 1);
	ck_assert_uint_eq(record_store_newest_seq(&store), 4);
	ck_assert_uint_eq(record_store_count(&store), 4);
	ck_assert_uint_eq(record_store_get(&store, 1)->time_ns, 1001);
	ck_assert_uint_eq(record_store_get(&store, 4)->time_ns, 1004);

	make_plain(&rec, times[4]);
	record_store_append(&store, &rec, NULL, NULL);
	/* one past full: seq 1 overwritten */
	ck_assert_uint_eq(record_store_oldest_seq(&store), 2);
	ck_assert_uint_eq(record_store_newest_seq(&store), 5);
	ck_assert_uint_eq(record_store_count(&store), 4);
	ck_assert_ptr_null(record_store_get(&store, 1));
	ck_assert_uint_eq(record_store_get(&store, 5)->time_ns, 1005);

	for (int i = 5; i < 10; i++) {
		make_plain(&rec, times[i]);
		record_store_append(&store, &rec, NULL, NULL);
	}
	ck_assert_uint_eq(record_store_oldest_seq(&store), 7);
	ck_assert_uint_eq(record_store_newest_seq(&store), 10);
	ck_assert_uint_eq(record_store_count(&store), 4);

	ck_assert_ptr_null(record_store_get(&store, 0));
	ck_assert_ptr_null(record_store_get(&store, 1));
	ck_assert_ptr_null(record_store_get(&store, 6));  /* overwritten */
	ck_assert_ptr_null(record_store_get(&store, 11)); /* not made yet */
	ck_assert_ptr_null(record_store_get(&store, UINT64_MAX));

	ck_assert_uint_eq(record_store_get(&store, 7)->seq, 7);
	ck_assert_uint_eq(record_store_get(&store, 7)->time_ns, 1007);
	ck_assert_uint_eq(record_store_get(&store, 7)->flow.packets, 1008);
	ck_assert_uint_eq(record_store_get(&store, 8)->seq, 8);
	ck_assert_uint_eq(record_store_get(&store, 8)->time_ns, 1008);
	ck_assert_uint_eq(record_store_get(&store, 9)->seq, 9);
	ck_assert_uint_eq(record_store_get(&store, 9)->time_ns, 1009);
	ck_assert_uint_eq(record_store_get(&store, 10)->seq, 10);
	ck_assert_uint_eq(record_store_get(&store, 10)->time_ns, 1010);
	ck_assert_uint_eq(record_store_get(&store, 10)->flow.packets, 1011);
	record_store_free(&store);
}
END_TEST

START_TEST(test_capacity_one)
{
	struct record_store store;
	struct netobs_record rec;

	ck_assert_int_eq(record_store_init(&store, 1), 0);
	make_plain(&rec, 70);
	record_store_append(&store, &rec, NULL, NULL);
	make_plain(&rec, 71);
	record_store_append(&store, &rec, NULL, NULL);
	make_plain(&rec, 72);
	record_store_append(&store, &rec, NULL, NULL);
	ck_assert_uint_eq(record_store_oldest_seq(&store), 3);
	ck_assert_uint_eq(record_store_newest_seq(&store), 3);
	ck_assert_uint_eq(record_store_count(&store), 1);
	ck_assert_ptr_null(record_store_get(&store, 2));
	ck_assert_uint_eq(record_store_get(&store, 3)->time_ns, 72);
	record_store_free(&store);
}
END_TEST

START_TEST(test_copies_are_independent)
{
	struct record_store store;
	struct netobs_record rec;
	struct netobs_record *stored;
	const struct netobs_record *got;

	ck_assert_int_eq(record_store_init(&store, 4), 0);
	make_plain(&rec, 300);
	rec.flow.key.proto = 6;
	stored = record_store_append(&store, &rec, NULL, NULL);
	ck_assert_ptr_ne(stored, &rec);

	/* the caller reuses its struct: the stored copy must not follow */
	rec.time_ns = 301;
	rec.flow.key.proto = 17;
	strcpy(rec.flow.ifname, "wlan9");

	got = record_store_get(&store, 1);
	ck_assert_ptr_eq(got, stored);
	ck_assert_uint_eq(got->time_ns, 300);
	ck_assert_uint_eq(got->flow.key.proto, 6);
	ck_assert_str_eq(got->flow.ifname, "eth0");
	ck_assert_uint_eq(got->kind, NETOBS_RECORD_FLOW);
	ck_assert_uint_eq(rec.seq, 0); /* input not written */

	/* the next append goes elsewhere and leaves the first alone */
	record_store_append(&store, &rec, NULL, NULL);
	ck_assert_uint_eq(record_store_get(&store, 1)->time_ns, 300);
	ck_assert_uint_eq(record_store_get(&store, 2)->time_ns, 301);
	ck_assert_str_eq(record_store_get(&store, 2)->flow.ifname, "wlan9");
	record_store_free(&store);
}
END_TEST

START_TEST(test_lost_record_kind)
{
	struct record_store store;
	struct netobs_record rec;

	ck_assert_int_eq(record_store_init(&store, 2), 0);
	memset(&rec, 0, sizeof(rec));
	rec.kind = NETOBS_RECORD_LOST_EVENTS;
	rec.lost.count = 42;
	rec.lost.cpu = -1;
	rec.lost.source = NETOBS_LOST_HUBBLE_RING_BUFFER;
	record_store_append(&store, &rec, NULL, NULL);
	ck_assert_uint_eq(record_store_get(&store, 1)->kind, NETOBS_RECORD_LOST_EVENTS);
	ck_assert_uint_eq(record_store_get(&store, 1)->lost.count, 42);
	ck_assert_int_eq(record_store_get(&store, 1)->lost.cpu, -1);
	record_store_free(&store);
}
END_TEST

/* What an eviction callback saw: each record's seq, and its DNS query
 * when it came with its L7 part (so the callback is shown full records). */
struct evictions {
	size_t n;
	uint64_t seq[64];
	char query[64][16];
};

static void note_eviction(void *ctx, const struct netobs_record *rec)
{
	struct evictions *ev = ctx;

	ck_assert_uint_lt(ev->n, 64);
	ev->seq[ev->n] = rec->seq;
	ev->query[ev->n][0] = '\0';
	if (rec->kind == NETOBS_RECORD_FLOW && rec->flow.l7)
		snprintf(ev->query[ev->n], sizeof(ev->query[0]), "%.8s", rec->flow.l7->dns.query);
	ev->n++;
}

/*
 * A DNS request record whose parts pack to exactly `size` bytes, by the
 * layout in lib/record_pack.h: parts 1, head 11, query 2 + q, ttl 4,
 * rcode 2, four zero counts 4: q + 24. The query starts "qNNNNNN." (tag).
 */
static void make_l7_of_size(struct netobs_record *rec, struct netobs_l7 *l7, unsigned int tag,
			    size_t size)
{
	size_t q = size - 24;

	make_flow(rec, 1000 + tag);
	make_dns_request(l7, "");
	l7->dns.qtypes_len = 0;
	fill_text(l7->dns.query, q, tag);
	snprintf(l7->dns.query, 9, "q%06u", tag);
	l7->dns.query[7] = 'x'; /* snprintf's NUL, back to text */
	l7->dns.query[q] = '\0';
	rec->flow.l7 = l7;
}

static char *record_json_text(const struct netobs_record *rec)
{
	json_t *obj = netobs_record_to_json(rec, "node1");
	char *text;

	ck_assert_ptr_nonnull(obj);
	text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(obj);
	ck_assert_ptr_nonnull(text);
	return text;
}

START_TEST(test_init_arena_too_small)
{
	struct record_store store;

	ck_assert_int_eq(record_store_init_parts(&store, 4, RECORD_STORE_PARTS_MIN - 1), -EINVAL);
	record_store_free(&store);
	ck_assert_int_eq(record_store_init_parts(&store, 4, RECORD_STORE_PARTS_MIN), 0);
	ck_assert_uint_ge(RECORD_STORE_PARTS_MIN, RECORD_PACK_MAX);
	record_store_free(&store);
}
END_TEST

/* An L7 record, a named L3/L4 record and an HTTP one come back as they went
 * in, though the caller reuses its parts at once. */
START_TEST(test_parts_come_back)
{
	struct record_store store;
	struct record_store_scratch *scratch = malloc(sizeof(*scratch));
	struct netobs_record dns, named, http;
	struct netobs_l7 dns_l7, http_l7, want_dns, want_http;
	struct netobs_names src, dst, want_src, want_dst;
	char *text_dns, *text_named, *text_http, *got;
	const struct netobs_record *rec;

	ck_assert_int_eq(record_store_init_parts(&store, 8, RECORD_STORE_PARTS_MIN), 0);
	make_flow(&dns, 100);
	make_dns_response(&dns_l7, "www.example.com.");
	make_names(&dst, 1, 20, 4);
	dns.flow.l7 = &dns_l7;
	dns.flow.destination_names = &dst;
	make_flow(&named, 101);
	make_names(&src, NETOBS_NAMES_MAX, 60, 1);
	named.flow.source_names = &src;
	named.flow.destination_names = &dst;
	make_flow(&http, 102);
	make_http_max(&http_l7);
	http.flow.l7 = &http_l7;

	/* What the stored copies must say: seq is the store's. */
	dns.seq = 1, named.seq = 2, http.seq = 3;
	text_dns = record_json_text(&dns);
	text_named = record_json_text(&named);
	text_http = record_json_text(&http);
	want_dns = dns_l7, want_http = http_l7, want_src = src, want_dst = dst;

	record_store_append(&store, &dns, NULL, NULL);
	record_store_append(&store, &named, NULL, NULL);
	record_store_append(&store, &http, NULL, NULL);
	memset(&dns_l7, 0xee, sizeof(dns_l7));
	memset(&http_l7, 0xee, sizeof(http_l7));
	memset(&src, 0xee, sizeof(src));
	memset(&dst, 0xee, sizeof(dst));

	/* Without parts: no pointer survives into the store. */
	rec = record_store_get(&store, 1);
	ck_assert_ptr_null(rec->flow.l7);
	ck_assert_ptr_null(rec->flow.destination_names);
	ck_assert_ptr_null(record_store_get(&store, 2)->flow.source_names);

	rec = record_store_get_full(&store, 1, scratch);
	assert_l7_equal(rec->flow.l7, &want_dns);
	assert_names_equal(rec->flow.destination_names, &want_dst);
	ck_assert_ptr_null(rec->flow.source_names);
	got = record_json_text(rec);
	ck_assert_str_eq(got, text_dns);
	free(got);

	rec = record_store_get_full(&store, 2, scratch);
	ck_assert_ptr_null(rec->flow.l7);
	assert_names_equal(rec->flow.source_names, &want_src);
	assert_names_equal(rec->flow.destination_names, &want_dst);
	got = record_json_text(rec);
	ck_assert_str_eq(got, text_named);
	free(got);

	rec = record_store_get_full(&store, 3, scratch);
	assert_l7_equal(rec->flow.l7, &want_http);
	got = record_json_text(rec);
	ck_assert_str_eq(got, text_http);
	free(got);

	ck_assert_ptr_null(record_store_get_full(&store, 4, scratch));
	ck_assert_uint_eq(store.refused_parts, 0);
	ck_assert_uint_eq(store.corrupt_parts, 0);
	free(text_dns);
	free(text_named);
	free(text_http);
	free(scratch);
	record_store_free(&store);
}
END_TEST

/* Plain records come back from get_full as they are: the ring's own copy. */
START_TEST(test_plain_get_full_is_stored_copy)
{
	struct record_store store;
	struct record_store_scratch *scratch = malloc(sizeof(*scratch));
	struct netobs_record rec;

	ck_assert_int_eq(record_store_init_parts(&store, 4, RECORD_STORE_PARTS_MIN), 0);
	make_plain(&rec, 5);
	record_store_append(&store, &rec, NULL, NULL);
	ck_assert_ptr_eq(record_store_get_full(&store, 1, scratch), record_store_get(&store, 1));
	ck_assert_uint_eq(record_store_parts_used(&store), 0);
	free(scratch);
	record_store_free(&store);
}
END_TEST

/*
 * 1000-byte parts in a 65536-byte arena: 65 fit in a lap, the 66th starts
 * the next (536 bytes unused at the end) and evicts the oldest record; once
 * older records without parts stand in the way they go too, whole and in
 * order, and the callback sees exactly those.
 */
START_TEST(test_arena_wrap_evicts_oldest)
{
	struct record_store store;
	struct record_store_scratch *scratch = malloc(sizeof(*scratch));
	struct evictions ev = {};
	struct netobs_record rec;
	struct netobs_l7 l7;
	unsigned int seq = 0;
	char want[16];

	ck_assert_int_eq(record_store_init_parts(&store, 1000, 65536), 0);
	make_l7_of_size(&rec, &l7, ++seq, 1000); /* seq 1 */
	record_store_append(&store, &rec, note_eviction, &ev);
	make_plain(&rec, ++seq); /* seq 2, 3: no parts */
	record_store_append(&store, &rec, note_eviction, &ev);
	make_plain(&rec, ++seq);
	record_store_append(&store, &rec, note_eviction, &ev);
	while (seq < 67) { /* seq 4..67: 65 parts in all */
		make_l7_of_size(&rec, &l7, ++seq, 1000);
		record_store_append(&store, &rec, note_eviction, &ev);
	}
	ck_assert_uint_eq(ev.n, 0);
	ck_assert_uint_eq(record_store_parts_used(&store), 65000);

	make_l7_of_size(&rec, &l7, ++seq, 1000); /* 68: next lap, 1 goes */
	record_store_append(&store, &rec, note_eviction, &ev);
	ck_assert_uint_eq(ev.n, 1);
	ck_assert_uint_eq(ev.seq[0], 1);
	ck_assert_str_eq(ev.query[0], "q000001x");
	ck_assert_uint_eq(record_store_oldest_seq(&store), 2);

	make_l7_of_size(&rec, &l7, ++seq, 1000); /* 69: 2 and 3 free nothing, 4 does */
	record_store_append(&store, &rec, note_eviction, &ev);
	ck_assert_uint_eq(ev.n, 4);
	ck_assert_uint_eq(ev.seq[1], 2);
	ck_assert_str_eq(ev.query[1], "");
	ck_assert_uint_eq(ev.seq[2], 3);
	ck_assert_uint_eq(ev.seq[3], 4);
	ck_assert_str_eq(ev.query[3], "q000004x");
	ck_assert_uint_eq(store.evicted_for_parts, 4);
	ck_assert_uint_eq(record_store_oldest_seq(&store), 5);
	ck_assert_uint_eq(record_store_newest_seq(&store), 69);
	ck_assert_uint_eq(record_store_count(&store), 65);
	ck_assert_ptr_null(record_store_get(&store, 4));
	ck_assert_ptr_null(record_store_get_full(&store, 4, scratch));
	/* live: 5..67 at 2000..65000 (4 had the second blob), the lap's
	 * unused 536 bytes, 68 and 69: the arena exactly full */
	ck_assert_uint_eq(record_store_parts_used(&store), 63000 + 536 + 2000);

	for (unsigned int s = 5; s <= 69; s++) {
		const struct netobs_record *got = record_store_get_full(&store, s, scratch);

		ck_assert_ptr_nonnull(got);
		ck_assert_uint_eq(got->seq, s);
		ck_assert_uint_eq(got->time_ns, 1000 + s);
		snprintf(want, sizeof(want), "q%06ux", s);
		ck_assert_ptr_nonnull(got->flow.l7);
		ck_assert_mem_eq(got->flow.l7->dns.query, want, 8);
		ck_assert_uint_eq(strlen(got->flow.l7->dns.query), 976);
	}
	free(scratch);
	record_store_free(&store);
}
END_TEST

/* The ring still evicts by slot, with the parts: the arena follows. */
START_TEST(test_ring_wrap_with_parts)
{
	struct record_store store;
	struct record_store_scratch *scratch = malloc(sizeof(*scratch));
	struct evictions ev = {};
	struct netobs_record rec;
	struct netobs_l7 l7;
	char want[16];

	ck_assert_int_eq(record_store_init_parts(&store, 4, RECORD_STORE_PARTS_MIN), 0);
	for (unsigned int s = 1; s <= 10; s++) {
		make_l7_of_size(&rec, &l7, s, 100 + 10 * s);
		record_store_append(&store, &rec, note_eviction, &ev);
	}
	ck_assert_uint_eq(ev.n, 6);
	for (unsigned int i = 0; i < 6; i++) {
		ck_assert_uint_eq(ev.seq[i], i + 1);
		snprintf(want, sizeof(want), "q%06ux", i + 1);
		ck_assert_mem_eq(ev.query[i], want, 8);
	}
	ck_assert_uint_eq(store.evicted_for_parts, 0);
	ck_assert_uint_eq(record_store_oldest_seq(&store), 7);
	/* seq 7..10: 170 + 180 + 190 + 200 bytes */
	ck_assert_uint_eq(record_store_parts_used(&store), 740);
	for (unsigned int s = 7; s <= 10; s++) {
		const struct netobs_record *got = record_store_get_full(&store, s, scratch);

		snprintf(want, sizeof(want), "q%06ux", s);
		ck_assert_mem_eq(got->flow.l7->dns.query, want, 8);
		ck_assert_uint_eq(strlen(got->flow.l7->dns.query), 100 + 10 * s - 24);
	}
	free(scratch);
	record_store_free(&store);
}
END_TEST

/* Parts that cannot be packed: the record's place is a lost-events record. */
START_TEST(test_unpackable_parts_stored_as_lost)
{
	struct record_store store;
	struct record_store_scratch *scratch = malloc(sizeof(*scratch));
	struct netobs_record rec;
	struct netobs_l7 l7;
	const struct netobs_record *got;

	ck_assert_int_eq(record_store_init_parts(&store, 4, RECORD_STORE_PARTS_MIN), 0);
	make_flow(&rec, 777);
	make_dns_response(&l7, "bad.example.");
	l7.dns.ips_len = 200;
	rec.flow.l7 = &l7;
	got = record_store_append(&store, &rec, NULL, NULL);
	ck_assert_uint_eq(got->seq, 1);
	ck_assert_uint_eq(got->kind, NETOBS_RECORD_LOST_EVENTS);
	ck_assert_uint_eq(got->time_ns, 777);
	ck_assert_uint_eq(got->lost.count, 1);
	ck_assert_int_eq(got->lost.cpu, -1);
	ck_assert_uint_eq(got->lost.source, NETOBS_LOST_HUBBLE_RING_BUFFER);
	ck_assert_ptr_eq(record_store_get_full(&store, 1, scratch), got);
	ck_assert_uint_eq(store.refused_parts, 1);
	ck_assert_uint_eq(record_store_parts_used(&store), 0);

	make_dns_response(&l7, "good.example.");
	record_store_append(&store, &rec, NULL, NULL);
	got = record_store_get_full(&store, 2, scratch);
	ck_assert_uint_eq(got->kind, NETOBS_RECORD_FLOW);
	ck_assert_str_eq(got->flow.l7->dns.query, "good.example.");
	ck_assert_uint_eq(store.refused_parts, 1);
	free(scratch);
	record_store_free(&store);
}
END_TEST

/* 200000 L7 records through a small arena: its bytes stay within it, the
 * record count within the ring, and the heap does not grow. */
START_TEST(test_memory_stays_bounded)
{
	struct record_store store;
	struct record_store_scratch *scratch = malloc(sizeof(*scratch));
	struct netobs_record rec;
	struct netobs_l7 l7;
	struct netobs_names names;
	struct mallinfo2 before, after;
	uint8_t *arena;
	char query[64];

	ck_assert_int_eq(record_store_init_parts(&store, 1024, RECORD_STORE_PARTS_MIN), 0);
	arena = store.arena;
	make_names(&names, 2, 30, 1);
	before = mallinfo2();
	for (unsigned int i = 1; i <= 200000; i++) {
		make_flow(&rec, i);
		snprintf(query, sizeof(query), "host-%u.%.*s.example.", i, (int)(i % 40),
			 "abcdefghijklmnopqrstuvwxyzabcdefghijklmn");
		make_dns_response(&l7, query);
		rec.flow.l7 = &l7;
		rec.flow.destination_names = i % 3 ? &names : NULL;
		record_store_append(&store, &rec, NULL, NULL);
		ck_assert_uint_le(record_store_parts_used(&store), store.arena_size);
		ck_assert_uint_le(record_store_count(&store), 1024);
	}
	after = mallinfo2();
	ck_assert_uint_eq(after.uordblks, before.uordblks);
	ck_assert_ptr_eq(store.arena, arena);
	ck_assert_uint_eq(record_store_newest_seq(&store), 200000);
	/* The arena, not the ring, bounds this store: fewer than 1024 kept. */
	ck_assert_uint_gt(store.evicted_for_parts, 0);
	ck_assert_uint_lt(record_store_count(&store), 1024);
	ck_assert_str_eq(record_store_get_full(&store, 200000, scratch)->flow.l7->dns.query, query);
	printf("store: %zu L7 DNS records in a %zu-byte arena (%zu bytes used, %.0f per record)\n",
	       record_store_count(&store), store.arena_size, record_store_parts_used(&store),
	       (double)record_store_parts_used(&store) / (double)record_store_count(&store));
	free(scratch);
	record_store_free(&store);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_init_capacity_zero);
	tcase_add_test(tc, test_empty_store);
	tcase_add_test(tc, test_append_assigns_sequence);
	tcase_add_test(tc, test_wrap_around);
	tcase_add_test(tc, test_capacity_one);
	tcase_add_test(tc, test_copies_are_independent);
	tcase_add_test(tc, test_lost_record_kind);
	tcase_add_test(tc, test_init_arena_too_small);
	tcase_add_test(tc, test_parts_come_back);
	tcase_add_test(tc, test_plain_get_full_is_stored_copy);
	tcase_add_test(tc, test_arena_wrap_evicts_oldest);
	tcase_add_test(tc, test_ring_wrap_with_parts);
	tcase_add_test(tc, test_unpackable_parts_stored_as_lost);
	tcase_add_test(tc, test_memory_stays_bounded);
	suite_add_tcase(s, tc);
	return s;
}
