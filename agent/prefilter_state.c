// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The XDP prefilter's list as data (agent/prefilter.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"

void prefilter_list_init(struct prefilter_list *l)
{
	memset(l, 0, sizeof(*l));
}

void prefilter_list_free(struct prefilter_list *l)
{
	free(l->prefixes);
	prefilter_list_init(l);
}

static void prefix_clear_host_bits(struct policy_prefix *p)
{
	unsigned int bits = p->family == 4 ? 32 : 128;

	for (unsigned int bit = p->len; bit < bits; bit++)
		p->addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
}

int prefilter_cidr_parse(const char *text, struct policy_prefix *out, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t addr_len = slash ? (size_t)(slash - text) : strlen(text);
	unsigned int max, len;

	memset(out, 0, sizeof(*out));
	if (addr_len && addr_len < sizeof(addr)) {
		memcpy(addr, text, addr_len);
		addr[addr_len] = '\0';
		if (inet_pton(AF_INET, addr, out->addr) == 1)
			out->family = 4;
		else if (inet_pton(AF_INET6, addr, out->addr) == 1)
			out->family = 6;
	}
	if (!out->family) {
		snprintf(err, errlen,
			 "'%.64s' is not a CIDR: '%.*s' is no IPv4 or IPv6 address (expected "
			 "ADDRESS/LENGTH, e.g. 192.0.2.0/24 or 2001:db8::/32)",
			 text, (int)(addr_len > 64 ? 64 : addr_len), text);
		return -EINVAL;
	}
	max = out->family == 4 ? 32 : 128;
	len = max;
	if (slash) {
		const char *p = slash + 1;

		len = 0;
		/* digits only, no sign, no leading zero, at most 3 of them */
		if (!*p || strlen(p) > 3 || (p[0] == '0' && p[1]))
			len = max + 1;
		for (; *p && len <= max; p++)
			len = *p >= '0' && *p <= '9' ? len * 10 + (unsigned int)(*p - '0')
						     : max + 1;
		if (len > max) {
			snprintf(err, errlen,
				 "'%.64s' is not a CIDR: the prefix length '%.8s' is not a number "
				 "from 0 to %u (%s)",
				 text, slash + 1, max, out->family == 4 ? "IPv4" : "IPv6");
			return -EINVAL;
		}
	}
	out->len = (uint8_t)len;
	prefix_clear_host_bits(out);
	return 0;
}

static int prefix_cmp(const void *a, const void *b)
{
	const struct policy_prefix *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (c)
		return c;
	return x->len == y->len ? 0 : x->len < y->len ? -1 : 1;
}

bool prefilter_list_has(const struct prefilter_list *l, const struct policy_prefix *p)
{
	return l->n && bsearch(p, l->prefixes, l->n, sizeof(*p), prefix_cmp);
}

/* Sort and drop duplicates. */
static void list_normalize(struct prefilter_list *l)
{
	uint32_t kept = 0;

	if (!l->n)
		return;
	qsort(l->prefixes, l->n, sizeof(*l->prefixes), prefix_cmp);
	for (uint32_t i = 0; i < l->n; i++)
		if (!kept || prefix_cmp(&l->prefixes[kept - 1], &l->prefixes[i]))
			l->prefixes[kept++] = l->prefixes[i];
	l->n = kept;
}

int prefilter_list_with(const struct prefilter_list *l, const struct policy_prefix *add,
			size_t n_add, struct prefilter_list *out)
{
	size_t total = (size_t)l->n + n_add;

	out->revision = l->revision;
	out->prefixes = calloc(total + 1, sizeof(*out->prefixes));
	if (!out->prefixes)
		return -ENOMEM;
	if (l->n)
		memcpy(out->prefixes, l->prefixes, l->n * sizeof(*l->prefixes));
	if (n_add)
		memcpy(out->prefixes + l->n, add, n_add * sizeof(*add));
	out->n = (uint32_t)total;
	for (uint32_t i = l->n; i < out->n; i++)
		prefix_clear_host_bits(&out->prefixes[i]);
	list_normalize(out);
	return out->n > PREFILTER_PREFIXES_MAX ? -ENOSPC : 0;
}

