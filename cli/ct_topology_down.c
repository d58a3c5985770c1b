// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Taking the connectivity test's topology down (ct_topology_down). It uses
 * neither libnl nor the heap: it may run on a SIGINT path, in another
 * process than the one that built it (it finds the servers by their pid
 * files and process names), on a half-built topology, and twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ct_internal.h"

#define CT_SERVER_STOP_WAIT_MS 1000
#define CT_SERVER_REAP_WAIT_MS 3000

static void down_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void down_report(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int len;

	len = snprintf(msg, sizeof(msg), "Error: connectivity cleanup: ");
	va_start(ap, fmt);
	len += vsnprintf(msg + len, sizeof(msg) - (size_t)len, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(msg) - 2)
		len = (int)sizeof(msg) - 2;
	msg[len++] = '\n';
	if (write(STDERR_FILENO, msg, (size_t)len) < 0) {
		/* Nowhere else to say it. */
	}
}

/* RTM_DELLINK by name over a plain netlink socket. 0 when gone (or never there), else -errno. */
static int link_delete(const char *name)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[RTA_SPACE(IFNAMSIZ)];
	} req;
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
		char rest[256];
	} ack;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	size_t name_len = strnlen(name, IFNAMSIZ - 1) + 1;
	struct rtattr *rta;
	ssize_t n;
	int fd, err;

	if (!if_nametoindex(name))
		return 0;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_type = RTM_DELLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	rta = (struct rtattr *)req.attrs;
	rta->rta_type = IFLA_IFNAME;
	rta->rta_len = (unsigned short)RTA_LENGTH(name_len);
	memcpy(RTA_DATA(rta), name, name_len - 1);
	req.nh.nlmsg_len = (uint32_t)(NLMSG_LENGTH(sizeof(req.ifi)) + RTA_ALIGN(rta->rta_len));

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	n = recv(fd, &ack, sizeof(ack), 0);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	if ((size_t)n < sizeof(ack.nh) + sizeof(ack.err) || ack.nh.nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ack.err.error == -ENODEV ? 0 : ack.err.error;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * A server another process started (a kept topology) is init's child once
 * stopped: wait a little for init to reap it, so that when cleanup returns
 * its pid is gone and `kill -0` says so. A zombie holds nothing: not a failure.
 */
static void servers_wait_reaped(const pid_t *stopped)
{
	int waited = 0;

	for (int s = 0; s < CT_SERVER__COUNT; s++)
		while (stopped[s] && kill(stopped[s], 0) == 0 && waited < CT_SERVER_REAP_WAIT_MS) {
			sleep_ms(20);
			waited += 20;
		}
}

/* SIGTERM to each server's process group (the server and its connections), SIGKILL after 1 s. */
static int servers_stop(struct ct_topology *t)
{
	pid_t pids[CT_SERVER__COUNT], stopped[CT_SERVER__COUNT];
	int failed = 0, waited = 0;
	bool any;

	for (int s = 0; s < CT_SERVER__COUNT; s++) {
		pids[s] = t->servers[s] && ct_server_pid_is(t->servers[s], s)
				  ? t->servers[s]
				  : ct_server_pid_read(s);
		stopped[s] = pids[s];
		if (pids[s] && kill(-pids[s], SIGTERM) < 0 && errno != ESRCH)
			kill(pids[s], SIGTERM);
	}
	do {
		any = false;
		for (int s = 0; s < CT_SERVER__COUNT; s++) {
			/* Reaps the server when it is our own child (not one a kept topology left). */
			if (pids[s])
				waitpid(pids[s], NULL, WNOHANG);
			if (pids[s] && !ct_server_pid_is(pids[s], s))
				pids[s] = 0;
			any |= pids[s] != 0;
		}
		if (any) {
			sleep_ms(20);
			waited += 20;
		}
	} while (any && waited < CT_SERVER_STOP_WAIT_MS);
	for (int s = 0; s < CT_SERVER__COUNT; s++) {
		if (!pids[s])
			continue;
		kill(-pids[s], SIGKILL);
		kill(pids[s], SIGKILL);
		for (int i = 0; i < 50 && ct_server_pid_is(pids[s], s); i++) {
			waitpid(pids[s], NULL, WNOHANG);
			sleep_ms(10);
		}
		if (ct_server_pid_is(pids[s], s)) {
			down_report("server %s (pid %d) did not stop even after SIGKILL",
				    ct_server_name(s), (int)pids[s]);
			failed++;
		}
	}
	/* Our own children (this run started them) are reaped here, the others by init. */
	for (int s = 0; s < CT_SERVER__COUNT; s++)
		if (stopped[s] && waitpid(stopped[s], NULL, WNOHANG) == stopped[s])
			stopped[s] = 0;
	servers_wait_reaped(stopped);
	memset(t->servers, 0, sizeof(t->servers));
	return failed;
}

/* Run argv (no shell), its output to /dev/null. Its exit status, or -errno. */
int ct_run_quietly(char *const argv[])
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		/*
		 * Ctrl-C reaches the whole foreground process group: a second one
		 * while the topology is removed would kill `nft delete table` and
		 * leave the masquerade rule. The CLI decides when to stop; its
		 * caught SIGINT would become the default at exec, so ignore it.
		 */
		signal(SIGINT, SIG_IGN);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int ct_file_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int ct_file_write(const char *path, const char *text, mode_t mode)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(text))
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

