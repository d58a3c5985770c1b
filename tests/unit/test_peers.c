// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Who the sides of a flow are: the endpoint that owns the hook's veth is the
 * local side whatever address the packet claims; an address two endpoints
 * claim names neither; MACs of non-IP frames resolve to endpoints or the
 * host; a flow whose endpoint was removed keeps its name and ID.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

Suite *netobs_test_suite(void);

/* Endpoints: A (ifindex 10, 10.0.0.1), B (11, 10.0.0.2), C and D (12, 13)
 * both claiming 10.0.0.9 as two separate container networks would. */
static struct endpoint_table *table;
static struct agent agent;

static void endpoint_add(uint32_t ifindex, const char *name, uint8_t last_octet, uint8_t mac_last)
{
	struct endpoint *ep = &table->eps[table->count++];

	memset(ep, 0, sizeof(*ep));
	ep->id = ep->ifindex = ifindex;
	ep->kind = ENDPOINT_KIND_VETH;
	snprintf(ep->name, sizeof(ep->name), "%s", name);
	snprintf(ep->ifname, sizeof(ep->ifname), "veth-%s", name);
	ep->addrs[0].family = NETOBS_FAMILY_IPV4;
	ep->addrs[0].addr[0] = 10;
	ep->addrs[0].addr[3] = last_octet;
	ep->naddrs = 1;
	memcpy(ep->mac, (uint8_t[6]){0x02, 0, 0, 0, 0, mac_last}, 6);
}

static void setup(void)
{
	table = calloc(1, sizeof(*table));
	ck_assert_ptr_nonnull(table);
	endpoint_add(10, "a", 1, 0xa);
	endpoint_add(11, "b", 2, 0xb);
	endpoint_add(12, "c", 9, 0xc);
	endpoint_add(13, "d", 9, 0xd);
	table->host_addrs[0].family = NETOBS_FAMILY_IPV4;
	memcpy(table->host_addrs[0].addr, (uint8_t[4]){192, 0, 2, 1}, 4);
	table->nhost_addrs = 1;
	memcpy(table->host_macs[0].mac, (uint8_t[6]){0x02, 0, 0, 0, 0, 0x99}, 6);
	table->host_macs[0].ifindex = 1;
	table->nhost_macs = 1;
	memset(&agent, 0, sizeof(agent));
	agent.endpoints = table;
}

static void teardown(void)
{
	free(table);
}

static struct flow_entry entry4(uint32_t ifindex, uint8_t hook, const uint8_t src[4],
				const uint8_t dst[4])
{
	struct flow_entry e;

	memset(&e, 0, sizeof(e));
	memcpy(e.key.saddr, src, 4);
	memcpy(e.key.daddr, dst, 4);
	e.key.ifindex = ifindex;
	e.key.hook = hook;
	e.key.family = NETOBS_FAMILY_IPV4;
	e.key.proto = IPPROTO_UDP;
	e.key.eth_proto = htons(0x0800);
	e.iface_kind = ENDPOINT_KIND_VETH;
	e.in_use = true;
	return e;
}

static void record_of(struct flow_entry *e, struct netobs_record *rec)
{
	struct netobs_flow_stats totals = {.packets = 1, .bytes = 64};

	agent_flow_record(&agent, e, &totals, NETOBS_FLOW_EVENT_UPDATE, 0, NETOBS_END_NONE, 1, rec);
}

START_TEST(test_local_side_is_the_interface_owner)
{
	/* Sent by A with a source address that is not A's (B's, even). */
	struct flow_entry e = entry4(10, NETOBS_HOOK_TC_INGRESS, (uint8_t[4]){10, 0, 0, 2},
				     (uint8_t[4]){192, 0, 2, 1});
	struct netobs_record rec;

	record_of(&e, &rec);
	ck_assert_uint_eq(rec.flow.src.id, 10);
	ck_assert_str_eq(rec.flow.src.name, "a");
	ck_assert_uint_eq(rec.flow.dst.id, 0);
	ck_assert_uint_eq(rec.flow.dst.identity, NETOBS_IDENTITY_HOST);

	/* Delivered to A (TC egress on its veth): the destination is A. */
	e = entry4(10, NETOBS_HOOK_TC_EGRESS, (uint8_t[4]){10, 0, 0, 2},
		   (uint8_t[4]){10, 0, 0, 77});
	record_of(&e, &rec);
	ck_assert_uint_eq(rec.flow.src.id, 11);
	ck_assert_str_eq(rec.flow.src.name, "b");
	ck_assert_uint_eq(rec.flow.dst.id, 10);
	ck_assert_str_eq(rec.flow.dst.name, "a");
}
END_TEST

