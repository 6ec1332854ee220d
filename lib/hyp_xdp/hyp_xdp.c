/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loader and map helpers for the hyperion XDP program.
 *
 * Every instance is reached the same way, whoever loaded it: from the
 * program's kernel id to its map ids, matched by name and checked against
 * the layouts in hyp_xdp_shared.h. So a handle always holds the maps of one
 * program, and two instances on two interfaces never share maps by accident.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
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

#include "hyp_xdp.h"
#include "hyp_xdp.skel.h"

RTE_LOG_REGISTER(hyp_xdp_logtype, hyp.xdp, INFO);
#define HYP_XDP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, hyp_xdp_logtype, "hyp_xdp: %s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

struct hyp_xdp {
	struct hyp_xdp_bpf *skel;	/* set when this handle loaded it */
	int prog_fd;
	uint32_t prog_id;
	int map_fd[HYP_MAP_ID_MAX];
	unsigned int attached_ifindex;	/* set when this handle attached it */
	uint32_t attached_flags;
	int ncpus;
};

struct hyp_map_desc {
	const char *name;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
};

/* From the one list in hyp_xdp_shared.h. */
static const struct hyp_map_desc hyp_map_descs[HYP_MAP_ID_MAX] = {
#define HYP_DESC_KEYED(id, name, type, key_t, value_t) \
	[HYP_MAP_ID_ ## id] = { #name, type, sizeof(key_t), sizeof(value_t) },
#define HYP_DESC_PLAIN(id, name, type) [HYP_MAP_ID_ ## id] = { #name, type, 0, 0 },
	HYP_KEYED_MAPS(HYP_DESC_KEYED)
	HYP_PLAIN_MAPS(HYP_DESC_PLAIN)
#undef HYP_DESC_KEYED
#undef HYP_DESC_PLAIN
};

/* The kernel truncates object names to BPF_OBJ_NAME_LEN - 1 characters. */
#define HYP_NAME_FITS(id, name, ...) \
	_Static_assert(sizeof(#name) <= BPF_OBJ_NAME_LEN, \
		       "map name " #name " is longer than the kernel keeps");
HYP_KEYED_MAPS(HYP_NAME_FITS)
HYP_PLAIN_MAPS(HYP_NAME_FITS)
#undef HYP_NAME_FITS

static const char *const hyp_reason_names[HYP_R_MAX] = {
	[HYP_R_PASS_NON_IP] = "pass_non_ip",
	[HYP_R_PASS] = "pass",
	[HYP_R_FORWARD] = "forward",
	[HYP_R_FORWARD_FAIL] = "forward_fail",
	[HYP_R_REDIRECT] = "redirect",
	[HYP_R_REDIRECT_FALLBACK] = "redirect_fallback",
	[HYP_R_WATCHDOG] = "watchdog",
	[HYP_R_BLOCK_SRC] = "blocklist_src",
	[HYP_R_BLOCK_DST] = "blocklist_dst",
	[HYP_R_AUTOBLOCK] = "autoblock",
	[HYP_R_RATELIMIT] = "ratelimit",
	[HYP_R_MAL_ETH_TRUNC] = "malformed_eth_trunc",
	[HYP_R_MAL_VLAN_TRUNC] = "malformed_vlan_trunc",
	[HYP_R_MAL_VLAN_DEPTH] = "malformed_vlan_depth",
	[HYP_R_MAL_IP4_TRUNC] = "malformed_ip4_trunc",
	[HYP_R_MAL_IP4_VERSION] = "malformed_ip4_version",
	[HYP_R_MAL_IP4_IHL] = "malformed_ip4_ihl",
	[HYP_R_MAL_IP4_TOTLEN] = "malformed_ip4_totlen",
	[HYP_R_MAL_IP4_FRAG] = "malformed_ip4_frag",
	[HYP_R_MAL_IP6_TRUNC] = "malformed_ip6_trunc",
	[HYP_R_MAL_IP6_VERSION] = "malformed_ip6_version",
	[HYP_R_MAL_IP6_PLEN] = "malformed_ip6_plen",
	[HYP_R_MAL_IP6_EXT] = "malformed_ip6_ext",
	[HYP_R_MAL_L4_TRUNC] = "malformed_l4_trunc",
	[HYP_R_MAL_TCP_DOFF] = "malformed_tcp_doff",
	[HYP_R_MAL_TCP_FLAGS] = "malformed_tcp_flags",
	[HYP_R_MAL_UDP_LEN] = "malformed_udp_len",
};

static const char *const hyp_aux_names[HYP_AUX_MAX] = {
	[HYP_AUX_EVENTS_SENT] = "events_sent",
	[HYP_AUX_EVENTS_LOST] = "events_lost",
	[HYP_AUX_FLOW_FULL] = "flow_table_full",
	[HYP_AUX_RL_FULL] = "ratelimit_table_full",
	[HYP_AUX_AUTOBLOCK_EXPIRED] = "autoblock_expired",
};

const char *
hyp_reason_name(unsigned int reason)
{
	if (reason >= HYP_R_MAX || hyp_reason_names[reason] == NULL)
		return "unknown";
	return hyp_reason_names[reason];
}

const char *
hyp_aux_name(unsigned int aux)
{
	if (aux >= HYP_AUX_MAX || hyp_aux_names[aux] == NULL)
		return "unknown";
	return hyp_aux_names[aux];
}

const char *
hyp_xdp_map_name(enum hyp_map_id id)
{
	return (unsigned int)id < HYP_MAP_ID_MAX ? hyp_map_descs[id].name : NULL;
}

uint64_t
hyp_xdp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * HYP_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static struct hyp_xdp *
hyp_xdp_alloc(void)
{
	struct hyp_xdp *x = calloc(1, sizeof(*x));
	int i;

	if (x == NULL)
		return NULL;
	x->prog_fd = -1;
	for (i = 0; i < HYP_MAP_ID_MAX; i++)
		x->map_fd[i] = -1;
	x->ncpus = libbpf_num_possible_cpus();
	if (x->ncpus <= 0) {
		HYP_XDP_LOG(ERR, "cannot count possible CPUs: %s",
			    strerror(-x->ncpus));
		free(x);
		return NULL;
	}
	return x;
}

/* Take this map if its name is one of ours and its layout is ours. */
static int
hyp_xdp_take_map(struct hyp_xdp *x, int fd, const struct bpf_map_info *mi)
{
	int i;

	for (i = 0; i < HYP_MAP_ID_MAX; i++) {
		const struct hyp_map_desc *d = &hyp_map_descs[i];

		if (strcmp(mi->name, d->name) != 0)
			continue;
		if (mi->type != d->type || mi->key_size != d->key_size ||
		    mi->value_size != d->value_size) {
			HYP_XDP_LOG(ERR, "map %s (id %u): type %u key %u value %u, "
				    "expected type %u key %u value %u: "
				    "program built from another hyp_xdp_shared.h?",
				    mi->name, mi->id, mi->type, mi->key_size,
				    mi->value_size, d->type, d->key_size,
				    d->value_size);
			return -EPROTO;
		}
		if (x->map_fd[i] >= 0) {
			HYP_XDP_LOG(ERR, "program has two maps named %s", d->name);
			return -EPROTO;
		}
		x->map_fd[i] = fd;
		return 1;
	}
	return 0;
}

/* From the program's fd to all of its maps, by id. */
static int
hyp_xdp_bind_maps(struct hyp_xdp *x)
{
	struct bpf_prog_info pi;
	uint32_t ids[64];
	uint32_t len = sizeof(pi);
	unsigned int i;
	int ret;

	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = RTE_DIM(ids);
	pi.map_ids = (uint64_t)(uintptr_t)ids;
	ret = bpf_obj_get_info_by_fd(x->prog_fd, &pi, &len);
	if (ret < 0) {
		ret = -errno;
		HYP_XDP_LOG(ERR, "bpf_obj_get_info_by_fd(prog): %s", strerror(-ret));
		return ret;
	}
	x->prog_id = pi.id;
	if (pi.type != BPF_PROG_TYPE_XDP)
		return -ENOTSUP;
	if (pi.nr_map_ids > RTE_DIM(ids))
		return -ENOTSUP;	/* far more maps than ours: not hyperion */

	for (i = 0; i < pi.nr_map_ids; i++) {
		struct bpf_map_info mi;
		uint32_t mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0) {
			ret = -errno;
			HYP_XDP_LOG(ERR, "bpf_map_get_fd_by_id(%u): %s", ids[i],
				    strerror(-ret));
			return ret;
		}
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(fd, &mi, &mlen) < 0) {
			ret = -errno;
			close(fd);
			HYP_XDP_LOG(ERR, "bpf_obj_get_info_by_fd(map %u): %s",
				    ids[i], strerror(-ret));
			return ret;
		}
		ret = hyp_xdp_take_map(x, fd, &mi);
		if (ret <= 0)
			close(fd);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < HYP_MAP_ID_MAX; i++)
		if (x->map_fd[i] < 0)
			return -ENOTSUP;	/* a map of ours is missing */
	return 0;
}

int
hyp_xdp_load(struct hyp_xdp **out)
{
	struct hyp_xdp *x = hyp_xdp_alloc();
	int ret;

	if (x == NULL)
		return -ENOMEM;
	x->skel = hyp_xdp_bpf__open_and_load();
	if (x->skel == NULL) {
		ret = -errno;
		HYP_XDP_LOG(ERR, "loading the XDP program failed: %s%s",
			    strerror(-ret), ret == -EPERM ?
			    " (needs CAP_BPF and CAP_NET_ADMIN)" : "");
		free(x);
		return ret;
	}
	x->prog_fd = bpf_program__fd(x->skel->progs.hyp_xdp);
	ret = hyp_xdp_bind_maps(x);
	if (ret < 0) {
		HYP_XDP_LOG(ERR, "the embedded program lacks its own maps: %s",
			    strerror(-ret));
		hyp_xdp_close(x);
		return ret;
	}
	*out = x;
	return 0;
}

int
hyp_xdp_open_prog_id(uint32_t prog_id, struct hyp_xdp **out)
{
	struct hyp_xdp *x = hyp_xdp_alloc();
	int ret;

	if (x == NULL)
		return -ENOMEM;
	x->prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (x->prog_fd < 0) {
		ret = -errno;
		HYP_XDP_LOG(ERR, "bpf_prog_get_fd_by_id(%u): %s", prog_id,
			    strerror(-ret));
		hyp_xdp_close(x);
		return ret;
	}
	ret = hyp_xdp_bind_maps(x);
	if (ret < 0) {
		hyp_xdp_close(x);
		return ret;
	}
	*out = x;
	return 0;
}

/* Behind a libxdp dispatcher our program is one of its components. */
static int
hyp_xdp_open_multiprog(unsigned int ifindex, struct hyp_xdp **out)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;
	int ret = -ENOTSUP;

	if (libxdp_get_error(mp) || mp == NULL)
		return -ENOTSUP;
	while ((p = xdp_multiprog__next_prog(p, mp)) != NULL) {
		ret = hyp_xdp_open_prog_id(xdp_program__id(p), out);
		if (ret == 0)
			break;
	}
	xdp_multiprog__close(mp);
	return ret;
}

