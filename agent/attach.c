// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Keeping each endpoint's hooks attached: after every rescan, and off at exit. */
#include <errno.h>
#include <string.h>
#include <net/if.h>

#include "agent.h"
#include "attach.h"
#include "log.h"
#include "agent_policy.h"

static void endpoint_attach_tc(struct agent *a, struct endpoint *ep, int hook)
{
	bool created = false;
	int rc;

	if (ep->hooks & (1U << hook))
		return;
	rc = datapath_attach_tc(&a->dp, ep->ifindex, hook, ep->l3_device, &created);
	if (rc) {
		if (ep->attach_error != rc)
			log_warn("cannot attach TC %s to %s (ifindex %u): %s; its traffic is not "
				 "counted there",
				 hook == NETOBS_HOOK_TC_INGRESS ? "ingress" : "egress", ep->ifname,
				 ep->ifindex,
				 rc == -EBUSY
					 ? "another filter holds netobs's place (handle 0x4e42 "
					   "prio 1); netobs does not replace it"
					 : strerror(-rc));
		ep->attach_error = rc;
		return;
	}
	ep->hooks |= (uint8_t)(1U << hook);
	if (created)
		ep->created_qdisc |= (uint8_t)(1U << hook);
}

static void endpoint_attach(struct agent *a, struct endpoint *ep)
{
	/* netobs_xdp parses an Ethernet header; an L3 device's frames have none. */
	if (ep->want_xdp && !ep->xdp_error && ep->l3_device) {
		ep->xdp_error = -EOPNOTSUPP;
		log_error("refusing XDP on %s: it has no Ethernet header (tun, WireGuard or IP "
			  "tunnel) and netobs's XDP program parses one; counting its ingress with "
			  "TC instead",
			  ep->ifname);
	}
	if (ep->want_xdp && !ep->xdp_error && !(ep->hooks & ENDPOINT_HOOK_XDP)) {
		int rc = datapath_attach_xdp(&a->dp, ep->ifindex);

		if (rc) {
			ep->xdp_error = rc;
			log_warn(
				"cannot attach XDP to %s: %s; counting its ingress with TC instead",
				ep->ifname,
				rc == -EBUSY ? "another XDP program is attached (netobs does not "
					       "replace it)"
					     : strerror(-rc));
		} else {
			ep->hooks |= ENDPOINT_HOOK_XDP;
		}
	}
	/* One ingress hook per interface: a packet is never counted twice
	 * there. Except where a policy is enforced: that is TC's job (XDP
	 * only observes), so TC ingress goes on too, and the interface's
	 * ingress is counted at both hooks, each exactly. */
	if (!(ep->hooks & ENDPOINT_HOOK_XDP) || agent_policy_enforces(a, ep->ifindex))
		endpoint_attach_tc(a, ep, NETOBS_HOOK_TC_INGRESS);
	endpoint_attach_tc(a, ep, NETOBS_HOOK_TC_EGRESS);
	if (ep->hooks && (ep->hooks & ENDPOINT_HOOK_TC_EGRESS) &&
	    (ep->hooks & (ENDPOINT_HOOK_TC_INGRESS | ENDPOINT_HOOK_XDP)))
		ep->attach_error = 0;
}

/* Take netobs's hooks off an interface; say what could not be removed. */
static void endpoint_detach(struct agent *a, uint32_t ifindex, uint8_t hooks, bool created_qdisc)
{
	static const char *const sides[] = {"ingress", "egress"};
	int rc;

	if (hooks & ENDPOINT_HOOK_XDP) {
		rc = datapath_detach_xdp(&a->dp, ifindex);
		if (rc && rc != -ENODEV)
			log_warn("cannot detach XDP from ifindex %u: %s; remove it with `ip link "
				 "set "
				 "dev IFACE xdp off`",
				 ifindex, strerror(-rc));
	}
	for (int hook = NETOBS_HOOK_TC_INGRESS; hook <= NETOBS_HOOK_TC_EGRESS; hook++) {
		if (!(hooks & (1U << hook)))
			continue;
		rc = datapath_detach_tc(&a->dp, ifindex, hook, created_qdisc);
		if (rc && rc != -ENODEV && rc != -ENOENT)
			log_warn("cannot detach TC %s from ifindex %u: %s; remove it with `tc "
				 "filter "
				 "del dev IFACE %s handle 0x%x prio %d bpf`",
				 sides[hook], ifindex, strerror(-rc), sides[hook], NETOBS_TC_HANDLE,
				 NETOBS_TC_PRIORITY);
	}
}

