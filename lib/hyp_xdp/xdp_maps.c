/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every read, write and walk of the maps of one program instance: each
 * write checked and logged with the map's name, each walk here and nowhere
 * else (see hyp_xdp.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include <rte_common.h>
#include <rte_log.h>

#include "hyp_addr.h"
#include "xdp_private.h"

/* One checked map write, logged with the map's name. */
static int
map_update(struct hyp_xdp *x, enum hyp_map_id id, const void *k,
	       const void *v, uint64_t flags)
{
	int ret = bpf_map_update_elem(x->map_fd[id], k, v, flags);

	if (ret < 0) {
		ret = -errno;
		if (ret != -EEXIST)
			HYP_XDP_LOG(ERR, "update of %s: %s%s", xdp_map_descs[id].name,
				    strerror(-ret), ret == -ENOSPC || ret == -E2BIG ?
				    " (map full)" : "");
	}
	return ret;
}

static int
map_delete(struct hyp_xdp *x, enum hyp_map_id id, const void *k)
{
	int ret = bpf_map_delete_elem(x->map_fd[id], k);

	if (ret < 0) {
		ret = -errno;
		if (ret != -ENOENT)
			HYP_XDP_LOG(ERR, "delete from %s: %s",
				    xdp_map_descs[id].name, strerror(-ret));
	}
	return ret;
}

/* A prefix as the key of the v4 or the v6 trie of a pair, and which trie. */
struct lpm_ref {
	enum hyp_map_id id;
	union {
		struct hyp_lpm_v4 v4;
		struct hyp_lpm_v6 v6;
	} k;
};

static int
lpm_ref(const struct hyp_cidr *c, enum hyp_map_id v4_id, enum hyp_map_id v6_id,
	struct lpm_ref *r)
{
	memset(r, 0, sizeof(*r));
	if (c->family == AF_INET) {
		r->k.v4.prefixlen = c->prefixlen;
		memcpy(r->k.v4.addr, c->addr, 4);
		r->id = v4_id;
	} else if (c->family == AF_INET6) {
		r->k.v6.prefixlen = c->prefixlen;
		memcpy(r->k.v6.addr, c->addr, 16);
		r->id = v6_id;
	} else {
		HYP_XDP_LOG(ERR, "address family %d is not IPv4 or IPv6", c->family);
		return -EAFNOSUPPORT;
	}
	return 0;
}

static int
block_ref(const struct hyp_cidr *c, bool dst, struct lpm_ref *r)
{
	return dst ? lpm_ref(c, HYP_MAP_ID_BLOCK_DST_V4, HYP_MAP_ID_BLOCK_DST_V6, r) :
		lpm_ref(c, HYP_MAP_ID_BLOCK_SRC_V4, HYP_MAP_ID_BLOCK_SRC_V6, r);
}

static int
rl_ref(const struct hyp_cidr *c, struct lpm_ref *r)
{
	return lpm_ref(c, HYP_MAP_ID_RL_RULES_V4, HYP_MAP_ID_RL_RULES_V6, r);
}

int
hyp_xdp_block_add(struct hyp_xdp *x, const struct hyp_cidr *c, bool dst,
		  uint32_t rule_id)
{
	struct hyp_block_val v = { .rule_id = rule_id };
	struct lpm_ref r;
	int ret = block_ref(c, dst, &r);

	if (ret == 0)
		ret = map_update(x, r.id, &r.k, &v, BPF_NOEXIST);
	return ret == -EEXIST ? 0 : ret;	/* already there: keep its hit count */
}

int
hyp_xdp_block_add_runtime(struct hyp_xdp *x, const struct hyp_cidr *c, bool dst)
{
	struct hyp_block_val v = { .rule_id = 0, .flags = HYP_BLOCK_F_RUNTIME };
	struct lpm_ref r;
	int ret = block_ref(c, dst, &r), fd;

	if (ret == 0)
		ret = map_update(x, r.id, &r.k, &v, BPF_NOEXIST);
	if (ret != -EEXIST)
		return ret;
	/* the policy's prefix: mark it, so it outlives its removal from the policy */
	fd = x->map_fd[r.id];
	if (bpf_map_lookup_elem(fd, &r.k, &v) < 0)
		return errno == ENOENT ? hyp_xdp_block_add_runtime(x, c, dst) : -errno;
	if (v.flags & HYP_BLOCK_F_RUNTIME)
		return 0;
	v.flags |= HYP_BLOCK_F_RUNTIME;
	return map_update(x, r.id, &r.k, &v, BPF_EXIST);
}

int
hyp_xdp_block_del(struct hyp_xdp *x, const struct hyp_cidr *c, bool dst)
{
	struct lpm_ref r;
	int ret = block_ref(c, dst, &r);

	return ret < 0 ? ret : map_delete(x, r.id, &r.k);
}

int
hyp_xdp_block_get(struct hyp_xdp *x, const struct hyp_cidr *c, bool dst,
		  struct hyp_block_val *val)
{
	struct lpm_ref r;
	int ret = block_ref(c, dst, &r);

	if (ret < 0)
		return ret;
	/* an LPM lookup with the prefix's own length finds it or a shorter one */
	if (bpf_map_lookup_elem(x->map_fd[r.id], &r.k, val) < 0)
		return -errno;
	return 0;
}

/*
 * Before the first entry: a set bit only costs a lookup, a clear one misses.
 * The slot is read, changed and written: two threads of one process (the
 * auto-block poll and a reload) each setting its bit could lose one, and a
 * lost bit makes the program skip that map for good. One lock for every
 * instance: the writes are rare. (Another process, hyperion-xdpctl, can
 * still race; it is run by hand.)
 */
static pthread_mutex_t in_use_lock = PTHREAD_MUTEX_INITIALIZER;

static int
mark_in_use(struct hyp_xdp *x, uint64_t bit)
{
	uint64_t v;
	int ret;

	pthread_mutex_lock(&in_use_lock);
	ret = hyp_xdp_config_get(x, HYP_CFG_MAPS_IN_USE, &v);
	if (ret == 0 && !(v & bit))
		ret = hyp_xdp_config_set(x, HYP_CFG_MAPS_IN_USE, v | bit);
	pthread_mutex_unlock(&in_use_lock);
	return ret;
}

static int
src_key_check(const struct hyp_src_key *k)
{
	if ((k->family != 4 && k->family != 6) || (k->family == 4 &&
	    !hyp_addr_is_v4mapped(k->addr.a))) {
		HYP_XDP_LOG(ERR, "auto-block key: family %u does not fit its address",
			    k->family);
		return -EINVAL;
	}
	return 0;
}

int
hyp_xdp_autoblock_add(struct hyp_xdp *x, const struct hyp_src_key *k,
		      uint64_t ttl_ns)
{
	struct hyp_autoblock_val v = { .expires_ns = hyp_xdp_now_ns() + ttl_ns };
	int ret = src_key_check(k);

	if (ret == 0 && ttl_ns == 0) {
		HYP_XDP_LOG(ERR, "auto-block without an expiry refused: a permanent "
			    "block is a blocklist prefix");
		ret = -EINVAL;
	}
	if (ret == 0)
		ret = mark_in_use(x, HYP_USE_AUTOBLOCK);
	return ret < 0 ? ret : map_update(x, HYP_MAP_ID_AUTOBLOCK, k, &v, BPF_ANY);
}

int
hyp_xdp_autoblock_del(struct hyp_xdp *x, const struct hyp_src_key *k)
{
	int ret = src_key_check(k);

	return ret < 0 ? ret : map_delete(x, HYP_MAP_ID_AUTOBLOCK, k);
}

int
hyp_xdp_ratelimit_add(struct hyp_xdp *x, const struct hyp_cidr *c,
		      uint32_t pps, uint32_t burst, uint32_t rule_id,
		      enum hyp_rl_scope scope, unsigned int ipv6_mask)
{
	struct hyp_rl_rule v = {
		.pps = pps, .burst = burst, .rule_id = rule_id,
		.scope = (uint8_t)scope, .prefixlen = c->prefixlen,
		.ipv6_mask = (uint8_t)ipv6_mask,
	};
	struct lpm_ref r;
	int ret;

	if (pps != 0 && burst == 0) {
		HYP_XDP_LOG(ERR, "rate limit of %u pps needs a burst of at least 1",
			    pps);
		return -EINVAL;
	}
	if ((scope != HYP_RL_SCOPE_ADDRESS && scope != HYP_RL_SCOPE_PREFIX) ||
	    ipv6_mask == 0 || ipv6_mask > 128) {
		HYP_XDP_LOG(ERR, "rate limit: scope %d, ipv6_mask %u (1..128)", (int)scope,
			    ipv6_mask);
		return -EINVAL;
	}
	ret = rl_ref(c, &r);
	if (ret < 0)
		return ret;
	hyp_rl_params(pps, burst, &v.interval_ns, &v.tolerance_ns);
	return map_update(x, r.id, &r.k, &v, BPF_ANY);
}

int
hyp_xdp_ratelimit_del(struct hyp_xdp *x, const struct hyp_cidr *c)
{
	struct lpm_ref r;
	int ret = rl_ref(c, &r);

	return ret < 0 ? ret : map_delete(x, r.id, &r.k);
}

int
hyp_xdp_ratelimit_default(struct hyp_xdp *x, uint32_t pps, uint32_t burst)
{
	__u64 iv, tol;
	int ret;

	if (pps != 0 && burst == 0) {
		HYP_XDP_LOG(ERR, "rate limit of %u pps needs a burst of at least 1",
			    pps);
		return -EINVAL;
	}
	hyp_rl_params(pps, burst, &iv, &tol);
	/* tolerance first: the program reads the interval to decide */
	ret = hyp_xdp_config_set(x, HYP_CFG_RL_TOLERANCE_NS, tol);
	if (ret == 0)
		ret = hyp_xdp_config_set(x, HYP_CFG_RL_INTERVAL_NS, iv);
	return ret;
}

int
hyp_xdp_redirect_budget(struct hyp_xdp *x, uint32_t pps, uint32_t burst)
{
	__u64 iv, tol;
	int ret;

	if (burst == 0)
		burst = pps / 10 ? pps / 10 : 1;
	hyp_rl_params(pps, burst, &iv, &tol);
	/* tolerance first: the program reads the interval to decide */
	ret = hyp_xdp_config_set(x, HYP_CFG_REDIRECT_BUDGET_TOL_NS, tol);
	if (ret == 0)
		ret = hyp_xdp_config_set(x, HYP_CFG_REDIRECT_BUDGET_NS, iv);
	return ret;
}

int
hyp_xdp_ethertype_add(struct hyp_xdp *x, uint16_t ethertype)
{
	uint32_t k = ethertype, one = 1;

	return map_update(x, HYP_MAP_ID_PASS_ETHERTYPES, &k, &one, BPF_ANY);
}

int
hyp_xdp_ethertype_del(struct hyp_xdp *x, uint16_t ethertype)
{
	uint32_t k = ethertype;

	return map_delete(x, HYP_MAP_ID_PASS_ETHERTYPES, &k);
}

static int
count_step(const void *key, const void *value, void *arg)
{
	(void)key;
	(void)value;
	++*(uint64_t *)arg;
	return 0;
}

#define COUNT_BATCH	4096

/*
 * A batch lookup reads COUNT_BATCH entries a syscall where a walk needs two
 * syscalls an entry: a full rl_state is 131072 entries. Kernels or map
 * types without batch support get the walk.
 */
int
hyp_xdp_map_count(struct hyp_xdp *x, enum hyp_map_id id, uint64_t *count)
{
	const struct hyp_map_desc *d;
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint8_t *keys = NULL, *vals = NULL;
	uint64_t batch_in = 0, batch_out = 0;
	bool first = true;
	int ret = 0;

	*count = 0;
	if ((unsigned int)id >= HYP_MAP_ID_MAX || xdp_map_descs[id].key_size == 0)
		return -EINVAL;
	d = &xdp_map_descs[id];
	if (d->type != BPF_MAP_TYPE_HASH && d->type != BPF_MAP_TYPE_LRU_HASH)
		return hyp_xdp_map_walk(x, id, false, count_step, count);
	keys = malloc((size_t)COUNT_BATCH * d->key_size);
	vals = malloc((size_t)COUNT_BATCH * d->value_size);
	if (keys == NULL || vals == NULL) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (;;) {
		__u32 n = COUNT_BATCH;

		ret = bpf_map_lookup_batch(x->map_fd[id], first ? NULL : &batch_in, &batch_out,
					   keys, vals, &n, &opts);
		if (ret < 0)
			ret = -errno;
		if (ret < 0 && ret != -ENOENT)
			break;
		*count += n;
		if (ret == -ENOENT) {
			ret = 0;	/* the last batch */
			break;
		}
		batch_in = batch_out;
		first = false;
	}
	free(keys);
	free(vals);
	if (ret == -EINVAL || ret == -ENOTSUP || ret == -EOPNOTSUPP) {
		*count = 0;
		return hyp_xdp_map_walk(x, id, false, count_step, count);
	}
	if (ret < 0)
		HYP_XDP_LOG(ERR, "counting %s: %s", d->name, strerror(-ret));
	return ret;
}

int
hyp_xdp_fence(struct hyp_xdp *x, unsigned int first, unsigned int n)
{
	uint32_t q;
	int ret;

	if (first + n > HYP_XSKS_MAX_ENTRIES)
		return -EINVAL;
	for (q = first; q < first + n; q++) {
		ret = bpf_map_delete_elem(x->map_fd[HYP_MAP_ID_XSKS], &q);
		if (ret < 0 && errno != ENOENT) {
			ret = -errno;
			HYP_XDP_LOG(ERR, "fencing queue %u (xsks_map): %s", q, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int
hyp_xdp_unfence(struct hyp_xdp *x, unsigned int q, int xsk_fd)
{
	uint32_t k = q, v;
	int ret;

	if (q >= HYP_XSKS_MAX_ENTRIES || xsk_fd < 0)
		return -EINVAL;
	v = (uint32_t)xsk_fd;
	if (bpf_map_update_elem(x->map_fd[HYP_MAP_ID_XSKS], &k, &v, BPF_ANY) < 0) {
		ret = -errno;
		HYP_XDP_LOG(ERR, "unfencing queue %u (xsks_map, socket fd %d): %s", q, xsk_fd,
			    strerror(-ret));
		return ret;
	}
	return 0;
}

static const struct {
	const char *name;
	enum hyp_map_id map;
	enum hyp_aux inserted;
} lru_tables[HYP_XDP_LRU_MAX] = {
	[HYP_XDP_LRU_FLOW] = { "flow_map", HYP_MAP_ID_FLOW, HYP_AUX_FLOW_INSERTED },
	[HYP_XDP_LRU_RL] = { "rl_state", HYP_MAP_ID_RL_STATE, HYP_AUX_RL_INSERTED },
};

const char *
hyp_xdp_lru_name(enum hyp_xdp_lru t)
{
	return (unsigned int)t < HYP_XDP_LRU_MAX ? lru_tables[t].name : "?";
}

int
hyp_xdp_lru_stats(struct hyp_xdp *x, struct hyp_xdp_lru_stats out[HYP_XDP_LRU_MAX])
{
	uint64_t aux[HYP_AUX_MAX];
	unsigned int t;
	int ret = hyp_xdp_aux_stats(x, aux);

	for (t = 0; ret == 0 && t < HYP_XDP_LRU_MAX; t++) {
		ret = hyp_xdp_map_count(x, lru_tables[t].map, &out[t].entries);
		out[t].inserted = aux[lru_tables[t].inserted];
		/* an entry inserted while we counted may be counted and not yet summed */
		out[t].evicted = out[t].inserted > out[t].entries ?
			out[t].inserted - out[t].entries : 0;
	}
	return ret;
}

static int
l4_proto_check(uint8_t proto)
{
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		HYP_XDP_LOG(ERR, "protocol %u has no ports: redirect by port is "
			    "for TCP (6) and UDP (17)", proto);
		return -EINVAL;
	}
	return 0;
}

int
hyp_xdp_redirect_port_add(struct hyp_xdp *x, uint8_t proto, uint16_t port, uint32_t priority)
{
	struct hyp_l4port_key k = { .port = port, .proto = proto };
	int ret = l4_proto_check(proto);

	if (ret == 0 && priority > HYP_SHED_PRIORITY_MAX)
		ret = -ERANGE;
	if (ret == 0)
		ret = mark_in_use(x, HYP_USE_REDIRECT_PORTS);
	return ret < 0 ? ret :
		map_update(x, HYP_MAP_ID_REDIRECT_PORTS, &k, &priority, BPF_ANY);
}

int
hyp_xdp_redirect_port_del(struct hyp_xdp *x, uint8_t proto, uint16_t port)
{
	struct hyp_l4port_key k = { .port = port, .proto = proto };
	int ret = l4_proto_check(proto);

	return ret < 0 ? ret : map_delete(x, HYP_MAP_ID_REDIRECT_PORTS, &k);
}

int
hyp_xdp_set_peer(struct hyp_xdp *x, unsigned int peer_ifindex)
{
	uint32_t k = HYP_TX_PORT_PEER, v = peer_ifindex;
	int ret;

	if (peer_ifindex == 0) {
		ret = map_delete(x, HYP_MAP_ID_TX_PORT, &k);
		return ret == -ENOENT ? 0 : ret;
	}
	/* the kernel takes a reference on the device: an unknown ifindex fails here */
	return map_update(x, HYP_MAP_ID_TX_PORT, &k, &v, BPF_ANY);
}

int
hyp_xdp_config_set(struct hyp_xdp *x, enum hyp_cfg key, uint64_t val)
{
	uint32_t k = key;

	if (k >= HYP_CFG_MAX) {
		HYP_XDP_LOG(ERR, "no config key %u", k);
		return -EINVAL;
	}
	if ((key == HYP_CFG_FAIL_MODE && val != HYP_FAIL_OPEN &&
	     val != HYP_FAIL_CLOSED) ||
	    (key == HYP_CFG_MALFORMED_ACTION && val != HYP_XDP_DROP &&
	     val != HYP_XDP_PASS) ||
	    (key == HYP_CFG_IPS && val != HYP_IPS_OFF && val != HYP_IPS_ON)) {
		HYP_XDP_LOG(ERR, "config key %u: value %" PRIu64 " is out of range",
			    k, val);
		return -EINVAL;
	}
	return map_update(x, HYP_MAP_ID_CONFIG, &k, &val, BPF_ANY);
}

int
hyp_xdp_config_get(struct hyp_xdp *x, enum hyp_cfg key, uint64_t *val)
{
	uint32_t k = key;

	if (k >= HYP_CFG_MAX)
		return -EINVAL;
	if (bpf_map_lookup_elem(x->map_fd[HYP_MAP_ID_CONFIG], &k, val) < 0)
		return -errno;
	return 0;
}

#define HYP_DEFAULT_EVENT_SAMPLE 64

int
hyp_xdp_config_defaults(struct hyp_xdp *x)
{
	static const struct {
		enum hyp_cfg key;
		uint64_t val;
	} defs[] = {
		{ HYP_CFG_FAIL_MODE, HYP_FAIL_OPEN },
		{ HYP_CFG_MALFORMED_ACTION, HYP_XDP_DROP },
		{ HYP_CFG_WATCHDOG_NS, 0 },
		{ HYP_CFG_REDIRECT_ALL, 0 },
		{ HYP_CFG_FLOW_TRACK, 1 },
		{ HYP_CFG_EVENT_SAMPLE, HYP_DEFAULT_EVENT_SAMPLE },
		{ HYP_CFG_FRAGMENTS, HYP_FRAG_INSPECT },
		{ HYP_CFG_RL_IPV6_MASK, HYP_RL_IPV6_MASK_DEFAULT },
		{ HYP_CFG_REDIRECT_BUDGET_NS, 0 },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(defs); i++) {
		ret = hyp_xdp_config_set(x, defs[i].key, defs[i].val);
		if (ret < 0)
			return ret;
	}
	return hyp_xdp_ratelimit_default(x, 0, 0);
}

int
hyp_xdp_heartbeat(struct hyp_xdp *x)
{
	return hyp_xdp_config_set(x, HYP_CFG_HEARTBEAT_NS, hyp_xdp_now_ns());
}

/* Per-CPU values come as one 8-byte-aligned slot per possible CPU. */
static int
percpu_sum(struct hyp_xdp *x, enum hyp_map_id id, uint32_t nkeys,
	       size_t words, uint64_t *out)
{
	size_t slot = RTE_ALIGN_CEIL(words * sizeof(uint64_t), 8);
	uint64_t *buf = calloc(x->ncpus, slot);
	uint32_t k;
	size_t w;
	int cpu;

	if (buf == NULL)
		return -ENOMEM;
	memset(out, 0, nkeys * words * sizeof(uint64_t));
	for (k = 0; k < nkeys; k++) {
		if (bpf_map_lookup_elem(x->map_fd[id], &k, buf) < 0) {
			int ret = -errno;

			HYP_XDP_LOG(ERR, "lookup in %s: %s", xdp_map_descs[id].name,
				    strerror(-ret));
			free(buf);
			return ret;
		}
		for (cpu = 0; cpu < x->ncpus; cpu++)
			for (w = 0; w < words; w++)
				out[k * words + w] += buf[cpu * (slot / 8) + w];
	}
	free(buf);
	return 0;
}

int
hyp_xdp_reason_stats(struct hyp_xdp *x, struct hyp_counter out[HYP_R_MAX])
{
	return percpu_sum(x, HYP_MAP_ID_REASON_STATS, HYP_R_MAX,
			      sizeof(struct hyp_counter) / sizeof(uint64_t),
			      (uint64_t *)out);
}

int
hyp_xdp_aux_stats(struct hyp_xdp *x, uint64_t out[HYP_AUX_MAX])
{
	return percpu_sum(x, HYP_MAP_ID_AUX_STATS, HYP_AUX_MAX, 1, out);
}

/* ---- walks ---------------------------------------------------------------- */

/* the largest key and value of the maps (the flow key, the flow value) */
#define WALK_KEY_MAX	64
#define WALK_VALUE_MAX	64
_Static_assert(sizeof(struct hyp_flow_key) <= WALK_KEY_MAX, "walk key room");
_Static_assert(sizeof(struct hyp_flow_val) <= WALK_VALUE_MAX, "walk value room");

int
hyp_xdp_map_walk(struct hyp_xdp *x, enum hyp_map_id id, bool values, hyp_xdp_walk_fn fn,
		 void *arg)
{
	uint8_t key[WALK_KEY_MAX], next[WALK_KEY_MAX];
	uint64_t value[WALK_VALUE_MAX / 8];
	const struct hyp_map_desc *d;
	void *prev = NULL;
	int fd, ret;

	if ((unsigned int)id >= HYP_MAP_ID_MAX || xdp_map_descs[id].key_size == 0)
		return -EINVAL;
	d = &xdp_map_descs[id];
	/* per-CPU maps come as one value per CPU: the helpers sum those */
	if (values && (d->type == BPF_MAP_TYPE_PERCPU_ARRAY || d->value_size > sizeof(value)))
		return -EINVAL;
	fd = x->map_fd[id];
	memset(key, 0, sizeof(key));
	memset(next, 0, sizeof(next));
	while ((ret = bpf_map_get_next_key(fd, prev, next)) == 0) {
		memcpy(key, next, d->key_size);
		prev = key;
		if (values && bpf_map_lookup_elem(fd, key, value) < 0) {
			if (errno == ENOENT)
				continue;	/* gone between the two calls */
			ret = -errno;
			HYP_XDP_LOG(ERR, "lookup in %s: %s", d->name, strerror(-ret));
			return ret;
		}
		ret = fn(key, values ? value : NULL, arg);
		if (ret != 0)
			return ret;
	}
	if (ret != -ENOENT) {
		HYP_XDP_LOG(ERR, "walking %s: %s", d->name, strerror(-ret));
		return ret;
	}
	return 0;
}

/* An LPM key back to the prefix it holds. */
static void
lpm_to_cidr(const void *key, bool v6, struct hyp_cidr *c)
{
	memset(c, 0, sizeof(*c));
	if (v6) {
		const struct hyp_lpm_v6 *k = key;

		c->family = AF_INET6;
		c->prefixlen = (uint8_t)k->prefixlen;
		memcpy(c->addr, k->addr, sizeof(k->addr));
	} else {
		const struct hyp_lpm_v4 *k = key;

		c->family = AF_INET;
		c->prefixlen = (uint8_t)k->prefixlen;
		memcpy(c->addr, k->addr, sizeof(k->addr));
	}
}

struct lpm_walk {
	bool v6;
	bool rl;
	hyp_xdp_block_fn block;
	hyp_xdp_ratelimit_fn ratelimit;
	void *arg;
};

static int
lpm_step(const void *key, const void *value, void *arg)
{
	struct lpm_walk *w = arg;
	struct hyp_cidr c;

	lpm_to_cidr(key, w->v6, &c);
	return w->rl ? w->ratelimit(&c, value, w->arg) : w->block(&c, value, w->arg);
}

static int
lpm_pair_walk(struct hyp_xdp *x, enum hyp_map_id v4, enum hyp_map_id v6, struct lpm_walk *w)
{
	int ret;

	w->v6 = false;
	ret = hyp_xdp_map_walk(x, v4, true, lpm_step, w);
	if (ret != 0)
		return ret;
	w->v6 = true;
	return hyp_xdp_map_walk(x, v6, true, lpm_step, w);
}

int
hyp_xdp_block_foreach(struct hyp_xdp *x, bool dst, hyp_xdp_block_fn fn, void *arg)
{
	struct lpm_walk w = { .block = fn, .arg = arg };

	return dst ? lpm_pair_walk(x, HYP_MAP_ID_BLOCK_DST_V4, HYP_MAP_ID_BLOCK_DST_V6, &w) :
		lpm_pair_walk(x, HYP_MAP_ID_BLOCK_SRC_V4, HYP_MAP_ID_BLOCK_SRC_V6, &w);
}

int
hyp_xdp_ratelimit_foreach(struct hyp_xdp *x, hyp_xdp_ratelimit_fn fn, void *arg)
{
	struct lpm_walk w = { .rl = true, .ratelimit = fn, .arg = arg };

	return lpm_pair_walk(x, HYP_MAP_ID_RL_RULES_V4, HYP_MAP_ID_RL_RULES_V6, &w);
}

/* typed callbacks are called through their own type, never a cast one */
struct typed_walk {
	hyp_xdp_autoblock_fn autoblock;
	hyp_xdp_flow_fn flow;
	void *arg;
};

static int
autoblock_step(const void *key, const void *value, void *arg)
{
	const struct typed_walk *w = arg;

	return w->autoblock(key, value, w->arg);
}

static int
flow_step(const void *key, const void *value, void *arg)
{
	const struct typed_walk *w = arg;

	return w->flow(key, value, w->arg);
}

int
hyp_xdp_autoblock_foreach(struct hyp_xdp *x, hyp_xdp_autoblock_fn fn, void *arg)
{
	struct typed_walk w = { .autoblock = fn, .arg = arg };

	return hyp_xdp_map_walk(x, HYP_MAP_ID_AUTOBLOCK, true, autoblock_step, &w);
}

int
hyp_xdp_flow_foreach(struct hyp_xdp *x, hyp_xdp_flow_fn fn, void *arg)
{
	struct typed_walk w = { .flow = fn, .arg = arg };

	return hyp_xdp_map_walk(x, HYP_MAP_ID_FLOW, true, flow_step, &w);
}
