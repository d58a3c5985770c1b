// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "api.h"
#include "l7.h"
#include "policy_internal.h"
#include "status.h"

const char *netobs_counter_name(int counter)
{
	static const char *const names[NETOBS_CNT__MAX] = {
		[NETOBS_CNT_PACKETS] = "packets",
		[NETOBS_CNT_BYTES] = "bytes",
		[NETOBS_CNT_TRUNCATED] = "truncated",
		[NETOBS_CNT_MALFORMED] = "malformed",
		[NETOBS_CNT_FRAGMENTS] = "fragments",
		[NETOBS_CNT_EXTHDR_LIMIT] = "exthdr_limit",
		[NETOBS_CNT_VLAN_LIMIT] = "vlan_limit",
		[NETOBS_CNT_NON_IP] = "non_ip",
		[NETOBS_CNT_FLOW_MAP_FULL] = "flow_map_full",
		[NETOBS_CNT_FLOW_MAP_BUSY] = "flow_map_busy",
		[NETOBS_CNT_FLOW_MAP_ERROR] = "flow_map_error",
		[NETOBS_CNT_RINGBUF_FULL] = "ringbuf_full",
		[NETOBS_CNT_EVENTS] = "events",
		[NETOBS_CNT_UNTRACKED_PACKETS] = "untracked_packets",
		[NETOBS_CNT_UNTRACKED_BYTES] = "untracked_bytes",
		[NETOBS_CNT_L7_EVENTS] = "l7_events",
		[NETOBS_CNT_L7_BYTES] = "l7_bytes",
		[NETOBS_CNT_L7_TRUNCATED] = "l7_truncated",
		[NETOBS_CNT_L7_COPY_ERROR] = "l7_copy_error",
		[NETOBS_CNT_POLICY_DROPPED] = "policy_dropped",
		[NETOBS_CNT_POLICY_DROPPED_BYTES] = "policy_dropped_bytes",
		[NETOBS_CNT_POLICY_AUDIT] = "policy_audit",
		[NETOBS_CNT_POLICY_JUDGED] = "policy_judged",
		[NETOBS_CNT_POLICY_CONN_FULL] = "policy_conn_full",
		[NETOBS_CNT_PREFILTER_DROPPED] = "prefilter_dropped",
		[NETOBS_CNT_PREFILTER_DROPPED_BYTES] = "prefilter_dropped_bytes",
	};

	return counter >= 0 && counter < NETOBS_CNT__MAX && names[counter] ? names[counter]
									   : "unknown";
}

static json_t *discovery_json(const struct endpoint_table *table)
{
	return json_pack("{s:I, s:I, s:I}", "full_rescans", (json_int_t)table->full_rescans,
			 "link_refreshes", (json_int_t)table->link_refreshes, "netns_refreshes",
			 (json_int_t)table->netns_refreshes);
}

