// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The DNS decoder and the DNS-over-TCP framing on arbitrary bytes. The input
 * is decoded as one UDP message, then again as a capture cut at an offset the
 * input picks (the cut decode must agree with the whole one), then fed as a
 * TCP stream in pieces: cleanly (every framed message must come out exactly
 * as an independent walk of the length prefixes finds it) and with gaps,
 * retransmissions, uncaptured tails and resets (bounds must hold, nothing
 * delivered between a desync and the next reset). abort() on any broken
 * invariant, so libFuzzer reports it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

/* A presentation-form name: printable, lower-case, escapes well formed, ends in a dot. */
static void check_name(const char *name, bool may_be_empty)
{
	size_t len = strnlen(name, DNS_NAME_TEXT_SIZE);

	require(len < DNS_NAME_TEXT_SIZE);
	if (len == 0) {
		require(may_be_empty);
		return;
	}
	require(name[len - 1] == '.');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		require(c >= 0x21 && c <= 0x7e && !(c >= 'A' && c <= 'Z'));
		if (c != '\\')
			continue;
		require(i + 1 < len);
		if (name[i + 1] >= '0' && name[i + 1] <= '9') {
			require(i + 3 < len);
			require(name[i + 2] >= '0' && name[i + 2] <= '9');
			require(name[i + 3] >= '0' && name[i + 3] <= '9');
			require((name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 +
					(name[i + 3] - '0') <=
				255);
			i += 3;
		} else {
			i += 1;
		}
	}
}

static void check_message(const struct dns_message *m, int err)
{
	require(err >= 0 && err < DNS_ERR__COUNT);
	if (err != DNS_OK)
		return;
	check_name(m->query, m->qdcount == 0);
	require(m->qtypes_len <= DNS_QTYPES_MAX && m->ips_len <= DNS_IPS_MAX);
	require(m->cnames_len <= DNS_CNAMES_MAX && m->rrtypes_len <= DNS_RRTYPES_MAX);
	require(m->qtypes_len + m->qtypes_dropped == m->qdcount);
	require(m->answers_decoded <= m->ancount);
	require(m->capture_truncated || m->answers_decoded == m->ancount);
	require(m->has_ttl == (m->answers_decoded > 0));
	require(m->has_ttl || m->ttl_min == 0);
	for (unsigned int i = 0; i < m->cnames_len; i++)
		check_name(m->cnames[i], false);
	require(m->opcode < 16 && m->rcode < 4096);
}

static struct dns_message whole, cut;

static void check_udp(const uint8_t *data, size_t size)
{
	int err_whole, err_cut;
	size_t at;

	if (size > DNS_MESSAGE_MAX)
		return;
	err_whole = dns_message_decode(data, size, size, &whole);
	check_message(&whole, err_whole);
	if (size == 0)
		return;
	at = ((size_t)data[0] << 8 | data[size - 1]) % (size + 1);
	err_cut = dns_message_decode(data, at, size, &cut);
	check_message(&cut, err_cut);
	require(!cut.capture_truncated || at < size);
	if (err_whole != DNS_OK)
		return;
	/* Cutting a good message loses records, never turns it malformed or renames it. */
	require(err_cut == DNS_OK || err_cut == DNS_ERR_SHORT_HEADER ||
		err_cut == DNS_ERR_CAPTURE_CUT_QUESTION);
	if (err_cut != DNS_OK)
		return;
	require(strcmp(cut.query, whole.query) == 0);
	require(cut.answers_decoded <= whole.answers_decoded);
	require(cut.ips_len <= whole.ips_len);
	require(memcmp(cut.ips, whole.ips, cut.ips_len * sizeof(cut.ips[0])) == 0);
	require(cut.cnames_len <= whole.cnames_len);
	for (unsigned int i = 0; i < cut.cnames_len; i++)
		require(strcmp(cut.cnames[i], whole.cnames[i]) == 0);
	require(!cut.has_ttl || cut.ttl_min >= whole.ttl_min);
}

/* The next framed message an independent walk of the stream expects. */
struct clean_walk {
	const uint8_t *data;
	size_t size, off, delivered;
};

