/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `netobs connectivity test`: builds a topology of its own (client,
 * client2 and echo endpoints, each a network namespace with a veth whose
 * host side is on a bridge), starts echo servers, runs named tests of
 * probes between them, checks each action against the flows the agent
 * recorded, and reports text, JSON or JUnit. docs/connectivity.md.
 *
 *   cli/connectivity.c     the command: flags, running the tests, flow validation
 *   cli/ct_tests.c         the test list and each test's actions (ct_tests.h)
 *   cli/ct_drops.c         no-unexpected-drops: the agent's drops, the links' counters
 *   cli/ct_endpoints.c     waiting until the agent lists the topology's endpoints
 *   cli/ct_report.c        --test selection, the summary, -o json and --junit-file
 *   cli/ct_topology.c      namespaces, bridge, veths, addresses, routes (libnl-route)
 *   cli/ct_topology_down.c removing all of it (no libnl, no heap; from any process)
 *   cli/ct_servers.c       the echo servers (TCP, UDP, HTTP, HTTPS), one process each
 *   cli/ct_tls.c           the CA and the server certificate, made on the spot
 *   cli/ct_dns_server.c    the DNS server for the test zone
 *   lib/ct_dns_zone.c      its answers: pure code (lib/ct_dns_zone.h)
 *   cli/agent_flows.c      fetching an agent's records for one action (agent_flows.h)
 *   lib/flow_expect.c      the flow patterns (lib/flow_expect.h)
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli.h"

/* Names. Interface names stay under IFNAMSIZ (16). */
#define CT_NETNS_PREFIX "netobs-ct-" /* netobs-ct-client, netobs-ct-client2, netobs-ct-echo */
#define CT_BRIDGE	"netobs-ct0"
#define CT_VETH_PREFIX	"nct-" /* host sides: nct-client, nct-client2, nct-echo; eth0 inside */
#define CT_STATE_DIR	"/run/netobs/connectivity" /* pid files, the CA, the certificate */
#define CT_ZONE		"netobs-ct.test."
#define CT_ECHO_NAME	"echo.netobs-ct.test." /* A and AAAA: the echo endpoint */
/* Names in the test zone for policy-to-fqdns, given with --external-ip. */
#define CT_FQDN_ALLOWED_NAME "external.netobs-ct.test." /* --external-ip */
#define CT_FQDN_DENIED_NAME  "denied.netobs-ct.test."	/* CT_FQDN_DENIED_IPV4/6 */
/* Documentation addresses (RFC 5737, RFC 3849): routed nowhere, if ever let out. */
#define CT_FQDN_DENIED_IPV4 "192.0.2.1"
#define CT_FQDN_DENIED_IPV6 "2001:db8::1"

/* Addresses: the bridge (the host side) is .1 / ::1. */
#define CT_SUBNET4   "10.247.0.0/24"
#define CT_SUBNET6   "fd00:6e6f:6374::/64"
#define CT_HOST_IPV4 "10.247.0.1"
#define CT_HOST_IPV6 "fd00:6e6f:6374::1"

/* Ports of the echo endpoint's servers. */
#define CT_PORT_TCP   7000 /* TCP echo */
#define CT_PORT_UDP   7000 /* UDP echo */
#define CT_PORT_HTTP  80
#define CT_PORT_HTTPS 443
#define CT_PORT_DNS   53 /* UDP and TCP */
/* Ports of the host's servers (bound to the bridge's addresses only). */
#define CT_HOST_PORT_TCP  17000
#define CT_HOST_PORT_HTTP 17080

enum ct_node_id {
	CT_NODE_CLIENT = 0,
	CT_NODE_CLIENT2,
	CT_NODE_ECHO,
	CT_NODE__COUNT,
	CT_NODE_HOST = CT_NODE__COUNT, /* the host network namespace (actions from/to the host) */
};

struct ct_node {
	const char *role; /* "client", "client2", "echo", "host" */
	char netns[32];	  /* "netobs-ct-client"; "" for the host */
	char veth[16];	  /* host side: "nct-client"; "" for the host */
	char ipv4[16];	  /* "10.247.0.10" */
	char ipv6[48];	  /* "fd00:6e6f:6374::10" */
};

/* The echo servers, each its own process (so one can stop alone). */
enum ct_server_id {
	CT_SERVER_TCP = 0,   /* echo endpoint: TCP echo on CT_PORT_TCP, v4 and v6 */
	CT_SERVER_UDP,	     /* echo endpoint: UDP echo on CT_PORT_UDP */
	CT_SERVER_HTTP,	     /* echo endpoint: HTTP/1.1 on CT_PORT_HTTP */
	CT_SERVER_HTTPS,     /* echo endpoint: HTTPS on CT_PORT_HTTPS, certificate from the CA */
	CT_SERVER_DNS,	     /* echo endpoint: the test zone on CT_PORT_DNS, UDP and TCP */
	CT_SERVER_HOST_TCP,  /* host: TCP echo on CT_HOST_PORT_TCP at the bridge's addresses */
	CT_SERVER_HOST_HTTP, /* host: HTTP on CT_HOST_PORT_HTTP at the bridge's addresses */
	CT_SERVER__COUNT,
};

struct ct_topology {
	struct ct_node nodes[CT_NODE__COUNT + 1]; /* indexed by enum ct_node_id, host last */
	char ca_path[PATH_MAX];			  /* the CA certificate (PEM) for --cacert */
	pid_t servers[CT_SERVER__COUNT];	  /* 0 when not running */
	bool reused;   /* it was kept by an earlier run (--cleanup=false) and taken as it was */
	bool external; /* routes and forwarding for --external-target/--external-ip are set */
	char external_ip[64]; /* --external-ip: the DNS zone names it for policy-to-fqdns */
};

struct ct_topology_options {
	bool external; /* set a default route in the clients and forwarding/masquerade on the host */
	const char *external_ip; /* --external-ip, or NULL */
	bool verbose;		 /* say each step on stderr */
};

/*
 * Build the topology (or take the one an earlier --cleanup=false run left,
 * then t->reused) and start the servers; wait until every server answers.
 * 0, or -1 with err saying what failed and what to do; on failure whatever
 * was made is removed again.
 */
int ct_topology_up(struct ct_topology *t, const struct ct_topology_options *o, char *err,
		   size_t errlen);
/* Fill t's names and addresses without making anything (for cleanup and tests). */
void ct_topology_describe(struct ct_topology *t);
/* Is there a topology (its namespaces or bridge) on this host? */
bool ct_topology_exists(void);
/*
 * Stop the servers, remove namespaces, veths, bridge, routes and rules the
 * topology made, and CT_STATE_DIR. Idempotent, never fails half-way: each
 * step is tried; returns the number of steps that failed (each reported on
 * stderr). Safe to call from a SIGINT path (no allocation is assumed).
 */
int ct_topology_down(struct ct_topology *t);
/* Is server s still running (its pid alive and its port answering)? */
bool ct_server_alive(const struct ct_topology *t, enum ct_server_id s);
const char *ct_server_name(enum ct_server_id s); /* "echo-tcp", ..., "host-http" */

/*
 * Run fn(arg) inside node's network namespace (the host: as is) and come
 * back. The return value of fn, or -1 with errno set when the namespace
 * could not be entered or left (then the process must not go on).
 */
int ct_in_node(const struct ct_topology *t, enum ct_node_id node, int (*fn)(void *arg), void *arg);

int cli_cmd_connectivity(int argc, char **argv, struct cli_globals *g);
void cli_usage_connectivity(FILE *out);
