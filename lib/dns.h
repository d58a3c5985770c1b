/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * DNS wire-format decoder (RFC 1035) and DNS-over-TCP framing (RFC 1035
 * 4.2.2, RFC 7766), as pure code: no allocation, no I/O, no kernel. The
 * datapath copies a bounded slice of each DNS payload into a ring-buffer
 * event; the agent hands that slice here and turns struct dns_message into a
 * Hubble l7.dns record. docs/dns.md says what is taken, returned and rejected.
 *
 * Why "captured" and "wire" lengths everywhere: the datapath's copy bound can
 * cut a long response. A record that runs past the captured bytes of a
 * message whose wire length says it continues is a capture cut (the decoder
 * keeps what was complete and sets capture_truncated); the same record
 * running past the end of a message captured whole is a malformed message.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN	  12
#define DNS_MESSAGE_MAX	  65535 /* a TCP length prefix is 16 bits; UDP cannot carry more */
#define DNS_NAME_WIRE_MAX 255	/* RFC 1035 3.1: length octets and the root label included */
/*
 * Presentation form, NUL included: at worst every one of the 253 data octets
 * a 255-octet name can hold is escaped as \DDD (4 chars) and each label ends
 * in '.', 1013 chars; rounded up.
 */
#define DNS_NAME_TEXT_SIZE 1024
#define DNS_QTYPES_MAX	   8
#define DNS_IPS_MAX	   16
#define DNS_CNAMES_MAX	   8
#define DNS_RRTYPES_MAX	   16

/*
 * Why a message was rejected: one value per cause, so malformed L7 can be
 * counted by cause. Values are stable: add new causes before DNS_ERR__COUNT.
 */
enum dns_error {
	DNS_OK = 0,
	DNS_ERR_INVALID_ARGUMENT,     /* NULL, captured > wire, wire > 65535 */
	DNS_ERR_SHORT_HEADER,	      /* under 12 bytes, on the wire or captured */
	DNS_ERR_NAME_PAST_END,	      /* a label or pointer past the end */
	DNS_ERR_NAME_TOO_LONG,	      /* over 255 octets (RFC 1035 3.1) */
	DNS_ERR_LABEL_TYPE,	      /* label type 0x40 or 0x80 */
	DNS_ERR_POINTER_LOOP,	      /* a pointer into its own stretch of labels */
	DNS_ERR_POINTER_FORWARD,      /* a pointer to a later offset */
	DNS_ERR_POINTER_OUT_OF_RANGE, /* a pointer past the end or into the header */
	DNS_ERR_QUESTION_PAST_END,    /* QTYPE/QCLASS past the end */
	DNS_ERR_RECORD_PAST_END,      /* a record's fixed part or RDATA past the end */
	DNS_ERR_COUNT_MISMATCH,	      /* counts promise records the message lacks */
	DNS_ERR_RDATA_LENGTH,	      /* A not 4, AAAA not 16, CNAME not its RDATA */
	DNS_ERR_CAPTURE_CUT_QUESTION, /* the capture ends inside the questions */
	DNS_ERR__COUNT,
};

/* "ok", "short_header", ...: stable snake_case names, usable as metric labels. */
const char *dns_error_name(int err);

struct dns_ip {
	uint8_t family;	  /* AF_INET (A record) or AF_INET6 (AAAA record) */
	uint8_t addr[16]; /* network byte order; 4 bytes used for AF_INET */
};

/*
 * One decoded message. Large (about 10 KiB, for nine worst-case names) and
 * meant to be reused: the caller keeps one, dns_message_decode() overwrites
 * every field it reports.
 */
struct dns_message {
	uint16_t id;
	uint8_t opcode; /* 4 bits: 0 QUERY, 4 NOTIFY, 5 UPDATE */
	uint16_t rcode; /* header RCODE, widened to 12 bits by an EDNS OPT record (RFC 6891) */
	bool qr, aa, tc, rd, ra;
	uint16_t qdcount, ancount, nscount, arcount; /* as the header states them */

	/*
	 * The first question's name, presentation form, lower-cased, trailing
	 * dot ("." for the root); "" when QDCOUNT is 0 (some FORMERR answers).
	 */
	char query[DNS_NAME_TEXT_SIZE];
	uint8_t qtypes_len; /* QTYPE of each question, in order, up to DNS_QTYPES_MAX */
	uint16_t qtypes[DNS_QTYPES_MAX];

	/* From the answer section only, in message order. */
	uint16_t answers_decoded; /* answer records fully read */
	uint8_t ips_len;
	struct dns_ip ips[DNS_IPS_MAX];
	uint8_t cnames_len;
	char cnames[DNS_CNAMES_MAX][DNS_NAME_TEXT_SIZE]; /* CNAME targets, same form as query */
	uint8_t rrtypes_len; /* distinct answer TYPEs, in order of first appearance */
	uint16_t rrtypes[DNS_RRTYPES_MAX];
	bool has_ttl;	  /* at least one answer was read */
	uint32_t ttl_min; /* smallest answer TTL, seconds; 0 when !has_ttl */

	/* What did not fit the bounds above, counted rather than silently lost. */
	uint16_t qtypes_dropped, ips_dropped, cnames_dropped, rrtypes_dropped;

