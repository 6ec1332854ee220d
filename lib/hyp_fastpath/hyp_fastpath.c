/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy -> fast path maps, as a difference: the map is walked, not cleared
 * and refilled, because a cleared blocklist lets blocked sources through
 * until it is full again, and a refilled one loses its hit counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include <rte_common.h>
#include <rte_log.h>

#include "hyp_log.h"

#include "hyp_fastpath.h"

HYP_LOG_TYPE(fastpath);
#define HYP_FP_LOG(level, ...) HYP_LOG(fastpath, level, __VA_ARGS__)

/* The largest key of the maps this file manages. */
#define HYP_FP_KEY_MAX	sizeof(struct hyp_lpm_v6)

/* Which policy list feeds a map, and so which helper writes it. */
enum fp_kind {
	HYP_FP_BLOCK_SRC,
	HYP_FP_BLOCK_DST,
	HYP_FP_RATELIMIT,
	HYP_FP_PORT,
	HYP_FP_ETHERTYPE,
};

struct fp_entry {
	uint8_t key[HYP_FP_KEY_MAX];	/* key_size bytes used, the rest 0 */
	size_t pos;			/* position in the policy list */
};

struct fp_map {
	enum hyp_map_id id;
	enum fp_kind kind;
	size_t key_size;
	struct fp_entry *want;	/* the policy's keys, sorted, unique */
	size_t n_want;
	struct fp_entry *have;	/* the map's keys, sorted */
	size_t n_have;
	size_t cap_have;
};

static const char *const fp_list_names[] = {
	[HYP_FP_BLOCK_SRC] = "drop_ips",
	[HYP_FP_BLOCK_DST] = "drop_dst_ips",
	[HYP_FP_RATELIMIT] = "rate_limits",
	[HYP_FP_PORT] = "redirect_ports",
	[HYP_FP_ETHERTYPE] = "pass_ethertypes",
};

