// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>

#include "endpoints.h"
#include "log.h"
#include "netlink.h"

#define NETNS_RUN_DIR	 "/run/netns"
#define RESCAN_MAX_LINKS 8192

struct link_info {
	uint32_t ifindex;
	uint32_t peer_ifindex; /* IFLA_LINK */
	int32_t netnsid;       /* IFLA_LINK_NETNSID, -1 when absent */
	char ifname[NETOBS_IFNAME_MAX];
	uint8_t mac[6];
	uint16_t link_type; /* ifi_type: ARPHRD_* */
	bool is_veth;
	bool oper_up;
};

struct link_list {
	struct link_info *links;
	unsigned int count;
	bool overflow;
};

struct addr_list {
	struct ip_addr *addrs;
	unsigned int count;
	unsigned int max;
	uint32_t ifindex; /* 0: any */
};

int endpoints_add_patterns(struct endpoint_table *table, const char *list, bool xdp)
{
	char copy[1024], *save = NULL, *tok;

	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned int *n = xdp ? &table->nxdp_patterns : &table->ninterface_patterns;
		char(*pats)[NETOBS_IFNAME_MAX * 2] =
			xdp ? table->xdp_patterns : table->interface_patterns;

		if (!*tok)
			continue;
		if (*n >= ENDPOINT_MAX_PATTERNS)
			return -E2BIG;
		snprintf(pats[(*n)++], NETOBS_IFNAME_MAX * 2, "%s", tok);
	}
	return 0;
}

static bool patterns_match(char (*pats)[NETOBS_IFNAME_MAX * 2], unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (!fnmatch(pats[i], name, 0))
			return true;
	return false;
}

/* Attributes newer than our headers are skipped, not fatal. */
static int link_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type > IFLA_MAX)
		return MNL_CB_OK;
	/* A malformed attribute is skipped, never read past its end. */
	switch (type) {
	case IFLA_LINK:
	case IFLA_LINK_NETNSID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		break;
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_OK;
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_OK;
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) <= IFA_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void link_parse(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = {};

	memset(li, 0, sizeof(*li));
	li->netnsid = -1;
	li->ifindex = (uint32_t)ifm->ifi_index;
	li->link_type = ifm->ifi_type;
	li->oper_up = (ifm->ifi_flags & IFF_UP) && (ifm->ifi_flags & IFF_RUNNING);
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, tb);
	if (tb[IFLA_IFNAME])
		snprintf(li->ifname, sizeof(li->ifname), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(li->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_LINK])
		li->peer_ifindex = mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		li->netnsid = (int32_t)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *info;

		mnl_attr_for_each_nested (info, tb[IFLA_LINKINFO]) {
			if (mnl_attr_get_type(info) == IFLA_INFO_KIND &&
			    mnl_attr_validate(info, MNL_TYPE_NUL_STRING) >= 0 &&
			    !strcmp(mnl_attr_get_str(info), "veth"))
				li->is_veth = true;
		}
	}
}

static int link_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_list *list = data;

	if (nlh->nlmsg_type != RTM_NEWLINK || !nl_payload_fits(nlh, sizeof(struct ifinfomsg)))
		return MNL_CB_OK;
	if (list->count >= RESCAN_MAX_LINKS) {
		list->overflow = true; /* a partial list would "remove" endpoints */
		return MNL_CB_OK;
	}
	link_parse(nlh, &list->links[list->count++]);
	return MNL_CB_OK;
}

static int link_one_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK && nl_payload_fits(nlh, sizeof(struct ifinfomsg)))
		link_parse(nlh, data);
	return MNL_CB_OK;
}

