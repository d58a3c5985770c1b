// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * DNS-over-TCP framing: length-prefixed messages split at every byte, several
 * in a segment, prefixes split, sequence gaps, uncaptured segment tails,
 * retransmissions, messages over the capture bound, sequence wrap-around.
 * Message bodies are byte patterns the test writes, compared back whole.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "dns.h"

Suite *netobs_test_suite(void);

#define MAX_DELIVERED 8

struct delivered {
	size_t count;
	struct {
		uint8_t bytes[DNS_TCP_CAPTURE_MAX];
		size_t captured, wire;
	} msg[MAX_DELIVERED];
};

static struct delivered got;
static struct dns_tcp_stream stream;

static void collect(void *ctx, const uint8_t *msg, size_t captured_len, size_t wire_len)
{
	struct delivered *d = ctx;

	ck_assert_uint_lt(d->count, MAX_DELIVERED);
	ck_assert_uint_le(captured_len, DNS_TCP_CAPTURE_MAX);
	memcpy(d->msg[d->count].bytes, msg, captured_len);
	d->msg[d->count].captured = captured_len;
	d->msg[d->count].wire = wire_len;
	d->count++;
}

/* A stream of framed messages, and where each message body starts in it. */
struct wire {
	uint8_t b[32768];
	size_t len;
	size_t body[4], body_len[4];
	unsigned int n;
};

static uint8_t pattern(unsigned int msg_no, size_t i)
{
	return (uint8_t)(msg_no * 53 + i * 7 + 1);
}

static void frame(struct wire *w, size_t body_len)
{
	unsigned int no = w->n;

	ck_assert_uint_le(w->len + 2 + body_len, sizeof(w->b));
	w->b[w->len++] = (uint8_t)(body_len >> 8);
	w->b[w->len++] = (uint8_t)body_len;
	w->body[no] = w->len;
	w->body_len[no] = body_len;
	for (size_t i = 0; i < body_len; i++)
		w->b[w->len++] = pattern(no, i);
	w->n++;
}

static void start(uint32_t seq)
{
	memset(&got, 0, sizeof(got));
	dns_tcp_stream_init(&stream, seq);
}

/* Feed w->b[from, to) as one segment fully captured. */
static int feed(const struct wire *w, uint32_t isn, size_t from, size_t to)
{
	return dns_tcp_stream_feed(&stream, isn + (uint32_t)from, w->b + from, to - from, to - from,
				   collect, &got);
}

/* Delivery `k` is message `no` of w, whole (captured) or its first `captured` bytes. */
static void assert_delivered(const struct wire *w, size_t k, unsigned int no, size_t captured)
{
	ck_assert_uint_gt(got.count, k);
	ck_assert_uint_eq(got.msg[k].wire, w->body_len[no]);
	ck_assert_uint_eq(got.msg[k].captured, captured);
	ck_assert_mem_eq(got.msg[k].bytes, w->b + w->body[no], captured);
}

START_TEST(test_several_messages_in_one_segment)
{
	static struct wire w;

	memset(&w, 0, sizeof(w));
	frame(&w, 30);
	frame(&w, 45);
	frame(&w, 12);
	start(1000);
	ck_assert_int_eq(feed(&w, 1000, 0, w.len), 0);
	ck_assert_uint_eq(got.count, 3);
	for (unsigned int i = 0; i < 3; i++)
		assert_delivered(&w, i, i, w.body_len[i]);
	ck_assert_uint_eq(stream.messages, 3);
	ck_assert_uint_eq(stream.messages_cut, 0);
}
END_TEST

/* Three segments at every pair of cut points: splits in prefixes, bodies, between messages. */
START_TEST(test_every_split)
{
	static struct wire w;

	memset(&w, 0, sizeof(w));
	frame(&w, 20);
	frame(&w, 1);
	frame(&w, 33);
	for (size_t i = 0; i <= w.len; i++) {
		for (size_t j = i; j <= w.len; j++) {
			start(7);
			ck_assert_int_eq(feed(&w, 7, 0, i), 0);
			ck_assert_int_eq(feed(&w, 7, i, j), 0);
			ck_assert_int_eq(feed(&w, 7, j, w.len), 0);
			ck_assert_uint_eq(got.count, 3);
			for (unsigned int k = 0; k < 3; k++)
				assert_delivered(&w, k, k, w.body_len[k]);
		}
	}
}
END_TEST

START_TEST(test_byte_by_byte)
{
	static struct wire w;

	memset(&w, 0, sizeof(w));
	frame(&w, 40);
	frame(&w, 3);
	start(0);
	for (size_t i = 0; i < w.len; i++)
		ck_assert_int_eq(feed(&w, 0, i, i + 1), 0);
	ck_assert_uint_eq(got.count, 2);
	assert_delivered(&w, 0, 0, 40);
	assert_delivered(&w, 1, 1, 3);
}
END_TEST