int
hyp_xdp_open_attached(unsigned int ifindex, struct hyp_xdp **out)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t ids[3];
	unsigned int i;
	int ret;

	ret = bpf_xdp_query(ifindex, 0, &q);
	if (ret < 0) {
		HYP_XDP_LOG(ERR, "bpf_xdp_query(ifindex %u): %s", ifindex,
			    strerror(-ret));
		return ret;
	}
	ids[0] = q.prog_id;
	ids[1] = q.drv_prog_id;
	ids[2] = q.skb_prog_id;
	if (ids[0] == 0 && ids[1] == 0 && ids[2] == 0) {
		HYP_XDP_LOG(ERR, "no XDP program attached to ifindex %u", ifindex);
		return -ENOENT;
	}
	for (i = 0; i < RTE_DIM(ids); i++) {
		if (ids[i] == 0)
			continue;
		ret = hyp_xdp_open_prog_id(ids[i], out);
		if (ret != -ENOTSUP)
			return ret;
	}
	ret = hyp_xdp_open_multiprog(ifindex, out);
	if (ret == -ENOTSUP)
		HYP_XDP_LOG(ERR, "the XDP program on ifindex %u (id %u) is not "
			    "hyperion's", ifindex, ids[0] ? ids[0] :
			    ids[1] ? ids[1] : ids[2]);
	return ret;
}

