// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Keeping each endpoint's hooks attached: after every rescan, and off at exit. */
#include <errno.h>
#include <string.h>

#include "agent.h"
#include "attach.h"
#include "log.h"

static void endpoint_attach_tc(struct agent *a, struct endpoint *ep, int hook)
{
	bool created = false;
	int rc;

	if (ep->hooks & (1U << hook))
		return;
	rc = datapath_attach_tc(&a->dp, ep->ifindex, hook, &created);
	if (rc) {
		if (ep->attach_error != rc)
			log_warn("cannot attach TC %s to %s (ifindex %u): %s; its traffic is not "
				 "counted there",
				 hook == NETOBS_HOOK_TC_INGRESS ? "ingress" : "egress", ep->ifname,
				 ep->ifindex, strerror(-rc));
		ep->attach_error = rc;
		return;
	}
	ep->hooks |= (uint8_t)(1U << hook);
	if (created)
		ep->created_qdisc |= (uint8_t)(1U << hook);
}

static void endpoint_attach(struct agent *a, struct endpoint *ep)
{
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
	/* One ingress hook per interface: a packet is never counted twice there. */
	if (!(ep->hooks & ENDPOINT_HOOK_XDP))
		endpoint_attach_tc(a, ep, NETOBS_HOOK_TC_INGRESS);
	endpoint_attach_tc(a, ep, NETOBS_HOOK_TC_EGRESS);
	if (ep->hooks && (ep->hooks & ENDPOINT_HOOK_TC_EGRESS) &&
	    (ep->hooks & (ENDPOINT_HOOK_TC_INGRESS | ENDPOINT_HOOK_XDP)))
		ep->attach_error = 0;
}

void agent_sync_endpoints(struct agent *a)
{
	unsigned int before = a->endpoints->count, nremoved;
	uint32_t removed[ENDPOINT_MAX];
	int rc = endpoints_rescan(a->endpoints, removed, &nremoved);

	if (rc) {
		log_warn("endpoint rescan failed: %s; keeping the previous endpoint list",
			 strerror(-rc));
		return;
	}
	for (unsigned int i = 0; i < nremoved; i++)
		harvest_end_interface(a, removed[i]);
	for (unsigned int i = 0; i < a->endpoints->count; i++)
		endpoint_attach(a, &a->endpoints->eps[i]);
	if (a->endpoints->count != before)
		log_info("%u endpoints", a->endpoints->count);
}

void agent_detach_all(struct agent *a)
{
	for (unsigned int i = 0; i < a->endpoints->count; i++) {
		struct endpoint *ep = &a->endpoints->eps[i];

		if (ep->hooks & ENDPOINT_HOOK_XDP)
			datapath_detach_xdp(&a->dp, ep->ifindex);
		if (ep->hooks & ENDPOINT_HOOK_TC_INGRESS)
			datapath_detach_tc(&a->dp, ep->ifindex, NETOBS_HOOK_TC_INGRESS,
					   ep->created_qdisc != 0);
		if (ep->hooks & ENDPOINT_HOOK_TC_EGRESS)
			datapath_detach_tc(&a->dp, ep->ifindex, NETOBS_HOOK_TC_EGRESS,
					   ep->created_qdisc != 0);
		ep->hooks = 0;
	}
}
