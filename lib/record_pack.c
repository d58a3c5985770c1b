// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Pack and unpack a record's L7 part and names (layout in record_pack.h).
 * One writer serves both record_pack_size() (no buffer: it only counts) and
 * record_pack(), so the size the store reserves is the size written.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "record_pack.h"

struct pack_out {
	uint8_t *buf; /* NULL: count only */
	size_t len;
	size_t off;
	int err; /* first error: -EINVAL bad part, -ENOSPC buf too small */
};

static void put_bytes(struct pack_out *out, const void *data, size_t n)
{
	if (out->err)
		return;
	if (out->buf) {
		if (n > out->len - out->off) {
			out->err = -ENOSPC;
			return;
		}
		memcpy(out->buf + out->off, data, n);
	}
	out->off += n;
}

static void put_u8(struct pack_out *out, uint8_t v)
{
	put_bytes(out, &v, sizeof(v));
}

static void put_u16(struct pack_out *out, uint16_t v)
{
	put_bytes(out, &v, sizeof(v));
}

static void put_u32(struct pack_out *out, uint32_t v)
{
	put_bytes(out, &v, sizeof(v));
}

static void put_u64(struct pack_out *out, uint64_t v)
{
	put_bytes(out, &v, sizeof(v));
}

/* A count of at most max entries; above it the part is invalid. */
static void put_count(struct pack_out *out, uint8_t n, unsigned int max)
{
	if (n > max && !out->err)
		out->err = -EINVAL;
	put_u8(out, n);
}

/* A NUL-terminated string of a char[size] field; unterminated is invalid. */
static void put_str(struct pack_out *out, const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size) {
		if (!out->err)
			out->err = -EINVAL;
		return;
	}
	put_u16(out, (uint16_t)n);
	put_bytes(out, s, n);
}

static void pack_dns(struct pack_out *out, const struct netobs_l7_dns *dns)
{
	put_str(out, dns->query, sizeof(dns->query));
	put_u32(out, dns->ttl);
	put_u16(out, dns->rcode);
	put_count(out, dns->ips_len, DNS_IPS_MAX);
	for (unsigned int i = 0; i < dns->ips_len && !out->err; i++) {
		const struct dns_ip *ip = &dns->ips[i];

		if (ip->family != AF_INET && ip->family != AF_INET6) {
			out->err = -EINVAL;
			return;
		}
		put_u8(out, ip->family);
		put_bytes(out, ip->addr, ip->family == AF_INET ? 4 : 16);
	}
	put_count(out, dns->cnames_len, DNS_CNAMES_MAX);
	for (unsigned int i = 0; i < dns->cnames_len && !out->err; i++)
		put_str(out, dns->cnames[i], sizeof(dns->cnames[i]));
	put_count(out, dns->qtypes_len, DNS_QTYPES_MAX);
	for (unsigned int i = 0; i < dns->qtypes_len && !out->err; i++)
		put_u16(out, dns->qtypes[i]);
	put_count(out, dns->rrtypes_len, DNS_RRTYPES_MAX);
	for (unsigned int i = 0; i < dns->rrtypes_len && !out->err; i++)
		put_u16(out, dns->rrtypes[i]);
}

static void pack_http(struct pack_out *out, const struct netobs_l7_http *http)
{
	put_u32(out, http->code);
	put_str(out, http->method, sizeof(http->method));
	put_str(out, http->url, sizeof(http->url));
	put_str(out, http->protocol, sizeof(http->protocol));
	put_count(out, http->headers_len, NETOBS_HTTP_HEADERS_MAX);
	for (unsigned int i = 0; i < http->headers_len && !out->err; i++) {
		put_str(out, http->headers[i].key, sizeof(http->headers[i].key));
		put_str(out, http->headers[i].value, sizeof(http->headers[i].value));
	}
}

