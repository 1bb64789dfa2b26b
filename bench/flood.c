// SPDX-License-Identifier: GPL-2.0
/*
 * flood: a bounded UDP flood between two network namespaces, for the benchmark.
 *
 *   flood --src-ns A --dst-ns B [--dst 192.0.2.2] [--port 9] [--seconds 5] [--rate PPS]
 *         [--cpu 0] [--size 64] [--batch 32]
 *
 * A child enters namespace B, binds the destination address and receives with blocking
 * recvmmsg() of 64, counting datagrams. The parent enters namespace A and sends --size-byte
 * datagrams with sendmmsg() of --batch for --seconds (at most --rate datagrams/s when given).
 * Both pin themselves to --cpu. The destination must be in 192.0.2.0/24 (TEST-NET-1): the
 * benchmark's own namespaces, never a real network.
 *
 * Prints one line on stdout: "sent=N received=N seconds=S pps=R cpu_us=N" where pps = received /
 * the sender's window (first send to last send) and cpu_us = CPU time (user + system) the sender
 * and the receiver used meanwhile. Without CONFIG_IRQ_TIME_ACCOUNTING the softirq work done in
 * their context (most of the veth path) is in it; what ksoftirqd does is not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 64
#define RECV_BATCH 64
#define MAX_SIZE 1472
#define MAX_SECONDS 120.0

struct flood_opts {
	const char *src_ns;
	const char *dst_ns;
	struct in_addr dst;
	uint16_t port;
	double seconds;
	double rate;
	int cpu;
	size_t size;
	unsigned int batch;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: flood --src-ns NS --dst-ns NS [--dst 192.0.2.2] [--port 9] [--seconds 5]\n"
		   "             [--rate PPS] [--cpu 0] [--size 64] [--batch 32]\n");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int parse_double(const char *s, double min, double max, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct flood_opts *o)
{
	static const struct option opts[] = {
		{ "src-ns", required_argument, NULL, 'a' },
		{ "dst-ns", required_argument, NULL, 'b' },
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	double v;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->src_ns = optarg;
			break;
		case 'b':
			o->dst_ns = optarg;
			break;
		case 'd':
			if (inet_pton(AF_INET, optarg, &o->dst) != 1)
				goto bad;
			break;
		case 'p':
			if (parse_double(optarg, 1, 65535, &v))
				goto bad;
			o->port = (uint16_t)v;
			break;
		case 't':
			if (parse_double(optarg, 0.1, MAX_SECONDS, &o->seconds))
				goto bad;
			break;
		case 'r':
			if (parse_double(optarg, 0, 1e8, &o->rate))
				goto bad;
			break;
		case 'c':
			if (parse_double(optarg, -1, CPU_SETSIZE - 1, &v))
				goto bad;
			o->cpu = (int)v;
			break;
		case 's':
			if (parse_double(optarg, 1, MAX_SIZE, &v))
				goto bad;
			o->size = (size_t)v;
			break;
		case 'n':
			if (parse_double(optarg, 1, MAX_BATCH, &v))
				goto bad;
			o->batch = (unsigned int)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			goto bad;
		}
	}
	if (optind != argc || !o->src_ns || !o->dst_ns)
		goto bad;
	/* 192.0.2.0/24 only: this tool must not be able to flood anything real. */
	if ((ntohl(o->dst.s_addr) & 0xffffff00u) != 0xc0000200u) {
		fprintf(stderr, "flood: the destination must be in 192.0.2.0/24\n");
		return -EINVAL;
	}
	return 0;
bad:
	usage(stderr);
	return -EINVAL;
}

static int enter(const char *ns, int cpu)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "flood: cannot enter netns %s: %s\n", ns, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "flood: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
			return -1;
		}
	}
	return 0;
}

struct flood_result {
	uint64_t received;
	uint64_t cpu_us;
};

