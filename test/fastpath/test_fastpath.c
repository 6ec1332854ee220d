/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_fastpath_apply() against a loaded (not attached) program: three
 * policies in a row, and after each the exact content of every map it
 * manages, the config it writes, the config it must leave alone, and its
 * per-map counts. Hits are made with BPF_PROG_TEST_RUN between the applies,
 * so that "a prefix that stays keeps its hits" is seen, not assumed.
 * TAP; exit 77 without the right to load BPF.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "hyp_fastpath.h"
#include "pkt_build.h"
#include "tap.h"

#define DUMP_MAX 4096

/* P1: everything the fast path takes, rule ids in the comments */
static const char policy1[] =
	"fast_path:\n"
	"  drop_ips:\n"
	"    - 192.0.2.0/24\n"		/* 1 */
	"    - 198.51.100.7\n"		/* 2 */
	"    - \"2001:db8:bad::/48\"\n"	/* 3 */
	"    - 203.0.113.9\n"		/* 4 */
	"  drop_dst_ips:\n"
	"    - 203.0.113.0/24\n"	/* 1 */
	"    - \"2001:db8:2::/64\"\n"	/* 2 */
	"  redirect_ports:\n"
	"    - protocol: 17\n"
	"      port: 53\n"
	"    - protocol: 6\n"
	"      port: 443\n"
	"  rate_limits:\n"
	"    - cidr: 198.18.0.0/16\n"
	"      pps: 100\n"
	"      burst: 10\n"
	"    - cidr: \"2001:db8:1::/48\"\n"
	"      pps: 5\n"
	"      burst: 1\n"
	"  malformed: pass\n"
	"  redirect_all: true\n"
	"runtime:\n"
	"  fail_mode: closed\n"
	"  watchdog_ms: 250\n";

/* P2: drops some of P1, keeps some (at new positions), adds some */
static const char policy2[] =
	"fast_path:\n"
	"  drop_ips:\n"
	"    - 10.0.0.0/8\n"		/* 1, new */
	"    - 192.0.2.0/24\n"		/* 2, kept (was 1) */
	"    - 203.0.113.9\n"		/* 3, kept (was 4) */
	"    - \"2001:db8:beef::/48\"\n"	/* 4, new */
	"    - 10.0.0.0/8\n"		/* listed twice: the first listing counts */
	"  drop_dst_ips:\n"
	"    - 203.0.113.0/24\n"	/* 1, kept */
	"  redirect_ports:\n"
	"    - protocol: 17\n"
	"      port: 53\n"
	"    - protocol: 17\n"
	"      port: 123\n"
	"  rate_limits:\n"
	"    - cidr: 198.18.0.0/16\n"
	"      pps: 50\n"
	"      burst: 5\n"
	"    - cidr: 100.64.0.0/10\n"
	"      pps: 0\n"
	"runtime:\n"
	"  fail_mode: open\n";

static struct hyp_policy *
parse(const char *yaml, const char *name)
{
	struct hyp_policy_error err;
	struct hyp_policy *p = NULL;
	char msg[600];

	if (hyp_policy_parse(yaml, strlen(yaml), name, &p, &err) < 0) {
		printf("# %s\n", hyp_policy_error_str(&err, msg, sizeof(msg)));
		return NULL;
	}
	return p;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One map's entries, one "key value" string each, sorted, joined by "; ". */
static const char *
dump(struct hyp_xdp *x, enum hyp_map_id id, char *out, size_t len)
{
	int fd = hyp_xdp_map_fd(x, id);
	uint8_t key[64], next[64] = { 0 }, val[64];
	char *lines[64], line[128], addr[INET6_ADDRSTRLEN];
	void *prev = NULL;
	size_t n = 0, i, off = 0;

	out[0] = '\0';
	while (n < 64 && bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, sizeof(key));
		prev = key;
		if (bpf_map_lookup_elem(fd, key, val) < 0) {
			snprintf(line, sizeof(line), "lookup failed: %s", strerror(errno));
		} else if (id == HYP_MAP_ID_REDIRECT_PORTS) {
			const struct hyp_port_key *k = (const void *)key;

			snprintf(line, sizeof(line), "%u/%u", k->proto, k->port);
		} else {
			const struct hyp_lpm_v4 *k4 = (const void *)key;
			const struct hyp_lpm_v6 *k6 = (const void *)key;
			bool v4 = id == HYP_MAP_ID_BLOCK_SRC_V4 || id == HYP_MAP_ID_BLOCK_DST_V4 ||
				  id == HYP_MAP_ID_RL_RULES_V4;
			int o;

			inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? (const void *)k4->addr :
				  (const void *)k6->addr, addr, sizeof(addr));
			o = snprintf(line, sizeof(line), "%s/%u ", addr, k4->prefixlen);
			if (id == HYP_MAP_ID_RL_RULES_V4 || id == HYP_MAP_ID_RL_RULES_V6) {
				const struct hyp_rl_rule *r = (const void *)val;

				snprintf(line + o, sizeof(line) - o, "pps=%u burst=%u id=%u",
					 r->pps, r->burst, r->rule_id);
			} else {
				const struct hyp_block_val *b = (const void *)val;

				snprintf(line + o, sizeof(line) - o, "id=%u hits=%llu",
					 b->rule_id, (unsigned long long)b->hits);
			}
		}
		lines[n++] = strdup(line);
	}
	qsort(lines, n, sizeof(lines[0]), cmp_str);
	for (i = 0; i < n; i++) {
		off += snprintf(out + off, off < len ? len - off : 0, "%s%s",
				i ? "; " : "", lines[i] ? lines[i] : "?");
		free(lines[i]);
	}
	return out;
}

