// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The connectivity test's DNS answers (ct_dns_zone.h). The query is checked
 * whole by lib/dns.c's decoder first (pointer loops, counts, lengths), which
 * also gives its name in lower-cased presentation form to look up; the
 * question is then copied into the response uncompressed, in the asker's
 * own spelling. Every write is checked against cap before it is made.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "ct_dns_zone.h"
#include "dns.h"

#define TYPE_A	   1
#define TYPE_CNAME 5
#define TYPE_AAAA  28
#define TYPE_ANY   255
#define CLASS_IN   1
#define CLASS_ANY  255

#define RCODE_NOERROR  0
#define RCODE_FORMERR  1
#define RCODE_NXDOMAIN 3
#define RCODE_NOTIMP   4
#define RCODE_REFUSED  5

#define CNAME_HOPS_MAX 8 /* a chain in the zone longer than this ends there */

struct writer {
	uint8_t *out;
	size_t cap, len;
	bool full; /* something did not fit: the response is cut (TC) */
};

static bool put(struct writer *w, const void *data, size_t len)
{
	if (w->full || len > w->cap - w->len) {
		w->full = true;
		return false;
	}
	memcpy(w->out + w->len, data, len);
	w->len += len;
	return true;
}

static bool put_u16(struct writer *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	return put(w, b, 2);
}

static bool put_u32(struct writer *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	return put(w, b, 4);
}

/* A zone name (presentation form, no escapes, trailing dot) in wire form. 0 if it cannot be. */
static size_t name_to_wire(const char *text, uint8_t *wire, size_t cap)
{
	size_t len = 0;

	if (strcmp(text, ".") == 0)
		text = "";
	while (*text) {
		const char *dot = strchr(text, '.');
		size_t label = dot ? (size_t)(dot - text) : strlen(text);

		if (label == 0 || label > 63 || len + 1 + label + 1 > cap)
			return 0;
		wire[len++] = (uint8_t)label;
		memcpy(wire + len, text, label);
		len += label;
		text += label + (dot ? 1 : 0);
	}
	if (len + 1 > cap)
		return 0;
	wire[len++] = 0;
	return len;
}

/*
 * The question's name at off, decompressed into wire form (at most 255
 * bytes). The decoder accepted the message, so pointers go strictly back;
 * the bounds are checked again anyway. Returns the length, 0 on a fault;
 * *next is the offset after the name in place.
 */
static size_t question_name_copy(const uint8_t *msg, size_t msg_len, size_t off, uint8_t *wire,
				 size_t *next)
{
	size_t len = 0, pos = off, jumps = 0;
	bool jumped = false;

	while (pos < msg_len) {
		uint8_t label = msg[pos];

		if ((label & 0xc0) == 0xc0) {
			if (pos + 1 >= msg_len || ++jumps > 127)
				return 0;
			if (!jumped)
				*next = pos + 2;
			jumped = true;
			pos = (size_t)(label & 0x3f) << 8 | msg[pos + 1];
			continue;
		}
		if (label & 0xc0 || pos + 1 + label > msg_len ||
		    len + 1 + label > DNS_NAME_WIRE_MAX)
			return 0;
		memcpy(wire + len, msg + pos, 1u + label);
		len += 1u + label;
		pos += 1u + label;
		if (label == 0) {
			if (!jumped)
				*next = pos;
			return len;
		}
	}
	return 0;
}

/* Is wire name `name` at or under `origin` (both wire form), comparing without case? */
static bool name_under(const uint8_t *name, size_t name_len, const uint8_t *origin,
		       size_t origin_len)
{
	size_t pos = 0;

	/* Walk label by label: the suffix must start on a label boundary. */
	for (;;) {
		if (name_len - pos == origin_len) {
			for (size_t i = 0; i < origin_len; i++) {
				uint8_t a = name[pos + i], b = origin[i];

				if (a >= 'A' && a <= 'Z')
					a = (uint8_t)(a - 'A' + 'a');
				if (b >= 'A' && b <= 'Z')
					b = (uint8_t)(b - 'A' + 'a');
				if (a != b)
					return false;
			}
			return true;
		}
		if (pos >= name_len || name[pos] == 0)
			return false;
		pos += 1u + name[pos];
		if (pos > name_len)
			return false;
	}
}

/* Header only: the id, the opcode and RD of the query, and rcode. */
static size_t header_only(const uint8_t *query, uint8_t *out, int rcode)
{
	out[0] = query[0];
	out[1] = query[1];
	out[2] = (uint8_t)(0x80 | (query[2] & 0x79)); /* QR, the opcode, RD */
	out[3] = (uint8_t)rcode;
	memset(out + 4, 0, 8);
	return 12;
}