	/*
	 * The capture ended before the message did: header and questions are
	 * whole, records from the first cut one on are missing.
	 */
	bool capture_truncated;
	bool has_edns;		 /* an OPT record was read (its extended RCODE is in rcode) */
	uint16_t trailing_bytes; /* bytes after the last record; tolerated, reported */
};

/*
 * Decode one message: `captured_len` bytes at `msg`, of a message `wire_len`
 * bytes long (equal unless the capture was cut). Returns DNS_OK, with
 * out->capture_truncated set when records were cut off by the capture, or an
 * enum dns_error; on error `out` holds what was decoded before the fault and
 * must not be reported as a record. Reads only msg[0 .. captured_len).
 */
int dns_message_decode(const uint8_t *msg, size_t captured_len, size_t wire_len,
		       struct dns_message *out);

/*
 * Hubble's (miekg/dns) names: "NOERROR", "NXDOMAIN", ...; "RCODE<n>" for
 * others, written into `buf` (16 bytes suffice) and returned.
 */
const char *dns_rcode_name(unsigned int rcode, char *buf, size_t size);
/* "A", "AAAA", "HTTPS", ...; "TYPE<n>" (RFC 3597) for others, written into `buf`. */
const char *dns_type_name(unsigned int type, char *buf, size_t size);
/* The TYPE number of a name dns_type_name() writes ("AAAA", "TYPE65280"), any case; -1 when unknown. */
int dns_type_from_name(const char *name);

/*
 * DNS over TCP: one reassembler per direction of a connection, fed that
 * direction's segment payloads with their TCP sequence numbers. Each 2-byte
 * length-prefixed message is handed to a callback as soon as it is complete,
 * straight from the segment when it lies in one, else from the stream's own
 * buffer. Sequence numbers tell the stream what it missed:
 *   - an older segment (retransmission) is trimmed to its new bytes;
 *   - bytes missing inside a message body (a gap, a lost event, or the tail
 *     of a segment the datapath did not copy) end that message: its captured
 *     prefix is delivered with its full wire length, and the stream skips to
 *     the message's end, still aligned;
 *   - a message longer than DNS_TCP_CAPTURE_MAX is delivered as its first
 *     DNS_TCP_CAPTURE_MAX bytes, the rest skipped, still aligned;
 *   - bytes missing where a length prefix should be lose the framing: the
 *     stream reports DNS_TCP_DESYNC and drops everything until the caller
 *     calls dns_tcp_stream_reset() at a point it knows is a message start
 *     (a new connection). It never guesses where the next message begins.
 */
#define DNS_TCP_CAPTURE_MAX 8192 /* per message; a bound on memory per stream, not a limit of DNS */

/* Bits of dns_tcp_stream_feed()'s return value. */
enum dns_tcp_event {
	DNS_TCP_RETRANSMIT = 1 << 0, /* bytes already seen were dropped */
	DNS_TCP_GAP = 1 << 1,	     /* bytes were missing; a message was delivered cut */
	DNS_TCP_DESYNC = 1 << 2,     /* framing lost (now or earlier): these bytes were dropped */
};

/*
 * msg: the captured bytes of one message; wire_len: its length from the
 * prefix. captured_len < wire_len when part of it was missed or over the bound.
 */
typedef void (*dns_tcp_message_fn)(void *ctx, const uint8_t *msg, size_t captured_len,
				   size_t wire_len);

enum dns_tcp_phase {
	DNS_TCP_PREFIX = 0, /* reading the 2-byte length */
	DNS_TCP_BODY,	    /* reading a message body */
	DNS_TCP_SKIP,	    /* discarding the rest of a message already delivered */
	DNS_TCP_LOST,	    /* framing lost; waiting for dns_tcp_stream_reset() */
};

struct dns_tcp_stream {
	uint32_t next_seq; /* sequence number of the next byte expected */
	enum dns_tcp_phase phase;
	uint8_t prefix[2];
	uint8_t prefix_len;
	uint32_t msg_len;      /* wire length of the current message */
	uint32_t msg_received; /* bytes of the current message consumed, stored or skipped */
	uint32_t buf_len;      /* bytes of the current message in buf */
	/* Counters for the agent's statistics. */
	uint64_t messages, messages_cut, desyncs, bytes_missed;
	uint8_t buf[DNS_TCP_CAPTURE_MAX];
};

/* Start a stream whose next byte, at sequence `seq`, begins a length prefix; counters zeroed. */
void dns_tcp_stream_init(struct dns_tcp_stream *s, uint32_t seq);
/* Restart framing at `seq`, a known message start (e.g. after DNS_TCP_DESYNC); counters kept. */
void dns_tcp_stream_reset(struct dns_tcp_stream *s, uint32_t seq);

/*
 * One segment: `captured_len` bytes at `data`, the first `seg_len` bytes of
 * the segment's payload starting at sequence `seq` (captured_len < seg_len
 * when the datapath copied only a prefix). Returns a mask of enum
 * dns_tcp_event (0 when all went well) or -EINVAL.
 */
int dns_tcp_stream_feed(struct dns_tcp_stream *s, uint32_t seq, const uint8_t *data,
			size_t captured_len, size_t seg_len, dns_tcp_message_fn on_message,
			void *ctx);