static uint64_t cpu_us_self(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ull +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/* Child: receive until the parent says the sender is done and the socket is idle. */
static int receiver(const struct flood_opts *o, int ready_fd, int done_fd, int result_fd)
{
	static char bufs[RECV_BATCH][MAX_SIZE];
	struct iovec iov[RECV_BATCH];
	struct mmsghdr msgs[RECV_BATCH];
	struct timeval idle = { .tv_sec = 0, .tv_usec = 100000 };
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(o->port) };
	int rcvbuf = 8 << 20, fd;
	struct flood_result res = { 0 };
	uint64_t cpu0;

	if (enter(o->dst_ns, o->cpu))
		return 1;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
	addr.sin_addr = o->dst;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "flood: cannot bind the receiver: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < RECV_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	cpu0 = cpu_us_self();
	if (write(ready_fd, "r", 1) != 1)
		return 1;
	for (;;) {
		int n = recvmmsg(fd, msgs, RECV_BATCH, 0, NULL);

		if (n > 0) {
			res.received += (uint64_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			fprintf(stderr, "flood: recvmmsg: %s\n", strerror(errno));
			break;
		}
		/* Idle for 100 ms: stop once the sender has finished (or died). */
		if (readable(done_fd))
			break;
	}
	res.cpu_us = cpu_us_self() - cpu0;
	if (write(result_fd, &res, sizeof(res)) != sizeof(res))
		return 1;
	return 0;
}

static void wait_until(uint64_t deadline)
{
	struct timespec ts = { .tv_sec = (time_t)(deadline / 1000000000ull),
			       .tv_nsec = (long)(deadline % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Parent: send for o->seconds; returns datagrams sent, the window in *ret_ns and the CPU time
 * used meanwhile in *ret_cpu_us. */
static int64_t sender(const struct flood_opts *o, uint64_t *ret_ns, uint64_t *ret_cpu_us)
{
	static char payload[MAX_SIZE];
	struct iovec iov = { .iov_base = payload, .iov_len = o->size };
	struct mmsghdr msgs[MAX_BATCH];
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(o->port) };
	uint64_t start, end, now, sent = 0, cpu0;
	int fd;

	if (enter(o->src_ns, o->cpu))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	addr.sin_addr = o->dst;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "flood: cannot connect: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	memset(payload, 'r', sizeof(payload));
	for (unsigned int i = 0; i < o->batch; i++) {
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	cpu0 = cpu_us_self();
	start = now = now_ns();
	end = start + (uint64_t)(o->seconds * 1e9);
	while (now < end) {
		int n = sendmmsg(fd, msgs, o->batch, 0);

		if (n > 0)
			sent += (uint64_t)n;
		else if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR &&
			 errno != ECONNREFUSED) {
			fprintf(stderr, "flood: sendmmsg: %s\n", strerror(errno));
			break;
		}
		if (o->rate > 0) {
			uint64_t due = start + (uint64_t)((double)sent / o->rate * 1e9);

			if (due > end)
				due = end;
			if (due > now_ns())
				wait_until(due);
		}
		now = now_ns();
	}
	*ret_cpu_us = cpu_us_self() - cpu0;
	close(fd);
	*ret_ns = now - start;
	return (int64_t)sent;
}

int main(int argc, char **argv)
{
	struct flood_opts o = { .port = 9, .seconds = 5, .cpu = 0, .size = 64, .batch = 32 };
	int ready[2], done[2], result[2], status;
	struct flood_result res = { 0 };
	uint64_t window_ns = 0, send_cpu_us = 0;
	int64_t sent;
	char c;
	pid_t pid;

	inet_pton(AF_INET, "192.0.2.2", &o.dst);
	if (parse_args(argc, argv, &o))
		return 2;
	if (pipe(ready) || pipe(done) || pipe(result)) {
		perror("flood: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("flood: fork");
		return 1;
	}
	if (pid == 0) {
		close(ready[0]);
		close(done[1]);
		close(result[0]);
		_exit(receiver(&o, ready[1], done[0], result[1]));
	}
	close(ready[1]);
	close(done[0]);
	close(result[1]);
	if (read(ready[0], &c, 1) != 1) {
		fprintf(stderr, "flood: the receiver did not start\n");
		waitpid(pid, NULL, 0);
		return 1;
	}
	sent = sender(&o, &window_ns, &send_cpu_us);
	/* Tell the receiver we are done (it stops after 100 ms without data). */
	if (write(done[1], "d", 1) != 1 || sent < 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return 1;
	}
	if (read(result[0], &res, sizeof(res)) != sizeof(res))
		memset(&res, 0, sizeof(res));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "flood: the receiver failed\n");
		return 1;
	}
	printf("sent=%" PRId64 " received=%" PRIu64 " seconds=%.6f pps=%.0f cpu_us=%" PRIu64 "\n",
	       sent, res.received, (double)window_ns / 1e9,
	       window_ns ? (double)res.received * 1e9 / (double)window_ns : 0.0,
	       send_cpu_us + res.cpu_us);
	return 0;
}