static int addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {};
	struct addr_list *list = data;
	const struct nlattr *a;
	struct ip_addr *out;

	if (nlh->nlmsg_type != RTM_NEWADDR || list->count >= list->max ||
	    !nl_payload_fits(nlh, sizeof(*ifa)))
		return MNL_CB_OK;
	if (list->ifindex && ifa->ifa_index != list->ifindex)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb);
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a)
		return MNL_CB_OK;
	out = &list->addrs[list->count];
	memset(out, 0, sizeof(*out));
	out->link_local = ifa->ifa_scope == RT_SCOPE_LINK;
	if (ifa->ifa_family == AF_INET && mnl_attr_get_payload_len(a) == 4) {
		out->family = NETOBS_FAMILY_IPV4;
		memcpy(out->addr, mnl_attr_get_payload(a), 4);
	} else if (ifa->ifa_family == AF_INET6 && mnl_attr_get_payload_len(a) == 16) {
		out->family = NETOBS_FAMILY_IPV6;
		memcpy(out->addr, mnl_attr_get_payload(a), 16);
	} else {
		return MNL_CB_OK;
	}
	list->count++;
	return MNL_CB_OK;
}

/* Addresses of ifindex in the namespace nsid (-1: ours; ifindex 0: all). */
static int addr_dump(struct mnl_socket *nl, int32_t nsid, uint32_t ifindex, struct addr_list *list)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	ifa->ifa_index = ifindex;
	if (nsid >= 0)
		mnl_attr_put_u32(nlh, IFA_TARGET_NETNSID, (uint32_t)nsid);
	list->ifindex = ifindex;
	return nl_request(nl, nlh, addr_dump_cb, list);
}

static int link_get_in_netns(struct mnl_socket *nl, int32_t nsid, uint32_t ifindex,
			     struct link_info *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)ifindex;
	if (nsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, (uint32_t)nsid);
	memset(out, 0, sizeof(*out));
	return nl_request(nl, nlh, link_one_cb, out);
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NETNSA_MAX + 1] = {};
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWNSID || !nl_payload_fits(nlh, sizeof(struct rtgenmsg)))
		return MNL_CB_OK;
	mnl_attr_for_each (attr, nlh, sizeof(struct rtgenmsg)) {
		if (mnl_attr_get_type(attr) <= NETNSA_MAX)
			tb[mnl_attr_get_type(attr)] = attr;
	}
	if (tb[NETNSA_NSID] && mnl_attr_validate(tb[NETNSA_NSID], MNL_TYPE_U32) >= 0)
		*(int32_t *)data = (int32_t)mnl_attr_get_u32(tb[NETNSA_NSID]);
	return MNL_CB_OK;
}

/* The id our namespace has for the namespace behind fd, -1 when none. */
static int32_t netns_id_of_fd(struct mnl_socket *nl, int fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;
	int32_t nsid = -1;

	nlh->nlmsg_type = RTM_GETNSID;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
	if (nl_request(nl, nlh, nsid_cb, &nsid))
		return -1;
	return nsid;
}

/* Map /run/netns names to the nsids our namespace has for them. */
static void netns_names_read(struct endpoint_table *table, struct mnl_socket *nl)
{
	DIR *dir = opendir(NETNS_RUN_DIR);
	struct dirent *de;

	table->nnetns_names = 0;
	if (!dir)
		return; /* no named namespaces */
	while ((de = readdir(dir)) && table->nnetns_names < ENDPOINT_MAX_NETNS) {
		char path[sizeof(NETNS_RUN_DIR) + 256];
		int32_t nsid;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		nsid = netns_id_of_fd(nl, fd);
		close(fd);
		if (nsid < 0)
			continue;
		table->netns_names[table->nnetns_names].nsid = nsid;
		snprintf(table->netns_names[table->nnetns_names].name, NETOBS_NAME_MAX, "%.63s",
			 de->d_name);
		table->nnetns_names++;
	}
	closedir(dir);
}

static const char *netns_name_of(const struct endpoint_table *table, int32_t nsid)
{
	for (unsigned int i = 0; i < table->nnetns_names; i++)
		if (table->netns_names[i].nsid == nsid)
			return table->netns_names[i].name;
	return NULL;
}

