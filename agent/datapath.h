/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Loads the BPF object, pins its maps for inspection, attaches and detaches
 * its programs per interface, and reads the maps. Programs never replace
 * others' filters or XDP programs, and detach removes only what netobs put.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"

/* Our TC filter's place on clsact: priority 1 so we observe before others decide. */
#define NETOBS_TC_PRIORITY 1
#define NETOBS_TC_HANDLE   0x4e42

struct netobs; /* the skeleton */

struct datapath {
	struct netobs *skel;
	int flows_fd;
	int counters_fd;
	int events_fd;
	unsigned int ncpus;	/* possible CPUs: per-CPU values come in this many copies */
	uint32_t flow_capacity; /* max_entries of the flow map */
	char pin_dir[256];	/* "" when not pinned */
};

/*
 * Open, size and load the BPF object, pin its maps under bpffs/netobs.
 * On failure returns -errno and says in err what went wrong and what to do.
 */
int datapath_open(struct datapath *dp, uint32_t flow_capacity, const char *bpffs, char *err,
		  size_t errlen);
void datapath_close(struct datapath *dp);

/* hook: NETOBS_HOOK_TC_INGRESS or NETOBS_HOOK_TC_EGRESS; l3_device: the
 * interface has no Ethernet header (the _l3 programs). *created_qdisc tells
 * whether this call made the clsact qdisc (then detach may remove it). */
int datapath_attach_tc(struct datapath *dp, uint32_t ifindex, int hook, bool l3_device,
		       bool *created_qdisc);
/* Remove our filter; remove clsact too when we made it and it is now empty. */
int datapath_detach_tc(struct datapath *dp, uint32_t ifindex, int hook, bool created_qdisc);

/* Attach XDP unless another program is there (-EBUSY); a stale netobs_xdp is replaced. */
int datapath_attach_xdp(struct datapath *dp, uint32_t ifindex);
int datapath_detach_xdp(struct datapath *dp, uint32_t ifindex);

/* Sum the per-CPU counters into out[NETOBS_CNT__MAX]. 0 or -errno. */
int datapath_read_counters(struct datapath *dp, uint64_t *out);