int
hyp_xdp_attach(struct hyp_xdp *x, unsigned int ifindex, uint32_t flags)
{
	int ret;

	if (x->attached_ifindex != 0)
		return -EBUSY;
	ret = bpf_xdp_attach(ifindex, x->prog_fd, flags | XDP_FLAGS_UPDATE_IF_NOEXIST,
			     NULL);
	if (ret < 0) {
		HYP_XDP_LOG(ERR, "attaching to ifindex %u: %s%s", ifindex,
			    strerror(-ret), ret == -EBUSY || ret == -EEXIST ?
			    " (another XDP program is attached)" : "");
		return ret;
	}
	x->attached_ifindex = ifindex;
	x->attached_flags = flags;
	return 0;
}

int
hyp_xdp_detach(struct hyp_xdp *x)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = x->prog_fd);
	int ret;

	if (x->attached_ifindex == 0)
		return -ENOENT;
	/* REPLACE: only remove it if it is still ours */
	ret = bpf_xdp_attach(x->attached_ifindex, -1,
			     x->attached_flags | XDP_FLAGS_REPLACE, &o);
	if (ret < 0 && ret != -ENODEV)
		HYP_XDP_LOG(ERR, "detaching from ifindex %u: %s",
			    x->attached_ifindex, strerror(-ret));
	x->attached_ifindex = 0;
	return ret == -ENODEV ? 0 : ret;
}

