// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_startup: what loading the datapath costs, program by program.
 *
 * Most of the agent's start is the kernel verifying its BPF programs. For
 * each BPF object file given (default: this build's netobs.bpf.o; give an
 * older build's object too to compare revisions in one run) this loads each
 * program alone (the others' autoload off) and then the whole object,
 * ROUNDS times, interleaved, and prints per program: the median wall time of
 * bpf_object__load(), the CPU it took (user + system of this process: the
 * verifier runs in the loading thread's syscall), the verified and
 * translated instruction counts. The maps are created each time too; their
 * cost is the "maps only" line (every program's autoload off).
 *
 * With -a AGENT (up to two, to compare builds in one run) it also starts
 * that netobs-agent binary ROUNDS times, on a private bpffs, socket and state
 * directory, and prints the time until its socket appears (the agent opens
 * it after loading and attaching) and the CPU its threads spent until then.
 * The agent attaches to the endpoints that exist: run it where there are
 * none of another test's (under the netns lock).
 *
 *   sudo ./build/bench/bench_startup [-r ROUNDS] [-a AGENT]... [OBJ ...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_PROGS  16
#define MAX_ROUNDS 32

#ifndef NETOBS_BPF_OBJECT
#define NETOBS_BPF_OBJECT "build/bpf/netobs.bpf.o"
#endif

struct load_sample {
	double wall_ms;
	double cpu_ms;
	unsigned int verified_insns;
	unsigned int xlated_insns;
};

struct object_bench {
	const char *path;
	unsigned int nprogs;
	char names[MAX_PROGS][64];
	/* [0..nprogs-1]: one program alone; [nprogs]: maps only; [nprogs+1]: all. */
	struct load_sample samples[MAX_PROGS + 2][MAX_ROUNDS];
};

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static double now_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static int list_programs(struct object_bench *b)
{
	struct bpf_object *obj = bpf_object__open_file(b->path, NULL);
	struct bpf_program *prog;

	if (!obj) {
		fprintf(stderr, "Error: cannot open %s: %s\n", b->path, strerror(errno));
		return -1;
	}
	b->nprogs = 0;
	bpf_object__for_each_program(prog, obj)
	{
		if (b->nprogs == MAX_PROGS)
			break;
		snprintf(b->names[b->nprogs++], sizeof(b->names[0]), "%s", bpf_program__name(prog));
	}
	bpf_object__close(obj);
	return 0;
}

/* only: the program to load, "" for none (maps only), NULL for all. */
static int load_once(const char *path, const char *only, struct load_sample *s)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	double wall, cpu;
	int err;

	if (!obj)
		return -errno;
	bpf_object__for_each_program(prog, obj)
	{
		if (only)
			bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), only));
	}
	wall = now_ms(CLOCK_MONOTONIC);
	cpu = cpu_ms();
	err = bpf_object__load(obj);
	s->wall_ms = now_ms(CLOCK_MONOTONIC) - wall;
	s->cpu_ms = cpu_ms() - cpu;
	s->verified_insns = s->xlated_insns = 0;
	if (!err) {
		bpf_object__for_each_program(prog, obj)
		{
			struct bpf_prog_info info;
			__u32 len = sizeof(info);

			if (bpf_program__fd(prog) < 0)
				continue;
			memset(&info, 0, sizeof(info));
			if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
				continue;
			s->verified_insns += info.verified_insns;
			s->xlated_insns += info.xlated_prog_len / 8;
		}
	}
	bpf_object__close(obj);
	return err;
}

/* CPU time of every thread of pid so far, from each /proc/PID/task/TID/schedstat. */
static double process_cpu_ms(pid_t pid)
{
	char path[64];
	unsigned long long ns, total = 0;
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		char stat_path[sizeof(path) + 300];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(stat_path, sizeof(stat_path), "%s/%s/schedstat", path, de->d_name);
		f = fopen(stat_path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			total += ns;
		fclose(f);
	}
	closedir(dir);
	return total / 1e6;
}

/* One start of the agent binary: until its socket appears, then SIGTERM. */
static int agent_start_once(const char *agent, struct load_sample *s)
{
	char dir[] = "/tmp/netobs-bench-start-XXXXXX";
	char bpffs[96], sock[96], state[96];
	struct stat st;
	double start;
	int status, rc = -1;
	pid_t pid;

	if (!mkdtemp(dir))
		return -errno;
	snprintf(bpffs, sizeof(bpffs), "%s/bpffs", dir);
	snprintf(sock, sizeof(sock), "%s/netobs.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	if (mkdir(bpffs, 0700) || mount("bpf", bpffs, "bpf", 0, NULL)) {
		rc = -errno;
		rmdir(bpffs);
		rmdir(dir);
		return rc;
	}
	start = now_ms(CLOCK_MONOTONIC);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl(agent, agent, "--socket", sock, "--bpffs", bpffs, "--state-dir", state,
		      (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && now_ms(CLOCK_MONOTONIC) - start < 60000) {
		if (!stat(sock, &st)) {
			s->wall_ms = now_ms(CLOCK_MONOTONIC) - start;
			s->cpu_ms = process_cpu_ms(pid);
			rc = 0;
			break;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = -1; /* it exited: no socket will come */
			break;
		}
		usleep(2000);
	}
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
	}
	umount2(bpffs, MNT_DETACH);
	rmdir(bpffs);
	unlink(sock);
	{
		char file[sizeof(state) + 16];

		snprintf(file, sizeof(file), "%s/policy.json", state);
		unlink(file);
	}
	rmdir(state);
	rmdir(dir);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const struct load_sample *s, unsigned int n, bool cpu)
{
	double v[MAX_ROUNDS];

	for (unsigned int i = 0; i < n; i++)
		v[i] = cpu ? s[i].cpu_ms : s[i].wall_ms;
	qsort(v, n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void print_line(const char *name, const struct load_sample *s, unsigned int rounds,
		       double total_cpu)
{
	double cpu = median(s, rounds, true);

	printf("  %-24s %9.1f %9.1f %6.0f%% %10u %8u\n", name, median(s, rounds, false), cpu,
	       total_cpu > 0 ? 100.0 * cpu / total_cpu : 0.0, s[0].verified_insns,
	       s[0].xlated_insns);
}

int main(int argc, char **argv)
{
	static struct object_bench benches[4];
	static struct load_sample agent_samples[2][MAX_ROUNDS];
	const char *agents[2];
	unsigned int nobj = 0, nagents = 0, rounds = 5;
	int opt;

	while ((opt = getopt(argc, argv, "a:r:")) != -1) {
		if (opt == 'a' && nagents < 2) {
			agents[nagents++] = optarg;
		} else if (opt == 'r') {
			rounds = (unsigned int)atoi(optarg);
			if (rounds < 1 || rounds > MAX_ROUNDS) {
				fprintf(stderr, "Error: -r takes 1 to %d rounds\n", MAX_ROUNDS);
				return 2;
			}
		} else {
			fprintf(stderr, "usage: %s [-r ROUNDS] [-a AGENT]... [OBJ ...]\n", argv[0]);
			return 2;
		}
	}
	for (int i = optind; i < argc && nobj < 4; i++)
		benches[nobj++].path = argv[i];
	if (!nobj)
		benches[nobj++].path = NETOBS_BPF_OBJECT;
	libbpf_set_print(libbpf_quiet);

	for (unsigned int o = 0; o < nobj; o++)
		if (list_programs(&benches[o]))
			return 1;
	/* Interleaved: round r loads every program of every object once. */
	for (unsigned int r = 0; r < rounds; r++) {
		for (unsigned int o = 0; o < nobj; o++) {
			struct object_bench *b = &benches[o];

			for (unsigned int p = 0; p <= b->nprogs + 1; p++) {
				const char *only = p < b->nprogs    ? b->names[p]
						   : p == b->nprogs ? ""
								    : NULL;
				int err = load_once(b->path, only, &b->samples[p][r]);

				if (err) {
					fprintf(stderr,
						"Error: BPF unavailable: loading %s (%s) failed: "
						"%s; run as root on a kernel with BTF\n",
						b->path,
						only ? (*only ? only : "maps only") : "all",
						strerror(-err));
					return 1;
				}
			}
		}
		for (unsigned int a = 0; a < nagents; a++)
			if (agent_start_once(agents[a], &agent_samples[a][r])) {
				fprintf(stderr,
					"Error: %s did not open its socket; run it by hand "
					"to see why\n",
					agents[a]);
				return 1;
			}
	}

	printf("bpf_object__load() per program, %u rounds interleaved, medians (ms)\n", rounds);
	for (unsigned int o = 0; o < nobj; o++) {
		struct object_bench *b = &benches[o];
		double all_cpu = median(b->samples[b->nprogs + 1], rounds, true);

		printf("%s\n", b->path);
		printf("  %-24s %9s %9s %7s %10s %8s\n", "program", "wall ms", "cpu ms", "of all",
		       "verified", "xlated");
		for (unsigned int p = 0; p < b->nprogs; p++)
			print_line(b->names[p], b->samples[p], rounds, all_cpu);
		print_line("(maps only)", b->samples[b->nprogs], rounds, all_cpu);
		print_line("(whole object)", b->samples[b->nprogs + 1], rounds, all_cpu);
	}
	if (nagents)
		printf("agent start, until its socket appears (medians of %u)\n", rounds);
	for (unsigned int a = 0; a < nagents; a++)
		printf("  %-48s wall %7.1f ms, cpu %7.1f ms\n", agents[a],
		       median(agent_samples[a], rounds, false),
		       median(agent_samples[a], rounds, true));
	return 0;
}