static void pack_l7(struct pack_out *out, const struct netobs_l7 *l7)
{
	if (l7->type != NETOBS_L7_REQUEST && l7->type != NETOBS_L7_RESPONSE) {
		out->err = -EINVAL;
		return;
	}
	put_u8(out, l7->type);
	put_u8(out, l7->kind);
	put_u8(out, l7->flags);
	put_u64(out, l7->latency_ns);
	if (l7->kind == NETOBS_L7_DNS)
		pack_dns(out, &l7->dns);
	else if (l7->kind == NETOBS_L7_HTTP)
		pack_http(out, &l7->http);
	else
		out->err = -EINVAL;
}

static void pack_names(struct pack_out *out, const struct netobs_names *names)
{
	put_count(out, names->len, NETOBS_NAMES_MAX);
	for (unsigned int i = 0; i < names->len && !out->err; i++)
		put_str(out, names->name[i], sizeof(names->name[i]));
}

static ssize_t pack_parts(const struct netobs_flow_record *flow, struct pack_out *out)
{
	uint8_t parts = (flow->l7 ? RECORD_PACK_PART_L7 : 0) |
			(flow->source_names ? RECORD_PACK_PART_SOURCE_NAMES : 0) |
			(flow->destination_names ? RECORD_PACK_PART_DESTINATION_NAMES : 0);

	if (!parts)
		return 0;
	put_u8(out, parts);
	if (flow->l7)
		pack_l7(out, flow->l7);
	if (flow->source_names)
		pack_names(out, flow->source_names);
	if (flow->destination_names)
		pack_names(out, flow->destination_names);
	return out->err ? out->err : (ssize_t)out->off;
}

ssize_t record_pack_size(const struct netobs_flow_record *flow)
{
	struct pack_out out = {};

	return pack_parts(flow, &out);
}

ssize_t record_pack(const struct netobs_flow_record *flow, uint8_t *buf, size_t len)
{
	struct pack_out out = {.buf = buf, .len = len};

	return pack_parts(flow, &out);
}

struct unpack_in {
	const uint8_t *buf;
	size_t len;
	size_t off;
	bool bad; /* a read went past the end or a value did not fit its field */
};

static const uint8_t *get_bytes(struct unpack_in *in, size_t n)
{
	const uint8_t *p;

	if (in->bad || n > in->len - in->off) {
		in->bad = true;
		return NULL;
	}
	p = in->buf + in->off;
	in->off += n;
	return p;
}

static uint8_t get_u8(struct unpack_in *in)
{
	const uint8_t *p = get_bytes(in, 1);

	return p ? *p : 0;
}

