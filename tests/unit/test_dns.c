// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The DNS decoder on messages built byte by byte here: answers of each kind
 * the agent reports, compression, name escaping, every malformed shape it
 * must reject with its own cause, captures cut short, and the names the
 * printer uses. The TCP framing has its own file, test_dns_tcp.c.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"

Suite *netobs_test_suite(void);

/* ---- a message builder: the test writes every byte it later expects back */

struct msgbuf {
	uint8_t b[12000];
	size_t len;
};

static void put8(struct msgbuf *m, unsigned int v)
{
	ck_assert_uint_lt(m->len, sizeof(m->b));
	m->b[m->len++] = (uint8_t)v;
}

static void put16(struct msgbuf *m, unsigned int v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put32(struct msgbuf *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void put_bytes(struct msgbuf *m, const void *p, size_t n)
{
	ck_assert_uint_le(m->len + n, sizeof(m->b));
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

/* Labels of a dotted name, uncompressed, without the terminating root label. */
static void put_labels(struct msgbuf *m, const char *dotted)
{
	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);

		put8(m, (unsigned int)n);
		put_bytes(m, dotted, n);
		dotted += n + (dot ? 1 : 0);
	}
}

static void put_name(struct msgbuf *m, const char *dotted)
{
	put_labels(m, dotted);
	put8(m, 0);
}

static void put_ptr(struct msgbuf *m, unsigned int off)
{
	put16(m, 0xc000 | off);
}

static void put_header(struct msgbuf *m, unsigned int id, unsigned int flags, unsigned int qd,
		       unsigned int an, unsigned int ns, unsigned int ar)
{
	m->len = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

/* Fixed part of a resource record after its owner name. */
static void put_rr_fixed(struct msgbuf *m, unsigned int type, uint32_t ttl, unsigned int rdlength)
{
	put16(m, type);
	put16(m, 1); /* IN */
	put32(m, ttl);
	put16(m, rdlength);
}

static void put_a(struct msgbuf *m, unsigned int owner_off, uint32_t ttl, const char *ip)
{
	uint8_t addr[4];

	ck_assert_int_eq(inet_pton(AF_INET, ip, addr), 1);
	put_ptr(m, owner_off);
	put_rr_fixed(m, 1, ttl, 4);
	put_bytes(m, addr, 4);
}

#define FLAGS_RESPONSE 0x8180 /* QR, RD, RA, NOERROR */
#define QNAME_OFF      12

static struct dns_message msg; /* ~10 KiB: not on the stack of every test */

static void assert_ipv4(const struct dns_ip *ip, const char *text)
{
	uint8_t addr[4];

	ck_assert_int_eq(inet_pton(AF_INET, text, addr), 1);
	ck_assert_uint_eq(ip->family, AF_INET);
	ck_assert_mem_eq(ip->addr, addr, 4);
}

/* example.com A, answered with one address; the answer's owner points at the question. */
static void build_a_response(struct msgbuf *m)
{
	put_header(m, 0xbeef, FLAGS_RESPONSE, 1, 1, 0, 0);
	put_name(m, "example.com");
	put16(m, 1);
	put16(m, 1);
	put_a(m, QNAME_OFF, 300, "93.184.216.34");
}

START_TEST(test_a_response)
{
	struct msgbuf m;

	build_a_response(&m);
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert_uint_eq(msg.id, 0xbeef);
	ck_assert(msg.qr && msg.rd && msg.ra && !msg.aa && !msg.tc);
	ck_assert_uint_eq(msg.opcode, 0);
	ck_assert_uint_eq(msg.rcode, 0);
	ck_assert_str_eq(msg.query, "example.com.");
	ck_assert_uint_eq(msg.qtypes_len, 1);
	ck_assert_uint_eq(msg.qtypes[0], 1);
	ck_assert_uint_eq(msg.answers_decoded, 1);
	ck_assert_uint_eq(msg.ips_len, 1);
	assert_ipv4(&msg.ips[0], "93.184.216.34");
	ck_assert_uint_eq(msg.rrtypes_len, 1);
	ck_assert_uint_eq(msg.rrtypes[0], 1);
	ck_assert(msg.has_ttl);
	ck_assert_uint_eq(msg.ttl_min, 300);
	ck_assert_uint_eq(msg.cnames_len, 0);
	ck_assert(!msg.capture_truncated);
	ck_assert_uint_eq(msg.trailing_bytes, 0);
}
END_TEST

START_TEST(test_query_flags_and_opcode)
{
	struct msgbuf m;

	/* A NOTIFY-like request: opcode 4, AA, TC; no answers. */
	put_header(&m, 7, 4 << 11 | 0x0400 | 0x0200, 1, 0, 0, 0);
	put_name(&m, "Zone.Example");
	put16(&m, 6);
	put16(&m, 1);
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert(!msg.qr && msg.aa && msg.tc && !msg.rd && !msg.ra);
	ck_assert_uint_eq(msg.opcode, 4);
	ck_assert_str_eq(msg.query, "zone.example.");
	ck_assert(!msg.has_ttl);
	ck_assert_uint_eq(msg.ttl_min, 0);
}
END_TEST

START_TEST(test_aaaa_response)
{
	static const char *v6 = "2001:db8::1";
	uint8_t addr[16];
	struct msgbuf m;

	ck_assert_int_eq(inet_pton(AF_INET6, v6, addr), 1);
	put_header(&m, 1, FLAGS_RESPONSE, 1, 1, 0, 0);
	put_name(&m, "v6.test");
	put16(&m, 28);
	put16(&m, 1);
	put_ptr(&m, QNAME_OFF);
	put_rr_fixed(&m, 28, 60, 16);
	put_bytes(&m, addr, 16);
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert_uint_eq(msg.qtypes[0], 28);
	ck_assert_uint_eq(msg.ips_len, 1);
	ck_assert_uint_eq(msg.ips[0].family, AF_INET6);
	ck_assert_mem_eq(msg.ips[0].addr, addr, 16);
	ck_assert_uint_eq(msg.rrtypes[0], 28);
}
END_TEST

/*
 * www.example.com CNAME edge.example.net (suffix new), edge.example.net CNAME
 * b.edge.example.net (compressed into the previous RDATA, a pointer to a
 * pointer's target), then two A records for the last name, TTLs 300, 20, 60, 45.
 */
START_TEST(test_cname_chain_and_compression)
{
	struct msgbuf m;
	size_t edge_off, b_off;

	put_header(&m, 2, FLAGS_RESPONSE, 1, 4, 0, 0);
	put_name(&m, "www.example.com");
	put16(&m, 1);
	put16(&m, 1);
	put_ptr(&m, QNAME_OFF);
	put_rr_fixed(&m, 5, 300, 18);
	edge_off = m.len;
	put_name(&m, "edge.example.net"); /* 18 octets */
	put_ptr(&m, (unsigned int)edge_off);
	put_rr_fixed(&m, 5, 20, 4);
	b_off = m.len;
	put_labels(&m, "b");
	put_ptr(&m, (unsigned int)edge_off);
	put_ptr(&m, (unsigned int)b_off);
	put_rr_fixed(&m, 1, 60, 4);
	put_bytes(&m, "\x0a\x00\x00\x01", 4);
	put_ptr(&m, (unsigned int)b_off);
	put_rr_fixed(&m, 1, 45, 4);
	put_bytes(&m, "\x0a\x00\x00\x02", 4);

	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert_str_eq(msg.query, "www.example.com.");
	ck_assert_uint_eq(msg.cnames_len, 2);
	ck_assert_str_eq(msg.cnames[0], "edge.example.net.");
	ck_assert_str_eq(msg.cnames[1], "b.edge.example.net.");
	ck_assert_uint_eq(msg.ips_len, 2);
	assert_ipv4(&msg.ips[0], "10.0.0.1");
	assert_ipv4(&msg.ips[1], "10.0.0.2");
	ck_assert_uint_eq(msg.rrtypes_len, 2);
	ck_assert_uint_eq(msg.rrtypes[0], 5);
	ck_assert_uint_eq(msg.rrtypes[1], 1);
	ck_assert_uint_eq(msg.ttl_min, 20);
	ck_assert_uint_eq(msg.answers_decoded, 4);
}
END_TEST

START_TEST(test_nxdomain_with_soa)
{
	struct msgbuf m;

	put_header(&m, 3, 0x8183, 1, 0, 1, 0);
	put_name(&m, "nope.test");
	put16(&m, 1);
	put16(&m, 1);
	put_ptr(&m, QNAME_OFF + 5); /* "test" */
	put_rr_fixed(&m, 6, 900, 4);
	put_bytes(&m, "\0\0\0\0", 4); /* RDATA is not read outside the answer section */
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert_uint_eq(msg.rcode, 3);
	ck_assert_str_eq(msg.query, "nope.test.");
	ck_assert_uint_eq(msg.answers_decoded, 0);
	ck_assert_uint_eq(msg.rrtypes_len, 0);
	ck_assert(!msg.has_ttl); /* the SOA is not an answer */
}
END_TEST

START_TEST(test_several_questions)
{
	struct msgbuf m;

	put_header(&m, 4, 0x0100, 3, 0, 0, 0);
	put_name(&m, "first.test");
	put16(&m, 1);
	put16(&m, 1);
	put_labels(&m, "second");
	put_ptr(&m, QNAME_OFF + 6);
	put16(&m, 28);
	put16(&m, 1);
	put_name(&m, "third.test");
	put16(&m, 65);
	put16(&m, 1);
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert_str_eq(msg.query, "first.test.");
	ck_assert_uint_eq(msg.qtypes_len, 3);
	ck_assert_uint_eq(msg.qtypes[0], 1);
	ck_assert_uint_eq(msg.qtypes[1], 28);
	ck_assert_uint_eq(msg.qtypes[2], 65);
}
END_TEST

START_TEST(test_name_escaping_and_case)
{
	static const uint8_t label[] = {'M', 'i', 'X', '.', ' ', '\\', '"', 0x00, 0x7f, 0xff, 'z'};
	struct msgbuf m;

	put_header(&m, 5, 0x0100, 1, 0, 0, 0);
	put8(&m, sizeof(label));
	put_bytes(&m, label, sizeof(label));
	put_name(&m, "COM");
	put16(&m, 16);
	put16(&m, 1);
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert_str_eq(msg.query, "mix\\.\\ \\\\\\\"\\000\\127\\255z.com.");
}
END_TEST

START_TEST(test_root_name)
{
	struct msgbuf m;

	put_header(&m, 6, 0x0100, 1, 0, 0, 0);
	put8(&m, 0);
	put16(&m, 2);
	put16(&m, 1);
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert_str_eq(msg.query, ".");
}
END_TEST

START_TEST(test_no_question)
{
	struct msgbuf m;

	put_header(&m, 6, 0x8001, 0, 0, 0, 0); /* a FORMERR answer without question */
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert_str_eq(msg.query, "");
	ck_assert_uint_eq(msg.rcode, 1);
	ck_assert_uint_eq(msg.qtypes_len, 0);
}
END_TEST

/* Labels of 63,63,63,last octets: wire length 3*64 + (last+1) + 1. */
static void build_long_name(struct msgbuf *m, unsigned int last)
{
	put_header(m, 8, 0x0100, 1, 0, 0, 0);
	for (int l = 0; l < 3; l++) {
		put8(m, 63);
		for (int i = 0; i < 63; i++)
			put8(m, 'a');
	}
	put8(m, last);
	for (unsigned int i = 0; i < last; i++)
		put8(m, 'b');
	put8(m, 0);
	put16(m, 1);
	put16(m, 1);
}

START_TEST(test_name_length_limit)
{
	struct msgbuf m;

	build_long_name(&m, 61); /* 255 octets: the largest legal name */
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert_uint_eq(strlen(msg.query), 3 * 64 + 62);
	build_long_name(&m, 62); /* 256 octets */
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_ERR_NAME_TOO_LONG);
}
END_TEST

/* A worst case for the text buffer: 255 octets of bytes that all need \DDD. */
START_TEST(test_name_all_escaped)
{
	struct msgbuf m;

	put_header(&m, 9, 0x0100, 1, 0, 0, 0);
	for (int l = 0; l < 4; l++) {
		unsigned int n = l < 3 ? 63 : 61;

		put8(&m, n);
		for (unsigned int i = 0; i < n; i++)
			put8(&m, 0xff);
	}
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert_uint_eq(strlen(msg.query), (3 * 63 + 61) * 4 + 4);
	ck_assert_int_eq(strncmp(msg.query, "\\255\\255", 8), 0);
}
END_TEST

/* ---- malformed messages, one cause each */

static void build_question_with(struct msgbuf *m, const uint8_t *name, size_t n)
{
	put_header(m, 10, 0x0100, 1, 0, 0, 0);
	put_bytes(m, name, n);
	put16(m, 1);
	put16(m, 1);
}

static int decode_whole(const struct msgbuf *m)
{
	return dns_message_decode(m->b, m->len, m->len, &msg);
}

START_TEST(test_malformed_names)
{
	struct msgbuf m;

	put_header(&m, 10, 0, 1, 0, 0, 0);
	ck_assert_int_eq(dns_message_decode(m.b, 11, 11, &msg), DNS_ERR_SHORT_HEADER);
	ck_assert_int_eq(dns_message_decode(m.b, 11, 40, &msg), DNS_ERR_SHORT_HEADER);

	/* A label of 10 octets in a message that ends after 3 of them. */
	put_header(&m, 10, 0x0100, 1, 0, 0, 0);
	put_bytes(&m,
		  "\x0a"
		  "abc",
		  4);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_NAME_PAST_END);
	/* A name with no root label before the end. */
	put_header(&m, 10, 0x0100, 1, 0, 0, 0);
	put_bytes(&m,
		  "\x03"
		  "abc",
		  4);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_NAME_PAST_END);
	/* Half a pointer. */
	put_header(&m, 10, 0x0100, 1, 0, 0, 0);
	put8(&m, 0xc0);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_NAME_PAST_END);

	build_question_with(&m,
			    (const uint8_t *)"\x41"
					     "abc\0",
			    5);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_LABEL_TYPE);
	build_question_with(&m,
			    (const uint8_t *)"\x01"
					     "a\x80\0",
			    4);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_LABEL_TYPE);

	/* A pointer to itself, and a label then a pointer back to its own start. */
	build_question_with(&m, (const uint8_t *)"\xc0\x0c", 2);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_POINTER_LOOP);
	build_question_with(&m,
			    (const uint8_t *)"\x01"
					     "a\xc0\x0c",
			    4);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_POINTER_LOOP);
	/* A pointer past itself but inside the message (to the QTYPE). */
	build_question_with(&m, (const uint8_t *)"\xc0\x0e", 2);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_POINTER_FORWARD);
	build_question_with(&m, (const uint8_t *)"\xff\xff", 2);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_POINTER_OUT_OF_RANGE);
	build_question_with(&m, (const uint8_t *)"\xc0\x04", 2); /* into the header */
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_POINTER_OUT_OF_RANGE);
}
END_TEST

