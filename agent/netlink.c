// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <linux/netlink.h>

#include "netlink.h"

/* Big enough for one recv of a dump part (the kernel sends up to 32 KiB). */
#define NL_DUMP_BUFFER_SIZE 32768

struct mnl_socket *nl_open_route(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int one = 1;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)) < 0) {
		int err = errno;

		mnl_socket_close(nl);
		errno = err;
		return NULL;
	}
	return nl;
}

int nl_request(struct mnl_socket *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	static unsigned int seq_counter;
	char *buf;
	unsigned int portid = mnl_socket_get_portid(nl);
	int rc;

	req->nlmsg_seq = (unsigned int)time(NULL) + ++seq_counter;
	if (!(req->nlmsg_flags & NLM_F_DUMP))
		req->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return -errno;
	buf = malloc(NL_DUMP_BUFFER_SIZE);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, NL_DUMP_BUFFER_SIZE);

		if (n < 0) {
			rc = -errno;
			break;
		}
		rc = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, portid, cb, data);
		if (rc <= MNL_CB_STOP) {
			rc = rc < 0 ? -errno : 0;
			break;
		}
	}
	free(buf);
	return rc;
}
