/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console, driven through a socketpair the way a user would type into
 * it: a hand-made hyp_ctl with one net_null port (real ethdev counters) and
 * one loaded (not attached) XDP program whose maps the commands change; the
 * reloads are the control plane's own (hyp_ctl_reload()), of files that are
 * not there. Needs root for BPF.
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <bpf/bpf.h>

#include "hyp_console.h"
#include "hyp_ctl.h"
#include "hyp_xdp.h"
#include "tap.h"
#include "test_xdp.h"
#include "test_eal.h"

#define PROMPT		"test> "
#define OUT_MAX		65536
#define READ_TIMEOUT_MS	5000

static struct hyp_ctl ctl;
static int sv[2];
static char out[OUT_MAX];

struct session {
	pthread_t tid;
	int fd;
	int ret;
};

static void *
session_main(void *arg)
{
	struct session *s = arg;

	s->ret = hyp_console_run(&ctl, s->fd, s->fd, PROMPT);
	return NULL;
}

/* Read until the output ends with the prompt; false on timeout or EOF. */
static bool
read_to_prompt(int fd)
{
	size_t len = 0, pl = strlen(PROMPT);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	out[0] = '\0';
	for (;;) {
		if (len >= pl && memcmp(out + len - pl, PROMPT, pl) == 0)
			return true;
		if (poll(&p, 1, READ_TIMEOUT_MS) <= 0)
			return false;
		n = read(fd, out + len, sizeof(out) - 1 - len);
		if (n <= 0)
			return false;
		len += (size_t)n;
		out[len] = '\0';
		if (len == sizeof(out) - 1)
			return false;
	}
}

/* Type one line; out holds what came back up to the next prompt. */
static bool
cmd(const char *line)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s\n", line);

	if (write(sv[0], buf, n) != n)
		return false;
	return read_to_prompt(sv[0]);
}

static void
check_out(const char *name, const char *needle)
{
	if (getenv("TEST_CONSOLE_VERBOSE") != NULL)
		printf("# ---- %s\n%s\n", name, out);
	tap(strstr(out, needle) != NULL, name, "'%s' not in output:\n%s", needle, out);
}

/* One command and one thing its answer must say. */
static void
ask(const char *line, const char *name, const char *needle)
{
	char what[600];

	snprintf(what, sizeof(what), "'%s' answers", line);
	tap(cmd(line), what, NULL);
	check_out(name, needle);
}

/* On a pseudo-terminal: raw mode for the session, the old mode afterwards. */
static void
pty_session(void)
{
	struct termios t;
	struct session ps;
	int master, slave;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 ||
	    (slave = open(ptsname(master), O_RDWR | O_NOCTTY)) < 0) {
		tap(false, "a pseudo-terminal", "%s", strerror(errno));
		return;
	}
	ps.fd = slave;
	ps.ret = -1;
	pthread_create(&ps.tid, NULL, session_main, &ps);
	tap(read_to_prompt(master), "pty: the prompt comes up", "got:\n%s", out);
	tap(tcgetattr(slave, &t) == 0 && (t.c_lflag & (ICANON | ECHO)) == 0,
	    "pty: raw mode during the session", NULL);
	sv[0] = master;
	ask("show policy", "pty: show policy", "path:");
	tap(strstr(out, "show policy") != NULL && strstr(out, "show policyshow policy") == NULL,
	    "pty: the command is echoed once", "got:\n%s", out);
	tap(write(master, "quit\n", 5) == 5, "pty: quit", NULL);
	pthread_join(ps.tid, NULL);
	tap(ps.ret == 0, "pty: quit returns 0", "ret %d", ps.ret);
	tap(tcgetattr(slave, &t) == 0 && (t.c_lflag & (ICANON | ECHO)) == (ICANON | ECHO),
	    "pty: the terminal mode is restored", NULL);
	close(slave);
	close(master);
}

