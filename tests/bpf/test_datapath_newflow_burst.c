// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The ring buffer holds a burst of new flows the agent has not read yet:
 * a quarter second of the 250k new flows/s netobs must take without loss
 * (issue 9), as when the agent's loop is busy with a harvest pass over a
 * full flow map. Every new flow sends exactly one FLOW_NEW; none may be
 * refused by the ring (ringbuf_full) while nothing drains it.
 */
#include "datapath_harness.h"

#define TC    NETOBS_HOOK_TC_INGRESS
#define BURST 62500U /* new flows: 250k/s for 0.25 s */
#define DPORT 10000

static void burst_setup(void)
{
	/* The flow map must hold the burst; the ring buffer is the ABI's. */
	harness_start_sized(2 * BURST, 0);
}

START_TEST(test_new_flow_burst_undrained)
{
	uint64_t got[NETOBS_CNT__MAX];
	struct pkt p = {.len = 0};
	size_t ip, sport_off;
	int consumed;

	put_eth(&p, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_UDP);
	sport_off = p.len;
	put_udp(&p, 0, DPORT, 4);
	put_be32(&p, 0xcafef00d);
	ipv4_finish(&p, ip);
	for (uint32_t i = 0; i < BURST; i++) {
		/* Each frame a flow of its own: source port and destination
		 * port (DPORT + i / 65536) together never repeat. */
		set_be16(&p, sport_off, (uint16_t)(i % 65536));
		set_be16(&p, sport_off + 2, (uint16_t)(DPORT + i / 65536));
		run_tc(&p);
	}
	counters_read(got);
	ck_assert_uint_eq(got[NETOBS_CNT_PACKETS], BURST);
	ck_assert_uint_eq(got[NETOBS_CNT_FLOW_MAP_FULL], 0);
	ck_assert_uint_eq(got[NETOBS_CNT_RINGBUF_FULL], 0);
	ck_assert_uint_eq(got[NETOBS_CNT_EVENTS], BURST);
	consumed = harness_consume_events();
	ck_assert_int_eq(consumed, (int)BURST);
	ck_assert_int_eq(H.nevents, (int)BURST);
	ck_assert_int_eq(H.bad_event_size, 0);
	ck_assert_uint_eq(H.events[0].hdr.type, NETOBS_EVENT_FLOW_NEW);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath_newflow_burst");
	TCase *tc = tcase_create("ring_buffer");

	tcase_add_unchecked_fixture(tc, burst_setup, harness_stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_new_flow_burst_undrained);
	suite_add_tcase(s, tc);
	return s;
}
