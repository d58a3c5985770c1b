// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock_ns.h"
#include "datapath.h"
#include "log.h"
#include "netobs.skel.h"
#include "tcfilter.h"
#include "tcx.h"

static int datapath_pin_maps(struct datapath *dp, const char *bpffs, char *err, size_t errlen)
{
	struct bpf_map *maps[] = {dp->skel->maps.flows, dp->skel->maps.counters,
				  dp->skel->maps.policy_conns};
	struct statfs st;
	char path[sizeof(dp->pin_dir) + 260];
	DIR *dir;
	int rc;

	if (statfs(bpffs, &st) || st.f_type != BPF_FS_MAGIC) {
		snprintf(err, errlen,
			 "bpffs is not mounted at %s; mount it with `mount -t bpf bpf %s`", bpffs,
			 bpffs);
		return -ENOENT;
	}
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s/netobs", bpffs);
	if (mkdir(dp->pin_dir, 0700) && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %s: %s", dp->pin_dir, strerror(-rc));
		dp->pin_dir[0] = '\0';
		return rc;
	}
	/* Map pins left by an agent that crashed: the socket check already made
	 * sure no agent runs, so they are stale (the maps a persistent agent
	 * left were reused before load and are pinned again below). The links
	 * directory is not a file: it stays for datapath_adopt_link(). */
	dir = opendir(dp->pin_dir);
	if (dir) {
		struct dirent *de;

		while ((de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, de->d_name);
			unlink(path);
		}
		closedir(dir);
	}
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, bpf_map__name(maps[i]));
		rc = bpf_map__pin(maps[i], path);
		if (rc) {
			snprintf(err, errlen, "cannot pin map at %s: %s", path, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* A tcx attach to no device fails with ENODEV on a kernel with tcx, and with
 * EINVAL (unknown attach type) on one without: decided once, at start. */
static bool datapath_kernel_has_tcx(struct datapath *dp)
{
	int fd = tcx_link_create(bpf_program__fd(dp->skel->progs.netobs_tc_ingress), 0,
				 NETOBS_TCX_INGRESS, NETOBS_TCX_F_BEFORE);

	if (fd >= 0)
		close(fd);
	return fd != -EINVAL && fd != -EOPNOTSUPP;
}

uint64_t datapath_clock_tick_ns(void)
{
	struct timespec res;

	/* The coarse clocks' resolution is the tick (TICK_NSEC): the unit in
	 * which the kernel advances jiffies. */
	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) || res.tv_sec || !res.tv_nsec)
		return 0;
	return (uint64_t)res.tv_nsec;
}

/* virtual_clock: a capture replay's load (bpf/lib/clock.h): timestamps come
 * from netobs_virtual_now_ns, which the replay sets before each packet. */
