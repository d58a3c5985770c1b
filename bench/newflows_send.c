// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * newflows_send IFNAME DST_MAC SRC_IP DST_IP COUNT RATE
 *
 * Send COUNT 60-byte UDP frames (64 on the wire) out of IFNAME, each a new
 * flow (source port over 60000 values, destination port over 7: coprime,
 * so the first 420000 frames are distinct), at RATE frames/s: every
 * millisecond the frames due by then go out with sendmmsg(2) on a packet
 * socket (qdisc bypassed, as trafgen does). trafgen -b paces each frame with
 * its own send and sleep and fell far short of the rate here (67k/s of 209k
 * offered). Prints the frames sent and the seconds it took.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN  60
#define BATCH_MAX  1024
#define SPORT_BASE 1024
#define SPORT_SPAN 60000
#define DPORT_BASE 10000
#define DPORT_SPAN 7

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint16_t ip_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* Frame i of the sequence: its own (source port, destination port). The
 * headers are built aligned and copied in: a frame is 60 bytes, so the IP
 * header of most frames in the array sits at an odd address. */
static void frame_fill(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
		       struct in_addr src, struct in_addr dst, uint64_t i)
{
	struct ether_header eth;
	struct iphdr ip;
	struct udphdr udp;

	memset(f, 'x', FRAME_LEN);
	memcpy(eth.ether_dhost, dst_mac, 6);
	memcpy(eth.ether_shost, src_mac, 6);
	eth.ether_type = htons(ETHERTYPE_IP);
	memset(&ip, 0, sizeof(ip));
	ip.version = 4;
	ip.ihl = 5;
	ip.tot_len = htons(FRAME_LEN - sizeof(eth));
	ip.ttl = 64;
	ip.protocol = IPPROTO_UDP;
	ip.saddr = src.s_addr;
	ip.daddr = dst.s_addr;
	ip.check = ip_checksum(&ip, sizeof(ip));
	udp.source = htons(SPORT_BASE + i % SPORT_SPAN);
	udp.dest = htons(DPORT_BASE + i % DPORT_SPAN);
	udp.len = htons(FRAME_LEN - sizeof(eth) - sizeof(ip));
	udp.check = 0; /* none: allowed for UDP over IPv4 */
	memcpy(f, &eth, sizeof(eth));
	memcpy(f + sizeof(eth), &ip, sizeof(ip));
	memcpy(f + sizeof(eth) + sizeof(ip), &udp, sizeof(udp));
}

int main(int argc, char **argv)
{
	static uint8_t frames[BATCH_MAX][FRAME_LEN];
	static struct mmsghdr msgs[BATCH_MAX];
	static struct iovec iov[BATCH_MAX];
	uint8_t dst_mac[6], src_mac[6];
	struct sockaddr_ll addr = {0};
	struct in_addr src, dst;
	uint64_t count, rate, sent = 0, t0;
	unsigned int ifindex;
	int fd, one = 1;

	if (argc != 7 ||
	    sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dst_mac[0], &dst_mac[1], &dst_mac[2],
		   &dst_mac[3], &dst_mac[4], &dst_mac[5]) != 6 ||
	    !inet_aton(argv[3], &src) || !inet_aton(argv[4], &dst)) {
		fprintf(stderr, "usage: newflows_send IFNAME DST_MAC SRC_IP DST_IP COUNT RATE\n");
		return 2;
	}
	count = strtoull(argv[5], NULL, 10);
	rate = strtoull(argv[6], NULL, 10);
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex || !rate) {
		fprintf(stderr, "Error: no interface %s, or rate 0\n", argv[1]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("Error: socket(AF_PACKET)");
		return 1;
	}
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	{
		char path[128];
		FILE *fp;

		snprintf(path, sizeof(path), "/sys/class/net/%s/address", argv[1]);
		fp = fopen(path, "r");
		if (!fp || fscanf(fp, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &src_mac[0], &src_mac[1],
				  &src_mac[2], &src_mac[3], &src_mac[4], &src_mac[5]) != 6) {
			fprintf(stderr, "Error: reading %s\n", path);
			return 1;
		}
		fclose(fp);
	}
	addr.sll_family = AF_PACKET;
	addr.sll_ifindex = (int)ifindex;
	addr.sll_halen = 6;
	memcpy(addr.sll_addr, dst_mac, 6);
	for (int i = 0; i < BATCH_MAX; i++) {
		iov[i].iov_base = frames[i];
		iov[i].iov_len = FRAME_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &addr;
		msgs[i].msg_hdr.msg_namelen = sizeof(addr);
	}

	t0 = now_ns();
	while (sent < count) {
		/* Frames due by now (rate x elapsed), one batch at most. */
		uint64_t due = (uint64_t)((double)(now_ns() - t0) * (double)rate / 1e9) + 1;
		uint64_t n = (due > count ? count : due) - (sent < due ? sent : due);
		int done;

		if (!n) {
			struct timespec ms = {.tv_nsec = 1000000};

			nanosleep(&ms, NULL);
			continue;
		}
		if (n > BATCH_MAX)
			n = BATCH_MAX;
		for (uint64_t i = 0; i < n; i++)
			frame_fill(frames[i], dst_mac, src_mac, src, dst, sent + i);
		done = sendmmsg(fd, msgs, (unsigned int)n, 0);
		if (done < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			perror("Error: sendmmsg");
			return 1;
		}
		sent += (uint64_t)done;
	}
	printf("%llu %.3f\n", (unsigned long long)sent, (double)(now_ns() - t0) / 1e9);
	close(fd);
	return 0;
}
