// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs-agent --replay FILE: a pcap or pcapng capture through the real
 * datapath. Every frame runs through netobs_tc_ingress with
 * BPF_PROG_TEST_RUN, on the datapath's virtual clock set to the frame's
 * capture time; the ring-buffer events, harvests and flow ends go through
 * the live agent's code (events.c, harvest.c, agent.c, l7.c) on the same
 * capture clock (agent_clock_replay_set). Records come out as JSON lines on
 * stdout, exactly as the API streams them. Nothing is attached, pinned or
 * served, and no node lock is taken: replays may run beside a live agent
 * and beside each other. docs/pcap.md tells what is exact and what is not.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
/* pcap/bpf.h redefines linux/bpf.h's struct bpf_insn (and names its own
 * struct bpf_program like libbpf's): the replay compiles no pcap filter. */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/dlt.h>
#include <pcap/pcap.h>

#include "agent.h"
#include "l7.h"
#include "log.h"
#include "netobs.skel.h"

/* The datapath's own parser, compiled natively (it calls no BPF helper), so
 * the bytes of a frame longer than test_run takes go to the very key the
 * program put the frame's head under. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas" /* #pragma unroll is for clang */
#pragma GCC diagnostic ignored "-Wunused-function" /* parse_frame_l3: Ethernet only here */
#include "../bpf/lib/parse.h"
#pragma GCC diagnostic pop

/* The interface name records carry: libpcap does not expose a pcapng
 * interface block's if_name, and the ifindex test_run gives is the
 * machine's loopback, whose name says nothing about the capture. */
#define REPLAY_IFNAME "pcap"

/* BPF_PROG_TEST_RUN's smallest frame: an Ethernet header. */
#define REPLAY_FRAME_MIN ETH_HLEN
/* Frames this long always fit one test_run skb (a page less its headroom
 * and shared info: 3712 bytes on x86-64); longer ones are tried, and cut to
 * the longest the kernel takes when it refuses them. */
#define REPLAY_FRAME_SURE 1514

struct replay {
	struct agent *a;
	const char *path;
	pcap_t *pcap;
	int prog_fd;
	uint32_t ifindex; /* the skb's ifindex in test_run (loopback): part of every flow key */
	uint64_t next_harvest_ns; /* capture time of the next harvest tick, 0: none yet */
	uint64_t harvest_interval_ns;
	uint64_t last_ns;   /* capture time of the latest frame */
	uint32_t frame_max; /* longest frame test_run took after refusing a longer one; 0: none */
	bool output_failed;

	uint64_t frames;    /* read from the file */
	uint64_t ran;	    /* run through the datapath */
	uint64_t too_short; /* under REPLAY_FRAME_MIN bytes captured: not run */
	uint64_t refused;   /* test_run failed: not run */
	int refused_err;    /* the first refusal's -errno */
	uint64_t snap_cut;  /* captured shorter than on the wire (snapshot length) */
	uint64_t oversize;  /* longer than test_run takes: run with their first frame_max bytes */
	uint64_t oversize_unmatched; /* of those, no flow entry under the parser's key */
	int oversize_err;	     /* the first unmatched one's -errno */
	uint64_t out_of_order;	     /* earlier than the frame before: run at that frame's time */
};

static struct replay *replay_current; /* for replay_emit: agent_emit() passes the agent only */

static void replay_emit(struct agent *a, const struct netobs_record *rec)
{
	json_t *obj = netobs_record_to_json(rec, a->cfg.node_name);
	char *line = obj ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	if (!line) {
		log_error("out of memory writing a record");
		replay_current->output_failed = true;
		return;
	}
	if (!replay_current->output_failed && (fputs(line, stdout) < 0 || putchar('\n') < 0))
		replay_current->output_failed = true; /* the reader went away (EPIPE): stop */
	free(line);
}

