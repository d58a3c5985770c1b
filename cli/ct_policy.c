// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy scenarios of `netobs connectivity test`, as Cilium's
 * connectivity test has them: each imports its CiliumNetworkPolicy into the
 * running agent (API policy_import), runs its actions, and deletes it again
 * by name (policy_delete), also when the run fails or is interrupted
 * (cli/connectivity.c calls ct_policy_remove whatever happened). Their
 * denied actions' drops are the only drops no-unexpected-drops accepts.
 * docs/connectivity.md, "Policy tests".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ct_tests.h"

#define CT_POLICY_PREFIX  "netobs-ct-" /* and the test's name: every policy-* test's policy */
#define CT_POLICY_POLL_MS 50

void ct_policy_name(const struct ct_test_def *d, char *buf, size_t len)
{
	snprintf(buf, len, CT_POLICY_PREFIX "%s", d->name);
}

/* --external-ip as an address: its family (4 or 6), 0 when it is none. */
static int external_family(const struct ct_run_options *o)
{
	uint8_t addr[16];

	if (!o->external_ip)
		return 0;
	if (inet_pton(AF_INET, o->external_ip, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, o->external_ip, addr) == 1)
		return 6;
	return 0;
}

/* The probe of s is a TCP connect that a policy must deny: the SYN dropped, no answer. */
static void expect_denied(struct ct_action_spec *s, const struct ct_run_options *o, uint16_t reason,
			  uint8_t direction, const char *policy)
{
	s->expected = PROBE_TIMEOUT;
	s->probe.timeout_ms = o->connect_timeout_ms;
	s->expect.kind = FLOW_EXPECT_TCP_DENIED;
	s->expect.drop_reason = reason;
	s->expect.drop_direction = direction;
	if (policy) {
		snprintf(s->policy_name, sizeof(s->policy_name), "%s", policy);
		s->expect.policy_name = s->policy_name;
	}
}

static void expect_allowed_by(struct ct_action_spec *s, const char *policy)
{
	snprintf(s->policy_name, sizeof(s->policy_name), "%s", policy);
	s->expect.policy_name = s->policy_name;
}

/* A TCP connect from client to addr:port outside the topology. */
static void action_external_tcp(struct ct_action_spec *s, const struct ct_topology *t,
				const char *addr, int family, uint16_t port,
				const struct ct_run_options *o)
{
	ct_action_external(s, t, PROBE_ICMP, addr, o);
	s->probe.kind = PROBE_TCP;
	s->expect.kind = FLOW_EXPECT_TCP;
	s->expect.port = port;
	snprintf(s->target, sizeof(s->target), family == 6 ? "[%s]:%u" : "%s:%u", addr, port);
	snprintf(s->destination, sizeof(s->destination), "%s", s->target);
	snprintf(s->name, sizeof(s->name), "client-to-%s-tcp-%u",
		 strcmp(addr, o->external_ip) == 0 ? "external" : "denied", port);
}

/* A DNS query from client to echo's server for name (A or AAAA by family). */
static void action_dns(struct ct_action_spec *s, const struct ct_topology *t, const char *name,
		       int family, const char *action_name, const struct ct_run_options *o)
{
	const struct ct_test_def dns = {.probe = PROBE_DNS,
					.family = 4,
					.dns_qtype = family == 6 ? 28 : 1,
					.expected = PROBE_OK};

	ct_action_between(s, t, &dns, CT_NODE_CLIENT, CT_NODE_ECHO, o);
	snprintf(s->dns_name, sizeof(s->dns_name), "%s", name);
	s->expect.dns_query = s->dns_name;
	snprintf(s->target, sizeof(s->target), "%s", name);
	snprintf(s->name, sizeof(s->name), "%s", action_name);
}