static uint16_t get_u16(struct unpack_in *in)
{
	const uint8_t *p = get_bytes(in, 2);
	uint16_t v = 0;

	if (p)
		memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get_u32(struct unpack_in *in)
{
	const uint8_t *p = get_bytes(in, 4);
	uint32_t v = 0;

	if (p)
		memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get_u64(struct unpack_in *in)
{
	const uint8_t *p = get_bytes(in, 8);
	uint64_t v = 0;

	if (p)
		memcpy(&v, p, sizeof(v));
	return v;
}

static uint8_t get_count(struct unpack_in *in, unsigned int max)
{
	uint8_t n = get_u8(in);

	if (n > max)
		in->bad = true;
	return in->bad ? 0 : n;
}

/* Into a char[size] field: the length must leave room for the NUL, and the
 * bytes hold none (the string would silently be shorter than packed). */
static void get_str(struct unpack_in *in, char *dst, size_t size)
{
	uint16_t n = get_u16(in);
	const uint8_t *p;

	dst[0] = '\0';
	if (n >= size) {
		in->bad = true;
		return;
	}
	p = get_bytes(in, n);
	if (!p)
		return;
	if (memchr(p, '\0', n)) {
		in->bad = true;
		return;
	}
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static void unpack_dns(struct unpack_in *in, struct netobs_l7_dns *dns)
{
	get_str(in, dns->query, sizeof(dns->query));
	dns->ttl = get_u32(in);
	dns->rcode = get_u16(in);
	dns->ips_len = get_count(in, DNS_IPS_MAX);
	for (unsigned int i = 0; i < dns->ips_len && !in->bad; i++) {
		struct dns_ip *ip = &dns->ips[i];
		const uint8_t *addr;

		ip->family = get_u8(in);
		if (ip->family != AF_INET && ip->family != AF_INET6) {
			in->bad = true;
			break;
		}
		addr = get_bytes(in, ip->family == AF_INET ? 4 : 16);
		if (!addr)
			break;
		memset(ip->addr, 0, sizeof(ip->addr));
		memcpy(ip->addr, addr, ip->family == AF_INET ? 4 : 16);
	}
	dns->cnames_len = get_count(in, DNS_CNAMES_MAX);
	for (unsigned int i = 0; i < dns->cnames_len && !in->bad; i++)
		get_str(in, dns->cnames[i], sizeof(dns->cnames[i]));
	dns->qtypes_len = get_count(in, DNS_QTYPES_MAX);
	for (unsigned int i = 0; i < dns->qtypes_len && !in->bad; i++)
		dns->qtypes[i] = get_u16(in);
	dns->rrtypes_len = get_count(in, DNS_RRTYPES_MAX);
	for (unsigned int i = 0; i < dns->rrtypes_len && !in->bad; i++)
		dns->rrtypes[i] = get_u16(in);
}

static void unpack_http(struct unpack_in *in, struct netobs_l7_http *http)
{
	http->code = get_u32(in);
	get_str(in, http->method, sizeof(http->method));
	get_str(in, http->url, sizeof(http->url));
	get_str(in, http->protocol, sizeof(http->protocol));
	http->headers_len = get_count(in, NETOBS_HTTP_HEADERS_MAX);
	for (unsigned int i = 0; i < http->headers_len && !in->bad; i++) {
		get_str(in, http->headers[i].key, sizeof(http->headers[i].key));
		get_str(in, http->headers[i].value, sizeof(http->headers[i].value));
	}
}

static void unpack_l7(struct unpack_in *in, struct netobs_l7 *l7)
{
	l7->type = get_u8(in);
	l7->kind = get_u8(in);
	l7->flags = get_u8(in);
	l7->latency_ns = get_u64(in);
	if (l7->type != NETOBS_L7_REQUEST && l7->type != NETOBS_L7_RESPONSE)
		in->bad = true;
	else if (l7->kind == NETOBS_L7_DNS)
		unpack_dns(in, &l7->dns);
	else if (l7->kind == NETOBS_L7_HTTP)
		unpack_http(in, &l7->http);
	else
		in->bad = true;
}

static void unpack_names(struct unpack_in *in, struct netobs_names *names)
{
	names->len = get_count(in, NETOBS_NAMES_MAX);
	for (unsigned int i = 0; i < names->len && !in->bad; i++)
		get_str(in, names->name[i], sizeof(names->name[i]));
}

int record_unpack(const uint8_t *buf, size_t len, struct netobs_flow_record *flow,
		  struct netobs_record_storage *storage)
{
	struct unpack_in in = {.buf = buf, .len = len};
	uint8_t parts;

	flow->l7 = NULL;
	flow->source_names = NULL;
	flow->destination_names = NULL;
	parts = get_u8(&in);
	if (!parts || parts & ~(RECORD_PACK_PART_L7 | RECORD_PACK_PART_SOURCE_NAMES |
				RECORD_PACK_PART_DESTINATION_NAMES))
		return -EBADMSG;
	if (parts & RECORD_PACK_PART_L7)
		unpack_l7(&in, &storage->l7);
	if (parts & RECORD_PACK_PART_SOURCE_NAMES)
		unpack_names(&in, &storage->source_names);
	if (parts & RECORD_PACK_PART_DESTINATION_NAMES)
		unpack_names(&in, &storage->destination_names);
	/* Trailing bytes mean the blob is not what was packed. */
	if (in.bad || in.off != len)
		return -EBADMSG;
	if (parts & RECORD_PACK_PART_L7)
		flow->l7 = &storage->l7;
	if (parts & RECORD_PACK_PART_SOURCE_NAMES)
		flow->source_names = &storage->source_names;
	if (parts & RECORD_PACK_PART_DESTINATION_NAMES)
		flow->destination_names = &storage->destination_names;
	return 0;
}