/* The masquerade table and the saved net.ipv4.ip_forward, when --external set them. */
static int external_down(void)
{
	char *const nft_delete[] = {"nft", "delete", "table", "ip", CT_NFT_TABLE, NULL};
	char path[PATH_MAX], saved[16];
	int failed = 0, rc;

	snprintf(path, sizeof(path), "%s/%s", CT_STATE_DIR, CT_EXTERNAL_FILE);
	if (!ct_path_exists(path))
		return 0;
	rc = ct_run_quietly(nft_delete);
	/* 1: no such table (a half-built run, or removed by hand): nothing to undo. */
	if (rc != 0 && rc != 1) {
		down_report("nft delete table ip %s failed (%s %d): remove it by hand",
			    CT_NFT_TABLE, rc < 0 ? "error" : "exit status", rc < 0 ? -rc : rc);
		failed++;
	}
	snprintf(path, sizeof(path), "%s/%s", CT_STATE_DIR, CT_FORWARD_FILE);
	if (ct_file_read(path, saved, sizeof(saved)) == 0) {
		rc = ct_file_write(CT_IP_FORWARD_PATH, saved, 0644);
		if (rc) {
			down_report("restoring %s to %.1s: %s", CT_IP_FORWARD_PATH, saved,
				    strerror(-rc));
			failed++;
		}
	}
	return failed;
}

static int netns_delete(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", CT_NETNS_RUN_DIR, name);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		down_report("unmounting %s: %s", path, strerror(errno));
		return 1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		down_report("removing %s: %s", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* The state directory's files are all known by name: no directory walk (no heap). */
static int state_dir_remove(void)
{
	static const char *const fixed[] = {CT_CA_FILE,	      CT_CERT_FILE,    CT_KEY_FILE,
					    CT_EXTERNAL_FILE, CT_FORWARD_FILE, CT_MASQUERADE_FILE};
	static const char *const suffixes[] = {".pid", ".log"};
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", CT_STATE_DIR, fixed[i]);
		unlink(path);
	}
	for (int s = 0; s < CT_SERVER__COUNT; s++)
		for (size_t i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/%s%s", CT_STATE_DIR, ct_server_name(s),
				 suffixes[i]);
			unlink(path);
		}
	if (rmdir(CT_STATE_DIR) < 0 && errno != ENOENT) {
		down_report("removing %s: %s (files not made by netobs are in it?)", CT_STATE_DIR,
			    strerror(errno));
		return 1;
	}
	return 0;
}

int ct_topology_down(struct ct_topology *t)
{
	/*
	 * The names are the fixed ones, whatever t holds: a t never described
	 * (all zero) must not make "/run/netns/" + "" a path to unmount.
	 */
	static struct ct_topology names;
	int failed = 0, err;

	ct_topology_describe(&names);
	failed += servers_stop(t);
	failed += external_down();
	/* Veths first: a namespace's own links go only when the kernel gets round to it. */
	for (int n = 0; n < CT_NODE__COUNT; n++) {
		err = link_delete(names.nodes[n].veth);
		if (err) {
			down_report("deleting link %s: %s", names.nodes[n].veth, strerror(-err));
			failed++;
		}
	}
	for (int n = 0; n < CT_NODE__COUNT; n++)
		failed += netns_delete(names.nodes[n].netns);
	err = link_delete(CT_BRIDGE);
	if (err) {
		down_report("deleting bridge %s: %s", CT_BRIDGE, strerror(-err));
		failed++;
	}
	failed += state_dir_remove();
	t->external = false;
	return failed;
}
