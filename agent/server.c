// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The API socket: one request per connection, newline-delimited JSON
 * (docs/api.md). Flow replies read the record store through the client's
 * own cursor, like Hubble's ring readers: one write in flight per client,
 * the next batch taken when it completes. A client's queue is the stretch
 * of the store behind its cursor, so it costs no memory and absorbs bursts
 * (a harvest may end thousands of flows at once); a client that falls more
 * than --client-queue records behind skips ahead and is told exactly how
 * many records matching its filter it lost. It never stalls the loop or
 * other clients.
 *
 * An idle connection costs only its struct client: the request buffer
 * grows as bytes arrive and is freed once the request is parsed, reads go
 * through one buffer shared by every client (libuv hands it to the read
 * callback before the next read), and the filter is allocated by a flows
 * request. --max-clients bounds how many there are, --request-timeout how
 * long one may sit without a complete request.
 *
 * This file has the socket, requests and writes; flows replies and
 * followers are in agent/server_flows.c.
 */
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"
#include "api.h"
#include "filter.h"
#include "linebuf.h"
#include "log.h"
#include "agent_policy.h"
#include "server_client.h"
#include "status.h"

/* After an error line the agent keeps reading (and dropping) what the client
 * still sends, for at most this long: closing with unread bytes would reset
 * the connection, and the client would see ECONNRESET or EPIPE instead of
 * the error. */
#define CLIENT_LINGER_MS 5000

/* How often a half-closed client is checked for having closed completely. */
#define CLIENT_HANGUP_CHECK_MS 1000

struct write_req {
	uv_write_t req;
	struct client *client;
	char *data;
	size_t cap;
	size_t lines;
	bool close_after;
};

static void client_closed_cb(uv_handle_t *handle)
{
	struct client *c = handle->data;
	struct agent *a = c->agent;

	if (--c->open_handles)
		return;
	for (struct client **p = &a->clients; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	if (!c->rejected)
		a->nclients--;
	free(c->request);
	free(c->filter);
	free(c);
}

void client_close(struct client *c)
{
	if (c->closing)
		return;
	c->closing = true;
	uv_close((uv_handle_t *)&c->pipe, client_closed_cb);
	uv_close((uv_handle_t *)&c->request_timer, client_closed_cb);
}

static void client_write_cb(uv_write_t *req, int status);

bool client_write_now(struct client *c, struct linebuf *lb)
{
	uv_buf_t buf = uv_buf_init(lb->data, (unsigned int)lb->len);
	int n = uv_try_write((uv_stream_t *)&c->pipe, &buf, 1);

	if (n == (int)lb->len) {
		linebuf_keep_spare(lb->data, lb->cap, 2 * PUMP_MAX_BYTES);
		return true;
	}
	if (n > 0) {
		memmove(lb->data, lb->data + n, lb->len - (size_t)n);
		lb->len -= (size_t)n;
	}
	return false;
}

void client_write(struct client *c, struct linebuf *lb, size_t lines, bool close_after)
{
	struct write_req *w = calloc(1, sizeof(*w));
	uv_buf_t buf;

	if (!w) {
		free(lb->data);
		client_close(c);
		return;
	}
	w->client = c;
	w->data = lb->data;
	w->cap = lb->cap;
	w->lines = lines;
	w->close_after = close_after;
	buf = uv_buf_init(lb->data, (unsigned int)lb->len);
	lb->data = NULL;
	lb->len = lb->cap = 0;
	c->writing = true;
	if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &buf, 1, client_write_cb)) {
		c->writing = false;
		free(w->data);
		free(w);
		client_close(c);
	}
}

void client_send_json(struct client *c, json_t *obj, bool close_after)
{
	struct linebuf lb = {};

	if (linebuf_append_json(&lb, obj)) {
		free(lb.data);
		client_close(c);
		return;
	}
	client_write(c, &lb, 1, close_after);
}

void client_send_error(struct client *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	uv_timer_stop(&c->request_timer); /* the linger timer takes over */
	c->state = CLIENT_FINISHING;
	c->linger = true;
	client_send_json(c, json_pack("{s:{s:s}}", "error", "message", msg), true);
}

