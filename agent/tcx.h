/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * tcx (Linux 6.6+): BPF programs on a device's TC ingress and egress, in an
 * order their owners choose, attached through links that detach when their
 * last fd closes. Debian 12's UAPI headers (6.1) and libbpf 1.1 predate it,
 * so the numbers come from include/uapi/linux/bpf.h and the link is made
 * with the raw bpf(BPF_LINK_CREATE) syscall.
 */
#pragma once

#include <stdint.h>

#define NETOBS_TCX_INGRESS  46U	      /* enum bpf_attach_type BPF_TCX_INGRESS */
#define NETOBS_TCX_EGRESS   47U	      /* BPF_TCX_EGRESS */
#define NETOBS_TCX_F_BEFORE (1U << 3) /* BPF_F_BEFORE: with no relative program, first */

/*
 * Run prog_fd at attach_type (NETOBS_TCX_*) of ifindex. Returns the link's
 * fd (closing it detaches) or -errno: -EINVAL or -EOPNOTSUPP when the kernel
 * has no tcx.
 */
int tcx_link_create(int prog_fd, uint32_t ifindex, uint32_t attach_type, uint32_t flags);

#define NETOBS_LINK_TYPE_TCX 11U /* enum bpf_link_type BPF_LINK_TYPE_TCX */

/*
 * Where a link is attached, when it is a tcx link: 0 with its ifindex and
 * attach type (NETOBS_TCX_*), -ENOENT for a link of another type, or
 * -errno. A link whose device went away reports ifindex 0.
 */
int tcx_link_target(int link_fd, uint32_t *ifindex, uint32_t *attach_type);