/* Does /run/netns/name still stand for the namespace our namespace calls nsid? */
static bool netns_name_still_is(struct mnl_socket *nl, const char *name, int32_t nsid)
{
	char path[sizeof(NETNS_RUN_DIR) + NETOBS_NAME_MAX + 1];
	int32_t now;
	int fd;

	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	now = netns_id_of_fd(nl, fd);
	close(fd);
	return now == nsid;
}

/*
 * The /run/netns name of the namespace nsid. The kernel gives a deleted
 * namespace's id to the next one that needs an id, under whatever name it
 * has: a name remembered from an earlier read is checked, and the names read
 * again (once per rescan) when it no longer holds or none is known.
 */
static const char *netns_name_lookup(struct endpoint_table *table, struct mnl_socket *nl,
				     int32_t nsid, bool *names_fresh)
{
	const char *name = netns_name_of(table, nsid);

	if (*names_fresh || (name && netns_name_still_is(nl, name, nsid)))
		return name;
	netns_names_read(table, nl);
	*names_fresh = true;
	return netns_name_of(table, nsid);
}

struct endpoint *endpoints_find_by_ifindex(struct endpoint_table *table, uint32_t ifindex)
{
	for (unsigned int i = 0; i < table->count; i++)
		if (table->eps[i].ifindex == ifindex)
			return &table->eps[i];
	return NULL;
}

static struct endpoint *endpoint_get_or_add(struct endpoint_table *table,
					    const struct link_info *li)
{
	struct endpoint *ep = endpoints_find_by_ifindex(table, li->ifindex);

	/* Same ifindex, same interface (a rename keeps it): its hooks stay.
	 * The kernel hands out ifindexes in increasing order, so a new
	 * interface does not take an old one's between two rescans. */
	if (ep)
		return ep;
	if (table->count >= ENDPOINT_MAX)
		return NULL;
	ep = &table->eps[table->count++];
	memset(ep, 0, sizeof(*ep));
	ep->ifindex = li->ifindex;
	return ep;
}

/*
 * (Re)read an endpoint from its host-side link: its name, and what its
 * container side has (MAC, addresses). names_fresh says whether the netns
 * names were read during this rescan already: they are read at most once
 * per rescan, when a namespace is new or its remembered name is stale.
 */
static void endpoint_fill(struct endpoint_table *table, struct mnl_socket *nl, struct endpoint *ep,
			  const struct link_info *li, bool is_container, bool *names_fresh)
{
	struct addr_list addrs = {.addrs = ep->addrs, .max = ENDPOINT_MAX_ADDRS};
	int rc;

	ep->id = li->ifindex;
	ep->present = true;
	ep->oper_up = li->oper_up;
	snprintf(ep->ifname, sizeof(ep->ifname), "%s", li->ifname);
	ep->want_xdp = patterns_match(table->xdp_patterns, table->nxdp_patterns, li->ifname);
	/* Only these link types put an Ethernet header in front of the packet;
	 * tun, WireGuard, ipip, sit, gre... start at the IP header. */
	ep->l3_device = li->link_type != ARPHRD_ETHER && li->link_type != ARPHRD_LOOPBACK;
	ep->netns[0] = '\0';
	if (is_container) {
		struct link_info peer;
		const char *netns = netns_name_lookup(table, nl, li->netnsid, names_fresh);

		ep->kind = ENDPOINT_KIND_VETH;
		ep->netnsid = li->netnsid;
		ep->peer_ifindex = li->peer_ifindex;
		if (netns)
			snprintf(ep->netns, sizeof(ep->netns), "%s", netns);
		if (!link_get_in_netns(nl, li->netnsid, li->peer_ifindex, &peer))
			memcpy(ep->mac, peer.mac, sizeof(ep->mac));
		rc = addr_dump(nl, li->netnsid, li->peer_ifindex, &addrs);
	} else {
		ep->kind = ENDPOINT_KIND_INTERFACE;
		ep->netnsid = -1;
		ep->peer_ifindex = 0;
		memcpy(ep->mac, li->mac, sizeof(ep->mac));
		rc = addr_dump(nl, -1, li->ifindex, &addrs);
	}
	/* The namespace may vanish between the link dump and this one. */
	ep->naddrs = rc ? 0 : addrs.count;
	snprintf(ep->name, sizeof(ep->name), "%s", ep->netns[0] ? ep->netns : ep->ifname);
}

