// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* netobs-agent: flags, start-up in dependency order, one loop, orderly stop. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <bpf/libbpf.h>
#include <libmnl/libmnl.h>

#include "agent.h"
#include "api.h"
#include "attach.h"
#include "l7.h"
#include "l7_tracker.h"
#include "log.h"
#include "agent_policy.h"

/* After a netlink event, rescan this soon: events come in bursts. */
#define RESCAN_DELAY_MS 50

/* One agent per node, whatever its socket: it attaches to every endpoint,
 * and a second one would replace the first one's filters. */
#define AGENT_LOCK_DIR	"/run/netobs"
#define AGENT_LOCK_PATH AGENT_LOCK_DIR "/agent.lock"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: netobs-agent [OPTIONS]\n"
		"\n"
		"Observe every packet of container-style endpoints (veths whose peer lives in\n"
		"another network namespace) and named interfaces; serve flows on a Unix socket.\n"
		"\n"
		"Options:\n"
		"  --socket PATH            API socket (default " NETOBS_DEFAULT_SOCKET ")\n"
		"  --interfaces LIST        also monitor these interfaces (names or globs, "
		"comma-separated)\n"
		"  --xdp LIST               count ingress with XDP instead of TC on these "
		"interfaces\n"
		"  --harvest-interval MS    how often flow counters are read (default 1000)\n"
		"  --idle-timeout SEC       a flow with no packet for this long ends (default 60)\n"
		"  --end-grace DURATION     a closed TCP connection (FIN both ways, or RST) ends\n"
		"                           when both sides were quiet this long (default 3s;\n"
		"                           DURATION: N, Ns, Nms or Nm)\n"
		"  --pressure-timeout DURATION\n"
		"                           with the flow map over 90%% full, one-packet and\n"
		"                           unanswered flows quiet this long end (default 5s)\n"
		"  --store-size N           records kept for --last queries (default 65535)\n"
		"  --store-l7-bytes SIZE    memory for the stored records' L7 parts and DNS\n"
		"                           names; when full the oldest records go (default\n"
		"                           32M; SIZE: N, NK, NM or NG bytes, at least 64K)\n"
		"  --flow-map-size N        flows the datapath can hold (default %d)\n"
		"  --client-queue N         records a follower may fall behind before it loses\n"
		"                           some, reported as lost_events (default and max: the\n"
		"                           store size)\n"
		"  --max-clients N          API connections served at once (default 256)\n"
		"  --request-timeout SEC    close a connection that has not sent a complete\n"
		"                           request within SEC seconds (default 10)\n"
		"  --node-name NAME         node name in records (default: the host name)\n"
		"  --bpffs PATH             BPF filesystem for pinned maps (default /sys/fs/bpf)\n"
		"  --state-dir DIR          where the imported policies and endpoint labels are\n"
		"                           kept across restarts, in DIR/policy.json (default\n"
		"                           " NETOBS_DEFAULT_STATE_DIR ")\n"
		"  --dns-ports LIST         decode DNS on these ports too (comma-separated;\n"
		"                           53 always)\n"
		"  --http-ports LIST        decode HTTP only on these ports (default: any port,\n"
		"                           recognised by content)\n"
		"  --dns-timeout DURATION   a DNS request unanswered this long is reported\n"
		"                           unanswered (default 5s)\n"
		"  --l7-max-conns N         TCP connections followed for HTTP and DNS at once\n"
		"                           (default %d)\n"
		"  --no-l7                  no DNS or HTTP records, no names on flows\n"
		"  --cleanup                take off what an agent that enforced policy left\n"
		"                           attached and pinned under BPFFS/netobs, and exit\n"
		"  --replay FILE            run a pcap or pcapng capture through the datapath\n"
		"                           (BPF_PROG_TEST_RUN) and print its records as JSON\n"
		"                           lines, on the capture's clock; no socket, nothing\n"
		"                           attached (docs/pcap.md)\n"
		"  -v, --verbose            debug logging (includes the libbpf log)\n"
		"  -h, --help               this help\n"
		"      --version            print the version\n",
		NETOBS_FLOW_MAP_DEFAULT_ENTRIES, L7_TRACKER_DEFAULT_MAX_CONNS);
}

