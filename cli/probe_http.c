// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `netobs probe http|https URL`: one request through libcurl's easy
 * interface, and the exact way it ended (status, TLS verification, refused,
 * unreachable, timeout, resolution). No redirects are followed and no proxy
 * from the environment is used: the probe says what this URL answers, from
 * here, not what some other hop does.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>

#include "probe.h"

/* Used when the caller leaves timeout_ms at 0: libcurl would wait forever. */
#define PROBE_HTTP_DEFAULT_TIMEOUT_MS 2000
#define PROBE_HTTP_METHOD_MAX	      32

struct http_transfer {
	char status_line[128]; /* the last response's status line, without CRLF */
	size_t body_bytes;     /* counted and discarded */
};

static bool curl_ready;

static bool probe_http_global_init(struct probe_attempt *a)
{
	CURLcode rc;

	/* curl_global_init is not thread-safe; the CLI is single-threaded. */
	if (curl_ready)
		return true;
	rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail), "cannot initialise libcurl: %s",
			 curl_easy_strerror(rc));
		return false;
	}
	curl_ready = true;
	return true;
}

static size_t http_body_discard(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct http_transfer *t = userdata;

	(void)data;
	t->body_bytes += size * nmemb;
	return size * nmemb;
}

/*
 * libcurl gives the status code but not the reason phrase: keep the status
 * line of the last response (interim 1xx responses come first).
 */
static size_t http_header_seen(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct http_transfer *t = userdata;
	size_t len = size * nmemb;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		size_t keep = len < sizeof(t->status_line) - 1 ? len : sizeof(t->status_line) - 1;

		memcpy(t->status_line, data, keep);
		while (keep > 0 &&
		       (t->status_line[keep - 1] == '\r' || t->status_line[keep - 1] == '\n'))
			keep--;
		t->status_line[keep] = '\0';
	}
	return len;
}

/* "HTTP/1.1 404 Not Found" -> "Not Found"; "" when the line has no phrase (HTTP/2). */
static const char *http_reason_phrase(const char *status_line)
{
	const char *p = strchr(status_line, ' ');

	if (!p)
		return "";
	while (*p == ' ')
		p++;
	while (isdigit((unsigned char)*p))
		p++;
	while (*p == ' ')
		p++;
	return p;
}

/* A method is an HTTP token; anything else would be written into the request line as is. */
static bool http_method_valid(const char *method)
{
	size_t len = strlen(method);

	if (len == 0 || len >= PROBE_HTTP_METHOD_MAX)
		return false;
	for (; *method; method++)
		if (!isalpha((unsigned char)*method) && *method != '-' && *method != '_')
			return false;
	return true;
}

static bool probe_http_check_target(const struct probe_options *o, struct probe_attempt *a)
{
	bool https = o->kind == PROBE_HTTPS;
	const char *scheme = https ? "https://" : "http://";
	const char *other = https ? "http" : "https";

	if (!o->target || strncasecmp(o->target, scheme, strlen(scheme)) != 0) {
		a->result = PROBE_ERROR;
		if (o->target && strncasecmp(o->target, https ? "http://" : "https://",
					     strlen(https ? "http://" : "https://")) == 0)
			snprintf(a->detail, sizeof(a->detail),
				 "%s probes take a URL starting with %s; for %s, use `netobs probe "
				 "%s`",
				 https ? "https" : "http", scheme, o->target, other);
		else
			snprintf(a->detail, sizeof(a->detail),
				 "%s probes take a URL starting with %s (e.g. %s10.0.0.2%s/), not "
				 "\"%.100s\"",
				 https ? "https" : "http", scheme, scheme,
				 https ? ":8443" : ":8080", o->target ? o->target : "");
		return false;
	}
	if (o->method && !http_method_valid(o->method)) {
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail),
			 "--method \"%.40s\" is not an HTTP method: use a word such as GET, HEAD "
			 "or POST",
			 o->method);
		return false;
	}
	return true;
}

