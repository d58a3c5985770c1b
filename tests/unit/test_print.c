// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Text printers: compact line, table, Summary. Times print in TZ=UTC, set here. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "print.h"
#include "print_capture.h"

Suite *netobs_test_suite(void);

/* 2025-11-25T10:52:20.150Z and 2025-11-05T08:01:02.007Z (Python calendar.timegm) */
#define T0_NS (1764067940ULL * 1000000000ULL + 150000000ULL)
#define T1_NS (1762329662ULL * 1000000000ULL + 7999999ULL)

static void make_tcp_syn(struct netobs_record *rec)
{
	struct netobs_flow_record *f = &rec->flow;

	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->time_ns = T0_NS;
	inet_pton(AF_INET, "10.0.0.1", f->key.saddr);
	inet_pton(AF_INET, "10.0.0.2", f->key.daddr);
	f->key.sport = htons(47194);
	f->key.dport = htons(80);
	f->key.family = NETOBS_FAMILY_IPV4;
	f->key.eth_proto = htons(0x0800);
	f->key.proto = IPPROTO_TCP;
	f->key.ifindex = 7;
	f->packets = 1;
	f->bytes = 74;
	f->src.id = 12;
	strcpy(f->src.name, "client");
	f->dst.id = 14;
	strcpy(f->dst.name, "echo");
	f->tcp_flags = NETOBS_TCP_SYN;
	f->event = NETOBS_FLOW_EVENT_NEW;
	f->verdict = NETOBS_VERDICT_FORWARDED;
	f->obs_point = NETOBS_OBS_TO_ENDPOINT;
	f->is_reply = 0;
}

static void assert_summary(const struct netobs_record *rec, const char *expected)
{
	char buf[128];

	netobs_record_summary(rec, buf, sizeof(buf));
	ck_assert_str_eq(buf, expected);
}

START_TEST(test_compact_tcp)
{
	struct netobs_record rec;

	use_utc();
	make_tcp_syn(&rec);
	assert_compact(&rec, "Nov 25 10:52:20.150: client:47194 (ID:12) -> echo:80 (ID:14) "
			     "to-endpoint FORWARDED (TCP Flags: SYN) new 1 pkts 74 B\n");

	/* a reply prints the initiator first and points back at it */
	rec.flow.is_reply = 1;
	rec.flow.tcp_flags = NETOBS_TCP_SYN | NETOBS_TCP_ACK;
	rec.flow.event = NETOBS_FLOW_EVENT_TCP_FLAGS;
	rec.flow.obs_point = NETOBS_OBS_FROM_ENDPOINT;
	assert_compact(&rec,
		       "Nov 25 10:52:20.150: echo:80 (ID:14) <- client:47194 (ID:12) "
		       "from-endpoint FORWARDED (TCP Flags: SYN, ACK) tcp-flags 1 pkts 74 B\n");

	/* an END record stands for no one packet: Hubble's summary shows no flags */
	rec.flow.is_reply = -1;
	rec.flow.event = NETOBS_FLOW_EVENT_END;
	rec.flow.end_reason = NETOBS_END_FIN;
	rec.flow.tcp_flags = 0;
	rec.flow.tcp_flags_seen = NETOBS_TCP_SYN | NETOBS_TCP_ACK | NETOBS_TCP_FIN;
	rec.flow.packets = 12;
	rec.flow.bytes = 2104;
	rec.flow.verdict = NETOBS_VERDICT_DROPPED;
	rec.time_ns = T1_NS;
	assert_compact(&rec, "Nov  5 08:01:02.007: client:47194 (ID:12) <> echo:80 (ID:14) "
			     "from-endpoint DROPPED (TCP) end(FIN) 12 pkts 2104 B\n");
}
END_TEST

