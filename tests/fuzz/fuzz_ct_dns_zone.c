// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The connectivity test's DNS server answers on arbitrary bytes: the input
 * is the query, its first byte (when any) also picks the output capacity.
 * abort() on any broken invariant, so libFuzzer reports it: never more than
 * cap bytes, never a response to a response, the query's id in every
 * response, and every response one our own decoder accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ct_dns_zone.h"
#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static const struct ct_dns_zone zone = {
	.origin = "netobs-ct.test.",
	.records =
		{
			{.name = "echo.netobs-ct.test.",
			 .type = 1,
			 .addr = {10, 247, 0, 20},
			 .ttl = 30},
			{.name = "echo.netobs-ct.test.",
			 .type = 28,
			 .addr = {0xfd, 0x00, 0x6e, 0x6f, 0x63, 0x74, [15] = 0x20},
			 .ttl = 30},
			{.name = "www.netobs-ct.test.",
			 .type = 5,
			 .target = "echo.netobs-ct.test.",
			 .ttl = 30},
			/* A chain that loops: the answer must still end. */
			{.name = "a.netobs-ct.test.",
			 .type = 5,
			 .target = "b.netobs-ct.test.",
			 .ttl = 1},
			{.name = "b.netobs-ct.test.",
			 .type = 5,
			 .target = "a.netobs-ct.test.",
			 .ttl = 1},
		},
	.nrecords = 5,
};

static struct dns_message decoded;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = {512, 12, 40, 65535, 100, 0};
	size_t cap = caps[size ? data[0] % (sizeof(caps) / sizeof(caps[0])) : 0];
	uint8_t *out = malloc(cap ? cap : 1);
	size_t len;

	require(out);
	len = ct_dns_zone_answer(&zone, data, size, out, cap);
	require(len <= cap);
	if (size < 12 || (data[2] & 0x80) || cap < 12)
		require(len == 0);
	if (len) {
		require(len >= 12);
		require(out[0] == data[0] && out[1] == data[1]);
		require(out[2] & 0x80);
		require(dns_message_decode(out, len, len, &decoded) == DNS_OK);
		require(decoded.qdcount <= 1);
	}
	free(out);
	return 0;
}