void server_reply_error(struct client *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	client_send_error(c, "%s", msg);
}

void server_reply(struct client *c, json_t *lines)
{
	struct linebuf lb = {};
	size_t i;
	json_t *line;
	int rc = lines ? 0 : -ENOMEM;

	c->state = CLIENT_FINISHING;
	json_array_foreach (lines, i, line)
		if (!rc)
			rc = linebuf_append_json(&lb, json_incref(line));
	if (rc) {
		free(lb.data);
		json_decref(lines);
		client_send_error(c, "the agent is out of memory; try again later");
		return;
	}
	client_write(c, &lb, json_array_size(lines), true);
	json_decref(lines);
}

static void client_shutdown_cb(uv_shutdown_t *req, int status)
{
	(void)req;
	(void)status; /* the read side or the linger timer closes the client */
}

static void client_linger_timeout_cb(uv_timer_t *t)
{
	client_close(t->data);
}

/* The error is written: say we are done (EOF) and close once the client
 * has read it and closed, or after CLIENT_LINGER_MS. */
static void client_linger(struct client *c)
{
	if (c->read_eof ||
	    uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->pipe, client_shutdown_cb)) {
		client_close(c);
		return;
	}
	uv_timer_stop(&c->request_timer);
	uv_timer_start(&c->request_timer, client_linger_timeout_cb, CLIENT_LINGER_MS, 0);
}

static void client_write_cb(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;
	struct client *c = w->client;

	c->writing = false;
	if (c->closing) {
		free(w->data); /* not kept: server_stop() may have freed the spare already */
		free(w);
		return;
	}
	linebuf_keep_spare(w->data, w->cap, 2 * PUMP_MAX_BYTES);
	if (status >= 0 && w->close_after && c->linger) {
		free(w);
		client_linger(c);
		return;
	}
	if (status < 0 || w->close_after) {
		free(w);
		client_close(c);
		return;
	}
	free(w);
	if (c->state == CLIENT_SENDING_HISTORY || c->state == CLIENT_FOLLOWING)
		client_pump(c);
}

static void client_handle_request(struct client *c, const char *line)
{
	struct agent *a = c->agent;
	json_error_t jerr;
	json_t *req = json_loads(line, 0, &jerr);
	const char *kind;

	if (!req || !json_is_object(req)) {
		client_send_error(c, "malformed request: %s",
				  req ? "expected a JSON object" : jerr.text);
		json_decref(req);
		return;
	}
	kind = json_string_value(json_object_get(req, "request"));
	if (!kind) {
		client_send_error(c, "malformed request: no \"request\" field");
	} else if (!strcmp(kind, "status")) {
		struct linebuf lb = {};

		c->state = CLIENT_FINISHING;
		if (linebuf_append_json(&lb, json_pack("{s:o}", "status", agent_status_json(a))) ||
		    linebuf_append_json(&lb, json_pack("{s:{}}", "done"))) {
			free(lb.data);
			client_close(c);
		} else {
			client_write(c, &lb, 2, true);
		}
	} else if (!strcmp(kind, "endpoints")) {
		struct linebuf lb = {};
		int rc = 0;

		c->state = CLIENT_FINISHING;
		for (unsigned int i = 0; i < a->endpoints->count && !rc; i++) {
			json_t *ep = endpoint_json(&a->endpoints->eps[i]);

			/* Labels (the user's too), policy enforcement, revision. */
			if (ep && json_object_update_new(
					  ep, agent_policy_endpoint_json(a, &a->endpoints->eps[i])))
				json_decref(ep), ep = NULL;
			rc = linebuf_append_json(&lb, json_pack("{s:o}", "endpoint", ep));
		}
		if (!rc)
			rc = linebuf_append_json(&lb, json_pack("{s:{s:I}}", "done", "count",
								(json_int_t)a->endpoints->count));
		if (rc) {
			free(lb.data);
			client_close(c);
		} else {
			client_write(c, &lb, a->endpoints->count + 1, true);
		}
	} else if (!strcmp(kind, "flows")) {
		client_start_flows(c, req);
	} else if (!agent_policy_request(a, c, kind, req)) {
		client_send_error(c,
				  "unknown request '%s': expected status, endpoints, flows, "
				  "policy_import, policy_get, policy_delete, endpoint_config or "
				  "endpoint_labels",
				  kind);
	}
	json_decref(req);
}

