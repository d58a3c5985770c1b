// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A record's Summary, Hubble's one-line description ("TCP Flags: SYN",
 * "ICMPv4 EchoRequest", "DNS Query example.com. A"): the compact and table
 * output show it and the JSON encoder writes it into every record.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"
#include "print.h"
#include "print_text.h"

struct code_name {
	uint8_t value;
	const char *name;
};

struct icmp_type_name {
	uint8_t type;
	const char *name;
	const struct code_name *codes; /* NULL: the type uses no code */
	size_t ncodes;
};

#define CODES(table) table, sizeof(table) / sizeof(table[0])

/* Names as gopacket prints them, which is what Hubble's Summary shows. */
static const struct code_name icmp4_unreach_codes[] = {
	{0, "Net"},
	{1, "Host"},
	{2, "Protocol"},
	{3, "Port"},
	{4, "FragmentationNeeded"},
	{5, "SourceRoutingFailed"},
	{6, "NetUnknown"},
	{7, "HostUnknown"},
	{9, "NetAdminProhibited"},
	{10, "HostAdminProhibited"},
	{13, "CommAdminProhibited"},
};
static const struct code_name icmp4_redirect_codes[] = {
	{0, "Net"},
	{1, "Host"},
	{2, "TOS+Net"},
	{3, "TOS+Host"},
};
static const struct code_name icmp4_time_exceeded_codes[] = {
	{0, "TTLExceeded"},
	{1, "FragmentReassemblyTimeExceeded"},
};
static const struct code_name icmp4_param_problem_codes[] = {
	{0, "PointerIndicatesError"},
	{1, "MissingOption"},
	{2, "BadLength"},
};
static const struct icmp_type_name icmp4_types[] = {
	{0, "EchoReply", NULL, 0},
	{3, "DestinationUnreachable", CODES(icmp4_unreach_codes)},
	{4, "SourceQuench", NULL, 0},
	{5, "Redirect", CODES(icmp4_redirect_codes)},
	{8, "EchoRequest", NULL, 0},
	{9, "RouterAdvertisement", NULL, 0},
	{10, "RouterSolicitation", NULL, 0},
	{11, "TimeExceeded", CODES(icmp4_time_exceeded_codes)},
	{12, "ParameterProblem", CODES(icmp4_param_problem_codes)},
	{13, "TimestampRequest", NULL, 0},
	{14, "TimestampReply", NULL, 0},
};

static const struct code_name icmp6_unreach_codes[] = {
	{0, "NoRouteToDst"},	   {1, "AdminProhibited"}, {2, "BeyondScopeOfSrc"},
	{3, "AddressUnreachable"}, {4, "PortUnreachable"}, {5, "SrcAddressFailedPolicy"},
	{6, "RejectRouteToDst"},
};
static const struct code_name icmp6_time_exceeded_codes[] = {
	{0, "HopLimitExceeded"},
	{1, "FragmentReassemblyTimeExceeded"},
};
static const struct code_name icmp6_param_problem_codes[] = {
	{0, "ErroneousHeaderField"},
	{1, "UnrecognizedNextHeader"},
	{2, "UnrecognizedIPv6Option"},
};
static const struct icmp_type_name icmp6_types[] = {
	{1, "DestinationUnreachable", CODES(icmp6_unreach_codes)},
	{2, "PacketTooBig", NULL, 0},
	{3, "TimeExceeded", CODES(icmp6_time_exceeded_codes)},
	{4, "ParameterProblem", CODES(icmp6_param_problem_codes)},
	{128, "EchoRequest", NULL, 0},
	{129, "EchoReply", NULL, 0},
	{133, "RouterSolicitation", NULL, 0},
	{134, "RouterAdvertisement", NULL, 0},
	{135, "NeighborSolicitation", NULL, 0},
	{136, "NeighborAdvertisement", NULL, 0},
	{137, "Redirect", NULL, 0},
};

