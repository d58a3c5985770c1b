// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * DNS message decoding and DNS-over-TCP framing; see dns.h for the contract
 * and docs/dns.md for the bounds. Every read is checked against the captured
 * length right before it; every loop either advances through the message or
 * follows a compression pointer to a strictly lower offset, so no input can
 * make it read out of bounds or run long.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "dns.h"

#define DNS_TYPE_A     1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA  28
#define DNS_TYPE_OPT   41
#define DNS_CLASS_IN   1

/* Internal only: the capture ended where the message still had bytes. */
#define DNS_CUT (-1)

static const char *const dns_error_names[DNS_ERR__COUNT] = {
	[DNS_OK] = "ok",
	[DNS_ERR_INVALID_ARGUMENT] = "invalid_argument",
	[DNS_ERR_SHORT_HEADER] = "short_header",
	[DNS_ERR_NAME_PAST_END] = "name_past_end",
	[DNS_ERR_NAME_TOO_LONG] = "name_too_long",
	[DNS_ERR_LABEL_TYPE] = "label_type",
	[DNS_ERR_POINTER_LOOP] = "pointer_loop",
	[DNS_ERR_POINTER_FORWARD] = "pointer_forward",
	[DNS_ERR_POINTER_OUT_OF_RANGE] = "pointer_out_of_range",
	[DNS_ERR_QUESTION_PAST_END] = "question_past_end",
	[DNS_ERR_RECORD_PAST_END] = "record_past_end",
	[DNS_ERR_COUNT_MISMATCH] = "count_mismatch",
	[DNS_ERR_RDATA_LENGTH] = "rdata_length",
	[DNS_ERR_CAPTURE_CUT_QUESTION] = "capture_cut_question",
};

const char *dns_error_name(int err)
{
	if (err < 0 || err >= DNS_ERR__COUNT || !dns_error_names[err])
		return "unknown";
	return dns_error_names[err];
}

struct dns_cursor {
	const uint8_t *msg;
	size_t captured; /* bytes readable at msg */
	size_t wire;	 /* bytes the message has */
};

