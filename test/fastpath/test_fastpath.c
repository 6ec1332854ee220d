/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_fastpath_apply() against a loaded (not attached) program: three
 * policies in a row, and after each the exact content of every map it
 * manages, the config it writes, the config it must leave alone, and its
 * per-map counts. Hits are made with BPF_PROG_TEST_RUN between the applies,
 * so that "a prefix that stays keeps its hits" is seen, not assumed.
 *
 * Then the order of the writes: every map write the library makes goes
 * through the linker's --wrap (see meson.build), which logs it and can make
 * the N-th one fail. So "every entry is written before any is removed",
 * "the first failed write stops the apply" and "a refused apply brings every
 * port back" are checked write by write, at every write an apply makes.
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
#include "test_xdp.h"

#define DUMP_MAX 4096

/* ---- every map write, through the linker's --wrap ------------------------ */

int __real_bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags);
int __real_bpf_map_delete_elem(int fd, const void *key);
int __wrap_bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags);
int __wrap_bpf_map_delete_elem(int fd, const void *key);

#define OPS_MAX 4096

static struct {
	bool on;
	unsigned int fail_at;	/* 1-based: this update fails with ENOSPC; 0: none */
	unsigned int updates;
	unsigned int n;
	char op[OPS_MAX];	/* 'U' update, 'D' delete, 'F' the failed update */
} rec;

static void
rec_start(unsigned int fail_at)
{
	memset(&rec, 0, sizeof(rec));
	rec.fail_at = fail_at;
	rec.on = true;
}

static void
rec_put(char op)
{
	if (rec.n < OPS_MAX)
		rec.op[rec.n++] = op;
}

int
__wrap_bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	if (rec.on) {
		if (++rec.updates == rec.fail_at) {
			rec_put('F');
			errno = ENOSPC;
			return -ENOSPC;
		}
		rec_put('U');
	}
	return __real_bpf_map_update_elem(fd, key, value, flags);
}

int
__wrap_bpf_map_delete_elem(int fd, const void *key)
{
	if (rec.on)
		rec_put('D');
	return __real_bpf_map_delete_elem(fd, key);
}

/* the first op of a kind at or after from, or -1 */
static int
rec_find(char op, unsigned int from)
{
	unsigned int i;

	for (i = from; i < rec.n; i++)
		if (rec.op[i] == op)
			return (int)i;
	return -1;
}

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
	"  fragments: drop\n"
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

struct dump_lines {
	enum hyp_map_id id;
	char *lines[64];
	size_t n;
};

static int
dump_one(const void *key, const void *val, void *arg)
{
	struct dump_lines *d = arg;
	char line[128], addr[INET6_ADDRSTRLEN];

	if (d->n == 64)
		return 1;
	if (d->id == HYP_MAP_ID_REDIRECT_PORTS) {
		const struct hyp_l4port_key *k = key;

		snprintf(line, sizeof(line), "%u/%u", k->proto, k->port);
	} else {
		const struct hyp_lpm_v4 *k4 = key;
		const struct hyp_lpm_v6 *k6 = key;
		bool v4 = d->id == HYP_MAP_ID_BLOCK_SRC_V4 || d->id == HYP_MAP_ID_BLOCK_DST_V4 ||
			  d->id == HYP_MAP_ID_RL_RULES_V4;
		int o;

		inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? (const void *)k4->addr :
			  (const void *)k6->addr, addr, sizeof(addr));
		o = snprintf(line, sizeof(line), "%s/%u ", addr, k4->prefixlen);
		if (d->id == HYP_MAP_ID_RL_RULES_V4 || d->id == HYP_MAP_ID_RL_RULES_V6) {
			const struct hyp_rl_rule *r = val;

			snprintf(line + o, sizeof(line) - o, "pps=%u burst=%u id=%u",
				 r->pps, r->burst, r->rule_id);
		} else {
			const struct hyp_block_val *b = val;

			snprintf(line + o, sizeof(line) - o, "id=%u hits=%llu",
				 b->rule_id, (unsigned long long)b->hits);
		}
	}
	d->lines[d->n++] = strdup(line);
	return 0;
}

