// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Enforcement that outlives the agent (docs/policy.md, "Through restarts").
 * While a policy is loaded the datapath is "persistent": every TC link is
 * pinned under BPFFS/netobs/links/, so a stopped or killed agent leaves the
 * programs attached, enforcing with the maps they hold. The next agent
 * reuses the pinned flow and connection maps (an established connection's
 * replies are still replies), writes the policy into its fresh policy maps,
 * and only then swaps its programs into the pinned links with
 * bpf_link_update(): at every moment one netobs program, with the whole
 * policy, sits on each hook, and never two.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "log.h"
#include "netobs.skel.h"
#include "tcx.h"

#define LINKS_DIR "links"

static void link_pin_path(const char *pin_dir, uint32_t ifindex, int hook, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" LINKS_DIR "/%u-%s", pin_dir, ifindex,
		 hook == NETOBS_HOOK_TC_INGRESS ? "ingress" : "egress");
}

/* Same type, sizes and flags as the map this build declares? */
static bool pinned_map_fits(int fd, struct bpf_map *map)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	return info.type == bpf_map__type(map) && info.key_size == bpf_map__key_size(map) &&
	       info.value_size == bpf_map__value_size(map) &&
	       info.max_entries == bpf_map__max_entries(map) &&
	       info.map_flags == bpf_map__map_flags(map);
}

/*
 * Before load: take over the flow and connection maps a persistent agent
 * left pinned, when a links directory says it was one. A map that does not
 * fit this build (another --flow-map-size, another ABI) is not reused: its
 * connections are forgotten, and their replies judged as new, which the log
 * says.
 */
void datapath_reuse_pinned_maps(struct datapath *dp, const char *bpffs)
{
	struct bpf_map *maps[] = {dp->skel->maps.flows, dp->skel->maps.policy_conns};
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/netobs/" LINKS_DIR, bpffs);
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return;
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/netobs/%s", bpffs, bpf_map__name(maps[i]));
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!pinned_map_fits(fd, maps[i]) || bpf_map__reuse_fd(maps[i], fd)) {
			log_warn("the pinned map %s does not fit this agent (another "
				 "--flow-map-size or version): starting a new one; replies of "
				 "connections opened before are judged as new",
				 path);
		} else {
			dp->reused_maps = true;
		}
		close(fd);
	}
}

/*
 * The generation the program of a pinned link runs with: read from its
 * .bss (found through the link's program and its maps), when that .bss is
 * laid out as ours (same size: the same build). 0 when unknown.
 */
static uint32_t pinned_program_gen(struct datapath *dp, const char *link_path)
{
	size_t off = (size_t)((char *)&dp->skel->bss->netobs_policy_gen - (char *)dp->skel->bss);
	size_t bss_size = bpf_map__value_size(dp->skel->maps.bss);
	struct bpf_link_info link = {};
	struct bpf_prog_info prog = {};
	uint32_t map_ids[16], len, gen = 0, key = 0;
	int link_fd, prog_fd = -1;

	link_fd = bpf_obj_get(link_path);
	if (link_fd < 0)
		return 0;
	len = sizeof(link);
	if (bpf_obj_get_info_by_fd(link_fd, &link, &len))
		goto out;
	prog_fd = bpf_prog_get_fd_by_id(link.prog_id);
	if (prog_fd < 0)
		goto out;
	prog.nr_map_ids = sizeof(map_ids) / sizeof(map_ids[0]);
	prog.map_ids = (uint64_t)(unsigned long)map_ids;
	len = sizeof(prog);
	if (bpf_obj_get_info_by_fd(prog_fd, &prog, &len))
		goto out;
	for (uint32_t i = 0; i < prog.nr_map_ids && i < 16 && !gen; i++) {
		struct bpf_map_info map = {};
		uint32_t mlen = sizeof(map);
		int map_fd = bpf_map_get_fd_by_id(map_ids[i]);
		char *value;

		if (map_fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(map_fd, &map, &mlen) &&
		    !strcmp(map.name, "netobs.bss") && map.value_size == bss_size &&
		    (value = malloc(bss_size))) {
			if (!bpf_map_lookup_elem(map_fd, &key, value))
				memcpy(&gen, value + off, sizeof(gen));
			free(value);
		}
		close(map_fd);
	}
out:
	if (prog_fd >= 0)
		close(prog_fd);
	close(link_fd);
	return gen;
}

