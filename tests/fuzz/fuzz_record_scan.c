// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The CLI's fast record decoder, netobs_record_scan_line(), on arbitrary
 * bytes as a broken or hostile agent could send them. It is a fast path of
 * the full decoder (json_loadb() + netobs_record_from_json_into()), so:
 * - it never reads past the line (the input is copied to a buffer of
 *   exactly its size, so ASan sees any overread);
 * - a line it accepts, the full decoder accepts too, and both make the
 *   same record (every field, the names' contents);
 * - that record written again by netobs_record_json_write() is a line both
 *   decoders read back to the same record: the scan must not leave a
 *   line of the writer's own form to the full decoder unless it names a
 *   policy (a list: *_allowed_by, *_denied_by).
 * A line only the full decoder accepts is written again and checked the
 * same way, so the scan also meets every record jansson can make of the
 * fuzzer's bytes in the writer's exact form. Each input is tried as a
 * line and as the members of a flow and of a lost_events record (seeds of
 * both kinds in corpus/record_scan/). abort() on any broken rule.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_json_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#define NODE_NAME "node-x"

static bool same_names(const struct netobs_names *a, const struct netobs_names *b)
{
	if (!a || !b)
		return !a && !b;
	if (a->len != b->len)
		return false;
	for (int i = 0; i < a->len; i++)
		if (strcmp(a->name[i], b->name[i]))
			return false;
	return true;
}

static bool same_l7(const struct netobs_l7 *a, const struct netobs_l7 *b)
{
	if (!a || !b)
		return !a && !b;
	/* Both decoders clear their storage first, so the whole part compares. */
	return !memcmp(a, b, sizeof(*a));
}

static bool same_policy(const struct netobs_policy_ref *a, const struct netobs_policy_ref *b)
{
	if (!a || !b)
		return !a && !b;
	return !strcmp(a->name, b->name) && !strcmp(a->kind, b->kind) && a->revision == b->revision;
}

/* Every field of the records, the pointed-to parts by content. */
static bool same_record(const struct netobs_record *a, const struct netobs_record *b)
{
	struct netobs_record x = *a, y = *b;

	if (x.kind != y.kind)
		return false;
	if (x.kind == NETOBS_RECORD_FLOW) {
		if (!same_names(x.flow.source_names, y.flow.source_names) ||
		    !same_names(x.flow.destination_names, y.flow.destination_names) ||
		    !same_l7(x.flow.l7, y.flow.l7) || !same_policy(x.flow.policy, y.flow.policy))
			return false;
		x.flow.policy = y.flow.policy = NULL;
		x.flow.source_names = y.flow.source_names = NULL;
		x.flow.destination_names = y.flow.destination_names = NULL;
		x.flow.l7 = y.flow.l7 = NULL;
	}
	/* Both decoders memset the record before filling it: padding is zero. */
	return !memcmp(&x, &y, sizeof(x));
}

/* The full decoder on a line: 1 with rec filled, 0 if it refuses the line. */
static int full_decode(const char *line, size_t len, struct netobs_record *rec,
		       struct netobs_record_storage *storage)
{
	char err[256];
	json_t *obj = json_loadb(line, len, 0, NULL);
	int rc;

	if (!obj)
		return 0;
	rc = netobs_record_from_json_into(obj, rec, storage, err, sizeof(err));
	json_decref(obj);
	return rc == 0;
}

/*
 * rec (a record one of the decoders made) written again: the writer must
 * take it, and both decoders must read the line back to the same record.
 */
static void check_rewritten(const struct netobs_record *rec)
{
	static char line[65536];
	static struct netobs_record_storage full_storage, scan_storage;
	struct netobs_record full, scanned;
	ssize_t len = netobs_record_json_write(rec, NODE_NAME, line, sizeof(line));
	char *exact;

	require(len > 0 && (size_t)len <= sizeof(line));
	/* an exact-size copy, so ASan sees a read past the written line */
	exact = malloc((size_t)len);
	require(exact);
	memcpy(exact, line, (size_t)len);
	require(full_decode(exact, (size_t)len, &full, &full_storage));
	require(same_record(&full, rec));
	if (rec->kind == NETOBS_RECORD_FLOW && policy_list_key(&rec->flow)) {
		/* policy lists are the full decoder's alone */
		require(!netobs_record_scan_line(exact, (size_t)len, &scanned, &scan_storage));
	} else {
		require(netobs_record_scan_line(exact, (size_t)len, &scanned, &scan_storage));
		require(same_record(&scanned, rec));
	}
	free(exact);
}

/* One line: the rules above. prefix + data + suffix, copied to exactly its size. */
static void check_line(const char *prefix, const uint8_t *data, size_t size, const char *suffix)
{
	static struct netobs_record_storage scan_storage, full_storage;
	struct netobs_record scanned, full;
	size_t plen = strlen(prefix), slen = strlen(suffix), len = plen + size + slen;
	char *line = malloc(len ? len : 1);
	int scan_ok, full_ok;

	require(line);
	memcpy(line, prefix, plen);
	memcpy(line + plen, data, size);
	memcpy(line + plen + size, suffix, slen);
	scan_ok = netobs_record_scan_line(line, len, &scanned, &scan_storage);
	full_ok = full_decode(line, len, &full, &full_storage);
	free(line);
	if (scan_ok) {
		require(full_ok);
		require(!(scanned.kind == NETOBS_RECORD_FLOW && scanned.flow.policy));
		require(same_record(&scanned, &full));
	}
	if (full_ok)
		check_rewritten(&full);
}

#define TIME_MEMBER "\"time\":\"2025-11-25T10:52:20.150000000Z\""

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the input as a whole line */
	check_line("", data, size, "");
	/*
	 * and as the members of a flow and of a lost_events record, in a frame
	 * of the writer's form: random bytes seldom make a whole line the scan
	 * takes, members inside one they often do, and the members are where
	 * the two decoders can disagree.
	 */
	check_line("{\"flow\":{\"hook\":\"tc-ingress\",\"flow_event\":\"NEW\",", data, size,
		   "}," TIME_MEMBER "}");
	check_line("{\"lost_events\":{", data, size, "}," TIME_MEMBER "}");
	return 0;
}
