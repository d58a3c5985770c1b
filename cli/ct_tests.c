// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The tests of `netobs connectivity test` and the actions each one makes:
 * which node probes which, with what target, and the flow pattern the
 * agent's records must show (docs/connectivity.md lists them all).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ct_tests.h"

/* clang-format off */
#define E2E(kind, fam, name, what)  { name, what, CT_SCENARIO_ENDPOINT_TO_ENDPOINT, kind, fam, 0, PROBE_OK }
#define E2H(kind, fam, name, what)  { name, what, CT_SCENARIO_ENDPOINT_TO_HOST, kind, fam, 0, PROBE_OK }
#define H2E(kind, fam, name, what)  { name, what, CT_SCENARIO_HOST_TO_ENDPOINT, kind, fam, 0, PROBE_OK }
#define DNS(fam, qtype, expected, name, what) { name, what, CT_SCENARIO_DNS, PROBE_DNS, fam, qtype, expected }
/* clang-format on */

static const struct ct_test_def test_table[] = {
	E2E(PROBE_ICMP, 4, "icmp-ipv4-endpoint-to-endpoint",
	    "ICMP echo from client and client2 to echo over IPv4"),
	E2E(PROBE_TCP, 4, "tcp-ipv4-endpoint-to-endpoint",
	    "TCP connection from client and client2 to echo's TCP echo server over IPv4"),
	E2E(PROBE_UDP, 4, "udp-ipv4-endpoint-to-endpoint",
	    "UDP datagram and its echo between client, client2 and echo over IPv4"),
	E2E(PROBE_HTTP, 4, "http-ipv4-endpoint-to-endpoint",
	    "HTTP GET from client and client2 to echo over IPv4, status 200"),
	E2E(PROBE_HTTPS, 4, "https-ipv4-endpoint-to-endpoint",
	    "HTTPS GET from client and client2 to echo over IPv4, certificate from the test CA"),
	E2E(PROBE_ICMP, 6, "icmp-ipv6-endpoint-to-endpoint",
	    "ICMPv6 echo from client and client2 to echo over IPv6"),
	E2E(PROBE_TCP, 6, "tcp-ipv6-endpoint-to-endpoint",
	    "TCP connection from client and client2 to echo's TCP echo server over IPv6"),
	E2E(PROBE_UDP, 6, "udp-ipv6-endpoint-to-endpoint",
	    "UDP datagram and its echo between client, client2 and echo over IPv6"),
	E2E(PROBE_HTTP, 6, "http-ipv6-endpoint-to-endpoint",
	    "HTTP GET from client and client2 to echo over IPv6, status 200"),
	E2E(PROBE_HTTPS, 6, "https-ipv6-endpoint-to-endpoint",
	    "HTTPS GET from client and client2 to echo over IPv6, certificate from the test CA"),
	E2H(PROBE_ICMP, 4, "icmp-ipv4-endpoint-to-host",
	    "ICMP echo from client and client2 to the host's bridge address over IPv4"),
	E2H(PROBE_TCP, 4, "tcp-ipv4-endpoint-to-host",
	    "TCP connection from client and client2 to the host's TCP echo server over IPv4"),
	E2H(PROBE_HTTP, 4, "http-ipv4-endpoint-to-host",
	    "HTTP GET from client and client2 to the host's HTTP server over IPv4"),
	E2H(PROBE_ICMP, 6, "icmp-ipv6-endpoint-to-host",
	    "ICMPv6 echo from client and client2 to the host's bridge address over IPv6"),
	E2H(PROBE_TCP, 6, "tcp-ipv6-endpoint-to-host",
	    "TCP connection from client and client2 to the host's TCP echo server over IPv6"),
	E2H(PROBE_HTTP, 6, "http-ipv6-endpoint-to-host",
	    "HTTP GET from client and client2 to the host's HTTP server over IPv6"),
	H2E(PROBE_ICMP, 4, "icmp-ipv4-host-to-endpoint",
	    "ICMP echo from the host to echo over IPv4"),
	H2E(PROBE_TCP, 4, "tcp-ipv4-host-to-endpoint",
	    "TCP connection from the host to echo's TCP echo server over IPv4"),
	H2E(PROBE_HTTP, 4, "http-ipv4-host-to-endpoint",
	    "HTTP GET from the host to echo over IPv4, status 200"),
	H2E(PROBE_ICMP, 6, "icmp-ipv6-host-to-endpoint",
	    "ICMPv6 echo from the host to echo over IPv6"),
	H2E(PROBE_TCP, 6, "tcp-ipv6-host-to-endpoint",
	    "TCP connection from the host to echo's TCP echo server over IPv6"),
	H2E(PROBE_HTTP, 6, "http-ipv6-host-to-endpoint",
	    "HTTP GET from the host to echo over IPv6, status 200"),
	DNS(4, 1, PROBE_OK, "dns-a-ipv4",
	    "DNS A query for " CT_ECHO_NAME " from client and client2 to echo's server over IPv4"),
	DNS(4, 28, PROBE_OK, "dns-aaaa-ipv4",
	    "DNS AAAA query for " CT_ECHO_NAME " from client and client2 over IPv4"),
	DNS(4, 1, PROBE_NXDOMAIN, "dns-nxdomain-ipv4",
	    "DNS query for a name the zone lacks: NXDOMAIN expected, over IPv4"),
	DNS(6, 1, PROBE_OK, "dns-a-ipv6",
	    "DNS A query for " CT_ECHO_NAME " from client and client2 to echo's server over IPv6"),
	DNS(6, 28, PROBE_OK, "dns-aaaa-ipv6",
	    "DNS AAAA query for " CT_ECHO_NAME " from client and client2 over IPv6"),
	DNS(6, 1, PROBE_NXDOMAIN, "dns-nxdomain-ipv6",
	    "DNS query for a name the zone lacks: NXDOMAIN expected, over IPv6"),
	{"http-external-target",
	 "HTTPS and HTTP from client to --external-target NAME (through the host's forwarding)",
	 CT_SCENARIO_EXTERNAL_TARGET, PROBE_HTTPS, 0, 0, PROBE_OK},
	{"icmp-external-ip", "ICMP echo from client to --external-ip IP", CT_SCENARIO_EXTERNAL_IP,
	 PROBE_ICMP, 0, 0, PROBE_OK},
	{"policy-default-deny-ingress",
	 "a policy on echo allows ingress only from client on TCP 7000: client connects, "
	 "client2's SYN is dropped (POLICY_DENIED, INGRESS)",
	 CT_SCENARIO_POLICY_DEFAULT_DENY, PROBE_TCP, 4, 0, PROBE_OK},
	{"policy-deny-port",
	 "a policy on echo allows all ingress but denies TCP 80: HTTP from client is dropped "
	 "(POLICY_DENY, by the policy), TCP 7000 still connects",
	 CT_SCENARIO_POLICY_DENY_PORT, PROBE_HTTP, 4, 0, PROBE_OK},
	{"policy-deny-cidr",
	 "a policy on client denies egress to --external-ip/32 on TCP 80: the SYN is dropped "
	 "(POLICY_DENY, EGRESS), ICMP to it still passes",
	 CT_SCENARIO_POLICY_DENY_CIDR, PROBE_TCP, 0, 0, PROBE_OK},
	{"policy-audit",
	 "the default deny of policy-default-deny-ingress with echo in audit mode: client2 "
	 "connects, its flow has verdict AUDIT",
	 CT_SCENARIO_POLICY_AUDIT, PROBE_TCP, 4, 0, PROBE_OK},
	{"policy-to-fqdns",
	 "a policy on client allows DNS to echo and egress to the address of " CT_FQDN_ALLOWED_NAME
	 " (--external-ip) only: ICMP to it passes once resolved, TCP to "
	 "the address of " CT_FQDN_DENIED_NAME " is dropped (POLICY_DENIED, EGRESS)",
	 CT_SCENARIO_POLICY_TO_FQDNS, PROBE_ICMP, 0, 0, PROBE_OK},
	{"no-unexpected-drops",
	 "no drop the tests did not expect: the agent's DROPPED records and the links' kernel "
	 "drop counters over the run",
	 CT_SCENARIO_NO_DROPS, PROBE_ICMP, 0, 0, PROBE_OK},
};