static int datapath_load(struct datapath *dp, uint32_t flow_capacity, bool virtual_clock,
			 const char *bpffs, char *err, size_t errlen)
{
	int rc, ncpus;

	memset(dp, 0, sizeof(*dp));
	dp->flows_fd = dp->counters_fd = dp->events_fd = dp->policy_conns_fd = -1;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		snprintf(err, errlen, "cannot count possible CPUs: %s", strerror(-ncpus));
		return ncpus ? ncpus : -EINVAL;
	}
	dp->ncpus = (unsigned int)ncpus;

	dp->skel = netobs__open();
	if (!dp->skel) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(-rc));
		return rc;
	}
	rc = bpf_map__set_max_entries(dp->skel->maps.flows, flow_capacity);
	if (rc) {
		snprintf(err, errlen, "cannot size the flow map to %u: %s", flow_capacity,
			 strerror(-rc));
		goto err_destroy;
	}
	/* One allowed connection per flow direction at most. */
	rc = bpf_map__set_max_entries(dp->skel->maps.policy_conns, flow_capacity);
	if (rc) {
		snprintf(err, errlen, "cannot size the policy connection map to %u: %s",
			 flow_capacity, strerror(-rc));
		goto err_destroy;
	}
	dp->skel->rodata->netobs_virtual_clock = virtual_clock;
	/* Verifying a program is most of the start (bench/bench_startup.c):
	 * only TC ingress and egress on Ethernet frames, what every endpoint
	 * veth needs, load now; the L3 and XDP programs load the first time an
	 * interface needs them (datapath_late_prog_fd()). A replay runs only
	 * netobs_tc_ingress. */
	{
		struct bpf_program *prog;

		bpf_object__for_each_program(prog, dp->skel->obj)
		{
			bool now = prog == dp->skel->progs.netobs_tc_ingress ||
				   (!virtual_clock && prog == dp->skel->progs.netobs_tc_egress);

			bpf_program__set_autoload(prog, now);
		}
	}
	if (!virtual_clock)
		dp->skel->rodata->netobs_tick_ns = datapath_clock_tick_ns();
	if (virtual_clock) {
		/* The same file, the same output: harvest reads the flow map in
		 * hash order, which a random seed would change run to run. */
		bpf_map__set_map_flags(dp->skel->maps.flows,
				       bpf_map__map_flags(dp->skel->maps.flows) | BPF_F_ZERO_SEED);
	}
	if (bpffs)
		datapath_reuse_pinned_maps(dp, bpffs);
	rc = netobs__load(dp->skel);
	if (rc) {
		if (rc == -EPERM || rc == -EACCES)
			snprintf(err, errlen,
				 "loading BPF programs failed: permission denied; run netobs-agent "
				 "as root (it needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)");
		else
			snprintf(err, errlen,
				 "loading BPF programs failed: %s; the kernel needs BPF, BTF, "
				 "ring buffer and BPF atomics support (5.12 or later); run with -v "
				 "for the verifier log",
				 strerror(-rc));
		goto err_destroy;
	}
	dp->flow_capacity = flow_capacity;
	dp->flows_fd = bpf_map__fd(dp->skel->maps.flows);
	dp->policy_conns_fd = bpf_map__fd(dp->skel->maps.policy_conns);
	dp->counters_fd = bpf_map__fd(dp->skel->maps.counters);
	dp->events_fd = bpf_map__fd(dp->skel->maps.events);
	return 0;

err_destroy:
	netobs__destroy(dp->skel);
	dp->skel = NULL;
	return rc;
}

int datapath_open(struct datapath *dp, uint32_t flow_capacity, const char *bpffs, char *err,
		  size_t errlen)
{
	int rc = datapath_load(dp, flow_capacity, false, bpffs, err, errlen);

	if (rc)
		return rc;
	dp->tc_clsact = !datapath_kernel_has_tcx(dp);
	rc = datapath_pin_maps(dp, bpffs, err, errlen);
	if (rc)
		datapath_close(dp);
	else
		dp->policy_gen_floor = datapath_policy_gen_floor(dp);
	return rc;
}

int datapath_open_replay(struct datapath *dp, uint32_t flow_capacity, char *err, size_t errlen)
{
	return datapath_load(dp, flow_capacity, true, NULL, err, errlen);
}

void datapath_close(struct datapath *dp)
{
	/* Persistent: the pinned links keep the programs (and their maps)
	 * attached after these fds close, and the map pins stay for the next
	 * agent to reuse. */
	for (unsigned int i = 0; i < dp->ntc_links; i++)
		close(dp->tc_links[i].fd);
	free(dp->tc_links);
	dp->tc_links = NULL;
	dp->ntc_links = dp->tc_links_cap = 0;
	if (dp->pin_dir[0] && !dp->persistent) {
		struct bpf_map *maps[] = {dp->skel->maps.flows, dp->skel->maps.counters,
					  dp->skel->maps.policy_conns};
		char path[sizeof(dp->pin_dir) + 260];

		for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, bpf_map__name(maps[i]));
			unlink(path);
		}
		rmdir(dp->pin_dir);
		dp->pin_dir[0] = '\0';
	}
	for (unsigned int i = 0; i < DATAPATH_LATE__COUNT; i++) {
		if (dp->late[i])
			netobs__destroy(dp->late[i]);
		dp->late[i] = NULL;
	}
	if (dp->skel)
		netobs__destroy(dp->skel);
	dp->skel = NULL;
	dp->flows_fd = dp->counters_fd = dp->events_fd = dp->policy_conns_fd = -1;
}