static void
check_map(struct hyp_xdp *x, const char *step, enum hyp_map_id id, const char *want)
{
	char got[DUMP_MAX], name[128];

	snprintf(name, sizeof(name), "%s: %s holds exactly [%s]", step,
		 hyp_xdp_map_name(id), want);
	dump(x, id, got, sizeof(got));
	tap(strcmp(got, want) == 0, name, "got [%s]", got);
}

static void
check_count(const struct hyp_fastpath_stats *st, const char *step, enum hyp_map_id id,
	    uint32_t added, uint32_t removed, uint32_t kept)
{
	const struct hyp_fastpath_count *c = &st->map[id];
	char name[128];

	snprintf(name, sizeof(name), "%s: %s counts %u added, %u removed, %u kept", step,
		 hyp_xdp_map_name(id), added, removed, kept);
	tap(c->added == added && c->removed == removed && c->kept == kept, name,
	    "got %u added, %u removed, %u kept", c->added, c->removed, c->kept);
}

static void
check_cfg(struct hyp_xdp *x, const char *step, enum hyp_cfg key, const char *what,
	  uint64_t want)
{
	char name[128];
	uint64_t v = UINT64_MAX;
	int ret = hyp_xdp_config_get(x, key, &v);

	snprintf(name, sizeof(name), "%s: %s is %llu", step, what, (unsigned long long)want);
	tap(ret == 0 && v == want, name, "got %llu (ret %d)", (unsigned long long)v, ret);
}

/* What the caller owns: set before the first apply, never touched by it. */
#define CALLER_HEARTBEAT	123456789ULL
#define CALLER_EVENT_SAMPLE	7
#define CALLER_RL_PPS		10
#define CALLER_RL_BURST		2

static void
check_caller_cfg(struct hyp_xdp *x, const char *step)
{
	__u64 iv, tol;

	hyp_rl_params(CALLER_RL_PPS, CALLER_RL_BURST, &iv, &tol);
	check_cfg(x, step, HYP_CFG_HEARTBEAT_NS, "heartbeat (caller's)", CALLER_HEARTBEAT);
	check_cfg(x, step, HYP_CFG_IPS, "ips (caller's)", HYP_IPS_ON);
	check_cfg(x, step, HYP_CFG_FLOW_TRACK, "flow_track (caller's)", 0);
	check_cfg(x, step, HYP_CFG_EVENT_SAMPLE, "event_sample (caller's)", CALLER_EVENT_SAMPLE);
	check_cfg(x, step, HYP_CFG_RL_INTERVAL_NS, "default rate limit (caller's)", iv);
}

/*
 * One frame through the program: the reason it was counted under, or -1.
 * The caller's IPS mode has no peer, so what no rule drops is forward_fail.
 */
