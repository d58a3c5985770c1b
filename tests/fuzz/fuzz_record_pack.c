// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * record_unpack() on arbitrary bytes, as the store's arena would hand it a
 * corrupt blob: it must return 0 or -EBADMSG without reading past the input
 * (the input is copied to a buffer of exactly its size, so ASan sees any
 * overread), and whatever it accepts must fit its fields and pack back to
 * exactly the same bytes. abort() on any broken invariant.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static void check_names(const struct netobs_names *names)
{
	require(names->len <= NETOBS_NAMES_MAX);
	for (int i = 0; i < names->len; i++)
		require(strnlen(names->name[i], NETOBS_NAME_TEXT_MAX) < NETOBS_NAME_TEXT_MAX);
}

static void check_l7(const struct netobs_l7 *l7)
{
	require(l7->type == NETOBS_L7_REQUEST || l7->type == NETOBS_L7_RESPONSE);
	if (l7->kind == NETOBS_L7_DNS) {
		require(strnlen(l7->dns.query, DNS_NAME_TEXT_SIZE) < DNS_NAME_TEXT_SIZE);
		require(l7->dns.ips_len <= DNS_IPS_MAX && l7->dns.cnames_len <= DNS_CNAMES_MAX &&
			l7->dns.qtypes_len <= DNS_QTYPES_MAX &&
			l7->dns.rrtypes_len <= DNS_RRTYPES_MAX);
		for (int i = 0; i < l7->dns.cnames_len; i++)
			require(strnlen(l7->dns.cnames[i], DNS_NAME_TEXT_SIZE) <
				DNS_NAME_TEXT_SIZE);
	} else {
		require(l7->kind == NETOBS_L7_HTTP);
		require(l7->http.headers_len <= NETOBS_HTTP_HEADERS_MAX);
		require(strnlen(l7->http.url, NETOBS_HTTP_URL_MAX) < NETOBS_HTTP_URL_MAX);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct netobs_record_storage storage;
	struct netobs_flow_record flow = {};
	uint8_t *blob = malloc(size ? size : 1);
	uint8_t *again;
	int rc;

	require(blob);
	memcpy(blob, data, size);
	rc = record_unpack(blob, size, &flow, &storage);
	require(rc == 0 || rc == -EBADMSG);
	if (rc) {
		require(!flow.l7 && !flow.source_names && !flow.destination_names);
		free(blob);
		return 0;
	}
	if (flow.l7)
		check_l7(flow.l7);
	if (flow.source_names)
		check_names(flow.source_names);
	if (flow.destination_names)
		check_names(flow.destination_names);
	require(record_pack_size(&flow) == (ssize_t)size);
	again = malloc(size);
	require(again);
	require(record_pack(&flow, again, size) == (ssize_t)size);
	require(!memcmp(again, blob, size));
	free(again);
	free(blob);
	return 0;
}