/* One map's entries, one "key value" string each, sorted, joined by "; ". */
static const char *
dump(struct hyp_xdp *x, enum hyp_map_id id, char *out, size_t len)
{
	struct dump_lines d = { .id = id };
	size_t i, off = 0;
	int ret;

	out[0] = '\0';
	ret = hyp_xdp_map_walk(x, id, true, dump_one, &d);
	if (ret < 0)
		snprintf(out, len, "walk failed: %s", strerror(-ret));
	qsort(d.lines, d.n, sizeof(d.lines[0]), cmp_str);
	for (i = 0; i < d.n; i++) {
		if (ret >= 0)
			off += snprintf(out + off, off < len ? len - off : 0, "%s%s",
					i ? "; " : "", d.lines[i] ? d.lines[i] : "?");
		free(d.lines[i]);
	}
	return out;
}

static const enum hyp_map_id managed[] = {
	HYP_MAP_ID_BLOCK_SRC_V4, HYP_MAP_ID_BLOCK_SRC_V6, HYP_MAP_ID_BLOCK_DST_V4,
	HYP_MAP_ID_BLOCK_DST_V6, HYP_MAP_ID_RL_RULES_V4, HYP_MAP_ID_RL_RULES_V6,
	HYP_MAP_ID_REDIRECT_PORTS,
};

