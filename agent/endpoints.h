/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Endpoint discovery through rtnetlink. An endpoint is a veth whose peer
 * lives in another network namespace (how Docker, CNI bridge and most
 * runtimes wire containers), or an interface the user named. The table is
 * built by a full rescan at start (and after an event overrun); after that,
 * each burst of link or address events refreshes only the links and
 * namespaces it touched (endpoint_changes.h). The addresses inside each
 * endpoint's namespace are read with IFA_TARGET_NETNSID, without entering
 * the namespace.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "endpoint_changes.h"
#include "record.h"

#define ENDPOINT_MAX	      1024
#define ENDPOINT_MAX_ADDRS    16
#define ENDPOINT_MAX_PATTERNS 32
#define HOST_MAX_ADDRS	      256
#define ENDPOINT_MAX_NETNS    1024
/* Removed endpoints whose names are kept for flows that outlive them. */
#define ENDPOINT_REMOVED_KEPT 256

enum endpoint_kind {
	ENDPOINT_KIND_VETH = 1,	     /* host side of a container-style veth */
	ENDPOINT_KIND_INTERFACE = 2, /* named with --interfaces or --xdp */
};

enum endpoint_state {
	ENDPOINT_STATE_READY = 0,
	ENDPOINT_STATE_DOWN,
	ENDPOINT_STATE_ERROR, /* a hook failed to attach */
};

/* endpoint.hooks bits */
#define ENDPOINT_HOOK_TC_INGRESS (1U << NETOBS_HOOK_TC_INGRESS)
#define ENDPOINT_HOOK_TC_EGRESS	 (1U << NETOBS_HOOK_TC_EGRESS)
#define ENDPOINT_HOOK_XDP	 (1U << NETOBS_HOOK_XDP)

struct ip_addr {
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes */
	uint8_t family;	  /* NETOBS_FAMILY_IPV4 / NETOBS_FAMILY_IPV6 */
	bool link_local;  /* scope link: resolves peers, not listed */
};

struct endpoint {
	uint32_t
		id; /* the host-side ifindex: stable while the interface lives, also across agent restarts */
	uint32_t ifindex;
	char ifname[NETOBS_IFNAME_MAX];
	char name[NETOBS_NAME_MAX];  /* netns name from /run/netns, else the interface name */
	char netns[NETOBS_NAME_MAX]; /* "" when unnamed or the host namespace */
	int32_t netnsid;	     /* peer's namespace id as seen from here, -1 for interfaces */
	uint32_t peer_ifindex;	     /* inside the peer namespace */
	uint8_t mac[6];		     /* the container-side MAC for veths */
	struct ip_addr addrs[ENDPOINT_MAX_ADDRS];
	unsigned int naddrs;
	uint8_t kind; /* enum endpoint_kind */
	bool oper_up;
	bool want_xdp;	       /* named with --xdp: XDP replaces TC ingress */
	bool l3_device;	       /* no Ethernet header (tun, wg, ipip...): the _l3 TC programs */
	uint8_t hooks;	       /* ENDPOINT_HOOK_* attached now */
	uint8_t created_qdisc; /* ENDPOINT_HOOK_TC_* sides whose clsact we created */
	int attach_error;      /* last TC attach failure (-errno), 0 when none */
	int xdp_error;	       /* XDP attach failure (-errno): TC ingress is used instead */
	bool present;	       /* seen by the latest rescan */
};

struct endpoint_table {
	struct endpoint eps[ENDPOINT_MAX];
	unsigned int count;
	struct ip_addr host_addrs[HOST_MAX_ADDRS]; /* addresses of the host namespace */
	unsigned int nhost_addrs;
	struct {
		uint32_t ifindex;
		uint8_t mac[6];
	} host_macs[HOST_MAX_ADDRS]; /* MACs of the host namespace's links */
	unsigned int nhost_macs;
	/* /run/netns names by nsid, read again when one is missing or stale
	 * (the kernel reuses a deleted namespace's id). */
	struct {
		int32_t nsid;
		char name[NETOBS_NAME_MAX];
	} netns_names[ENDPOINT_MAX_NETNS];
	unsigned int nnetns_names;
	struct {
		uint32_t id;
		char name[NETOBS_NAME_MAX];
	} removed[ENDPOINT_REMOVED_KEPT]; /* ring of the latest removed endpoints */
	unsigned int removed_next;
	/* What discovery cost: a flapping container must not cause full rescans. */
	uint64_t full_rescans;
	uint64_t link_refreshes;
	uint64_t netns_refreshes;
	/* --interfaces and --xdp patterns (fnmatch globs) */
	char interface_patterns[ENDPOINT_MAX_PATTERNS][NETOBS_IFNAME_MAX * 2];
	unsigned int ninterface_patterns;
	char xdp_patterns[ENDPOINT_MAX_PATTERNS][NETOBS_IFNAME_MAX * 2];
	unsigned int nxdp_patterns;
};

/* Add comma-separated names or globs. 0 or -E2BIG. */
int endpoints_add_patterns(struct endpoint_table *table, const char *list, bool xdp);

/* An endpoint the latest rescan dropped, with what netobs had attached. */
struct endpoint_gone {
	uint32_t ifindex;
	uint8_t hooks;
	uint8_t created_qdisc;
};

/*
 * Bring the table up to date with the kernel: everything when changes is
 * NULL or changes->full, else only what changes names. Endpoints keep their
 * hooks across rescans; ones that are no endpoint any more (interface
 * deleted, or no longer matching) are removed from the table and written to
 * gone[ENDPOINT_MAX]: the caller detaches what is still there.
 * Returns 0 or -errno (-E2BIG: more links than one rescan reads).
 */
int endpoints_rescan(struct endpoint_table *table, const struct endpoint_changes *changes,
		     struct endpoint_gone *gone, unsigned int *ngone);

struct endpoint *endpoints_find_by_ifindex(struct endpoint_table *table, uint32_t ifindex);

/*
 * Resolve a flow key address to a flow peer: an endpoint, the host, or the
 * world. For NETOBS_FAMILY_NONE (non-IP frames) addr holds a MAC in its
 * first 6 bytes, resolved to an endpoint or the host, else left unknown
 * (broadcast and multicast MACs belong to no one). An address that two
 * endpoints claim (overlapping container networks) names neither: the peer
 * is left unknown rather than guessed.
 */
void endpoints_resolve_peer(const struct endpoint_table *table, int family, const uint8_t addr[16],
			    struct netobs_peer *peer);

/* The peer that is this endpoint itself. */
void endpoint_peer(const struct endpoint *ep, struct netobs_peer *peer);

/* An endpoint leaves the table: keep its name for flows that outlive it. */
void endpoints_remember_removed(struct endpoint_table *table, const struct endpoint *ep);

/* The peer for an endpoint ID, present or recently removed; false if unknown. */
bool endpoints_peer_by_id(const struct endpoint_table *table, uint32_t id,
			  struct netobs_peer *peer);

const char *endpoint_state_name(const struct endpoint *ep);