START_TEST(test_compact_reserved_and_v6)
{
	struct netobs_record rec;

	use_utc();
	make_tcp_syn(&rec);
	memset(&rec.flow.src, 0, sizeof(rec.flow.src));
	memset(&rec.flow.dst, 0, sizeof(rec.flow.dst));
	rec.flow.src.identity = NETOBS_IDENTITY_WORLD;
	rec.flow.dst.identity = NETOBS_IDENTITY_HOST;
	rec.flow.key.proto = IPPROTO_UDP;
	rec.flow.tcp_flags = 0;
	rec.flow.obs_point = NETOBS_OBS_FROM_NETWORK;
	rec.flow.event = NETOBS_FLOW_EVENT_UPDATE;
	assert_compact(&rec, "Nov 25 10:52:20.150: 10.0.0.1:47194 (world) -> 10.0.0.2:80 (host) "
			     "from-network FORWARDED (UDP) update 1 pkts 74 B\n");

	rec.flow.key.family = NETOBS_FAMILY_IPV6;
	inet_pton(AF_INET6, "fd00::1", rec.flow.key.saddr);
	inet_pton(AF_INET6, "2001:db8::2", rec.flow.key.daddr);
	rec.flow.dst.identity = 0;
	rec.flow.obs_point = NETOBS_OBS_TO_NETWORK;
	assert_compact(&rec, "Nov 25 10:52:20.150: [fd00::1]:47194 (world) -> [2001:db8::2]:80 "
			     "(unknown) to-network FORWARDED (UDP) update 1 pkts 74 B\n");

	/* ICMP has no ports to print */
	rec.flow.key.proto = IPPROTO_ICMPV6;
	rec.flow.key.icmp_type = 128;
	rec.flow.key.icmp_code = 0;
	rec.flow.key.icmp_pad = 0;
	assert_compact(&rec, "Nov 25 10:52:20.150: fd00::1 (world) -> 2001:db8::2 (unknown) "
			     "to-network FORWARDED (ICMPv6 EchoRequest) update 1 pkts 74 B\n");
}
END_TEST

START_TEST(test_compact_lost)
{
	struct netobs_record rec = {0};

	use_utc();
	rec.kind = NETOBS_RECORD_LOST_EVENTS;
	rec.time_ns = T0_NS;
	rec.lost.source = NETOBS_LOST_OBSERVER_EVENTS_QUEUE;
	rec.lost.count = 17;
	rec.lost.cpu = 0;
	assert_compact(&rec, "Nov 25 10:52:20.150: EVENTS LOST: OBSERVER_EVENTS_QUEUE CPU(0) 17\n");
	rec.lost.cpu = -1;
	rec.lost.source = NETOBS_LOST_HUBBLE_RING_BUFFER;
	assert_compact(&rec, "Nov 25 10:52:20.150: EVENTS LOST: HUBBLE_RING_BUFFER 17\n");
	assert_summary(&rec, "17 events lost (HUBBLE_RING_BUFFER)");
}
END_TEST

START_TEST(test_summary)
{
	struct netobs_record rec;

	make_tcp_syn(&rec);
	rec.flow.tcp_flags = NETOBS_TCP_FIN | NETOBS_TCP_ACK | NETOBS_TCP_PSH;
	assert_summary(&rec, "TCP Flags: ACK, FIN, PSH");
	rec.flow.tcp_flags = 0;
	assert_summary(&rec, "TCP");
	rec.flow.key.key_flags = NETOBS_KEY_F_TRUNCATED;
	assert_summary(&rec, "TCP [truncated]");
	rec.flow.key.key_flags = NETOBS_KEY_F_FRAGMENT | NETOBS_KEY_F_EXTHDR_LIMIT;
	rec.flow.key.proto = IPPROTO_UDP;
	assert_summary(&rec, "UDP [fragment] [exthdr-limit]");
	rec.flow.key.key_flags = NETOBS_KEY_F_MALFORMED;
	rec.flow.key.proto = IPPROTO_SCTP;
	assert_summary(&rec, "SCTP [malformed]");
	rec.flow.key.key_flags = 0;

	rec.flow.key.proto = IPPROTO_ICMP;
	rec.flow.key.sport = rec.flow.key.dport = 0;
	assert_summary(&rec, "ICMPv4 EchoReply");
	rec.flow.key.icmp_type = 8;
	assert_summary(&rec, "ICMPv4 EchoRequest");
	rec.flow.key.icmp_code = 5;
	assert_summary(&rec, "ICMPv4 EchoRequest(Code: 5)");
	rec.flow.key.icmp_type = 3;
	rec.flow.key.icmp_code = 3;
	assert_summary(&rec, "ICMPv4 DestinationUnreachable(Port)");
	rec.flow.key.icmp_code = 200;
	assert_summary(&rec, "ICMPv4 DestinationUnreachable(Code: 200)");
	rec.flow.key.icmp_type = 11;
	rec.flow.key.icmp_code = 0;
	assert_summary(&rec, "ICMPv4 TimeExceeded(TTLExceeded)");
	rec.flow.key.icmp_type = 200;
	rec.flow.key.icmp_code = 1;
	assert_summary(&rec, "ICMPv4 type 200 code 1");

	rec.flow.key.proto = IPPROTO_ICMPV6;
	rec.flow.key.icmp_type = 129;
	rec.flow.key.icmp_code = 0;
	assert_summary(&rec, "ICMPv6 EchoReply");
	rec.flow.key.icmp_type = 135;
	assert_summary(&rec, "ICMPv6 NeighborSolicitation");
	rec.flow.key.icmp_type = 1;
	rec.flow.key.icmp_code = 4;
	assert_summary(&rec, "ICMPv6 DestinationUnreachable(PortUnreachable)");

	rec.flow.key.proto = 47;
	rec.flow.key.icmp_type = rec.flow.key.icmp_code = 0;
	assert_summary(&rec, "IP proto 47");

	rec.flow.key.family = NETOBS_FAMILY_NONE;
	rec.flow.key.proto = 0;
	rec.flow.key.eth_proto = htons(0x0806);
	assert_summary(&rec, "ethertype 0x0806 (ARP)");
	rec.flow.key.eth_proto = htons(0x1234);
	assert_summary(&rec, "ethertype 0x1234");
}
END_TEST

