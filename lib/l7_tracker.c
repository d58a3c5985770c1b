// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The L7 tracker's entry points: check each slice against the contract,
 * send it to DNS (l7_dns.c) or HTTP (l7_http.c) with its connection
 * (l7_conn.c), and hand each record to the caller. docs/l7.md describes the
 * state kept, its bounds, the matching rules and the counters.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "l7_internal.h"

/* Far beyond any sane setting, and small enough that tables stay allocatable. */
#define L7_TRACKER_CAP_MAX (1U << 24)
/* A TCP window (with scaling) larger than this is rare; a new ISN inside it, 1 in 4096. */
#define L7_RETRANSMIT_REACH (1U << 20)

void l7_copy_string(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

struct netobs_l7 *l7_record_start(struct l7_tracker *t, int type, int kind)
{
	memset(&t->record, 0, sizeof(t->record));
	t->record.type = (uint8_t)type;
	t->record.kind = (uint8_t)kind;
	return &t->record;
}

void l7_report_record(struct l7_tracker *t, const struct netobs_flow_key *key, uint64_t ts_ns)
{
	struct l7_report report = {.key = key, .ts_ns = ts_ns, .l7 = &t->record};

	if (t->report)
		t->report(t->report_ctx, &report);
}

int l7_tracker_new(const struct l7_tracker_config *cfg, struct l7_tracker **out)
{
	struct l7_tracker *t;
	int err;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (cfg)
		t->cfg = *cfg;
	if (!t->cfg.max_conns)
		t->cfg.max_conns = L7_TRACKER_DEFAULT_MAX_CONNS;
	if (!t->cfg.max_dns_pending)
		t->cfg.max_dns_pending = L7_TRACKER_DEFAULT_MAX_DNS_PENDING;
	if (!t->cfg.dns_timeout_ns)
		t->cfg.dns_timeout_ns = L7_TRACKER_DEFAULT_DNS_TIMEOUT_NS;
	if (!t->cfg.conn_idle_ns)
		t->cfg.conn_idle_ns = L7_TRACKER_DEFAULT_CONN_IDLE_NS;
	if (!t->cfg.name_cache_size)
		t->cfg.name_cache_size = L7_TRACKER_DEFAULT_NAME_CACHE;
	if (t->cfg.max_conns > L7_TRACKER_CAP_MAX || t->cfg.max_dns_pending > L7_TRACKER_CAP_MAX ||
	    t->cfg.name_cache_size > L7_TRACKER_CAP_MAX) {
		free(t);
		return -EINVAL;
	}
	if (getrandom(t->hash_key, sizeof(t->hash_key), 0) != sizeof(t->hash_key)) {
		err = errno ? -errno : -EIO;
		free(t);
		return err;
	}
	err = name_cache_init(&t->names, t->cfg.name_cache_size);
	if (err) {
		free(t);
		return err;
	}
	if (l7_conn_table_init(t) || l7_dns_init(t)) {
		l7_tracker_free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void l7_tracker_free(struct l7_tracker *t)
{
	if (!t)
		return;
	t->report = NULL; /* nobody to tell: outstanding requests go unreported */
	l7_conn_table_free(t);
	l7_dns_free(t);
	name_cache_free(&t->names);
	free(t);
}

/* A FIN or RST ends that side; RST, or both sides ended, ends the connection. */
static void conn_side_end(struct l7_tracker *t, struct l7_conn *conn, int side, uint16_t tcp_flags)
{
	if (tcp_flags & NETOBS_TCP_RST) {
		l7_conn_close(t, conn);
		return;
	}
	if (!conn->side[side].ended) {
		if (conn->kind == L7_CONN_HTTP)
			l7_http_side_end(t, conn, side);
		conn->side[side].ended = true;
	}
	if (conn->side[0].ended && conn->side[1].ended)
		l7_conn_close(t, conn);
}

static bool slice_valid(const struct l7_slice *slice)
{
	const struct netobs_flow_key *key = slice->key;

	if (!key || slice->captured_len > slice->payload_len ||
	    (slice->captured_len && !slice->data))
		return false;
	if (key->family != NETOBS_FAMILY_IPV4 && key->family != NETOBS_FAMILY_IPV6)
		return false;
	switch (slice->hint) {
	case NETOBS_L7_HINT_DNS:
		return key->proto == IPPROTO_UDP || key->proto == IPPROTO_TCP;
	case NETOBS_L7_HINT_HTTP_START:
	case NETOBS_L7_HINT_HTTP_CONT:
		return key->proto == IPPROTO_TCP;
	default:
		return false;
	}
}

/* Bytes an ended side already sent, within a TCP window's reach. */
static bool slice_is_old(const struct l7_conn *conn, int side, const struct l7_slice *slice)
{
	const struct l7_conn_side *s = &conn->side[side];
	uint32_t next;

	if (conn->kind == L7_CONN_DNS && s->dns)
		next = s->dns->next_seq;
	else if (conn->kind == L7_CONN_HTTP && s->started)
		next = s->next_seq;
	else
		return false;
	/* At next itself: the FIN segment again (its FIN is not in next). */
	return (int32_t)(slice->seq - next) <= 0 && next - slice->seq <= L7_RETRANSMIT_REACH;
}

static void tcp_slice(struct l7_tracker *t, const struct l7_slice *slice)
{
	int kind = slice->hint == NETOBS_L7_HINT_DNS ? L7_CONN_DNS : L7_CONN_HTTP;
	struct l7_conn_key key;
	struct l7_conn *conn;
	int side = l7_conn_key_from_flow(slice->key, &key);

	conn = l7_conn_lookup(t, &key);
	/* Data after this side's FIN, unless a retransmission, is a new
	 * connection on the same ports (the other side's FIN was missed): the
	 * old one is over. */
	if (conn && conn->side[side].ended && slice->hint != NETOBS_L7_HINT_HTTP_CONT &&
	    !slice_is_old(conn, side, slice)) {
		l7_conn_close(t, conn);
		conn = NULL;
	}
	if (!conn) {
		/* HTTP is followed from a message start; DNS from any segment. */
		if (slice->hint == NETOBS_L7_HINT_HTTP_CONT) {
			t->stats.slices_ignored++;
			return;
		}
		conn = l7_conn_create(t, &key, kind, slice->ts_ns);
		if (!conn)
			return;
	}
	l7_conn_touch(t, conn, slice->ts_ns);
	if (conn->kind != kind)
		t->stats.slices_ignored++; /* a DNS port carrying HTTP, or the reverse */
	else if (kind == L7_CONN_DNS)
		l7_dns_tcp_slice(t, conn, side, slice);
	else
		l7_http_slice(t, conn, side, slice);
	if (slice->tcp_flags & (NETOBS_TCP_FIN | NETOBS_TCP_RST))
		conn_side_end(t, conn, side, slice->tcp_flags);
}

void l7_tracker_slice(struct l7_tracker *t, const struct l7_slice *slice, l7_report_fn report,
		      void *ctx)
{
	t->report = report;
	t->report_ctx = ctx;
	t->stats.slices++;
	if (!slice_valid(slice)) {
		t->stats.slices_invalid++;
		return;
	}
	if (slice->hint == NETOBS_L7_HINT_DNS && slice->key->proto == IPPROTO_UDP)
		l7_dns_udp_slice(t, slice);
	else
		tcp_slice(t, slice);
}

void l7_tracker_tcp_end(struct l7_tracker *t, const struct netobs_flow_key *key, uint16_t tcp_flags,
			uint64_t ts_ns, l7_report_fn report, void *ctx)
{
	struct l7_conn_key conn_key;
	struct l7_conn *conn;
	int side;

	if (!key || key->proto != IPPROTO_TCP || !(tcp_flags & (NETOBS_TCP_FIN | NETOBS_TCP_RST)))
		return;
	t->report = report;
	t->report_ctx = ctx;
	side = l7_conn_key_from_flow(key, &conn_key);
	conn = l7_conn_lookup(t, &conn_key);
	if (!conn)
		return;
	l7_conn_touch(t, conn, ts_ns);
	conn_side_end(t, conn, side, tcp_flags);
}

void l7_tracker_expire(struct l7_tracker *t, uint64_t now_ns, l7_report_fn report, void *ctx)
{
	t->report = report;
	t->report_ctx = ctx;
	l7_dns_expire(t, now_ns, false);
	l7_conn_expire(t, now_ns);
	name_cache_expire(&t->names, now_ns);
}

void l7_tracker_flush(struct l7_tracker *t, l7_report_fn report, void *ctx)
{
	t->report = report;
	t->report_ctx = ctx;
	l7_dns_expire(t, 0, true);
	l7_conn_close_all(t);
}

unsigned int l7_tracker_names(const struct l7_tracker *t, int family, const uint8_t addr[16],
			      uint64_t now_ns, struct netobs_names *out)
{
	return name_cache_lookup(&t->names, family, addr, now_ns, out);
}

const struct l7_stats *l7_tracker_stats(const struct l7_tracker *t)
{
	return &t->stats;
}
