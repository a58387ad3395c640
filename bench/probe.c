/* probe.c — a tiny HTTP/1.1 client for the benchmarks: time from spawning the server to its first
 * answered request, and single-connection latency of slow or one-off requests (where wrk's fixed
 * duration would see too few of them).
 *
 *   probe start PORT LOG -- CMD ARGS...      spawn CMD (stdout and stderr to LOG), poll
 *                                            GET /api/v1/health on 127.0.0.1:PORT every 2 ms until
 *                                            it answers 200; prints "pid=… start_ms=…" and leaves
 *                                            the server running
 *   probe get PORT COOKIE SECONDS MAX PATH…  sequential GETs on one keep-alive connection, cycling
 *                                            through the paths, until SECONDS have passed or MAX
 *                                            requests are done (at least one); COOKIE is the
 *                                            dj_session value or "-"; prints
 *                                            "n=… median_us=… p99_us=… max_us=… non200=… bytes=…";
 *                                            a request still unanswered after $PROBE_TIMEOUT seconds
 *                                            (default 120) ends the run with "timeout_s=…" instead
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int connect_to(int port)
{
	struct sockaddr_in a;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One GET on fd; returns the status (0 on a broken connection), *bytes the body length. */
static int get(int fd, const char *path, const char *cookie, long *bytes)
{
	static char buf[1 << 20];
	char req[2048];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%sConnection: keep-alive\r\n\r\n", path,
			 cookie ? "Cookie: dj_session=" : "", cookie ? cookie : "", cookie ? "\r\n" : "");
	if (n <= 0 || n >= (int)sizeof(req) || write(fd, req, (size_t)n) != n)
		return 0;
	size_t have = 0;
	char *end = NULL;
	while (!end) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r <= 0)
			return 0;
		have += (size_t)r;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end && have >= sizeof(buf) - 1)
			return 0;
	}
	int status = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return 0;
	char *cl = strcasestr(buf, "\r\nContent-Length:");
	if (!cl || cl > end)
		return 0; /* the servers measured here always send a length */
	long len = strtol(cl + 17, NULL, 10);
	size_t head = (size_t)(end + 4 - buf);
	long body = (long)(have - head);
	while (body < len) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			return 0;
		body += r;
	}
	*bytes = len;
	return status;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int do_start(int port, const char *log, char **cmd)
{
	double t0 = now_us();
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setsid(); /* not in the caller's process group: run.sh stops it by pid */
		execvp(cmd[0], cmd);
		_exit(127);
	}
	for (;;) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "probe: server exited before answering (see %s)\n", log);
			return 1;
		}
		int fd = connect_to(port);
		long bytes;
		if (fd >= 0) {
			int status = get(fd, "/api/v1/health", NULL, &bytes);
			close(fd);
			if (status == 200) {
				printf("pid=%d start_ms=%.1f\n", (int)pid, (now_us() - t0) / 1000.0);
				return 0;
			}
		}
		if (now_us() - t0 > 120e6) {
			kill(pid, SIGTERM);
			fprintf(stderr, "probe: no answer within 120 s\n");
			return 1;
		}
		usleep(2000);
	}
}

static int do_get(int port, const char *cookie, double seconds, long max, int npaths, char **paths)
{
	double *t = malloc(sizeof(double) * (size_t)max), t0 = now_us();
	long n = 0, non200 = 0, bytes = 0;
	const char *env = getenv("PROBE_TIMEOUT");
	struct timeval tv = { env ? strtol(env, NULL, 10) : 120, 0 };
	int fd = connect_to(port);
	if (fd < 0 || !t) {
		fprintf(stderr, "probe: cannot connect to port %d\n", port);
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (n < max && (n == 0 || now_us() - t0 < seconds * 1e6)) {
		double a = now_us();
		int status = get(fd, paths[n % npaths], cookie, &bytes);
		t[n++] = now_us() - a;
		if (status == 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && t[n - 1] >= (double)tv.tv_sec * 1e6) {
			printf("n=0 timeout_s=%ld\n", (long)tv.tv_sec);
			return 0;
		}
		if (status == 0) {
			fprintf(stderr, "probe: broken response for %s\n", paths[(n - 1) % npaths]);
			return 1;
		}
		non200 += status != 200;
	}
	close(fd);
	qsort(t, (size_t)n, sizeof(double), cmp_d);
	printf("n=%ld median_us=%.0f p99_us=%.0f max_us=%.0f non200=%ld bytes=%ld\n", n, t[n / 2], t[n * 99 / 100],
	       t[n - 1], non200, bytes);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 6 && strcmp(argv[1], "start") == 0 && strcmp(argv[4], "--") == 0)
		return do_start((int)strtol(argv[2], NULL, 10), argv[3], argv + 5);
	if (argc >= 7 && strcmp(argv[1], "get") == 0)
		return do_get((int)strtol(argv[2], NULL, 10), strcmp(argv[3], "-") ? argv[3] : NULL, strtod(argv[4], NULL),
			      strtol(argv[5], NULL, 10), argc - 6, argv + 6);
	fprintf(stderr, "usage: see the comment at the top of bench/probe.c\n");
	return 2;
}
