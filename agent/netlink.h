/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Small libmnl helpers: synchronous rtnetlink requests and dumps. */
#pragma once

#include <stdbool.h>
#include <libmnl/libmnl.h>

/* A NETLINK_ROUTE socket with strict checking on (needed for dumps filtered
 * by ifindex and for IFA_TARGET_NETNSID). NULL with errno on failure. */
struct mnl_socket *nl_open_route(void);

/*
 * Send req and run cb on every reply message until the dump ends or the
 * request is acked. 0, or -errno (the kernel's error for the request).
 */
int nl_request(struct mnl_socket *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);

/* Does the message hold a fixed header of this size? (Checked before reading it.) */
static inline bool nl_payload_fits(const struct nlmsghdr *nlh, size_t header)
{
	return nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + header;
}