START_TEST(test_compact_non_ip)
{
	struct netobs_record rec;

	use_utc();
	make_tcp_syn(&rec);
	memset(rec.flow.key.saddr, 0, 16);
	memset(rec.flow.key.daddr, 0, 16);
	rec.flow.key.family = NETOBS_FAMILY_NONE;
	rec.flow.key.proto = 0;
	rec.flow.key.sport = rec.flow.key.dport = 0;
	rec.flow.key.eth_proto = htons(0x0806);
	memset(&rec.flow.dst, 0, sizeof(rec.flow.dst));
	rec.flow.tcp_flags = 0;
	rec.flow.packets = 2;
	rec.flow.bytes = 84;
	assert_compact(&rec, "Nov 25 10:52:20.150: client (ID:12) -> - (unknown) to-endpoint "
			     "FORWARDED (ethertype 0x0806 (ARP)) new 2 pkts 84 B\n");

	/* The MACs the datapath keeps in the address bytes replace "- (unknown)"
	 * on a side with no endpoint; a known endpoint is still shown by name. */
	memcpy(rec.flow.key.saddr, (uint8_t[]){0x02, 0x42, 0xac, 0x11, 0x00, 0x0a}, 6);
	memset(rec.flow.key.daddr, 0xff, 6);
	assert_compact(&rec, "Nov 25 10:52:20.150: client (ID:12) -> ff:ff:ff:ff:ff:ff to-endpoint "
			     "FORWARDED (ethertype 0x0806 (ARP)) new 2 pkts 84 B\n");
	memset(&rec.flow.src, 0, sizeof(rec.flow.src));
	assert_compact(&rec, "Nov 25 10:52:20.150: 02:42:ac:11:00:0a -> ff:ff:ff:ff:ff:ff "
			     "to-endpoint FORWARDED (ethertype 0x0806 (ARP)) new 2 pkts 84 B\n");
	rec.flow.is_reply = 1; /* the compact line swaps the sides of a reply */
	assert_compact(&rec, "Nov 25 10:52:20.150: ff:ff:ff:ff:ff:ff <- 02:42:ac:11:00:0a "
			     "to-endpoint FORWARDED (ethertype 0x0806 (ARP)) new 2 pkts 84 B\n");
}
END_TEST