/* Take table->eps[idx] out, telling the caller what was attached there. */
static void endpoint_remove(struct endpoint_table *table, unsigned int idx,
			    struct endpoint_gone *gone, unsigned int *ngone)
{
	const struct endpoint *ep = &table->eps[idx];

	log_debug("endpoint %s (ifindex %u) removed", ep->name, ep->ifindex);
	endpoints_remember_removed(table, ep);
	gone[*ngone].ifindex = ep->ifindex;
	gone[*ngone].hooks = ep->hooks;
	gone[*ngone].created_qdisc = ep->created_qdisc;
	(*ngone)++;
	memmove(&table->eps[idx], &table->eps[idx + 1],
		(table->count - idx - 1) * sizeof(table->eps[0]));
	table->count--;
}

static void host_mac_set(struct endpoint_table *table, uint32_t ifindex, const uint8_t *mac)
{
	static const uint8_t zero_mac[6];
	unsigned int i;

	for (i = 0; i < table->nhost_macs; i++)
		if (table->host_macs[i].ifindex == ifindex)
			break;
	if (!mac || !memcmp(mac, zero_mac, sizeof(zero_mac))) {
		if (i < table->nhost_macs) /* forget it: swap the last one in */
			table->host_macs[i] = table->host_macs[--table->nhost_macs];
		return;
	}
	if (i == table->nhost_macs) {
		if (i == HOST_MAX_ADDRS)
			return;
		table->nhost_macs++;
	}
	table->host_macs[i].ifindex = ifindex;
	memcpy(table->host_macs[i].mac, mac, 6);
}

/* One link of our namespace as it is now: an endpoint, or not (any more). */
static void link_consider(struct endpoint_table *table, struct mnl_socket *nl,
			  const struct link_info *li, bool *names_fresh, struct endpoint_gone *gone,
			  unsigned int *ngone)
{
	bool is_container = li->is_veth && li->netnsid >= 0;
	bool named =
		patterns_match(table->interface_patterns, table->ninterface_patterns, li->ifname) ||
		patterns_match(table->xdp_patterns, table->nxdp_patterns, li->ifname);
	struct endpoint *ep;

	host_mac_set(table, li->ifindex, li->mac);
	if (!is_container && !named) {
		/* Renamed out of --interfaces, say: no endpoint any more. */
		ep = endpoints_find_by_ifindex(table, li->ifindex);
		if (ep)
			endpoint_remove(table, (unsigned int)(ep - table->eps), gone, ngone);
		return;
	}
	ep = endpoint_get_or_add(table, li);
	if (!ep) {
		log_warn("more than %d endpoints: %s is not monitored", ENDPOINT_MAX, li->ifname);
		return;
	}
	endpoint_fill(table, nl, ep, li, is_container, names_fresh);
}

static int host_addrs_read(struct endpoint_table *table, struct mnl_socket *nl)
{
	struct addr_list host = {.addrs = table->host_addrs, .max = HOST_MAX_ADDRS};
	int rc = addr_dump(nl, -1, 0, &host);

	if (!rc)
		table->nhost_addrs = host.count;
	return rc;
}