static const char *const datapath_late_names[DATAPATH_LATE__COUNT] = {
	[DATAPATH_LATE_TC_INGRESS_L3] = "netobs_tc_ingress_l3",
	[DATAPATH_LATE_TC_EGRESS_L3] = "netobs_tc_egress_l3",
	[DATAPATH_LATE_XDP] = "netobs_xdp",
};

/*
 * The fd of a program loaded on first use: the same object opened again with
 * only that program to load and every map, global data included, taken from
 * the loaded object (bpf_map__reuse_fd), so both share the flows, the
 * counters and the settings. -errno when it cannot load.
 */
static int datapath_late_prog_fd(struct datapath *dp, enum datapath_late_prog which)
{
	const char *name = datapath_late_names[which];
	struct bpf_program *prog;
	struct bpf_map *map;
	struct netobs *skel;
	uint64_t start;
	int rc;

	if (dp->late[which])
		return bpf_program__fd(
			bpf_object__find_program_by_name(dp->late[which]->obj, name));
	skel = netobs__open();
	if (!skel)
		return -errno;
	bpf_object__for_each_program(prog, skel->obj)
	{
		bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), name));
	}
	rc = 0;
	bpf_object__for_each_map(map, skel->obj)
	{
		struct bpf_map *loaded =
			bpf_object__find_map_by_name(dp->skel->obj, bpf_map__name(map));

		rc = loaded ? bpf_map__reuse_fd(map, bpf_map__fd(loaded)) : -ENOENT;
		if (rc)
			break;
	}
	start = clock_ns(CLOCK_PROCESS_CPUTIME_ID); /* the verifier runs in this syscall */
	if (!rc)
		rc = netobs__load(skel);
	if (rc) {
		log_warn("cannot load %s: %s", name, strerror(-rc));
		netobs__destroy(skel);
		return rc;
	}
	log_info("loaded %s on first use: %.0f ms of CPU", name,
		 (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start) / 1e6);
	dp->late[which] = skel;
	return bpf_program__fd(bpf_object__find_program_by_name(skel->obj, name));
}

int datapath_prog_fd(struct datapath *dp, int hook, bool l3_device)
{
	if (hook == NETOBS_HOOK_XDP)
		return datapath_late_prog_fd(dp, DATAPATH_LATE_XDP);
	if (l3_device)
		return datapath_late_prog_fd(dp, hook == NETOBS_HOOK_TC_INGRESS
							 ? DATAPATH_LATE_TC_INGRESS_L3
							 : DATAPATH_LATE_TC_EGRESS_L3);
	return bpf_program__fd(hook == NETOBS_HOOK_TC_INGRESS ? dp->skel->progs.netobs_tc_ingress
							      : dp->skel->progs.netobs_tc_egress);
}

/* Is the BPF program with this id one of netobs's (name prefix)? */
static bool datapath_prog_is_ours(uint32_t prog_id, const char *prefix, int *fd_out)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id);

	if (fd < 0)
		return false;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || strncmp(info.name, prefix, strlen(prefix))) {
		close(fd);
		return false;
	}
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return true;
}

static struct datapath_tc_link *datapath_tc_link_find(struct datapath *dp, uint32_t ifindex,
						      int hook)
{
	for (unsigned int i = 0; i < dp->ntc_links; i++)
		if (dp->tc_links[i].ifindex == ifindex && dp->tc_links[i].hook == hook)
			return &dp->tc_links[i];
	return NULL;
}