static int
null_port(uint16_t *port_id, struct rte_mempool **mp)
{
	struct rte_eth_conf conf;
	int ret;

	ret = rte_eal_hotplug_add("vdev", "net_null0", "");
	if (ret < 0)
		return ret;
	ret = rte_eth_dev_get_port_by_name("net_null0", port_id);
	if (ret < 0)
		return ret;
	*mp = rte_pktmbuf_pool_create("test_console", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				      SOCKET_ID_ANY);
	if (*mp == NULL)
		return -rte_errno;
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(*port_id, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(*port_id, 0, 64, SOCKET_ID_ANY, NULL, *mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(*port_id, 0, 64, SOCKET_ID_ANY, NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(*port_id);
	return ret;
}

/* Receive (and free) n packets from the null port. */
static unsigned int
null_rx(uint16_t port_id, unsigned int n)
{
	struct rte_mbuf *m[32];
	unsigned int got = 0, k, i;

	while (got < n) {
		k = rte_eth_rx_burst(port_id, 0, m, RTE_MIN(n - got, 32u));
		if (k == 0)
			break;
		for (i = 0; i < k; i++)
			rte_pktmbuf_free(m[i]);
		got += k;
	}
	return got;
}

int
main(int argc __rte_unused, char **argv __rte_unused)
{
	struct hyp_cidr c24, bad;
	struct hyp_block_val bv;
	struct rte_mempool *mp = NULL;
	struct hyp_xdp *x = NULL;
	struct session s, s2;
	char line[128], err[128];
	uint16_t pid = 0;
	uint64_t v;
	int ret;

	ret = test_eal_init("test_console");
	if (ret != 0)
		return ret;
	ret = test_xdp_load(&x);
	if (ret != 0) {
		test_eal_cleanup();
		return ret;
	}
	ret = null_port(&pid, &mp);
	if (ret < 0) {
		printf("Bail out! net_null0: %s\n", strerror(-ret));
		return 1;
	}

	hyp_ctl_init(&ctl);
	ctl.n_ports = 1;
	snprintf(ctl.ports[0].name, sizeof(ctl.ports[0].name), "net_null0");
	ctl.ports[0].port_id = pid;
	ctl.ports[0].nb_queues = 1;
	ctl.ports[0].xdp = x;
	ctl.mode = "ids";
	snprintf(ctl.policy_path, sizeof(ctl.policy_path), "/nonexistent-hyp/policy.yaml");

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
		printf("Bail out! socketpair: %s\n", strerror(errno));
		return 1;
	}
	s.fd = sv[1];
	s.ret = -1;
	pthread_create(&s.tid, NULL, session_main, &s);
	tap(read_to_prompt(sv[0]), "the prompt comes up", "got:\n%s", out);

	/* blocklist */
	hyp_cidr_parse("198.51.100.0/24", &c24, NULL, 0);
	ask("blocklist add 198.51.100.0/24", "blocklist add says so", "198.51.100.0/24 blocked");
	memset(&bv, 0xff, sizeof(bv));
	ret = hyp_xdp_block_get(x, &c24, false, &bv);
	tap(ret == 0 && bv.rule_id == 0 && bv.hits == 0, "the prefix is in block_src_v4",
	    "ret %d rule %u", ret, bv.rule_id);
	ask("blocklist list", "blocklist list shows the prefix", "198.51.100.0/24");
	check_out("blocklist list shows the direction", "src");
	tap(cmd("blocklist del 198.51.100.0/24"), "blocklist del answers", NULL);
	ret = hyp_xdp_block_get(x, &c24, false, &bv);
	tap(ret == -ENOENT, "the prefix left the map", "ret %d", ret);
	ask("blocklist del 198.51.100.0/24", "deleting a missing prefix says so", "not in the blocklist");
	tap(strstr(out, "unblocked") == NULL, "and does not claim it removed it", "got:\n%s", out);
	ask("blocklist list", "the list is empty", "the blocklist is empty");

	hyp_cidr_parse("198.51.100.7/24", &bad, err, sizeof(err));
	tap(cmd("blocklist add 198.51.100.7/24"), "a prefix with host bits answers", NULL);
	tap(err[0] != '\0', "hyp_cidr_parse refuses host bits", NULL);
	check_out("host bits: hyp_cidr_parse's message", err);
	ret = hyp_xdp_block_get(x, &c24, false, &bv);
	tap(ret == -ENOENT, "nothing was added", "ret %d", ret);
	tap(cmd("blocklist add 2001:db8::/32"), "an IPv6 prefix", NULL);
	ask("blocklist list", "the IPv6 prefix is listed", "2001:db8::/32");
	tap(cmd("blocklist del 2001:db8::/32"), "IPv6 del", NULL);

	/* an auto-block: listed, and lifted by blocklist del of its address */
	{
		struct hyp_autoblock_entry ab[2];
		struct hyp_autoblock_val av;
		struct hyp_cidr one;
		struct hyp_addr aa;
		struct hyp_src_key a;
		struct hyp_xdp *xs[1] = { x };
		struct hyp_autoblock_conf abc = { .hits = 1, .ttl_s = 60 };
		struct hyp_autoblock_hit h = { .proto = 6, .initiator = true, .handshake = true };

		ctl.autoblock = hyp_autoblock_create(64);
		hyp_autoblock_configure(ctl.autoblock, &abc);
		hyp_cidr_parse("203.0.113.77", &one, NULL, 0);
		hyp_cidr_to_addr(&one, &aa);
		a = hyp_src_key_host(4, aa.a);
		h.src = a;
		hyp_autoblock_report(ctl.autoblock, NULL, &h, 0);
		tap(hyp_autoblock_poll(ctl.autoblock, xs, 1, hyp_xdp_now_ns()) == 1 &&
		    bpf_map_lookup_elem(hyp_xdp_map_fd(x, HYP_MAP_ID_AUTOBLOCK), &a, &av) == 0,
		    "auto-block: 203.0.113.77 blocked in the map", NULL);
		ask("blocklist list", "the auto-block is listed", "auto 203.0.113.77/32");
		tap(cmd("blocklist del 203.0.113.77"), "blocklist del of the auto-blocked address",
		    NULL);
		check_out("del says it lifted the auto-block", "auto-block of 203.0.113.77/32 lifted");
		tap(bpf_map_lookup_elem(hyp_xdp_map_fd(x, HYP_MAP_ID_AUTOBLOCK), &a, &av) < 0 &&
		    errno == ENOENT, "the auto-block left the map", NULL);
		tap(hyp_autoblock_list(ctl.autoblock, hyp_xdp_now_ns(), ab, 2) == 0,
		    "and the auto-block library forgot it", NULL);
		pthread_mutex_lock(&ctl.lock);
		hyp_autoblock_free(ctl.autoblock);
		ctl.autoblock = NULL;
		pthread_mutex_unlock(&ctl.lock);
	}

	/* set */
	tap(cmd("set fail-mode closed"), "set fail-mode closed answers", NULL);
	tap(hyp_xdp_config_get(x, HYP_CFG_FAIL_MODE, &v) == 0 && v == HYP_FAIL_CLOSED,
	    "HYP_CFG_FAIL_MODE is closed", "value %" PRIu64, v);
	tap(cmd("set fail-mode open"), "set fail-mode open answers", NULL);
	tap(hyp_xdp_config_get(x, HYP_CFG_FAIL_MODE, &v) == 0 && v == HYP_FAIL_OPEN,
	    "HYP_CFG_FAIL_MODE is open", "value %" PRIu64, v);
	ask("set fail-mode sideways", "a bad fail-mode is refused", "Bad arguments");
	tap(cmd("set watchdog 250"), "set watchdog answers", NULL);
	tap(hyp_xdp_config_get(x, HYP_CFG_WATCHDOG_NS, &v) == 0 && v == 250000000ull,
	    "HYP_CFG_WATCHDOG_NS is 250 ms", "value %" PRIu64, v);
	tap(ctl.watchdog_ms == 250, "ctl->watchdog_ms is 250", "%u", ctl.watchdog_ms);
	ask("set watchdog many", "a bad watchdog is refused", "Bad arguments");

	/* policy */
	ask("policy reload /x.yaml", "a file by path is refused without --reload-dir",
		  "policy reload failed: reloading a policy by path is off");
	snprintf(ctl.reload_dir, sizeof(ctl.reload_dir), "/nonexistent-hyp");
	ask("policy reload /x.yaml", "and outside it, saying why",
		  "policy reload failed: /x.yaml: No such file or directory");
	tap(ctl.reloads_failed == 2, "and counted", "reloads_failed %llu",
	    (unsigned long long)ctl.reloads_failed);
	ask("policy reload", "without a file the current one is reloaded",
		  "/nonexistent-hyp/policy.yaml: cannot open");
	ask("show policy", "show policy: path", "/nonexistent-hyp/policy.yaml");
	check_out("show policy: failed reloads", "reloads failed: 3");
	check_out("show policy: last error", "/nonexistent-hyp/policy.yaml: cannot open");
	check_out("show policy: watchdog", "250 ms");

	/* ports */
	tap(null_rx(pid, 32) == 32, "32 packets from net_null0", NULL);
	snprintf(line, sizeof(line), "show port stats %u", pid);
	ask(line, "the null port's rx counter", "RX-packets: 32 ");
	check_out("the null port's name", "(net_null0)");
	ask("show port stats all", "all: the null port", "RX-packets: 32 ");
	ask("show port stats 999", "a missing port is named", "port 999 does not exist");
	ask("show port xstats all", "xstats has rx_good_packets", "rx_good_packets");
	tap(cmd("clear stats"), "clear stats answers", NULL);
	tap(null_rx(pid, 5) == 5, "5 more packets", NULL);
	ask(line, "deltas since the clear", "RX-packets: 5 ");
	check_out("the clear is noted", "since clear");
	ask("show policy", "reloads count from the clear", "reloads failed: 0");

	/* no pipeline, no engine, no AF_XDP interface */
	ask("show lcores", "show lcores without a pipeline", "no pipeline");
	ask("show rings", "show rings without a pipeline", "no stage rings");
	ask("show flows 5", "show flows without a pipeline", "no pipeline");
	ask("show flows 65", "show flows bounds its count", "bad count 65");
	ask("show rules", "show rules without an engine", "no engine");
	ask("show xsk", "show xsk without an interface", "no AF_XDP interface");

	/* the console goes on after what it does not understand */
	ask("frobnicate the flux", "an unknown command is refused", "Command not found");
	ask("help", "help lists blocklist", "blocklist add|del <cidr>");
	/* TAB completes "pol" to "policy " */
	ask("show pol\t", "TAB completion", "reloads ok:");

	tap(write(sv[0], "quit\n", 5) == 5, "quit", NULL);
	pthread_join(s.tid, NULL);
	tap(s.ret == 0, "quit returns 0", "ret %d", s.ret);

	/* a second session ends at end of input */
	s2.fd = sv[1];
	s2.ret = -1;
	pthread_create(&s2.tid, NULL, session_main, &s2);
	tap(read_to_prompt(sv[0]), "a second session", NULL);
	shutdown(sv[0], SHUT_WR);
	pthread_join(s2.tid, NULL);
	tap(s2.ret == 0, "end of input returns 0", "ret %d", s2.ret);
	tap(fcntl(sv[1], F_GETFD) == 0, "the caller's descriptor stays open", NULL);

	close(sv[0]);
	close(sv[1]);
	pty_session();

	/* the heartbeat's gate: every data-path lcore must have moved */
	{
		const uint64_t prev[3] = { 10, 20, 30 }, moved[3] = { 11, 25, 31 },
			      one_stuck[3] = { 11, 20, 31 };
		const unsigned int lcores[3] = { 1, 2, 5 };
		unsigned int stalled = 0;

		tap(hyp_ctl_progress_ok(prev, moved, lcores, 3, &stalled),
		    "heartbeat gate: every lcore moved: beat", NULL);
		tap(!hyp_ctl_progress_ok(prev, one_stuck, lcores, 3, &stalled) && stalled == 2,
		    "heartbeat gate: lcore 2 did not move: withheld, and it is named", "stalled %u",
		    stalled);
		tap(hyp_ctl_progress_ok(prev, prev, lcores, 0, &stalled),
		    "heartbeat gate: no data-path lcores: beat", NULL);
	}
	rte_eth_dev_stop(pid);
	rte_eth_dev_close(pid);
	rte_eal_hotplug_remove("vdev", "net_null0");
	rte_mempool_free(mp);
	hyp_xdp_close(x);
	test_eal_cleanup();
	printf("1..%u\n", test_no);
	return failed;
}