/* An access ending at `end` (exclusive) is malformed past the wire length, cut past the capture. */
static int dns_bounds(const struct dns_cursor *c, size_t end, int malformed)
{
	if (end > c->wire)
		return malformed;
	if (end > c->captured)
		return DNS_CUT;
	return DNS_OK;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* miekg/dns escapes these with a backslash in presentation form, as Hubble prints them. */
static bool dns_label_special(uint8_t c)
{
	return c == '.' || c == ' ' || c == '\'' || c == '@' || c == ';' || c == '(' || c == ')' ||
	       c == '"' || c == '\\';
}

/*
 * Append one label and its dot. Lower-cased because names compare without
 * case (RFC 4343) and resolvers randomise it (DNS 0x20): the name cache and
 * --fqdn globs must see one spelling.
 */
static int dns_label_append(char *text, size_t *text_len, const uint8_t *label, size_t len)
{
	size_t n = *text_len;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = label[i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		/* 4 for the widest escape, 2 for the dot and NUL that may follow. */
		if (n + 4 + 2 > DNS_NAME_TEXT_SIZE)
			return DNS_ERR_NAME_TOO_LONG;
		if (dns_label_special(c)) {
			text[n++] = '\\';
			text[n++] = (char)c;
		} else if (c < 0x21 || c > 0x7e) {
			text[n++] = '\\';
			text[n++] = (char)('0' + c / 100);
			text[n++] = (char)('0' + c / 10 % 10);
			text[n++] = (char)('0' + c % 10);
		} else {
			text[n++] = (char)c;
		}
	}
	text[n++] = '.';
	text[n] = '\0';
	*text_len = n;
	return DNS_OK;
}

/*
 * Read the name at `off`; *next is the offset after it in place (after its
 * first pointer if compressed). With `text`, write its presentation form.
 * A pointer must go below the start of the stretch of labels it ends: the
 * targets then strictly decrease, which bounds the walk and rules out loops.
 */
static int dns_name_read(const struct dns_cursor *c, size_t off, size_t *next, char *text)
{
	size_t pos = off, stretch_start = off, wire_octets = 1 /* the root label */;
	size_t text_len = 0;
	bool jumped = false;
	int err;

	if (text)
		text[0] = '\0';
	for (;;) {
		uint8_t len;

		err = dns_bounds(c, pos + 1, DNS_ERR_NAME_PAST_END);
		if (err)
			return err;
		len = c->msg[pos];
		if ((len & 0xc0) == 0xc0) {
			size_t target;

			err = dns_bounds(c, pos + 2, DNS_ERR_NAME_PAST_END);
			if (err)
				return err;
			target = (size_t)(len & 0x3f) << 8 | c->msg[pos + 1];
			if (!jumped) {
				*next = pos + 2;
				jumped = true;
			}
			if (target >= c->wire || target < DNS_HEADER_LEN)
				return DNS_ERR_POINTER_OUT_OF_RANGE;
			if (target >= stretch_start)
				return target <= pos ? DNS_ERR_POINTER_LOOP
						     : DNS_ERR_POINTER_FORWARD;
			pos = stretch_start = target;
			continue;
		}
		if (len & 0xc0)
			return DNS_ERR_LABEL_TYPE;
		if (len == 0)
			break;
		wire_octets += 1u + len;
		if (wire_octets > DNS_NAME_WIRE_MAX)
			return DNS_ERR_NAME_TOO_LONG;
		err = dns_bounds(c, pos + 1 + len, DNS_ERR_NAME_PAST_END);
		if (err)
			return err;
		if (text) {
			err = dns_label_append(text, &text_len, c->msg + pos + 1, len);
			if (err)
				return err;
		}
		pos += 1u + len;
	}
	if (!jumped)
		*next = pos + 1;
	if (text && text_len == 0) {
		text[0] = '.';
		text[1] = '\0';
	}
	return DNS_OK;
}

static void dns_rrtype_note(struct dns_message *m, uint16_t type)
{
	for (unsigned int i = 0; i < m->rrtypes_len; i++)
		if (m->rrtypes[i] == type)
			return;
	if (m->rrtypes_len < DNS_RRTYPES_MAX)
		m->rrtypes[m->rrtypes_len++] = type;
	else
		m->rrtypes_dropped++;
}

static int dns_questions_read(const struct dns_cursor *c, size_t *pos, struct dns_message *m)
{
	for (unsigned int i = 0; i < m->qdcount; i++) {
		size_t next = 0;
		int err;

		if (*pos >= c->wire)
			return DNS_ERR_COUNT_MISMATCH;
		err = dns_name_read(c, *pos, &next, i == 0 ? m->query : NULL);
		if (!err)
			err = dns_bounds(c, next + 4, DNS_ERR_QUESTION_PAST_END);
		if (err == DNS_CUT)
			return DNS_ERR_CAPTURE_CUT_QUESTION;
		if (err)
			return err;
		if (m->qtypes_len < DNS_QTYPES_MAX)
			m->qtypes[m->qtypes_len++] = get_be16(c->msg + next);
		else
			m->qtypes_dropped++;
		*pos = next + 4;
	}
	return DNS_OK;
}

/* What an answer's RDATA contributes: addresses and CNAME targets. */
static int dns_answer_rdata(const struct dns_cursor *c, uint16_t type, uint16_t rrclass,
			    size_t rdata, uint16_t rdlength, struct dns_message *m)
{
	struct dns_ip *ip;
	size_t next = 0;
	char *text = NULL;
	int err;

	/*
	 * RDATA formats are per class: an A record of class CH is not an
	 * address. The top bit is mDNS's cache-flush flag (RFC 6762 10.2).
	 */
	if ((rrclass & 0x7fff) != DNS_CLASS_IN)
		return DNS_OK;
	switch (type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		if (rdlength != (type == DNS_TYPE_A ? 4 : 16))
			return DNS_ERR_RDATA_LENGTH;
		if (m->ips_len >= DNS_IPS_MAX) {
			m->ips_dropped++;
			return DNS_OK;
		}
		ip = &m->ips[m->ips_len++];
		memset(ip, 0, sizeof(*ip));
		ip->family = type == DNS_TYPE_A ? AF_INET : AF_INET6;
		memcpy(ip->addr, c->msg + rdata, rdlength);
		return DNS_OK;
	case DNS_TYPE_CNAME:
		if (m->cnames_len < DNS_CNAMES_MAX)
			text = m->cnames[m->cnames_len];
		else
			m->cnames_dropped++;
		err = dns_name_read(c, rdata, &next, text);
		/* The RDATA is captured whole, so a cut means the name ran past it. */
		if (err == DNS_CUT || (!err && next != rdata + rdlength))
			return DNS_ERR_RDATA_LENGTH;
		if (err)
			return err;
		if (text)
			m->cnames_len++;
		return DNS_OK;
	}
	return DNS_OK;
}

/* Records of one section; section 0 is the answer section, 2 the additional one. */
static int dns_records_read(const struct dns_cursor *c, size_t *pos, unsigned int count,
			    int section, struct dns_message *m)
{
	for (unsigned int i = 0; i < count; i++) {
		uint16_t type, rrclass, rdlength;
		size_t next = 0;
		uint32_t ttl;
		int err;

		if (*pos >= c->wire)
			return DNS_ERR_COUNT_MISMATCH;
		err = dns_name_read(c, *pos, &next, NULL);
		if (!err)
			err = dns_bounds(c, next + 10, DNS_ERR_RECORD_PAST_END);
		if (err)
			return err;
		type = get_be16(c->msg + next);
		rrclass = get_be16(c->msg + next + 2);
		ttl = get_be32(c->msg + next + 4);
		rdlength = get_be16(c->msg + next + 8);
		err = dns_bounds(c, next + 10 + rdlength, DNS_ERR_RECORD_PAST_END);
		if (err)
			return err;
		if (section == 0) {
			err = dns_answer_rdata(c, type, rrclass, next + 10, rdlength, m);
			if (err)
				return err;
			m->answers_decoded++;
			dns_rrtype_note(m, type);
			if (!m->has_ttl || ttl < m->ttl_min)
				m->ttl_min = ttl;
			m->has_ttl = true;
		} else if (section == 2 && type == DNS_TYPE_OPT && !m->has_edns) {
			/* RFC 6891 6.1.3: the TTL's top byte holds RCODE bits 4..11. */
			m->rcode = (uint16_t)((ttl >> 24) << 4 | (m->rcode & 0x0f));
			m->has_edns = true;
		}
		*pos = next + 10 + rdlength;
	}
	return DNS_OK;
}

static void dns_message_clear(struct dns_message *m)
{
	/* Not a memset of ~10 KiB per message: empty strings and zero counts suffice. */
	m->query[0] = '\0';
	m->qtypes_len = 0;
	m->answers_decoded = 0;
	m->ips_len = 0;
	m->cnames_len = 0;
	m->rrtypes_len = 0;
	m->has_ttl = false;
	m->ttl_min = 0;
	m->qtypes_dropped = m->ips_dropped = m->cnames_dropped = m->rrtypes_dropped = 0;
	m->capture_truncated = false;
	m->has_edns = false;
	m->trailing_bytes = 0;
	m->id = 0;
	m->opcode = 0;
	m->rcode = 0;
	m->qr = m->aa = m->tc = m->rd = m->ra = false;
	m->qdcount = m->ancount = m->nscount = m->arcount = 0;
}

int dns_message_decode(const uint8_t *msg, size_t captured_len, size_t wire_len,
		       struct dns_message *out)
{
	struct dns_cursor c = {.msg = msg, .captured = captured_len, .wire = wire_len};
	size_t pos = DNS_HEADER_LEN;
	uint16_t flags;
	int err;

	if (!out)
		return DNS_ERR_INVALID_ARGUMENT;
	dns_message_clear(out);
	if ((!msg && captured_len) || captured_len > wire_len || wire_len > DNS_MESSAGE_MAX)
		return DNS_ERR_INVALID_ARGUMENT;
	if (captured_len < DNS_HEADER_LEN)
		return DNS_ERR_SHORT_HEADER;

	out->id = get_be16(msg);
	flags = get_be16(msg + 2);
	out->qr = flags >> 15 & 1;
	out->opcode = flags >> 11 & 0x0f;
	out->aa = flags >> 10 & 1;
	out->tc = flags >> 9 & 1;
	out->rd = flags >> 8 & 1;
	out->ra = flags >> 7 & 1;
	out->rcode = flags & 0x0f;
	out->qdcount = get_be16(msg + 4);
	out->ancount = get_be16(msg + 6);
	out->nscount = get_be16(msg + 8);
	out->arcount = get_be16(msg + 10);

	err = dns_questions_read(&c, &pos, out);
	if (err)
		return err;
	err = dns_records_read(&c, &pos, out->ancount, 0, out);
	if (!err)
		err = dns_records_read(&c, &pos, out->nscount, 1, out);
	if (!err)
		err = dns_records_read(&c, &pos, out->arcount, 2, out);
	if (err == DNS_CUT) {
		out->capture_truncated = true;
		return DNS_OK;
	}
	if (err)
		return err;
	out->trailing_bytes = (uint16_t)(wire_len - pos);
	return DNS_OK;
}

/* miekg/dns's RcodeToString, the table Hubble prints with. */
const char *dns_rcode_name(unsigned int rcode, char *buf, size_t size)
{
	/* clang-format off */
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", NULL, NULL, NULL, NULL, NULL,
		/* 16 is also BADVERS (RFC 6891); miekg/dns names it BADSIG. */
		"BADSIG", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG", "BADTRUNC",
		"BADCOOKIE",
	};
	/* clang-format on */

	if (rcode < sizeof(names) / sizeof(names[0]) && names[rcode])
		return names[rcode];
	snprintf(buf, size, "RCODE%u", rcode);
	return buf;
}

