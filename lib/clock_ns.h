/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A clock read as one count of nanoseconds, for the agent and the CLI alike. */
#pragma once

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
