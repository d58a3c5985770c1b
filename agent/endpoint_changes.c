// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "endpoint_changes.h"

static void changes_add_ifindex(struct endpoint_changes *c, uint32_t ifindex)
{
	for (unsigned int i = 0; i < c->nifindexes; i++)
		if (c->ifindexes[i] == ifindex)
			return;
	if (c->nifindexes == ENDPOINT_CHANGES_MAX) {
		c->full = true;
		return;
	}
	c->ifindexes[c->nifindexes++] = ifindex;
}

static void changes_add_nsid(struct endpoint_changes *c, int32_t nsid)
{
	for (unsigned int i = 0; i < c->nnsids; i++)
		if (c->nsids[i] == nsid)
			return;
	if (c->nnsids == ENDPOINT_CHANGES_MAX) {
		c->full = true;
		return;
	}
	c->nsids[c->nnsids++] = nsid;
}

void endpoint_changes_note(struct endpoint_changes *c, const struct nlmsghdr *nlh, int32_t nsid)
{
	size_t payload = nlh->nlmsg_len >= NLMSG_HDRLEN ? nlh->nlmsg_len - NLMSG_HDRLEN : 0;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK: {
		const struct ifinfomsg *ifm = NLMSG_DATA(nlh);

		if (payload < sizeof(*ifm)) {
			c->full = true; /* cannot tell what it was about */
			return;
		}
		/* Inside a container: its side of the veth (MAC, state) changed. */
		if (nsid != ENDPOINT_NSID_SELF)
			changes_add_nsid(c, nsid);
		else
			changes_add_ifindex(c, (uint32_t)ifm->ifi_index);
		return;
	}
	case RTM_NEWADDR:
	case RTM_DELADDR: {
		const struct ifaddrmsg *ifa = NLMSG_DATA(nlh);

		if (payload < sizeof(*ifa)) {
			c->full = true;
			return;
		}
		if (nsid != ENDPOINT_NSID_SELF) {
			changes_add_nsid(c, nsid);
			return;
		}
		/* The host's addresses resolve peers; a named interface also
		 * lists its own. */
		c->host_addrs = true;
		changes_add_ifindex(c, ifa->ifa_index);
		return;
	}
	default:
		return;
	}
}

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

void endpoint_changes_read(int fd, struct endpoint_changes *c)
{
	/* Aligned for the nlmsghdr walk below. */
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	char control[CMSG_SPACE(sizeof(int32_t))];

	for (;;) {
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr msg = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control,
			.msg_controllen = sizeof(control),
		};
		int32_t nsid = ENDPOINT_NSID_SELF;
		struct cmsghdr *cmsg;
		ssize_t len;

		len = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == ENOBUFS) {
				c->full = true;
				continue;
			}
			if (errno == EINTR)
				continue;
			return; /* EAGAIN: all read */
		}
		if (len == 0)
			return;
		if (msg.msg_flags & MSG_TRUNC) {
			c->full = true;
			continue;
		}
		/* Events from another namespace carry its id (as ours names it). */
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
			if (cmsg->cmsg_level == SOL_NETLINK &&
			    cmsg->cmsg_type == NETLINK_LISTEN_ALL_NSID &&
			    cmsg->cmsg_len >= CMSG_LEN(sizeof(int32_t)))
				memcpy(&nsid, CMSG_DATA(cmsg), sizeof(nsid));
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (size_t)len);
		     nlh = NLMSG_NEXT(nlh, len))
			endpoint_changes_note(c, nlh, nsid);
	}
}

bool endpoint_changes_pending(const struct endpoint_changes *c)
{
	return c->full || c->host_addrs || c->nifindexes || c->nnsids;
}

void endpoint_changes_clear(struct endpoint_changes *c)
{
	memset(c, 0, sizeof(*c));
}