static int endpoints_rescan_all(struct endpoint_table *table, struct mnl_socket *nl,
				struct endpoint_gone *gone, unsigned int *ngone)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_list list = {};
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	bool names_fresh = true;
	int rc;

	table->full_rescans++;
	list.links = calloc(RESCAN_MAX_LINKS, sizeof(*list.links));
	if (!list.links)
		return -ENOMEM;
	rc = host_addrs_read(table, nl);
	if (rc)
		goto out;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	rc = nl_request(nl, nlh, link_dump_cb, &list);
	if (!rc && list.overflow) {
		log_warn("more than %d interfaces: endpoint list not updated", RESCAN_MAX_LINKS);
		rc = -E2BIG;
	}
	if (rc)
		goto out;

	netns_names_read(table, nl);
	table->nhost_macs = 0;
	for (unsigned int i = 0; i < table->count; i++)
		table->eps[i].present = false;
	for (unsigned int i = 0; i < list.count; i++)
		link_consider(table, nl, &list.links[i], &names_fresh, gone, ngone);
	/* Forget endpoints whose interface is gone: their hooks went with it. */
	for (unsigned int i = table->count; i-- > 0;)
		if (!table->eps[i].present)
			endpoint_remove(table, i, gone, ngone);
out:
	free(list.links);
	return rc;
}

/* Re-read one link of our namespace; a deleted one's endpoint goes. */
static int endpoint_refresh_link(struct endpoint_table *table, struct mnl_socket *nl,
				 uint32_t ifindex, bool *names_fresh, struct endpoint_gone *gone,
				 unsigned int *ngone)
{
	struct link_info li;
	int rc;

	table->link_refreshes++;
	rc = link_get_in_netns(nl, -1, ifindex, &li);
	if (rc == -ENODEV) {
		struct endpoint *ep = endpoints_find_by_ifindex(table, ifindex);

		host_mac_set(table, ifindex, NULL);
		if (ep)
			endpoint_remove(table, (unsigned int)(ep - table->eps), gone, ngone);
		return 0;
	}
	if (rc)
		return rc;
	link_consider(table, nl, &li, names_fresh, gone, ngone);
	return 0;
}