/*
 * A loop that "pointers only go backwards" alone would not catch: a label
 * whose data hides a pointer, then a pointer back to that label. Each pointer
 * points below its own offset, yet following them never ends.
 */
START_TEST(test_pointer_loop_through_label_data)
{
	struct msgbuf m;
	size_t start;

	put_header(&m, 11, FLAGS_RESPONSE, 1, 1, 0, 0);
	put_name(&m, "q");
	put16(&m, 1);
	put16(&m, 1);
	start = m.len;
	put8(&m, 2);			  /* a label whose 2 octets are ... */
	put_ptr(&m, (unsigned int)start); /* ... this pointer, the answer's owner */
	put_ptr(&m, (unsigned int)start); /* then back to the label: a loop */
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_POINTER_LOOP);
}
END_TEST

START_TEST(test_malformed_sections)
{
	struct msgbuf m;

	/* QTYPE present, QCLASS missing. */
	put_header(&m, 12, 0x0100, 1, 0, 0, 0);
	put_name(&m, "a.test");
	put16(&m, 1);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_QUESTION_PAST_END);

	/* Two questions promised, one present. */
	put_header(&m, 12, 0x0100, 2, 0, 0, 0);
	put_name(&m, "a.test");
	put16(&m, 1);
	put16(&m, 1);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_COUNT_MISMATCH);

	/* Two answers promised, one present. */
	build_a_response(&m);
	m.b[7] = 2;
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_COUNT_MISMATCH);
	/* An additional record promised, none present. */
	build_a_response(&m);
	m.b[11] = 1;
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_COUNT_MISMATCH);

	/* RDLENGTH past the end. */
	build_a_response(&m);
	m.b[m.len - 5] = 100;
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_RECORD_PAST_END);
	/* The fixed part cut: only TYPE and CLASS after the owner. */
	build_a_response(&m);
	m.len -= 10;
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_RECORD_PAST_END);

	/* An A record of 5 octets (the message does hold them). */
	build_a_response(&m);
	m.b[m.len - 5] = 5;
	put8(&m, 0);
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_RDATA_LENGTH);
	/* A CNAME whose name is longer than its RDLENGTH says. */
	put_header(&m, 12, FLAGS_RESPONSE, 1, 1, 0, 0);
	put_name(&m, "a.test");
	put16(&m, 5);
	put16(&m, 1);
	put_ptr(&m, QNAME_OFF);
	put_rr_fixed(&m, 5, 1, 3);
	put_name(&m, "long.test");
	ck_assert_int_eq(decode_whole(&m), DNS_ERR_RDATA_LENGTH);
}
END_TEST

