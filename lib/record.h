/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one record model, from harvest to printer. The agent builds records
 * from ring-buffer events and harvested flow-map entries, stores them,
 * filters them and encodes them to Hubble-style JSON (record_json_encode.c, the one
 * place a record becomes JSON). The CLI decodes that JSON back into the same
 * struct to print compact and table lines.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "abi.h"
#include "dns.h"
#include "http.h"

#define NETOBS_NAME_MAX	  64
#define NETOBS_IFNAME_MAX 16

enum netobs_record_kind {
	NETOBS_RECORD_FLOW = 1,
	NETOBS_RECORD_LOST_EVENTS = 2,
};

/* Hubble's Verdict enum values. */
enum netobs_verdict {
	NETOBS_VERDICT_UNKNOWN = 0,
	NETOBS_VERDICT_FORWARDED = 1,
	NETOBS_VERDICT_DROPPED = 2,
	NETOBS_VERDICT_ERROR = 3,
	NETOBS_VERDICT_AUDIT = 4,
};

/* Hubble's TrafficDirection: relative to the endpoint, not the interface. */
enum netobs_traffic_direction {
	NETOBS_DIR_UNKNOWN = 0,
	NETOBS_DIR_INGRESS = 1,
	NETOBS_DIR_EGRESS = 2,
};

/* Hubble's TraceObservationPoint (the subset netobs produces). */
enum netobs_obs_point {
	NETOBS_OBS_UNKNOWN = 0,
	NETOBS_OBS_FROM_ENDPOINT = 5, /* TC ingress on an endpoint's host-side veth */
	NETOBS_OBS_FROM_NETWORK = 10, /* TC ingress / XDP on a non-endpoint interface */
	NETOBS_OBS_TO_NETWORK = 11,   /* TC egress on a non-endpoint interface */
	NETOBS_OBS_TO_ENDPOINT = 101, /* TC egress on an endpoint's host-side veth */
};

/*
 * Hubble's event_type of a flow record: Cilium's monitor message type, and
 * for traces the observation point as Cilium's datapath numbers it
 * (pkg/monitor/api TraceToLxc..TraceToNetwork), not as the
 * TraceObservationPoint enum above does.
 */
#define NETOBS_EVENT_TYPE_DROP		 1
#define NETOBS_EVENT_TYPE_TRACE		 4
#define NETOBS_EVENT_TYPE_POLICY_VERDICT 5
#define NETOBS_EVENT_TYPE_L7		 129
enum netobs_trace_subtype {
	NETOBS_TRACE_TO_LXC = 0,
	NETOBS_TRACE_FROM_LXC = 5,
	NETOBS_TRACE_FROM_NETWORK = 10,
	NETOBS_TRACE_TO_NETWORK = 11,
};

/* Hubble's TraceReason (the subset netobs produces). */
enum netobs_trace_reason {
	NETOBS_TRACE_REASON_NEW = 1,
	NETOBS_TRACE_REASON_ESTABLISHED = 2,
	NETOBS_TRACE_REASON_REPLY = 3,
};

/* Why this record was emitted (netobs's own field "flow_event"). */
enum netobs_flow_event_kind {
	NETOBS_FLOW_EVENT_NEW =
		0, /* first packet of the flow (ring buffer, or harvest if the event was lost) */
	NETOBS_FLOW_EVENT_TCP_FLAGS =
		1,		      /* a SYN, FIN or RST packet of a known flow (ring buffer) */
	NETOBS_FLOW_EVENT_UPDATE = 2, /* harvest: counters moved since the last record */
	NETOBS_FLOW_EVENT_END = 3,    /* flow ended; stats are final */
};

enum netobs_end_reason {
	NETOBS_END_NONE = 0,
	NETOBS_END_FIN = 1,    /* FIN seen, then quiet for one harvest */
	NETOBS_END_RST = 2,    /* RST seen, then quiet for one harvest */
	NETOBS_END_IDLE = 3,   /* no packet for the idle timeout */
	NETOBS_END_FORCED = 4, /* agent stopping or interface removed */
};