/* "53,5353" -> ports appended to list (duplicates dropped); -EINVAL with a message. */
static int parse_ports(const char *flag, const char *text, uint16_t *list, uint32_t *n)
{
	const char *p = text;

	while (*p) {
		char *end;
		unsigned long v;
		uint32_t i;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || end == p || *p == '-' || *p == '+' || v < 1 || v > 65535 ||
		    (*end && *end != ',')) {
			fprintf(stderr,
				"netobs-agent: invalid %s '%s': expected ports 1 to 65535, "
				"comma-separated\n",
				flag, text);
			return -EINVAL;
		}
		for (i = 0; i < *n && list[i] != v; i++)
			;
		if (i == *n) {
			if (*n == NETOBS_L7_PORTS_MAX) {
				fprintf(stderr, "netobs-agent: %s: at most %d ports\n", flag,
					NETOBS_L7_PORTS_MAX);
				return -EINVAL;
			}
			list[(*n)++] = (uint16_t)v;
		}
		p = *end ? end + 1 : end;
		if (*end && !*p) {
			fprintf(stderr, "netobs-agent: invalid %s '%s': trailing comma\n", flag,
				text);
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_u32(const char *flag, const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || end == text || v < min || v > max || text[0] == '-') {
		fprintf(stderr, "netobs-agent: invalid %s '%s': expected %u to %u\n", flag, text,
			min, max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/* "65536", "64K", "32M", "1G" (binary multiples) -> bytes in [min, max]. */
static int parse_size(const char *flag, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (!strcmp(end, "K") || !strcmp(end, "k"))
		shift = 10;
	else if (!strcmp(end, "M") || !strcmp(end, "m"))
		shift = 20;
	else if (!strcmp(end, "G") || !strcmp(end, "g"))
		shift = 30;
	else if (*end)
		errno = EINVAL;
	if (errno || end == text || text[0] == '-' || v > (max >> shift) || (v << shift) < min) {
		fprintf(stderr,
			"netobs-agent: invalid %s '%s': expected %llu to %llu bytes, "
			"or with a K, M or G suffix\n",
			flag, text, (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	*out = (uint64_t)v << shift;
	return 0;
}

/* "5", "5s", "500ms", "2m" -> milliseconds in [min_ms, max_ms]; a bare number is seconds. */
static int parse_duration_ms(const char *flag, const char *text, uint32_t min_ms, uint32_t max_ms,
			     uint32_t *out)
{
	unsigned long long v, scale = 1000;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (!strcmp(end, "ms"))
		scale = 1;
	else if (!strcmp(end, "m"))
		scale = 60000;
	else if (*end && strcmp(end, "s"))
		end = (char *)text; /* unknown unit */
	if (errno || end == text || text[0] == '-' || v > max_ms || v * scale < min_ms ||
	    v * scale > max_ms) {
		fprintf(stderr,
			"netobs-agent: invalid %s '%s': expected a duration such as 3s or 500ms, "
			"%ums to %us\n",
			flag, text, min_ms, max_ms / 1000);
		return -EINVAL;
	}
	*out = (uint32_t)(v * scale);
	return 0;
}

/* Is arg "--name" or "--name=value" for exactly this option name? */
static bool option_is_exact(const char *arg, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(arg, "--", 2) && !strncmp(arg + 2, name, len) &&
	       (arg[2 + len] == '\0' || arg[2 + len] == '=');
}

enum {
	OPT_SOCKET = 256,
	OPT_INTERFACES,
	OPT_XDP,
	OPT_HARVEST,
	OPT_IDLE,
	OPT_STORE,
	OPT_STORE_L7,
	OPT_FLOWMAP,
	OPT_QUEUE,
	OPT_NODE,
	OPT_BPFFS,
	OPT_VERSION,
	OPT_END_GRACE,
	OPT_PRESSURE,
	OPT_MAX_CLIENTS,
	OPT_REQUEST_TIMEOUT,
	OPT_DNS_PORTS,
	OPT_HTTP_PORTS,
	OPT_DNS_TIMEOUT,
	OPT_L7_MAX_CONNS,
	OPT_NO_L7,
	OPT_REPLAY,
	OPT_CLEANUP,
	OPT_STATE_DIR,
};

/* Options that serve the live agent only: a replay refuses them. */
static const int live_only_opts[] = {OPT_SOCKET,      OPT_INTERFACES,	   OPT_XDP,
				     OPT_BPFFS,	      OPT_STORE,	   OPT_QUEUE,
				     OPT_MAX_CLIENTS, OPT_REQUEST_TIMEOUT, OPT_STATE_DIR};

/* --replay FILE: the capture to replay, NULL for the live agent. */
static const char *replay_path;
static bool node_name_given;
static bool cleanup_only; /* --cleanup */

/* A replay's node name unless --node-name: the host's name would make the
 * records depend on the machine that read the file. */
#define REPLAY_NODE_NAME "pcap"

/* 0 to run, 1 to exit 0 (help/version), -1 usage error. */
static int parse_args(int argc, char **argv, struct agent *a)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, OPT_SOCKET},
		{"interfaces", required_argument, NULL, OPT_INTERFACES},
		{"xdp", required_argument, NULL, OPT_XDP},
		{"harvest-interval", required_argument, NULL, OPT_HARVEST},
		{"idle-timeout", required_argument, NULL, OPT_IDLE},
		{"store-size", required_argument, NULL, OPT_STORE},
		{"store-l7-bytes", required_argument, NULL, OPT_STORE_L7},
		{"flow-map-size", required_argument, NULL, OPT_FLOWMAP},
		{"client-queue", required_argument, NULL, OPT_QUEUE},
		{"node-name", required_argument, NULL, OPT_NODE},
		{"bpffs", required_argument, NULL, OPT_BPFFS},
		{"max-clients", required_argument, NULL, OPT_MAX_CLIENTS},
		{"request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT},
		{"dns-ports", required_argument, NULL, OPT_DNS_PORTS},
		{"http-ports", required_argument, NULL, OPT_HTTP_PORTS},
		{"dns-timeout", required_argument, NULL, OPT_DNS_TIMEOUT},
		{"l7-max-conns", required_argument, NULL, OPT_L7_MAX_CONNS},
		{"no-l7", no_argument, NULL, OPT_NO_L7},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{"end-grace", required_argument, NULL, OPT_END_GRACE},
		{"pressure-timeout", required_argument, NULL, OPT_PRESSURE},
		{"replay", required_argument, NULL, OPT_REPLAY},
		{"cleanup", no_argument, NULL, OPT_CLEANUP},
		{"state-dir", required_argument, NULL, OPT_STATE_DIR},
		{},
	};
	struct agent_config *cfg = &a->cfg;
	const char *live_only = NULL;
	int opt, rc = 0;

	int longindex;

	while ((longindex = -1, opt = getopt_long(argc, argv, "vh", opts, &longindex)) != -1 &&
	       !rc) {
		/* Exact names only: an abbreviation today is ambiguous tomorrow. */
		if (longindex >= 0 && !option_is_exact(argv[optind - 1], opts[longindex].name) &&
		    !(optarg && optind >= 2 &&
		      option_is_exact(argv[optind - 2], opts[longindex].name))) {
			fprintf(stderr, "netobs-agent: unknown option '%s'; did you mean --%s?\n",
				optarg && optind >= 2 && argv[optind - 1] == optarg
					? argv[optind - 2]
					: argv[optind - 1],
				opts[longindex].name);
			return -1;
		}
		for (size_t i = 0; i < sizeof(live_only_opts) / sizeof(live_only_opts[0]); i++)
			if (opt == live_only_opts[i] && longindex >= 0)
				live_only = opts[longindex].name;
		switch (opt) {
		case OPT_REPLAY:
			replay_path = optarg;
			break;
		case OPT_SOCKET:
			if (strlen(optarg) >= sizeof(cfg->socket_path)) {
				fprintf(stderr,
					"netobs-agent: --socket path longer than %zu bytes\n",
					sizeof(cfg->socket_path) - 1);
				return -1;
			}
			snprintf(cfg->socket_path, sizeof(cfg->socket_path), "%s", optarg);
			break;
		case OPT_INTERFACES:
		case OPT_XDP:
			if (endpoints_add_patterns(a->endpoints, optarg, opt == OPT_XDP)) {
				fprintf(stderr,
					"netobs-agent: too many interface patterns (max %d)\n",
					ENDPOINT_MAX_PATTERNS);
				return -1;
			}
			break;
		case OPT_HARVEST:
			rc = parse_u32("--harvest-interval", optarg, 10, 3600000,
				       &cfg->harvest_interval_ms);
			break;
		case OPT_IDLE:
			rc = parse_u32("--idle-timeout", optarg, 1, 86400, &cfg->idle_timeout_s);
			break;
		case OPT_END_GRACE:
			rc = parse_duration_ms("--end-grace", optarg, 0, 3600000,
					       &cfg->end_grace_ms);
			break;
		case OPT_PRESSURE:
			rc = parse_duration_ms("--pressure-timeout", optarg, 0, 86400000,
					       &cfg->pressure_timeout_ms);
			break;
		case OPT_STORE:
			rc = parse_u32("--store-size", optarg, 1, 16777216, &cfg->store_size);
			break;
		case OPT_STORE_L7:
			rc = parse_size("--store-l7-bytes", optarg, RECORD_STORE_PARTS_MIN,
					1ULL << 32, &cfg->store_l7_bytes);
			break;
		case OPT_FLOWMAP:
			rc = parse_u32("--flow-map-size", optarg, 16, 16777216,
				       &cfg->flow_map_size);
			break;
		case OPT_QUEUE:
			rc = parse_u32("--client-queue", optarg, 1, 1048576, &cfg->client_queue);
			break;
		case OPT_MAX_CLIENTS:
			rc = parse_u32("--max-clients", optarg, 1, 65536, &cfg->max_clients);
			break;
		case OPT_REQUEST_TIMEOUT:
			rc = parse_u32("--request-timeout", optarg, 1, 3600,
				       &cfg->request_timeout_s);
			break;
		case OPT_NODE:
			node_name_given = true;
			snprintf(cfg->node_name, sizeof(cfg->node_name), "%s", optarg);
			break;
		case OPT_BPFFS:
			snprintf(cfg->bpffs, sizeof(cfg->bpffs), "%s", optarg);
			break;
		case OPT_STATE_DIR:
			if (!*optarg || strlen(optarg) >= sizeof(cfg->state_dir)) {
				fprintf(stderr,
					"netobs-agent: --state-dir: expected a directory path of 1 "
					"to %zu bytes\n",
					sizeof(cfg->state_dir) - 1);
				return -1;
			}
			snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", optarg);
			break;
		case OPT_DNS_PORTS:
			rc = parse_ports("--dns-ports", optarg, cfg->dns_ports, &cfg->ndns_ports);
			break;
		case OPT_HTTP_PORTS:
			rc = parse_ports("--http-ports", optarg, cfg->http_ports,
					 &cfg->nhttp_ports);
			break;
		case OPT_DNS_TIMEOUT:
			rc = parse_duration_ms("--dns-timeout", optarg, 100, 3600000,
					       &cfg->dns_timeout_ms);
			break;
		case OPT_L7_MAX_CONNS:
			rc = parse_u32("--l7-max-conns", optarg, 1, 1048576, &cfg->l7_max_conns);
			break;
		case OPT_NO_L7:
			cfg->l7_disabled = true;
			break;
		case OPT_CLEANUP:
			cleanup_only = true;
			break;
		case 'v':
			log_max_level = LOG_LEVEL_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("netobs-agent %s (ABI %d)\n", NETOBS_VERSION, NETOBS_ABI_VERSION);
			return 1;
		default:
			fprintf(stderr, "Try 'netobs-agent --help' for more information.\n");
			return -1;
		}
	}
	if (rc)
		return -1;
	if (optind < argc) {
		fprintf(stderr, "netobs-agent: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (replay_path && live_only) {
		fprintf(stderr,
			"netobs-agent: --%s has no meaning with --replay: a replay serves no "
			"socket, attaches to nothing and prints every record\n",
			live_only);
		return -1;
	}
	return 0;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && log_max_level < LOG_LEVEL_DEBUG)
		return 0;
	if (level == LIBBPF_INFO && log_max_level < LOG_LEVEL_INFO)
		return 0;
	/* bpf_tc_hook_create on an interface that has clsact already: expected,
	 * not worth a line (we share the qdisc). */
	if (level != LIBBPF_DEBUG && strstr(fmt, "Kernel error message") &&
	    log_max_level < LOG_LEVEL_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void on_harvest(uv_timer_t *t)
{
	harvest_run(t->data);
}

static void on_rescan(uv_timer_t *t)
{
	agent_sync_endpoints(t->data);
}

static void on_netlink(uv_poll_t *p, int status, int events)
{
	struct agent *a = p->data;

	(void)events;
	if (status < 0)
		return;
	/* Events come in bursts: note what they touch, refresh that shortly. */
	endpoint_changes_read(mnl_socket_get_fd(a->nl_events), &a->endpoint_changes);
	if (endpoint_changes_pending(&a->endpoint_changes) &&
	    !uv_is_active((uv_handle_t *)&a->rescan_timer))
		uv_timer_start(&a->rescan_timer, on_rescan, RESCAN_DELAY_MS, 0);
}

static void on_ring_buffer(uv_poll_t *p, int status, int events)
{
	struct agent *a = p->data;

	(void)events;
	if (status < 0)
		return;
	/* ring_buffer__consume() reads until the ring is empty; under a flood of
	 * new flows it would never return. events_ring_buffer_cb() stops it
	 * after a budget; the poll is level-triggered, so the loop comes back
	 * for the rest after running timers and clients. */
	events_consume(a, EVENTS_PER_WAKEUP);
	/* A DNS answer for a toFQDNs name: into the maps before the client
	 * connects, as far as the agent can be that quick. */
	agent_policy_fqdn_check(a, false);
}

static void agent_stop(struct agent *a)
{
	if (a->stopping)
		return;
	a->stopping = true;
	log_info("stopping: detaching programs");
	agent_detach_all(a);
	server_stop(a);
	uv_close((uv_handle_t *)&a->harvest_timer, NULL);
	uv_close((uv_handle_t *)&a->rescan_timer, NULL);
	uv_close((uv_handle_t *)&a->rb_poll, NULL);
	uv_close((uv_handle_t *)&a->nl_poll, NULL);
	for (size_t i = 0; i < sizeof(a->stop_signals) / sizeof(a->stop_signals[0]); i++)
		uv_close((uv_handle_t *)&a->stop_signals[i], NULL);
}

static void on_signal(uv_signal_t *s, int signum)
{
	(void)signum;
	agent_stop(s->data);
}

/* Hold the node-wide agent lock for the process's life (the kernel drops it
 * when the process dies, also on kill -9). */
static int agent_lock_acquire(char *err, size_t errlen)
{
	char pid[32] = "";
	int fd;

	mkdir(AGENT_LOCK_DIR, 0755);
	fd = open(AGENT_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s; run netobs-agent as root",
			 AGENT_LOCK_PATH, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);

		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(
			err, errlen,
			"another netobs-agent is running on this node (pid %s, lock %s); one agent "
			"watches every endpoint: stop it first",
			pid[0] ? pid : "unknown", AGENT_LOCK_PATH);
		close(fd);
		return -1;
	}
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, strlen(pid), 0) < 0)
		log_debug("cannot write the pid to %s", AGENT_LOCK_PATH);
	return fd; /* kept open: closing it would release the lock */
}

/* Every API client is a file descriptor: make room for --max-clients of them
 * beside the agent's own (BPF objects, netlink, the loop), or say what to do. */
static void fd_limit_raise(uint32_t max_clients)
{
	rlim_t want = (rlim_t)max_clients + 256;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < want)
		log_warn("the open-file limit (%llu) is too low for --max-clients %u: clients "
			 "beyond it are refused without a message; raise it (ulimit -n %llu, or "
			 "LimitNOFILE=) or lower --max-clients",
			 (unsigned long long)rl.rlim_cur, max_clients, (unsigned long long)want);
}

static struct mnl_socket *netlink_events_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int one = 1;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
			    MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	/* Address changes inside endpoints' namespaces arrive here too. */
	if (mnl_socket_setsockopt(nl, NETLINK_LISTEN_ALL_NSID, &one, sizeof(one)) < 0)
		log_warn("cannot listen to other namespaces' netlink events (%s): addresses "
			 "added inside endpoints show up at the next link event",
			 strerror(errno));
	return nl;
}

static int agent_start(struct agent *a)
{
	static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	char err[512] = "";

	_Static_assert(sizeof(stop_signals) / sizeof(stop_signals[0]) ==
			       sizeof(a->stop_signals) / sizeof(a->stop_signals[0]),
		       "one handle per stop signal");
	int rc;

	rc = datapath_open(&a->dp, a->cfg.flow_map_size, a->cfg.bpffs, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		return rc;
	}
	/* For tests: take the key-by-key harvest path a kernel without batch
	 * map operations would take. */
	if (getenv("NETOBS_HARVEST_ITERATE"))
		a->batch_unsupported = true;
	/* For tests: attach TC programs to clsact, as on a kernel without tcx. */
	if (getenv("NETOBS_TC_CLSACT"))
		a->dp.tc_clsact = true;
	a->timeouts.idle_ns = (uint64_t)a->cfg.idle_timeout_s * 1000000000ULL;
	a->timeouts.end_grace_ns = (uint64_t)a->cfg.end_grace_ms * 1000000ULL;
	a->timeouts.pressure_ns = (uint64_t)a->cfg.pressure_timeout_ms * 1000000ULL;
	a->tombstone_ns = a->timeouts.idle_ns < FLOW_TOMBSTONE_MAX_NS ? a->timeouts.idle_ns
								      : FLOW_TOMBSTONE_MAX_NS;
	/* Tombstones as many as flows: every flow in the map may end at once. */
	if ((rc = flow_table_init(&a->flows, a->cfg.flow_map_size)) ||
	    (rc = flow_table_init(&a->ended, a->cfg.flow_map_size)) ||
	    (rc = record_store_init_parts(&a->store, a->cfg.store_size, a->cfg.store_l7_bytes)) ||
	    (rc = harvest_init(a))) {
		log_error("cannot allocate the flow table and record store: %s; lower "
			  "--flow-map-size, --store-size or --store-l7-bytes",
			  strerror(-rc));
		return rc;
	}
	if ((rc = agent_l7_init(a)))
		return rc;
	/* Before the first scan: it compiles the policies for the endpoints. */
	rc = agent_policy_init(a, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		return rc;
	}

	a->rb = ring_buffer__new(a->dp.events_fd, events_ring_buffer_cb, a, NULL);
	if (!a->rb) {
		rc = -errno;
		log_error("cannot open the BPF ring buffer: %s", strerror(-rc));
		return rc;
	}
	a->nl_events = netlink_events_open();
	if (!a->nl_events) {
		rc = -errno;
		log_error("cannot open a netlink socket for link events: %s", strerror(-rc));
		return rc;
	}

	uv_timer_init(a->loop, &a->harvest_timer);
	uv_timer_init(a->loop, &a->rescan_timer);
	uv_poll_init(a->loop, &a->rb_poll, ring_buffer__epoll_fd(a->rb));
	uv_poll_init(a->loop, &a->nl_poll, mnl_socket_get_fd(a->nl_events));
	a->harvest_timer.data = a->rescan_timer.data = a->rb_poll.data = a->nl_poll.data = a;
	/* SIGHUP (its terminal went away) and SIGQUIT (Ctrl-\) would otherwise
	 * kill the agent with its hooks left running into orphaned maps. */
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		uv_signal_init(a->loop, &a->stop_signals[i]);
		a->stop_signals[i].data = a;
		uv_signal_start(&a->stop_signals[i], on_signal, stop_signals[i]);
	}

	a->endpoint_changes.full = true; /* the first scan reads everything */
	agent_reclaim_stale(a);
	agent_sync_endpoints(a);
	/* Links a policy-enforcing agent left, now adopted or not needed. */
	datapath_drop_stale_links(&a->dp);
	uv_poll_start(&a->rb_poll, UV_READABLE, on_ring_buffer);
	uv_poll_start(&a->nl_poll, UV_READABLE, on_netlink);
	uv_timer_start(&a->harvest_timer, on_harvest, a->cfg.harvest_interval_ms,
		       a->cfg.harvest_interval_ms);

	rc = server_start(a, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		agent_stop(a);
		return rc;
	}
	log_info("netobs-agent %s ready: %u endpoints, TC hooks on %s, socket %s", NETOBS_VERSION,
		 a->endpoints->count, a->dp.tc_clsact ? "clsact" : "tcx", a->cfg.socket_path);
	return 0;
}

int main(int argc, char **argv)
{
	static struct agent agent;
	struct agent *a = &agent;
	uv_loop_t loop;
	int rc, lock_fd, exit_code = EXIT_SUCCESS;
	char err[512] = "";

	a->endpoints = calloc(1, sizeof(*a->endpoints));
	if (!a->endpoints) {
		fprintf(stderr, "netobs-agent: out of memory\n");
		return EXIT_FAILURE;
	}
	snprintf(a->cfg.socket_path, sizeof(a->cfg.socket_path), "%s", NETOBS_DEFAULT_SOCKET);
	snprintf(a->cfg.bpffs, sizeof(a->cfg.bpffs), "/sys/fs/bpf");
	snprintf(a->cfg.state_dir, sizeof(a->cfg.state_dir), "%s", NETOBS_DEFAULT_STATE_DIR);
	a->cfg.harvest_interval_ms = 1000;
	a->cfg.idle_timeout_s = 60;
	a->cfg.end_grace_ms = 3000;
	a->cfg.pressure_timeout_ms = 5000;
	a->cfg.store_size = 65535;
	a->cfg.store_l7_bytes = RECORD_STORE_PARTS_DEFAULT;
	a->cfg.flow_map_size = NETOBS_FLOW_MAP_DEFAULT_ENTRIES;
	a->cfg.client_queue = 0; /* default: the store size */
	a->cfg.max_clients = 256;
	a->cfg.request_timeout_s = 10;
	a->cfg.dns_ports[0] = 53;
	a->cfg.ndns_ports = 1;
	a->cfg.dns_timeout_ms = 5000;
	a->cfg.l7_max_conns = L7_TRACKER_DEFAULT_MAX_CONNS;
	if (gethostname(a->cfg.node_name, sizeof(a->cfg.node_name) - 1))
		snprintf(a->cfg.node_name, sizeof(a->cfg.node_name), "localhost");

	rc = parse_args(argc, argv, a);
	if (rc) {
		free(a->endpoints);
		return rc > 0 ? EXIT_SUCCESS : 2;
	}
	/* A follower's queue is the store behind its cursor: it cannot be longer. */
	if (!a->cfg.client_queue || a->cfg.client_queue > a->cfg.store_size)
		a->cfg.client_queue = a->cfg.store_size;
	signal(SIGPIPE, SIG_IGN);
	libbpf_set_print(libbpf_log);
	if (replay_path) {
		/* No lock, no socket, no loop: the capture is the only input. */
		if (!node_name_given)
			snprintf(a->cfg.node_name, sizeof(a->cfg.node_name), "%s",
				 REPLAY_NODE_NAME);
		rc = replay_run(a, replay_path);
		free(a->endpoints);
		return rc;
	}
	fd_limit_raise(a->cfg.max_clients);

	/* Before touching pins or the socket: refuse to start beside a running
	 * agent (the lock first: only its holder may clear a stale socket). */
	if ((lock_fd = agent_lock_acquire(err, sizeof(err))) < 0 ||
	    server_check_path(a->cfg.socket_path, err, sizeof(err))) {
		if (lock_fd >= 0)
			close(lock_fd);
		log_error("%s", err);
		free(a->endpoints);
		return EXIT_FAILURE;
	}
	if (cleanup_only) {
		/* No agent runs (the lock says so): the pins hold the last references. */
		rc = datapath_cleanup_pins(a->cfg.bpffs, err, sizeof(err));
		if (rc < 0)
			log_error("%s", err);
		else
			printf("released %d pinned TC link(s) and the pinned maps under %s/netobs; "
			       "imported policies stay in the state file and are enforced again "
			       "when netobs-agent starts\n",
			       rc, a->cfg.bpffs);
		close(lock_fd);
		free(a->endpoints);
		return rc < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	}

	uv_loop_init(&loop);
	a->loop = &loop;
	a->start_mono_ns = agent_now_mono_ns();
	rc = agent_start(a);
	if (rc)
		exit_code = EXIT_FAILURE;
	if (!rc || a->stopping)
		uv_run(&loop, UV_RUN_DEFAULT);
	if (!a->stopping && a->harvest_timer.loop) {
		agent_stop(a);
		uv_run(&loop, UV_RUN_DEFAULT);
	}
	if (uv_loop_close(&loop))
		log_warn("handles left open at exit");

	if (a->rb)
		ring_buffer__free(a->rb);
	if (a->nl_events)
		mnl_socket_close(a->nl_events);
	datapath_close(&a->dp);
	agent_policy_free(a); /* after the last record: records point at its refs */
	agent_l7_free(a);
	harvest_free(a);
	record_store_free(&a->store);
	flow_table_free(&a->flows);
	flow_table_free(&a->ended);
	free(a->endpoints);
	close(lock_fd);
	if (!rc)
		log_info("stopped");
	return exit_code;
}