/* One answer record: owner at `owner` (a wire name, or NULL for a pointer to the question). */
static bool record_put(struct writer *w, const uint8_t *owner, size_t owner_len,
		       const struct ct_dns_zone_record *r)
{
	uint8_t target[DNS_NAME_WIRE_MAX];
	size_t target_len = 0, rdlength;
	size_t start = w->len;

	if (r->type == TYPE_CNAME) {
		target_len = name_to_wire(r->target ? r->target : "", target, sizeof(target));
		if (!target_len)
			return true; /* a broken zone entry: skipped, not sent */
		rdlength = target_len;
	} else {
		rdlength = r->type == TYPE_A ? 4 : 16;
	}
	if (owner ? !put(w, owner, owner_len) : !put_u16(w, 0xc000 | 12))
		goto cut;
	if (!put_u16(w, r->type) || !put_u16(w, CLASS_IN) || !put_u32(w, r->ttl) ||
	    !put_u16(w, (uint16_t)rdlength) ||
	    !put(w, r->type == TYPE_CNAME ? target : r->addr, rdlength))
		goto cut;
	return true;
cut:
	w->len = start; /* never half a record */
	return false;
}

size_t ct_dns_zone_answer(const struct ct_dns_zone *zone, const uint8_t *query, size_t qlen,
			  uint8_t *out, size_t cap)
{
	struct dns_message msg; /* about 10 KiB; on the stack, so callers may run in parallel */
	uint8_t qname[DNS_NAME_WIRE_MAX], origin[DNS_NAME_WIRE_MAX], owner[DNS_NAME_WIRE_MAX];
	struct writer w = {.out = out, .cap = cap};
	const char *current, *origin_text;
	size_t qname_len, origin_len, owner_len = 0, next = 0;
	uint16_t qtype, qclass, ancount = 0;
	int rcode = RCODE_NOERROR, hops;

	if (!zone || !query || !out || qlen < DNS_HEADER_LEN || cap < DNS_HEADER_LEN)
		return 0;
	if (query[2] & 0x80)
		return 0; /* a response: answering it could start a loop between two servers */
	if ((query[2] >> 3 & 0xf) != 0)
		return header_only(query, out, RCODE_NOTIMP);
	if (qlen > DNS_MESSAGE_MAX || dns_message_decode(query, qlen, qlen, &msg) != DNS_OK ||
	    msg.qdcount != 1)
		return header_only(query, out, RCODE_FORMERR);
	qname_len = question_name_copy(query, qlen, DNS_HEADER_LEN, qname, &next);
	if (!qname_len || next + 4 > qlen)
		return header_only(query, out, RCODE_FORMERR);
	qtype = (uint16_t)(query[next] << 8 | query[next + 1]);
	qclass = (uint16_t)(query[next + 2] << 8 | query[next + 3]);

	header_only(query, out, RCODE_NOERROR);
	w.len = DNS_HEADER_LEN;
	if (!put(&w, qname, qname_len) || !put_u16(&w, qtype) || !put_u16(&w, qclass)) {
		out[2] |= 0x02; /* TC: not even the question fits */
		return DNS_HEADER_LEN;
	}
	out[5] = 1; /* QDCOUNT */
	origin_text = zone->origin ? zone->origin : ".";
	origin_len = name_to_wire(origin_text, origin, sizeof(origin));
	if ((qclass != CLASS_IN && qclass != CLASS_ANY) || !origin_len ||
	    !name_under(qname, qname_len, origin, origin_len)) {
		out[3] = RCODE_REFUSED;
		return w.len;
	}
	out[2] |= 0x04; /* AA: this is our zone */

	/* Follow the name through CNAMEs inside the zone; the rcode is the last name's (RFC 6604). */
	current = msg.query;
	for (hops = 0; hops < CNAME_HOPS_MAX; hops++) {
		const char *cname_target = NULL;
		bool name_exists = false;

		for (unsigned int i = 0; i < zone->nrecords && i < CT_DNS_ZONE_RECORDS_MAX; i++) {
			const struct ct_dns_zone_record *r = &zone->records[i];

			if (!r->name || strcasecmp(r->name, current) != 0)
				continue;
			name_exists = true;
			if (r->type == TYPE_CNAME && qtype != TYPE_CNAME)
				cname_target = r->target;
			if (r->type != qtype && qtype != TYPE_ANY && r->type != TYPE_CNAME)
				continue;
			if (!record_put(&w, hops ? owner : NULL, owner_len, r))
				break;
			ancount++;
		}
		if (w.full)
			break;
		if (!name_exists) {
			/* The apex exists (it is the zone) even with no records of its own. */
			if (strcasecmp(current, origin_text) != 0)
				rcode = RCODE_NXDOMAIN;
			break;
		}
		if (!cname_target || qtype == TYPE_ANY)
			break;
		owner_len = name_to_wire(cname_target, owner, sizeof(owner));
		if (!owner_len || !name_under(owner, owner_len, origin, origin_len))
			break; /* out of the zone: the asker's resolver follows it, not us */
		current = cname_target;
	}
	if (w.full)
		out[2] |= 0x02; /* TC */
	out[3] = (uint8_t)rcode;
	out[6] = (uint8_t)(ancount >> 8);
	out[7] = (uint8_t)ancount;
	return w.len;
}