/* Run the harvests due by capture time now_ns, each at its own tick. */
static void replay_harvest_until(struct replay *r, uint64_t now_ns)
{
	struct agent *a = r->a;

	if (!r->next_harvest_ns) {
		r->next_harvest_ns = now_ns + r->harvest_interval_ns;
		return;
	}
	while (r->next_harvest_ns <= now_ns && !r->output_failed) {
		/* Nothing tracked: the ticks up to now would find nothing; skip
		 * to the last one (a capture can hold hours of silence). */
		if (!a->flows.count && !a->ended.count) {
			uint64_t ticks = (now_ns - r->next_harvest_ns) / r->harvest_interval_ns;

			r->next_harvest_ns += ticks * r->harvest_interval_ns;
		}
		agent_clock_replay_set(r->next_harvest_ns);
		harvest_run(a);
		agent_l7_expire(a, r->next_harvest_ns);
		r->next_harvest_ns += r->harvest_interval_ns;
	}
}

static int replay_test_run(struct replay *r, const uint8_t *frame, uint32_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .repeat = 1);

	return bpf_prog_test_run_opts(r->prog_fd, &opts) ? -errno : 0;
}

/* Add delta to one CPU's copy of a per-CPU counter (the agent sums them). */
static int replay_counter_add(struct replay *r, uint32_t counter, uint64_t delta)
{
	int fd = r->a->dp.counters_fd;
	uint64_t percpu[r->a->dp.ncpus];

	if (bpf_map_lookup_elem(fd, &counter, percpu))
		return -errno;
	percpu[0] += delta;
	return bpf_map_update_elem(fd, &counter, percpu, BPF_EXIST) ? -errno : 0;
}

/*
 * Add rest bytes to the flow-map entry of the frame whose first ran_len
 * bytes just ran. The key comes from the datapath's parser on the same
 * bytes and frame_meta as the program's run.
 */
static int replay_flow_add_bytes(struct replay *r, const uint8_t *frame, uint32_t ran_len,
				 uint64_t rest)
{
	const struct frame_meta meta = {.ifindex = r->ifindex, .hook = NETOBS_HOOK_TC_INGRESS};
	struct agent *a = r->a;
	struct netobs_flow_stats *value = a->flow_value;
	struct parsed_packet pkt;

	parse_frame((void *)frame, (void *)(frame + ran_len), &meta, &pkt);
	if (bpf_map_lookup_elem(a->dp.flows_fd, &pkt.key, value))
		return -errno;
	if (!value->packets)
		return -ENOENT; /* an entry without packets: not this frame's */
	value->bytes += rest;
	return bpf_map_update_elem(a->dp.flows_fd, &pkt.key, a->flow_value, BPF_EXIST) ? -errno : 0;
}

/*
 * A frame longer than the kernel's test_run buffer (a GRO/TSO aggregate
 * captured before segmentation, a jumbo frame) ran with its first ran_len
 * bytes: add the others where the datapath would have counted them, before
 * the next frame runs or a harvest reads the map. A FLOW_NEW or TCP_FLAGS
 * event of the run already carries the head's bytes; the flow's next
 * record carries the whole frame.
 */
static void replay_account_oversize(struct replay *r, const uint8_t *frame, uint32_t ran_len,
				    uint32_t captured)
{
	uint64_t rest = captured - ran_len;
	int rc;

	r->oversize++;
	/* The datapath counts every packet's bytes, in a flow or not. */
	rc = replay_counter_add(r, NETOBS_CNT_BYTES, rest);
	if (rc)
		log_warn("%s: frame %llu: cannot add its %llu bytes past test_run's %u to the "
			 "datapath's bytes counter: %s",
			 r->path, (unsigned long long)r->frames, (unsigned long long)rest, ran_len,
			 strerror(-rc));
	rc = replay_flow_add_bytes(r, frame, ran_len, rest);
	if (!rc)
		return;
	/* Not in a flow we can find (the datapath's insert failed: map full,
	 * or a key the parser and the program disagree on): the bytes are
	 * in no record, as the untracked counter says of such packets. */
	replay_counter_add(r, NETOBS_CNT_UNTRACKED_BYTES, rest);
	if (!r->oversize_unmatched++)
		r->oversize_err = rc;
	log_debug("%s: frame %llu: %llu bytes past test_run's %u not added to its flow: %s",
		  r->path, (unsigned long long)r->frames, (unsigned long long)rest, ran_len,
		  strerror(-rc));
}