int
hyp_xdp_detach_ifindex(struct hyp_xdp *x, unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = x->prog_fd);
	uint32_t flags;
	int ret;

	ret = bpf_xdp_query(ifindex, 0, &q);
	if (ret < 0)
		return ret;
	if (q.attach_mode == XDP_ATTACHED_SKB)
		flags = XDP_FLAGS_SKB_MODE;
	else if (q.attach_mode == XDP_ATTACHED_DRV)
		flags = XDP_FLAGS_DRV_MODE;
	else if (q.attach_mode == XDP_ATTACHED_HW)
		flags = XDP_FLAGS_HW_MODE;
	else
		return -ENOENT;
	ret = bpf_xdp_attach(ifindex, -1, flags | XDP_FLAGS_REPLACE, &o);
	if (ret < 0)
		HYP_XDP_LOG(ERR, "detaching program %u from ifindex %u: %s",
			    x->prog_id, ifindex, strerror(-ret));
	if (ret == 0 && x->attached_ifindex == ifindex)
		x->attached_ifindex = 0;
	return ret;
}

void
hyp_xdp_disown(struct hyp_xdp *x)
{
	x->attached_ifindex = 0;
}

void
hyp_xdp_close(struct hyp_xdp *x)
{
	int i;

	if (x == NULL)
		return;
	if (x->attached_ifindex != 0)
		hyp_xdp_detach(x);
	for (i = 0; i < HYP_MAP_ID_MAX; i++)
		if (x->map_fd[i] >= 0)
			close(x->map_fd[i]);
	if (x->skel != NULL)
		hyp_xdp_bpf__destroy(x->skel);	/* owns prog_fd */
	else if (x->prog_fd >= 0)
		close(x->prog_fd);
	free(x);
}

int
hyp_xdp_prog_fd(const struct hyp_xdp *x)
{
	return x->prog_fd;
}

uint32_t
hyp_xdp_prog_id(const struct hyp_xdp *x)
{
	return x->prog_id;
}

int
hyp_xdp_map_fd(const struct hyp_xdp *x, enum hyp_map_id id)
{
	return (unsigned int)id < HYP_MAP_ID_MAX ? x->map_fd[id] : -EINVAL;
}

/* One checked map write, logged with the map's name. */
static int
hyp_map_update(struct hyp_xdp *x, enum hyp_map_id id, const void *k,
	       const void *v, uint64_t flags)
{
	int ret = bpf_map_update_elem(x->map_fd[id], k, v, flags);

	if (ret < 0) {
		ret = -errno;
		if (ret != -EEXIST)
			HYP_XDP_LOG(ERR, "update of %s: %s%s", hyp_map_descs[id].name,
				    strerror(-ret), ret == -ENOSPC || ret == -E2BIG ?
				    " (map full)" : "");
	}
	return ret;
}

static int
hyp_map_delete(struct hyp_xdp *x, enum hyp_map_id id, const void *k)
{
	int ret = bpf_map_delete_elem(x->map_fd[id], k);

	if (ret < 0) {
		ret = -errno;
		if (ret != -ENOENT)
			HYP_XDP_LOG(ERR, "delete from %s: %s",
				    hyp_map_descs[id].name, strerror(-ret));
	}
	return ret;
}