bool ct_test_is_policy(const struct ct_test_def *d)
{
	return d->scenario >= CT_SCENARIO_POLICY_DEFAULT_DENY &&
	       d->scenario <= CT_SCENARIO_POLICY_TO_FQDNS;
}

const struct ct_test_def *ct_tests(size_t *n)
{
	*n = sizeof(test_table) / sizeof(test_table[0]);
	return test_table;
}

const char *ct_node_address(const struct ct_topology *t, enum ct_node_id node, int family)
{
	const struct ct_node *n = &t->nodes[node];

	if (node == CT_NODE_HOST && !*(family == 6 ? n->ipv6 : n->ipv4))
		return family == 6 ? CT_HOST_IPV6 : CT_HOST_IPV4;
	return family == 6 ? n->ipv6 : n->ipv4;
}

static const char *node_role(const struct ct_topology *t, enum ct_node_id node)
{
	if (t->nodes[node].role)
		return t->nodes[node].role;
	return node == CT_NODE_HOST ? "host" : "?";
}

/* "10.0.0.1" -> "10.0.0.1:80", "fd00::1" -> "[fd00::1]:80"; port 0: the bare address. */
static void host_port(char *buf, size_t len, const char *addr, int family, uint16_t port)
{
	if (!port)
		snprintf(buf, len, "%s", addr);
	else if (family == 6)
		snprintf(buf, len, "[%s]:%u", addr, port);
	else
		snprintf(buf, len, "%s:%u", addr, port);
}