int prefilter_list_without(const struct prefilter_list *l, const struct policy_prefix *del,
			   size_t n_del, struct prefilter_list *out, size_t *missing)
{
	uint32_t kept = 0;

	out->revision = l->revision;
	for (size_t i = 0; i < n_del; i++) {
		if (!prefilter_list_has(l, &del[i])) {
			*missing = i;
			return -ENOENT;
		}
	}
	out->prefixes = calloc((size_t)l->n + 1, sizeof(*out->prefixes));
	if (!out->prefixes)
		return -ENOMEM;
	for (uint32_t i = 0; i < l->n; i++) {
		bool gone = false;

		for (size_t j = 0; j < n_del && !gone; j++)
			gone = !prefix_cmp(&l->prefixes[i], &del[j]);
		if (!gone)
			out->prefixes[kept++] = l->prefixes[i];
	}
	out->n = kept;
	return 0;
}

json_t *prefilter_list_cidrs_json(const struct prefilter_list *l)
{
	json_t *cidrs = json_array();
	char text[INET6_ADDRSTRLEN + 8];

	for (uint32_t i = 0; cidrs && i < l->n; i++) {
		policy_prefix_format(&l->prefixes[i], text, sizeof(text));
		if (json_array_append_new(cidrs, json_string(text))) {
			json_decref(cidrs);
			return NULL;
		}
	}
	return cidrs;
}

json_t *prefilter_list_to_json(const struct prefilter_list *l)
{
	json_t *cidrs = prefilter_list_cidrs_json(l);

	if (!cidrs)
		return NULL;
	return json_pack("{s:I, s:o}", "revision", (json_int_t)l->revision, "cidrs", cidrs);
}

int prefilter_list_from_json(struct prefilter_list *l, const json_t *obj, char *err, size_t errlen)
{
	const json_t *revision = json_object_get(obj, "revision"),
		     *cidrs = json_object_get(obj, "cidrs");
	struct policy_prefix *prefixes;
	char why[256];
	json_t *v;
	size_t i;

	if (!json_is_object(obj) || !json_is_integer(revision) ||
	    json_integer_value(revision) < 0 || !json_is_array(cidrs)) {
		snprintf(err, errlen,
			 "prefilter: expected {\"revision\": N, \"cidrs\": [\"ADDRESS/LENGTH\", "
			 "...]}");
		return -EINVAL;
	}
	if (json_array_size(cidrs) > PREFILTER_PREFIXES_MAX) {
		snprintf(err, errlen, "prefilter.cidrs: more than %d prefixes",
			 PREFILTER_PREFIXES_MAX);
		return -EINVAL;
	}
	prefixes = calloc(json_array_size(cidrs) + 1, sizeof(*prefixes));
	if (!prefixes)
		return -ENOMEM;
	l->prefixes = prefixes;
	l->revision = (uint64_t)json_integer_value(revision);
	json_array_foreach (cidrs, i, v) {
		const char *text = json_string_value(v);
		char canonical[INET6_ADDRSTRLEN + 8];

		if (!text || prefilter_cidr_parse(text, &prefixes[l->n], why, sizeof(why))) {
			snprintf(err, errlen, "prefilter.cidrs[%zu]: %s", i,
				 text ? why : "expected a string");
			return -EINVAL;
		}
		/* The agent writes the canonical form: anything else was edited by hand. */
		policy_prefix_format(&prefixes[l->n], canonical, sizeof(canonical));
		if (strcmp(canonical, text)) {
			snprintf(err, errlen, "prefilter.cidrs[%zu]: '%.64s' is not written as %s",
				 i, text, canonical);
			return -EINVAL;
		}
		if (prefilter_list_has(l, &prefixes[l->n]) ||
		    (l->n && prefix_cmp(&prefixes[l->n - 1], &prefixes[l->n]) > 0)) {
			snprintf(err, errlen,
				 "prefilter.cidrs[%zu]: '%.64s' is out of order or appears twice",
				 i, text);
			return -EINVAL;
		}
		l->n++;
	}
	return 0;
}