/*
 * One frame through the datapath. A frame longer than the kernel's test_run
 * buffer runs with its first bytes, and the others are added to its counts.
 */
static void replay_frame(struct replay *r, const struct pcap_pkthdr *h, const uint8_t *frame)
{
	uint32_t len = h->caplen;
	int rc;

	if (h->caplen < h->len)
		r->snap_cut++;
	if (len < REPLAY_FRAME_MIN) {
		r->too_short++;
		return;
	}
	if (r->frame_max && len > r->frame_max)
		len = r->frame_max;
	r->a->dp.skel->bss->netobs_virtual_now_ns = agent_now_mono_ns();
	rc = replay_test_run(r, frame, len);
	/*
	 * Refused for its length: find the longest the kernel takes, once, a
	 * byte at a time down from a page. A refused run counts nothing, and
	 * the first one taken is the frame's one run (a few hundred refusals
	 * that fail at the length check, once per replay).
	 */
	if (rc == -EINVAL && len > REPLAY_FRAME_SURE && !r->frame_max) {
		long page = sysconf(_SC_PAGESIZE);

		if (page > REPLAY_FRAME_SURE && (uint32_t)page < len)
			len = (uint32_t)page;
		while (rc == -EINVAL && len > REPLAY_FRAME_SURE)
			rc = replay_test_run(r, frame, --len);
		if (!rc)
			r->frame_max = len;
	}
	if (rc) {
		if (!r->refused++)
			r->refused_err = rc;
		log_debug("%s: frame %llu refused by BPF_PROG_TEST_RUN: %s", r->path,
			  (unsigned long long)r->frames, strerror(-rc));
		return;
	}
	if (len < h->caplen)
		replay_account_oversize(r, frame, len, h->caplen);
	r->ran++;
	/* Its events become records now, before the next frame's, as live. */
	events_drain(r->a);
}

/* Open the file and check it is an Ethernet capture. NULL after saying why. */
static pcap_t *replay_open(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct stat st;
	pcap_t *p;
	FILE *fp;
	int dlt;

	fp = fopen(path, "rb");
	if (!fp) {
		log_error("cannot read capture %s: %s; give the path of a pcap or pcapng file "
			  "you can read",
			  path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st)) {
		log_error("cannot read capture %s: %s", path, strerror(errno));
		fclose(fp);
		return NULL;
	}
	/* A pipe (tcpdump -w - | ..., <(...)) is read as it comes; a directory
	 * or an empty file is no capture. */
	if (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && !st.st_size)) {
		log_error("%s is %s: not a pcap or pcapng capture; write one with "
			  "`tcpdump -w FILE` or `tshark -w FILE`",
			  path, S_ISDIR(st.st_mode) ? "a directory" : "empty");
		fclose(fp);
		return NULL;
	}
	/* Nanosecond times whatever the file holds: records carry them. */
	p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p) {
		if (strstr(errbuf, "unknown file format"))
			log_error("%s is not a pcap or pcapng capture; write one with "
				  "`tcpdump -w FILE` or `tshark -w FILE`",
				  path);
		else if (strstr(errbuf, "truncated"))
			log_error("%s is truncated: its file header is cut short (libpcap: %s); "
				  "copy the capture again",
				  path, errbuf);
		else
			log_error("cannot read capture %s: %s", path, errbuf);
		fclose(fp);
		return NULL;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB) {
		const char *name = pcap_datalink_val_to_name(dlt);

		char unknown[32];

		snprintf(unknown, sizeof(unknown), "number %d", dlt);
		log_error("%s has link type %s: netobs replays Ethernet captures only "
			  "(EN10MB); capture on an Ethernet interface (tcpdump -i IFACE, not "
			  "-i any)",
			  path, name ? name : unknown);
		pcap_close(p);
		return NULL;
	}
	return p;
}