json_t *agent_status_json(struct agent *a)
{
	unsigned int hooks[NETOBS_HOOK__MAX] = {};
	json_t *counters = json_object();

	for (unsigned int i = 0; i < a->endpoints->count; i++)
		for (int h = 0; h < NETOBS_HOOK__MAX; h++)
			if (a->endpoints->eps[i].hooks & (1U << h))
				hooks[h]++;
	/* Fresh numbers, not the last harvest's. */
	datapath_read_counters(&a->dp, a->counters);
	for (int i = 0; i < NETOBS_CNT__MAX; i++)
		json_object_set_new(counters, netobs_counter_name(i),
				    json_integer((json_int_t)a->counters[i]));
	json_object_set_new(counters, "events_malformed",
			    json_integer((json_int_t)a->stats.events_malformed));
	json_object_set_new(counters, "flow_table_full",
			    json_integer((json_int_t)a->stats.flow_table_full));

	json_t *status;

	status = json_pack(
		"{s:s, s:i, s:s, s:I, s:i, s:{s:i, s:i, s:i}, s:{s:I, s:f, s:I, s:I},"
		" s:{s:I, s:I}, s:i, s:{s:I, s:I, s:I, s:I}, s:o, s:{s:I, s:b, s:I}}",
		"version", NETOBS_VERSION, "abi_version", NETOBS_ABI_VERSION, "node_name",
		a->cfg.node_name, "uptime_ns", (json_int_t)(agent_now_mono_ns() - a->start_mono_ns),
		"endpoints", (int)a->endpoints->count, "hooks", "tc_ingress",
		(int)hooks[NETOBS_HOOK_TC_INGRESS], "tc_egress", (int)hooks[NETOBS_HOOK_TC_EGRESS],
		"xdp", (int)hooks[NETOBS_HOOK_XDP], "records", "seen",
		(json_int_t)a->stats.records_seen, "per_second", agent_records_per_second(a),
		"stored", (json_int_t)record_store_count(&a->store), "max_stored",
		(json_int_t)a->store.capacity, "flows", "active", (json_int_t)a->flows.count, "max",
		(json_int_t)a->dp.flow_capacity, "clients", (int)a->nclients, "lost_events",
		"ring_buffer", (json_int_t)a->stats.lost_ring_buffer, "flow_map",
		(json_int_t)a->stats.lost_flow_map, "client_queues",
		(json_int_t)a->stats.lost_client_queue, "store_overwritten",
		(json_int_t)a->stats.lost_store, "counters", counters, "harvest", "runs",
		(json_int_t)a->stats.harvests, "batch", (int)!a->batch_unsupported,
		"batch_fallbacks", (json_int_t)a->stats.batch_fallbacks);
	if (status) {
		json_object_set_new(status, "discovery", discovery_json(a->endpoints));
		json_object_set_new(status, "l7", agent_l7_status(a));
		json_object_set_new(status, "policy", agent_policy_status_json(a));
		json_object_set_new(json_object_get(status, "records"), "reordered",
				    json_integer((json_int_t)a->stats.records_reordered));
		/* The L7 parts and names of stored records (agent/store.h). */
		json_object_set_new(json_object_get(status, "records"), "l7_parts",
				    json_pack("{s:I, s:I, s:I, s:I, s:I}", "arena_bytes",
					      (json_int_t)a->store.arena_size, "evicted_for_room",
					      (json_int_t)a->store.evicted_for_parts, "refused",
					      (json_int_t)a->store.refused_parts, "corrupt",
					      (json_int_t)a->store.corrupt_parts, "bytes_stored",
					      (json_int_t)a->store.parts_bytes_stored));
	}
	return status;
}

json_t *endpoint_json(const struct endpoint *ep)
{
	static const char *const hook_names[NETOBS_HOOK__MAX] = {"tc-ingress", "tc-egress", "xdp"};
	json_t *v4 = json_array(), *v6 = json_array(), *hooks = json_array(), *labels, *obj;
	char mac[18], addr[INET6_ADDRSTRLEN], label[NETOBS_NAME_MAX + 32];

	for (unsigned int i = 0; i < ep->naddrs; i++) {
		const struct ip_addr *ip = &ep->addrs[i];

		if (ip->link_local)
			continue; /* every interface has one; only for resolving peers */
		inet_ntop(ip->family == NETOBS_FAMILY_IPV4 ? AF_INET : AF_INET6, ip->addr, addr,
			  sizeof(addr));
		json_array_append_new(ip->family == NETOBS_FAMILY_IPV4 ? v4 : v6,
				      json_string(addr));
	}
	for (int h = 0; h < NETOBS_HOOK__MAX; h++)
		if (ep->hooks & (1U << h))
			json_array_append_new(hooks, json_string(hook_names[h]));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", ep->mac[0], ep->mac[1],
		 ep->mac[2], ep->mac[3], ep->mac[4], ep->mac[5]);
	snprintf(label, sizeof(label), "netobs:endpoint=%s", ep->name);
	labels = json_pack("[s]", label);
	snprintf(label, sizeof(label), "netobs:interface=%s", ep->ifname);
	json_array_append_new(labels, json_string(label));
	if (ep->netns[0]) {
		snprintf(label, sizeof(label), "netobs:netns=%s", ep->netns);
		json_array_append_new(labels, json_string(label));
	}
	obj = json_pack("{s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:o, s:o, s:s, s:o, s:o}", "id",
			(int)ep->id, "name", ep->name, "interface", ep->ifname, "ifindex",
			(int)ep->ifindex, "mac", mac, "kind",
			ep->kind == ENDPOINT_KIND_VETH ? "veth" : "interface", "netns", ep->netns,
			"peer_ifindex", (int)ep->peer_ifindex, "ipv4", v4, "ipv6", v6, "state",
			endpoint_state_name(ep), "hooks", hooks, "labels", labels);
	if (obj && ep->attach_error)
		json_object_set_new(obj, "error", json_string(strerror(-ep->attach_error)));
	if (obj && ep->xdp_error)
		json_object_set_new(obj, "xdp_error", json_string(strerror(-ep->xdp_error)));
	return obj;
}