START_TEST(test_gap_inside_body_stays_aligned)
{
	static struct wire w;

	memset(&w, 0, sizeof(w));
	frame(&w, 30);
	frame(&w, 25);
	start(500);
	ck_assert_int_eq(feed(&w, 500, 0, 12), 0); /* prefix and 10 body bytes */
	/* Bytes 12..17 never arrive. */
	ck_assert_int_eq(feed(&w, 500, 17, w.len), DNS_TCP_GAP);
	ck_assert_uint_eq(got.count, 2);
	assert_delivered(&w, 0, 0, 10);
	assert_delivered(&w, 1, 1, 25);
	ck_assert_uint_eq(stream.messages_cut, 1);
	ck_assert_uint_eq(stream.bytes_missed, 5);
	ck_assert_uint_eq(stream.desyncs, 0);
}
END_TEST

START_TEST(test_uncaptured_tail)
{
	static struct wire w;
	size_t a_end;
	int ev;

	memset(&w, 0, sizeof(w));
	frame(&w, 30);
	a_end = w.len;
	frame(&w, 25);
	/* The datapath copied 12 of the first segment's 32 bytes: the message is cut, framing kept. */
	start(0);
	ev = dns_tcp_stream_feed(&stream, 0, w.b, 12, a_end, collect, &got);
	ck_assert_int_eq(ev, DNS_TCP_GAP);
	ck_assert_uint_eq(got.count, 1);
	assert_delivered(&w, 0, 0, 10);
	ck_assert_int_eq(feed(&w, 0, a_end, w.len), 0);
	assert_delivered(&w, 1, 1, 25);

	/* Both messages in one segment, the copy ending in the second's prefix: framing lost. */
	start(0);
	ev = dns_tcp_stream_feed(&stream, 0, w.b, a_end + 1, w.len, collect, &got);
	ck_assert_int_eq(ev, DNS_TCP_GAP | DNS_TCP_DESYNC);
	ck_assert_uint_eq(got.count, 1);
	assert_delivered(&w, 0, 0, 30);
	ck_assert_uint_eq(stream.desyncs, 1);
}
END_TEST

START_TEST(test_gap_at_prefix_desyncs_until_reset)
{
	static struct wire w;
	size_t a_end, b_end;

	memset(&w, 0, sizeof(w));
	frame(&w, 10);
	a_end = w.len;
	frame(&w, 10);
	b_end = w.len;
	frame(&w, 10);
	start(90);
	ck_assert_int_eq(feed(&w, 90, 0, a_end), 0);
	/* The second message's first byte is missed: where its length is, is unknown. */
	ck_assert_int_eq(feed(&w, 90, a_end + 1, b_end), DNS_TCP_GAP | DNS_TCP_DESYNC);
	ck_assert_int_eq(feed(&w, 90, b_end, w.len), DNS_TCP_DESYNC);
	ck_assert_uint_eq(got.count, 1);
	ck_assert_uint_eq(stream.desyncs, 1);
	/* The caller knows the third message starts at b_end. */
	dns_tcp_stream_reset(&stream, 90 + (uint32_t)b_end);
	ck_assert_int_eq(feed(&w, 90, b_end, w.len), 0);
	ck_assert_uint_eq(got.count, 2);
	assert_delivered(&w, 1, 2, 10);
	ck_assert_uint_eq(stream.desyncs, 1); /* counters survive a reset */
}
END_TEST

START_TEST(test_retransmissions)
{
	static struct wire w;
	size_t a_end;

	memset(&w, 0, sizeof(w));
	frame(&w, 20);
	a_end = w.len;
	frame(&w, 20);
	start(4000);
	ck_assert_int_eq(feed(&w, 4000, 0, a_end), 0);
	ck_assert_int_eq(feed(&w, 4000, 0, a_end), DNS_TCP_RETRANSMIT);
	ck_assert_uint_eq(got.count, 1);
	/* Overlapping the end of the first message: only its new bytes count. */
	ck_assert_int_eq(feed(&w, 4000, a_end - 5, w.len), DNS_TCP_RETRANSMIT);
	ck_assert_uint_eq(got.count, 2);
	assert_delivered(&w, 0, 0, 20);
	assert_delivered(&w, 1, 1, 20);
	ck_assert_int_eq(feed(&w, 4000, 0, w.len), DNS_TCP_RETRANSMIT);
	ck_assert_uint_eq(got.count, 2);
}
END_TEST

START_TEST(test_message_over_capture_bound)
{
	static struct wire w;

	memset(&w, 0, sizeof(w));
	frame(&w, 9000);
	frame(&w, 50);
	/* In pieces: copied into the stream's buffer. */
	start(1);
	ck_assert_int_eq(feed(&w, 1, 0, 3000), 0);
	ck_assert_int_eq(feed(&w, 1, 3000, 6000), 0);
	ck_assert_int_eq(feed(&w, 1, 6000, 9001), 0);
	ck_assert_uint_eq(got.count, 1); /* delivered once the bound is reached */
	ck_assert_int_eq(feed(&w, 1, 9001, w.len), 0);
	ck_assert_uint_eq(got.count, 2);
	assert_delivered(&w, 0, 0, DNS_TCP_CAPTURE_MAX);
	assert_delivered(&w, 1, 1, 50);
	ck_assert_uint_eq(stream.messages_cut, 1);
	/* In one segment: delivered straight from it. */
	start(1);
	ck_assert_int_eq(feed(&w, 1, 0, w.len), 0);
	ck_assert_uint_eq(got.count, 2);
	assert_delivered(&w, 0, 0, DNS_TCP_CAPTURE_MAX);
	assert_delivered(&w, 1, 1, 50);
}
END_TEST

