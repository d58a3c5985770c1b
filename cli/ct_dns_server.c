// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The connectivity test's DNS server: the zone CT_ZONE, over UDP and TCP
 * on the echo endpoint (cli/ct_servers.c owns the sockets and the process).
 * The answers are lib/ct_dns_zone.c's; this file only moves bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ct_internal.h"
#include "dns.h"

#define CT_DNS_TTL		30
#define CT_DNS_TCP_IDLE_MS	5000 /* RFC 7766 6.2.3: a few seconds of idle per connection */
#define CT_DNS_UDP_RESPONSE_MAX 512  /* no EDNS: the classic limit */

static void zone_address(struct ct_dns_zone *zone, const char *name, const char *addr)
{
	struct ct_dns_zone_record *r = &zone->records[zone->nrecords++];
	bool v4 = inet_pton(AF_INET, addr, r->addr) == 1;

	if (!v4)
		inet_pton(AF_INET6, addr, r->addr);
	r->name = name;
	r->type = v4 ? 1 : 28;
	r->ttl = CT_DNS_TTL;
}

void ct_dns_zone_fill(struct ct_dns_zone *zone, const char *external_ip)
{
	struct ct_dns_zone_record *r;
	uint8_t addr[16];

	memset(zone, 0, sizeof(*zone));
	zone->origin = CT_ZONE;
	zone_address(zone, CT_ECHO_NAME, "10.247.0.20");
	zone_address(zone, CT_ECHO_NAME, "fd00:6e6f:6374::20");
	r = &zone->records[zone->nrecords++];
	r->name = "www." CT_ZONE;
	r->type = 5;
	r->target = CT_ECHO_NAME;
	r->ttl = CT_DNS_TTL;
	/* policy-to-fqdns: one name its policy allows, one it does not, both outside. */
	if (inet_pton(AF_INET, external_ip, addr) == 1) {
		zone_address(zone, CT_FQDN_ALLOWED_NAME, external_ip);
		zone_address(zone, CT_FQDN_DENIED_NAME, CT_FQDN_DENIED_IPV4);
	} else if (inet_pton(AF_INET6, external_ip, addr) == 1) {
		zone_address(zone, CT_FQDN_ALLOWED_NAME, external_ip);
		zone_address(zone, CT_FQDN_DENIED_NAME, CT_FQDN_DENIED_IPV6);
	}
}

void ct_dns_serve_datagram(int fd, const struct ct_dns_zone *zone)
{
	uint8_t query[4096], response[CT_DNS_UDP_RESPONSE_MAX];
	struct sockaddr_storage peer;
	socklen_t peer_len = sizeof(peer);
	ssize_t n;
	size_t len;

	n = recvfrom(fd, query, sizeof(query), MSG_DONTWAIT, (struct sockaddr *)&peer, &peer_len);
	if (n < 0)
		return;
	len = ct_dns_zone_answer(zone, query, (size_t)n, response, sizeof(response));
	if (len)
		sendto(fd, response, len, MSG_DONTWAIT, (struct sockaddr *)&peer, peer_len);
}

/* Exactly len bytes, or false at EOF, an error or CT_DNS_TCP_IDLE_MS of silence. */
static bool read_exact(int fd, uint8_t *buf, size_t len)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	while (len > 0) {
		ssize_t n;

		if (poll(&pfd, 1, CT_DNS_TCP_IDLE_MS) != 1)
			return false;
		n = read(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

void ct_dns_serve_stream(int fd, const struct ct_dns_zone *zone)
{
	static uint8_t query[DNS_MESSAGE_MAX], response[2 + DNS_MESSAGE_MAX];
	uint8_t prefix[2];

	while (read_exact(fd, prefix, 2)) {
		size_t qlen = (size_t)prefix[0] << 8 | prefix[1], len;

		if (!read_exact(fd, query, qlen))
			break;
		len = ct_dns_zone_answer(zone, query, qlen, response + 2, DNS_MESSAGE_MAX);
		if (!len)
			continue;
		response[0] = (uint8_t)(len >> 8);
		response[1] = (uint8_t)len;
		if (send(fd, response, len + 2, MSG_NOSIGNAL) != (ssize_t)(len + 2))
			break;
	}
	shutdown(fd, SHUT_WR);
}
