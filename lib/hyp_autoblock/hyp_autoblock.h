/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_AUTOBLOCK_H
#define HYP_AUTOBLOCK_H

/**
 * @file
 * Auto-block escalation: a source that earns `hits` slow-path drop verdicts
 * within `ttl_s` seconds is written into the XDP programs' single-address
 * block map for `ttl_s` seconds, so its later packets die in the kernel.
 *
 * Workers only post the source of each drop into a ring (never blocking,
 * never allocating; a full ring is counted). The control thread drains it,
 * counts per source and writes the maps: map writes are syscalls and stay
 * off the data path. Active blocks are capped below the map's size so that
 * the LRU map never evicts a block silently: what the cap refuses is counted.
 */

#include <stdint.h>

#include "hyp_base.h"
#include "hyp_xdp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* at most this many auto-blocks at once: half the LRU map, which so never fills */
#define HYP_AUTOBLOCK_CAP (HYP_AUTOBLOCK_MAX_ENTRIES / 2)

struct hyp_autoblock;

/** Names and meaning: hyp_autoblock_stat_descs[]. */
struct hyp_autoblock_stats {
	uint64_t blocked;
	uint64_t refused;
	uint64_t lost;
	uint64_t failed;
	uint64_t active;
	uint64_t tracked;
};

extern const struct hyp_stat_desc hyp_autoblock_stat_descs[];
extern const unsigned int hyp_autoblock_stat_count;

struct hyp_autoblock_entry {
	struct hyp_addr addr;
	uint64_t expires_ns;	/**< CLOCK_MONOTONIC */
};

struct hyp_autoblock *hyp_autoblock_create(unsigned int ring_size);
void hyp_autoblock_free(struct hyp_autoblock *a);

/** From the policy, on start and on every reload. hits 0 turns it off. */
void hyp_autoblock_configure(struct hyp_autoblock *a, uint32_t hits, uint32_t ttl_s);

/** Data path: the source (16 bytes, IPv4 as ::ffff:a.b.c.d) of one drop. */
void hyp_autoblock_report(struct hyp_autoblock *a, const uint8_t src[16]);

/**
 * Control thread: drain the reports, count, and block in every program of
 * x[0..n_x-1]. Returns how many sources it blocked now.
 */
unsigned int hyp_autoblock_poll(struct hyp_autoblock *a, struct hyp_xdp *const *x,
				unsigned int n_x, uint64_t now_ns);

void hyp_autoblock_get_stats(const struct hyp_autoblock *a, struct hyp_autoblock_stats *st);

/** The active blocks (up to max), for the console and telemetry. */
unsigned int hyp_autoblock_list(const struct hyp_autoblock *a, uint64_t now_ns,
				struct hyp_autoblock_entry *out, unsigned int max);

/** Forget a block (after `blocklist del` removed it from the maps). */
void hyp_autoblock_forget(struct hyp_autoblock *a, const struct hyp_addr *addr);

#ifdef __cplusplus
}
#endif

#endif /* HYP_AUTOBLOCK_H */