static void expect_framed(void *ctx, const uint8_t *msg, size_t captured_len, size_t wire_len)
{
	struct clean_walk *w = ctx;
	size_t len;

	require(w->off + 2 <= w->size);
	len = (size_t)w->data[w->off] << 8 | w->data[w->off + 1];
	require(wire_len == len);
	require(captured_len == (len < DNS_TCP_CAPTURE_MAX ? len : DNS_TCP_CAPTURE_MAX));
	require(w->off + 2 + captured_len <= w->size);
	require(memcmp(msg, w->data + w->off + 2, captured_len) == 0);
	w->off += 2 + len;
	w->delivered++;
}

struct lossy_state {
	uint64_t delivered;
	bool lost;
};

static void check_delivered(void *ctx, const uint8_t *msg, size_t captured_len, size_t wire_len)
{
	struct lossy_state *st = ctx;

	require(!st->lost);
	require(captured_len <= wire_len && captured_len <= DNS_TCP_CAPTURE_MAX);
	require(wire_len <= DNS_MESSAGE_MAX);
	check_message(&cut, dns_message_decode(msg, captured_len, wire_len, &cut));
	st->delivered++;
}

static uint32_t next_random(uint32_t *state)
{
	/* xorshift32: deterministic per input, so crashes replay. */
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static struct dns_tcp_stream stream;

static void check_tcp_clean(const uint8_t *data, size_t size, uint32_t seed)
{
	struct clean_walk w = {.data = data, .size = size};
	uint32_t isn = seed * 2654435761u, rnd = seed | 1;
	size_t off = 0;

	dns_tcp_stream_init(&stream, isn);
	while (off < size) {
		size_t piece = 1 + next_random(&rnd) % 64;

		if (piece > size - off)
			piece = size - off;
		require(dns_tcp_stream_feed(&stream, isn + (uint32_t)off, data + off, piece, piece,
					    expect_framed, &w) == 0);
		off += piece;
	}
	require(stream.messages == w.delivered);
	/* What is left could not have been delivered: an incomplete prefix or body. */
	if (w.off + 2 <= size) {
		size_t len = (size_t)data[w.off] << 8 | data[w.off + 1];
		size_t keep = len < DNS_TCP_CAPTURE_MAX ? len : DNS_TCP_CAPTURE_MAX;

		require(size - w.off - 2 < keep);
	}
}

static void check_tcp_lossy(const uint8_t *data, size_t size, uint32_t seed)
{
	struct lossy_state st = {0};
	uint32_t isn = seed, rnd = seed ^ 0x9e3779b9u;
	size_t off = 0;

	if (!rnd)
		rnd = 1;
	dns_tcp_stream_init(&stream, isn);
	while (off < size) {
		uint32_t r = next_random(&rnd);
		size_t piece = 1 + r % 97, captured, start = off;
		int ev;

		if (piece > size - off)
			piece = size - off;
		captured = piece;
		switch (r >> 28) {
		case 0: /* a gap: skip some bytes */
			start = off + (r >> 8) % 5 + 1;
			if (start >= size)
				return;
			if (piece > size - start)
				piece = size - start;
			captured = piece;
			break;
		case 1: /* a retransmission overlapping what was fed */
			start = off >= 8 ? off - 8 : 0;
			piece = off - start + piece;
			captured = piece;
			break;
		case 2: /* only a prefix of the segment was copied */
			captured = piece / 2;
			break;
		}
		/* Sometimes the caller restarts the framing here, as an agent that guesses would. */
		if (st.lost && (r & 1)) {
			dns_tcp_stream_reset(&stream, isn + (uint32_t)start);
			st.lost = false;
		}
		ev = dns_tcp_stream_feed(&stream, isn + (uint32_t)start, data + start, captured,
					 piece, check_delivered, &st);
		require(ev >= 0 && ev <= (DNS_TCP_RETRANSMIT | DNS_TCP_GAP | DNS_TCP_DESYNC));
		if (ev & DNS_TCP_DESYNC)
			st.lost = true;
		require(st.lost == (stream.phase == DNS_TCP_LOST));
		off = start + piece;
	}
	require(stream.messages == st.delivered);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t seed = (uint32_t)size;

	for (size_t i = 0; i < size && i < 16; i++)
		seed = seed * 31 + data[i];
	check_udp(data, size);
	if (size > 4 * DNS_MESSAGE_MAX)
		return 0;
	check_tcp_clean(data, size, seed);
	check_tcp_lossy(data, size, seed);
	return 0;
}