/* Hubble's LostEventSource. */
enum netobs_lost_source {
	NETOBS_LOST_UNKNOWN = 0,
	NETOBS_LOST_PERF_EVENT_RING_BUFFER = 1, /* BPF ring buffer full (datapath counter) */
	NETOBS_LOST_OBSERVER_EVENTS_QUEUE = 2,	/* a client's queue overflowed */
	NETOBS_LOST_HUBBLE_RING_BUFFER = 3,	/* record store overwrote records a reader wanted */
	/* netobs's own: packets in no flow, the flow map insert failed (datapath counters) */
	NETOBS_LOST_FLOW_MAP = 4,
};

/* Reserved identities (Cilium's numbers). */
#define NETOBS_IDENTITY_HOST  1
#define NETOBS_IDENTITY_WORLD 2

/* One side of a flow. */
struct netobs_peer {
	uint32_t id;		    /* endpoint ID, 0 when the address is no endpoint's */
	uint32_t identity;	    /* NETOBS_IDENTITY_HOST/WORLD for reserved, 0 for endpoints */
	char name[NETOBS_NAME_MAX]; /* endpoint name, "" when not an endpoint */
};

/* Hubble's L7FlowType. */
enum netobs_l7_type {
	NETOBS_L7_NONE = 0, /* an L3/L4 record */
	NETOBS_L7_REQUEST = 1,
	NETOBS_L7_RESPONSE = 2,
};

enum netobs_l7_kind {
	NETOBS_L7_DNS = 1,
	NETOBS_L7_HTTP = 2,
};

/*
 * Hubble's flow.l7.dns. Bounds are lib/dns.h's (what the decoder can report),
 * names in the decoder's presentation form: lower-cased, trailing dot.
 */
struct netobs_l7_dns {
	char query[DNS_NAME_TEXT_SIZE];
	uint32_t ttl;	/* seconds, smallest answer TTL (responses) */
	uint16_t rcode; /* responses; NOERROR is 0 and, as in Hubble's JSON, omitted */
	uint8_t ips_len, cnames_len, qtypes_len, rrtypes_len;
	struct dns_ip ips[DNS_IPS_MAX];
	char cnames[DNS_CNAMES_MAX][DNS_NAME_TEXT_SIZE];
	uint16_t qtypes[DNS_QTYPES_MAX];   /* DNS TYPE numbers; JSON writes their names */
	uint16_t rrtypes[DNS_RRTYPES_MAX]; /* distinct answer TYPEs */
};

/* Hubble's flow.l7.http. Bounds are lib/http.h's. */
struct netobs_l7_http {
	uint32_t code; /* status code (responses), 0 in requests */
	char method[NETOBS_HTTP_METHOD_MAX];
	char url[NETOBS_HTTP_URL_MAX]; /* http://HOST[:PORT]/path?query, as lib/http.h writes it */
	char protocol[NETOBS_HTTP_PROTOCOL_MAX];
	uint8_t headers_len;
	struct netobs_http_header headers[NETOBS_HTTP_HEADERS_MAX];
};

/*
 * The L7 part of a Type L7 flow record (Hubble's flow.l7). About 9.6 KiB
 * (DNS's nine worst-case names), thirty times an L3/L4 record, so it is not
 * inline: a flow record points at it (see struct netobs_flow_record).
 */
/* netobs_l7.flags */
enum netobs_l7_flags {
	/* A request no response answered: within the DNS timeout, or before
	 * the HTTP connection ended. JSON "unanswered": true. */
	NETOBS_L7_F_UNANSWERED = 1 << 0,
};

struct netobs_l7 {
	uint64_t latency_ns; /* response: time since its request; 0 unknown or a request */
	uint8_t type;	     /* enum netobs_l7_type, never NONE */
	uint8_t kind;	     /* enum netobs_l7_kind: which of dns, http is set */
	uint8_t flags;	     /* enum netobs_l7_flags */
	union {
		struct netobs_l7_dns dns;
		struct netobs_l7_http http;
	};
};

