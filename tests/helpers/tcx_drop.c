// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A foreign program for the namespace tests: it drops every packet at one
 * tcx hook of a device, placed first at the time it attaches (as Cilium
 * attaches), and holds its link until SIGINT or SIGTERM.
 *
 *   tcx_drop IFNAME ingress|egress READY_FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "tcx.h"

int main(int argc, char **argv)
{
	/* r0 = TC_ACT_SHOT (TCX_DROP); exit */
	const struct bpf_insn drop[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 2},
		{.code = BPF_JMP | BPF_EXIT},
	};
	unsigned int ifindex;
	sigset_t stop;
	int prog, link, fd, sig;

	if (argc != 4 || (strcmp(argv[2], "ingress") && strcmp(argv[2], "egress"))) {
		fprintf(stderr, "usage: tcx_drop IFNAME ingress|egress READY_FILE\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "tcx_drop: no interface %s\n", argv[1]);
		return 1;
	}
	prog = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "foreign_drop", "GPL", drop, 2, NULL);
	if (prog < 0) {
		fprintf(stderr, "tcx_drop: loading the program: %s\n", strerror(-prog));
		return 1;
	}
	link = tcx_link_create(prog, ifindex,
			       strcmp(argv[2], "ingress") ? NETOBS_TCX_EGRESS : NETOBS_TCX_INGRESS,
			       NETOBS_TCX_F_BEFORE);
	if (link < 0) {
		fprintf(stderr, "tcx_drop: attaching to %s %s: %s\n", argv[1], argv[2],
			strerror(-link));
		return 1;
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	fd = open(argv[3], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	sigwait(&stop, &sig);
	close(link); /* detaches */
	return 0;
}