static int datapath_attach_tcx(struct datapath *dp, uint32_t ifindex, int hook, bool l3_device)
{
	int fd, prog_fd;

	if (datapath_tc_link_find(dp, ifindex, hook))
		return 0;
	if (dp->ntc_links == dp->tc_links_cap) {
		unsigned int cap = dp->tc_links_cap ? dp->tc_links_cap * 2 : 64;
		struct datapath_tc_link *p = realloc(dp->tc_links, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		dp->tc_links = p;
		dp->tc_links_cap = cap;
	}
	/* First among tcx programs at the time of attach: a program that drops
	 * (or redirects) cannot hide a packet from netobs. netobs returns
	 * TC_ACT_UNSPEC (TCX_NEXT), so the others still run after it. */
	prog_fd = datapath_prog_fd(dp, hook, l3_device);
	if (prog_fd < 0)
		return prog_fd;
	/* A link an agent that enforced policy left: swapped to our program in
	 * one step, so the hook is never empty, nor doubled. */
	fd = datapath_adopt_link(dp, ifindex, hook, prog_fd);
	if (fd < 0)
		fd = tcx_link_create(prog_fd, ifindex,
				     hook == NETOBS_HOOK_TC_INGRESS ? NETOBS_TCX_INGRESS
								    : NETOBS_TCX_EGRESS,
				     NETOBS_TCX_F_BEFORE);
	if (fd < 0)
		return fd;
	dp->tc_links[dp->ntc_links++] = (struct datapath_tc_link){ifindex, hook, fd};
	datapath_link_made(dp, &dp->tc_links[dp->ntc_links - 1]);
	return 0;
}

static void datapath_tc_link_drop(struct datapath *dp, struct datapath_tc_link *l)
{
	datapath_link_unpin(dp, l);
	close(l->fd); /* the link's last reference: the kernel detaches it */
	*l = dp->tc_links[--dp->ntc_links];
}

void datapath_forget_interface(struct datapath *dp, uint32_t ifindex)
{
	for (unsigned int i = 0; i < dp->ntc_links;)
		if (dp->tc_links[i].ifindex == ifindex)
			datapath_tc_link_drop(dp, &dp->tc_links[i]);
		else
			i++;
}

static int datapath_attach_clsact(struct datapath *dp, uint32_t ifindex, int hook, bool l3_device,
				  bool *created_qdisc)
{
	LIBBPF_OPTS(bpf_tc_hook, tc_hook, .ifindex = (int)ifindex,
		    .attach_point =
			    hook == NETOBS_HOOK_TC_INGRESS ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, query, .handle = NETOBS_TC_HANDLE, .priority = NETOBS_TC_PRIORITY);
	LIBBPF_OPTS(bpf_tc_opts, tc_opts, .handle = NETOBS_TC_HANDLE,
		    .priority = NETOBS_TC_PRIORITY,
		    .prog_fd = datapath_prog_fd(dp, hook, l3_device));
	int rc;

	if (tc_opts.prog_fd < 0)
		return tc_opts.prog_fd;
	rc = bpf_tc_hook_create(&tc_hook);
	if (rc && rc != -EEXIST)
		return rc;
	*created_qdisc = rc == 0;
	/* A filter at our handle and priority is replaced only if it runs one
	 * of our programs (an agent that crashed); anyone else's stays. */
	if (!*created_qdisc && !bpf_tc_query(&tc_hook, &query)) {
		if (!datapath_prog_is_ours(query.prog_id, "netobs_tc_", NULL))
			return -EBUSY;
		tc_opts.flags = BPF_TC_F_REPLACE;
	}
	rc = bpf_tc_attach(&tc_hook, &tc_opts);
	if (rc == -EEXIST)
		rc = -EBUSY; /* a filter there that query could not name (classic BPF): not ours */
	if (rc && *created_qdisc) {
		tc_hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&tc_hook); /* ours, and empty */
		*created_qdisc = false;
	}
	return rc;
}

int datapath_attach_tc(struct datapath *dp, uint32_t ifindex, int hook, bool l3_device,
		       bool *created_qdisc)
{
	int rc;

	*created_qdisc = false;
	if (!dp->tc_clsact) {
		rc = datapath_attach_tcx(dp, ifindex, hook, l3_device);
		if (rc != -EINVAL && rc != -EOPNOTSUPP)
			return rc;
		log_info("this kernel has no tcx (Linux 6.6 or later): TC programs go on clsact, "
			 "where a tcx program that drops packets would hide them from netobs");
		dp->tc_clsact = true;
	}
	return datapath_attach_clsact(dp, ifindex, hook, l3_device, created_qdisc);
}

