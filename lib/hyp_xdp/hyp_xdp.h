/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_XDP_H
#define HYP_XDP_H

/**
 * @file
 * Userspace side of the dpdk-hyperion XDP program: load it, or find the
 * instance attached to an interface (for example by the DPDK af_xdp PMD),
 * and drive its maps with checked helpers.
 *
 * All functions return 0 or a negative errno and log the reason through the
 * "hyp.xdp" rte_log type. None of them need the EAL to be initialised.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hyp_cidr.h"
#include "hyp_xdp_shared.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The maps of one program instance, by role (the list: hyp_xdp_shared.h). */
enum hyp_map_id {
#define HYP_MAP_ENUM(id, ...) HYP_MAP_ID_ ## id,
	HYP_KEYED_MAPS(HYP_MAP_ENUM)
	HYP_PLAIN_MAPS(HYP_MAP_ENUM)
#undef HYP_MAP_ENUM
	HYP_MAP_ID_MAX
};

/** One program instance and its maps. Opaque. */
struct hyp_xdp;

/**
 * Load the program embedded in the library (the same object that is
 * installed for the af_xdp PMD's xdp_prog devarg). It is not attached.
 */
int hyp_xdp_load(struct hyp_xdp **out);

/**
 * Find the hyperion program attached to an interface, whoever attached it,
 * directly or behind a libxdp dispatcher, and open its own maps by id.
 * Fails with -ENOENT if nothing is attached and -ENOTSUP if what is attached
 * is not a hyperion program.
 */
int hyp_xdp_open_attached(unsigned int ifindex, struct hyp_xdp **out);

/** Open the instance whose program has this kernel id. */
int hyp_xdp_open_prog_id(uint32_t prog_id, struct hyp_xdp **out);

/** Attach a loaded program (XDP_FLAGS_* in flags; 0 lets the kernel choose). */
int hyp_xdp_attach(struct hyp_xdp *x, unsigned int ifindex, uint32_t flags);

/** Detach what hyp_xdp_attach attached. */
int hyp_xdp_detach(struct hyp_xdp *x);

/**
 * Detach this program from an interface, whoever attached it, in whatever
 * mode; nothing happens if another program has replaced it meanwhile.
 */
int hyp_xdp_detach_ifindex(struct hyp_xdp *x, unsigned int ifindex);

/** Forget that this handle attached the program: close leaves it attached. */
void hyp_xdp_disown(struct hyp_xdp *x);

/** Release file descriptors (detaching first if this handle attached). */
void hyp_xdp_close(struct hyp_xdp *x);

int hyp_xdp_prog_fd(const struct hyp_xdp *x);
uint32_t hyp_xdp_prog_id(const struct hyp_xdp *x);
int hyp_xdp_map_fd(const struct hyp_xdp *x, enum hyp_map_id id);
const char *hyp_xdp_map_name(enum hyp_map_id id);

/* Blocklist tries. dst selects the destination trie. */
int hyp_xdp_block_add(struct hyp_xdp *x, const struct hyp_cidr *c, bool dst,
		      uint32_t rule_id);
/**
 * A prefix blocked by hand (console, xdpctl): flagged HYP_BLOCK_F_RUNTIME, so
 * a policy reload keeps it until it is removed by hand. One the policy
 * already has is flagged too (its hits kept).
 */
int hyp_xdp_block_add_runtime(struct hyp_xdp *x, const struct hyp_cidr *c, bool dst);
int hyp_xdp_block_del(struct hyp_xdp *x, const struct hyp_cidr *c, bool dst);
/** Hits of one prefix (exact prefix, not a lookup). */
int hyp_xdp_block_get(struct hyp_xdp *x, const struct hyp_cidr *c, bool dst,
		      struct hyp_block_val *val);

/** The auto-block key of one host: family 4 (a is ::ffff:a.b.c.d) or 6. */
static inline struct hyp_src_key
hyp_src_key_host(unsigned int family, const uint8_t a[16])
{
	struct hyp_src_key k;

	memset(&k, 0, sizeof(k));
	memcpy(k.addr.a, a, sizeof(k.addr.a));
	k.family = (uint8_t)family;
	return k;
}

