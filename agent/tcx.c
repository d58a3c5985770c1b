// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "tcx.h"

/* union bpf_attr's link_create as Linux 6.6 lays it out for tcx. The kernel
 * zero-fills what a shorter attr leaves out, so this prefix is enough. */
struct tcx_link_create_attr {
	__u32 prog_fd;
	__u32 target_ifindex;
	__u32 attach_type;
	__u32 flags;
	__u32 relative_fd;	 /* 0 with BPF_F_BEFORE: before every program */
	__u32 reserved;		 /* padding before the 8-byte-aligned revision */
	__u64 expected_revision; /* 0: whatever the current revision */
};

_Static_assert(offsetof(struct tcx_link_create_attr, relative_fd) == 16,
	       "link_create.tcx.relative_fd is at offset 16");
_Static_assert(offsetof(struct tcx_link_create_attr, expected_revision) == 24,
	       "link_create.tcx.expected_revision is at offset 24");
_Static_assert(sizeof(struct tcx_link_create_attr) <= sizeof(union bpf_attr),
	       "a prefix of union bpf_attr");

int tcx_link_create(int prog_fd, uint32_t ifindex, uint32_t attach_type, uint32_t flags)
{
	struct tcx_link_create_attr attr = {
		.prog_fd = (__u32)prog_fd,
		.target_ifindex = ifindex,
		.attach_type = attach_type,
		.flags = flags,
	};
	long fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));

	return fd < 0 ? -errno : (int)fd;
}

/* struct bpf_link_info as Linux 6.6 lays out its start and the tcx member. */
struct tcx_link_info {
	__u32 type;
	__u32 id;
	__u32 prog_id;
	__u32 pad; /* the union is 8-byte aligned */
	__u32 ifindex;
	__u32 attach_type;
	__u64 rest[6]; /* the union's other members are larger */
};

_Static_assert(offsetof(struct tcx_link_info, ifindex) == 16,
	       "bpf_link_info.tcx.ifindex is at offset 16");

int tcx_link_target(int link_fd, uint32_t *ifindex, uint32_t *attach_type)
{
	struct tcx_link_info info = {0};
	union bpf_attr attr = {0};

	attr.info.bpf_fd = (__u32)link_fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (__u64)(unsigned long)&info;
	if (syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) < 0)
		return -errno;
	if (info.type != NETOBS_LINK_TYPE_TCX)
		return -ENOENT;
	*ifindex = info.ifindex;
	*attach_type = info.attach_type;
	return 0;
}