unsigned int ct_policy_actions(const struct ct_test_def *d, const struct ct_topology *t,
			       const struct ct_run_options *o, struct ct_action_spec *specs)
{
	const struct ct_test_def tcp = {.probe = PROBE_TCP, .family = 4, .expected = PROBE_OK};
	const struct ct_test_def http = {.probe = PROBE_HTTP, .family = 4, .expected = PROBE_OK};
	int ext_family = external_family(o);
	char policy[64];

	ct_policy_name(d, policy, sizeof(policy));
	switch (d->scenario) {
	case CT_SCENARIO_POLICY_DEFAULT_DENY:
		ct_action_between(&specs[0], t, &tcp, CT_NODE_CLIENT, CT_NODE_ECHO, o);
		expect_allowed_by(&specs[0], policy);
		ct_action_between(&specs[1], t, &tcp, CT_NODE_CLIENT2, CT_NODE_ECHO, o);
		expect_denied(&specs[1], o, NETOBS_DROP_POLICY_DENIED, NETOBS_DIR_INGRESS, NULL);
		return 2;
	case CT_SCENARIO_POLICY_DENY_PORT:
		ct_action_between(&specs[0], t, &http, CT_NODE_CLIENT, CT_NODE_ECHO, o);
		snprintf(specs[0].name, sizeof(specs[0].name), "client-to-echo-http");
		expect_denied(&specs[0], o, NETOBS_DROP_POLICY_DENY, NETOBS_DIR_INGRESS, policy);
		ct_action_between(&specs[1], t, &tcp, CT_NODE_CLIENT, CT_NODE_ECHO, o);
		snprintf(specs[1].name, sizeof(specs[1].name), "client-to-echo-tcp");
		expect_allowed_by(&specs[1], policy);
		return 2;
	case CT_SCENARIO_POLICY_AUDIT:
		ct_action_between(&specs[0], t, &tcp, CT_NODE_CLIENT2, CT_NODE_ECHO, o);
		specs[0].expect.audit = true;
		ct_action_between(&specs[1], t, &tcp, CT_NODE_CLIENT, CT_NODE_ECHO, o);
		expect_allowed_by(&specs[1], policy);
		return 2;
	case CT_SCENARIO_POLICY_DENY_CIDR:
		if (!ext_family)
			return 0;
		action_external_tcp(&specs[0], t, o->external_ip, ext_family, CT_POLICY_PORT_DENIED,
				    o);
		expect_denied(&specs[0], o, NETOBS_DROP_POLICY_DENY, NETOBS_DIR_EGRESS, policy);
		ct_action_external(&specs[1], t, PROBE_ICMP, o->external_ip, o);
		return 2;
	case CT_SCENARIO_POLICY_TO_FQDNS:
		if (!ext_family)
			return 0;
		action_dns(&specs[0], t, CT_FQDN_ALLOWED_NAME, ext_family, "client-dns-external",
			   o);
		specs[0].note_policy_generation = true;
		ct_action_external(&specs[1], t, PROBE_ICMP, o->external_ip, o);
		specs[1].wait_policy_compiled = true;
		action_dns(&specs[2], t, CT_FQDN_DENIED_NAME, ext_family, "client-dns-denied", o);
		action_external_tcp(&specs[3], t,
				    ext_family == 6 ? CT_FQDN_DENIED_IPV6 : CT_FQDN_DENIED_IPV4,
				    ext_family, CT_POLICY_PORT_DENIED, o);
		expect_denied(&specs[3], o, NETOBS_DROP_POLICY_DENIED, NETOBS_DIR_EGRESS, NULL);
		return 4;
	default:
		return 0;
	}
}

/* {"matchLabels": {"netobs:endpoint": NAME}} of a topology node. */
static json_t *node_selector(const struct ct_topology *t, enum ct_node_id node)
{
	return json_pack("{s:{s:s}}", "matchLabels", "netobs:endpoint", t->nodes[node].netns);
}

static json_t *ports(unsigned int port, const char *protocol)
{
	char text[8];

	snprintf(text, sizeof(text), "%u", port);
	return json_pack("[{s:[{s:s, s:s}]}]", "ports", "port", text, "protocol", protocol);
}

