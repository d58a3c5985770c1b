// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * DNS-over-TCP framing (RFC 1035 4.2.2, RFC 7766): per-direction reassembly
 * of 2-byte length-prefixed messages from segment payloads and their
 * sequence numbers. dns.h states the contract; the invariant kept here is
 * that every message whose length prefix was read is delivered exactly once,
 * and nothing is delivered after framing is lost until the caller resets.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dns.h"

void dns_tcp_stream_reset(struct dns_tcp_stream *s, uint32_t seq)
{
	s->next_seq = seq;
	s->phase = DNS_TCP_PREFIX;
	s->prefix_len = 0;
	s->msg_len = 0;
	s->msg_received = 0;
	s->buf_len = 0;
}

void dns_tcp_stream_init(struct dns_tcp_stream *s, uint32_t seq)
{
	s->messages = s->messages_cut = s->desyncs = s->bytes_missed = 0;
	dns_tcp_stream_reset(s, seq);
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The capture bound of the current message: its first bytes, up to DNS_TCP_CAPTURE_MAX. */
static size_t stream_capturable(const struct dns_tcp_stream *s)
{
	return min_size(s->msg_len, DNS_TCP_CAPTURE_MAX);
}

static void stream_deliver(struct dns_tcp_stream *s, const uint8_t *msg, size_t captured,
			   dns_tcp_message_fn on_message, void *ctx)
{
	s->messages++;
	if (captured < s->msg_len)
		s->messages_cut++;
	on_message(ctx, msg, captured, s->msg_len);
}

/* After a message was delivered: read the next prefix, or skip what is left of this one. */
static void stream_message_delivered(struct dns_tcp_stream *s)
{
	s->buf_len = 0;
	if (s->msg_received == s->msg_len) {
		s->phase = DNS_TCP_PREFIX;
		s->prefix_len = 0;
	} else {
		s->phase = DNS_TCP_SKIP;
	}
}

static int stream_lose_framing(struct dns_tcp_stream *s)
{
	s->phase = DNS_TCP_LOST;
	s->desyncs++;
	return DNS_TCP_DESYNC;
}

/* `missed` bytes of the stream will never be seen. */
static int stream_miss(struct dns_tcp_stream *s, size_t missed, dns_tcp_message_fn on_message,
		       void *ctx)
{
	size_t left;

	if (!missed)
		return 0;
	s->bytes_missed += missed;
	switch (s->phase) {
	case DNS_TCP_PREFIX:
		return DNS_TCP_GAP | stream_lose_framing(s);
	case DNS_TCP_BODY:
		/* What was stored is all this message will have: deliver it cut. */
		left = s->msg_len - s->msg_received;
		stream_deliver(s, s->buf, s->buf_len, on_message, ctx);
		if (missed > left) {
			s->buf_len = 0;
			return DNS_TCP_GAP | stream_lose_framing(s);
		}
		s->msg_received += (uint32_t)missed;
		stream_message_delivered(s);
		return DNS_TCP_GAP;
	case DNS_TCP_SKIP:
		/* The message was delivered already; only its end matters. */
		left = s->msg_len - s->msg_received;
		if (missed > left)
			return DNS_TCP_GAP | stream_lose_framing(s);
		s->msg_received += (uint32_t)missed;
		if (s->msg_received == s->msg_len) {
			s->phase = DNS_TCP_PREFIX;
			s->prefix_len = 0;
		}
		return 0;
	case DNS_TCP_LOST:
		break;
	}
	return DNS_TCP_DESYNC;
}

/* `len` captured, in-order bytes of the stream. */
static int stream_consume(struct dns_tcp_stream *s, const uint8_t *data, size_t len,
			  dns_tcp_message_fn on_message, void *ctx)
{
	while (len) {
		size_t take;

		switch (s->phase) {
		case DNS_TCP_PREFIX:
			s->prefix[s->prefix_len++] = *data++;
			len--;
			if (s->prefix_len < 2)
				break;
			s->msg_len = (uint32_t)s->prefix[0] << 8 | s->prefix[1];
			s->msg_received = 0;
			s->buf_len = 0;
			s->phase = DNS_TCP_BODY;
			/* An empty message ends here: deliver it now, not with the next byte. */
			if (s->msg_len == 0) {
				stream_deliver(s, s->buf, 0, on_message, ctx);
				stream_message_delivered(s);
			}
			break;
		case DNS_TCP_BODY:
			take = min_size(len, s->msg_len - s->msg_received);
			if (s->buf_len == 0 && take >= stream_capturable(s)) {
				/* All that will be kept is in this segment: no copy. */
				s->msg_received += (uint32_t)take;
				stream_deliver(s, data, stream_capturable(s), on_message, ctx);
				stream_message_delivered(s);
			} else {
				size_t store = min_size(take, DNS_TCP_CAPTURE_MAX - s->buf_len);

				memcpy(s->buf + s->buf_len, data, store);
				s->buf_len += (uint32_t)store;
				s->msg_received += (uint32_t)take;
				if (s->buf_len == stream_capturable(s)) {
					stream_deliver(s, s->buf, s->buf_len, on_message, ctx);
					stream_message_delivered(s);
				}
			}
			data += take;
			len -= take;
			break;
		case DNS_TCP_SKIP:
			take = min_size(len, s->msg_len - s->msg_received);
			s->msg_received += (uint32_t)take;
			data += take;
			len -= take;
			if (s->msg_received == s->msg_len) {
				s->phase = DNS_TCP_PREFIX;
				s->prefix_len = 0;
			}
			break;
		case DNS_TCP_LOST:
			return DNS_TCP_DESYNC;
		}
	}
	return 0;
}

int dns_tcp_stream_feed(struct dns_tcp_stream *s, uint32_t seq, const uint8_t *data,
			size_t captured_len, size_t seg_len, dns_tcp_message_fn on_message,
			void *ctx)
{
	size_t already_seen = 0, used;
	int events = 0;
	int32_t ahead;

	if (!s || !on_message || (!data && captured_len) || captured_len > seg_len ||
	    seg_len > INT32_MAX)
		return -EINVAL;
	/* Signed distance in sequence space (RFC 793 arithmetic modulo 2^32). */
	ahead = (int32_t)(seq - s->next_seq);
	if (s->phase == DNS_TCP_LOST)
		return seg_len ? DNS_TCP_DESYNC : 0;
	if (ahead < 0) {
		already_seen = (size_t)(-(int64_t)ahead);
		if (already_seen >= seg_len)
			return seg_len ? DNS_TCP_RETRANSMIT : 0;
		events |= DNS_TCP_RETRANSMIT;
	} else {
		events |= stream_miss(s, (size_t)ahead, on_message, ctx);
	}
	if (already_seen < captured_len)
		events |= stream_consume(s, data + already_seen, captured_len - already_seen,
					 on_message, ctx);
	used = already_seen > captured_len ? already_seen : captured_len;
	events |= stream_miss(s, seg_len - used, on_message, ctx);
	s->next_seq = seq + (uint32_t)seg_len;
	return events;
}