/* Everything an apply may change: the managed maps and the config array. */
static const char *
dump_all(struct hyp_xdp *x, char *out, size_t len)
{
	char one[DUMP_MAX];
	size_t off = 0;
	unsigned int i;
	uint64_t v;

	out[0] = '\0';
	for (i = 0; i < DIM(managed); i++)
		off += snprintf(out + off, off < len ? len - off : 0, "%s: [%s]\n",
				hyp_xdp_map_name(managed[i]), dump(x, managed[i], one, sizeof(one)));
	for (i = 0; i < HYP_CFG_MAX; i++) {
		if (i == HYP_CFG_HEARTBEAT_NS)
			continue;
		v = UINT64_MAX;
		hyp_xdp_config_get(x, i, &v);
		off += snprintf(out + off, off < len ? len - off : 0, "cfg%u=%llu ", i,
				(unsigned long long)v);
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
 * What one apply must leave: a map's exact contents (NULL: not looked at)
 * and the apply's count for it (added < 0: not looked at).
 */
struct map_want {
	const char *step;
	enum hyp_map_id id;
	const char *holds;
	int added, removed, kept;
};

#define NO_COUNT	-1, 0, 0

/* What each step of main() must leave, in the order it checks. */
static const struct map_want want[] = {
	/* policy 1 onto empty maps */
	{ "p1", HYP_MAP_ID_BLOCK_SRC_V4, "192.0.2.0/24 id=1 hits=0; 198.51.100.7/32 id=2 hits=0; "
	  "203.0.113.9/32 id=4 hits=0", 3, 0, 0 },
	{ "p1", HYP_MAP_ID_BLOCK_SRC_V6, "2001:db8:bad::/48 id=3 hits=0", 1, 0, 0 },
	{ "p1", HYP_MAP_ID_BLOCK_DST_V4, "203.0.113.0/24 id=1 hits=0", 1, 0, 0 },
	{ "p1", HYP_MAP_ID_BLOCK_DST_V6, "2001:db8:2::/64 id=2 hits=0", 1, 0, 0 },
	{ "p1", HYP_MAP_ID_RL_RULES_V4, "198.18.0.0/16 pps=100 burst=10 id=1", 1, 0, 0 },
	{ "p1", HYP_MAP_ID_RL_RULES_V6, "2001:db8:1::/48 pps=5 burst=1 id=2", 1, 0, 0 },
	{ "p1", HYP_MAP_ID_REDIRECT_PORTS, "17/53; 6/443", 2, 0, 0 },
	/* policy 2 after policy 1 (and three hits): removes, keeps, adds */
	{ "p2", HYP_MAP_ID_BLOCK_SRC_V4,
	  "10.0.0.0/8 id=1 hits=0; 192.0.2.0/24 id=2 hits=2; 203.0.113.9/32 id=3 hits=0",
	  1, 1, 2 },
	{ "p2", HYP_MAP_ID_BLOCK_SRC_V6, "2001:db8:beef::/48 id=4 hits=0", 1, 1, 0 },
	{ "p2", HYP_MAP_ID_BLOCK_DST_V4, "203.0.113.0/24 id=1 hits=1", 0, 0, 1 },
	{ "p2", HYP_MAP_ID_BLOCK_DST_V6, "", 0, 1, 0 },
	{ "p2", HYP_MAP_ID_RL_RULES_V4,
	  "100.64.0.0/10 pps=0 burst=0 id=2; 198.18.0.0/16 pps=50 burst=5 id=1", 1, 0, 1 },
	{ "p2", HYP_MAP_ID_RL_RULES_V6, "", 0, 1, 0 },
	{ "p2", HYP_MAP_ID_REDIRECT_PORTS, "17/123; 17/53", 1, 1, 1 },
	/* the same policy again changes nothing */
	{ "p2 again", HYP_MAP_ID_BLOCK_SRC_V4,
	  "10.0.0.0/8 id=1 hits=1; 192.0.2.0/24 id=2 hits=3; 203.0.113.9/32 id=3 hits=0",
	  0, 0, 3 },
	{ "p2 again", HYP_MAP_ID_REDIRECT_PORTS, NULL, 0, 0, 2 },
	/* an empty policy empties every map */
	{ "empty", HYP_MAP_ID_BLOCK_SRC_V4, "", 0, 3, 0 },
	{ "empty", HYP_MAP_ID_BLOCK_SRC_V6, "", 0, 1, 0 },
	{ "empty", HYP_MAP_ID_BLOCK_DST_V4, "", 0, 1, 0 },
	{ "empty", HYP_MAP_ID_BLOCK_DST_V6, "", NO_COUNT },
	{ "empty", HYP_MAP_ID_RL_RULES_V4, "", 0, 2, 0 },
	{ "empty", HYP_MAP_ID_RL_RULES_V6, "", NO_COUNT },
	{ "empty", HYP_MAP_ID_REDIRECT_PORTS, "", 0, 2, 0 },
	/* a bad entry stops the apply: additions before it stay, nothing is removed */
	{ "failed", HYP_MAP_ID_BLOCK_SRC_V4,
	  "10.0.0.0/8 id=1 hits=0; 192.0.2.0/24 id=2 hits=0; 203.0.113.9/32 id=3 hits=0",
	  NO_COUNT },
	{ "failed", HYP_MAP_ID_RL_RULES_V4, "", NO_COUNT },
	{ "failed", HYP_MAP_ID_REDIRECT_PORTS, "", NO_COUNT },
};

static void
check_maps(struct hyp_xdp *x, const struct hyp_fastpath_stats *st, const char *step)
{
	const struct map_want *w = want;
	unsigned int i;

	for (i = 0; i < DIM(want); i++) {
		if (strcmp(w[i].step, step) != 0)
			continue;
		if (w[i].holds != NULL)
			check_map(x, step, w[i].id, w[i].holds);
		if (w[i].added >= 0)
			check_count(st, step, w[i].id, w[i].added, w[i].removed, w[i].kept);
	}
}

/* The policy's own config words (watchdog, redirect_all < 0: not looked at),
 * and the caller's untouched. */
static void
check_policy_cfg(struct hyp_xdp *x, const char *step, uint64_t fail_mode,
		 uint64_t malformed, int64_t watchdog_ns, int redirect_all, uint64_t fragments)
{
	check_cfg(x, step, HYP_CFG_FAIL_MODE, "fail_mode", fail_mode);
	check_cfg(x, step, HYP_CFG_MALFORMED_ACTION, "malformed_action", malformed);
	if (watchdog_ns >= 0)
		check_cfg(x, step, HYP_CFG_WATCHDOG_NS, "watchdog_ns", (uint64_t)watchdog_ns);
	if (redirect_all >= 0)
		check_cfg(x, step, HYP_CFG_REDIRECT_ALL, "redirect_all", (uint64_t)redirect_all);
	check_cfg(x, step, HYP_CFG_FRAGMENTS, "fragments", fragments);
	check_caller_cfg(x, step);
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

/* The frames sent after a step, and how the program must count each. */
static const struct {
	const char *step;
	int family;
	const char *src, *dst;
	enum hyp_reason want;
	const char *why;
} sends[] = {
	/* hits on prefixes that stay (192.0.2.0/24, 203.0.113.0/24) and one that goes */
	{ "p1", 4, "192.0.2.5", "198.18.200.1", HYP_R_BLOCK_SRC, "p1: 192.0.2.5 (hit 1)" },
	{ "p1", 4, "192.0.2.77", "198.18.200.1", HYP_R_BLOCK_SRC, "p1: 192.0.2.77 (hit 2)" },
	{ "p1", 4, "100.64.0.1", "203.0.113.50", HYP_R_BLOCK_DST, "p1: to 203.0.113.50" },
	{ "p1", 6, "2001:db8:bad::1", "2001:db8:ffff::1", HYP_R_BLOCK_SRC, "p1: 2001:db8:bad::1" },
	{ "p2", 4, "192.0.2.5", "198.18.200.1", HYP_R_BLOCK_SRC, "p2: a kept prefix" },
	{ "p2", 4, "10.9.9.9", "198.18.200.1", HYP_R_BLOCK_SRC, "p2: an added prefix" },
	{ "p2", 6, "2001:db8:bad::1", "2001:db8:ffff::1", HYP_R_FORWARD_FAIL,
	  "p2: a removed prefix is not blocked" },
	{ "empty", 4, "192.0.2.5", "198.18.200.1", HYP_R_FORWARD_FAIL,
	  "empty: nothing is blocked any more" },
};

/* One apply, then what the tables say it must leave and how frames fare. */
static void
step(struct hyp_xdp *x, const struct hyp_policy *p, const char *name, int want_ret)
{
	struct hyp_fastpath_stats st;
	char t[128];
	unsigned int i;
	int ret = hyp_fastpath_apply(x, p, &st);

	snprintf(t, sizeof(t), "%s: the apply returns %d", name, want_ret);
	tap(ret == want_ret, t, "got %d (%s)", ret, strerror(-ret));
	check_maps(x, &st, name);
	for (i = 0; i < DIM(sends); i++)
		if (strcmp(sends[i].step, name) == 0)
			check_send(x, sends[i].family, sends[i].src, sends[i].dst,
				   sends[i].want, sends[i].why);
}

/*
 * p1 -> p2 with every write logged: none of the removals comes before the
 * last write. Returns how many updates the apply made, for the failure loop.
 */
static unsigned int
test_write_order(struct hyp_xdp *x, const struct hyp_policy *p1, const struct hyp_policy *p2)
{
	int ret, last_u = -1, first_d, i;
	unsigned int n;

	ret = hyp_fastpath_apply(x, p1, NULL);
	tap(ret == 0, "order: policy 1 applies", "%s", strerror(-ret));
	rec_start(0);
	ret = hyp_fastpath_apply(x, p2, NULL);
	rec.on = false;
	n = rec.updates;
	for (i = 0; i < (int)rec.n; i++)
		if (rec.op[i] == 'U')
			last_u = i;
	first_d = rec_find('D', 0);
	tap(ret == 0 && n > 0 && first_d > 0, "order: policy 1 -> 2 writes and removes",
	    "ret %d, %u updates, first removal at %d", ret, n, first_d);
	tap(first_d > last_u, "order: every write comes before the first removal",
	    "last write at op %d, first removal at op %d of %u: %.*s", last_u, first_d,
	    rec.n, (int)rec.n, rec.op);
	return n;
}

/*
 * A write failing at each of the apply's writes in turn: the apply returns
 * that error, writes nothing after it, removes nothing, and every entry of
 * the policy in force is still there (the blocked stay blocked).
 */
static void
test_write_failure(struct hyp_xdp *x, const struct hyp_policy *p1, const struct hyp_policy *p2,
		   unsigned int n_writes)
{
	/* what only policy 1 has: a removal of policy 2 would take it */
	static const struct {
		enum hyp_map_id id;
		const char *entry;
	} only_p1[] = {
		{ HYP_MAP_ID_BLOCK_SRC_V4, "198.51.100.7/32" },
		{ HYP_MAP_ID_BLOCK_SRC_V6, "2001:db8:bad::/48" },
		{ HYP_MAP_ID_BLOCK_DST_V6, "2001:db8:2::/64" },
		{ HYP_MAP_ID_RL_RULES_V6, "2001:db8:1::/48" },
		{ HYP_MAP_ID_REDIRECT_PORTS, "6/443" },
	};
	char want[DUMP_MAX], got[DUMP_MAX];
	unsigned int k, i, bad_ret = 0, removed = 0, after = 0, lost = 0;
	int ret;

	for (k = 1; k <= n_writes; k++) {
		if (hyp_fastpath_apply(x, p1, NULL) < 0) {
			tap(false, "failure: policy 1 re-applies", NULL);
			return;
		}
		rec_start(k);
		ret = hyp_fastpath_apply(x, p2, NULL);
		rec.on = false;
		if (ret != -ENOSPC)
			bad_ret++;
		if (rec_find('D', 0) >= 0)
			removed++;
		if (rec_find('U', (unsigned int)rec_find('F', 0) + 1) >= 0)
			after++;
		/* the entries only policy 1 has must all still be there */
		for (i = 0; i < DIM(only_p1); i++) {
			dump(x, only_p1[i].id, got, sizeof(got));
			if (strstr(got, only_p1[i].entry) == NULL)
				lost++;
		}
	}
	tap(bad_ret == 0, "failure at each write: the apply returns the write's error",
	    "%u of %u applies returned something else", bad_ret, n_writes);
	tap(after == 0, "failure at each write: nothing is written after the failed write",
	    "%u of %u applies went on writing", after, n_writes);
	tap(removed == 0, "failure at each write: nothing is removed",
	    "%u of %u applies removed entries", removed, n_writes);
	tap(lost == 0, "failure at each write: every entry of the running policy stays",
	    "%u entries of policy 1 gone", lost);

	/* and a later successful apply converges: policy 2 alone */
	ret = hyp_fastpath_apply(x, p2, NULL);
	dump(x, HYP_MAP_ID_BLOCK_SRC_V4, got, sizeof(got));
	dump(x, HYP_MAP_ID_REDIRECT_PORTS, want, sizeof(want));
	tap(ret == 0 && strstr(got, "10.0.0.0/8") != NULL && strstr(got, "198.51.100.7") == NULL &&
	    strcmp(want, "17/123; 17/53") == 0, "failure: the next apply converges",
	    "ret %d, block_src_v4 [%s], redirect_ports [%s]", ret, got, want);
}

/*
 * Two ports at policy 1, a reload to policy 2 that fails at each write of
 * either port in turn: both ports end exactly as they were, hits included.
 */
static void
test_rollback(struct hyp_xdp *x, struct hyp_xdp *x2, const struct hyp_policy *p1,
	      const struct hyp_policy *p2, unsigned int n_writes)
{
	static char want1[DUMP_MAX], want2[DUMP_MAX], got1[DUMP_MAX], got2[DUMP_MAX];
	struct hyp_xdp *xs[2] = { x, x2 };
	unsigned int k, bad_ret = 0, bad_idx = 0, differ = 0, idx;
	int ret;

	ret = hyp_fastpath_apply(x, p1, NULL);
	if (ret == 0)
		ret = hyp_fastpath_apply(x2, p1, NULL);
	/* hits to keep: the rollback must not lose them */
	check_send(x, 4, "192.0.2.9", "198.18.200.1", HYP_R_BLOCK_SRC, "rollback: a hit on port 1");
	check_send(x2, 4, "203.0.113.9", "198.18.200.1", HYP_R_BLOCK_SRC, "rollback: a hit on port 2");
	dump_all(x, want1, sizeof(want1));
	dump_all(x2, want2, sizeof(want2));
	for (k = 1; ret == 0 && k <= 2 * n_writes; k++) {
		idx = UINT32_MAX;
		rec_start(k);
		ret = hyp_fastpath_apply_all(xs, 2, p2, p1, &idx);
		rec.on = false;
		if (ret != -ENOSPC)
			bad_ret++;
		if (idx != (k <= n_writes ? 0u : 1u))
			bad_idx++;
		dump_all(x, got1, sizeof(got1));
		dump_all(x2, got2, sizeof(got2));
		if (strcmp(got1, want1) != 0 || strcmp(got2, want2) != 0) {
			if (differ++ == 0)
				printf("# failing write %u: port 1\n# %s\n# want\n# %s\n", k, got1,
				       want1);
		}
		ret = 0;
	}
	tap(bad_ret == 0 && bad_idx == 0,
	    "rollback: a failed write on either port fails the apply and names the port",
	    "%u wrong returns, %u wrong ports of %u", bad_ret, bad_idx, 2 * n_writes);
	tap(differ == 0, "rollback: after a failure at any write, both ports are back "
	    "at the running policy, hits and config included",
	    "%u of %u failures left a port changed", differ, 2 * n_writes);
	ret = hyp_fastpath_apply_all(xs, 2, p2, p1, &idx);
	dump(x, HYP_MAP_ID_REDIRECT_PORTS, got1, sizeof(got1));
	dump(x2, HYP_MAP_ID_REDIRECT_PORTS, got2, sizeof(got2));
	tap(ret == 0 && strcmp(got1, "17/123; 17/53") == 0 && strcmp(got2, got1) == 0,
	    "rollback: without a failure both ports take the new policy",
	    "ret %d, [%s] and [%s]", ret, got1, got2);
}

int
main(void)
{
	struct hyp_policy *p1, *p2, *p3;
	struct hyp_fastpath_stats st;
	struct hyp_xdp *x, *x2;
	unsigned int n_writes;
	int ret;

	ret = test_xdp_load(&x);
	if (ret != 0)
		return ret;
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

	step(x, p1, "p1", 0);
	check_policy_cfg(x, "p1", HYP_FAIL_CLOSED, HYP_XDP_PASS, 250000000LL, 1, HYP_FRAG_DROP);
	step(x, p2, "p2", 0);
	check_policy_cfg(x, "p2", HYP_FAIL_OPEN, HYP_XDP_DROP, 0, 0, HYP_FRAG_INSPECT);
	step(x, p2, "p2 again", 0);
	step(x, p3, "empty", 0);
	check_policy_cfg(x, "empty", HYP_FAIL_OPEN, HYP_XDP_DROP, -1, -1, HYP_FRAG_INSPECT);
	p2->rate_limits[1].burst = 0;	/* the parser never gives pps without a burst */
	p2->rate_limits[1].pps = 1;
	step(x, p2, "failed", -EINVAL);

	/* -- the order of the writes, failures, rollback ------------------------ */
	p2->rate_limits[1].burst = 0;	/* back to what the parser gave */
	p2->rate_limits[1].pps = 0;
	n_writes = test_write_order(x, p1, p2);
	test_write_failure(x, p1, p2, n_writes);
	ret = hyp_xdp_load(&x2);
	if (ret < 0 || hyp_xdp_config_defaults(x2) < 0 ||
	    hyp_xdp_config_set(x2, HYP_CFG_IPS, HYP_IPS_ON) < 0) {
		tap(false, "a second program loads", "%s", strerror(-ret));
	} else {
		test_rollback(x, x2, p1, p2, n_writes);
		hyp_xdp_close(x2);
	}

	hyp_policy_free(p1);
	hyp_policy_free(p2);
	hyp_policy_free(p3);
	hyp_xdp_close(x);
	printf("1..%u\n", test_no);
	return failed;
}