static int
fp_cmp(const void *a, const void *b)
{
	const struct fp_entry *x = a, *y = b;
	int c = memcmp(x->key, y->key, sizeof(x->key));

	/* equal keys by position: the first listing survives the dedup */
	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
fp_key_cmp(const void *a, const void *b)
{
	return memcmp(((const struct fp_entry *)a)->key,
		      ((const struct fp_entry *)b)->key, HYP_FP_KEY_MAX);
}

static const struct fp_entry *
fp_find(const struct fp_entry *set, size_t n, const uint8_t *key)
{
	struct fp_entry k;

	if (n == 0)
		return NULL;
	memset(&k, 0, sizeof(k));
	memcpy(k.key, key, HYP_FP_KEY_MAX);
	return bsearch(&k, set, n, sizeof(*set), fp_key_cmp);
}

/* The LPM key the library writes for a prefix (see hyp_lpm_key). */
static void
fp_lpm_key(const struct hyp_cidr *c, uint8_t key[HYP_FP_KEY_MAX])
{
	memset(key, 0, HYP_FP_KEY_MAX);
	if (c->family == AF_INET) {
		struct hyp_lpm_v4 k = { .prefixlen = c->prefixlen };

		memcpy(k.addr, c->addr, sizeof(k.addr));
		memcpy(key, &k, sizeof(k));
	} else {
		struct hyp_lpm_v6 k = { .prefixlen = c->prefixlen };

		memcpy(k.addr, c->addr, sizeof(k.addr));
		memcpy(key, &k, sizeof(k));
	}
}

/* A map key for messages: a prefix, or a (protocol, port) pair. */
static const char *
fp_key_str(const struct fp_map *m, const uint8_t *key, char *buf,
	       size_t len)
{
	struct hyp_cidr c;

	if (m->kind == HYP_FP_ETHERTYPE) {
		uint32_t t;

		memcpy(&t, key, sizeof(t));
		snprintf(buf, len, "EtherType 0x%04x", t);
		return buf;
	}
	if (m->kind == HYP_FP_PORT) {
		struct hyp_l4port_key k;

		memcpy(&k, key, sizeof(k));
		snprintf(buf, len, "protocol %u port %u", k.proto, k.port);
		return buf;
	}
	memset(&c, 0, sizeof(c));
	if (m->key_size == sizeof(struct hyp_lpm_v4)) {
		struct hyp_lpm_v4 k;

		memcpy(&k, key, sizeof(k));
		c.family = AF_INET;
		c.prefixlen = k.prefixlen;
		memcpy(c.addr, k.addr, sizeof(k.addr));
	} else {
		struct hyp_lpm_v6 k;

		memcpy(&k, key, sizeof(k));
		c.family = AF_INET6;
		c.prefixlen = k.prefixlen;
		memcpy(c.addr, k.addr, sizeof(k.addr));
	}
	return hyp_cidr_format(&c, buf, len);
}

static void
fp_push(struct fp_map *m, const uint8_t *key, size_t pos)
{
	struct fp_entry *e = &m->want[m->n_want++];

	memcpy(e->key, key, HYP_FP_KEY_MAX);
	e->pos = pos;
}

/* Sort, then keep the first listing of each key. */
static void
fp_unique(struct fp_map *m)
{
	size_t i, n = 0;

	if (m->n_want == 0)
		return;
	qsort(m->want, m->n_want, sizeof(*m->want), fp_cmp);
	for (i = 0; i < m->n_want; i++)
		if (n == 0 || fp_key_cmp(&m->want[n - 1], &m->want[i]) != 0)
			m->want[n++] = m->want[i];
	m->n_want = n;
}

/* Split a list of prefixes over a v4 and a v6 map. */
static int
fp_want_cidrs(struct fp_map *v4, struct fp_map *v6,
		  const struct hyp_cidr *list, size_t stride, size_t n)
{
	uint8_t key[HYP_FP_KEY_MAX];
	size_t i;

	v4->want = calloc(n ? n : 1, sizeof(*v4->want));
	v6->want = calloc(n ? n : 1, sizeof(*v6->want));
	if (v4->want == NULL || v6->want == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct hyp_cidr *c =
			(const void *)((const uint8_t *)list + i * stride);

		fp_lpm_key(c, key);
		fp_push(c->family == AF_INET ? v4 : v6, key, i);
	}
	fp_unique(v4);
	fp_unique(v6);
	return 0;
}

static int
fp_want_ports(struct fp_map *m, const struct hyp_policy *p)
{
	uint8_t key[HYP_FP_KEY_MAX];
	size_t i;

	m->want = calloc(p->n_redirect_ports ? p->n_redirect_ports : 1,
			 sizeof(*m->want));
	if (m->want == NULL)
		return -ENOMEM;
	for (i = 0; i < p->n_redirect_ports; i++) {
		struct hyp_l4port_key k = {
			.port = p->redirect_ports[i].port,
			.proto = p->redirect_ports[i].proto,
		};

		memset(key, 0, sizeof(key));
		memcpy(key, &k, sizeof(k));
		fp_push(m, key, i);
	}
	fp_unique(m);
	return 0;
}

static int
fp_want_ethertypes(struct fp_map *m, const struct hyp_policy *p)
{
	uint8_t key[HYP_FP_KEY_MAX];
	size_t i;

	m->want = calloc(p->n_pass_ethertypes ? p->n_pass_ethertypes : 1, sizeof(*m->want));
	if (m->want == NULL)
		return -ENOMEM;
	for (i = 0; i < p->n_pass_ethertypes; i++) {
		uint32_t k = p->pass_ethertypes[i];

		memset(key, 0, sizeof(key));
		memcpy(key, &k, sizeof(k));
		fp_push(m, key, i);
	}
	fp_unique(m);
	return 0;
}

static int
snapshot_add(const void *key, const void *value, void *arg)
{
	struct fp_map *m = arg;

	if (m->n_have == m->cap_have) {
		size_t cap = m->cap_have ? 2 * m->cap_have : 256;
		struct fp_entry *t = realloc(m->have, cap * sizeof(*t));

		if (t == NULL)
			return -ENOMEM;
		m->have = t;
		m->cap_have = cap;
	}
	memset(&m->have[m->n_have], 0, sizeof(m->have[0]));
	memcpy(m->have[m->n_have].key, key, m->key_size);
	m->n_have++;
	return 0;
}

/* Every key in the map now, sorted. */
static int
fp_snapshot(struct hyp_xdp *x, struct fp_map *m)
{
	int ret;

	m->n_have = 0;
	ret = hyp_xdp_map_walk(x, m->id, false, snapshot_add, m);
	if (ret < 0) {
		HYP_FP_LOG(ERR, "walking %s: %s", hyp_xdp_map_name(m->id), strerror(-ret));
		return ret;
	}
	if (m->n_have > 0)
		qsort(m->have, m->n_have, sizeof(*m->have), fp_key_cmp);
	return 0;
}

/*
 * A kept prefix whose position in its list moved keeps its hits but not its
 * old rule id: rule ids must name the line of the policy in force. The
 * rewrite loses the hits the program counts between read and write.
 */
static int
fp_fix_rule_id(struct hyp_xdp *x, const struct fp_map *m,
		   const uint8_t *key, uint32_t rule_id)
{
	int fd = hyp_xdp_map_fd(x, m->id);
	struct hyp_block_val v;

	if (bpf_map_lookup_elem(fd, key, &v) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (v.rule_id == rule_id)
		return 0;
	v.rule_id = rule_id;
	if (bpf_map_update_elem(fd, key, &v, BPF_EXIST) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

/* Write one policy entry with the library's helper. */
static int
fp_add(struct hyp_xdp *x, const struct hyp_policy *p,
	   const struct fp_map *m, const struct fp_entry *e, bool kept)
{
	uint32_t rule_id = (uint32_t)e->pos + 1;
	const struct hyp_policy_ratelimit *r;
	int ret;

	switch (m->kind) {
	case HYP_FP_BLOCK_SRC:
	case HYP_FP_BLOCK_DST:
		/* keeps an existing prefix, and with it its hits */
		ret = hyp_xdp_block_add(x, m->kind == HYP_FP_BLOCK_SRC ?
					&p->drop_ips[e->pos] : &p->drop_dst_ips[e->pos],
					m->kind == HYP_FP_BLOCK_DST, rule_id);
		if (ret == 0 && kept)
			ret = fp_fix_rule_id(x, m, e->key, rule_id);
		return ret;
	case HYP_FP_RATELIMIT:
		r = &p->rate_limits[e->pos];
		return hyp_xdp_ratelimit_add(x, &r->cidr, r->pps, r->burst, rule_id,
					     (enum hyp_rl_scope)r->scope, r->ipv6_mask);
	case HYP_FP_PORT:
		return hyp_xdp_redirect_port_add(x, p->redirect_ports[e->pos].proto,
						 p->redirect_ports[e->pos].port,
						 p->redirect_ports[e->pos].priority);
	case HYP_FP_ETHERTYPE:
		return hyp_xdp_ethertype_add(x, p->pass_ethertypes[e->pos]);
	}
	return -EINVAL;
}

static int
fp_add_all(struct hyp_xdp *x, const struct hyp_policy *p,
	       struct fp_map *m, struct hyp_fastpath_count *cnt)
{
	char buf[64];
	size_t i;
	int ret;

	for (i = 0; i < m->n_want; i++) {
		const struct fp_entry *e = &m->want[i];
		bool kept = fp_find(m->have, m->n_have, e->key) != NULL;

		ret = fp_add(x, p, m, e, kept);
		if (ret < 0) {
			HYP_FP_LOG(ERR, "%s entry %zu (%s): writing %s: %s",
				   fp_list_names[m->kind], e->pos + 1,
				   fp_key_str(m, e->key, buf, sizeof(buf)),
				   hyp_xdp_map_name(m->id), strerror(-ret));
			return ret;
		}
		if (kept)
			cnt->kept++;
		else
			cnt->added++;
	}
	return 0;
}

/* After every map holds the new entries: walk again, remove the rest. */
static int
fp_remove_rest(struct hyp_xdp *x, struct fp_map *m,
		   struct hyp_fastpath_count *cnt)
{
	int fd = hyp_xdp_map_fd(x, m->id);
	char buf[64];
	size_t i;
	int ret;

	for (i = 0; i < m->n_have; i++) {
		const uint8_t *key = m->have[i].key;

		if (fp_find(m->want, m->n_want, key) != NULL)
			continue;
		if (m->kind == HYP_FP_BLOCK_SRC || m->kind == HYP_FP_BLOCK_DST) {
			struct hyp_block_val v;

			if (bpf_map_lookup_elem(fd, key, &v) == 0 && (v.flags & HYP_BLOCK_F_RUNTIME)) {
				cnt->runtime++;	/* blocked by hand: stays */
				continue;
			}
		}
		if (bpf_map_delete_elem(fd, key) < 0) {
			if (errno == ENOENT)
				continue;	/* someone else removed it meanwhile */
			ret = -errno;
			HYP_FP_LOG(ERR, "removing %s from %s: %s",
				   fp_key_str(m, key, buf, sizeof(buf)),
				   hyp_xdp_map_name(m->id), strerror(-ret));
			return ret;
		}
		cnt->removed++;
	}
	return 0;
}

static int
fp_config(struct hyp_xdp *x, const struct hyp_policy *p)
{
	const struct {
		const char *name;	/* as in the policy file */
		enum hyp_cfg key;
		uint64_t val;
	} cfg[] = {
		{ "fail_mode", HYP_CFG_FAIL_MODE, (uint64_t)p->fail_mode },
		{ "malformed", HYP_CFG_MALFORMED_ACTION, (uint64_t)p->malformed_action },
		{ "watchdog_ms", HYP_CFG_WATCHDOG_NS,
		  (uint64_t)p->watchdog_ms * (HYP_NSEC_PER_SEC / 1000) },
		{ "redirect_all", HYP_CFG_REDIRECT_ALL, p->redirect_all },
		{ "fragments", HYP_CFG_FRAGMENTS, (uint64_t)p->fragments },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(cfg); i++) {
		ret = hyp_xdp_config_set(x, cfg[i].key, cfg[i].val);
		if (ret < 0) {
			HYP_FP_LOG(ERR, "%s (config key %u): %s", cfg[i].name,
				   (unsigned int)cfg[i].key, strerror(-ret));
			return ret;
		}
	}
	ret = hyp_xdp_redirect_budget(x, p->redirect_budget_pps, p->redirect_budget_burst);
	if (ret < 0)
		HYP_FP_LOG(ERR, "redirect_budget_pps: %s", strerror(-ret));
	return ret;
}

int
hyp_fastpath_apply(struct hyp_xdp *x, const struct hyp_policy *p,
		   struct hyp_fastpath_stats *st)
{
	struct fp_map m[] = {
		{ HYP_MAP_ID_BLOCK_SRC_V4, HYP_FP_BLOCK_SRC, sizeof(struct hyp_lpm_v4) },
		{ HYP_MAP_ID_BLOCK_SRC_V6, HYP_FP_BLOCK_SRC, sizeof(struct hyp_lpm_v6) },
		{ HYP_MAP_ID_BLOCK_DST_V4, HYP_FP_BLOCK_DST, sizeof(struct hyp_lpm_v4) },
		{ HYP_MAP_ID_BLOCK_DST_V6, HYP_FP_BLOCK_DST, sizeof(struct hyp_lpm_v6) },
		{ HYP_MAP_ID_RL_RULES_V4, HYP_FP_RATELIMIT, sizeof(struct hyp_lpm_v4) },
		{ HYP_MAP_ID_RL_RULES_V6, HYP_FP_RATELIMIT, sizeof(struct hyp_lpm_v6) },
		{ HYP_MAP_ID_REDIRECT_PORTS, HYP_FP_PORT, sizeof(struct hyp_l4port_key) },
		{ HYP_MAP_ID_PASS_ETHERTYPES, HYP_FP_ETHERTYPE, sizeof(uint32_t) },
	};
	struct hyp_fastpath_stats scratch;
	unsigned int i;
	int ret;

	if (x == NULL || p == NULL)
		return -EINVAL;
	if (st == NULL)
		st = &scratch;
	memset(st, 0, sizeof(*st));

	ret = fp_config(x, p);
	if (ret < 0)
		return ret;

	ret = fp_want_cidrs(&m[0], &m[1], p->drop_ips, sizeof(*p->drop_ips),
				p->n_drop_ips);
	if (ret == 0)
		ret = fp_want_cidrs(&m[2], &m[3], p->drop_dst_ips,
					sizeof(*p->drop_dst_ips), p->n_drop_dst_ips);
	if (ret == 0)
		ret = fp_want_cidrs(&m[4], &m[5], p->n_rate_limits ?
					&p->rate_limits[0].cidr : NULL,
					sizeof(*p->rate_limits), p->n_rate_limits);
	if (ret == 0)
		ret = fp_want_ports(&m[6], p);
	if (ret == 0)
		ret = fp_want_ethertypes(&m[7], p);
	if (ret < 0)
		HYP_FP_LOG(ERR, "out of memory for %s", p->path ? p->path : "policy");

	/*
	 * All additions first: the removals below never open a gap. Each pass
	 * reads the map afresh, so it sees what the last one wrote.
	 */
	for (i = 0; ret == 0 && i < RTE_DIM(m); i++) {
		ret = fp_snapshot(x, &m[i]);
		if (ret == 0)
			ret = fp_add_all(x, p, &m[i], &st->map[m[i].id]);
	}
	for (i = 0; ret == 0 && i < RTE_DIM(m); i++) {
		ret = fp_snapshot(x, &m[i]);
		if (ret == 0)
			ret = fp_remove_rest(x, &m[i], &st->map[m[i].id]);
	}

	for (i = 0; i < RTE_DIM(m); i++) {
		free(m[i].want);
		free(m[i].have);
	}
	return ret;
}

int
hyp_fastpath_apply_all(struct hyp_xdp *const xs[], unsigned int n,
		       const struct hyp_policy *p, const struct hyp_policy *old,
		       unsigned int *failed)
{
	unsigned int i, k;
	int ret, r;

	for (i = 0; i < n; i++) {
		ret = hyp_fastpath_apply(xs[i], p, NULL);
		if (ret == 0)
			continue;
		if (failed != NULL)
			*failed = i;
		for (k = 0; k <= i && old != NULL; k++) {
			r = hyp_fastpath_apply(xs[k], old, NULL);
			if (r < 0)
				HYP_FP_LOG(ERR, "program %u: bringing the maps back to the "
					   "running policy failed too: %s", hyp_xdp_prog_id(xs[k]),
					   strerror(-r));
		}
		return ret;
	}
	return 0;
}