int datapath_detach_tc(struct datapath *dp, uint32_t ifindex, int hook, bool created_qdisc)
{
	LIBBPF_OPTS(bpf_tc_hook, tc_hook, .ifindex = (int)ifindex,
		    .attach_point =
			    hook == NETOBS_HOOK_TC_INGRESS ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, tc_opts, .handle = NETOBS_TC_HANDLE,
		    .priority = NETOBS_TC_PRIORITY);
	LIBBPF_OPTS(bpf_tc_opts, query, .handle = NETOBS_TC_HANDLE, .priority = NETOBS_TC_PRIORITY);
	struct datapath_tc_link *link = datapath_tc_link_find(dp, ifindex, hook);
	int rc;

	if (link) {
		datapath_tc_link_drop(dp, link);
		return 0;
	}
	/* Only our own program is taken off, even at our place. */
	rc = bpf_tc_query(&tc_hook, &query);
	if (rc)
		return rc;
	if (!datapath_prog_is_ours(query.prog_id, "netobs_tc_", NULL))
		return -EBUSY;
	rc = bpf_tc_detach(&tc_hook, &tc_opts);
	if (rc)
		return rc;
	/* Remove the clsact qdisc only when we made it and nobody else's filters
	 * sit on either side of it. */
	if (created_qdisc && tc_filter_count(ifindex, TC_FILTER_PARENT_INGRESS) == 0 &&
	    tc_filter_count(ifindex, TC_FILTER_PARENT_EGRESS) == 0) {
		tc_hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&tc_hook);
	}
	return 0;
}

int datapath_attach_xdp(struct datapath *dp, uint32_t ifindex)
{
	int prog_fd = datapath_prog_fd(dp, NETOBS_HOOK_XDP, false);
	uint32_t old_id = 0;
	int rc, old_fd;

	if (prog_fd < 0)
		return prog_fd;
	rc = bpf_xdp_attach((int)ifindex, prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (rc != -EBUSY && rc != -EEXIST)
		return rc;
	if (bpf_xdp_query_id((int)ifindex, 0, &old_id) || !old_id ||
	    !datapath_prog_is_ours(old_id, "netobs_xdp", &old_fd))
		return -EBUSY;
	{
		LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old_fd);

		rc = bpf_xdp_attach((int)ifindex, prog_fd, XDP_FLAGS_REPLACE, &opts);
	}
	close(old_fd);
	return rc;
}

int datapath_detach_xdp(struct datapath *dp, uint32_t ifindex)
{
	/* REPLACE with old_prog_fd: never take off a program that is not ours. */
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);

	if (!dp->late[DATAPATH_LATE_XDP])
		return -ENOENT; /* this agent attached no XDP program */
	opts.old_prog_fd = datapath_prog_fd(dp, NETOBS_HOOK_XDP, false);
	return bpf_xdp_detach((int)ifindex, XDP_FLAGS_REPLACE, &opts);
}

/* XDP programs of ours left in any mode, each detached in its own mode. */
static int datapath_reclaim_xdp(uint32_t ifindex, unsigned int *removed)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	int rc;

	rc = bpf_xdp_query((int)ifindex, 0, &query);
	if (rc)
		return rc;
	const struct {
		uint32_t id;
		uint32_t mode;
	} attached[] = {
		{query.drv_prog_id, XDP_FLAGS_DRV_MODE},
		{query.skb_prog_id, XDP_FLAGS_SKB_MODE},
		{query.hw_prog_id, XDP_FLAGS_HW_MODE},
	};
	for (size_t i = 0; i < sizeof(attached) / sizeof(attached[0]); i++) {
		int fd;

		if (!attached[i].id || !datapath_prog_is_ours(attached[i].id, "netobs_", &fd))
			continue;
		{
			/* REPLACE with this very program: if it changed meanwhile, it
			 * is not ours to remove. */
			LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = fd);

			rc = bpf_xdp_detach((int)ifindex, XDP_FLAGS_REPLACE | attached[i].mode,
					    &opts);
		}
		close(fd);
		if (rc)
			return rc;
		(*removed)++;
	}
	return 0;
}