/* Reads land here and are copied out (into a request) or dropped before the
 * next read: libuv calls the read callback right after each alloc, so one
 * buffer serves every client and an idle one holds none. */
static char client_read_buf[64 * 1024];

static void client_alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	(void)handle;
	(void)suggested;
	*buf = uv_buf_init(client_read_buf, sizeof(client_read_buf));
}

/* After EOF: has the peer closed its socket, or only shut down its writing
 * side (`echo ... | socat`, still reading the reply)? A Unix socket polls
 * POLLHUP only when both directions are shut. */
static bool client_peer_closed(struct client *c)
{
	struct pollfd pfd = {.fd = -1};
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)&c->pipe, &fd))
		return true;
	pfd.fd = fd;
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR));
}

static void client_hangup_check_cb(uv_timer_t *t)
{
	struct client *c = t->data;

	if (client_peer_closed(c))
		client_close(c);
}

static void client_request_complete(struct client *c)
{
	uv_timer_stop(&c->request_timer);
	c->state = CLIENT_FINISHING; /* until the handler says otherwise */
	client_handle_request(c, c->request);
	free(c->request); /* handlers copy what they keep */
	c->request = NULL;
	c->request_len = c->request_cap = 0;
}

static int client_request_append(struct client *c, const char *data, size_t len)
{
	size_t need = c->request_len + len + 1;

	if (need > c->request_cap) {
		size_t cap = c->request_cap ? c->request_cap : 256;
		char *p;

		while (cap < need)
			cap *= 2;
		if (cap > NETOBS_API_MAX_REQUEST)
			cap = NETOBS_API_MAX_REQUEST;
		p = realloc(c->request, cap);
		if (!p)
			return -ENOMEM;
		c->request = p;
		c->request_cap = cap;
	}
	memcpy(c->request + c->request_len, data, len);
	c->request_len += len;
	c->request[c->request_len] = '\0';
	return 0;
}

static void client_read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct client *c = stream->data;
	char *nl;

	if (nread < 0)
		c->read_eof = true;
	if (nread < 0 && c->linger && !c->writing) {
		client_close(c); /* it has read the error */
		return;
	}
	if (nread == UV_EOF && !client_peer_closed(c)) {
		/* Half-closed: the client has said all it will and still reads.
		 * A request without its newline ends here; a reply goes on. */
		if (c->state == CLIENT_READING_REQUEST) {
			if (!c->request_len) {
				client_close(c);
				return;
			}
			client_request_complete(c);
		}
		/* libuv stopped reading at EOF, so nothing tells us when it closes
		 * for good: a follower whose filter matches nothing would stay. */
		if (!c->closing && !c->linger)
			uv_timer_start(&c->request_timer, client_hangup_check_cb,
				       CLIENT_HANGUP_CHECK_MS, CLIENT_HANGUP_CHECK_MS);
		return;
	}
	if (nread < 0) {
		/* Closed or reset: a follower left, or a client gave up. */
		client_close(c);
		return;
	}
	if (c->state != CLIENT_READING_REQUEST || !nread)
		return; /* one request per connection: the rest is ignored */
	if (c->request_len + (size_t)nread + 1 > NETOBS_API_MAX_REQUEST) {
		client_send_error(c, "request longer than %d bytes", NETOBS_API_MAX_REQUEST);
		return;
	}
	if (client_request_append(c, buf->base, (size_t)nread)) {
		client_send_error(c, "the agent is out of memory; try again later");
		return;
	}
	nl = memchr(c->request, '\n', c->request_len);
	if (!nl)
		return;
	*nl = '\0';
	client_request_complete(c);
}