/*
 * The generation the next one must be above: the largest cached in the
 * reused maps, and the one the pinned programs still run with (flows they
 * judge after the scan carry it).
 */
uint32_t datapath_policy_gen_floor(struct datapath *dp)
{
	struct netobs_flow_key key, next, *prev = NULL;
	struct netobs_policy_conn conn;
	struct netobs_flow_stats value; /* one per flow, shared by all CPUs (ABI 6) */
	uint32_t floor = 0;

	while (dp->reused_maps && !bpf_map_get_next_key(dp->flows_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(dp->flows_fd, &key, &value) && value.policy_gen > floor)
			floor = value.policy_gen;
	}
	prev = NULL;
	while (!bpf_map_get_next_key(dp->policy_conns_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(dp->policy_conns_fd, &key, &conn) &&
		    conn.policy_gen > floor)
			floor = conn.policy_gen;
	}
	if (dp->pin_dir[0]) {
		char dirpath[sizeof(dp->pin_dir) + 16], path[sizeof(dp->pin_dir) + 300];
		struct dirent *de;
		DIR *dir;

		snprintf(dirpath, sizeof(dirpath), "%s/" LINKS_DIR, dp->pin_dir);
		dir = opendir(dirpath);
		while (dir && (de = readdir(dir))) {
			uint32_t gen;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirpath, de->d_name);
			gen = pinned_program_gen(dp, path);
			if (gen > floor)
				floor = gen;
		}
		if (dir)
			closedir(dir);
	}
	return floor;
}

static int link_pin(struct datapath *dp, const struct datapath_tc_link *l)
{
	char path[sizeof(dp->pin_dir) + 64];
	int rc;

	snprintf(path, sizeof(path), "%s/" LINKS_DIR, dp->pin_dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	link_pin_path(dp->pin_dir, l->ifindex, l->hook, path, sizeof(path));
	unlink(path);
	rc = bpf_obj_pin(l->fd, path);
	return rc ? -errno : 0;
}

/*
 * A link a persistent agent left on this hook, updated to run prog_fd:
 * returns its fd, or -ENOENT when there is none to adopt (then a stale pin
 * is removed, which detaches what it held).
 */
int datapath_adopt_link(struct datapath *dp, uint32_t ifindex, int hook, int prog_fd)
{
	char path[sizeof(dp->pin_dir) + 64];
	uint32_t at_ifindex, at_type;
	int fd;

	if (!dp->pin_dir[0])
		return -ENOENT;
	link_pin_path(dp->pin_dir, ifindex, hook, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -ENOENT;
	if (tcx_link_target(fd, &at_ifindex, &at_type) || at_ifindex != ifindex ||
	    at_type != (hook == NETOBS_HOOK_TC_INGRESS ? NETOBS_TCX_INGRESS : NETOBS_TCX_EGRESS) ||
	    bpf_link_update(fd, prog_fd, NULL)) {
		/* Detached with its interface (the ifindex now names another), or
		 * not ours to update: let it go. */
		unlink(path);
		close(fd);
		return -ENOENT;
	}
	if (!dp->persistent)
		unlink(path);
	return fd;
}

/* A link about to be let go: without its pin, closing its fd detaches it. */
void datapath_link_unpin(struct datapath *dp, const struct datapath_tc_link *l)
{
	char path[sizeof(dp->pin_dir) + 64];

	if (!dp->persistent)
		return;
	link_pin_path(dp->pin_dir, l->ifindex, l->hook, path, sizeof(path));
	unlink(path);
}

/* A link just made: pinned at once when the datapath is persistent. */
void datapath_link_made(struct datapath *dp, const struct datapath_tc_link *l)
{
	int rc;

	if (!dp->persistent)
		return;
	rc = link_pin(dp, l);
	if (rc)
		log_warn("cannot pin the TC link of ifindex %u: %s; enforcement there stops "
			 "with the agent",
			 l->ifindex, strerror(-rc));
}

/* Remove every link pin (and the directory); what the agent holds stays attached. */
static void links_unpin_all(const char *pin_dir)
{
	char dirpath[512], path[800];
	struct dirent *de;
	DIR *dir;

	snprintf(dirpath, sizeof(dirpath), "%s/" LINKS_DIR, pin_dir);
	dir = opendir(dirpath);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirpath, de->d_name);
		unlink(path);
	}
	closedir(dir);
	rmdir(dirpath);
}