/* The LPM key of a prefix, for the v4 or v6 trie of a pair. */
union hyp_lpm_key {
	struct hyp_lpm_v4 v4;
	struct hyp_lpm_v6 v6;
};

static int
hyp_lpm_key(const struct hyp_cidr *c, enum hyp_map_id v4_id,
	    enum hyp_map_id v6_id, union hyp_lpm_key *k, enum hyp_map_id *id)
{
	memset(k, 0, sizeof(*k));
	if (c->family == AF_INET) {
		k->v4.prefixlen = c->prefixlen;
		memcpy(k->v4.addr, c->addr, 4);
		*id = v4_id;
	} else if (c->family == AF_INET6) {
		k->v6.prefixlen = c->prefixlen;
		memcpy(k->v6.addr, c->addr, 16);
		*id = v6_id;
	} else {
		HYP_XDP_LOG(ERR, "address family %d is not IPv4 or IPv6", c->family);
		return -EAFNOSUPPORT;
	}
	return 0;
}

static int
hyp_block_key(const struct hyp_cidr *c, bool dst, union hyp_lpm_key *k,
	      enum hyp_map_id *id)
{
	return dst ?
		hyp_lpm_key(c, HYP_MAP_ID_BLOCK_DST_V4, HYP_MAP_ID_BLOCK_DST_V6, k, id) :
		hyp_lpm_key(c, HYP_MAP_ID_BLOCK_SRC_V4, HYP_MAP_ID_BLOCK_SRC_V6, k, id);
}

static int
hyp_rl_key(const struct hyp_cidr *c, union hyp_lpm_key *k, enum hyp_map_id *id)
{
	return hyp_lpm_key(c, HYP_MAP_ID_RL_RULES_V4, HYP_MAP_ID_RL_RULES_V6, k, id);
}

int
hyp_xdp_block_add(struct hyp_xdp *x, const struct hyp_cidr *c, bool dst,
		  uint32_t rule_id)
{
	struct hyp_block_val v = { .rule_id = rule_id };
	union hyp_lpm_key k;
	enum hyp_map_id id;
	int ret;

	ret = hyp_block_key(c, dst, &k, &id);
	if (ret < 0)
		return ret;
	ret = hyp_map_update(x, id, &k, &v, BPF_NOEXIST);
	if (ret == -EEXIST)
		return 0;	/* already there: keep its hit count */
	return ret;
}

int
hyp_xdp_block_del(struct hyp_xdp *x, const struct hyp_cidr *c, bool dst)
{
	union hyp_lpm_key k;
	enum hyp_map_id id;
	int ret;

	ret = hyp_block_key(c, dst, &k, &id);
	if (ret < 0)
		return ret;
	return hyp_map_delete(x, id, &k);
}

int
hyp_xdp_block_get(struct hyp_xdp *x, const struct hyp_cidr *c, bool dst,
		  struct hyp_block_val *val)
{
	union hyp_lpm_key k;
	enum hyp_map_id id;
	int ret;

	ret = hyp_block_key(c, dst, &k, &id);
	if (ret < 0)
		return ret;
	/* an LPM lookup with the prefix's own length finds it or a shorter one */
	if (bpf_map_lookup_elem(x->map_fd[id], &k, val) < 0)
		return -errno;
	return 0;
}

/* Before the first entry: a set bit only costs a lookup, a clear one misses. */
static int
hyp_xdp_mark_in_use(struct hyp_xdp *x, uint64_t bit)
{
	uint64_t v;
	int ret = hyp_xdp_config_get(x, HYP_CFG_MAPS_IN_USE, &v);

	if (ret < 0 || (v & bit))
		return ret;
	return hyp_xdp_config_set(x, HYP_CFG_MAPS_IN_USE, v | bit);
}

int
hyp_xdp_autoblock_add(struct hyp_xdp *x, const struct hyp_addr *a,
		      uint64_t ttl_ns)
{
	struct hyp_autoblock_val v = {
		.expires_ns = ttl_ns ? hyp_xdp_now_ns() + ttl_ns : 0,
	};
	int ret = hyp_xdp_mark_in_use(x, HYP_USE_AUTOBLOCK);

	return ret < 0 ? ret : hyp_map_update(x, HYP_MAP_ID_AUTOBLOCK, a, &v, BPF_ANY);
}

