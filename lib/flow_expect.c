// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Flow validation patterns (lib/flow_expect.h). What the agent emits for
 * one action, as the patterns read it:
 *   - every packet may be seen at up to two endpoints' hooks (the client's
 *     veth and the server's), so each step may be shown twice: a step is
 *     satisfied by the first record that shows it;
 *   - a flow's NEW record carries its first packet's flags (l4.TCP.flags):
 *     the SYN is the initiator's NEW, the SYN-ACK the NEW of the reply
 *     direction (is_reply true); a NEW that harvest found because its
 *     ring-buffer event was lost has no packet flags, only stats.tcp_flags;
 *   - FIN and RST come as TCP_FLAGS records, or only in stats.tcp_flags of
 *     later UPDATE/END records when their events were lost;
 *   - an ICMP echo reply is the reply direction's NEW; but the flow key of
 *     ICMP has no echo identifier, so a second ping between the same two
 *     addresses while the agent still tracks the first one's flows makes no
 *     NEW: its packets show only in the next UPDATE (last_seen);
 *   - DNS and HTTP messages are L7 records of their own.
 * Steps are taken in the order of their packets' times (a record's own
 * time; an UPDATE's or END's last_seen, since harvest writes those in no
 * order of their packets), each by the earliest record that shows it at or
 * after the previous step's; one record may show several consecutive steps
 * (a DROPPED SYN is the SYN and the drop). A TCP or UDP pattern follows the
 * one connection its first step found (the client's port), so the END of
 * an earlier connection on the same server port does not count.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "flow_expect.h"

#define ICMP_ECHO_REPLY	      0
#define ICMP_ECHO_REQUEST     8
#define ICMPV6_ECHO_REQUEST   128
#define ICMPV6_ECHO_REPLY     129
#define FLOW_EXPECT_STEPS_MAX 4

/* Which way a record goes between the action's two addresses. */
enum flow_side {
	FLOW_SIDE_NONE = 0,
	FLOW_SIDE_FORWARD, /* client -> server */
	FLOW_SIDE_REVERSE, /* server -> client */
};

enum flow_step {
	STEP_TCP_SYN,
	STEP_TCP_SYNACK,
	STEP_TCP_CLOSE, /* a FIN or an RST, either way */
	STEP_DROP,
	STEP_UDP_REQUEST,
	STEP_UDP_REPLY,
	STEP_ICMP_REQUEST,
	STEP_ICMP_REPLY,
	STEP_DNS_REQUEST,
	STEP_DNS_RESPONSE,
	STEP_HTTP_REQUEST,
	STEP_HTTP_RESPONSE,
	STEP_POLICY_ALLOWED, /* the client's packets' policy-verdict record names the policy */
	STEP_POLICY_AUDIT,   /* a record of the client's packets has verdict AUDIT */
};

struct flow_pattern {
	unsigned int len;
	enum flow_step steps[FLOW_EXPECT_STEPS_MAX];
};

static const struct flow_pattern patterns[] = {
	[FLOW_EXPECT_TCP] = {3, {STEP_TCP_SYN, STEP_TCP_SYNACK, STEP_TCP_CLOSE}},
	[FLOW_EXPECT_TCP_DENIED] = {2, {STEP_TCP_SYN, STEP_DROP}},
	[FLOW_EXPECT_UDP] = {2, {STEP_UDP_REQUEST, STEP_UDP_REPLY}},
	[FLOW_EXPECT_ICMP] = {2, {STEP_ICMP_REQUEST, STEP_ICMP_REPLY}},
	[FLOW_EXPECT_DNS] = {2, {STEP_DNS_REQUEST, STEP_DNS_RESPONSE}},
	[FLOW_EXPECT_HTTP] = {2, {STEP_HTTP_REQUEST, STEP_HTTP_RESPONSE}},
};

/*
 * e's pattern: the kind's steps, with the policy steps e asks for right
 * after the SYN (they are the SYN's own records, at the server's veth).
 */
static void pattern_of(const struct flow_expect *e, struct flow_pattern *p)
{
	unsigned int i, extra = 0;
	enum flow_step add[2];

	*p = patterns[e->kind];
	if (e->kind != FLOW_EXPECT_TCP)
		return;
	if (e->policy_name)
		add[extra++] = STEP_POLICY_ALLOWED;
	if (e->audit)
		add[extra++] = STEP_POLICY_AUDIT;
	if (!extra || p->len + extra > FLOW_EXPECT_STEPS_MAX)
		return;
	for (i = p->len - 1; i >= 1; i--)
		p->steps[i + extra] = p->steps[i];
	for (i = 0; i < extra; i++)
		p->steps[1 + i] = add[i];
	p->len += extra;
}

static bool kind_known(enum flow_expect_kind kind)
{
	return kind >= FLOW_EXPECT_TCP && kind <= FLOW_EXPECT_HTTP;
}

const char *flow_expect_kind_name(enum flow_expect_kind kind)
{
	switch (kind) {
	case FLOW_EXPECT_TCP:
		return "tcp";
	case FLOW_EXPECT_TCP_DENIED:
		return "tcp-denied";
	case FLOW_EXPECT_UDP:
		return "udp";
	case FLOW_EXPECT_ICMP:
		return "icmp";
	case FLOW_EXPECT_DNS:
		return "dns";
	case FLOW_EXPECT_HTTP:
		return "http";
	}
	return "unknown";
}

static size_t addr_len(uint8_t family)
{
	return family == NETOBS_FAMILY_IPV6 ? 16 : 4;
}

static enum flow_side record_side(const struct flow_expect *e, const struct netobs_flow_key *k)
{
	size_t len = addr_len(e->family);

	if (k->family != e->family)
		return FLOW_SIDE_NONE;
	if (!memcmp(k->saddr, e->client, len) && !memcmp(k->daddr, e->server, len))
		return FLOW_SIDE_FORWARD;
	if (!memcmp(k->saddr, e->server, len) && !memcmp(k->daddr, e->client, len))
		return FLOW_SIDE_REVERSE;
	return FLOW_SIDE_NONE;
}

static bool proto_fits(const struct flow_expect *e, uint8_t proto)
{
	switch (e->kind) {
	case FLOW_EXPECT_TCP:
	case FLOW_EXPECT_TCP_DENIED:
	case FLOW_EXPECT_HTTP:
		return proto == IPPROTO_TCP;
	case FLOW_EXPECT_UDP:
		return proto == IPPROTO_UDP;
	case FLOW_EXPECT_DNS: /* DNS over TCP too: a truncated answer's retry */
		return proto == IPPROTO_UDP || proto == IPPROTO_TCP;
	case FLOW_EXPECT_ICMP:
		return proto == (e->family == NETOBS_FAMILY_IPV6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	}
	return false;
}

/* The client's port of a port-carrying record (0 for ICMP). */
static uint16_t client_port(const struct netobs_flow_key *k, enum flow_side side)
{
	return ntohs(side == FLOW_SIDE_FORWARD ? k->sport : k->dport);
}

bool flow_expect_relevant(const struct flow_expect *e, const struct netobs_record *rec)
{
	const struct netobs_flow_key *k;
	enum flow_side side;

	if (!kind_known(e->kind) || rec->kind != NETOBS_RECORD_FLOW || rec->time_ns < e->since_ns)
		return false;
	k = &rec->flow.key;
	side = record_side(e, k);
	if (side == FLOW_SIDE_NONE || !proto_fits(e, k->proto))
		return false;
	if (e->kind == FLOW_EXPECT_ICMP)
		return true;
	return ntohs(side == FLOW_SIDE_FORWARD ? k->dport : k->sport) == e->port;
}

/* Everything one check knows while it walks the records. */
struct flow_walk {
	const struct flow_expect *e;
	uint16_t conn_port;  /* the client's port of the connection followed; 0 none yet */
	char near_miss[128]; /* the closest record to the missing step, said as why it differs */
	char client[INET6_ADDRSTRLEN], server[INET6_ADDRSTRLEN + 2];
	char server_port[INET6_ADDRSTRLEN + 10]; /* "10.0.0.2:7000", "[fd00::2]:7000" */
};

/*
 * Does a record show a packet whose flags, of SYN and ACK, are exactly
 * want? A NEW or TCP_FLAGS record shows its packet's flags; a NEW that
 * harvest found (its ring-buffer event lost) has only the union, where a
 * SYN says its direction opened with one (SYN or SYN-ACK; the ACK of later
 * packets is mixed in).
 */
static bool shows_syn(const struct netobs_flow_record *f, uint16_t want)
{
	if (f->tcp_flags)
		return (f->tcp_flags & (NETOBS_TCP_SYN | NETOBS_TCP_ACK)) == want;
	return f->event == NETOBS_FLOW_EVENT_NEW && (f->tcp_flags_seen & NETOBS_TCP_SYN);
}

static bool same_connection(struct flow_walk *w, const struct netobs_flow_key *k,
			    enum flow_side side)
{
	return !w->conn_port || client_port(k, side) == w->conn_port;
}

static bool dns_name_equal(const char *record_query, const char *wanted)
{
	size_t wanted_len = strlen(wanted);

	if (!strcasecmp(record_query, wanted))
		return true;
	/* "example.com" asked for "example.com.": the trailing dot is the record's form */
	return wanted_len && wanted[wanted_len - 1] != '.' &&
	       !strncasecmp(record_query, wanted, wanted_len) &&
	       !strcmp(record_query + wanted_len, ".");
}

static bool l7_step_matches(struct flow_walk *w, enum flow_step step, const struct netobs_l7 *l7,
			    enum flow_side side)
{
	const struct flow_expect *e = w->e;
	char got[16], want[16];

	switch (step) {
	case STEP_DNS_REQUEST:
	case STEP_DNS_RESPONSE:
		if (l7->kind != NETOBS_L7_DNS)
			return false;
		if (step == STEP_DNS_REQUEST &&
		    (side != FLOW_SIDE_FORWARD || l7->type != NETOBS_L7_REQUEST))
			return false;
		if (step == STEP_DNS_RESPONSE &&
		    (side != FLOW_SIDE_REVERSE || l7->type != NETOBS_L7_RESPONSE))
			return false;
		if (e->dns_query && !dns_name_equal(l7->dns.query, e->dns_query)) {
			snprintf(w->near_miss, sizeof(w->near_miss), "the DNS %s was for %.90s",
				 step == STEP_DNS_REQUEST ? "request" : "response", l7->dns.query);
			return false;
		}
		if (step == STEP_DNS_RESPONSE && l7->dns.rcode != e->dns_rcode) {
			snprintf(w->near_miss, sizeof(w->near_miss),
				 "the DNS response had rcode %s, expected %s",
				 dns_rcode_name(l7->dns.rcode, got, sizeof(got)),
				 dns_rcode_name((unsigned int)e->dns_rcode, want, sizeof(want)));
			return false;
		}
		return true;
	case STEP_HTTP_REQUEST:
	case STEP_HTTP_RESPONSE:
		if (l7->kind != NETOBS_L7_HTTP)
			return false;
		if (step == STEP_HTTP_REQUEST &&
		    (side != FLOW_SIDE_FORWARD || l7->type != NETOBS_L7_REQUEST))
			return false;
		if (step == STEP_HTTP_RESPONSE &&
		    (side != FLOW_SIDE_REVERSE || l7->type != NETOBS_L7_RESPONSE))
			return false;
		/* A response carries its request's method, none when its request went unseen. */
		if (e->http_method && (step == STEP_HTTP_REQUEST || l7->http.method[0]) &&
		    strcasecmp(l7->http.method, e->http_method)) {
			snprintf(w->near_miss, sizeof(w->near_miss),
				 "the HTTP %s had method %.16s, expected %.16s",
				 step == STEP_HTTP_REQUEST ? "request" : "response",
				 l7->http.method, e->http_method);
			return false;
		}
		if (step == STEP_HTTP_RESPONSE && l7->http.code != e->http_code) {
			snprintf(w->near_miss, sizeof(w->near_miss),
				 "the HTTP response had status %u, expected %u", l7->http.code,
				 e->http_code);
			return false;
		}
		return true;
	default:
		return false;
	}
}

/*
 * When rec's packet was seen: an UPDATE or END stands for its flow
 * direction's packets up to last_seen; a NEW that harvest found (its
 * ring-buffer event lost) carries the harvest's time but its flow's
 * first_seen; the others' time is their packet's.
 */
static uint64_t packet_time(const struct netobs_record *rec)
{
	const struct netobs_flow_record *f = &rec->flow;

	if (f->l7)
		return rec->time_ns;
	if (f->event == NETOBS_FLOW_EVENT_UPDATE || f->event == NETOBS_FLOW_EVENT_END)
		return f->last_seen_ns ? f->last_seen_ns : rec->time_ns;
	if (f->event == NETOBS_FLOW_EVENT_NEW && f->first_seen_ns &&
	    f->first_seen_ns < rec->time_ns)
		return f->first_seen_ns;
	return rec->time_ns;
}

/*
 * Can rec show a step of e's action? An UPDATE or END harvested after the
 * action began may count only packets from before it (an earlier action's):
 * its last packet must be the action's.
 */
static bool shows_action_packet(const struct flow_expect *e, const struct netobs_record *rec)
{
	const struct netobs_flow_record *f = &rec->flow;

	if (f->l7 || (f->event != NETOBS_FLOW_EVENT_UPDATE && f->event != NETOBS_FLOW_EVENT_END))
		return true;
	return packet_time(rec) >= e->since_ns;
}

static const char *policy_name_of(const struct netobs_flow_record *f)
{
	return f->policy && f->policy->name[0] ? f->policy->name : NULL;
}

/*
 * A drop of the client's SYN on the connection followed (the dropped
 * packets' own flow entry: its flags seen hold the SYN), with the reason,
 * direction and policy e asks for?
 */
static bool drop_matches(struct flow_walk *w, const struct netobs_flow_record *f,
			 enum flow_side side)
{
	const struct flow_expect *e = w->e;
	const char *policy = policy_name_of(f);

	if (f->verdict != NETOBS_VERDICT_DROPPED || side != FLOW_SIDE_FORWARD ||
	    !same_connection(w, &f->key, side) ||
	    !((f->tcp_flags | f->tcp_flags_seen) & NETOBS_TCP_SYN))
		return false;
	if (e->drop_reason && f->drop_reason != e->drop_reason) {
		snprintf(w->near_miss, sizeof(w->near_miss), "a drop with reason %s",
			 netobs_drop_reason_name(f->drop_reason));
		return false;
	}
	if (e->drop_direction && f->direction != e->drop_direction) {
		snprintf(w->near_miss, sizeof(w->near_miss), "a drop at %s",
			 netobs_direction_name(f->direction));
		return false;
	}
	if (e->policy_name && (!policy || strcmp(policy, e->policy_name))) {
		snprintf(w->near_miss, sizeof(w->near_miss), "a drop by %.90s",
			 policy ? policy : "no named policy");
		return false;
	}
	return true;
}

/* The client's packet judged by a rule of e's policy, or let through by audit mode. */
static bool policy_step_matches(struct flow_walk *w, enum flow_step step,
				const struct netobs_flow_record *f, enum flow_side side)
{
	const char *policy = policy_name_of(f);

	if (side != FLOW_SIDE_FORWARD || !same_connection(w, &f->key, side))
		return false;
	if (step == STEP_POLICY_AUDIT)
		return f->verdict == NETOBS_VERDICT_AUDIT;
	if (f->policy_verdict != NETOBS_PV_ALLOWED)
		return false;
	if (!policy || strcmp(policy, w->e->policy_name)) {
		snprintf(w->near_miss, sizeof(w->near_miss), "allowed by %.90s",
			 policy ? policy : "no named policy");
		return false;
	}
	return true;
}

/* Does rec show step (of the connection followed, once there is one)? */
static bool step_matches(struct flow_walk *w, enum flow_step step, const struct netobs_record *rec)
{
	const struct netobs_flow_record *f = &rec->flow;
	enum flow_side side = record_side(w->e, &f->key);

	if (step == STEP_DROP)
		return drop_matches(w, f, side);
	if (step == STEP_POLICY_ALLOWED || step == STEP_POLICY_AUDIT)
		return !f->l7 && policy_step_matches(w, step, f, side);
	if (f->l7)
		return l7_step_matches(w, step, f->l7, side);
	switch (step) {
	case STEP_TCP_SYN:
		return side == FLOW_SIDE_FORWARD && shows_syn(f, NETOBS_TCP_SYN);
	case STEP_TCP_SYNACK:
		return side == FLOW_SIDE_REVERSE && same_connection(w, &f->key, side) &&
		       shows_syn(f, NETOBS_TCP_SYN | NETOBS_TCP_ACK);
	case STEP_TCP_CLOSE:
		/* Lost TCP_FLAGS events leave the FIN or RST in the later records' union. */
		return same_connection(w, &f->key, side) &&
		       ((f->tcp_flags | f->tcp_flags_seen) & (NETOBS_TCP_FIN | NETOBS_TCP_RST));
	case STEP_UDP_REQUEST:
		return side == FLOW_SIDE_FORWARD;
	case STEP_UDP_REPLY:
		return side == FLOW_SIDE_REVERSE && same_connection(w, &f->key, side);
	case STEP_ICMP_REQUEST:
		return side == FLOW_SIDE_FORWARD &&
		       f->key.icmp_type == (w->e->family == NETOBS_FAMILY_IPV6 ? ICMPV6_ECHO_REQUEST
									       : ICMP_ECHO_REQUEST);
	case STEP_ICMP_REPLY:
		return side == FLOW_SIDE_REVERSE &&
		       f->key.icmp_type == (w->e->family == NETOBS_FAMILY_IPV6 ? ICMPV6_ECHO_REPLY
									       : ICMP_ECHO_REPLY);
	default:
		return false;
	}
}

/* The step, said as what is missing: "no SYN-ACK from 10.0.0.2:7000 to 10.0.0.1". */
static void step_missing(const struct flow_walk *w, enum flow_step step, char *buf, size_t len)
{
	const char *c = w->client, *s = w->server, *sp = w->server_port;
	const struct flow_expect *e = w->e;
	char rcode[16];

	switch (step) {
	case STEP_TCP_SYN:
		snprintf(buf, len, "no SYN from %s to %s", c, sp);
		break;
	case STEP_TCP_SYNACK:
		snprintf(buf, len, "no SYN-ACK from %s to %s", sp, c);
		break;
	case STEP_TCP_CLOSE:
		snprintf(buf, len, "no FIN or RST between %s and %s", c, sp);
		break;
	case STEP_DROP:
		if (e->drop_reason || e->drop_direction || e->policy_name)
			snprintf(buf, len, "no drop%s%s%s%s%s%.80s of the connection from %s to %s",
				 e->drop_reason ? " with reason " : "",
				 e->drop_reason ? netobs_drop_reason_name(e->drop_reason) : "",
				 e->drop_direction ? " at " : "",
				 e->drop_direction ? netobs_direction_name(e->drop_direction) : "",
				 e->policy_name ? " by " : "", e->policy_name ? e->policy_name : "",
				 c, sp);
		else
			snprintf(buf, len, "no drop of the connection from %s to %s", c, sp);
		break;
	case STEP_POLICY_ALLOWED:
		snprintf(buf, len, "no policy verdict allowing %s to %s by %.80s", c, sp,
			 e->policy_name);
		break;
	case STEP_POLICY_AUDIT:
		snprintf(buf, len, "no AUDIT verdict of the connection from %s to %s", c, sp);
		break;
	case STEP_UDP_REQUEST:
		snprintf(buf, len, "no UDP datagram from %s to %s", c, sp);
		break;
	case STEP_UDP_REPLY:
		snprintf(buf, len, "no UDP datagram back from %s to %s", sp, c);
		break;
	case STEP_ICMP_REQUEST:
		snprintf(buf, len, "no ICMP echo request from %s to %s", c, s);
		break;
	case STEP_ICMP_REPLY:
		snprintf(buf, len, "no ICMP echo reply from %s to %s", s, c);
		break;
	case STEP_DNS_REQUEST:
		snprintf(buf, len, "no DNS request for %.80s from %s to %s",
			 e->dns_query ? e->dns_query : "the name", c, sp);
		break;
	case STEP_DNS_RESPONSE:
		snprintf(buf, len, "no DNS response %s for %.80s from %s to %s",
			 dns_rcode_name((unsigned int)e->dns_rcode, rcode, sizeof(rcode)),
			 e->dns_query ? e->dns_query : "the name", sp, c);
		break;
	case STEP_HTTP_REQUEST:
		snprintf(buf, len, "no HTTP %.16s request from %s to %s",
			 e->http_method ? e->http_method : "", c, sp);
		break;
	case STEP_HTTP_RESPONSE:
		snprintf(buf, len, "no HTTP %u response from %s to %s", e->http_code, sp, c);
		break;
	}
}

static void walk_init(struct flow_walk *w, const struct flow_expect *e)
{
	memset(w, 0, sizeof(*w));
	w->e = e;
	netobs_addr_format(e->family, e->client, w->client, sizeof(w->client));
	netobs_addr_format(e->family, e->server, w->server, sizeof(w->server));
	if (e->kind == FLOW_EXPECT_ICMP)
		snprintf(w->server_port, sizeof(w->server_port), "%s", w->server);
	else if (e->family == NETOBS_FAMILY_IPV6)
		snprintf(w->server_port, sizeof(w->server_port), "[%s]:%u", w->server, e->port);
	else
		snprintf(w->server_port, sizeof(w->server_port), "%s:%u", w->server, e->port);
}

/*
 * Take p's steps in their packets' order, each by the earliest record that
 * shows it at or after the previous step's packet; r->steps says how far.
 */
static void pattern_walk(struct flow_walk *w, const struct flow_pattern *p,
			 const struct netobs_record *recs, size_t n, struct flow_expect_result *r)
{
	uint64_t after = 0, best_time = 0;
	size_t i;

	for (r->steps = 0; r->steps < p->len; r->steps++) {
		enum flow_step step = p->steps[r->steps];
		const struct netobs_record *best = NULL;

		for (i = 0; i < n; i++) {
			uint64_t t = packet_time(&recs[i]);

			if (!flow_expect_relevant(w->e, &recs[i]) ||
			    !shows_action_packet(w->e, &recs[i]) || t < after ||
			    (best && t >= best_time) || !step_matches(w, step, &recs[i]))
				continue;
			best = &recs[i];
			best_time = t;
		}
		if (!best)
			return;
		if (step == STEP_TCP_SYN || step == STEP_UDP_REQUEST)
			w->conn_port = client_port(&best->flow.key, FLOW_SIDE_FORWARD);
		after = best_time;
		w->near_miss[0] = '\0';
	}
}

bool flow_expect_check(const struct flow_expect *e, const struct netobs_record *recs, size_t n,
		       struct flow_expect_result *r)
{
	struct flow_pattern pattern, *p = &pattern;
	char forbidden[200] = "";
	struct flow_walk w;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!kind_known(e->kind)) {
		snprintf(r->reason, sizeof(r->reason), "unknown flow pattern %d", (int)e->kind);
		return false;
	}
	pattern_of(e, p);
	r->wanted = p->len;
	walk_init(&w, e);

	for (i = 0; i < n; i++) {
		const struct netobs_flow_record *f = &recs[i].flow;

		if (!flow_expect_relevant(e, &recs[i]))
			continue;
		r->records++;
		if (f->verdict != NETOBS_VERDICT_DROPPED)
			continue;
		r->drops++;
		if (e->kind != FLOW_EXPECT_TCP_DENIED && !*forbidden)
			snprintf(forbidden, sizeof(forbidden), "a drop from %s to %s",
				 record_side(e, &f->key) == FLOW_SIDE_FORWARD ? w.client
									      : w.server_port,
				 record_side(e, &f->key) == FLOW_SIDE_FORWARD ? w.server_port
									      : w.client);
	}
	pattern_walk(&w, p, recs, n, r);
	/* Denied: the connection followed must not have been answered. */
	for (i = 0; e->kind == FLOW_EXPECT_TCP_DENIED && r->steps && i < n; i++) {
		if (!*forbidden && flow_expect_relevant(e, &recs[i]) &&
		    step_matches(&w, STEP_TCP_SYNACK, &recs[i]))
			snprintf(forbidden, sizeof(forbidden),
				 "a SYN-ACK from %s to %s: the connection was answered, not denied",
				 w.server_port, w.client);
	}

	if (*forbidden) {
		snprintf(r->reason, sizeof(r->reason), "%s", forbidden);
		return false;
	}
	if (r->steps < p->len) {
		char missing[256];

		step_missing(&w, p->steps[r->steps], missing, sizeof(missing));
		if (*w.near_miss)
			snprintf(r->reason, sizeof(r->reason), "%.120s (%s)", missing, w.near_miss);
		else
			snprintf(r->reason, sizeof(r->reason), "%s", missing);
		return false;
	}
	r->matched = true;
	return true;
}