void datapath_set_persistent(struct datapath *dp, bool persistent)
{
	if (!dp->pin_dir[0] || dp->tc_clsact || persistent == dp->persistent)
		return;
	dp->persistent = persistent;
	if (!persistent) {
		links_unpin_all(dp->pin_dir);
		return;
	}
	for (unsigned int i = 0; i < dp->ntc_links; i++)
		datapath_link_made(dp, &dp->tc_links[i]);
}

/*
 * After the first attach: links pinned by an earlier agent for hooks this
 * one did not adopt (the interface is no endpoint any more) are let go,
 * which detaches them.
 */
void datapath_drop_stale_links(struct datapath *dp)
{
	char dirpath[sizeof(dp->pin_dir) + 16], path[sizeof(dp->pin_dir) + 300];
	unsigned int dropped = 0;
	struct dirent *de;
	DIR *dir;

	if (!dp->pin_dir[0])
		return;
	snprintf(dirpath, sizeof(dirpath), "%s/" LINKS_DIR, dp->pin_dir);
	dir = opendir(dirpath);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		unsigned int ifindex;
		char side[16];
		bool ours = false;

		if (de->d_name[0] == '.')
			continue;
		if (sscanf(de->d_name, "%u-%15s", &ifindex, side) == 2)
			for (unsigned int i = 0; i < dp->ntc_links; i++)
				ours |= dp->tc_links[i].ifindex == ifindex &&
					!strcmp(side, dp->tc_links[i].hook == NETOBS_HOOK_TC_INGRESS
							      ? "ingress"
							      : "egress");
		if (ours && dp->persistent)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirpath, de->d_name);
		unlink(path);
		dropped += !ours;
	}
	closedir(dir);
	if (!dp->persistent)
		rmdir(dirpath);
	if (dropped)
		log_info("released %u TC link(s) an earlier agent kept for interfaces that are no "
			 "endpoints now",
			 dropped);
}

int datapath_cleanup_pins(const char *bpffs, char *err, size_t errlen)
{
	static const char *const maps[] = {"flows", "counters", "policy_conns"};
	char pin_dir[300], path[600];
	unsigned int links = 0;
	struct dirent *de;
	DIR *dir;

	snprintf(pin_dir, sizeof(pin_dir), "%s/netobs", bpffs);
	snprintf(path, sizeof(path), "%s/" LINKS_DIR, pin_dir);
	dir = opendir(path);
	if (dir) {
		while ((de = readdir(dir)))
			links += de->d_name[0] != '.';
		closedir(dir);
	}
	links_unpin_all(pin_dir);
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, maps[i]);
		unlink(path);
	}
	if (rmdir(pin_dir) && errno != ENOENT) {
		int rc = -errno;

		snprintf(err, errlen, "cannot remove %s: %s (something else is pinned there)",
			 pin_dir, strerror(-rc));
		return rc;
	}
	return (int)links;
}
