/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "hyp_log.h"
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "hyp_autoblock.h"

HYP_LOG_TYPE(autoblock);
#define AB_LOG(level, ...) HYP_LOG(autoblock, level, __VA_ARGS__)

#define AB_TRACKED	(2 * HYP_AUTOBLOCK_CAP)	/* sources counted at once */
#define AB_POLL_MAX	8192			/* reports handled per poll */
#define AB_BURST	64

struct ab_source {
	struct hyp_addr addr;
	uint32_t hits;
	uint64_t last_ns;
	uint64_t expires_ns;	/* 0: not blocked */
};

struct hyp_autoblock {
	struct rte_ring *ring;			/* workers -> control: struct hyp_addr */
	volatile uint32_t hits_needed;		/* 0: off */
	uint64_t ttl_ns;
	uint64_t lost[RTE_MAX_LCORE];		/* per reporting lcore */
	uint64_t lost_other;			/* non-EAL threads (atomic) */
	pthread_mutex_t lock;			/* everything below: control threads */
	struct rte_hash *index;
	struct ab_source *src;			/* by rte_hash position */
	uint64_t blocked, refused, failed, lost_full;
};

const struct hyp_stat_desc hyp_autoblock_stat_descs[] = {
	HYP_STAT(struct hyp_autoblock_stats, blocked, COUNTER,
		 "Sources the slow path escalated into the XDP block map"),
	HYP_STAT(struct hyp_autoblock_stats, refused, COUNTER,
		 "Escalations the cap (half the LRU map) refused"),
	HYP_STAT(struct hyp_autoblock_stats, lost, COUNTER,
		 "Drop reports lost: the report ring was full, or too many sources to count"),
	HYP_STAT(struct hyp_autoblock_stats, failed, COUNTER, "Block map writes that failed"),
	HYP_STAT(struct hyp_autoblock_stats, active, GAUGE, "Auto-blocks in force now"),
	HYP_STAT(struct hyp_autoblock_stats, tracked, GAUGE, "Sources being counted now"),
};
const unsigned int hyp_autoblock_stat_count = RTE_DIM(hyp_autoblock_stat_descs);

