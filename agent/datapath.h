/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Loads the BPF object, pins its maps for inspection, attaches and detaches
 * its programs per interface, and reads the maps. Programs never replace
 * others' filters or XDP programs, and detach removes only what netobs put.
 * TC programs go on tcx links placed first (Linux 6.6+), so no tcx program
 * (Cilium's, say) runs before netobs and hides packets; on older kernels
 * they go on clsact as filters.
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

/* A tcx link netobs holds: closing its fd detaches the program. */
struct datapath_tc_link {
	uint32_t ifindex;
	int hook; /* NETOBS_HOOK_TC_INGRESS or NETOBS_HOOK_TC_EGRESS */
	int fd;
};

/* Programs loaded the first time an interface needs them (datapath.c). */
enum datapath_late_prog {
	DATAPATH_LATE_TC_INGRESS_L3,
	DATAPATH_LATE_TC_EGRESS_L3,
	DATAPATH_LATE_XDP,
	DATAPATH_LATE__COUNT,
};

struct datapath {
	struct netobs *skel;
	struct netobs *late[DATAPATH_LATE__COUNT]; /* NULL until first use */
	int flows_fd;
	int counters_fd;
	int events_fd;
	int policy_conns_fd;	/* connections policy allowed (agent/harvest.c forgets them) */
	unsigned int ncpus;	/* possible CPUs: a counter's values come in this many copies */
	uint32_t flow_capacity; /* max_entries of the flow map */
	char pin_dir[256];	/* "" when not pinned */
	bool tc_clsact;		/* TC hooks on clsact: no tcx in this kernel (or asked for) */
	bool persistent;	/* TC links pinned: they outlive the agent (a policy is loaded) */
	bool reused_maps;	/* flows/policy_conns taken over from a persistent agent */
	uint32_t policy_gen_floor; /* largest policy generation the reused maps cache */
	struct datapath_tc_link *tc_links;
	unsigned int ntc_links, tc_links_cap;
};

/*
 * Open, size and load the BPF object, pin its maps under bpffs/netobs.
 * On failure returns -errno and says in err what went wrong and what to do.
 */
int datapath_open(struct datapath *dp, uint32_t flow_capacity, const char *bpffs, char *err,
		  size_t errlen);
/*
 * The kernel's tick in ns, for the datapath's per-packet clock
 * (bpf/lib/clock.h, netobs_tick_ns); 0 if unknown (the datapath then reads
 * the exact clock).
 */
uint64_t datapath_clock_tick_ns(void);
/*
 * The same object for a capture replay (netobs-agent --replay): the virtual
 * clock on (bpf/lib/clock.h), nothing pinned, nothing probed or attached;
 * the programs only run through BPF_PROG_TEST_RUN.
 */
int datapath_open_replay(struct datapath *dp, uint32_t flow_capacity, char *err, size_t errlen);
void datapath_close(struct datapath *dp);

/*
 * The program for a hook (NETOBS_HOOK_TC_INGRESS, _TC_EGRESS or _XDP) and a
 * kind of frame (l3_device: no Ethernet header, the _l3 programs): its fd,
 * owned by dp, or -errno. Only TC on Ethernet frames loads with the object;
 * the others load on first use and share every map with it.
 */
int datapath_prog_fd(struct datapath *dp, int hook, bool l3_device);
/* hook: NETOBS_HOOK_TC_INGRESS or NETOBS_HOOK_TC_EGRESS; l3_device: the
 * interface has no Ethernet header (the _l3 programs). A tcx link first
 * (placed before every other tcx program); when the kernel has no tcx, from
 * then on a clsact filter. *created_qdisc tells whether this call made the
 * clsact qdisc (then detach may remove it). */
int datapath_attach_tc(struct datapath *dp, uint32_t ifindex, int hook, bool l3_device,
		       bool *created_qdisc);
/* Close our link, or remove our filter (and clsact when we made it and it is
 * now empty). */
int datapath_detach_tc(struct datapath *dp, uint32_t ifindex, int hook, bool created_qdisc);
/* The interface is gone: let go of its links (the kernel detached them). */
void datapath_forget_interface(struct datapath *dp, uint32_t ifindex);

/*
 * Take off every netobs program an earlier agent left on ifindex: XDP in any
 * mode, and cls_bpf filters on clsact, removing the clsact too when that
 * leaves it empty. Programs are recognised by name (netobs_*); nobody
 * else's are touched. Call it before attaching anything. Adds what it took
 * off to *removed; 0 or the first -errno.
 */
int datapath_reclaim_interface(uint32_t ifindex, unsigned int *removed);

/*
 * Enforcement through restarts (agent/datapath_pins.c, docs/policy.md):
 * while persistent, every TC link is pinned under PIN_DIR/links/ and stays
 * attached when the agent stops or dies; the next agent reuses the pinned
 * flow and connection maps and updates the pinned links to its programs.
 */
void datapath_reuse_pinned_maps(struct datapath *dp, const char *bpffs);
/* Above every policy generation the reused maps and the pinned programs hold (0: none). */
uint32_t datapath_policy_gen_floor(struct datapath *dp);
/* A pinned link for this hook updated to prog_fd: its fd, or -ENOENT. */
int datapath_adopt_link(struct datapath *dp, uint32_t ifindex, int hook, int prog_fd);
/* Remove a link's pin when persistent (before its fd closes). */
void datapath_link_unpin(struct datapath *dp, const struct datapath_tc_link *l);
/* Pin a new link when persistent. */
void datapath_link_made(struct datapath *dp, const struct datapath_tc_link *l);
/* Pin every link (on) or remove every pin (off). */
void datapath_set_persistent(struct datapath *dp, bool persistent);
/* After the first attach: release pinned links no endpoint adopted. */
void datapath_drop_stale_links(struct datapath *dp);
/*
 * netobs-agent --cleanup: remove every pin under BPFFS/netobs (links, which
 * detaches them, and maps). The number of links released, or -errno.
 */
int datapath_cleanup_pins(const char *bpffs, char *err, size_t errlen);

/* Attach XDP unless another program is there (-EBUSY); a stale netobs_xdp is replaced. */
int datapath_attach_xdp(struct datapath *dp, uint32_t ifindex);
int datapath_detach_xdp(struct datapath *dp, uint32_t ifindex);

/*
 * Which packets the datapath copies L7 slices of (docs/datapath.md, "L7
 * slices"): DNS on the ndns dns_ports; HTTP/1.x on the nhttp http_ports, or
 * on any port when nhttp is 0; nothing at all when disabled. Replaces the
 * whole previous setting (after load it is: no DNS port, HTTP on any port).
 * Slices stop while the settings (the datapath's .bss globals, written in
 * place) are rewritten. Fails only before touching them: 0, or -errno for
 * the caller to report (-EINVAL: the datapath is not loaded).
 */
int datapath_set_l7(struct datapath *dp, const uint16_t *dns_ports, size_t ndns,
		    const uint16_t *http_ports, size_t nhttp, bool disabled);

/* Sum the per-CPU counters into out[NETOBS_CNT__MAX]. 0 or -errno. */
int datapath_read_counters(struct datapath *dp, uint64_t *out);