START_TEST(test_table)
{
	struct netobs_record rec = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	use_utc();
	out = open_memstream(&text, &len);
	netobs_print_table_header(out);
	fclose(out);
	/* Hubble's six columns, then netobs's EVENT, PACKETS, BYTES */
	ck_assert_str_eq(text, "TIMESTAMP           SOURCE                         "
			       "DESTINATION                    TYPE          VERDICT   "
			       "SUMMARY                      EVENT        PACKETS        BYTES\n");
	free(text);

	make_tcp_syn(&rec);
	rec.flow.is_reply = 1; /* the table keeps record order: no swap */
	text = capture(netobs_print_table_row, &rec);
	ck_assert_str_eq(text, "Nov 25 10:52:20.150 client:47194                   "
			       "echo:80                        to-endpoint   FORWARDED "
			       "TCP Flags: SYN               new                1           74\n");
	free(text);

	/* non-IP: the MACs in place of "-" */
	make_tcp_syn(&rec);
	memset(&rec.flow.src, 0, sizeof(rec.flow.src));
	memset(&rec.flow.dst, 0, sizeof(rec.flow.dst));
	memset(rec.flow.key.saddr, 0, 16);
	memset(rec.flow.key.daddr, 0, 16);
	memcpy(rec.flow.key.saddr, (uint8_t[]){0x02, 0x42, 0xac, 0x11, 0x00, 0x0a}, 6);
	memset(rec.flow.key.daddr, 0xff, 6);
	rec.flow.key.family = NETOBS_FAMILY_NONE;
	rec.flow.key.proto = 0;
	rec.flow.key.sport = rec.flow.key.dport = 0;
	rec.flow.key.eth_proto = htons(0x0806);
	rec.flow.tcp_flags = 0;
	text = capture(netobs_print_table_row, &rec);
	ck_assert_str_eq(text, "Nov 25 10:52:20.150 02:42:ac:11:00:0a              "
			       "ff:ff:ff:ff:ff:ff              to-endpoint   FORWARDED "
			       "ethertype 0x0806 (ARP)       new                1           74\n");
	free(text);

	memset(&rec, 0, sizeof(rec));
	rec.kind = NETOBS_RECORD_LOST_EVENTS;
	rec.time_ns = T0_NS;
	rec.lost.source = NETOBS_LOST_PERF_EVENT_RING_BUFFER;
	rec.lost.count = 3;
	rec.lost.cpu = 1;
	text = capture(netobs_print_table_row, &rec);
	ck_assert_str_eq(text, "Nov 25 10:52:20.150                                "
			       "                               EVENTS LOST             "
			       "PERF_EVENT_RING_BUFFER CPU(1) - 3\n");
	free(text);
}
END_TEST

/* Drop ANSI SGR sequences ("ESC [ ... m") from text, in place. */
static void strip_sgr(char *text)
{
	char *out = text;

	for (char *in = text; *in; in++) {
		if (*in == '\033' && in[1] == '[') {
			in += strcspn(in, "m");
			continue;
		}
		*out++ = *in;
	}
	*out = '\0';
}

static char *capture_header(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	netobs_print_table_header(out);
	fclose(out);
	return text;
}

START_TEST(test_color)
{
	struct netobs_record rec;
	char *plain, *colored;

	use_utc();
	make_tcp_syn(&rec);
	netobs_print_set_color(true);
	/* Hubble's colours: hosts cyan, identities magenta, FORWARDED green */
	assert_compact(&rec,
		       "Nov 25 10:52:20.150: \033[36mclient:47194\033[0m "
		       "\033[35m(ID:12)\033[0m -> \033[36mecho:80\033[0m \033[35m(ID:14)\033[0m "
		       "to-endpoint \033[32mFORWARDED\033[0m (TCP Flags: SYN) new 1 pkts 74 B\n");
	rec.flow.verdict = NETOBS_VERDICT_DROPPED;
	colored = capture(netobs_print_compact, &rec);
	ck_assert_ptr_nonnull(strstr(colored, " \033[31mDROPPED\033[0m ("));
	free(colored);

	/* the table: colour around the text only, so the columns stay where they were */
	netobs_print_set_color(false);
	plain = capture(netobs_print_table_row, &rec);
	netobs_print_set_color(true);
	colored = capture(netobs_print_table_row, &rec);
	ck_assert_ptr_nonnull(strstr(colored, " \033[31mDROPPED\033[0m   TCP Flags: SYN"));
	strip_sgr(colored);
	ck_assert_str_eq(colored, plain);
	free(plain);
	free(colored);

	/* the header is bold */
	netobs_print_set_color(false);
	plain = capture_header();
	netobs_print_set_color(true);
	colored = capture_header();
	ck_assert_int_eq(strncmp(colored, "\033[1mTIMESTAMP ", 14), 0);
	ck_assert_ptr_nonnull(strstr(colored, "BYTES\033[0m\n"));
	strip_sgr(colored);
	ck_assert_str_eq(colored, plain);
	free(plain);
	free(colored);
	netobs_print_set_color(false);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("print");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_compact_tcp);
	tcase_add_test(tc, test_compact_reserved_and_v6);
	tcase_add_test(tc, test_compact_lost);
	tcase_add_test(tc, test_summary);
	tcase_add_test(tc, test_compact_non_ip);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_color);
	suite_add_tcase(s, tc);
	return s;
}
