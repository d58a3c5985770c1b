// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Filters over L7 records and DNS names, with Hubble's semantics
 * (cilium/cilium pkg/hubble/filters: fqdn.go, http.go):
 *   --fqdn, --from-fqdn, --to-fqdn  globs over source_names / destination_names
 *                                   (and, netobs's addition, a DNS record's query)
 *   --http-status                   "404", or a prefix "5+" (5xx), "40+" (40x)
 *   --http-method                   case-insensitive method
 *   --http-path                     an unanchored regex over the URL's path
 *   --http-url                      an unanchored regex over the whole URL
 * Parsing checks values here (filter_parse.c stores them); matching is
 * called from filter_match.c.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "filter_internal.h"

/* Hubble's FQDN patterns: letters, digits, '-', '_', '.', and '*'. */
bool filter_fqdn_pattern_valid(const char *pattern)
{
	if (!*pattern || strlen(pattern) >= NETOBS_FILTER_PATTERN_MAX)
		return false;
	for (const char *p = pattern; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.*", *p))
			return false;
	return true;
}

/* "404" (100-599) or "4+", "40+": Hubble's httpStatusCodeFilter forms. */
bool filter_http_status_valid(const char *text)
{
	size_t len = strlen(text);

	if (len < 2 || len > 3 || text[0] < '1' || text[0] > '5')
		return false;
	for (size_t i = 1; i < len; i++) {
		bool last = i == len - 1;

		if (last && text[i] == '+')
			return true;
		if (text[i] < '0' || text[i] > '9')
			return false;
	}
	return len == 3;
}

/* An HTTP token (RFC 9110 tchar), as long as lib/http.h keeps methods. */
bool filter_http_method_valid(const char *text)
{
	if (!*text || strlen(text) >= NETOBS_HTTP_METHOD_MAX)
		return false;
	for (const char *p = text; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("!#$%&'*+-.^_`|~", *p))
			return false;
	return true;
}

bool filter_http_path_valid(const char *regex)
{
	regex_t compiled;

	if (!*regex || strlen(regex) >= NETOBS_FILTER_PATTERN_MAX)
		return false;
	if (regcomp(&compiled, regex, REG_EXTENDED | REG_NOSUB))
		return false;
	regfree(&compiled);
	return true;
}

/*
 * Dots become slashes so that fnmatch's FNM_PATHNAME keeps '*' inside one
 * label, as Hubble's pattern regex ([-a-zA-Z0-9_]*) does; a trailing dot is
 * dropped from both sides, and both are lower-cased (DNS names are
 * case-insensitive).
 */
static void fqdn_as_path(const char *name, char *out, size_t size)
{
	size_t len = strlen(name);

	if (len && name[len - 1] == '.')
		len--;
	if (len >= size)
		len = size - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = name[i] == '.' ? '/' : (char)tolower((unsigned char)name[i]);
	out[len] = '\0';
}

bool filter_fqdn_patterns_match(const struct netobs_filter_patterns *globs, const char *name)
{
	char path[DNS_NAME_TEXT_SIZE], glob[NETOBS_FILTER_PATTERN_MAX];

	if (!name[0])
		return false;
	fqdn_as_path(name, path, sizeof(path));
	for (unsigned int i = 0; i < globs->n; i++) {
		fqdn_as_path(globs->v[i], glob, sizeof(glob));
		if (!fnmatch(glob, path, FNM_PATHNAME))
			return true;
	}
	return false;
}

static bool names_match(const struct netobs_filter_patterns *globs,
			const struct netobs_names *names)
{
	if (!names)
		return false;
	for (unsigned int i = 0; i < names->len && i < NETOBS_NAMES_MAX; i++)
		if (filter_fqdn_patterns_match(globs, names->name[i]))
			return true;
	return false;
}

/*
 * The query of a DNS record names what was asked about, not either peer,
 * so it counts on both sides: --fqdn, --from-fqdn and --to-fqdn all see it.
 */
bool filter_fqdn_match(const struct netobs_filter_patterns *globs,
		       const struct netobs_flow_record *flow, bool source, bool destination)
{
	if (flow->l7 && flow->l7->kind == NETOBS_L7_DNS &&
	    filter_fqdn_patterns_match(globs, flow->l7->dns.query))
		return true;
	return (source && names_match(globs, flow->source_names)) ||
	       (destination && names_match(globs, flow->destination_names));
}

static const struct netobs_l7_http *record_http(const struct netobs_flow_record *flow)
{
	return flow->l7 && flow->l7->kind == NETOBS_L7_HTTP ? &flow->l7->http : NULL;
}

/* Requests (code 0) never match: a status is a response's. */
bool filter_http_status_match(const struct netobs_filter_strs *values,
			      const struct netobs_flow_record *flow)
{
	const struct netobs_l7_http *http = record_http(flow);
	char code[16];

	if (!http || !http->code)
		return false;
	snprintf(code, sizeof(code), "%u", http->code);
	for (unsigned int i = 0; i < values->n; i++) {
		size_t len = strlen(values->v[i]);

		if (values->v[i][len - 1] == '+' ? !strncmp(code, values->v[i], len - 1)
						 : !strcmp(code, values->v[i]))
			return true;
	}
	return false;
}

bool filter_http_method_match(const struct netobs_filter_strs *values,
			      const struct netobs_flow_record *flow)
{
	const struct netobs_l7_http *http = record_http(flow);

	if (!http)
		return false;
	for (unsigned int i = 0; i < values->n; i++)
		if (!strcasecmp(http->method, values->v[i]))
			return true;
	return false;
}

/* The path of "http://host[:port]/path?query#frag" (or of an origin-form "/path?q"). */
static void url_path(const char *url, char *out, size_t size)
{
	const char *start = url, *scheme = strstr(url, "://");
	size_t len;

	if (scheme) {
		start = strchr(scheme + 3, '/');
		if (!start)
			start = "/";
	}
	len = strcspn(start, "?#");
	if (len >= size)
		len = size - 1;
	memcpy(out, start, len);
	out[len] = '\0';
}

/*
 * Compiled for each HTTP record checked: filters must stay plain data (they
 * are copied and sent as JSON), and only L7 HTTP records get here, so the
 * cost stays with the traffic that asks for it.
 */
bool filter_http_url_match(const struct netobs_filter_patterns *regexes,
			   const struct netobs_flow_record *flow, bool whole_url)
{
	const struct netobs_l7_http *http = record_http(flow);
	char path[NETOBS_HTTP_URL_MAX];
	bool matched = false;

	if (!http)
		return false;
	if (whole_url)
		snprintf(path, sizeof(path), "%s", http->url);
	else
		url_path(http->url, path, sizeof(path));
	for (unsigned int i = 0; i < regexes->n && !matched; i++) {
		regex_t compiled;

		if (regcomp(&compiled, regexes->v[i], REG_EXTENDED | REG_NOSUB))
			continue; /* checked when the filter was built */
		matched = !regexec(&compiled, path, 0, NULL, 0);
		regfree(&compiled);
	}
	return matched;
}
