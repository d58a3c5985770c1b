/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the connectivity test's topology (cli/ct_topology.c), its servers
 * (cli/ct_servers.c) and its DNS server (cli/ct_dns_server.c) share, and no
 * one else needs. The public side is cli/connectivity.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "connectivity.h"
#include "ct_dns_zone.h"

/* Files in CT_STATE_DIR besides NAME.pid and NAME.log of each server. */
#define CT_CA_FILE	      "ca.pem"	   /* the CA certificate: --cacert */
#define CT_CERT_FILE	      "server.pem" /* the HTTPS server's certificate */
#define CT_KEY_FILE	      "server.key" /* and its key */
#define CT_EXTERNAL_FILE      "external"   /* present while forwarding and masquerade are set */
#define CT_FORWARD_FILE	      "ip_forward.saved" /* net.ipv4.ip_forward before we set it */
#define CT_MASQUERADE_FILE    "masquerade.nft"	 /* the rule, as given to nft -f */
#define CT_NFT_TABLE	      "netobs_ct"	 /* ip netobs_ct: the masquerade rule's table */
#define CT_SERVER_COMM_PREFIX "nct-"		 /* a server's process name: nct-echo-tcp */

#define CT_NETNS_RUN_DIR   "/run/netns" /* where iproute2 and the agent look for names */
#define CT_IP_FORWARD_PATH "/proc/sys/net/ipv4/ip_forward"

/* Small helpers of the topology's two halves (cli/ct_topology.c, cli/ct_topology_down.c). */
bool ct_path_exists(const char *path);
/* Run argv (no shell), its output to /dev/null. Its exit status, or -errno. */
int ct_run_quietly(char *const argv[]);
/* A small text file into buf (NUL-terminated); 0 or -errno. */
int ct_file_read(const char *path, char *buf, size_t len);
/* text into path (created with mode, truncated); 0 or -errno. */
int ct_file_write(const char *path, const char *text, mode_t mode);

/* The host-side network namespace fd, opened once (ct_in_node). -1 and errno on failure. */
int ct_host_netns_fd(void);

/*
 * Make the CA and the HTTPS server's certificate and key in CT_STATE_DIR.
 * 0, or -1 with err saying what failed.
 */
int ct_tls_make_ca(char *err, size_t errlen);

/*
 * Start server s as a daemon (a child in its own session; init adopts it
 * when this process ends first) in its node's namespace, listening once this returns; its pid goes to
 * t->servers[s] and CT_STATE_DIR/NAME.pid. 0, or -1 with err saying why.
 */
int ct_server_start(struct ct_topology *t, enum ct_server_id s, char *err, size_t errlen);
/* Does server s answer within timeout_ms (connect, an echo, a DNS answer), from its own node? */
bool ct_server_answers(const struct ct_topology *t, enum ct_server_id s, unsigned int timeout_ms);
/* The pid in CT_STATE_DIR/NAME.pid when that process is alive and is that server, else 0. */
pid_t ct_server_pid_read(enum ct_server_id s);
/* Is pid alive (not a zombie) and server s (by its process name)? */
bool ct_server_pid_is(pid_t pid, enum ct_server_id s);

/*
 * The test zone: echo.netobs-ct.test. A/AAAA, www CNAME echo; with
 * external_ip (an address; "" none) also CT_FQDN_ALLOWED_NAME for it and
 * CT_FQDN_DENIED_NAME for a documentation address of its family.
 */
void ct_dns_zone_fill(struct ct_dns_zone *zone, const char *external_ip);
/* Answer one datagram waiting on a UDP socket. */
void ct_dns_serve_datagram(int fd, const struct ct_dns_zone *zone);
/* Answer the length-prefixed queries of one TCP connection until it ends. */
void ct_dns_serve_stream(int fd, const struct ct_dns_zone *zone);