START_TEST(test_address_claimed_twice_names_no_one)
{
	struct flow_entry e = entry4(10, NETOBS_HOOK_TC_INGRESS, (uint8_t[4]){10, 0, 0, 1},
				     (uint8_t[4]){10, 0, 0, 9});
	struct netobs_peer peer;
	struct netobs_record rec;

	record_of(&e, &rec);
	ck_assert_uint_eq(rec.flow.src.id, 10);
	ck_assert_uint_eq(rec.flow.dst.id, 0);
	ck_assert_uint_eq(rec.flow.dst.identity, 0);
	ck_assert_str_eq(rec.flow.dst.name, "");

	/* Once one of the two is gone, the address is the other's. */
	table->count--; /* removes d */
	endpoints_resolve_peer(table, NETOBS_FAMILY_IPV4, (uint8_t[16]){10, 0, 0, 9}, &peer);
	ck_assert_uint_eq(peer.id, 12);
	ck_assert_str_eq(peer.name, "c");
}
END_TEST

START_TEST(test_mac_resolution)
{
	struct netobs_peer peer;

	endpoints_resolve_peer(table, NETOBS_FAMILY_NONE, (uint8_t[16]){0x02, 0, 0, 0, 0, 0xb},
			       &peer);
	ck_assert_uint_eq(peer.id, 11);
	ck_assert_str_eq(peer.name, "b");
	endpoints_resolve_peer(table, NETOBS_FAMILY_NONE, (uint8_t[16]){0x02, 0, 0, 0, 0, 0x99},
			       &peer);
	ck_assert_uint_eq(peer.id, 0);
	ck_assert_uint_eq(peer.identity, NETOBS_IDENTITY_HOST);
	/* Broadcast and unknown MACs belong to no one: not "world". */
	endpoints_resolve_peer(table, NETOBS_FAMILY_NONE,
			       (uint8_t[16]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, &peer);
	ck_assert_uint_eq(peer.id, 0);
	ck_assert_uint_eq(peer.identity, 0);
	endpoints_resolve_peer(table, NETOBS_FAMILY_NONE, (uint8_t[16]){0x02, 1, 2, 3, 4, 5},
			       &peer);
	ck_assert_uint_eq(peer.identity, 0);
}
END_TEST

START_TEST(test_removed_endpoint_keeps_its_name)
{
	/* A sends to B; seen on A's veth and on B's. */
	struct flow_entry on_a = entry4(10, NETOBS_HOOK_TC_INGRESS, (uint8_t[4]){10, 0, 0, 1},
					(uint8_t[4]){10, 0, 0, 2});
	struct flow_entry on_b = entry4(11, NETOBS_HOOK_TC_EGRESS, (uint8_t[4]){10, 0, 0, 1},
					(uint8_t[4]){10, 0, 0, 2});
	struct netobs_record rec;

	record_of(&on_a, &rec);
	record_of(&on_b, &rec);
	ck_assert_uint_eq(rec.flow.dst.id, 11);

	/* Both endpoints go (their namespaces are deleted): the END records
	 * still say who the flow was between. */
	endpoints_remember_removed(table, &table->eps[0]);
	endpoints_remember_removed(table, &table->eps[1]);
	table->count = 0;
	record_of(&on_a, &rec);
	ck_assert_uint_eq(rec.flow.src.id, 10);
	ck_assert_str_eq(rec.flow.src.name, "a");
	ck_assert_uint_eq(rec.flow.dst.id, 11);
	ck_assert_str_eq(rec.flow.dst.name, "b");
	record_of(&on_b, &rec);
	ck_assert_uint_eq(rec.flow.src.id, 10);
	ck_assert_uint_eq(rec.flow.dst.id, 11);
	ck_assert_str_eq(rec.flow.dst.name, "b");
}
END_TEST

START_TEST(test_removed_names_are_bounded)
{
	struct netobs_peer peer;
	struct endpoint ep = {.kind = ENDPOINT_KIND_VETH};

	/* More removals than kept: the oldest names go, the newest stay. */
	for (uint32_t id = 1000; id < 1000 + ENDPOINT_REMOVED_KEPT + 10; id++) {
		ep.id = id;
		snprintf(ep.name, sizeof(ep.name), "gone-%u", id);
		endpoints_remember_removed(table, &ep);
	}
	ck_assert(!endpoints_peer_by_id(table, 1000, &peer));
	ck_assert(endpoints_peer_by_id(table, 1000 + ENDPOINT_REMOVED_KEPT + 9, &peer));
	ck_assert_str_eq(peer.name, "gone-1265");
	/* A live endpoint is found by its ID too. */
	ck_assert(endpoints_peer_by_id(table, 11, &peer));
	ck_assert_str_eq(peer.name, "b");
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("peers");
	TCase *tc = tcase_create("peers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_local_side_is_the_interface_owner);
	tcase_add_test(tc, test_address_claimed_twice_names_no_one);
	tcase_add_test(tc, test_mac_resolution);
	tcase_add_test(tc, test_removed_endpoint_keeps_its_name);
	tcase_add_test(tc, test_removed_names_are_bounded);
	suite_add_tcase(s, tc);
	return s;
}