static void client_request_timeout_cb(uv_timer_t *t)
{
	struct client *c = t->data;

	if (c->state != CLIENT_READING_REQUEST)
		return;
	client_send_error(c,
			  "no complete request within %u s (--request-timeout); send one JSON "
			  "request line ending in a newline right after connecting",
			  c->agent->cfg.request_timeout_s);
}

static void server_reject_closed_cb(uv_handle_t *handle)
{
	free(handle);
}

static void server_connection_cb(uv_stream_t *server, int status)
{
	struct agent *a = server->data;
	struct client *c;

	if (status < 0) {
		log_warn("API socket accept failed: %s", uv_strerror(status));
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		uv_pipe_t *reject = malloc(sizeof(*reject));

		log_warn("out of memory accepting an API client; refusing it");
		/* Accept and close it anyway: libuv stops watching the listening
		 * socket while a connection waits to be accepted. */
		if (reject) {
			uv_pipe_init(a->loop, reject, 0);
			if (uv_accept(server, (uv_stream_t *)reject))
				log_warn("cannot refuse the API client either");
			uv_close((uv_handle_t *)reject, server_reject_closed_cb);
		}
		return;
	}
	c->agent = a;
	uv_pipe_init(a->loop, &c->pipe, 0);
	uv_timer_init(a->loop, &c->request_timer);
	c->pipe.data = c->request_timer.data = c;
	c->open_handles = 2;
	c->next = a->clients;
	a->clients = c;
	c->rejected = a->nclients >= a->cfg.max_clients;
	if (!c->rejected)
		a->nclients++;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) ||
	    uv_read_start((uv_stream_t *)&c->pipe, client_alloc_cb, client_read_cb)) {
		client_close(c);
		return;
	}
	if (c->rejected) {
		/* Accepted only to say why: the client sees the reason, not a
		 * connection refused it cannot tell from an agent that is down. */
		client_send_error(c,
				  "too many API clients (%u, the --max-clients limit); close an "
				  "idle client (a forgotten `netobs flows --follow`?) or restart "
				  "the agent with a higher --max-clients",
				  a->cfg.max_clients);
		return;
	}
	uv_timer_start(&c->request_timer, client_request_timeout_cb,
		       (uint64_t)a->cfg.request_timeout_s * 1000, 0);
}

int server_start(struct agent *a, char *err, size_t errlen)
{
	char dir[sizeof(a->cfg.socket_path)];
	mode_t old_umask;
	int rc;

	snprintf(dir, sizeof(dir), "%s", a->cfg.socket_path);
	if (mkdir(dirname(dir), 0755) && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "cannot create the socket directory for %s: %s",
			 a->cfg.socket_path, strerror(errno));
		return rc;
	}
	rc = server_check_path(a->cfg.socket_path, err, errlen);
	if (rc)
		return rc;
	uv_pipe_init(a->loop, &a->server, 0);
	a->server.data = a;
	/* The socket is born 0660: a chmod after bind would leave a moment in
	 * which anyone the umask lets in could connect. (The loop has no other
	 * thread that creates files, so the process-wide umask is ours here.) */
	old_umask = umask(0117);
	rc = uv_pipe_bind(&a->server, a->cfg.socket_path);
	umask(old_umask);
	if (!rc)
		rc = uv_listen((uv_stream_t *)&a->server, 64, server_connection_cb);
	if (rc) {
		snprintf(err, errlen, "cannot listen on %s: %s", a->cfg.socket_path,
			 uv_strerror(rc));
		uv_close((uv_handle_t *)&a->server, NULL);
		return rc;
	}
	uv_prepare_init(a->loop, &a->followers_wake);
	a->followers_wake.data = a;
	a->server_listening = true;
	return 0;
}

void server_stop(struct agent *a)
{
	for (struct client *c = a->clients; c; c = c->next)
		client_close(c);
	record_lines_free(&a->lines); /* pending writes hold copies */
	linebuf_free_spare();
	if (a->server_listening) {
		uv_close((uv_handle_t *)&a->followers_wake, NULL);
		uv_close((uv_handle_t *)&a->server, NULL);
		unlink(a->cfg.socket_path);
		a->server_listening = false;
	}
}
