/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SipHash-2-4: a keyed hash for tables whose keys come from the network
 * (flow keys, addresses in DNS answers). With an unkeyed hash a sender can
 * choose keys that share one bucket and turn every lookup into a walk.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of data under a 128-bit key (key[0]: key bytes 0-7, little-endian). */
uint64_t netobs_siphash24(const uint64_t key[2], const void *data, size_t len);
