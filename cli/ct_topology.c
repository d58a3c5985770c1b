// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The connectivity test's topology: three named network namespaces (made as
 * `ip netns add` makes them, so `ip netns exec` and the agent's endpoint
 * names work), each with a veth whose host side is on the bridge CT_BRIDGE,
 * addresses for IPv4 and IPv6, and with --external-* a default route, IPv4
 * forwarding and a masquerade rule. Built over netlink with libnl-route.
 * Taking it down is cli/ct_topology_down.c.
 */
#define _GNU_SOURCE /* setns, unshare */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "ct_internal.h"

#define CT_SERVERS_WAIT_MS 5000

static const char *const ct_roles[CT_NODE__COUNT + 1] = {
	[CT_NODE_CLIENT] = "client",
	[CT_NODE_CLIENT2] = "client2",
	[CT_NODE_ECHO] = "echo",
	[CT_NODE_HOST] = "host",
};
static const char *const ct_host_octet[CT_NODE__COUNT] = {
	[CT_NODE_CLIENT] = "10",
	[CT_NODE_CLIENT2] = "11",
	[CT_NODE_ECHO] = "20",
};

void ct_topology_describe(struct ct_topology *t)
{
	memset(t, 0, sizeof(*t));
	for (int n = 0; n < CT_NODE__COUNT; n++) {
		struct ct_node *node = &t->nodes[n];

		node->role = ct_roles[n];
		snprintf(node->netns, sizeof(node->netns), "%s%s", CT_NETNS_PREFIX, ct_roles[n]);
		snprintf(node->veth, sizeof(node->veth), "%s%s", CT_VETH_PREFIX, ct_roles[n]);
		snprintf(node->ipv4, sizeof(node->ipv4), "10.247.0.%s", ct_host_octet[n]);
		snprintf(node->ipv6, sizeof(node->ipv6), "fd00:6e6f:6374::%s", ct_host_octet[n]);
	}
	t->nodes[CT_NODE_HOST].role = ct_roles[CT_NODE_HOST];
	snprintf(t->nodes[CT_NODE_HOST].ipv4, sizeof(t->nodes[CT_NODE_HOST].ipv4), "%s",
		 CT_HOST_IPV4);
	snprintf(t->nodes[CT_NODE_HOST].ipv6, sizeof(t->nodes[CT_NODE_HOST].ipv6), "%s",
		 CT_HOST_IPV6);
	snprintf(t->ca_path, sizeof(t->ca_path), "%s/%s", CT_STATE_DIR, CT_CA_FILE);
}

/* ---- entering nodes */

int ct_host_netns_fd(void)
{
	static int host_fd = -1;

	/* Opened on first use, which is in the host's namespace: ct_in_node always returns there. */
	if (host_fd < 0)
		host_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return host_fd;
}