/* The spec of d's policy, NULL out of memory (or for a scenario without one). */
static json_t *policy_spec(const struct ct_test_def *d, const struct ct_topology *t,
			   const struct ct_run_options *o)
{
	char cidr[80];

	switch (d->scenario) {
	case CT_SCENARIO_POLICY_DEFAULT_DENY:
	case CT_SCENARIO_POLICY_AUDIT:
		return json_pack("{s:o, s:[{s:[o], s:o}]}", "endpointSelector",
				 node_selector(t, CT_NODE_ECHO), "ingress", "fromEndpoints",
				 node_selector(t, CT_NODE_CLIENT), "toPorts",
				 ports(CT_PORT_TCP, "TCP"));
	case CT_SCENARIO_POLICY_DENY_PORT:
		return json_pack("{s:o, s:[{s:[s]}], s:[{s:o}]}", "endpointSelector",
				 node_selector(t, CT_NODE_ECHO), "ingress", "fromEntities", "all",
				 "ingressDeny", "toPorts", ports(CT_POLICY_PORT_DENIED, "TCP"));
	case CT_SCENARIO_POLICY_DENY_CIDR:
		/* Deny rules put egress into default deny, as in Cilium: allow the rest. */
		snprintf(cidr, sizeof(cidr), "%s/%d", o->external_ip,
			 external_family(o) == 6 ? 128 : 32);
		return json_pack("{s:o, s:[{s:[s]}], s:[{s:[s], s:o}]}", "endpointSelector",
				 node_selector(t, CT_NODE_CLIENT), "egress", "toEntities", "all",
				 "egressDeny", "toCIDR", cidr, "toPorts",
				 ports(CT_POLICY_PORT_DENIED, "TCP"));
	case CT_SCENARIO_POLICY_TO_FQDNS:
		/* The DNS server must be allowed for its answers to be read, as in Cilium. */
		return json_pack("{s:o, s:[{s:[o], s:o}, {s:[{s:s}]}]}", "endpointSelector",
				 node_selector(t, CT_NODE_CLIENT), "egress", "toEndpoints",
				 node_selector(t, CT_NODE_ECHO), "toPorts",
				 ports(CT_PORT_DNS, "ANY"), "toFQDNs", "matchName",
				 CT_FQDN_ALLOWED_NAME);
	default:
		return NULL;
	}
}

/*
 * Send request (its reference is taken), read the reply; the object under
 * key into *reply (the caller's reference). 0, or -1 with err saying why.
 */