static const struct {
	uint16_t type;
	const char *name;
} ethertype_names[] = {
	{0x0800, "IPv4"},
	{0x0806, "ARP"},
	{0x8035, "RARP"},
	{0x86dd, "IPv6"},
	{0x8847, "MPLS"},
	{0x8848, "MPLS multicast"},
	{0x8863, "PPPoE discovery"},
	{0x8864, "PPPoE session"},
	{0x888e, "EAPOL"},
	{0x88cc, "LLDP"},
	{0x88f7, "PTP"},
};

static const struct {
	uint8_t flag;
	const char *text;
} key_flag_texts[] = {
	{NETOBS_KEY_F_TRUNCATED, "truncated"},
	{NETOBS_KEY_F_MALFORMED, "malformed"},
	{NETOBS_KEY_F_FRAGMENT, "fragment"},
	{NETOBS_KEY_F_EXTHDR_LIMIT, "exthdr-limit"},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void icmp_summary(struct text *t, const char *family, const struct icmp_type_name *types,
			 size_t ntypes, uint8_t type, uint8_t code)
{
	const struct icmp_type_name *entry = NULL;

	for (size_t i = 0; i < ntypes; i++)
		if (types[i].type == type)
			entry = &types[i];
	if (!entry) {
		text_add(t, "%s type %u code %u", family, type, code);
		return;
	}
	text_add(t, "%s %s", family, entry->name);
	if (!entry->codes && !code)
		return;
	for (size_t i = 0; i < entry->ncodes; i++) {
		if (entry->codes[i].value == code) {
			text_add(t, "(%s)", entry->codes[i].name);
			return;
		}
	}
	text_add(t, "(Code: %u)", code);
}

/*
 * The L7 summaries of Hubble's parser (cilium/cilium
 * pkg/hubble/parser/seven/dns.go dnsSummary, http.go httpSummary):
 *   DNS Query example.com. A,AAAA
 *   DNS Answer "1.2.3.4,5.6.7.8" CNAMEs: "a.example." TTL: 300 (Query example.com. A)
 *   DNS Answer RCode: NXDOMAIN TTL: 0 (Query nx.example. A)
 *   HTTP/1.1 GET http://a/path
 *   HTTP/1.1 200 3ms (GET http://a/path)
 * A request no response answered ends in " unanswered" (netobs's own).
 * netobs reads the packets, it is no proxy: the source is "Query", never
 * "Proxy". Hubble spells rcodes as gopacket does ("Non-Existent Domain");
 * netobs as miekg/dns and lib/dns.h do ("NXDOMAIN").
 */
static void l7_summary(struct text *t, const struct netobs_l7 *l7)
{
	char buf[16], addr[INET6_ADDRSTRLEN];

	if (l7->kind == NETOBS_L7_HTTP) {
		const struct netobs_l7_http *http = &l7->http;

		text_str(t, http->protocol);
		text_put(t, " ", 1);
		if (l7->type != NETOBS_L7_REQUEST) {
			text_u64(t, http->code);
			text_put(t, " ", 1);
			text_u64(t, l7->latency_ns / 1000000);
			text_put(t, "ms (", 4);
		}
		text_str(t, http->method);
		text_put(t, " ", 1);
		text_str(t, http->url);
		if (l7->type != NETOBS_L7_REQUEST)
			text_put(t, ")", 1);
		return;
	}
	if (l7->kind != NETOBS_L7_DNS)
		return;
	if (l7->type == NETOBS_L7_RESPONSE) {
		const struct netobs_l7_dns *dns = &l7->dns;

		text_str(t, "DNS Answer ");
		if (dns->rcode) {
			text_str(t, "RCode: ");
			text_str(t, dns_rcode_name(dns->rcode, buf, sizeof(buf)));
		} else {
			if (dns->ips_len)
				text_put(t, "\"", 1);
			for (unsigned int i = 0; i < dns->ips_len && i < DNS_IPS_MAX; i++) {
				if (dns->ips[i].family == AF_INET)
					netobs_addr_format(NETOBS_FAMILY_IPV4, dns->ips[i].addr,
							   addr, sizeof(addr));
				else
					inet_ntop(dns->ips[i].family, dns->ips[i].addr, addr,
						  sizeof(addr));
				if (i)
					text_put(t, ",", 1);
				text_str(t, addr);
			}
			if (dns->ips_len)
				text_put(t, "\"", 1);
			if (dns->cnames_len)
				text_str(t, dns->ips_len ? " CNAMEs: \"" : "CNAMEs: \"");
			for (unsigned int i = 0; i < dns->cnames_len && i < DNS_CNAMES_MAX; i++) {
				if (i)
					text_put(t, ",", 1);
				text_str(t, dns->cnames[i]);
			}
			if (dns->cnames_len)
				text_put(t, "\"", 1);
		}
		text_str(t, " TTL: ");
		text_u64(t, dns->ttl);
		text_str(t, " (Query ");
		text_str(t, dns->query);
		text_put(t, " ", 1);
	} else {
		text_str(t, "DNS Query ");
		text_str(t, l7->dns.query);
		text_put(t, " ", 1);
	}
	for (unsigned int i = 0; i < l7->dns.qtypes_len && i < DNS_QTYPES_MAX; i++) {
		if (i)
			text_put(t, ",", 1);
		text_str(t, dns_type_name(l7->dns.qtypes[i], buf, sizeof(buf)));
	}
	if (l7->type == NETOBS_L7_RESPONSE)
		text_put(t, ")", 1);
}

void netobs_record_summary(const struct netobs_record *rec, char *buf, size_t len)
{
	struct text t = {.buf = buf, .len = len};
	const struct netobs_flow_key *key = &rec->flow.key;
	char flags[64];

	if (!len)
		return;
	buf[0] = '\0';
	if (rec->kind == NETOBS_RECORD_LOST_EVENTS) {
		text_add(&t, "%" PRIu64 " events lost (%s)", rec->lost.count,
			 netobs_lost_source_name(rec->lost.source));
		return;
	}
	if (rec->kind != NETOBS_RECORD_FLOW)
		return;
	if (rec->flow.l7) {
		l7_summary(&t, rec->flow.l7);
		if (rec->flow.l7->flags & NETOBS_L7_F_UNANSWERED)
			text_str(&t, " unanswered");
		return;
	}
	if (key->family == NETOBS_FAMILY_NONE) {
		uint16_t type = ntohs(key->eth_proto);

		text_add(&t, "ethertype 0x%04x", type);
		for (size_t i = 0; i < ARRAY_SIZE(ethertype_names); i++)
			if (ethertype_names[i].type == type)
				text_add(&t, " (%s)", ethertype_names[i].name);
	} else {
		switch (key->proto) {
		case IPPROTO_TCP:
			netobs_tcp_flags_format(rec->flow.tcp_flags, flags, sizeof(flags));
			if (flags[0]) {
				text_str(&t, "TCP Flags: ");
				text_str(&t, flags);
			} else {
				text_str(&t, "TCP");
			}
			break;
		case IPPROTO_UDP:
			text_str(&t, "UDP");
			break;
		case IPPROTO_SCTP:
			text_str(&t, "SCTP");
			break;
		case IPPROTO_ICMP:
			icmp_summary(&t, "ICMPv4", icmp4_types, ARRAY_SIZE(icmp4_types),
				     key->icmp_type, key->icmp_code);
			break;
		case IPPROTO_ICMPV6:
			icmp_summary(&t, "ICMPv6", icmp6_types, ARRAY_SIZE(icmp6_types),
				     key->icmp_type, key->icmp_code);
			break;
		default:
			text_add(&t, "IP proto %u", key->proto);
			break;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(key_flag_texts); i++)
		if (key->key_flags & key_flag_texts[i].flag)
			text_add(&t, " [%s]", key_flag_texts[i].text);
}