/* Names learned from DNS answers for one address (Hubble's source_names / destination_names). */
#define NETOBS_NAMES_MAX     4
#define NETOBS_NAME_TEXT_MAX 256 /* 253 characters, the trailing dot and the NUL */
struct netobs_names {
	uint8_t len;
	char name[NETOBS_NAMES_MAX][NETOBS_NAME_TEXT_MAX];
};

/*
 * Hubble's drop reasons netobs produces (Cilium's numbers; drop_reason_desc
 * in JSON is the name, the compact text Cilium's message). Cilium's XDP
 * prefilter drops without a notification, so it has no number: netobs's
 * own starts above Cilium's 8-bit range, where none of Cilium's can land.
 */
enum netobs_drop_reason {
	NETOBS_DROP_NONE = 0,
	NETOBS_DROP_POLICY_DENIED = 133, /* "Policy denied": default deny */
	NETOBS_DROP_POLICY_DENY = 181,	 /* "Policy denied by denylist": a deny rule */
	NETOBS_DROP_PREFILTER = 256,	 /* netobs's own, "Denied by prefilter": XDP prefilter */
};

/*
 * A policy as a record names it (Hubble's ingress_allowed_by[] and the
 * like: {name, namespace, labels, revision, kind}; netobs has no
 * namespace and no policy labels). Stable for the agent's life once made,
 * so records may point at it after the policy is deleted.
 */
struct netobs_policy_ref {
	char name[254];	   /* metadata.name (POLICY_NAME_MAX + 1) */
	char kind[40];	   /* "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy" */
	uint64_t revision; /* the agent's policy revision when it was imported */
};

struct netobs_flow_record {
	struct netobs_flow_key
		key;		/* addresses, ports or ICMP type/code, proto, hook, ifindex, VLAN */
	uint64_t packets;	/* cumulative packets of this flow direction at this hook */
	uint64_t bytes;		/* cumulative wire bytes */
	uint64_t first_seen_ns; /* wall clock, ns since the Unix epoch (UTC) */
	uint64_t last_seen_ns;	/* wall clock, ns since the Unix epoch (UTC) */
	struct netobs_peer src;
	struct netobs_peer dst;
	char ifname[NETOBS_IFNAME_MAX];
	uint16_t tcp_flags; /* this packet's flags (NEW, TCP_FLAGS); 0 on UPDATE/END */
	uint8_t event;	    /* enum netobs_flow_event_kind */
	uint8_t end_reason; /* enum netobs_end_reason, END records only */
	uint8_t verdict;    /* enum netobs_verdict */
	uint8_t direction;  /* enum netobs_traffic_direction */
	uint8_t obs_point;  /* enum netobs_obs_point */
	int8_t is_reply;    /* 1 reply, 0 initiator, -1 unknown */
	/* Union of the flags of every packet of this flow direction so far (stats.tcp_flags). */
	uint16_t tcp_flags_seen;
	/*
	 * Policy (docs/records.md, "Policy"). policy_verdict is the datapath's
	 * enum netobs_policy_verdict (NONE: no policy judged this flow);
	 * verdict above follows from it (DENIED/DENY: DROPPED, AUDIT_*: AUDIT).
	 * drop_reason: enum netobs_drop_reason. The policy that decided is
	 * *_allowed_by or *_denied_by in JSON by traffic direction: policy
	 * (NULL when none, e.g. default deny); not owned, like l7.
	 */
	uint8_t policy_verdict;
	uint8_t policy_match_type; /* enum netobs_policy_match */
	uint16_t drop_reason;
	const struct netobs_policy_ref *policy;
	/*
	 * The large, optional parts, by pointer so a record stays about 300
	 * bytes in the agent's store (docs/records.md, "Memory"). NULL when
	 * absent; not owned: whoever fills the record keeps them alive as long
	 * as the record (the decoder: struct netobs_record_storage).
	 * l7 non-NULL makes this a Type L7 record (no stats, flow_event or
	 * tcp_flags_seen: one message, not a flow direction's counters).
	 */
	const struct netobs_l7 *l7;
	const struct netobs_names *source_names;
	const struct netobs_names *destination_names;
};