struct hyp_autoblock *
hyp_autoblock_create(unsigned int ring_size)
{
	struct hyp_autoblock *a = calloc(1, sizeof(*a));
	static unsigned int seq;
	char name[RTE_RING_NAMESIZE];
	struct rte_hash_parameters hp = {
		.entries = AB_TRACKED,
		.key_len = sizeof(struct hyp_addr),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};

	if (a == NULL)
		return NULL;
	pthread_mutex_init(&a->lock, NULL);
	snprintf(name, sizeof(name), "hyp_ab_%u", __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	a->ring = rte_ring_create_elem(name, sizeof(struct hyp_addr), ring_size, rte_socket_id(),
				       RING_F_SC_DEQ);
	hp.name = name;
	a->index = a->ring != NULL ? rte_hash_create(&hp) : NULL;
	a->src = calloc(AB_TRACKED, sizeof(*a->src));
	if (a->ring == NULL || a->index == NULL || a->src == NULL) {
		AB_LOG(ERR, "ring of %u and table of %u sources: %s", ring_size, AB_TRACKED,
		       rte_strerror(rte_errno));
		hyp_autoblock_free(a);
		return NULL;
	}
	return a;
}

void
hyp_autoblock_free(struct hyp_autoblock *a)
{
	if (a == NULL)
		return;
	rte_ring_free(a->ring);
	rte_hash_free(a->index);
	free(a->src);
	free(a);
}

void
hyp_autoblock_configure(struct hyp_autoblock *a, uint32_t hits, uint32_t ttl_s)
{
	pthread_mutex_lock(&a->lock);
	a->ttl_ns = (uint64_t)ttl_s * 1000000000ULL;
	a->hits_needed = hits;
	pthread_mutex_unlock(&a->lock);
}

void
hyp_autoblock_report(struct hyp_autoblock *a, const uint8_t src[16])
{
	unsigned int lcore = rte_lcore_id();

	if (a->hits_needed == 0)
		return;
	if (rte_ring_enqueue_elem(a->ring, (void *)(uintptr_t)src, sizeof(struct hyp_addr)) == 0)
		return;
	if (lcore < RTE_MAX_LCORE)
		a->lost[lcore]++;
	else
		__atomic_add_fetch(&a->lost_other, 1, __ATOMIC_RELAXED);
}

/* Drop what expired and what went idle; returns the blocks still active. */
static uint32_t
sweep(struct hyp_autoblock *a, uint64_t now)
{
	const void *key;
	void *data;
	uint32_t it = 0, active = 0;
	int32_t pos;

	while ((pos = rte_hash_iterate(a->index, &key, &data, &it)) >= 0) {
		struct ab_source *s = &a->src[pos];

		if (s->expires_ns > now) {
			active++;
			continue;
		}
		if (s->expires_ns != 0 || now - s->last_ns > a->ttl_ns)
			rte_hash_del_key(a->index, key);
	}
	return active;
}

static void
block(struct hyp_autoblock *a, struct ab_source *s, struct hyp_xdp *const *x, unsigned int n_x,
      uint64_t now)
{
	unsigned int i;
	int ret, ok = 0;

	for (i = 0; i < n_x; i++) {
		ret = hyp_xdp_autoblock_add(x[i], &s->addr, a->ttl_ns);
		if (ret < 0)
			a->failed++;
		else
			ok++;
	}
	if (ok) {
		s->expires_ns = now + a->ttl_ns;
		a->blocked++;
	}
}

unsigned int
hyp_autoblock_poll(struct hyp_autoblock *a, struct hyp_xdp *const *x, unsigned int n_x,
		   uint64_t now)
{
	struct hyp_addr buf[AB_BURST];
	unsigned int got, i, total = 0, blocked_now = 0;
	uint32_t active;

	pthread_mutex_lock(&a->lock);
	active = sweep(a, now);
	while (total < AB_POLL_MAX &&
	       (got = rte_ring_dequeue_burst_elem(a->ring, buf, sizeof(buf[0]), AB_BURST,
						  NULL)) != 0) {
		total += got;
		if (a->hits_needed == 0)
			continue;	/* turned off meanwhile: drain and forget */
		for (i = 0; i < got; i++) {
			int32_t pos = rte_hash_add_key(a->index, &buf[i]);
			struct ab_source *s;

			if (pos < 0) {
				a->lost_full++;	/* more sources than we count */
				continue;
			}
			s = &a->src[pos];
			if (memcmp(&s->addr, &buf[i], sizeof(s->addr)) != 0) {
				memset(s, 0, sizeof(*s));	/* a new source in a reused slot */
				s->addr = buf[i];
			}
			if (s->expires_ns > now)
				continue;	/* blocked: its last packets were in flight */
			if (s->expires_ns != 0 || now - s->last_ns > a->ttl_ns)
				s->hits = 0;	/* a block ran out, or a quiet spell */
			s->expires_ns = 0;
			s->last_ns = now;
			if (++s->hits < a->hits_needed)
				continue;
			s->hits = 0;
			if (active >= HYP_AUTOBLOCK_CAP) {
				a->refused++;
				continue;
			}
			block(a, s, x, n_x, now);
			if (s->expires_ns > now) {
				active++;
				blocked_now++;
			}
		}
	}
	pthread_mutex_unlock(&a->lock);
	return blocked_now;
}

void
hyp_autoblock_get_stats(const struct hyp_autoblock *a, struct hyp_autoblock_stats *st)
{
	struct hyp_autoblock *m = (struct hyp_autoblock *)(uintptr_t)a;
	uint64_t now = hyp_xdp_now_ns();
	unsigned int l;
	const void *key;
	void *data;
	uint32_t it = 0;
	int32_t pos;

	memset(st, 0, sizeof(*st));
	for (l = 0; l < RTE_MAX_LCORE; l++)
		st->lost += a->lost[l];
	st->lost += __atomic_load_n(&a->lost_other, __ATOMIC_RELAXED);
	pthread_mutex_lock(&m->lock);
	st->lost += a->lost_full;
	st->blocked = a->blocked;
	st->refused = a->refused;
	st->failed = a->failed;
	while ((pos = rte_hash_iterate(a->index, &key, &data, &it)) >= 0) {
		st->tracked++;
		if (a->src[pos].expires_ns > now)
			st->active++;
	}
	pthread_mutex_unlock(&m->lock);
}

unsigned int
hyp_autoblock_list(const struct hyp_autoblock *a, uint64_t now, struct hyp_autoblock_entry *out,
		   unsigned int max)
{
	struct hyp_autoblock *m = (struct hyp_autoblock *)(uintptr_t)a;
	const void *key;
	void *data;
	uint32_t it = 0;
	unsigned int n = 0;
	int32_t pos;

	pthread_mutex_lock(&m->lock);
	while (n < max && (pos = rte_hash_iterate(a->index, &key, &data, &it)) >= 0) {
		if (a->src[pos].expires_ns <= now)
			continue;
		out[n].addr = a->src[pos].addr;
		out[n].expires_ns = a->src[pos].expires_ns;
		n++;
	}
	pthread_mutex_unlock(&m->lock);
	return n;
}

void
hyp_autoblock_forget(struct hyp_autoblock *a, const struct hyp_addr *addr)
{
	pthread_mutex_lock(&a->lock);
	rte_hash_del_key(a->index, addr);
	pthread_mutex_unlock(&a->lock);
}