static int
send_one(struct hyp_xdp *x, int family, const char *src, const char *dst)
{
	struct pkt_spec s = { .family = family, .src = src, .dst = dst,
			      .sport = 40000, .dport = 9, .payload = 10 };
	struct hyp_counter before[HYP_R_MAX], after[HYP_R_MAX];
	struct frame f;
	LIBBPF_OPTS(bpf_test_run_opts, o);
	int r, reason = -1;

	if (pkt_build(&s, &f) < 0)
		return -1;
	o.data_in = f.b;
	o.data_size_in = f.len;
	o.repeat = 1;
	if (hyp_xdp_reason_stats(x, before) < 0 ||
	    bpf_prog_test_run_opts(hyp_xdp_prog_fd(x), &o) < 0 ||
	    hyp_xdp_reason_stats(x, after) < 0)
		return -1;
	for (r = 0; r < HYP_R_MAX; r++) {
		if (after[r].packets == before[r].packets)
			continue;
		if (reason >= 0)
			return -1;	/* counted twice */
		reason = r;
	}
	return reason;
}

static void
check_send(struct hyp_xdp *x, int family, const char *src, const char *dst,
	   enum hyp_reason want, const char *why)
{
	int r = send_one(x, family, src, dst);
	char name[160];

	snprintf(name, sizeof(name), "%s: %s", why, hyp_reason_name(want));
	tap(r == (int)want, name, "counted as %s", r < 0 ? "(error)" : hyp_reason_name(r));
}

