// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>

#include "netlink.h"
#include "tcfilter.h"

static int tc_filter_count_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWTFILTER)
		(*(int *)data)++;
	return MNL_CB_OK;
}

struct tc_bpf_filter_list {
	struct tc_bpf_filter *out;
	int max;
	int count;
};

static int tc_bpf_option_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == TCA_BPF_ID && !mnl_attr_validate(attr, MNL_TYPE_U32))
		*(uint32_t *)data = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int tc_bpf_filter_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tc_bpf_filter_list *list = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	bool is_bpf = false;
	uint32_t prog_id = 0;

	if (nlh->nlmsg_type != RTM_NEWTFILTER || !nl_payload_fits(nlh, sizeof(*tcm)))
		return MNL_CB_OK;
	mnl_attr_for_each (attr, nlh, sizeof(*tcm)) {
		if (mnl_attr_get_type(attr) == TCA_KIND &&
		    !mnl_attr_validate(attr, MNL_TYPE_STRING))
			is_bpf = !strcmp(mnl_attr_get_str(attr), "bpf");
		else if (mnl_attr_get_type(attr) == TCA_OPTIONS)
			mnl_attr_parse_nested(attr, tc_bpf_option_cb, &prog_id);
	}
	/* The per-priority head (no handle) and classic BPF carry no program id. */
	if (!is_bpf || !prog_id || list->count >= list->max)
		return MNL_CB_OK;
	list->out[list->count].handle = tcm->tcm_handle;
	list->out[list->count].priority = (uint16_t)(tcm->tcm_info >> 16);
	list->out[list->count].prog_id = prog_id;
	list->count++;
	return MNL_CB_OK;
}

static int tc_filter_dump(uint32_t ifindex, uint32_t parent, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = nl_open_route();
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	int rc;

	if (!nl)
		return -errno;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = (int)ifindex;
	tcm->tcm_parent = parent;
	rc = nl_request(nl, nlh, cb, data);
	mnl_socket_close(nl);
	return rc;
}

int tc_filter_count(uint32_t ifindex, uint32_t parent)
{
	int count = 0, rc = tc_filter_dump(ifindex, parent, tc_filter_count_cb, &count);

	return rc ? rc : count;
}

int tc_bpf_filter_list(uint32_t ifindex, uint32_t parent, struct tc_bpf_filter *out, int max)
{
	struct tc_bpf_filter_list list = {.out = out, .max = max};
	int rc = tc_filter_dump(ifindex, parent, tc_bpf_filter_cb, &list);

	return rc ? rc : list.count;
}