/* miekg/dns's TypeToString, the table Hubble prints with. */
/* clang-format off */
static const struct {
	uint16_t type;
	const char *name;
} dns_type_names[] = {
	{1, "A"},	    {2, "NS"},	       {3, "MD"},	  {4, "MF"},
	{5, "CNAME"},	    {6, "SOA"},	       {7, "MB"},	  {8, "MG"},
	{9, "MR"},	    {10, "NULL"},      {12, "PTR"},	  {13, "HINFO"},
	{14, "MINFO"},	    {15, "MX"},	       {16, "TXT"},	  {17, "RP"},
	{18, "AFSDB"},	    {19, "X25"},       {20, "ISDN"},	  {21, "RT"},
	{23, "NSAP-PTR"},   {24, "SIG"},       {25, "KEY"},	  {26, "PX"},
	{27, "GPOS"},	    {28, "AAAA"},      {29, "LOC"},	  {30, "NXT"},
	{31, "EID"},	    {32, "NIMLOC"},    {33, "SRV"},	  {34, "ATMA"},
	{35, "NAPTR"},	    {36, "KX"},	       {37, "CERT"},	  {39, "DNAME"},
	{41, "OPT"},	    {42, "APL"},       {43, "DS"},	  {44, "SSHFP"},
	{45, "IPSECKEY"},   {46, "RRSIG"},     {47, "NSEC"},	  {48, "DNSKEY"},
	{49, "DHCID"},	    {50, "NSEC3"},     {51, "NSEC3PARAM"}, {52, "TLSA"},
	{53, "SMIMEA"},	    {55, "HIP"},       {56, "NINFO"},	  {57, "RKEY"},
	{58, "TALINK"},	    {59, "CDS"},       {60, "CDNSKEY"},	  {61, "OPENPGPKEY"},
	{62, "CSYNC"},	    {63, "ZONEMD"},    {64, "SVCB"},	  {65, "HTTPS"},
	{99, "SPF"},	    {100, "UINFO"},    {101, "UID"},	  {102, "GID"},
	{103, "UNSPEC"},    {104, "NID"},      {105, "L32"},	  {106, "L64"},
	{107, "LP"},	    {108, "EUI48"},    {109, "EUI64"},	  {249, "TKEY"},
	{250, "TSIG"},	    {251, "IXFR"},     {252, "AXFR"},	  {253, "MAILB"},
	{254, "MAILA"},	    {255, "ANY"},      {256, "URI"},	  {257, "CAA"},
	{258, "AVC"},	    {260, "AMTRELAY"}, {32768, "TA"},	  {32769, "DLV"},
};
/* clang-format on */

/* RFC 3597's TYPEn for types without a name. */
const char *dns_type_name(unsigned int type, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof(dns_type_names) / sizeof(dns_type_names[0]); i++)
		if (dns_type_names[i].type == type)
			return dns_type_names[i].name;
	snprintf(buf, size, "TYPE%u", type);
	return buf;
}

int dns_type_from_name(const char *name)
{
	unsigned long type;
	char *end;

	for (size_t i = 0; i < sizeof(dns_type_names) / sizeof(dns_type_names[0]); i++)
		if (!strcasecmp(dns_type_names[i].name, name))
			return dns_type_names[i].type;
	/* the generic form dns_type_name() writes for unnamed types */
	if (strncasecmp(name, "TYPE", 4) || name[4] < '0' || name[4] > '9')
		return -1;
	errno = 0;
	type = strtoul(name + 4, &end, 10);
	if (*end || errno || type > 65535)
		return -1;
	return (int)type;
}