/* A URL's authority: "10.0.0.1", "[fd00::1]", "[fd00::1]:8080"; port 0: the scheme's own. */
static void url_authority(char *buf, size_t len, const char *addr, int family, uint16_t port)
{
	char host[80];

	snprintf(host, sizeof(host), family == 6 ? "[%s]" : "%s", addr);
	if (port)
		snprintf(buf, len, "%s:%u", host, port);
	else
		snprintf(buf, len, "%s", host);
}

/* The pieces of one action both ends of which are topology nodes. */
void ct_action_between(struct ct_action_spec *s, const struct ct_topology *t,
		       const struct ct_test_def *d, enum ct_node_id src, enum ct_node_id dst,
		       const struct ct_run_options *o)
{
	const char *src_addr = ct_node_address(t, src, d->family);
	const char *dst_addr = ct_node_address(t, dst, d->family);
	bool to_host = dst == CT_NODE_HOST;
	char where[96];

	memset(s, 0, sizeof(*s));
	s->src = src;
	s->dst = dst;
	s->expected = PROBE_OK;
	snprintf(s->src_addr, sizeof(s->src_addr), "%s", src_addr);
	snprintf(s->dst_addr, sizeof(s->dst_addr), "%s", dst_addr);
	snprintf(s->name, sizeof(s->name), "%s-to-%s", node_role(t, src), node_role(t, dst));
	s->probe = (struct probe_options){
		.kind = d->probe,
		.count = 1,
		.timeout_ms = o->connect_timeout_ms,
		.method = "GET",
		.qtype = 1,
	};
	s->expect = (struct flow_expect){
		.family = d->family == 6 ? NETOBS_FAMILY_IPV6 : NETOBS_FAMILY_IPV4,
	};
	s->validate = true;

	switch (d->probe) {
	case PROBE_ICMP:
		s->expect.kind = FLOW_EXPECT_ICMP;
		host_port(s->target, sizeof(s->target), dst_addr, d->family, 0);
		break;
	case PROBE_TCP:
		s->expect.kind = FLOW_EXPECT_TCP;
		s->expect.port = to_host ? CT_HOST_PORT_TCP : CT_PORT_TCP;
		host_port(s->target, sizeof(s->target), dst_addr, d->family, s->expect.port);
		break;
	case PROBE_UDP:
		s->expect.kind = FLOW_EXPECT_UDP;
		s->expect.port = CT_PORT_UDP;
		host_port(s->target, sizeof(s->target), dst_addr, d->family, s->expect.port);
		break;
	case PROBE_HTTP:
		s->expect.kind = FLOW_EXPECT_HTTP;
		s->expect.port = to_host ? CT_HOST_PORT_HTTP : CT_PORT_HTTP;
		s->expect.http_method = "GET";
		s->expect.http_code = 200;
		s->probe.expect_status = 200;
		s->probe.timeout_ms = o->request_timeout_ms;
		url_authority(where, sizeof(where), dst_addr, d->family,
			      to_host ? CT_HOST_PORT_HTTP : 0);
		snprintf(s->target, sizeof(s->target), "http://%s/", where);
		break;
	case PROBE_HTTPS:
		/* TLS hides the HTTP messages from the agent: the pattern is TCP's. */
		s->expect.kind = FLOW_EXPECT_TCP;
		s->expect.port = CT_PORT_HTTPS;
		s->probe.expect_status = 200;
		s->probe.cacert = t->ca_path;
		s->probe.timeout_ms = o->request_timeout_ms;
		url_authority(where, sizeof(where), dst_addr, d->family, 0);
		snprintf(s->target, sizeof(s->target), "https://%s/", where);
		break;
	case PROBE_DNS:
		s->expect.kind = FLOW_EXPECT_DNS;
		s->expect.port = CT_PORT_DNS;
		s->expect.dns_query =
			d->expected == PROBE_NXDOMAIN ? CT_MISSING_NAME : CT_ECHO_NAME;
		s->expect.dns_rcode = d->expected == PROBE_NXDOMAIN ? 3 : 0;
		s->expected = d->expected;
		s->probe.qtype = d->dns_qtype;
		s->probe.timeout_ms = o->request_timeout_ms;
		/* The server as IP, which probe_dns_once takes for both families. */
		snprintf(s->dns_server, sizeof(s->dns_server), "%s", dst_addr);
		s->probe.server = s->dns_server;
		snprintf(s->target, sizeof(s->target), "%s", s->expect.dns_query);
		break;
	default:
		break;
	}
	s->probe.target = s->target;
	inet_pton(d->family == 6 ? AF_INET6 : AF_INET, src_addr, s->expect.client);
	inet_pton(d->family == 6 ? AF_INET6 : AF_INET, dst_addr, s->expect.server);
	snprintf(s->source, sizeof(s->source), "%s (%s)", node_role(t, src), src_addr);
	host_port(where, sizeof(where), dst_addr, d->family, s->expect.port);
	snprintf(s->destination, sizeof(s->destination), "%s (%s)", node_role(t, dst), where);
}

