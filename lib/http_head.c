// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * One HTTP/1.x head: recognising it by content (http_head_scan) and decoding
 * it into a struct netobs_http_message (netobs_http_head_parse). Strict where
 * a lenient reading would let random bytes or a smuggling attempt pass as a
 * message, lenient only where common servers are (bare LF line ends).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http_internal.h"

/* RFC 9110 methods and the common WebDAV ones; anything else is not HTTP. */
static const char *const http_methods[] = {
	"GET",	 "HEAD",     "POST",	  "PUT",   "DELETE", "CONNECT", "OPTIONS", "TRACE",
	"PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY",   "MOVE",	"LOCK",	   "UNLOCK",
};

/* Headers whose values a record may carry (docs/http.md). */
static const char *const http_kept_headers[] = {
	"Host",
	"User-Agent",
	"Content-Type",
	"Content-Length",
	"Content-Encoding",
	"Transfer-Encoding",
	"Accept",
	"Accept-Encoding",
	"Connection",
	"Upgrade",
	"Location",
	"Server",
	"Cache-Control",
	"X-Request-Id",
	"X-Forwarded-For",
	"X-Forwarded-Proto",
	"Traceparent",
	"Tracestate",
};

/* Credentials: the key is kept (their presence matters), never the value. */
static const char *const http_redacted_headers[] = {
	"Cookie",
	"Set-Cookie",
	"Authorization",
	"Proxy-Authorization",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool method_known(const uint8_t *p, size_t n, bool whole)
{
	for (size_t i = 0; i < ARRAY_SIZE(http_methods); i++) {
		size_t mlen = strlen(http_methods[i]);

		if ((whole ? mlen == n : mlen >= n) && !memcmp(http_methods[i], p, n))
			return true;
	}
	return false;
}

/* "HTTP/1.0" or "HTTP/1.1": 8 bytes. */
static enum http_scan version_scan(const uint8_t *p, size_t len)
{
	static const char prefix[] = "HTTP/1.";

	for (size_t i = 0; i < len && i < 7; i++)
		if (p[i] != (uint8_t)prefix[i])
			return HTTP_SCAN_INVALID;
	if (len < 8)
		return HTTP_SCAN_NEED_MORE;
	return p[7] == '0' || p[7] == '1' ? HTTP_SCAN_COMPLETE : HTTP_SCAN_INVALID;
}

/* CRLF, or a bare LF as many servers accept (RFC 9112 2.2). */
static enum http_scan line_end_scan(const uint8_t *p, size_t len, size_t *n)
{
	if (!len)
		return HTTP_SCAN_NEED_MORE;
	if (p[0] == '\n') {
		*n = 1;
		return HTTP_SCAN_COMPLETE;
	}
	if (p[0] != '\r')
		return HTTP_SCAN_INVALID;
	if (len < 2)
		return HTTP_SCAN_NEED_MORE;
	if (p[1] != '\n')
		return HTTP_SCAN_INVALID;
	*n = 2;
	return HTTP_SCAN_COMPLETE;
}

static enum http_scan request_line_scan(const uint8_t *p, size_t len, size_t *line_len)
{
	enum http_scan r;
	size_t i = 0, start, n;

	while (i < len && p[i] != ' ') {
		if (i + 1 >= NETOBS_HTTP_METHOD_MAX || p[i] < 'A' || p[i] > 'Z')
			return HTTP_SCAN_INVALID;
		i++;
	}
	if (!method_known(p, i, i < len))
		return HTTP_SCAN_INVALID;
	if (i == len)
		return HTTP_SCAN_NEED_MORE;
	start = ++i;
	while (i < len && p[i] != ' ') {
		if (p[i] < 0x21 || p[i] > 0x7e)
			return HTTP_SCAN_INVALID;
		i++;
	}
	if (i == len)
		return HTTP_SCAN_NEED_MORE;
	if (i == start)
		return HTTP_SCAN_INVALID;
	i++;
	r = version_scan(p + i, len - i);
	if (r != HTTP_SCAN_COMPLETE)
		return r;
	i += 8;
	r = line_end_scan(p + i, len - i, &n);
	if (r == HTTP_SCAN_COMPLETE)
		*line_len = i + n;
	return r;
}

static enum http_scan status_line_scan(const uint8_t *p, size_t len, size_t *line_len)
{
	enum http_scan r = version_scan(p, len);
	size_t i = 8, n;

	if (r != HTTP_SCAN_COMPLETE)
		return r;
	if (i == len)
		return HTTP_SCAN_NEED_MORE;
	if (p[i++] != ' ')
		return HTTP_SCAN_INVALID;
	/* Codes 100-599 only: a tighter filter against bytes that look alike. */
	for (int digit = 0; digit < 3; digit++, i++) {
		if (i == len)
			return HTTP_SCAN_NEED_MORE;
		if (p[i] < (digit ? '0' : '1') || p[i] > (digit ? '9' : '5'))
			return HTTP_SCAN_INVALID;
	}
	if (i == len)
		return HTTP_SCAN_NEED_MORE;
	if (p[i] == ' ') {
		/* The reason phrase: any text, empty allowed. */
		for (i++; i < len && p[i] != '\r' && p[i] != '\n'; i++)
			if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
				return HTTP_SCAN_INVALID;
	}
	r = line_end_scan(p + i, len - i, &n);
	if (r == HTTP_SCAN_COMPLETE)
		*line_len = i + n;
	return r;
}

enum http_scan http_head_scan(const uint8_t *buf, size_t len, enum netobs_http_dir dir,
			      size_t *head_len)
{
	size_t pos = 0;
	enum http_scan r = dir == NETOBS_HTTP_DIR_REQUEST ? request_line_scan(buf, len, &pos)
							  : status_line_scan(buf, len, &pos);

	if (r != HTTP_SCAN_COMPLETE)
		return r;
	/* Header lines until an empty one; their content is judged by the parser. */
	for (;;) {
		const uint8_t *nl;

		if (pos == len)
			return HTTP_SCAN_NEED_MORE;
		if (buf[pos] == '\n') {
			*head_len = pos + 1;
			return HTTP_SCAN_COMPLETE;
		}
		if (buf[pos] == '\r') {
			if (pos + 1 == len)
				return HTTP_SCAN_NEED_MORE;
			if (buf[pos + 1] == '\n') {
				*head_len = pos + 2;
				return HTTP_SCAN_COMPLETE;
			}
		}
		nl = memchr(buf + pos, '\n', len - pos);
		if (!nl)
			return HTTP_SCAN_NEED_MORE;
		pos = (size_t)(nl - buf) + 1;
	}
}

/* Copies n bytes as a printable C string; true when cut at cap. */
static bool copy_printable(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t k = n < cap - 1 ? n : cap - 1;

	for (size_t i = 0; i < k; i++)
		dst[i] = src[i] >= 0x20 && src[i] <= 0x7e ? (char)src[i] : '?';
	dst[k] = '\0';
	return k < n;
}

static bool name_is(const uint8_t *name, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp((const char *)name, want, n);
}

static bool name_in(const uint8_t *name, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (name_is(name, n, list[i]))
			return true;
	return false;
}

/* RFC 9110 tchar. */
static bool is_token_char(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* reg-name, IPv4, [IPv6] and :port characters; anything else is no Host. */
static bool host_is_valid(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c && strchr("-._~!$&'()*+,;=:[]%", c))))
			return false;
	}
	return true;
}