/* cls_bpf filters of ours on both clsact sides; then the clsact if empty. */
static int datapath_reclaim_clsact(uint32_t ifindex, unsigned int *removed)
{
	static const uint32_t parents[] = {TC_FILTER_PARENT_INGRESS, TC_FILTER_PARENT_EGRESS};
	struct tc_bpf_filter filters[64];
	unsigned int taken = 0;
	int n, rc;

	for (int side = 0; side < 2; side++) {
		LIBBPF_OPTS(bpf_tc_hook, tc_hook, .ifindex = (int)ifindex,
			    .attach_point = side ? BPF_TC_EGRESS : BPF_TC_INGRESS);

		n = tc_bpf_filter_list(ifindex, parents[side], filters, 64);
		if (n < 0)
			continue; /* no clsact here */
		for (int i = 0; i < n; i++) {
			LIBBPF_OPTS(bpf_tc_opts, opts, .handle = filters[i].handle,
				    .priority = filters[i].priority);

			if (!datapath_prog_is_ours(filters[i].prog_id, "netobs_", NULL))
				continue;
			rc = bpf_tc_detach(&tc_hook, &opts);
			if (rc)
				return rc;
			taken++;
		}
	}
	/* The clsact an earlier agent made went empty with its filters. (One
	 * made by someone else that held only netobs's filters goes too: an
	 * empty clsact does nothing, and nothing tells the two apart.) */
	if (taken && tc_filter_count(ifindex, TC_FILTER_PARENT_INGRESS) == 0 &&
	    tc_filter_count(ifindex, TC_FILTER_PARENT_EGRESS) == 0) {
		LIBBPF_OPTS(bpf_tc_hook, tc_hook, .ifindex = (int)ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

		bpf_tc_hook_destroy(&tc_hook);
	}
	*removed += taken;
	return 0;
}

int datapath_reclaim_interface(uint32_t ifindex, unsigned int *removed)
{
	int rc = datapath_reclaim_xdp(ifindex, removed);
	int rc_tc = datapath_reclaim_clsact(ifindex, removed);

	return rc ? rc : rc_tc;
}

int datapath_read_counters(struct datapath *dp, uint64_t *out)
{
	uint64_t percpu[dp->ncpus];

	for (uint32_t i = 0; i < NETOBS_CNT__MAX; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(dp->counters_fd, &i, percpu))
			return -errno;
		for (unsigned int cpu = 0; cpu < dp->ncpus; cpu++)
			out[i] += percpu[cpu];
	}
	return 0;
}

int datapath_set_l7(struct datapath *dp, const uint16_t *dns_ports, size_t ndns,
		    const uint16_t *http_ports, size_t nhttp, bool disabled)
{
	struct netobs__bss *bss = dp->skel ? dp->skel->bss : NULL;
	uint32_t config = 0;
	uint8_t *flags;

	if (!bss)
		return -EINVAL; /* not loaded: datapath_open() failed or was not called */
	flags = calloc(NETOBS_L7_PORTS, sizeof(*flags));
	if (!flags)
		return -ENOMEM;
	for (size_t i = 0; i < ndns; i++)
		flags[dns_ports[i]] |= NETOBS_L7_PORT_DNS;
	for (size_t i = 0; i < nhttp; i++)
		flags[http_ports[i]] |= NETOBS_L7_PORT_HTTP;
	if (nhttp)
		config |= NETOBS_L7_CFG_HTTP_PORTS_ONLY;
	if (disabled)
		config |= NETOBS_L7_CFG_DISABLED;

	/* The settings are the datapath's global data (bpf/lib/maps.h), written
	 * in place through the skeleton's mapping of .bss. Off while the ports
	 * change: no packet sees half of each setting. The release stores order
	 * the writes for the CPUs that run the programs. */
	__atomic_store_n(&bss->netobs_l7_config, NETOBS_L7_CFG_DISABLED, __ATOMIC_RELEASE);
	memcpy(bss->netobs_l7_port_flags, flags, NETOBS_L7_PORTS);
	__atomic_store_n(&bss->netobs_l7_config, config, __ATOMIC_RELEASE);
	free(flags);
	return 0;
}