static void probe_http_setup(CURL *curl, const struct probe_options *o, struct http_transfer *t,
			     char *errbuf)
{
	long timeout_ms = o->timeout_ms ? (long)o->timeout_ms : PROBE_HTTP_DEFAULT_TIMEOUT_MS;
	const char *method = o->method ? o->method : "GET";

	curl_easy_setopt(curl, CURLOPT_URL, o->target);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	/* Only the scheme asked for: an http probe must never end up speaking FTP or FILE. */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, o->kind == PROBE_HTTPS ? "https" : "http");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_PROXY, "");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "netobs-probe");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_body_discard);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, http_header_seen);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);

	if (strcasecmp(method, "HEAD") == 0) {
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	} else if (strcasecmp(method, "POST") == 0) {
		/* An empty body with Content-Length: 0, which servers accept. */
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
	} else if (strcasecmp(method, "GET") != 0) {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	}

	if (o->cacert)
		curl_easy_setopt(curl, CURLOPT_CAINFO, o->cacert);
	if (o->insecure) {
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/*
 * The address libcurl connected to; when the connection failed, libcurl
 * 7.88 leaves it empty, so fall back to the URL's host and port (the
 * address tried, for an IP literal).
 */
static void probe_http_peer(CURL *curl, const char *target, struct probe_attempt *a)
{
	char *host = NULL, *port_text = NULL;
	char *ip = NULL;
	long port = 0;
	CURLU *u;

	if (curl_easy_getinfo(curl, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip && *ip) {
		curl_easy_getinfo(curl, CURLINFO_PRIMARY_PORT, &port);
		if (strchr(ip, ':'))
			snprintf(a->peer, sizeof(a->peer), "[%s]:%ld", ip, port);
		else
			snprintf(a->peer, sizeof(a->peer), "%s:%ld", ip, port);
		return;
	}
	u = curl_url();
	if (!u)
		return;
	if (curl_url_set(u, CURLUPART_URL, target, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port_text, CURLU_DEFAULT_PORT) == CURLUE_OK)
		snprintf(a->peer, sizeof(a->peer), "%.50s:%.6s", host, port_text);
	curl_free(host);
	curl_free(port_text);
	curl_url_cleanup(u);
}

static void probe_http_status(const struct probe_options *o, const struct http_transfer *t,
			      struct probe_attempt *a)
{
	const char *reason = http_reason_phrase(t->status_line);
	bool ok;

	if (o->expect_status)
		ok = a->http_code == o->expect_status;
	else
		ok = a->http_code >= 100 && a->http_code < 400;
	a->result = ok ? PROBE_OK : PROBE_HTTP_STATUS;
	if (*reason)
		snprintf(a->detail, sizeof(a->detail), "HTTP %ld %.120s", a->http_code, reason);
	else
		snprintf(a->detail, sizeof(a->detail), "HTTP %ld", a->http_code);
	if (!ok && o->expect_status) {
		size_t used = strlen(a->detail);

		snprintf(a->detail + used, sizeof(a->detail) - used, " (expected %d)",
			 o->expect_status);
	}
}

/* curl's own words, without its "SSL certificate problem: " preamble. */
static const char *curl_message(CURLcode rc, const char *errbuf)
{
	static const char preamble[] = "SSL certificate problem: ";

	if (!*errbuf)
		return curl_easy_strerror(rc);
	if (strncmp(errbuf, preamble, sizeof(preamble) - 1) == 0)
		return errbuf + sizeof(preamble) - 1;
	return errbuf;
}

/* What to do about a certificate that did not verify, from curl's reason. */
static const char *tls_verify_hint(const struct probe_options *o, const char *msg)
{
	if (strstr(msg, "host name") || strstr(msg, "subject name"))
		return " (the certificate is for another name: probe the name it was issued for)";
	if (!o->cacert)
		return " (give the CA that signed it with --cacert FILE, or --insecure)";
	return " (not signed by the CA in --cacert)";
}

static void probe_http_failure(CURLcode rc, long os_errno, const char *errbuf,
			       const struct probe_options *o, struct probe_attempt *a)
{
	const char *msg = curl_message(rc, errbuf);

	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		a->result = PROBE_TIMEOUT;
		snprintf(a->detail, sizeof(a->detail), "no answer within %u ms (%.180s)",
			 o->timeout_ms ? o->timeout_ms : PROBE_HTTP_DEFAULT_TIMEOUT_MS, msg);
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
		a->result = PROBE_RESOLVE_FAILED;
		snprintf(a->detail, sizeof(a->detail), "%.200s", msg);
		return;
	case CURLE_COULDNT_CONNECT:
		if (os_errno == ECONNREFUSED) {
			a->result = PROBE_REFUSED;
			snprintf(a->detail, sizeof(a->detail), "connection refused%s%s",
				 *a->peer ? " by " : "", a->peer);
			return;
		}
		if (os_errno == EHOSTUNREACH || os_errno == ENETUNREACH) {
			a->result = os_errno == EHOSTUNREACH ? PROBE_HOST_UNREACHABLE
							     : PROBE_NET_UNREACHABLE;
			snprintf(a->detail, sizeof(a->detail), "%s", strerror((int)os_errno));
			return;
		}
		if (os_errno == ETIMEDOUT) {
			a->result = PROBE_TIMEOUT;
			snprintf(a->detail, sizeof(a->detail), "%.200s", msg);
			return;
		}
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		a->result = PROBE_TLS_VERIFY_FAILED;
		snprintf(a->detail, sizeof(a->detail), "certificate verify failed: %.140s%s", msg,
			 tls_verify_hint(o, msg));
		return;
	case CURLE_SSL_CACERT_BADFILE:
		/* Our side, not the server's: the file given with --cacert. */
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail),
			 "cannot use --cacert %.80s: %.120s (give a readable PEM file)",
			 o->cacert ? o->cacert : "(system default)", msg);
		return;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
		a->result = PROBE_TLS_ERROR;
		snprintf(a->detail, sizeof(a->detail), "TLS handshake failed: %.200s", msg);
		return;
	case CURLE_URL_MALFORMAT:
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail), "bad URL \"%.100s\": %.100s", o->target,
			 msg);
		return;
	case CURLE_GOT_NOTHING:
		if (o->kind == PROBE_HTTP) {
			a->result = PROBE_ERROR;
			snprintf(a->detail, sizeof(a->detail),
				 "%.100s (an HTTPS port? then probe https://)", msg);
			return;
		}
		break;
	default:
		break;
	}
	a->result = PROBE_ERROR;
	snprintf(a->detail, sizeof(a->detail), "%.200s", msg);
}

void probe_http_once(const struct probe_options *o, struct probe_attempt *a)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct http_transfer transfer = {0};
	curl_off_t total_us = 0;
	long os_errno = 0;
	CURLcode rc;
	CURL *curl;

	probe_attempt_start(a);

	if (!probe_http_check_target(o, a) || !probe_http_global_init(a))
		return;
	curl = curl_easy_init();
	if (!curl) {
		snprintf(a->detail, sizeof(a->detail),
			 "cannot create a libcurl handle (out of memory?)");
		return;
	}
	probe_http_setup(curl, o, &transfer, errbuf);
	rc = curl_easy_perform(curl);

	probe_http_peer(curl, o->target, a);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a->http_code);
	curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
	curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total_us);

	if (rc == CURLE_OK) {
		probe_http_status(o, &transfer, a);
		a->latency_ns = (uint64_t)total_us * 1000;
	} else {
		probe_http_failure(rc, os_errno, errbuf, o, a);
		/* A refusal is an answer too: the time to the RST says something. */
		if (a->http_code > 0 || a->result == PROBE_REFUSED)
			a->latency_ns = (uint64_t)total_us * 1000;
	}
	curl_easy_cleanup(curl);
}