/* "5" or "5, 5" (RFC 9110 8.6); -EINVAL for anything else or past 2^60. */
static int content_length_parse(const uint8_t *p, size_t n, uint64_t *out)
{
	bool have = false;
	size_t i = 0;

	while (i < n) {
		uint64_t v = 0;
		size_t digits = 0;

		while (i < n && p[i] >= '0' && p[i] <= '9') {
			if (++digits > 18)
				return -EINVAL;
			v = v * 10 + (uint64_t)(p[i++] - '0');
		}
		if (!digits || (have && v != *out))
			return -EINVAL;
		*out = v;
		have = true;
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i == n)
			break;
		if (p[i++] != ',')
			return -EINVAL;
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
	}
	return have ? 0 : -EINVAL;
}

/* Whether the last coding of a Transfer-Encoding value is chunked. */
static bool last_coding_is_chunked(const uint8_t *p, size_t n)
{
	size_t end = n, start;

	while (end && (p[end - 1] == ' ' || p[end - 1] == '\t' || p[end - 1] == ','))
		end--;
	start = end;
	while (start && p[start - 1] != ',' && p[start - 1] != ' ' && p[start - 1] != '\t')
		start--;
	return name_is(p + start, end - start, "chunked");
}

static bool host_has_port(const char *host)
{
	const char *colon = strrchr(host, ':');
	const char *bracket = strrchr(host, ']');

	return colon && (!bracket || colon > bracket);
}