int ct_in_node(const struct ct_topology *t, enum ct_node_id node, int (*fn)(void *arg), void *arg)
{
	char path[sizeof(CT_NETNS_RUN_DIR) + sizeof(t->nodes[0].netns) + 1];
	int host_fd, node_fd, ret, saved_errno;

	if (node == CT_NODE_HOST)
		return fn(arg);
	if ((int)node < 0 || node > CT_NODE_HOST) {
		errno = EINVAL;
		return -1;
	}
	host_fd = ct_host_netns_fd();
	if (host_fd < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", CT_NETNS_RUN_DIR, t->nodes[node].netns);
	node_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (node_fd < 0)
		return -1;
	if (setns(node_fd, CLONE_NEWNET) < 0) {
		saved_errno = errno;
		close(node_fd);
		errno = saved_errno;
		return -1;
	}
	close(node_fd);
	ret = fn(arg);
	saved_errno = errno;
	if (setns(host_fd, CLONE_NEWNET) < 0)
		return -1;
	errno = saved_errno;
	return ret;
}

/* ---- what exists */

static bool netns_is_mounted(const char *name)
{
	char path[PATH_MAX];
	struct statfs fs;

	snprintf(path, sizeof(path), "%s/%s", CT_NETNS_RUN_DIR, name);
	return statfs(path, &fs) == 0 && fs.f_type == NSFS_MAGIC;
}

bool ct_path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

bool ct_topology_exists(void)
{
	struct ct_topology t;
	char path[PATH_MAX];

	ct_topology_describe(&t);
	if (if_nametoindex(CT_BRIDGE) || ct_path_exists(CT_STATE_DIR))
		return true;
	for (int n = 0; n < CT_NODE__COUNT; n++) {
		snprintf(path, sizeof(path), "%s/%s", CT_NETNS_RUN_DIR, t.nodes[n].netns);
		if (ct_path_exists(path) || if_nametoindex(t.nodes[n].veth))
			return true;
	}
	return false;
}

/* Everything an earlier run made is there: reusable as it is. */
static bool ct_topology_complete(const struct ct_topology *t)
{
	if (!if_nametoindex(CT_BRIDGE) || !ct_path_exists(t->ca_path))
		return false;
	for (int n = 0; n < CT_NODE__COUNT; n++)
		if (!netns_is_mounted(t->nodes[n].netns) || !if_nametoindex(t->nodes[n].veth))
			return false;
	return true;
}

/* ---- building it */

struct ct_build {
	struct ct_topology *t;
	const struct ct_topology_options *o;
	struct nl_sock *host_sk;
	char *err;
	size_t errlen;
};

static void say(const struct ct_build *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(const struct ct_build *b, const char *fmt, ...)
{
	va_list ap;

	if (!b->o->verbose)
		return;
	fprintf(stderr, "connectivity: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int fail(struct ct_build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ct_build *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static struct nl_sock *route_socket_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk)
		return NULL;
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

static int route_socket_open_in(void *arg)
{
	struct nl_sock **sk = arg;

	*sk = route_socket_open();
	return *sk ? 0 : -1;
}

/* Does prefix a/alen overlap b/blen (same family, binary, network order)? */
static bool prefixes_overlap(const uint8_t *a, unsigned int alen, const uint8_t *b,
			     unsigned int blen)
{
	unsigned int bits = alen < blen ? alen : blen;

	for (unsigned int i = 0; i < bits / 8; i++)
		if (a[i] != b[i])
			return false;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));

		return (a[bits / 8] & mask) == (b[bits / 8] & mask);
	}
	return true;
}

/* Refuse a subnet some route of the host (other than a default route) already covers. */
static int subnet_check_free(struct ct_build *b, int family, const char *subnet)
{
	struct nl_addr *ours = NULL;
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	int err;

	err = nl_addr_parse(subnet, family, &ours);
	if (err < 0)
		return fail(b, "parsing %s: %s", subnet, nl_geterror(err));
	err = rtnl_route_alloc_cache(b->host_sk, family, 0, &cache);
	if (err < 0) {
		nl_addr_put(ours);
		return fail(b, "reading the host's routes: %s", nl_geterror(err));
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_route *route = (struct rtnl_route *)obj;
		struct nl_addr *dst = rtnl_route_get_dst(route);
		struct rtnl_nexthop *nh;
		char dst_text[64], dev[IF_NAMESIZE] = "?";

		if (!dst || nl_addr_get_prefixlen(dst) == 0 || nl_addr_get_family(dst) != family ||
		    !prefixes_overlap(nl_addr_get_binary_addr(dst), nl_addr_get_prefixlen(dst),
				      nl_addr_get_binary_addr(ours), nl_addr_get_prefixlen(ours)))
			continue;
		nh = rtnl_route_get_nnexthops(route) > 0 ? rtnl_route_nexthop_n(route, 0) : NULL;
		if (nh && !if_indextoname((unsigned int)rtnl_route_nh_get_ifindex(nh), dev))
			snprintf(dev, sizeof(dev), "?");
		nl_addr2str(dst, dst_text, sizeof(dst_text));
		err = fail(b,
			   "%s is already routed on this host (%s dev %s, table %u), and the "
			   "connectivity test needs that subnet for itself: remove that route or "
			   "run the test on another host",
			   subnet, dst_text, dev, rtnl_route_get_table(route));
		break;
	}
	nl_cache_free(cache);
	nl_addr_put(ours);
	return err < 0 ? -1 : 0;
}

/* As `ip netns add` does it: /run/netns a shared mount, so later mounts in it propagate. */
static int netns_run_dir_prepare(struct ct_build *b)
{
	bool bound = false;

	if (mkdir(CT_NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return fail(b, "creating %s: %s", CT_NETNS_RUN_DIR, strerror(errno));
	while (mount("", CT_NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		/* EINVAL: not a mount point yet; bind it onto itself once, then retry. */
		if (errno != EINVAL || bound)
			return fail(b, "making %s a shared mount: %s", CT_NETNS_RUN_DIR,
				    strerror(errno));
		if (mount(CT_NETNS_RUN_DIR, CT_NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return fail(b, "bind-mounting %s onto itself: %s", CT_NETNS_RUN_DIR,
				    strerror(errno));
		bound = true;
	}
	return 0;
}

/* A new network namespace bound to /run/netns/NAME by a child that unshares it. */
static int netns_add(struct ct_build *b, const char *name)
{
	char path[PATH_MAX];
	int fd, status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", CT_NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return fail(b, "creating %s: %s", path, strerror(errno));
	close(fd);
	pid = fork();
	if (pid < 0)
		return fail(b, "creating namespace %s: fork: %s", name, strerror(errno));
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(errno);
		if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			_exit(errno);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail(b, "creating namespace %s: waitpid: %s", name, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fail(b, "creating network namespace %s: %s", name,
			    WIFEXITED(status) ? strerror(WEXITSTATUS(status)) : "child killed");
	return 0;
}

static int link_set_up(struct ct_build *b, struct nl_sock *sk, const char *name, const char *where)
{
	struct rtnl_link *link = NULL, *change;
	int err;

	err = rtnl_link_get_kernel(sk, 0, name, &link);
	if (err < 0)
		return fail(b, "finding link %s in %s: %s", name, where, nl_geterror(err));
	change = rtnl_link_alloc();
	if (!change) {
		rtnl_link_put(link);
		return fail(b, "out of memory");
	}
	rtnl_link_set_flags(change, IFF_UP);
	err = rtnl_link_change(sk, link, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(link);
	if (err < 0)
		return fail(b, "setting %s up in %s: %s", name, where, nl_geterror(err));
	return 0;
}

static int link_index(struct ct_build *b, struct nl_sock *sk, const char *name, int *ifindex)
{
	struct rtnl_link *link = NULL;
	int err;

	err = rtnl_link_get_kernel(sk, 0, name, &link);
	if (err < 0)
		return fail(b, "finding link %s: %s", name, nl_geterror(err));
	*ifindex = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return 0;
}

/* ADDRESS/PREFIX on ifindex; IPv6 without duplicate address detection (usable at once). */
static int addr_add(struct ct_build *b, struct nl_sock *sk, int ifindex, const char *addr,
		    int prefixlen, const char *where)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = NULL;
	char text[64];
	int err;

	if (!a)
		return fail(b, "out of memory");
	snprintf(text, sizeof(text), "%s/%d", addr, prefixlen);
	err = nl_addr_parse(text, AF_UNSPEC, &local);
	if (err < 0) {
		rtnl_addr_put(a);
		return fail(b, "parsing %s: %s", text, nl_geterror(err));
	}
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_local(a, local);
	if (nl_addr_get_family(local) == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	err = rtnl_addr_add(sk, a, NLM_F_REPLACE);
	nl_addr_put(local);
	rtnl_addr_put(a);
	if (err < 0)
		return fail(b, "adding address %s in %s: %s", text, where, nl_geterror(err));
	return 0;
}

static int bridge_add(struct ct_build *b, int *ifindex)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int err;

	if (!link)
		return fail(b, "out of memory");
	say(b, "bridge %s with %s/24 and %s/64", CT_BRIDGE, CT_HOST_IPV4, CT_HOST_IPV6);
	rtnl_link_set_name(link, CT_BRIDGE);
	err = rtnl_link_set_type(link, "bridge");
	if (err >= 0) {
		rtnl_link_set_flags(link, IFF_UP);
		err = rtnl_link_add(b->host_sk, link, NLM_F_CREATE | NLM_F_EXCL);
	}
	rtnl_link_put(link);
	if (err < 0)
		return fail(b, "creating bridge %s: %s", CT_BRIDGE, nl_geterror(err));
	if (link_index(b, b->host_sk, CT_BRIDGE, ifindex) ||
	    addr_add(b, b->host_sk, *ifindex, CT_HOST_IPV4, 24, "the host") ||
	    addr_add(b, b->host_sk, *ifindex, CT_HOST_IPV6, 64, "the host"))
		return -1;
	return 0;
}

/* The veth pair of node n: host side on the bridge, the peer made as eth0 in its namespace. */
static int veth_add(struct ct_build *b, const struct ct_node *node, int bridge_ifindex)
{
	struct rtnl_link *link, *peer;
	char path[PATH_MAX];
	int ns_fd, err;

	snprintf(path, sizeof(path), "%s/%s", CT_NETNS_RUN_DIR, node->netns);
	ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns_fd < 0)
		return fail(b, "opening %s: %s", path, strerror(errno));
	link = rtnl_link_veth_alloc();
	if (!link) {
		close(ns_fd);
		return fail(b, "out of memory");
	}
	rtnl_link_set_name(link, node->veth);
	rtnl_link_set_master(link, bridge_ifindex);
	rtnl_link_set_flags(link, IFF_UP);
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(peer, "eth0");
	rtnl_link_set_ns_fd(peer, ns_fd);
	rtnl_link_put(peer);
	err = rtnl_link_add(b->host_sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(link);
	close(ns_fd);
	if (err < 0)
		return fail(b, "creating veth %s (eth0 in %s): %s", node->veth, node->netns,
			    nl_geterror(err));
	return 0;
}

static int default_route_add(struct ct_build *b, struct nl_sock *sk, int family,
			     const char *gateway, int ifindex, const char *where)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = NULL, *gw = NULL;
	int err;

	if (!route || !nh) {
		if (route)
			rtnl_route_put(route);
		if (nh)
			rtnl_route_nh_free(nh);
		return fail(b, "out of memory");
	}
	err = nl_addr_parse("default", family, &dst);
	if (err >= 0)
		err = nl_addr_parse(gateway, family, &gw);
	if (err >= 0) {
		rtnl_route_set_family(route, (uint8_t)family);
		rtnl_route_set_dst(route, dst);
		rtnl_route_nh_set_gateway(nh, gw);
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_add_nexthop(route, nh);
		nh = NULL;
		err = rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_REPLACE);
	}
	if (nh) /* not handed to the route: libnl's free does not take NULL */
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	nl_addr_put(gw);
	rtnl_route_put(route);
	if (err < 0)
		return fail(b, "adding a default route via %s in %s: %s", gateway, where,
			    nl_geterror(err));
	return 0;
}

/* lo and eth0 up, eth0's addresses, and with --external-* default routes via the bridge. */
static int node_configure(struct ct_build *b, const struct ct_node *node)
{
	struct nl_sock *sk = NULL;
	int ifindex = 0, err = -1;

	if (ct_in_node(b->t, (enum ct_node_id)(node - b->t->nodes), route_socket_open_in, &sk) < 0)
		return fail(b, "opening a netlink socket in %s: %s", node->netns, strerror(errno));
	if (link_set_up(b, sk, "lo", node->netns) || link_index(b, sk, "eth0", &ifindex) ||
	    addr_add(b, sk, ifindex, node->ipv4, 24, node->netns) ||
	    addr_add(b, sk, ifindex, node->ipv6, 64, node->netns) ||
	    link_set_up(b, sk, "eth0", node->netns))
		goto out;
	if (b->o->external &&
	    (default_route_add(b, sk, AF_INET, CT_HOST_IPV4, ifindex, node->netns) ||
	     default_route_add(b, sk, AF_INET6, CT_HOST_IPV6, ifindex, node->netns)))
		goto out;
	err = 0;
out:
	nl_socket_free(sk);
	return err;
}

/*
 * Forwarding and masquerade for --external-*. The rule goes through the nft
 * binary: libnftables (whose API is this same text) has no -dev package
 * installed here, and one rule does not justify a new build dependency.
 */
static int external_up(struct ct_build *b)
{
	char *const nft_load[] = {"nft", "-f", CT_STATE_DIR "/" CT_MASQUERADE_FILE, NULL};
	char path[PATH_MAX], forward[16];
	int err, rc;

	say(b, "forwarding and masquerade for %s (--external-*)", CT_SUBNET4);
	/* The marker first: a run killed half-way still has its cleanup find what to undo. */
	err = ct_file_write(CT_STATE_DIR "/" CT_EXTERNAL_FILE, "1\n", 0644);
	if (err)
		return fail(b, "writing %s/%s: %s", CT_STATE_DIR, CT_EXTERNAL_FILE, strerror(-err));
	snprintf(path, sizeof(path), "%s/%s", CT_STATE_DIR, CT_FORWARD_FILE);
	if (!ct_path_exists(path)) {
		err = ct_file_read(CT_IP_FORWARD_PATH, forward, sizeof(forward));
		if (!err)
			err = ct_file_write(path, forward, 0644);
		if (err)
			return fail(b, "saving %s: %s", CT_IP_FORWARD_PATH, strerror(-err));
	}
	err = ct_file_write(CT_IP_FORWARD_PATH, "1\n", 0644);
	if (err)
		return fail(b, "setting %s to 1: %s", CT_IP_FORWARD_PATH, strerror(-err));
	err = ct_file_write(CT_STATE_DIR "/" CT_MASQUERADE_FILE,
			    "add table ip " CT_NFT_TABLE "\n"
			    "flush table ip " CT_NFT_TABLE "\n"
			    "add chain ip " CT_NFT_TABLE " postrouting { type nat hook "
			    "postrouting priority srcnat; policy accept; }\n"
			    "add rule ip " CT_NFT_TABLE " postrouting ip saddr " CT_SUBNET4
			    " ip daddr != " CT_SUBNET4 " masquerade\n",
			    0644);
	if (err)
		return fail(b, "writing %s: %s", CT_MASQUERADE_FILE, strerror(-err));
	rc = ct_run_quietly(nft_load);
	if (rc != 0)
		return fail(b,
			    "nft -f %s/%s failed (%s %d): is nftables installed "
			    "(scripts/deps.sh) and nf_tables available?",
			    CT_STATE_DIR, CT_MASQUERADE_FILE, rc < 0 ? "error" : "exit status",
			    rc < 0 ? -rc : rc);
	b->t->external = true;
	return 0;
}

static int servers_start(struct ct_build *b)
{
	int waited = 0;

	say(b, "CA and HTTPS certificate in %s", CT_STATE_DIR);
	if (ct_tls_make_ca(b->err, b->errlen))
		return -1;
	for (int s = 0; s < CT_SERVER__COUNT; s++) {
		say(b, "server %s", ct_server_name(s));
		if (ct_server_start(b->t, s, b->err, b->errlen))
			return -1;
	}
	/* Listening already; this proves each answers through its own stack. */
	for (int s = 0; s < CT_SERVER__COUNT; s++) {
		while (!ct_server_answers(b->t, s, 200)) {
			waited += 200;
			if (waited >= CT_SERVERS_WAIT_MS)
				return fail(b,
					    "server %s did not answer within %d ms: see %s/%s.log",
					    ct_server_name(s), CT_SERVERS_WAIT_MS, CT_STATE_DIR,
					    ct_server_name(s));
		}
	}
	return 0;
}

static int ct_topology_build(struct ct_build *b)
{
	struct ct_topology *t = b->t;
	int bridge_ifindex = 0;

	if (subnet_check_free(b, AF_INET, CT_SUBNET4) || subnet_check_free(b, AF_INET6, CT_SUBNET6))
		return -1;
	if (mkdir("/run/netobs", 0755) < 0 && errno != EEXIST)
		return fail(b, "creating /run/netobs: %s", strerror(errno));
	if (mkdir(CT_STATE_DIR, 0755) < 0)
		return fail(b, "creating %s: %s", CT_STATE_DIR, strerror(errno));
	if (bridge_add(b, &bridge_ifindex) || netns_run_dir_prepare(b))
		return -1;
	for (int n = 0; n < CT_NODE__COUNT; n++) {
		say(b, "namespace %s: %s and %s on eth0, host side %s", t->nodes[n].netns,
		    t->nodes[n].ipv4, t->nodes[n].ipv6, t->nodes[n].veth);
		if (netns_add(b, t->nodes[n].netns) || veth_add(b, &t->nodes[n], bridge_ifindex) ||
		    node_configure(b, &t->nodes[n]))
			return -1;
	}
	if (b->o->external && external_up(b))
		return -1;
	return servers_start(b);
}

int ct_topology_up(struct ct_topology *t, const struct ct_topology_options *o, char *err,
		   size_t errlen)
{
	struct ct_build b = {.t = t, .o = o, .err = err, .errlen = errlen};
	int ret;

	ct_topology_describe(t);
	if (o->external_ip)
		snprintf(t->external_ip, sizeof(t->external_ip), "%s", o->external_ip);
	if (geteuid() != 0) {
		snprintf(err, errlen,
			 "the connectivity test builds network namespaces and a "
			 "bridge: run it as root");
		return -1;
	}
	if (ct_host_netns_fd() < 0) {
		snprintf(err, errlen, "opening this process's network namespace: %s",
			 strerror(errno));
		return -1;
	}
	if (ct_topology_complete(t)) {
		char path[PATH_MAX];

		say(&b, "taking the topology an earlier run kept (--cleanup=false) as it is");
		t->reused = true;
		for (int s = 0; s < CT_SERVER__COUNT; s++)
			t->servers[s] = ct_server_pid_read(s);
		snprintf(path, sizeof(path), "%s/%s", CT_STATE_DIR, CT_EXTERNAL_FILE);
		t->external = ct_path_exists(path);
		if (!o->external || t->external)
			return 0;
		b.host_sk = route_socket_open();
		if (!b.host_sk) {
			snprintf(err, errlen,
				 "opening a netlink socket: out of memory or no "
				 "NETLINK_ROUTE");
			return -1;
		}
		ret = 0;
		for (int n = 0; n < CT_NODE__COUNT && !ret; n++) {
			struct nl_sock *sk = NULL;
			int ifindex = 0;

			if (ct_in_node(t, n, route_socket_open_in, &sk) < 0) {
				ret = fail(&b, "opening a netlink socket in %s: %s",
					   t->nodes[n].netns, strerror(errno));
				break;
			}
			ret = link_index(&b, sk, "eth0", &ifindex) ||
			      default_route_add(&b, sk, AF_INET, CT_HOST_IPV4, ifindex,
						t->nodes[n].netns) ||
			      default_route_add(&b, sk, AF_INET6, CT_HOST_IPV6, ifindex,
						t->nodes[n].netns);
			nl_socket_free(sk);
		}
		if (!ret)
			ret = external_up(&b);
		nl_socket_free(b.host_sk);
		return ret ? -1 : 0;
	}
	if (ct_topology_exists()) {
		fprintf(stderr, "connectivity: removing a partial topology an earlier run left\n");
		ct_topology_down(t);
	}
	b.host_sk = route_socket_open();
	if (!b.host_sk) {
		snprintf(err, errlen,
			 "opening a netlink socket: out of memory or no NETLINK_ROUTE");
		return -1;
	}
	ret = ct_topology_build(&b);
	nl_socket_free(b.host_sk);
	if (ret) {
		ct_topology_down(t);
		return -1;
	}
	return 0;
}