void agent_sync_endpoints(struct agent *a)
{
	static struct endpoint_gone gone[ENDPOINT_MAX];
	unsigned int before = a->endpoints->count, ngone;
	int rc = endpoints_rescan(a->endpoints, &a->endpoint_changes, gone, &ngone);
	char name[IF_NAMESIZE];

	if (rc) {
		log_warn("endpoint rescan failed: %s; keeping the previous endpoint list until "
			 "the next link or address event",
			 strerror(-rc));
		/* What was noted is not known to be done: the next rescan reads all. */
		a->endpoint_changes.full = true;
		return;
	}
	endpoint_changes_clear(&a->endpoint_changes);
	for (unsigned int i = 0; i < ngone; i++) {
		/* Still there but no endpoint any more (renamed out of --interfaces,
		 * say): take our hooks off. A deleted one took them along. */
		if (gone[i].hooks && if_indextoname(gone[i].ifindex, name))
			endpoint_detach(a, gone[i].ifindex, gone[i].hooks, gone[i].created_qdisc);
		datapath_forget_interface(&a->dp, gone[i].ifindex);
		harvest_end_interface(a, gone[i].ifindex);
	}
	/* Endpoints and addresses are the policies' subjects and peers:
	 * compiled in before a new endpoint's programs go on, so its first
	 * packet is judged by the whole policy. */
	agent_policy_endpoints_changed(a);
	for (unsigned int i = 0; i < a->endpoints->count; i++)
		endpoint_attach(a, &a->endpoints->eps[i]);
	if (a->endpoints->count != before)
		log_info("%u endpoints", a->endpoints->count);
}

void agent_attach_endpoints(struct agent *a)
{
	for (unsigned int i = 0; i < a->endpoints->count; i++)
		endpoint_attach(a, &a->endpoints->eps[i]);
}

void agent_reclaim_stale(struct agent *a)
{
	struct if_nameindex *ifs = if_nameindex();
	unsigned int total = 0;

	(void)a;
	if (!ifs) {
		log_warn("cannot list interfaces (%s): programs an earlier agent left attached "
			 "stay; remove them with `netobs-agent` stopped and `tc filter del` / `ip "
			 "link set dev IFACE xdp off`",
			 strerror(errno));
		return;
	}
	/* Every interface, not only those this agent will watch: one an earlier
	 * agent watched would otherwise keep counting into orphaned maps. */
	for (struct if_nameindex *i = ifs; i->if_index; i++) {
		unsigned int removed = 0;
		int rc = datapath_reclaim_interface(i->if_index, &removed);

		if (rc && rc != -ENODEV)
			log_warn("cannot remove what an earlier netobs-agent left on %s: %s; "
				 "remove netobs_* filters with `tc filter del dev %s ...` and XDP "
				 "with `ip link set dev %s xdp off`",
				 i->if_name, strerror(-rc), i->if_name, i->if_name);
		total += removed;
	}
	if_freenameindex(ifs);
	if (total)
		log_info("removed %u program attachment(s) an earlier netobs-agent left", total);
}

void agent_detach_all(struct agent *a)
{
	/* Enforcing a policy: the TC links stay (pinned) for the next agent;
	 * XDP, which only observes, goes. */
	uint8_t keep = a->dp.persistent ? ENDPOINT_HOOK_TC_INGRESS | ENDPOINT_HOOK_TC_EGRESS : 0;

	for (unsigned int i = 0; i < a->endpoints->count; i++) {
		struct endpoint *ep = &a->endpoints->eps[i];

		endpoint_detach(a, ep->ifindex, ep->hooks & ~keep, ep->created_qdisc != 0);
		ep->hooks = 0;
	}
	if (keep)
		log_info("policy enforcement stays attached (pinned under %s/links) until the "
			 "next netobs-agent takes it over; `netobs-agent --cleanup` removes it",
			 a->dp.pin_dir);
}