struct netobs_lost_record {
	uint64_t count; /* number of records lost */
	int32_t cpu;	/* CPU, -1 when not per CPU */
	uint8_t source; /* enum netobs_lost_source */
};

struct netobs_record {
	uint64_t seq;	  /* agent-assigned, strictly increasing; the uuid is derived from it */
	uint64_t time_ns; /* wall clock of the observation, ns since the Unix epoch (UTC) */
	uint8_t kind;	  /* enum netobs_record_kind */
	union {
		struct netobs_flow_record flow;
		struct netobs_lost_record lost;
	};
};

/* Enum <-> Hubble string names. *_from_name return -1 for unknown names. */
const char *netobs_verdict_name(int verdict);
int netobs_verdict_from_name(const char *name);
const char *netobs_direction_name(int direction);
int netobs_direction_from_name(const char *name);
const char *netobs_obs_point_name(int obs_point);
int netobs_obs_point_from_name(const char *name);
const char *netobs_flow_event_name(int event);
int netobs_flow_event_from_name(const char *name);
const char *netobs_end_reason_name(int reason);
int netobs_end_reason_from_name(const char *name);
const char *netobs_lost_source_name(int source);
int netobs_lost_source_from_name(const char *name);

/* enum netobs_policy_verdict <-> "ALLOWED", "DENY", ... ("NONE" for 0). */
const char *netobs_policy_verdict_name(int verdict);
int netobs_policy_verdict_from_name(const char *name);
/* enum netobs_drop_reason <-> Hubble's "POLICY_DENIED", "POLICY_DENY", netobs's
 * "DENIED_BY_PREFILTER" ("DROP_REASON_UNKNOWN"). */
const char *netobs_drop_reason_name(int reason);
int netobs_drop_reason_from_name(const char *name);
/* Cilium's message of a drop reason, Hubble's compact TYPE: "Policy denied"; "drop" unknown. */
const char *netobs_drop_reason_text(int reason);
/* Hubble's text of enum netobs_policy_match: "L3-Only", "L3-L4", "L4-Only", "all", "none". */
const char *netobs_policy_match_text(int match);

/*
 * Is this record Hubble's policy-verdict event: the NEW record of a
 * forwarded flow direction a policy rule judged (policy_verdict ALLOWED,
 * AUDIT_DENIED, AUDIT_DENY)? Its later records are traces again.
 */
bool netobs_flow_is_policy_verdict(const struct netobs_flow_record *flow);
/*
 * Hubble's event_type of a flow record, the one decision the encoder and
 * the --type filter share: L7 {129}; a policy drop {1, drop_reason};
 * a policy verdict {5}; else a trace {4, enum netobs_trace_subtype}.
 * *subtype is 0 when there is none. False when there is no event_type:
 * a trace at an unknown observation point (*type TRACE, *subtype -1).
 */
bool netobs_flow_event_type(const struct netobs_flow_record *flow, int *type, int *subtype);

/* Hubble's CLI text of an observation point: "to-endpoint", ...; "unknown". */
const char *netobs_obs_point_text(int obs_point);
/* enum netobs_obs_point -> enum netobs_trace_subtype; -1 when unknown. */
int netobs_obs_point_trace_subtype(int obs_point);
/* "to-endpoint" ... <-> enum netobs_trace_subtype; NULL / -1 when unknown. */
const char *netobs_trace_subtype_text(int subtype);
int netobs_trace_subtype_from_text(const char *text);
/*
 * A flow record's trace_reason: REPLY for the reply direction, NEW for the
 * first record of the initiating direction (so counting NEW counts each
 * connection once), ESTABLISHED otherwise.
 */