int
main(void)
{
	struct hyp_policy *p1, *p2, *p3;
	struct hyp_fastpath_stats st;
	struct hyp_xdp *x;
	int ret;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root to load BPF\n");
		return 77;
	}
	ret = hyp_xdp_load(&x);
	if (ret == -EPERM) {
		printf("1..0 # SKIP not allowed to load BPF programs\n");
		return 77;
	}
	if (ret < 0) {
		printf("Bail out! loading the XDP program: %s\n", strerror(-ret));
		return 1;
	}
	p1 = parse(policy1, "policy1");
	p2 = parse(policy2, "policy2");
	p3 = parse("", "empty");
	if (p1 == NULL || p2 == NULL || p3 == NULL) {
		printf("Bail out! a test policy does not parse\n");
		return 1;
	}
	if (hyp_xdp_config_defaults(x) < 0 ||
	    hyp_xdp_config_set(x, HYP_CFG_HEARTBEAT_NS, CALLER_HEARTBEAT) < 0 ||
	    hyp_xdp_config_set(x, HYP_CFG_IPS, HYP_IPS_ON) < 0 ||
	    hyp_xdp_config_set(x, HYP_CFG_FLOW_TRACK, 0) < 0 ||
	    hyp_xdp_config_set(x, HYP_CFG_EVENT_SAMPLE, CALLER_EVENT_SAMPLE) < 0 ||
	    hyp_xdp_ratelimit_default(x, CALLER_RL_PPS, CALLER_RL_BURST) < 0) {
		printf("Bail out! setting the caller's config\n");
		return 1;
	}

	tap(hyp_fastpath_apply(x, NULL, &st) == -EINVAL, "no policy: -EINVAL", NULL);

	/* -- policy 1 onto empty maps --------------------------------------- */
	ret = hyp_fastpath_apply(x, p1, &st);
	tap(ret == 0, "policy 1 applies", "%s", strerror(-ret));
	check_map(x, "p1", HYP_MAP_ID_BLOCK_SRC_V4,
		  "192.0.2.0/24 id=1 hits=0; 198.51.100.7/32 id=2 hits=0; "
		  "203.0.113.9/32 id=4 hits=0");
	check_map(x, "p1", HYP_MAP_ID_BLOCK_SRC_V6, "2001:db8:bad::/48 id=3 hits=0");
	check_map(x, "p1", HYP_MAP_ID_BLOCK_DST_V4, "203.0.113.0/24 id=1 hits=0");
	check_map(x, "p1", HYP_MAP_ID_BLOCK_DST_V6, "2001:db8:2::/64 id=2 hits=0");
	check_map(x, "p1", HYP_MAP_ID_RL_RULES_V4, "198.18.0.0/16 pps=100 burst=10 id=1");
	check_map(x, "p1", HYP_MAP_ID_RL_RULES_V6, "2001:db8:1::/48 pps=5 burst=1 id=2");
	check_map(x, "p1", HYP_MAP_ID_REDIRECT_PORTS, "17/53; 6/443");
	check_count(&st, "p1", HYP_MAP_ID_BLOCK_SRC_V4, 3, 0, 0);
	check_count(&st, "p1", HYP_MAP_ID_BLOCK_SRC_V6, 1, 0, 0);
	check_count(&st, "p1", HYP_MAP_ID_BLOCK_DST_V4, 1, 0, 0);
	check_count(&st, "p1", HYP_MAP_ID_BLOCK_DST_V6, 1, 0, 0);
	check_count(&st, "p1", HYP_MAP_ID_RL_RULES_V4, 1, 0, 0);
	check_count(&st, "p1", HYP_MAP_ID_RL_RULES_V6, 1, 0, 0);
	check_count(&st, "p1", HYP_MAP_ID_REDIRECT_PORTS, 2, 0, 0);
	check_cfg(x, "p1", HYP_CFG_FAIL_MODE, "fail_mode", HYP_FAIL_CLOSED);
	check_cfg(x, "p1", HYP_CFG_MALFORMED_ACTION, "malformed_action", HYP_XDP_PASS);
	check_cfg(x, "p1", HYP_CFG_WATCHDOG_NS, "watchdog_ns", 250000000ULL);
	check_cfg(x, "p1", HYP_CFG_REDIRECT_ALL, "redirect_all", 1);
	check_caller_cfg(x, "p1");

	/* hits on prefixes that stay (192.0.2.0/24, 203.0.113.0/24) and one that goes */
	check_send(x, 4, "192.0.2.5", "198.18.200.1", HYP_R_BLOCK_SRC, "p1: 192.0.2.5 (hit 1)");
	check_send(x, 4, "192.0.2.77", "198.18.200.1", HYP_R_BLOCK_SRC, "p1: 192.0.2.77 (hit 2)");
	check_send(x, 4, "100.64.0.1", "203.0.113.50", HYP_R_BLOCK_DST, "p1: to 203.0.113.50");
	check_send(x, 6, "2001:db8:bad::1", "2001:db8:ffff::1", HYP_R_BLOCK_SRC,
		   "p1: 2001:db8:bad::1");

	/* -- policy 2: remove, keep, add --------------------------------------- */
	ret = hyp_fastpath_apply(x, p2, &st);
	tap(ret == 0, "policy 2 applies", "%s", strerror(-ret));
	check_map(x, "p2", HYP_MAP_ID_BLOCK_SRC_V4,
		  "10.0.0.0/8 id=1 hits=0; 192.0.2.0/24 id=2 hits=2; 203.0.113.9/32 id=3 hits=0");
	check_map(x, "p2", HYP_MAP_ID_BLOCK_SRC_V6, "2001:db8:beef::/48 id=4 hits=0");
	check_map(x, "p2", HYP_MAP_ID_BLOCK_DST_V4, "203.0.113.0/24 id=1 hits=1");
	check_map(x, "p2", HYP_MAP_ID_BLOCK_DST_V6, "");
	check_map(x, "p2", HYP_MAP_ID_RL_RULES_V4,
		  "100.64.0.0/10 pps=0 burst=0 id=2; 198.18.0.0/16 pps=50 burst=5 id=1");
	check_map(x, "p2", HYP_MAP_ID_RL_RULES_V6, "");
	check_map(x, "p2", HYP_MAP_ID_REDIRECT_PORTS, "17/123; 17/53");
	check_count(&st, "p2", HYP_MAP_ID_BLOCK_SRC_V4, 1, 1, 2);
	check_count(&st, "p2", HYP_MAP_ID_BLOCK_SRC_V6, 1, 1, 0);
	check_count(&st, "p2", HYP_MAP_ID_BLOCK_DST_V4, 0, 0, 1);
	check_count(&st, "p2", HYP_MAP_ID_BLOCK_DST_V6, 0, 1, 0);
	check_count(&st, "p2", HYP_MAP_ID_RL_RULES_V4, 1, 0, 1);
	check_count(&st, "p2", HYP_MAP_ID_RL_RULES_V6, 0, 1, 0);
	check_count(&st, "p2", HYP_MAP_ID_REDIRECT_PORTS, 1, 1, 1);
	check_cfg(x, "p2", HYP_CFG_FAIL_MODE, "fail_mode", HYP_FAIL_OPEN);
	check_cfg(x, "p2", HYP_CFG_MALFORMED_ACTION, "malformed_action", HYP_XDP_DROP);
	check_cfg(x, "p2", HYP_CFG_WATCHDOG_NS, "watchdog_ns", 0);
	check_cfg(x, "p2", HYP_CFG_REDIRECT_ALL, "redirect_all", 0);
	check_caller_cfg(x, "p2");
	check_send(x, 4, "192.0.2.5", "198.18.200.1", HYP_R_BLOCK_SRC, "p2: a kept prefix");
	check_send(x, 4, "10.9.9.9", "198.18.200.1", HYP_R_BLOCK_SRC, "p2: an added prefix");
	check_send(x, 6, "2001:db8:bad::1", "2001:db8:ffff::1", HYP_R_FORWARD_FAIL,
		   "p2: a removed prefix is not blocked");

	/* the same policy again changes nothing */
	ret = hyp_fastpath_apply(x, p2, &st);
	tap(ret == 0, "policy 2 applies again", "%s", strerror(-ret));
	check_map(x, "p2 again", HYP_MAP_ID_BLOCK_SRC_V4,
		  "10.0.0.0/8 id=1 hits=1; 192.0.2.0/24 id=2 hits=3; 203.0.113.9/32 id=3 hits=0");
	check_count(&st, "p2 again", HYP_MAP_ID_BLOCK_SRC_V4, 0, 0, 3);
	check_count(&st, "p2 again", HYP_MAP_ID_REDIRECT_PORTS, 0, 0, 2);

	/* -- an empty policy empties every map ----------------------------------- */
	ret = hyp_fastpath_apply(x, p3, &st);
	tap(ret == 0, "empty policy applies", "%s", strerror(-ret));
	check_map(x, "empty", HYP_MAP_ID_BLOCK_SRC_V4, "");
	check_map(x, "empty", HYP_MAP_ID_BLOCK_SRC_V6, "");
	check_map(x, "empty", HYP_MAP_ID_BLOCK_DST_V4, "");
	check_map(x, "empty", HYP_MAP_ID_BLOCK_DST_V6, "");
	check_map(x, "empty", HYP_MAP_ID_RL_RULES_V4, "");
	check_map(x, "empty", HYP_MAP_ID_RL_RULES_V6, "");
	check_map(x, "empty", HYP_MAP_ID_REDIRECT_PORTS, "");
	check_count(&st, "empty", HYP_MAP_ID_BLOCK_SRC_V4, 0, 3, 0);
	check_count(&st, "empty", HYP_MAP_ID_BLOCK_SRC_V6, 0, 1, 0);
	check_count(&st, "empty", HYP_MAP_ID_BLOCK_DST_V4, 0, 1, 0);
	check_count(&st, "empty", HYP_MAP_ID_RL_RULES_V4, 0, 2, 0);
	check_count(&st, "empty", HYP_MAP_ID_REDIRECT_PORTS, 0, 2, 0);
	check_cfg(x, "empty", HYP_CFG_FAIL_MODE, "fail_mode", HYP_FAIL_OPEN);
	check_cfg(x, "empty", HYP_CFG_MALFORMED_ACTION, "malformed_action", HYP_XDP_DROP);
	check_caller_cfg(x, "empty");
	check_send(x, 4, "192.0.2.5", "198.18.200.1", HYP_R_FORWARD_FAIL,
		   "empty: nothing is blocked any more");

	/* a bad entry stops the apply: additions before it stay, nothing is removed */
	p2->rate_limits[1].burst = 0;	/* the parser never gives pps without a burst */
	p2->rate_limits[1].pps = 1;
	ret = hyp_fastpath_apply(x, p2, &st);
	tap(ret == -EINVAL, "a rate limit of 1 pps with burst 0: -EINVAL", "got %d", ret);
	check_map(x, "failed", HYP_MAP_ID_BLOCK_SRC_V4,
		  "10.0.0.0/8 id=1 hits=0; 192.0.2.0/24 id=2 hits=0; 203.0.113.9/32 id=3 hits=0");
	check_map(x, "failed", HYP_MAP_ID_RL_RULES_V4, "");
	check_map(x, "failed", HYP_MAP_ID_REDIRECT_PORTS, "");

	hyp_policy_free(p1);
	hyp_policy_free(p2);
	hyp_policy_free(p3);
	hyp_xdp_close(x);
	printf("1..%u\n", test_no);
	return failed;
}