START_TEST(test_sequence_wraparound)
{
	static struct wire w;
	const uint32_t isn = 0xfffffff0u;

	memset(&w, 0, sizeof(w));
	frame(&w, 30);
	frame(&w, 30);
	start(isn);
	ck_assert_int_eq(feed(&w, isn, 0, 20), 0);
	ck_assert_int_eq(feed(&w, isn, 20, 40), 0);
	ck_assert_int_eq(feed(&w, isn, 10, 30), DNS_TCP_RETRANSMIT); /* old across the wrap */
	ck_assert_int_eq(feed(&w, isn, 40, w.len), 0);
	ck_assert_uint_eq(got.count, 2);
	assert_delivered(&w, 0, 0, 30);
	assert_delivered(&w, 1, 1, 30);
}
END_TEST

START_TEST(test_empty_message)
{
	static struct wire w;

	memset(&w, 0, sizeof(w));
	frame(&w, 0);
	frame(&w, 5);
	start(0);
	ck_assert_int_eq(feed(&w, 0, 0, 2), 0);
	ck_assert_uint_eq(got.count, 1); /* not waiting for the next byte */
	ck_assert_int_eq(feed(&w, 0, 2, w.len), 0);
	ck_assert_uint_eq(got.count, 2);
	assert_delivered(&w, 0, 0, 0);
	assert_delivered(&w, 1, 1, 5);
}
END_TEST

static struct dns_message decoded;

static void decode_message(void *ctx, const uint8_t *msg, size_t captured_len, size_t wire_len)
{
	int *result = ctx;

	*result = dns_message_decode(msg, captured_len, wire_len, &decoded);
}

/* A response to x.test A, 10.0.0.1 TTL 60, its prefix split from its body. */
START_TEST(test_decode_over_tcp)
{
	static const uint8_t framed[] = {
		0, 40,	0x12, 0x34, 0x81, 0x80, 0,   1,	 0, 1, 0,  0, 0,    0,
		1, 'x', 4,    't',  'e',  's',	't', 0,	 0, 1, 0,  1, 0xc0, 12,
		0, 1,	0,    1,    0,	  0,	0,   60, 0, 4, 10, 0, 0,    1,
	};
	int result = -1;

	ck_assert_uint_eq(sizeof(framed), 42);
	dns_tcp_stream_init(&stream, 77);
	ck_assert_int_eq(dns_tcp_stream_feed(&stream, 77, framed, 1, 1, decode_message, &result),
			 0);
	ck_assert_int_eq(result, -1);
	ck_assert_int_eq(
		dns_tcp_stream_feed(&stream, 78, framed + 1, 41, 41, decode_message, &result), 0);
	ck_assert_int_eq(result, DNS_OK);
	ck_assert_uint_eq(decoded.id, 0x1234);
	ck_assert_str_eq(decoded.query, "x.test.");
	ck_assert_uint_eq(decoded.ips_len, 1);
	ck_assert_uint_eq(decoded.ips[0].addr[3], 1);
	ck_assert_uint_eq(decoded.ttl_min, 60);
}
END_TEST

START_TEST(test_invalid_arguments)
{
	static const uint8_t b[4];

	dns_tcp_stream_init(&stream, 0);
	ck_assert_int_eq(dns_tcp_stream_feed(&stream, 0, b, 4, 4, NULL, NULL), -EINVAL);
	ck_assert_int_eq(dns_tcp_stream_feed(&stream, 0, b, 5, 4, collect, &got), -EINVAL);
	ck_assert_int_eq(dns_tcp_stream_feed(&stream, 0, NULL, 1, 4, collect, &got), -EINVAL);
	ck_assert_int_eq(dns_tcp_stream_feed(NULL, 0, b, 4, 4, collect, &got), -EINVAL);
	ck_assert_uint_eq(stream.messages, 0);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("dns_tcp");
	TCase *tc = tcase_create("framing");

	tcase_add_test(tc, test_several_messages_in_one_segment);
	tcase_add_test(tc, test_every_split);
	tcase_add_test(tc, test_byte_by_byte);
	tcase_add_test(tc, test_gap_inside_body_stays_aligned);
	tcase_add_test(tc, test_uncaptured_tail);
	tcase_add_test(tc, test_gap_at_prefix_desyncs_until_reset);
	tcase_add_test(tc, test_retransmissions);
	tcase_add_test(tc, test_message_over_capture_bound);
	tcase_add_test(tc, test_sequence_wraparound);
	tcase_add_test(tc, test_empty_message);
	tcase_add_test(tc, test_decode_over_tcp);
	tcase_add_test(tc, test_invalid_arguments);
	suite_add_tcase(s, tc);
	return s;
}