int netobs_flow_trace_reason(const struct netobs_flow_record *flow);
const char *netobs_trace_reason_name(int reason);

/* enum netobs_hook <-> "tc-ingress", "tc-egress", "xdp". */
const char *netobs_hook_name(int hook);
int netobs_hook_from_name(const char *name);

/* "SYN, ACK" style text of enum netobs_tcp_flags, in Hubble's order. */
void netobs_tcp_flags_format(uint16_t flags, char *buf, size_t len);

/* The TCP flags in Hubble's order (SYN, ACK, RST, FIN, PSH, URG, ECE, CWR, NS). */
#define NETOBS_TCP_FLAG_COUNT 9
struct netobs_tcp_flag_name {
	uint16_t flag; /* enum netobs_tcp_flags */
	const char *name;
};
extern const struct netobs_tcp_flag_name netobs_tcp_flag_names[NETOBS_TCP_FLAG_COUNT];
/* One flag's bit from its name ("SYN", case-insensitive), -1 when unknown. */
int netobs_tcp_flag_from_name(const char *name);

/* Format an address of the key ("10.0.0.1", "fd00::1"); "" when family is NONE. */
void netobs_addr_format(int family, const uint8_t addr[16], char *buf, size_t len);

/* RFC 3339 UTC with nanoseconds: "2026-11-25T10:52:20.123456789Z". */
void netobs_time_format_rfc3339(uint64_t ns, char *buf, size_t len);
int netobs_time_parse_rfc3339(const char *s, uint64_t *ns);

/*
 * The Hubble-style JSON response object for one record:
 * {"flow": {...}, "node_name": ..., "time": ...} or {"lost_events": {...}, ...}.
 * Returns a new reference, NULL on allocation failure.
 */
json_t *netobs_record_to_json(const struct netobs_record *rec, const char *node_name);

/*
 * The same object as compact JSON text (no newline, no NUL), written into
 * buf without building it in jansson: what the agent serves. Returns the
 * text's length, as snprintf does even when it is more than size (then
 * only size bytes are written: call again with a larger buf); -EILSEQ for
 * a string that is not UTF-8 (jansson refuses those too), -EINVAL for a
 * record of no known kind or an enum without a name.
 */
ssize_t netobs_record_json_write(const struct netobs_record *rec, const char *node_name, char *buf,
				 size_t size);

/* Decode what netobs_record_to_json produced. 0 or -EINVAL (err says why). */
int netobs_record_from_json(const json_t *obj, struct netobs_record *rec, char *err, size_t errlen);

/* Where the decoder puts the parts a flow record points at. */
struct netobs_record_storage {
	struct netobs_l7 l7;
	struct netobs_policy_ref policy;
	struct netobs_names source_names;
	struct netobs_names destination_names;
};

/*
 * As netobs_record_from_json, with storage for l7, the names and the
 * policy: rec's pointers then point into `storage`, which must outlive rec.
 * netobs_record_from_json (storage NULL) rejects records that have them.
 */
int netobs_record_from_json_into(const json_t *obj, struct netobs_record *rec,
				 struct netobs_record_storage *storage, char *err, size_t errlen);

/*
 * A record line as netobs_record_json_write() writes it, decoded straight
 * from the text (lib/record_json_scan.c): 1 with rec filled exactly as
 * json_loadb() and netobs_record_from_json_into() would fill it (L7 part
 * and names pointing into storage); 0 for a line it leaves to them: policy
 * lists, forms the writer does not make, and anything wrong (their errors
 * say what).
 */
int netobs_record_scan_line(const char *line, size_t len, struct netobs_record *rec,
			    struct netobs_record_storage *storage);

/* "REQUEST", "RESPONSE" <-> enum netobs_l7_type; NULL / -1 when unknown. */
const char *netobs_l7_type_name(int type);
int netobs_l7_type_from_name(const char *name);
/* A DNS TYPE number from its name ("AAAA", "TYPE65280"); -1 when unknown. */
int netobs_dns_type_from_name(const char *name);