/**
 * Block one host until ttl_ns from now. ttl_ns 0 is refused (-EINVAL): an
 * entry nobody tracks must still expire; a permanent block is a blocklist
 * prefix.
 */
int hyp_xdp_autoblock_add(struct hyp_xdp *x, const struct hyp_src_key *k,
			  uint64_t ttl_ns);
int hyp_xdp_autoblock_del(struct hyp_xdp *x, const struct hyp_src_key *k);

/**
 * Rate limit the sources in a prefix to pps with bursts of burst: each
 * address (IPv6: each /ipv6_mask) its own bucket, or with scope
 * HYP_RL_SCOPE_PREFIX the whole prefix one bucket.
 */
int hyp_xdp_ratelimit_add(struct hyp_xdp *x, const struct hyp_cidr *c,
			  uint32_t pps, uint32_t burst, uint32_t rule_id,
			  enum hyp_rl_scope scope, unsigned int ipv6_mask);
int hyp_xdp_ratelimit_del(struct hyp_xdp *x, const struct hyp_cidr *c);
/** The rate limit for sources no rule covers; pps 0 turns it off. */
int hyp_xdp_ratelimit_default(struct hyp_xdp *x, uint32_t pps, uint32_t burst);

/**
 * The per-rx-queue redirect budget (0 pps: unlimited; burst 0: pps / 10,
 * at least 1). Beyond it, redirect candidates get the fail mode.
 */
int hyp_xdp_redirect_budget(struct hyp_xdp *x, uint32_t pps, uint32_t burst);

/** IPS: a non-IP EtherType forwarded (0: 802.3 length frames, LLC). */
int hyp_xdp_ethertype_add(struct hyp_xdp *x, uint16_t ethertype);
int hyp_xdp_ethertype_del(struct hyp_xdp *x, uint16_t ethertype);

/**
 * Fence queues first..first+n-1 (NIC queue ids): delete their xsks_map
 * entries, so that their redirect candidates get the fail mode from the next
 * packet on, whatever the sockets do. (The kernel reports no difference
 * between deleting a socket and deleting nothing.)
 */
int hyp_xdp_fence(struct hyp_xdp *x, unsigned int first, unsigned int n);

/**
 * Put NIC queue q's AF_XDP socket (descriptor xsk_fd) back into xsks_map:
 * its redirect candidates reach the socket again from the next packet.
 */
int hyp_xdp_unfence(struct hyp_xdp *x, unsigned int q, int xsk_fd);

/** Entries in a map now (batch lookups where the kernel has them). */
int hyp_xdp_map_count(struct hyp_xdp *x, enum hyp_map_id id, uint64_t *count);

/**
 * The LRU maps the program inserts into. The kernel evicts from them
 * silently; nothing else deletes from them, so what was inserted and is not
 * there any more was evicted. Reading the entries walks the map: for
 * telemetry and scrapes, not for a loop.
 */
enum hyp_xdp_lru {
	HYP_XDP_LRU_FLOW,	/* flow_map: flows the program accounts */
	HYP_XDP_LRU_RL,		/* rl_state: rate-limit buckets */
	HYP_XDP_LRU_MAX
};

struct hyp_xdp_lru_stats {
	uint64_t entries;
	uint64_t inserted;
	uint64_t evicted;
};

const char *hyp_xdp_lru_name(enum hyp_xdp_lru t);
int hyp_xdp_lru_stats(struct hyp_xdp *x, struct hyp_xdp_lru_stats out[HYP_XDP_LRU_MAX]);

/**
 * Redirect (proto, port) to the slow path; priority 0..HYP_SHED_PRIORITY_MAX
 * (-ERANGE beyond) is its shedding class: under overload classes of
 * priority >= HYP_CFG_SHED_FROM go uninspected, 0 never does.
 */
