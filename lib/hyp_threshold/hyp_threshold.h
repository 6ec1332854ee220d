/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_THRESHOLD_H
#define HYP_THRESHOLD_H

/**
 * @file
 * Per-rule alert thresholds (Suricata's `threshold: type, track, count,
 * seconds`): which of a rule's matches become alerts.
 *
 * One table for every worker, as Suricata keeps one: a source that hits two
 * queues is counted once. The table is a set-associative array (four ways a
 * set), each set under its own spinlock; it never grows. A key that finds
 * its set full takes the place of the entry whose window began first (an
 * expired one if there is one), counted as an eviction: a flood of spoofed
 * sources costs the table its memory of older ones, never memory or time.
 * The set is chosen by a hash seeded at random when the table is made, so
 * a sender cannot aim its keys at one set.
 *
 * Only matches of rules with a threshold reach the table; a rule without
 * one alerts on every match without touching it.
 */

#include <stdbool.h>
#include <stdint.h>

#include "hyp_base.h"	/* struct hyp_threshold_spec */

#ifdef __cplusplus
extern "C" {
#endif

#define HYP_THRESHOLD_WAYS		4
#define HYP_THRESHOLD_ENTRIES_DEFAULT	65536

struct hyp_threshold;

/**
 * @param entries
 *   Keys tracked at once; rounded up to a power of two, at least
 *   HYP_THRESHOLD_WAYS, at most 2^24.
 * @param hz
 *   Ticks per second of the clock hyp_threshold_check() is given.
 * @return
 *   The table, or NULL with rte_errno set (EINVAL, ENOMEM).
 */
struct hyp_threshold *hyp_threshold_create(unsigned int entries, uint64_t hz);
void hyp_threshold_free(struct hyp_threshold *t);

/**
 * One match of rule rule_id with threshold s, between src and dst (16
 * bytes each, IPv4 as ::ffff:a.b.c.d), at time now. Any lcore or thread.
 *
 * @return
 *   true if this match alerts; s->type NONE (or s NULL) always alerts.
 */
bool hyp_threshold_check(struct hyp_threshold *t, const struct hyp_threshold_spec *s,
			 uint32_t rule_id, const uint8_t src[16], const uint8_t dst[16],
			 uint64_t now);

/** Forget every key (tests; a reload keeps them: the windows go on). */
void hyp_threshold_clear(struct hyp_threshold *t);

struct hyp_threshold_stats {
	uint64_t checked;
	uint64_t alerted;
	uint64_t suppressed;
	uint64_t evicted;
	uint64_t entries;	/**< the table's size */
};

void hyp_threshold_get_stats(const struct hyp_threshold *t, struct hyp_threshold_stats *st);

extern const struct hyp_stat_desc hyp_threshold_stat_descs[];
extern const unsigned int hyp_threshold_stat_count;

#ifdef __cplusplus
}
#endif

#endif /* HYP_THRESHOLD_H */
