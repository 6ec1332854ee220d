/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Alert thresholds. A set is four entries and their lock in four cache
 * lines; the lock is held for a compare of at most four keys and a few
 * stores. Counters are relaxed atomics: only matches of thresholded rules
 * pay for them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_spinlock.h>

#include "hyp_threshold.h"

#define ENTRIES_MAX	(1u << 24)

struct th_key {
	uint32_t rule_id;
	uint8_t track;
	uint8_t type;
	uint8_t pad[2];
	uint8_t a[16];		/* by_src: src; by_dst: dst; by_both: the lower */
	uint8_t b[16];		/* by_both: the higher; else zero */
};

struct th_entry {
	struct th_key key;
	uint64_t start;		/* the window's first match */
	uint32_t count;		/* matches in the window (threshold: since the last alert) */
	bool used;
};

struct th_set {
	rte_spinlock_t lock;
	struct th_entry e[HYP_THRESHOLD_WAYS];
} __rte_cache_aligned;

struct hyp_threshold {
	struct th_set *sets;
	uint32_t mask;		/* sets - 1 */
	uint32_t seed;
	uint64_t hz;
	uint64_t checked, alerted, suppressed, evicted;
	unsigned int entries;
};

struct hyp_threshold *
hyp_threshold_create(unsigned int entries, uint64_t hz)
{
	struct hyp_threshold *t;
	unsigned int sets, i;

	if (entries == 0 || entries > ENTRIES_MAX || hz == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	entries = rte_align32pow2(RTE_MAX(entries, (unsigned int)HYP_THRESHOLD_WAYS));
	sets = entries / HYP_THRESHOLD_WAYS;
	t = rte_zmalloc("hyp_threshold", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->sets = rte_zmalloc("hyp_threshold_sets", (size_t)sets * sizeof(*t->sets),
			      RTE_CACHE_LINE_SIZE);
	if (t->sets == NULL) {
		rte_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < sets; i++)
		rte_spinlock_init(&t->sets[i].lock);
	t->mask = sets - 1;
	t->seed = (uint32_t)rte_rand();
	t->hz = hz;
	t->entries = entries;
	return t;
}

void
hyp_threshold_free(struct hyp_threshold *t)
{
	if (t == NULL)
		return;
	rte_free(t->sets);
	rte_free(t);
}

void
hyp_threshold_clear(struct hyp_threshold *t)
{
	uint32_t i;

	for (i = 0; i <= t->mask; i++) {
		rte_spinlock_lock(&t->sets[i].lock);
		memset(t->sets[i].e, 0, sizeof(t->sets[i].e));
		rte_spinlock_unlock(&t->sets[i].lock);
	}
}

static void
make_key(struct th_key *k, const struct hyp_threshold_spec *s, uint32_t rule_id,
	 const uint8_t src[16], const uint8_t dst[16])
{
	memset(k, 0, sizeof(*k));
	k->rule_id = rule_id;
	k->track = s->track;
	k->type = s->type;
	switch (s->track) {
	case HYP_TRACK_BY_SRC:
		memcpy(k->a, src, 16);
		break;
	case HYP_TRACK_BY_DST:
		memcpy(k->a, dst, 16);
		break;
	case HYP_TRACK_BY_BOTH:
		/* either direction of the pair is the same key */
		if (memcmp(src, dst, 16) <= 0) {
			memcpy(k->a, src, 16);
			memcpy(k->b, dst, 16);
		} else {
			memcpy(k->a, dst, 16);
			memcpy(k->b, src, 16);
		}
		break;
	default:	/* by_rule: the rule alone */
		break;
	}
}

/* Ticks since start; 0 if another lcore's clock read came later than ours. */
static inline uint64_t
elapsed(uint64_t now, uint64_t start)
{
	return now > start ? now - start : 0;
}

/* The key's entry in its set, or the one it replaces (set locked). */
static struct th_entry *
find(struct hyp_threshold *t, struct th_set *set, const struct th_key *k, uint64_t now,
     uint64_t window)
{
	struct th_entry *victim = NULL;
	unsigned int i;

	for (i = 0; i < HYP_THRESHOLD_WAYS; i++) {
		struct th_entry *e = &set->e[i];

		if (e->used && memcmp(&e->key, k, sizeof(*k)) == 0)
			return e;
	}
	for (i = 0; i < HYP_THRESHOLD_WAYS; i++) {
		struct th_entry *e = &set->e[i];

		if (!e->used || elapsed(now, e->start) >= window) {
			victim = e;
			break;
		}
		if (victim == NULL || e->start < victim->start)
			victim = e;
	}
	if (victim->used && elapsed(now, victim->start) < window)
		__atomic_fetch_add(&t->evicted, 1, __ATOMIC_RELAXED);
	victim->key = *k;
	victim->used = true;
	victim->start = now;
	victim->count = 0;
	return victim;
}

bool
hyp_threshold_check(struct hyp_threshold *t, const struct hyp_threshold_spec *s,
		    uint32_t rule_id, const uint8_t src[16], const uint8_t dst[16],
		    uint64_t now)
{
	uint64_t window;
	struct th_set *set;
	struct th_entry *e;
	struct th_key k;
	bool alert;

	if (s == NULL || s->type == HYP_THRESHOLD_NONE || t == NULL)
		return true;
	window = (uint64_t)s->seconds * t->hz;
	make_key(&k, s, rule_id, src, dst);
	set = &t->sets[rte_jhash(&k, sizeof(k), t->seed) & t->mask];

	rte_spinlock_lock(&set->lock);
	e = find(t, set, &k, now, window);
	if (elapsed(now, e->start) >= window) {
		e->start = now;
		e->count = 0;
	}
	if (e->count < UINT32_MAX)
		e->count++;
	switch (s->type) {
	case HYP_THRESHOLD_LIMIT:
		alert = e->count <= s->count;
		break;
	case HYP_THRESHOLD_THRESHOLD:
		alert = e->count >= s->count;
		if (alert)
			e->count = 0;
		break;
	case HYP_THRESHOLD_DETECTION:
		alert = e->count > s->count;
		break;
	default:	/* both */
		alert = e->count == s->count;
		break;
	}
	rte_spinlock_unlock(&set->lock);

	__atomic_fetch_add(&t->checked, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(alert ? &t->alerted : &t->suppressed, 1, __ATOMIC_RELAXED);
	return alert;
}

const struct hyp_stat_desc hyp_threshold_stat_descs[] = {
	HYP_STAT(struct hyp_threshold_stats, checked, COUNTER,
		 "Matches of rules with a threshold"),
	HYP_STAT(struct hyp_threshold_stats, alerted, COUNTER,
		 "Of them, alerts the threshold let through"),
	HYP_STAT(struct hyp_threshold_stats, suppressed, COUNTER,
		 "Of them, alerts the threshold held back (the verdict still applied)"),
	HYP_STAT(struct hyp_threshold_stats, evicted, COUNTER,
		 "Keys forgotten inside their window because their set was full"),
	HYP_STAT(struct hyp_threshold_stats, entries, GAUGE, "Keys the table holds at most"),
};
const unsigned int hyp_threshold_stat_count = RTE_DIM(hyp_threshold_stat_descs);

void
hyp_threshold_get_stats(const struct hyp_threshold *t, struct hyp_threshold_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (t == NULL)
		return;
	st->checked = __atomic_load_n(&t->checked, __ATOMIC_RELAXED);
	st->alerted = __atomic_load_n(&t->alerted, __ATOMIC_RELAXED);
	st->suppressed = __atomic_load_n(&t->suppressed, __ATOMIC_RELAXED);
	st->evicted = __atomic_load_n(&t->evicted, __ATOMIC_RELAXED);
	st->entries = t->entries;
}
