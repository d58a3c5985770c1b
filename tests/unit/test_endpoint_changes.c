// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Netlink events -> what an endpoint rescan must refresh: our namespace's
 * links by ifindex, other namespaces by nsid, the host's addresses; too
 * many distinct changes or an unreadable message ask for a full rescan.
 */
#include <check.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "endpoint_changes.h"

Suite *netobs_test_suite(void);

union message {
	struct nlmsghdr hdr;
	char bytes[NLMSG_SPACE(sizeof(struct ifinfomsg))];
};

static const struct nlmsghdr *link_msg(union message *m, uint16_t type, int ifindex)
{
	struct ifinfomsg *ifm = NLMSG_DATA(&m->hdr);

	memset(m, 0, sizeof(*m));
	m->hdr.nlmsg_len = NLMSG_LENGTH(sizeof(*ifm));
	m->hdr.nlmsg_type = type;
	ifm->ifi_index = ifindex;
	return &m->hdr;
}

static const struct nlmsghdr *addr_msg(union message *m, uint16_t type, uint32_t ifindex)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(&m->hdr);

	memset(m, 0, sizeof(*m));
	m->hdr.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	m->hdr.nlmsg_type = type;
	ifa->ifa_index = ifindex;
	return &m->hdr;
}

START_TEST(test_link_flaps_refresh_one_link)
{
	struct endpoint_changes c = {};
	union message m;

	ck_assert(!endpoint_changes_pending(&c));
	/* A container's link going down and up 50 times: one link to refresh. */
	for (int i = 0; i < 50; i++) {
		endpoint_changes_note(&c, link_msg(&m, RTM_NEWLINK, 42), ENDPOINT_NSID_SELF);
		endpoint_changes_note(&c, link_msg(&m, RTM_NEWLINK, 42), ENDPOINT_NSID_SELF);
	}
	ck_assert(endpoint_changes_pending(&c));
	ck_assert(!c.full);
	ck_assert(!c.host_addrs);
	ck_assert_uint_eq(c.nifindexes, 1);
	ck_assert_uint_eq(c.ifindexes[0], 42);
	ck_assert_uint_eq(c.nnsids, 0);
	endpoint_changes_note(&c, link_msg(&m, RTM_DELLINK, 43), ENDPOINT_NSID_SELF);
	ck_assert_uint_eq(c.nifindexes, 2);
	ck_assert_uint_eq(c.ifindexes[1], 43);
	endpoint_changes_clear(&c);
	ck_assert(!endpoint_changes_pending(&c));
}
END_TEST

START_TEST(test_other_namespace_by_nsid)
{
	struct endpoint_changes c = {};
	union message m;

	/* Inside namespace 7: an address and its eth0 changed. The ifindex is
	 * the namespace's own numbering and must not be taken for ours. */
	endpoint_changes_note(&c, addr_msg(&m, RTM_NEWADDR, 2), 7);
	endpoint_changes_note(&c, link_msg(&m, RTM_NEWLINK, 2), 7);
	endpoint_changes_note(&c, addr_msg(&m, RTM_DELADDR, 2), 9);
	ck_assert(!c.full);
	ck_assert(!c.host_addrs);
	ck_assert_uint_eq(c.nifindexes, 0);
	ck_assert_uint_eq(c.nnsids, 2);
	ck_assert_int_eq(c.nsids[0], 7);
	ck_assert_int_eq(c.nsids[1], 9);
}
END_TEST

START_TEST(test_host_address)
{
	struct endpoint_changes c = {};
	union message m;

	endpoint_changes_note(&c, addr_msg(&m, RTM_NEWADDR, 5), ENDPOINT_NSID_SELF);
	ck_assert(c.host_addrs);
	/* A named interface lists its own addresses: refresh it too. */
	ck_assert_uint_eq(c.nifindexes, 1);
	ck_assert_uint_eq(c.ifindexes[0], 5);
}
END_TEST

START_TEST(test_too_many_or_unreadable_means_full)
{
	struct endpoint_changes c = {};
	union message m;

	for (int i = 1; i <= ENDPOINT_CHANGES_MAX; i++)
		endpoint_changes_note(&c, link_msg(&m, RTM_NEWLINK, i), ENDPOINT_NSID_SELF);
	ck_assert(!c.full);
	endpoint_changes_note(&c, link_msg(&m, RTM_NEWLINK, ENDPOINT_CHANGES_MAX + 1),
			      ENDPOINT_NSID_SELF);
	ck_assert(c.full);

	endpoint_changes_clear(&c);
	link_msg(&m, RTM_NEWLINK, 1);
	m.hdr.nlmsg_len = NLMSG_LENGTH(2); /* shorter than its ifinfomsg */
	endpoint_changes_note(&c, &m.hdr, ENDPOINT_NSID_SELF);
	ck_assert(c.full);

	/* Other message types are none of discovery's business. */
	endpoint_changes_clear(&c);
	link_msg(&m, RTM_NEWROUTE, 1);
	endpoint_changes_note(&c, &m.hdr, ENDPOINT_NSID_SELF);
	ck_assert(!endpoint_changes_pending(&c));
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("endpoint_changes");
	TCase *tc = tcase_create("endpoint_changes");

	tcase_add_test(tc, test_link_flaps_refresh_one_link);
	tcase_add_test(tc, test_other_namespace_by_nsid);
	tcase_add_test(tc, test_host_address);
	tcase_add_test(tc, test_too_many_or_unreadable_means_full);
	suite_add_tcase(s, tc);
	return s;
}