START_TEST(test_garbage)
{
	struct msgbuf m;

	memset(m.b, 0xff, 64);
	ck_assert_int_ne(dns_message_decode(m.b, 64, 64, &msg), DNS_OK);
	/* An HTTP request on port 53: QDCOUNT "GE"... nothing like a name follows. */
	ck_assert_int_ne(dns_message_decode((const uint8_t *)"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
					    27, 27, &msg),
			 DNS_OK);
	ck_assert_int_eq(dns_message_decode(NULL, 0, 0, &msg), DNS_ERR_SHORT_HEADER);
	ck_assert_int_eq(dns_message_decode(m.b, 20, 10, &msg), DNS_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(dns_message_decode(m.b, 20, 70000, &msg), DNS_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(dns_message_decode(m.b, 20, 20, NULL), DNS_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_trailing_bytes)
{
	struct msgbuf m;

	build_a_response(&m);
	put_bytes(&m, "\0\0\0", 3);
	ck_assert_int_eq(decode_whole(&m), DNS_OK);
	ck_assert_uint_eq(msg.trailing_bytes, 3);
	ck_assert_uint_eq(msg.ips_len, 1);
}
END_TEST

/* ---- captures cut short by the datapath's copy bound */

/* cut.test A with three answers at TTLs 50, 40, 30; *ends gets each answer's end offset. */
static void build_three_answers(struct msgbuf *m, size_t ends[3])
{
	put_header(m, 13, FLAGS_RESPONSE, 1, 3, 0, 0);
	put_name(m, "cut.test");
	put16(m, 1);
	put16(m, 1);
	put_a(m, QNAME_OFF, 50, "192.0.2.1");
	ends[0] = m->len;
	put_a(m, QNAME_OFF, 40, "192.0.2.2");
	ends[1] = m->len;
	put_a(m, QNAME_OFF, 30, "192.0.2.3");
	ends[2] = m->len;
}

START_TEST(test_capture_truncated_answers)
{
	struct msgbuf m;
	size_t ends[3];

	build_three_answers(&m, ends);
	/* Cut at every offset inside the third answer, its first byte included. */
	for (size_t cut = ends[1]; cut < ends[2]; cut++) {
		ck_assert_int_eq(dns_message_decode(m.b, cut, m.len, &msg), DNS_OK);
		ck_assert(msg.capture_truncated);
		ck_assert_str_eq(msg.query, "cut.test.");
		ck_assert_uint_eq(msg.answers_decoded, 2);
		ck_assert_uint_eq(msg.ips_len, 2);
		assert_ipv4(&msg.ips[1], "192.0.2.2");
		ck_assert_uint_eq(msg.ttl_min, 40);
		/* The same bytes as a whole message: the count promises a record it lacks. */
		ck_assert_int_ne(dns_message_decode(m.b, cut, cut, &msg), DNS_OK);
	}
	ck_assert_int_eq(dns_message_decode(m.b, m.len, m.len, &msg), DNS_OK);
	ck_assert(!msg.capture_truncated);
	ck_assert_uint_eq(msg.ttl_min, 30);

	/* Cut inside the question: nothing to report a record by. */
	for (size_t cut = DNS_HEADER_LEN; cut < QNAME_OFF + 14; cut++)
		ck_assert_int_eq(dns_message_decode(m.b, cut, m.len, &msg),
				 DNS_ERR_CAPTURE_CUT_QUESTION);
	/* Malformed stays malformed when also cut: a pointer forward, then the cut. */
	m.b[ends[0]] = 0xc0;
	m.b[ends[0] + 1] = (uint8_t)(ends[0] + 2);
	ck_assert_int_eq(dns_message_decode(m.b, ends[0] + 4, m.len, &msg),
			 DNS_ERR_POINTER_FORWARD);
}
END_TEST

/* A cut inside a CNAME's RDATA is a capture cut, not a CNAME of the wrong length. */
START_TEST(test_capture_cut_in_cname)
{
	struct msgbuf m;
	size_t first_end, second_end;

	put_header(&m, 17, FLAGS_RESPONSE, 1, 2, 0, 0);
	put_name(&m, "alias.test");
	put16(&m, 1);
	put16(&m, 1);
	put_ptr(&m, QNAME_OFF);
	put_rr_fixed(&m, 5, 70, 14); /* 4real7example0 */
	put_name(&m, "real.example");
	first_end = m.len;
	put_ptr(&m, QNAME_OFF);
	put_rr_fixed(&m, 5, 80, 8);
	put_labels(&m, "other");
	put_ptr(&m, QNAME_OFF + 6); /* "test" */
	second_end = m.len;
	for (size_t cut = first_end; cut < second_end; cut++) {
		ck_assert_int_eq(dns_message_decode(m.b, cut, m.len, &msg), DNS_OK);
		ck_assert(msg.capture_truncated);
		ck_assert_uint_eq(msg.cnames_len, 1);
		ck_assert_str_eq(msg.cnames[0], "real.example.");
		ck_assert_uint_eq(msg.ttl_min, 70);
	}
	ck_assert_int_eq(decode_whole(&m), DNS_OK);
	ck_assert_uint_eq(msg.cnames_len, 2);
	ck_assert_str_eq(msg.cnames[1], "other.test.");
}
END_TEST

/* The OPT record cut off: the answers stand, the RCODE is the header's 4 bits. */
START_TEST(test_capture_cut_before_edns)
{
	struct msgbuf m;
	size_t answers_end;

	put_header(&m, 18, FLAGS_RESPONSE | 2, 1, 1, 0, 1);
	put_name(&m, "e.test");
	put16(&m, 1);
	put16(&m, 1);
	put_a(&m, QNAME_OFF, 9, "192.0.2.9");
	answers_end = m.len;
	put8(&m, 0);
	put16(&m, 41);
	put16(&m, 1232);
	put32(&m, 1u << 24);
	put16(&m, 0);
	ck_assert_int_eq(dns_message_decode(m.b, answers_end + 3, m.len, &msg), DNS_OK);
	ck_assert(msg.capture_truncated && !msg.has_edns);
	ck_assert_uint_eq(msg.rcode, 2);
	ck_assert_uint_eq(msg.ips_len, 1);
	ck_assert_int_eq(decode_whole(&m), DNS_OK);
	ck_assert(msg.has_edns);
	ck_assert_uint_eq(msg.rcode, 16 + 2);
}
END_TEST

/* Only class IN records are addresses; mDNS's cache-flush bit does not change the class. */
START_TEST(test_answer_classes)
{
	struct msgbuf m;

	put_header(&m, 19, FLAGS_RESPONSE, 1, 3, 0, 0);
	put_name(&m, "version.bind");
	put16(&m, 1);
	put16(&m, 3);
	put_ptr(&m, QNAME_OFF);
	put16(&m, 1); /* A, class CH: a name and an address, not 4 octets */
	put16(&m, 3);
	put32(&m, 5);
	put16(&m, 3);
	put_bytes(&m, "\0\x01\x02", 3);
	put_ptr(&m, QNAME_OFF);
	put16(&m, 1); /* A, class IN with the cache-flush bit */
	put16(&m, 0x8001);
	put32(&m, 6);
	put16(&m, 4);
	put_bytes(&m, "\xc0\x00\x02\x07", 4);
	put_ptr(&m, QNAME_OFF);
	put_rr_fixed(&m, 1, 7, 4);
	put_bytes(&m, "\xc0\x00\x02\x08", 4);
	ck_assert_int_eq(decode_whole(&m), DNS_OK);
	ck_assert_uint_eq(msg.answers_decoded, 3);
	ck_assert_uint_eq(msg.ips_len, 2);
	assert_ipv4(&msg.ips[0], "192.0.2.7");
	assert_ipv4(&msg.ips[1], "192.0.2.8");
	ck_assert_uint_eq(msg.rrtypes_len, 1);
	ck_assert_uint_eq(msg.ttl_min, 5);
}
END_TEST

START_TEST(test_ttl_min_and_bounds)
{
	struct msgbuf m;
	char ip[32];

	/* 20 addresses, TTLs 1000 down to 981 but one of 7 in the middle. */
	put_header(&m, 14, FLAGS_RESPONSE, 1, 20, 0, 0);
	put_name(&m, "many.test");
	put16(&m, 1);
	put16(&m, 1);
	for (unsigned int i = 0; i < 20; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%u", i + 1);
		put_a(&m, QNAME_OFF, i == 9 ? 7 : 1000 - i, ip);
	}
	ck_assert_int_eq(decode_whole(&m), DNS_OK);
	ck_assert_uint_eq(msg.answers_decoded, 20);
	ck_assert_uint_eq(msg.ips_len, DNS_IPS_MAX);
	ck_assert_uint_eq(msg.ips_dropped, 20 - DNS_IPS_MAX);
	assert_ipv4(&msg.ips[DNS_IPS_MAX - 1], "198.51.100.16");
	ck_assert_uint_eq(msg.ttl_min, 7);

	/* Ten CNAMEs, each to a new name under the question's. */
	put_header(&m, 15, FLAGS_RESPONSE, 1, 10, 0, 0);
	put_name(&m, "c.test");
	put16(&m, 5);
	put16(&m, 1);
	for (unsigned int i = 0; i < 10; i++) {
		put_ptr(&m, QNAME_OFF);
		put_rr_fixed(&m, 5, 100 + i, 4);
		put8(&m, 1);
		put8(&m, 'a' + i);
		put_ptr(&m, QNAME_OFF);
	}
	ck_assert_int_eq(decode_whole(&m), DNS_OK);
	ck_assert_uint_eq(msg.cnames_len, DNS_CNAMES_MAX);
	ck_assert_uint_eq(msg.cnames_dropped, 10 - DNS_CNAMES_MAX);
	ck_assert_str_eq(msg.cnames[0], "a.c.test.");
	ck_assert_str_eq(msg.cnames[7], "h.c.test.");
	ck_assert_uint_eq(msg.ttl_min, 100);
}
END_TEST

START_TEST(test_edns_extended_rcode)
{
	struct msgbuf m;

	put_header(&m, 16, 0x8100, 1, 0, 0, 1);
	put_name(&m, "e.test");
	put16(&m, 1);
	put16(&m, 1);
	put8(&m, 0); /* root owner */
	put16(&m, 41);
	put16(&m, 1232);     /* UDP payload size */
	put32(&m, 1u << 24); /* extended RCODE 1: 16 with header RCODE 0, BADVERS */
	put16(&m, 0);
	ck_assert_int_eq(decode_whole(&m), DNS_OK);
	ck_assert(msg.has_edns);
	ck_assert_uint_eq(msg.rcode, 16);
	ck_assert(!msg.has_ttl);
}
END_TEST

START_TEST(test_names_for_printer)
{
	char buf[16];

	ck_assert_str_eq(dns_rcode_name(0, buf, sizeof(buf)), "NOERROR");
	ck_assert_str_eq(dns_rcode_name(2, buf, sizeof(buf)), "SERVFAIL");
	ck_assert_str_eq(dns_rcode_name(3, buf, sizeof(buf)), "NXDOMAIN");
	ck_assert_str_eq(dns_rcode_name(5, buf, sizeof(buf)), "REFUSED");
	ck_assert_str_eq(dns_rcode_name(23, buf, sizeof(buf)), "BADCOOKIE");
	ck_assert_str_eq(dns_rcode_name(12, buf, sizeof(buf)), "RCODE12");
	ck_assert_str_eq(dns_rcode_name(4000, buf, sizeof(buf)), "RCODE4000");
	ck_assert_str_eq(dns_type_name(1, buf, sizeof(buf)), "A");
	ck_assert_str_eq(dns_type_name(28, buf, sizeof(buf)), "AAAA");
	ck_assert_str_eq(dns_type_name(5, buf, sizeof(buf)), "CNAME");
	ck_assert_str_eq(dns_type_name(15, buf, sizeof(buf)), "MX");
	ck_assert_str_eq(dns_type_name(16, buf, sizeof(buf)), "TXT");
	ck_assert_str_eq(dns_type_name(12, buf, sizeof(buf)), "PTR");
	ck_assert_str_eq(dns_type_name(33, buf, sizeof(buf)), "SRV");
	ck_assert_str_eq(dns_type_name(2, buf, sizeof(buf)), "NS");
	ck_assert_str_eq(dns_type_name(6, buf, sizeof(buf)), "SOA");
	ck_assert_str_eq(dns_type_name(64, buf, sizeof(buf)), "SVCB");
	ck_assert_str_eq(dns_type_name(65, buf, sizeof(buf)), "HTTPS");
	ck_assert_str_eq(dns_type_name(255, buf, sizeof(buf)), "ANY");
	ck_assert_str_eq(dns_type_name(123, buf, sizeof(buf)), "TYPE123");
	ck_assert_str_eq(dns_type_name(65535, buf, sizeof(buf)), "TYPE65535");
	/* and back: every name, any case, and RFC 3597's generic form */
	ck_assert_int_eq(dns_type_from_name("AAAA"), 28);
	ck_assert_int_eq(dns_type_from_name("aaaa"), 28);
	ck_assert_int_eq(dns_type_from_name("Https"), 65);
	ck_assert_int_eq(dns_type_from_name("NSAP-PTR"), 23);
	ck_assert_int_eq(dns_type_from_name("DLV"), 32769);
	ck_assert_int_eq(dns_type_from_name("TYPE65280"), 65280);
	ck_assert_int_eq(dns_type_from_name("type99"), 99);
	ck_assert_int_eq(dns_type_from_name("TYPE65536"), -1);
	ck_assert_int_eq(dns_type_from_name("TYPE"), -1);
	ck_assert_int_eq(dns_type_from_name("TYPE1x"), -1);
	ck_assert_int_eq(dns_type_from_name("TYPE-1"), -1);
	ck_assert_int_eq(dns_type_from_name("BOGUS"), -1);
	ck_assert_int_eq(dns_type_from_name(""), -1);
	for (unsigned int t = 0; t <= 65535; t++)
		ck_assert_int_eq(dns_type_from_name(dns_type_name(t, buf, sizeof(buf))), (int)t);

	/* Each cause its own name, none left unnamed. */
	for (int a = 0; a < DNS_ERR__COUNT; a++) {
		ck_assert_str_ne(dns_error_name(a), "unknown");
		for (int b = a + 1; b < DNS_ERR__COUNT; b++)
			ck_assert_str_ne(dns_error_name(a), dns_error_name(b));
	}
	ck_assert_str_eq(dns_error_name(DNS_ERR_POINTER_LOOP), "pointer_loop");
	ck_assert_str_eq(dns_error_name(DNS_ERR__COUNT), "unknown");
	ck_assert_str_eq(dns_error_name(-1), "unknown");
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_a_response);
	tcase_add_test(tc, test_query_flags_and_opcode);
	tcase_add_test(tc, test_aaaa_response);
	tcase_add_test(tc, test_cname_chain_and_compression);
	tcase_add_test(tc, test_nxdomain_with_soa);
	tcase_add_test(tc, test_several_questions);
	tcase_add_test(tc, test_name_escaping_and_case);
	tcase_add_test(tc, test_root_name);
	tcase_add_test(tc, test_no_question);
	tcase_add_test(tc, test_name_length_limit);
	tcase_add_test(tc, test_name_all_escaped);
	tcase_add_test(tc, test_malformed_names);
	tcase_add_test(tc, test_pointer_loop_through_label_data);
	tcase_add_test(tc, test_malformed_sections);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_trailing_bytes);
	tcase_add_test(tc, test_capture_truncated_answers);
	tcase_add_test(tc, test_capture_cut_in_cname);
	tcase_add_test(tc, test_capture_cut_before_edns);
	tcase_add_test(tc, test_answer_classes);
	tcase_add_test(tc, test_ttl_min_and_bounds);
	tcase_add_test(tc, test_edns_extended_rcode);
	tcase_add_test(tc, test_names_for_printer);
	suite_add_tcase(s, tc);
	return s;
}
