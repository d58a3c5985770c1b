/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What rtnetlink events touched since the last endpoint rescan, so the
 * rescan refreshes only that: one host link, the endpoints of one
 * namespace, the host's addresses. A container flapping its link then costs
 * one link read per burst, not a walk over every link and namespace of the
 * node. Pure bookkeeping over netlink messages: no socket, unit tested.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

/* Distinct links or namespaces remembered before falling back to a full rescan. */
#define ENDPOINT_CHANGES_MAX 64

/* nsid of an event from the agent's own namespace (no NETLINK_LISTEN_ALL_NSID cmsg). */
#define ENDPOINT_NSID_SELF (-1)

struct endpoint_changes {
	bool full;	 /* extent unknown (overrun, too many changes): rescan everything */
	bool host_addrs; /* an address of the agent's namespace changed */
	unsigned int nifindexes;
	unsigned int nnsids;
	uint32_t ifindexes[ENDPOINT_CHANGES_MAX]; /* links of the agent's namespace */
	int32_t nsids[ENDPOINT_CHANGES_MAX]; /* other namespaces whose links or addresses changed */
};

/* Note one message received from the event socket; nsid is ENDPOINT_NSID_SELF
 * for our own namespace. Messages of other types are ignored. */
void endpoint_changes_note(struct endpoint_changes *c, const struct nlmsghdr *nlh, int32_t nsid);

/*
 * Read every message waiting on a non-blocking rtnetlink event socket bound
 * with NETLINK_LISTEN_ALL_NSID and note them. An overrun (ENOBUFS) or a
 * truncated datagram loses events we cannot name: that asks for a full rescan.
 */
void endpoint_changes_read(int fd, struct endpoint_changes *c);

/* Anything to rescan? */
bool endpoint_changes_pending(const struct endpoint_changes *c);

void endpoint_changes_clear(struct endpoint_changes *c);
