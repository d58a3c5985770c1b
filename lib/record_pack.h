/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A flow record's large optional parts (struct netobs_l7, struct
 * netobs_names: about 9.6 KiB and 1 KiB as structs, sized for the worst
 * case) packed into a blob of only the bytes they use, so the agent's store
 * can keep them: a typical DNS response packs to 100-300 bytes.
 *
 * The blob lives in one process's memory (never on a wire or disk): numbers
 * are in host byte order and unaligned. Layout (docs/records.md, "Memory"):
 *   u8 parts (RECORD_PACK_PART_*), then each part present, in that order:
 *   l7:    u8 type, u8 kind, u8 flags, u64 latency_ns, then
 *          DNS:  str query, u32 ttl, u16 rcode,
 *                u8 n, n x (u8 family, 4 or 16 address bytes),
 *                u8 n, n x str cname, u8 n, n x u16 qtype, u8 n, n x u16 rrtype
 *          HTTP: u32 code, str method, str url, str protocol,
 *                u8 n, n x (str key, str value)
 *   names: u8 n, n x str name
 * where str is a u16 length and that many bytes, no NUL.
 *
 * Unpacking checks every count and length against the field it fills and
 * never reads past the blob: a corrupt blob is -EBADMSG, never an overflow.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "record.h"

enum record_pack_parts {
	RECORD_PACK_PART_L7 = 1 << 0,
	RECORD_PACK_PART_SOURCE_NAMES = 1 << 1,
	RECORD_PACK_PART_DESTINATION_NAMES = 1 << 2,
};

/* Packed size of a string field of `size` bytes (its NUL not stored). */
#define RECORD_PACK_STR_MAX(size) (2 + (size)-1)
#define RECORD_PACK_L7_HEAD	  (3 + 8)
#define RECORD_PACK_DNS_MAX                                                                        \
	(RECORD_PACK_STR_MAX(DNS_NAME_TEXT_SIZE) + 4 + 2 + 1 + DNS_IPS_MAX * 17 + 1 +              \
	 DNS_CNAMES_MAX * RECORD_PACK_STR_MAX(DNS_NAME_TEXT_SIZE) + 1 + DNS_QTYPES_MAX * 2 + 1 +   \
	 DNS_RRTYPES_MAX * 2)
#define RECORD_PACK_HTTP_MAX                                                                       \
	(4 + RECORD_PACK_STR_MAX(NETOBS_HTTP_METHOD_MAX) +                                         \
	 RECORD_PACK_STR_MAX(NETOBS_HTTP_URL_MAX) +                                                \
	 RECORD_PACK_STR_MAX(NETOBS_HTTP_PROTOCOL_MAX) + 1 +                                       \
	 NETOBS_HTTP_HEADERS_MAX * (RECORD_PACK_STR_MAX(NETOBS_HTTP_HEADER_KEY_MAX) +              \
				    RECORD_PACK_STR_MAX(NETOBS_HTTP_HEADER_VALUE_MAX)))
#define RECORD_PACK_L7_MAX                                                                         \
	(RECORD_PACK_L7_HEAD + (RECORD_PACK_DNS_MAX > RECORD_PACK_HTTP_MAX                         \
					? RECORD_PACK_DNS_MAX                                      \
					: RECORD_PACK_HTTP_MAX))
#define RECORD_PACK_NAMES_MAX (1 + NETOBS_NAMES_MAX * RECORD_PACK_STR_MAX(NETOBS_NAME_TEXT_MAX))
/* The largest blob a valid record packs to (about 11.7 KiB). */
#define RECORD_PACK_MAX (1 + RECORD_PACK_L7_MAX + 2 * RECORD_PACK_NAMES_MAX)

/*
 * Bytes flow's parts (l7, source_names, destination_names, those not NULL)
 * pack to: 0 when it has none, -EINVAL when a part cannot be packed (a
 * count above its array, a string without its NUL, an unknown type or kind,
 * an address family other than AF_INET and AF_INET6).
 */
ssize_t record_pack_size(const struct netobs_flow_record *flow);

/* Pack flow's parts into buf; bytes written (0: no parts), -EINVAL as above, -ENOSPC. */
ssize_t record_pack(const struct netobs_flow_record *flow, uint8_t *buf, size_t len);

/*
 * Unpack a blob of exactly len bytes into storage and point flow's l7,
 * source_names, destination_names at it (NULL for parts the blob lacks).
 * Fields past a count (ips beyond ips_len, ...) are left as they were.
 * 0, or -EBADMSG (flow's pointers then NULL).
 */
int record_unpack(const uint8_t *buf, size_t len, struct netobs_flow_record *flow,
		  struct netobs_record_storage *storage);
