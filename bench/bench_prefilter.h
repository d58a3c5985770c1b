/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The XDP prefilter as bench_datapath measures it: 1024 IPv4 /24s that
 * hold neither of its packets' sources, and BENCH_PREFILTER_HIT_NET/24,
 * which holds the source bench_prefilter_hit_packet() writes.
 */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <bpf/bpf.h>

#include "abi.h"
#include "netobs.skel.h"

#define BENCH_PREFILTER_PREFIXES 1024
static const uint8_t BENCH_PREFILTER_HIT_NET[4] = {203, 0, 113, 0};

/* 0 or -errno. */
static int bench_prefilter_setup(struct netobs *skel)
{
	int fd = bpf_map__fd(skel->maps.prefilter);
	struct netobs_prefilter_value v = {.revision = 1};
	struct netobs_ipcache_key k = {.prefixlen = 32 + 24, .family = NETOBS_FAMILY_IPV4};

	for (uint32_t i = 0; i <= BENCH_PREFILTER_PREFIXES; i++) {
		uint8_t net[4] = {100, (uint8_t)(64 + i / 256), (uint8_t)(i % 256), 0};

		memcpy(k.addr, i < BENCH_PREFILTER_PREFIXES ? net : BENCH_PREFILTER_HIT_NET, 4);
		if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* An IPv4 frame (Ethernet, no VLAN) with its source moved into the hit /24. */
static void bench_prefilter_hit_packet(uint8_t *frame)
{
	memcpy(frame + 14 + 12, BENCH_PREFILTER_HIT_NET, 3);
	frame[14 + 15] = 9;
}
