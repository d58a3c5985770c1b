// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Programs loaded on first use (agent/datapath.c): the agent verifies only
 * TC on Ethernet frames at start; the L3 and XDP programs load when an
 * interface first needs them. A late program must share every map with the
 * loaded object (its flows land where the harvest reads, its settings are
 * the agent's) and must not reset the global data the agent has written.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datapath_harness.h"
#include "datapath.h"

static char bpffs_dir[] = "/tmp/netobs-late-XXXXXX";

static void private_bpffs(void)
{
	ck_assert_ptr_nonnull(mkdtemp(bpffs_dir));
	ck_assert_msg(!mount("bpf", bpffs_dir, "bpf", 0, NULL), "mount bpffs at %s: %s", bpffs_dir,
		      strerror(errno));
}

static void private_bpffs_gone(void)
{
	umount2(bpffs_dir, MNT_DETACH);
	rmdir(bpffs_dir);
}

/* The ids of every map of the loaded object. */
static unsigned int object_map_ids(struct bpf_object *obj, uint32_t *ids, unsigned int max)
{
	struct bpf_map *map;
	unsigned int n = 0;

	bpf_object__for_each_map(map, obj)
	{
		struct bpf_map_info info;
		uint32_t len = sizeof(info);

		memset(&info, 0, sizeof(info));
		ck_assert_int_eq(bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len), 0);
		ck_assert_uint_lt(n, max);
		ids[n++] = info.id;
	}
	return n;
}

/* The ids of the maps a program uses. */
static unsigned int prog_map_ids(int prog_fd, uint32_t *ids, unsigned int max)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = max;
	info.map_ids = (uint64_t)(unsigned long)ids;
	ck_assert_int_eq(bpf_obj_get_info_by_fd(prog_fd, &info, &len), 0);
	return info.nr_map_ids;
}

static bool id_in(uint32_t id, const uint32_t *ids, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static unsigned int flow_count(int fd)
{
	struct netobs_flow_key key, next;
	unsigned int n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

START_TEST(test_late_programs_share_the_maps)
{
	struct datapath dp;
	char err[256] = "";
	uint32_t object_ids[64], late_ids[64];
	unsigned int nobject, nlate;
	int fd, hooks[] = {NETOBS_HOOK_XDP, NETOBS_HOOK_TC_INGRESS, NETOBS_HOOK_TC_EGRESS};
	struct pkt p;

	private_bpffs();
	ck_assert_msg(!datapath_open(&dp, 1024, bpffs_dir, err, sizeof(err)), "%s", err);

	/* At start: TC on Ethernet frames only. */
	ck_assert_int_ge(bpf_program__fd(dp.skel->progs.netobs_tc_ingress), 0);
	ck_assert_int_ge(bpf_program__fd(dp.skel->progs.netobs_tc_egress), 0);
	ck_assert_int_lt(bpf_program__fd(dp.skel->progs.netobs_xdp), 0);
	ck_assert_int_lt(bpf_program__fd(dp.skel->progs.netobs_tc_ingress_l3), 0);
	ck_assert_int_lt(bpf_program__fd(dp.skel->progs.netobs_tc_egress_l3), 0);
	ck_assert_int_eq(datapath_detach_xdp(&dp, TEST_IFINDEX), -ENOENT);

	/* What the agent wrote before: must survive a late load. */
	dp.skel->bss->netobs_policy_gen = 3;
	dp.skel->bss->netobs_l7_config = 0x5a5a;

	nobject = object_map_ids(dp.skel->obj, object_ids, 64);
	for (unsigned int h = 0; h < sizeof(hooks) / sizeof(hooks[0]); h++) {
		fd = datapath_prog_fd(&dp, hooks[h], true);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(datapath_prog_fd(&dp, hooks[h], true), fd); /* loaded once */
		nlate = prog_map_ids(fd, late_ids, 64);
		ck_assert_uint_gt(nlate, 0);
		for (unsigned int i = 0; i < nlate; i++)
			ck_assert_msg(id_in(late_ids[i], object_ids, nobject),
				      "hook %d: map id %u is not one of the loaded object's",
				      hooks[h], late_ids[i]);
	}
	ck_assert_uint_eq(dp.skel->bss->netobs_l7_config, 0x5a5a);
	ck_assert_uint_eq(dp.skel->bss->netobs_policy_gen, 3);

	/* A frame through the late XDP program is a flow in the agent's map. */
	ck_assert_uint_eq(flow_count(dp.flows_fd), 0);
	build_v4_tcp(&p, 40000, 80, NETOBS_TCP_SYN);
	{
		struct xdp_md ctx = {.data_end = p.len, .ingress_ifindex = TEST_IFINDEX};
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.b, .data_size_in = p.len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);

		ck_assert_int_eq(bpf_prog_test_run_opts(
					 datapath_prog_fd(&dp, NETOBS_HOOK_XDP, false), &opts),
				 0);
		ck_assert_int_eq((int)opts.retval, XDP_PASS);
	}
	ck_assert_uint_eq(flow_count(dp.flows_fd), 1);

	datapath_close(&dp);
	private_bpffs_gone();
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath_late");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_late_programs_share_the_maps);
	suite_add_tcase(s, tc);
	return s;
}