/* An action from client to something outside the topology. */
void ct_action_external(struct ct_action_spec *s, const struct ct_topology *t, enum probe_kind kind,
			const char *target_host, const struct ct_run_options *o)
{
	const char *client = ct_node_address(t, CT_NODE_CLIENT, 4);

	memset(s, 0, sizeof(*s));
	s->src = CT_NODE_CLIENT;
	s->dst = CT_NODE_HOST; /* unused: the destination is outside */
	s->external = true;
	s->expected = PROBE_OK;
	s->validate = true;
	s->probe = (struct probe_options){.kind = kind,
					  .count = 1,
					  .timeout_ms = o->request_timeout_ms,
					  .qtype = 1,
					  .method = "GET"};
	s->expect.kind = kind == PROBE_ICMP ? FLOW_EXPECT_ICMP : FLOW_EXPECT_TCP;
	s->expect.port = kind == PROBE_HTTPS ? 443 : kind == PROBE_HTTP ? 80 : 0;
	if (kind == PROBE_ICMP) {
		s->probe.timeout_ms = o->connect_timeout_ms;
		snprintf(s->target, sizeof(s->target), "%s", target_host);
	} else {
		snprintf(s->target, sizeof(s->target), "%s://%s/", probe_kind_name(kind),
			 target_host);
	}
	s->probe.target = s->target;
	snprintf(s->name, sizeof(s->name), "client-to-external-%s", probe_kind_name(kind));
	snprintf(s->src_addr, sizeof(s->src_addr), "%s", client);
	snprintf(s->src_addr4, sizeof(s->src_addr4), "%s", client);
	snprintf(s->src_addr6, sizeof(s->src_addr6), "%s", ct_node_address(t, CT_NODE_CLIENT, 6));
	snprintf(s->source, sizeof(s->source), "client (%s)", client);
	snprintf(s->destination, sizeof(s->destination), "%s", s->target);
}

