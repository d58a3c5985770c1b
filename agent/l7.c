// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Payload slices -> L7 records (agent/l7.h). The decoding is lib/'s
 * (l7_tracker); what is here is what only the agent knows: which flow and
 * interface a message belongs to, its endpoints, and the clock.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "agent_policy.h"
#include "l7.h"
#include "l7_tracker.h"
#include "log.h"

int agent_l7_init(struct agent *a)
{
	struct l7_tracker_config cfg = {
		.max_conns = a->cfg.l7_max_conns,
		.dns_timeout_ns = (uint64_t)a->cfg.dns_timeout_ms * 1000000ULL,
	};
	int rc;

	/* The datapath copies payloads only where the tracker will read them,
	 * and none at all with --no-l7. */
	rc = datapath_set_l7(&a->dp, a->cfg.dns_ports, a->cfg.ndns_ports, a->cfg.http_ports,
			     a->cfg.nhttp_ports, a->cfg.l7_disabled);
	if (rc) {
		log_error("cannot configure the datapath's L7 ports: %s", strerror(-rc));
		return rc;
	}
	if (a->cfg.l7_disabled)
		return 0;
	a->l7_ends = calloc(AGENT_L7_ENDS_MAX, sizeof(*a->l7_ends));
	rc = a->l7_ends ? l7_tracker_new(&cfg, &a->l7) : -ENOMEM;
	if (rc)
		log_error("cannot allocate the L7 tracker: %s", strerror(-rc));
	return rc;
}

void agent_l7_free(struct agent *a)
{
	l7_tracker_free(a->l7);
	a->l7 = NULL;
	free(a->l7_ends);
	a->l7_ends = NULL;
	a->l7_nends = 0;
}

/*
 * The flow a message travelled in, for its endpoints, interface and
 * direction. Its FLOW_NEW came through the ring before the slice (same
 * packet, same CPU), so it is tracked unless that event was lost; then a
 * stand-in describes the interface without tracking anything.
 */
static struct flow_entry *l7_flow(struct agent *a, const struct netobs_flow_key *key,
				  struct flow_entry *scratch)
{
	struct flow_entry *e = flow_table_lookup(&a->flows, key);
	struct endpoint *ep;

	if (e)
		return e;
	memset(scratch, 0, sizeof(*scratch));
	scratch->key = *key;
	scratch->is_reply = -1;
	ep = endpoints_find_by_ifindex(a->endpoints, key->ifindex);
	if (ep)
		snprintf(scratch->ifname, sizeof(scratch->ifname), "%s", ep->ifname);
	else if (!if_indextoname(key->ifindex, scratch->ifname))
		snprintf(scratch->ifname, sizeof(scratch->ifname), "if%u", key->ifindex);
	scratch->iface_kind = ep ? ep->kind : ENDPOINT_KIND_INTERFACE;
	return scratch;
}

static void l7_report(void *ctx, const struct l7_report *report)
{
	struct agent *a = ctx;
	struct netobs_flow_stats none = {0};
	struct flow_entry scratch;
	struct flow_entry *e = l7_flow(a, report->key, &scratch);
	struct netobs_record rec;
	uint64_t ts = report->ts_ns;

	/* Unanswered is concluded now (a timeout, or the connection's end):
	 * the record says when, and keeps records in time order. */
	if (report->l7->flags & NETOBS_L7_F_UNANSWERED)
		ts = a->l7_now_ns;
	agent_flow_record(a, e, &none, NETOBS_FLOW_EVENT_UPDATE, 0, NETOBS_END_NONE, ts, &rec);
	rec.flow.l7 = report->l7;
	agent_policy_fqdn_answer(a, e, report->l7);
	a->stats.l7_records++;
	agent_emit(a, &rec);
}

void agent_l7_event(struct agent *a, const struct netobs_l7_event *ev)
{
	struct l7_slice slice = {
		.key = &ev->key,
		.ts_ns = ev->hdr.ts_ns,
		.seq = ev->seq,
		.payload_len = ev->payload_len,
		.captured_len = ev->captured_len,
		.tcp_flags = ev->tcp_flags,
		.hint = ev->hint,
		.data = ev->data,
	};

	/* The datapath never copies more than the slice bound or the payload. */
	if (ev->hdr.len != sizeof(*ev) + ev->captured_len || ev->captured_len > ev->payload_len ||
	    ev->captured_len > NETOBS_L7_SLICE_MAX) {
		a->stats.events_malformed++;
		return;
	}
	if (!a->l7)
		return;
	a->l7_now_ns = ev->hdr.ts_ns;
	l7_tracker_slice(a->l7, &slice, l7_report, a);
}

/* The ends held so far, in the order they came. */
static void l7_apply_ends(struct agent *a)
{
	for (unsigned int i = 0; i < a->l7_nends; i++) {
		const struct agent_l7_end *end = &a->l7_ends[i];

		a->l7_now_ns = end->ts_ns;
		l7_tracker_tcp_end(a->l7, &end->key, end->tcp_flags, end->ts_ns, l7_report, a);
	}
	a->l7_nends = 0;
}

/*
 * The datapath sends a packet's TCP_FLAGS event before its L7 slice (flow
 * accounting runs first), so a response that shares its segment with the
 * FIN would reach the tracker after its direction had ended: its request
 * reported unanswered, the response lost. The end is held until the next
 * harvest, which drains the ring first; a slice carrying the FIN ends its
 * direction itself, and ending one twice is harmless.
 */