/* The capture ended: what is waiting now, and each flow's final record. */
static void replay_finish(struct replay *r)
{
	struct agent *a = r->a;

	if (!r->ran)
		return; /* no packet, no flow (a capture may stamp every frame 0) */
	agent_clock_replay_set(r->last_ns);
	harvest_run(a);
	agent_l7_expire(a, r->last_ns);
	/* Every flow still open ends at the last packet's time (reason
	 * FORCED, as when the live agent stops): each flow's last record is
	 * its END, with its final totals. Every flow ran on one ifindex. */
	for (uint32_t i = 0; i < a->flows.capacity; i++) {
		if (a->flows.entries[i].in_use) {
			harvest_end_interface(a, a->flows.entries[i].key.ifindex);
			break;
		}
	}
	agent_l7_flush(a);
}

/* Append "; text" to a summary line (cut at its size). */
static void __attribute__((format(printf, 3, 4)))
replay_note(char *notes, size_t len, const char *fmt, ...)
{
	size_t used = strlen(notes);
	va_list ap;

	if (used + 2 >= len)
		return;
	memcpy(notes + used, "; ", 3);
	va_start(ap, fmt);
	vsnprintf(notes + used + 2, len - used - 2, fmt, ap);
	va_end(ap);
}

static void replay_summary(const struct replay *r, bool failed)
{
	char notes[1024] = "";

	if (r->too_short)
		replay_note(notes, sizeof(notes),
			    "not run, under %d bytes (no Ethernet header): %llu frames",
			    REPLAY_FRAME_MIN, (unsigned long long)r->too_short);
	if (r->refused)
		replay_note(notes, sizeof(notes),
			    "not run, refused by BPF_PROG_TEST_RUN (%s): %llu frames",
			    strerror(-r->refused_err), (unsigned long long)r->refused);
	if (r->snap_cut)
		replay_note(notes, sizeof(notes),
			    "cut by the capture's snapshot length, bytes counted as captured: "
			    "%llu frames",
			    (unsigned long long)r->snap_cut);
	if (r->oversize)
		replay_note(notes, sizeof(notes),
			    "over %u bytes (GRO/TSO aggregates, jumbo frames), run with their "
			    "first %u bytes and the rest added to their flows' counts: %llu frames",
			    r->frame_max, r->frame_max, (unsigned long long)r->oversize);
	if (r->oversize_unmatched)
		replay_note(
			notes, sizeof(notes),
			"of those, no flow entry under the parser's key (lookup: %s), their rest "
			"counted as untracked bytes and missing from the records: %llu frames",
			strerror(-r->oversize_err), (unsigned long long)r->oversize_unmatched);
	if (r->out_of_order)
		replay_note(notes, sizeof(notes),
			    "stamped earlier than the frame before, run at its time: %llu frames",
			    (unsigned long long)r->out_of_order);
	/* Quiet when every frame ran as captured, unless asked (-v). */
	if (!notes[0] && !failed && log_max_level < LOG_LEVEL_DEBUG)
		return;
	fprintf(stderr,
		"netobs-agent: %s: %llu frames, %llu run through the datapath, %llu records%s\n",
		r->path, (unsigned long long)r->frames, (unsigned long long)r->ran,
		(unsigned long long)r->a->stats.records_seen, notes);
}