int hyp_xdp_redirect_port_add(struct hyp_xdp *x, uint8_t proto, uint16_t port,
			      uint32_t priority);
int hyp_xdp_redirect_port_del(struct hyp_xdp *x, uint8_t proto, uint16_t port);

/**
 * IPS: the interface this instance forwards to (the other side of the bump
 * in the wire), written to tx_port; 0 removes it, and then what would be
 * forwarded is dropped as forward_fail. Takes effect with HYP_CFG_IPS.
 */
int hyp_xdp_set_peer(struct hyp_xdp *x, unsigned int peer_ifindex);

int hyp_xdp_config_set(struct hyp_xdp *x, enum hyp_cfg key, uint64_t val);
int hyp_xdp_config_get(struct hyp_xdp *x, enum hyp_cfg key, uint64_t *val);

/** Write the defaults userspace runs with (see doc/map-topology.md). */
int hyp_xdp_config_defaults(struct hyp_xdp *x);

/** Tell the program userspace is alive (CLOCK_MONOTONIC, as bpf_ktime_get_ns). */
int hyp_xdp_heartbeat(struct hyp_xdp *x);

/** Per-reason counters summed over CPUs. */
int hyp_xdp_reason_stats(struct hyp_xdp *x, struct hyp_counter out[HYP_R_MAX]);
int hyp_xdp_aux_stats(struct hyp_xdp *x, uint64_t out[HYP_AUX_MAX]);

/** Stable lower_snake names, as used in metrics and telemetry. */
const char *hyp_reason_name(unsigned int reason);
const char *hyp_aux_name(unsigned int aux);
const char *hyp_cfg_name(unsigned int key);

/*
 * Walks of a map, the only ones there are: each key in the kernel's order,
 * with its value read right after. A key that vanishes between the two (an
 * LRU eviction, the program's own delete) is skipped; a walk taken while
 * the map changes may see an entry twice or miss one added meanwhile, as
 * every BPF map walk may. A callback returning nonzero stops the walk, and
 * the walk returns that value; otherwise it returns 0 or a -errno.
 */

/** Any map: key and value as the layout in hyp_xdp_shared.h (value NULL: keys only). */
typedef int (*hyp_xdp_walk_fn)(const void *key, const void *value, void *arg);
int hyp_xdp_map_walk(struct hyp_xdp *x, enum hyp_map_id id, bool values,
		     hyp_xdp_walk_fn fn, void *arg);

/** The source (dst false) or destination blocklist, IPv4 then IPv6. */
typedef int (*hyp_xdp_block_fn)(const struct hyp_cidr *c, const struct hyp_block_val *v,
				void *arg);
int hyp_xdp_block_foreach(struct hyp_xdp *x, bool dst, hyp_xdp_block_fn fn, void *arg);

/** The rate-limit rules, IPv4 then IPv6. */
typedef int (*hyp_xdp_ratelimit_fn)(const struct hyp_cidr *c, const struct hyp_rl_rule *r,
				    void *arg);
int hyp_xdp_ratelimit_foreach(struct hyp_xdp *x, hyp_xdp_ratelimit_fn fn, void *arg);

/** The auto-blocked hosts. */
typedef int (*hyp_xdp_autoblock_fn)(const struct hyp_src_key *k,
				    const struct hyp_autoblock_val *v, void *arg);
int hyp_xdp_autoblock_foreach(struct hyp_xdp *x, hyp_xdp_autoblock_fn fn, void *arg);

/** The flows the program accounts (flow_map). */
typedef int (*hyp_xdp_flow_fn)(const struct hyp_flow_key *k, const struct hyp_flow_val *v,
			       void *arg);
int hyp_xdp_flow_foreach(struct hyp_xdp *x, hyp_xdp_flow_fn fn, void *arg);

/** Current CLOCK_MONOTONIC in ns: the clock the program's timestamps use. */
uint64_t hyp_xdp_now_ns(void);

#ifdef __cplusplus
}
#endif

#endif /* HYP_XDP_H */
