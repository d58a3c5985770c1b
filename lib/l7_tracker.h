/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * L7 tracking: the datapath's payload slices (struct netobs_l7_event) in,
 * DNS and HTTP/1.x messages (struct netobs_l7, Hubble's flow.l7) out. Pure
 * code, no agent, kernel or I/O: the live agent and the capture replay feed
 * it the same slices, and tests feed it crafted ones.
 *
 * It holds the state the decoders need across packets, all of it bounded:
 *   - TCP connections (HTTP, DNS over TCP), keyed by interface and the
 *     connection's 5-tuple (both directions, whichever hook saw them), with
 *     each direction's next sequence number so missing bytes become gaps;
 *   - DNS requests awaiting their response, matched by transaction id and the
 *     reversed 5-tuple, whatever hooks saw them, for latency_ns, and reported
 *     unanswered after the configured timeout;
 *   - the names learned from DNS answers (lib/name_cache.h), for
 *     source_names / destination_names on L3/L4 records.
 * Everything dropped for lack of room, and every malformed message, is
 * counted in struct l7_stats, never silently lost.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "abi.h"
#include "dns.h"
#include "http.h"
#include "name_cache.h"
#include "record.h"

/* One slice, as the datapath's NETOBS_EVENT_L7 carries it. */
struct l7_slice {
	const struct netobs_flow_key *key; /* the packet's: ifindex, hook, addresses, ports */
	uint64_t ts_ns;			   /* caller's clock (the agent: CLOCK_MONOTONIC) */
	uint32_t seq;			   /* TCP sequence number of data[0]; UDP: 0 */
	uint32_t payload_len;		   /* L4 payload bytes on the wire */
	uint32_t captured_len;		   /* bytes at data (<= payload_len) */
	uint16_t tcp_flags;		   /* enum netobs_tcp_flags of the packet */
	uint8_t hint;			   /* enum netobs_l7_hint */
	const uint8_t *data;
};

/*
 * One message to report. key and ts_ns are those of the packet that carried
 * it; an unanswered request is reported with its request's key and time.
 * Every pointer is valid only during the callback.
 */
struct l7_report {
	const struct netobs_flow_key *key;
	uint64_t ts_ns;
	const struct netobs_l7 *l7;
};
typedef void (*l7_report_fn)(void *ctx, const struct l7_report *report);

struct l7_tracker_config {
	uint32_t max_conns;	  /* TCP connections tracked at once (HTTP, DNS over TCP) */
	uint32_t max_dns_pending; /* DNS requests awaiting their response */
	uint64_t dns_timeout_ns;  /* a DNS request unanswered this long is reported so */
	uint64_t conn_idle_ns;	  /* a connection without a slice this long is forgotten */
	uint32_t name_cache_size; /* (address, name) pairs remembered */
};

#define L7_TRACKER_DEFAULT_MAX_CONNS	   4096
#define L7_TRACKER_DEFAULT_MAX_DNS_PENDING 16384
#define L7_TRACKER_DEFAULT_DNS_TIMEOUT_NS  (5ULL * 1000000000ULL)
#define L7_TRACKER_DEFAULT_CONN_IDLE_NS	   (300ULL * 1000000000ULL)
#define L7_TRACKER_DEFAULT_NAME_CACHE	   65536

/* Counters for `netobs status` (section l7). */
struct l7_stats {
	uint64_t slices;	 /* slices fed */
	uint64_t slices_ignored; /* not DNS, and not HTTP on a connection we follow */
	uint64_t dns_requests, dns_responses;
	uint64_t dns_unanswered;	  /* requests reported unanswered after the timeout */
	uint64_t dns_unmatched_responses; /* responses with no request seen (no latency) */
	uint64_t dns_capture_cut;	  /* messages whose records the slice bound cut */
	uint64_t dns_malformed;		  /* all causes; by cause below */
	uint64_t dns_malformed_by[DNS_ERR__COUNT];
	uint64_t dns_tcp_gaps, dns_tcp_desyncs;
	uint64_t http_requests, http_responses;
	uint64_t http_unanswered;
	uint64_t http_problems; /* all outcomes but OK; by outcome below */
	uint64_t http_problems_by[NETOBS_HTTP_OUTCOME_COUNT];
	uint64_t http_resyncs;	    /* directions restarted at a message start after a lost gap */
	uint64_t conns, conns_full; /* connections tracked; not tracked (table full) */
	uint64_t dns_pending_full;  /* requests not tracked (table full): no latency */
	uint64_t names_learned;
	/* Slices that break the contract: captured_len > payload_len, no data,
	 * an unknown hint, HTTP not on TCP, DNS neither UDP nor TCP. */
	uint64_t slices_invalid;
	uint64_t dns_observations_full; /* a request seen at more hooks than an entry holds */
	uint64_t http_resync_dropped;	/* requests dropped by a response resync: no record */
	uint64_t conns_idle;		/* connections forgotten after conn_idle_ns */
	uint64_t conns_no_memory;	/* connections refused: allocation failed */
};

struct l7_tracker; /* opaque */

/*
 * 0 and *out, or -ENOMEM, -EINVAL (a table bound over 2^24) or getrandom's
 * error. cfg NULL or zeroed fields take the defaults.
 */
int l7_tracker_new(const struct l7_tracker_config *cfg, struct l7_tracker **out);
void l7_tracker_free(struct l7_tracker *t);

/* Decode one slice; report each complete message. */
void l7_tracker_slice(struct l7_tracker *t, const struct l7_slice *slice, l7_report_fn report,
		      void *ctx);

/*
 * A TCP packet with FIN or RST (from a ring-buffer TCP_FLAGS event, which
 * has no payload slice): that direction of the connection ended (HTTP: a
 * body until close completes; outstanding requests become unanswered when
 * the response direction ends). Keys not tracked are ignored.
 */
void l7_tracker_tcp_end(struct l7_tracker *t, const struct netobs_flow_key *key, uint16_t tcp_flags,
			uint64_t ts_ns, l7_report_fn report, void *ctx);

/* Time passes (call it once per harvest): unanswered DNS requests are
 * reported, idle connections and expired names forgotten. */
void l7_tracker_expire(struct l7_tracker *t, uint64_t now_ns, l7_report_fn report, void *ctx);

/* The end of input (a capture replay): every request still waiting is
 * reported unanswered, every connection ended. */
void l7_tracker_flush(struct l7_tracker *t, l7_report_fn report, void *ctx);

/* Names learned for an address (lib/name_cache.h semantics). */
unsigned int l7_tracker_names(const struct l7_tracker *t, int family, const uint8_t addr[16],
			      uint64_t now_ns, struct netobs_names *out);

const struct l7_stats *l7_tracker_stats(const struct l7_tracker *t);