/* The agent's state for a replay: tables and buffers, no socket, no loop. */
static int replay_start(struct replay *r)
{
	struct agent *a = r->a;
	struct endpoint *ep;
	char err[512] = "";
	int rc;

	rc = datapath_open_replay(&a->dp, a->cfg.flow_map_size, err, sizeof(err));
	if (rc == -EPERM || rc == -EACCES) {
		log_error("reading a capture runs the netobs BPF programs, which needs root "
			  "(CAP_BPF and CAP_NET_ADMIN): run it as root");
		return rc;
	}
	if (rc) {
		log_error("%s", err);
		return rc;
	}
	r->prog_fd = bpf_program__fd(a->dp.skel->progs.netobs_tc_ingress);
	a->timeouts.idle_ns = (uint64_t)a->cfg.idle_timeout_s * 1000000000ULL;
	a->timeouts.end_grace_ns = (uint64_t)a->cfg.end_grace_ms * 1000000ULL;
	a->timeouts.pressure_ns = (uint64_t)a->cfg.pressure_timeout_ms * 1000000ULL;
	a->tombstone_ns = a->timeouts.idle_ns < FLOW_TOMBSTONE_MAX_NS ? a->timeouts.idle_ns
								      : FLOW_TOMBSTONE_MAX_NS;
	r->harvest_interval_ns = (uint64_t)a->cfg.harvest_interval_ms * 1000000ULL;
	if ((rc = flow_table_init(&a->flows, a->cfg.flow_map_size)) ||
	    (rc = flow_table_init(&a->ended, a->cfg.flow_map_size)) || (rc = harvest_init(a)) ||
	    (rc = agent_l7_init(a))) {
		log_error("cannot allocate the flow tables: %s", strerror(-rc));
		return rc;
	}
	/* Every frame runs through one program: a reply is at the same hook. */
	a->flows.same_hook_reverse = a->ended.same_hook_reverse = true;
	a->rb = ring_buffer__new(a->dp.events_fd, events_ring_buffer_cb, a, NULL);
	if (!a->rb) {
		rc = -errno;
		log_error("cannot open the BPF ring buffer: %s", strerror(-rc));
		return rc;
	}
	/*
	 * The endpoint table holds one entry: the interface the frames "came
	 * in on" (test_run's loopback), named for the capture. Nothing of
	 * the machine's is in it, so peers resolve from the file alone
	 * (reserved identity world), never to this host's addresses.
	 */
	ep = &a->endpoints->eps[a->endpoints->count++];
	ep->ifindex = ep->id = if_nametoindex("lo") ? if_nametoindex("lo") : 1;
	r->ifindex = ep->ifindex;
	ep->kind = ENDPOINT_KIND_INTERFACE;
	ep->netnsid = -1;
	snprintf(ep->ifname, sizeof(ep->ifname), "%s", REPLAY_IFNAME);
	snprintf(ep->name, sizeof(ep->name), "%s", REPLAY_IFNAME);
	return 0;
}

static void replay_stop(struct agent *a)
{
	agent_l7_free(a);
	if (a->rb)
		ring_buffer__free(a->rb);
	a->rb = NULL;
	datapath_close(&a->dp);
	harvest_free(a);
	flow_table_free(&a->flows);
	flow_table_free(&a->ended);
}

int replay_run(struct agent *a, const char *path)
{
	struct replay r = {.a = a, .path = path};
	struct pcap_pkthdr *h;
	const uint8_t *frame;
	bool failed = false;
	int rc;

	r.pcap = replay_open(path);
	if (!r.pcap)
		return EXIT_FAILURE;
	replay_current = &r;
	a->replay_emit = replay_emit;
	agent_clock_replay_set(0);
	if (replay_start(&r)) {
		failed = true;
		goto out;
	}
	while (!r.output_failed && (rc = pcap_next_ex(r.pcap, &h, &frame)) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;

		r.frames++;
		/* The clock never goes back: timeouts and records stay in order. */
		if (ts < r.last_ns) {
			r.out_of_order++;
			ts = r.last_ns;
		}
		replay_harvest_until(&r, ts);
		agent_clock_replay_set(ts);
		r.last_ns = ts;
		replay_frame(&r, h, frame);
	}
	if (r.output_failed)
		goto out; /* the reader is gone: nobody to tell */
	if (rc == PCAP_ERROR) {
		/* What was read is reported, with its final records, then the error. */
		replay_finish(&r);
		fflush(stdout);
		log_error("%s is cut short or damaged after frame %llu (libpcap: %s): the records "
			  "cover the frames before it; copy the capture again",
			  path, (unsigned long long)r.frames, pcap_geterr(r.pcap));
		failed = true;
	} else {
		replay_finish(&r);
	}
out:
	if (fflush(stdout) || ferror(stdout))
		r.output_failed = true;
	if (!r.output_failed && a->dp.skel)
		replay_summary(&r, failed);
	replay_stop(a);
	pcap_close(r.pcap);
	replay_current = NULL;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