/* Only what the events named: a few links, the endpoints of a few namespaces. */
static int endpoints_refresh(struct endpoint_table *table, struct mnl_socket *nl,
			     const struct endpoint_changes *changes, struct endpoint_gone *gone,
			     unsigned int *ngone)
{
	bool names_fresh = false;
	int rc;

	if (changes->host_addrs) {
		rc = host_addrs_read(table, nl);
		if (rc)
			return rc;
	}
	for (unsigned int i = 0; i < changes->nifindexes; i++) {
		rc = endpoint_refresh_link(table, nl, changes->ifindexes[i], &names_fresh, gone,
					   ngone);
		if (rc)
			return rc;
	}
	for (unsigned int n = 0; n < changes->nnsids; n++) {
		uint32_t ifindexes[ENDPOINT_MAX];
		unsigned int count = 0;

		/* Collected first: a refresh may remove entries from the table. */
		table->netns_refreshes++;
		for (unsigned int i = 0; i < table->count; i++)
			if (table->eps[i].kind == ENDPOINT_KIND_VETH &&
			    table->eps[i].netnsid == changes->nsids[n])
				ifindexes[count++] = table->eps[i].ifindex;
		for (unsigned int i = 0; i < count; i++) {
			rc = endpoint_refresh_link(table, nl, ifindexes[i], &names_fresh, gone,
						   ngone);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int endpoints_rescan(struct endpoint_table *table, const struct endpoint_changes *changes,
		     struct endpoint_gone *gone, unsigned int *ngone)
{
	struct mnl_socket *nl;
	int rc;

	*ngone = 0;
	nl = nl_open_route();
	if (!nl)
		return -errno;
	if (!changes || changes->full)
		rc = endpoints_rescan_all(table, nl, gone, ngone);
	else
		rc = endpoints_refresh(table, nl, changes, gone, ngone);
	mnl_socket_close(nl);
	return rc;
}

static bool addr_equal(const struct ip_addr *a, int family, const uint8_t addr[16])
{
	size_t len = family == NETOBS_FAMILY_IPV4 ? 4 : 16;

	return a->family == family && !memcmp(a->addr, addr, len);
}

void endpoint_peer(const struct endpoint *ep, struct netobs_peer *peer)
{
	memset(peer, 0, sizeof(*peer));
	peer->id = ep->id;
	snprintf(peer->name, sizeof(peer->name), "%s", ep->name);
}

void endpoints_remember_removed(struct endpoint_table *table, const struct endpoint *ep)
{
	unsigned int slot = table->removed_next++ % ENDPOINT_REMOVED_KEPT;

	table->removed[slot].id = ep->id;
	/* memcpy: ep may point into the same table (names are NUL-terminated). */
	memcpy(table->removed[slot].name, ep->name, NETOBS_NAME_MAX);
	table->removed[slot].name[NETOBS_NAME_MAX - 1] = '\0';
}

bool endpoints_peer_by_id(const struct endpoint_table *table, uint32_t id, struct netobs_peer *peer)
{
	memset(peer, 0, sizeof(*peer));
	for (unsigned int i = 0; i < table->count; i++) {
		if (table->eps[i].id == id) {
			endpoint_peer(&table->eps[i], peer);
			return true;
		}
	}
	/* Newest first: an ID reused after a wrap names the latest owner. */
	for (unsigned int n = 1; n <= ENDPOINT_REMOVED_KEPT && n <= table->removed_next; n++) {
		unsigned int slot = (table->removed_next - n) % ENDPOINT_REMOVED_KEPT;

		if (table->removed[slot].id == id) {
			peer->id = id;
			snprintf(peer->name, sizeof(peer->name), "%s", table->removed[slot].name);
			return true;
		}
	}
	return false;
}

static void endpoints_resolve_mac(const struct endpoint_table *table, const uint8_t mac[6],
				  struct netobs_peer *peer)
{
	const struct endpoint *found = NULL;

	/* Bit 0 of the first byte: group address (broadcast, multicast). */
	if (mac[0] & 1)
		return;
	for (unsigned int i = 0; i < table->count; i++) {
		const struct endpoint *ep = &table->eps[i];

		if (ep->kind != ENDPOINT_KIND_VETH || memcmp(ep->mac, mac, 6))
			continue;
		if (found)
			return; /* claimed twice: trust neither */
		found = ep;
	}
	if (found) {
		endpoint_peer(found, peer);
		return;
	}
	for (unsigned int i = 0; i < table->nhost_macs; i++) {
		if (!memcmp(table->host_macs[i].mac, mac, 6)) {
			peer->identity = NETOBS_IDENTITY_HOST;
			return;
		}
	}
}

void endpoints_resolve_peer(const struct endpoint_table *table, int family, const uint8_t addr[16],
			    struct netobs_peer *peer)
{
	const struct endpoint *found = NULL;

	memset(peer, 0, sizeof(*peer));
	if (family == NETOBS_FAMILY_NONE) {
		endpoints_resolve_mac(table, addr, peer);
		return;
	}
	if (family != NETOBS_FAMILY_IPV4 && family != NETOBS_FAMILY_IPV6)
		return;
	for (unsigned int i = 0; i < table->count; i++) {
		const struct endpoint *ep = &table->eps[i];

		/* A named interface lives in the host namespace: its addresses are
		 * the host's, and resolve to the reserved identity below. */
		if (ep->kind != ENDPOINT_KIND_VETH)
			continue;
		for (unsigned int j = 0; j < ep->naddrs; j++) {
			if (!addr_equal(&ep->addrs[j], family, addr))
				continue;
			/* Two namespaces with the same address: an address alone
			 * cannot say which one a packet belongs to. */
			if (found && found != ep)
				return;
			found = ep;
		}
	}
	if (found) {
		endpoint_peer(found, peer);
		return;
	}
	for (unsigned int i = 0; i < table->nhost_addrs; i++) {
		if (addr_equal(&table->host_addrs[i], family, addr)) {
			peer->identity = NETOBS_IDENTITY_HOST;
			return;
		}
	}
	peer->identity = NETOBS_IDENTITY_WORLD;
}

const char *endpoint_state_name(const struct endpoint *ep)
{
	if (ep->attach_error)
		return "error";
	return ep->oper_up ? "ready" : "down";
}