static void url_build(struct netobs_http_message *msg, const struct netobs_http_conn *conn)
{
	const char *host = msg->host[0] ? msg->host : conn ? conn->server_host : "";
	char port[8] = "";
	int n;

	if (!host[0]) {
		n = snprintf(msg->url, sizeof(msg->url), "%s", msg->path);
	} else {
		if (conn && conn->server_port && conn->server_port != 80 && !host_has_port(host))
			snprintf(port, sizeof(port), ":%u", conn->server_port);
		n = snprintf(msg->url, sizeof(msg->url), "http://%s%s%s", host, port,
			     msg->path[0] == '*' ? "" : msg->path);
	}
	if (n < 0 || (size_t)n >= sizeof(msg->url))
		msg->truncated |= NETOBS_HTTP_TRUNC_URL;
}

/*
 * A proxy request names its origin: the URL is that, as written, never with
 * the port the proxy listens on.
 */
static void url_absolute(struct netobs_http_message *msg, size_t origin_len)
{
	size_t written = strlen(msg->target);
	int n;

	if (origin_len > written)
		origin_len = written;
	n = snprintf(msg->url, sizeof(msg->url), "%.*s%s", (int)origin_len, msg->target, msg->path);
	if (n < 0 || (size_t)n >= sizeof(msg->url))
		msg->truncated |= NETOBS_HTTP_TRUNC_URL;
}

/*
 * Fills method, target, path and (absolute-form) host from p..p+len, a
 * request line http_head_scan accepted (both spaces are there). Returns the
 * length of an absolute-form target's scheme://authority, else 0.
 */
static size_t request_line_parse(const uint8_t *p, size_t len, struct netobs_http_message *msg)
{
	const uint8_t *sp1 = memchr(p, ' ', len);
	const uint8_t *target = sp1 + 1;
	const uint8_t *sp2 = memchr(target, ' ', len - (size_t)(target - p));
	size_t tlen = (size_t)(sp2 - target);

	copy_printable(msg->method, sizeof(msg->method), p, (size_t)(sp1 - p));
	if (copy_printable(msg->target, sizeof(msg->target), target, tlen))
		msg->truncated |= NETOBS_HTTP_TRUNC_TARGET;
	copy_printable(msg->protocol, sizeof(msg->protocol), sp2 + 1, 8);

	if (tlen > 7 && (!strncasecmp((const char *)target, "http://", 7) ||
			 (tlen > 8 && !strncasecmp((const char *)target, "https://", 8)))) {
		/* absolute-form: its authority is the host (RFC 9112 3.2.2). */
		const uint8_t *auth = (const uint8_t *)memchr(target, '/', tlen) + 2;
		const uint8_t *end = auth;

		while (end < target + tlen && *end != '/' && *end != '?' && *end != '#')
			end++;
		if (copy_printable(msg->host, sizeof(msg->host), auth, (size_t)(end - auth)))
			msg->truncated |= NETOBS_HTTP_TRUNC_HOST;
		if (end == target + tlen)
			strcpy(msg->path, "/");
		else if (copy_printable(msg->path, sizeof(msg->path), end,
					(size_t)(target + tlen - end)))
			msg->truncated |= NETOBS_HTTP_TRUNC_TARGET;
		return (size_t)(end - target);
	}
	if (target[0] == '/' || target[0] == '*')
		copy_printable(msg->path, sizeof(msg->path), target, tlen);
	/* authority-form (CONNECT host:port): no path; url is the target. */
	return 0;
}