static int agent_request(const struct cli_globals *g, json_t *request, const char *key,
			 json_t **reply, char *err, size_t errlen)
{
	struct cli_conn conn;
	enum cli_line line;
	size_t raw_len;
	json_t *obj;
	char *raw;

	*reply = NULL;
	if (cli_conn_send(&conn, g, request)) {
		snprintf(err, errlen, "the agent at %s could not be asked (see above)",
			 cli_socket_path(g));
		return -1;
	}
	while ((line = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		if (!*reply && json_object_get(obj, key))
			*reply = json_incref(json_object_get(obj, key));
		json_decref(obj);
	}
	cli_conn_close(&conn);
	if (line == CLI_LINE_DONE && *reply)
		return 0;
	json_decref(*reply);
	*reply = NULL;
	if (line == CLI_LINE_FAILED)
		snprintf(err, errlen, "the agent refused %s (its message is above)", key);
	else if (line == CLI_LINE_EOF)
		snprintf(err, errlen, "the agent closed the connection before its %s reply", key);
	else
		snprintf(err, errlen, "the agent's reply has no %s line", key);
	return -1;
}

static int audit_mode_set(const struct cli_globals *g, const char *endpoint, bool on, char *err,
			  size_t errlen)
{
	json_t *reply;
	int ret;

	ret = agent_request(g,
			    json_pack("{s:s, s:s, s:{s:s}}", "request", "endpoint_config",
				      "endpoint", endpoint, "options", "PolicyAuditMode",
				      on ? "Enabled" : "Disabled"),
			    "endpoint_config", &reply, err, errlen);
	json_decref(reply);
	return ret;
}

/* The agent's datapath policy generation (status.policy.generation); -1 unknown. */
static int64_t policy_generation(const struct cli_globals *g)
{
	json_t *status;
	int64_t gen = -1;
	char err[256];

	if (agent_request(g, json_pack("{s:s}", "request", "status"), "status", &status, err,
			  sizeof(err)))
		return -1;
	if (json_is_integer(json_object_get(json_object_get(status, "policy"), "generation")))
		gen = json_integer_value(
			json_object_get(json_object_get(status, "policy"), "generation"));
	json_decref(status);
	return gen;
}

int ct_policy_apply(const struct cli_globals *g, const struct ct_test_def *d,
		    const struct ct_topology *t, const struct ct_run_options *o,
		    struct ct_policy_applied *applied, char *err, size_t errlen)
{
	char name[64], why[256];
	json_t *document, *reply;
	int64_t gen;

	memset(applied, 0, sizeof(*applied));
	ct_policy_name(d, name, sizeof(name));
	/* Audit mode before the policy: no moment of enforcing it. */
	if (d->scenario == CT_SCENARIO_POLICY_AUDIT) {
		/* Undone even when the request failed half-way. */
		snprintf(applied->audit_endpoint, sizeof(applied->audit_endpoint), "%s",
			 t->nodes[CT_NODE_ECHO].netns);
		if (audit_mode_set(g, applied->audit_endpoint, true, why, sizeof(why))) {
			snprintf(err, errlen, "setting PolicyAuditMode=Enabled on %s: %s",
				 t->nodes[CT_NODE_ECHO].netns, why);
			return -1;
		}
	}
	document = json_pack("{s:s, s:s, s:{s:s}, s:o}", "apiVersion", "cilium.io/v2", "kind",
			     "CiliumNetworkPolicy", "metadata", "name", name, "spec",
			     policy_spec(d, t, o));
	if (!document) {
		snprintf(err, errlen, "out of memory building policy %s", name);
		return -1;
	}
	snprintf(applied->name, sizeof(applied->name), "%s", name);
	if (agent_request(g,
			  json_pack("{s:s, s:[o], s:s}", "request", "policy_import", "documents",
				    document, "source", "netobs connectivity test"),
			  "policy_import", &reply, why, sizeof(why))) {
		snprintf(err, errlen, "importing policy %s: %s", name, why);
		return -1;
	}
	json_decref(reply);
	gen = policy_generation(g);
	applied->generation = gen > 0 ? (uint64_t)gen : 0;
	return 0;
}

int ct_policy_remove(const struct cli_globals *g, struct ct_policy_applied *applied, char *err,
		     size_t errlen)
{
	json_t *reply;
	char why[256];
	int ret = 0;

	*err = '\0';
	if (applied->name[0]) {
		if (agent_request(g,
				  json_pack("{s:s, s:s}", "request", "policy_delete", "name",
					    applied->name),
				  "policy_delete", &reply, why, sizeof(why))) {
			snprintf(err, errlen,
				 "deleting policy %s: %s; delete it with `netobs policy delete %s` "
				 "or `netobs connectivity cleanup`",
				 applied->name, why, applied->name);
			ret = -1;
		}
		json_decref(reply);
		applied->name[0] = '\0';
	}
	if (applied->audit_endpoint[0]) {
		if (audit_mode_set(g, applied->audit_endpoint, false, why, sizeof(why))) {
			size_t used = strlen(err);

			snprintf(err + used, errlen - used,
				 "%ssetting PolicyAuditMode=Disabled on %s again: %s",
				 used ? "; " : "", applied->audit_endpoint, why);
			ret = -1;
		}
		applied->audit_endpoint[0] = '\0';
	}
	return ret;
}

void ct_policy_before_action(const struct cli_globals *g, struct ct_policy_applied *applied,
			     const struct ct_action_spec *s, uint32_t max_ms,
			     volatile sig_atomic_t *stop, bool verbose)
{
	struct timespec pause = {.tv_nsec = CT_POLICY_POLL_MS * 1000000L};
	uint32_t waited;
	int64_t gen;

	if (s->note_policy_generation) {
		gen = policy_generation(g);
		applied->generation = gen > 0 ? (uint64_t)gen : 0;
	}
	if (!s->wait_policy_compiled)
		return;
	for (waited = 0; waited <= max_ms && !*stop; waited += CT_POLICY_POLL_MS) {
		gen = policy_generation(g);
		if (gen > 0 && (uint64_t)gen > applied->generation) {
			applied->generation = (uint64_t)gen;
			return;
		}
		nanosleep(&pause, NULL);
	}
	if (verbose && !*stop)
		fprintf(stderr, "the agent's policy generation did not move within %u ms\n",
			max_ms);
}

bool ct_policy_endpoint_of(const struct cli_globals *g, const char *ip, char *name, size_t len)
{
	uint8_t want[16], have[16];
	struct cli_conn conn;
	enum cli_line line;
	size_t raw_len, i, k;
	json_t *obj, *addr;
	char *raw;
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	bool found = false;

	if (inet_pton(family, ip, want) != 1 ||
	    cli_conn_send(&conn, g, json_pack("{s:s}", "request", "endpoints")))
		return false;
	while ((line = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		json_t *ep = json_object_get(obj, "endpoint");
		const char *lists[] = {"ipv4", "ipv6"};

		for (k = 0; k < 2 && !found; k++)
			json_array_foreach (json_object_get(ep, lists[k]), i, addr) {
				if (!json_string_value(addr) ||
				    inet_pton(family, json_string_value(addr), have) != 1 ||
				    memcmp(have, want, family == AF_INET6 ? 16 : 4))
					continue;
				found = true;
				snprintf(name, len, "%s",
					 json_string_value(json_object_get(ep, "name"))
						 ? json_string_value(json_object_get(ep, "name"))
						 : "?");
				break;
			}
		json_decref(obj);
	}
	cli_conn_close(&conn);
	return found;
}

bool ct_policy_skip_reason(const struct cli_globals *g, const struct ct_test_def *d,
			   const struct ct_topology *t, const struct ct_run_options *o,
			   const char *no_agent, char *why, size_t len)
{
	struct ct_action_spec specs[CT_ACTIONS_MAX];
	char endpoint[64];

	if (no_agent) {
		snprintf(why, len, "needs a running agent to enforce its policy (%s at %s)",
			 no_agent, cli_socket_path(g));
		return true;
	}
	if (!ct_policy_actions(d, t, o, specs)) {
		if (!o->external_ip)
			snprintf(why, len,
				 "--external-ip IP not given (its policy's target must be "
				 "outside the topology)");
		else
			snprintf(why, len, "--external-ip %.64s is not an IP address",
				 o->external_ip);
		return true;
	}
	if ((d->scenario == CT_SCENARIO_POLICY_DENY_CIDR ||
	     d->scenario == CT_SCENARIO_POLICY_TO_FQDNS) &&
	    ct_policy_endpoint_of(g, o->external_ip, endpoint, sizeof(endpoint))) {
		snprintf(why, len,
			 "--external-ip %.64s is endpoint %.64s's address: CIDR rules and toFQDNs "
			 "never select endpoints (as in Cilium); give an address outside them",
			 o->external_ip, endpoint);
		return true;
	}
	return false;
}

int ct_policy_remove_leftovers(const struct cli_globals *g)
{
	struct cli_conn conn;
	enum cli_line line;
	size_t raw_len, i, n = 0;
	char names[8][64], err[256];
	json_t *obj, *reply;
	char *raw;
	int deleted = 0;

	if (cli_conn_send(&conn, g, json_pack("{s:s}", "request", "policy_get")))
		return -1;
	while ((line = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		const char *name = json_string_value(json_object_get(
			json_object_get(json_object_get(json_object_get(obj, "policy"), "document"),
					"metadata"),
			"name"));

		if (name && n < 8 &&
		    !strncmp(name, CT_POLICY_PREFIX "policy-", strlen(CT_POLICY_PREFIX "policy-")))
			snprintf(names[n++], sizeof(names[0]), "%s", name);
		json_decref(obj);
	}
	cli_conn_close(&conn);
	if (line != CLI_LINE_DONE)
		return -1;
	for (i = 0; i < n; i++) {
		if (agent_request(
			    g,
			    json_pack("{s:s, s:s}", "request", "policy_delete", "name", names[i]),
			    "policy_delete", &reply, err, sizeof(err))) {
			cli_error("deleting policy %s a connectivity test left: %s", names[i], err);
			continue;
		}
		json_decref(reply);
		printf("Deleted policy %s a connectivity test left\n", names[i]);
		deleted++;
	}
	return deleted;
}

void ct_expected_drops_add(struct ct_expected_drops *x, const struct flow_expect *e)
{
	struct ct_expected_drop *d;

	if (e->kind != FLOW_EXPECT_TCP_DENIED || x->n >= CT_EXPECTED_DROPS_MAX)
		return;
	d = &x->drop[x->n++];
	d->family = e->family;
	memcpy(d->client, e->client, sizeof(d->client));
	memcpy(d->server, e->server, sizeof(d->server));
	d->port = e->port;
	d->reason = e->drop_reason;
}

bool ct_expected_drops_match(const struct ct_expected_drops *x, const struct netobs_record *rec)
{
	const struct netobs_flow_record *f = &rec->flow;
	unsigned int i;

	if (!x || rec->kind != NETOBS_RECORD_FLOW || f->verdict != NETOBS_VERDICT_DROPPED)
		return false;
	for (i = 0; i < x->n; i++) {
		const struct ct_expected_drop *d = &x->drop[i];
		size_t len = d->family == NETOBS_FAMILY_IPV6 ? 16 : 4;

		if (f->key.family == d->family && f->key.proto == IPPROTO_TCP &&
		    !memcmp(f->key.saddr, d->client, len) &&
		    !memcmp(f->key.daddr, d->server, len) && ntohs(f->key.dport) == d->port &&
		    (!d->reason || f->drop_reason == d->reason))
			return true;
	}
	return false;
}
