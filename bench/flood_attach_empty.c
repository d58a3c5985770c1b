// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flood_attach_empty IFNAME: attach bench/empty_tc.bpf.c at IFNAME's tcx
 * ingress, first (as netobs-agent attaches), print "attached", and hold the
 * link until SIGINT or SIGTERM. For bench_flood.sh's "empty TC" case.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "empty_tc.skel.h"
#include "tcx.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct empty_tc *skel;
	unsigned int ifindex;
	int link_fd, err = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: flood_attach_empty IFNAME\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "Error: no interface %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = empty_tc__open_and_load();
	if (!skel) {
		fprintf(stderr, "Error: loading empty_tc.bpf.o: %s\n", strerror(errno));
		return 1;
	}
	link_fd = tcx_link_create(bpf_program__fd(skel->progs.empty_tc), ifindex,
				  NETOBS_TCX_INGRESS, NETOBS_TCX_F_BEFORE);
	if (link_fd < 0) {
		fprintf(stderr, "Error: tcx attach to %s: %s\n", argv[1], strerror(-link_fd));
		goto out_destroy;
	}
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
	close(link_fd);
	err = 0;
out_destroy:
	empty_tc__destroy(skel);
	return err;
}