/* State across the header lines of one head. */
struct header_walk {
	bool any_header;
	bool have_host;
	bool have_content_length;
	bool transfer_encoding;
	bool last_is_framing; /* a fold here would change how the body is framed */
	int last_kept;	      /* index in msg->headers of the previous line, or -1 */
};

static void header_keep(struct netobs_http_message *msg, struct header_walk *walk,
			const uint8_t *name, size_t nlen, const uint8_t *value, size_t vlen,
			bool redact)
{
	struct netobs_http_header *h;

	walk->last_kept = -1;
	if (msg->header_count == NETOBS_HTTP_HEADERS_MAX) {
		msg->truncated |= NETOBS_HTTP_TRUNC_HEADERS;
		msg->headers_dropped++;
		return;
	}
	h = &msg->headers[msg->header_count];
	if (copy_printable(h->key, sizeof(h->key), name, nlen))
		msg->truncated |= NETOBS_HTTP_TRUNC_HEADERS;
	if (redact)
		strcpy(h->value, NETOBS_HTTP_REDACTED);
	else if (copy_printable(h->value, sizeof(h->value), value, vlen))
		msg->truncated |= NETOBS_HTTP_TRUNC_HEADERS;
	if (!redact)
		walk->last_kept = (int)msg->header_count;
	msg->header_count++;
}

/* An obs-fold line continues the previous value (RFC 9112 5.2: as one SP). */
static enum netobs_http_outcome header_fold(struct netobs_http_message *msg,
					    struct header_walk *walk, const uint8_t *value,
					    size_t vlen)
{
	struct netobs_http_header *h;
	size_t used;

	if (walk->last_is_framing)
		return NETOBS_HTTP_BAD_HEADER;
	if (walk->last_kept < 0)
		return NETOBS_HTTP_OK;
	h = &msg->headers[walk->last_kept];
	used = strlen(h->value);
	if (used + 1 >= sizeof(h->value)) {
		msg->truncated |= NETOBS_HTTP_TRUNC_HEADERS;
		return NETOBS_HTTP_OK;
	}
	h->value[used] = ' ';
	if (copy_printable(h->value + used + 1, sizeof(h->value) - used - 1, value, vlen))
		msg->truncated |= NETOBS_HTTP_TRUNC_HEADERS;
	return NETOBS_HTTP_OK;
}