unsigned int ct_test_actions(const struct ct_test_def *d, const struct ct_topology *t,
			     const struct ct_run_options *o, struct ct_action_spec *specs)
{
	static const enum ct_node_id clients[] = {CT_NODE_CLIENT, CT_NODE_CLIENT2};
	unsigned int i;

	switch (d->scenario) {
	case CT_SCENARIO_ENDPOINT_TO_ENDPOINT:
	case CT_SCENARIO_DNS:
		for (i = 0; i < 2; i++)
			ct_action_between(&specs[i], t, d, clients[i], CT_NODE_ECHO, o);
		return 2;
	case CT_SCENARIO_ENDPOINT_TO_HOST:
		for (i = 0; i < 2; i++)
			ct_action_between(&specs[i], t, d, clients[i], CT_NODE_HOST, o);
		return 2;
	case CT_SCENARIO_HOST_TO_ENDPOINT:
		ct_action_between(&specs[0], t, d, CT_NODE_HOST, CT_NODE_ECHO, o);
		return 1;
	case CT_SCENARIO_EXTERNAL_TARGET:
		if (!o->external_target)
			return 0;
		ct_action_external(&specs[0], t, PROBE_HTTPS, o->external_target, o);
		ct_action_external(&specs[1], t, PROBE_HTTP, o->external_target, o);
		return 2;
	case CT_SCENARIO_EXTERNAL_IP:
		if (!o->external_ip)
			return 0;
		ct_action_external(&specs[0], t, PROBE_ICMP, o->external_ip, o);
		return 1;
	case CT_SCENARIO_POLICY_DEFAULT_DENY:
	case CT_SCENARIO_POLICY_DENY_PORT:
	case CT_SCENARIO_POLICY_DENY_CIDR:
	case CT_SCENARIO_POLICY_AUDIT:
	case CT_SCENARIO_POLICY_TO_FQDNS:
		return ct_policy_actions(d, t, o, specs);
	default:
		return 0;
	}
}

/* "[fd00::2]:443", "10.0.0.2:80", "10.0.0.2" -> the address; false when none. */
static bool peer_address(const char *peer, char *addr, size_t len)
{
	const char *start = peer, *end;

	if (*peer == '[') {
		start = peer + 1;
		end = strchr(start, ']');
	} else {
		end = strchr(peer, ':');
		if (end && strchr(end + 1, ':'))
			end = NULL; /* a bare IPv6 address */
	}
	if (!end)
		end = peer + strlen(peer);
	if ((size_t)(end - start) >= len || end == start)
		return false;
	memcpy(addr, start, (size_t)(end - start));
	addr[end - start] = '\0';
	return true;
}

bool ct_action_resolve_external(struct ct_action_spec *s, const struct probe_attempt *a)
{
	char addr[64];
	const char *text = *a->peer ? a->peer : s->target;

	if (!peer_address(text, addr, sizeof(addr)))
		return false;
	memset(s->expect.client, 0, sizeof(s->expect.client));
	memset(s->expect.server, 0, sizeof(s->expect.server));
	if (inet_pton(AF_INET, addr, s->expect.server) == 1) {
		s->expect.family = NETOBS_FAMILY_IPV4;
	} else if (inet_pton(AF_INET6, addr, s->expect.server) == 1) {
		s->expect.family = NETOBS_FAMILY_IPV6;
	} else {
		return false;
	}
	/* The client's address of the same family: the host masquerades beyond it. */
	snprintf(s->src_addr, sizeof(s->src_addr), "%s",
		 s->expect.family == NETOBS_FAMILY_IPV6 ? s->src_addr6 : s->src_addr4);
	inet_pton(s->expect.family == NETOBS_FAMILY_IPV6 ? AF_INET6 : AF_INET, s->src_addr,
		  s->expect.client);
	snprintf(s->dst_addr, sizeof(s->dst_addr), "%s", addr);
	return true;
}