int
hyp_xdp_autoblock_del(struct hyp_xdp *x, const struct hyp_addr *a)
{
	return hyp_map_delete(x, HYP_MAP_ID_AUTOBLOCK, a);
}

int
hyp_xdp_ratelimit_add(struct hyp_xdp *x, const struct hyp_cidr *c,
		      uint32_t pps, uint32_t burst, uint32_t rule_id)
{
	struct hyp_rl_rule r = { .pps = pps, .burst = burst, .rule_id = rule_id };
	union hyp_lpm_key k;
	enum hyp_map_id id;
	int ret;

	if (pps != 0 && burst == 0) {
		HYP_XDP_LOG(ERR, "rate limit of %u pps needs a burst of at least 1",
			    pps);
		return -EINVAL;
	}
	ret = hyp_rl_key(c, &k, &id);
	if (ret < 0)
		return ret;
	hyp_rl_params(pps, burst, &r.interval_ns, &r.tolerance_ns);
	return hyp_map_update(x, id, &k, &r, BPF_ANY);
}

int
hyp_xdp_ratelimit_del(struct hyp_xdp *x, const struct hyp_cidr *c)
{
	union hyp_lpm_key k;
	enum hyp_map_id id;
	int ret;

	ret = hyp_rl_key(c, &k, &id);
	if (ret < 0)
		return ret;
	return hyp_map_delete(x, id, &k);
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

static int
hyp_port_check(uint8_t proto)
{
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		HYP_XDP_LOG(ERR, "protocol %u has no ports: redirect by port is "
			    "for TCP (6) and UDP (17)", proto);
		return -EINVAL;
	}
	return 0;
}

int
hyp_xdp_redirect_port_add(struct hyp_xdp *x, uint8_t proto, uint16_t port)
{
	struct hyp_l4port_key k = { .port = port, .proto = proto };
	uint32_t one = 1;
	int ret = hyp_port_check(proto);

	if (ret == 0)
		ret = hyp_xdp_mark_in_use(x, HYP_USE_REDIRECT_PORTS);
	return ret < 0 ? ret :
		hyp_map_update(x, HYP_MAP_ID_REDIRECT_PORTS, &k, &one, BPF_ANY);
}

int
hyp_xdp_redirect_port_del(struct hyp_xdp *x, uint8_t proto, uint16_t port)
{
	struct hyp_l4port_key k = { .port = port, .proto = proto };
	int ret = hyp_port_check(proto);

	return ret < 0 ? ret : hyp_map_delete(x, HYP_MAP_ID_REDIRECT_PORTS, &k);
}

int
hyp_xdp_set_peer(struct hyp_xdp *x, unsigned int peer_ifindex)
{
	uint32_t k = HYP_TX_PORT_PEER, v = peer_ifindex;
	int ret;

	if (peer_ifindex == 0) {
		ret = hyp_map_delete(x, HYP_MAP_ID_TX_PORT, &k);
		return ret == -ENOENT ? 0 : ret;
	}
	/* the kernel takes a reference on the device: an unknown ifindex fails here */
	return hyp_map_update(x, HYP_MAP_ID_TX_PORT, &k, &v, BPF_ANY);
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
	return hyp_map_update(x, HYP_MAP_ID_CONFIG, &k, &val, BPF_ANY);
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
hyp_percpu_sum(struct hyp_xdp *x, enum hyp_map_id id, uint32_t nkeys,
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

			HYP_XDP_LOG(ERR, "lookup in %s: %s", hyp_map_descs[id].name,
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
	return hyp_percpu_sum(x, HYP_MAP_ID_REASON_STATS, HYP_R_MAX,
			      sizeof(struct hyp_counter) / sizeof(uint64_t),
			      (uint64_t *)out);
}

int
hyp_xdp_aux_stats(struct hyp_xdp *x, uint64_t out[HYP_AUX_MAX])
{
	return hyp_percpu_sum(x, HYP_MAP_ID_AUX_STATS, HYP_AUX_MAX, 1, out);
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

	if ((unsigned int)id >= HYP_MAP_ID_MAX || hyp_map_descs[id].key_size == 0)
		return -EINVAL;
	d = &hyp_map_descs[id];
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