void agent_l7_tcp_end(struct agent *a, const struct netobs_flow_key *key, uint16_t tcp_flags,
		      uint64_t ts_mono_ns)
{
	if (!a->l7 || !(tcp_flags & (NETOBS_TCP_FIN | NETOBS_TCP_RST)) || key->proto != IPPROTO_TCP)
		return;
	if (a->l7_nends == AGENT_L7_ENDS_MAX)
		l7_apply_ends(a); /* a burst of closes: the oldest are old enough */
	a->l7_ends[a->l7_nends++] = (struct agent_l7_end){
		.key = *key,
		.ts_ns = ts_mono_ns,
		.tcp_flags = tcp_flags,
	};
}

void agent_l7_expire(struct agent *a, uint64_t now_mono_ns)
{
	if (!a->l7)
		return;
	l7_apply_ends(a);
	a->l7_now_ns = now_mono_ns;
	l7_tracker_expire(a->l7, now_mono_ns, l7_report, a);
}

void agent_l7_flush(struct agent *a)
{
	if (!a->l7)
		return;
	l7_apply_ends(a);
	a->l7_now_ns = agent_now_mono_ns();
	l7_tracker_flush(a->l7, l7_report, a);
}

void agent_l7_names(struct agent *a, struct netobs_flow_record *f, uint64_t now_mono_ns)
{
	int family = f->key.family;

	if (!a->l7 || (family != NETOBS_FAMILY_IPV4 && family != NETOBS_FAMILY_IPV6))
		return;
	if (l7_tracker_names(a->l7, family, f->key.saddr, now_mono_ns, &a->l7_source_names))
		f->source_names = &a->l7_source_names;
	if (l7_tracker_names(a->l7, family, f->key.daddr, now_mono_ns, &a->l7_destination_names))
		f->destination_names = &a->l7_destination_names;
}

static json_t *l7_ports_json(const uint16_t *ports, uint32_t n)
{
	json_t *list = json_array();

	for (uint32_t i = 0; list && i < n; i++)
		json_array_append_new(list, json_integer(ports[i]));
	return list;
}

json_t *agent_l7_status(const struct agent *a)
{
	const struct l7_stats *s;
	json_t *obj, *dns_by, *http_by;

	if (!a->l7)
		return json_pack("{s:b}", "enabled", 0);
	s = l7_tracker_stats(a->l7);
	dns_by = json_object();
	for (int i = 1; dns_by && i < DNS_ERR__COUNT; i++)
		if (s->dns_malformed_by[i])
			json_object_set_new(dns_by, dns_error_name(i),
					    json_integer((json_int_t)s->dns_malformed_by[i]));
	http_by = json_object();
	for (int i = 1; http_by && i < NETOBS_HTTP_OUTCOME_COUNT; i++)
		if (s->http_problems_by[i])
			json_object_set_new(http_by, netobs_http_outcome_name(i),
					    json_integer((json_int_t)s->http_problems_by[i]));
	obj = json_pack("{s:b, s:o, s:o, s:I, s:I, s:I, s:I}", "enabled", 1, "dns_ports",
			l7_ports_json(a->cfg.dns_ports, a->cfg.ndns_ports), "http_ports",
			l7_ports_json(a->cfg.http_ports, a->cfg.nhttp_ports), "records",
			(json_int_t)a->stats.l7_records, "slices", (json_int_t)s->slices,
			"slices_ignored", (json_int_t)s->slices_ignored, "slices_invalid",
			(json_int_t)s->slices_invalid);
	if (!obj)
		return NULL;
	json_object_set_new(
		obj, "dns",
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I}", "requests",
			  (json_int_t)s->dns_requests, "responses", (json_int_t)s->dns_responses,
			  "unanswered", (json_int_t)s->dns_unanswered, "unmatched_responses",
			  (json_int_t)s->dns_unmatched_responses, "capture_cut",
			  (json_int_t)s->dns_capture_cut, "malformed", (json_int_t)s->dns_malformed,
			  "malformed_by_cause", dns_by, "tcp_gaps", (json_int_t)s->dns_tcp_gaps,
			  "tcp_desyncs", (json_int_t)s->dns_tcp_desyncs, "pending_full",
			  (json_int_t)s->dns_pending_full));
	json_object_set_new(json_object_get(obj, "dns"), "observations_full",
			    json_integer((json_int_t)s->dns_observations_full));
	json_object_set_new(obj, "http",
			    json_pack("{s:I, s:I, s:I, s:I, s:o, s:I}", "requests",
				      (json_int_t)s->http_requests, "responses",
				      (json_int_t)s->http_responses, "unanswered",
				      (json_int_t)s->http_unanswered, "problems",
				      (json_int_t)s->http_problems, "problems_by_outcome", http_by,
				      "resyncs", (json_int_t)s->http_resyncs));
	json_object_set_new(json_object_get(obj, "http"), "resync_dropped",
			    json_integer((json_int_t)s->http_resync_dropped));
	json_object_set_new(obj, "connections",
			    json_pack("{s:I, s:I, s:I, s:I}", "tracked", (json_int_t)s->conns,
				      "table_full", (json_int_t)s->conns_full, "idle_expired",
				      (json_int_t)s->conns_idle, "no_memory",
				      (json_int_t)s->conns_no_memory));
	json_object_set_new(obj, "names_learned", json_integer((json_int_t)s->names_learned));
	return obj;
}