static enum netobs_http_outcome header_line_parse(struct netobs_http_message *msg,
						  struct header_walk *walk, const uint8_t *line,
						  size_t len)
{
	const uint8_t *colon, *value;
	size_t nlen = 0, vlen;
	bool folded = line[0] == ' ' || line[0] == '\t';

	for (size_t i = 0; i < len; i++)
		if ((line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
			return NETOBS_HTTP_BAD_HEADER;
	if (folded) {
		if (!walk->any_header)
			return NETOBS_HTTP_BAD_HEADER; /* a fold with nothing to continue */
		value = line;
		vlen = len;
	} else {
		colon = memchr(line, ':', len);
		if (!colon || colon == line)
			return NETOBS_HTTP_BAD_HEADER;
		for (const uint8_t *c = line; c < colon; c++)
			if (!is_token_char(*c))
				return NETOBS_HTTP_BAD_HEADER;
		nlen = (size_t)(colon - line);
		value = colon + 1;
		vlen = len - nlen - 1;
	}
	while (vlen && (*value == ' ' || *value == '\t'))
		value++, vlen--;
	while (vlen && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
		vlen--;
	if (folded)
		return header_fold(msg, walk, value, vlen);

	walk->any_header = true;
	walk->last_is_framing = false;
	if (name_is(line, nlen, "Content-Length")) {
		uint64_t cl = 0;

		if (content_length_parse(value, vlen, &cl) ||
		    (walk->have_content_length && cl != msg->content_length))
			return NETOBS_HTTP_BAD_CONTENT_LENGTH;
		msg->content_length = cl;
		msg->has_content_length = walk->have_content_length = true;
		walk->last_is_framing = true;
	} else if (name_is(line, nlen, "Transfer-Encoding")) {
		/* Several headers form one list: the last coding decides. */
		walk->transfer_encoding = msg->transfer_encoding = true;
		msg->chunked = last_coding_is_chunked(value, vlen);
		walk->last_is_framing = true;
	} else if (name_is(line, nlen, "Host") && !msg->is_response) {
		if (walk->have_host || !host_is_valid(value, vlen))
			return NETOBS_HTTP_BAD_HEADER;
		walk->have_host = true;
		walk->last_is_framing = true; /* a folded Host is no host */
		/* absolute-form wins over Host (RFC 9112 3.2.2) */
		if (!msg->host[0] && copy_printable(msg->host, sizeof(msg->host), value, vlen))
			msg->truncated |= NETOBS_HTTP_TRUNC_HOST;
	}
	if (name_in(line, nlen, http_redacted_headers, ARRAY_SIZE(http_redacted_headers)))
		header_keep(msg, walk, line, nlen, value, vlen, true);
	else if (name_in(line, nlen, http_kept_headers, ARRAY_SIZE(http_kept_headers)))
		header_keep(msg, walk, line, nlen, value, vlen, false);
	else {
		msg->headers_dropped++;
		walk->last_kept = -1;
	}
	return NETOBS_HTTP_OK;
}

enum netobs_http_outcome netobs_http_head_parse(const uint8_t *head, size_t len,
						enum netobs_http_dir dir,
						const struct netobs_http_conn *conn,
						struct netobs_http_message *msg)
{
	struct header_walk walk = {.last_kept = -1};
	enum http_scan scan;
	size_t head_len = 0, origin_len = 0, pos;
	const uint8_t *nl;

	memset(msg, 0, sizeof(*msg));
	scan = http_head_scan(head, len, dir, &head_len);
	if (scan == HTTP_SCAN_INVALID)
		return NETOBS_HTTP_NOT_HTTP;
	if (scan == HTTP_SCAN_NEED_MORE)
		return len >= NETOBS_HTTP_HEAD_MAX ? NETOBS_HTTP_HEAD_TOO_LONG
						   : NETOBS_HTTP_INCOMPLETE_HEAD;
	if (head_len > NETOBS_HTTP_HEAD_MAX)
		return NETOBS_HTTP_HEAD_TOO_LONG;

	msg->is_response = dir == NETOBS_HTTP_DIR_RESPONSE;
	if (msg->is_response) {
		copy_printable(msg->protocol, sizeof(msg->protocol), head, 8);
		msg->code = (uint16_t)((head[9] - '0') * 100 + (head[10] - '0') * 10 +
				       (head[11] - '0'));
	}
	nl = memchr(head, '\n', head_len);
	if (!msg->is_response)
		origin_len = request_line_parse(head, (size_t)(nl - head), msg);
	for (pos = (size_t)(nl - head) + 1; pos < head_len; pos = (size_t)(nl - head) + 1) {
		size_t line_len;
		enum netobs_http_outcome r;

		nl = memchr(head + pos, '\n', head_len - pos);
		line_len = (size_t)(nl - head) - pos;
		if (line_len && head[pos + line_len - 1] == '\r')
			line_len--;
		if (!line_len)
			break; /* the blank line: http_head_scan stopped here */
		r = header_line_parse(msg, &walk, head + pos, line_len);
		if (r != NETOBS_HTTP_OK)
			return r;
	}
	if (!msg->is_response && walk.transfer_encoding && !msg->chunked)
		return NETOBS_HTTP_BAD_TRANSFER_ENCODING; /* RFC 9112 6.3: no framing */
	if (!msg->is_response) {
		if (origin_len)
			url_absolute(msg, origin_len);
		else if (msg->path[0])
			url_build(msg, conn);
		else if (copy_printable(msg->url, sizeof(msg->url), (const uint8_t *)msg->target,
					strlen(msg->target)))
			msg->truncated |= NETOBS_HTTP_TRUNC_URL;
	}
	return NETOBS_HTTP_OK;
}
