/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
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
#include <rte_malloc.h>

#include "hyp_log.h"
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "hyp_autoblock.h"

HYP_LOG_TYPE(autoblock);
#define AB_LOG(level, ...) HYP_LOG(autoblock, level, __VA_ARGS__)

#define AB_TRACKED	(2 * HYP_AUTOBLOCK_CAP)	/* sources counted at once */
#define AB_POLL_MAX	8192			/* reports handled per poll */
#define AB_BURST	64
#define AB_THIN_SLOTS	1024			/* per worker: sources thinned at once */

struct ab_source {
	struct hyp_src_key key;
	uint32_t hits;
	uint64_t last_ns;
	uint64_t expires_ns;	/* 0: not blocked */
};

/* what one lcore counts, on its own cache line */
struct ab_lcore {
	uint64_t lost;
	uint64_t suppressed;
	uint64_t ignored[HYP_AB_IGN_MAX];
} __rte_cache_aligned;

/*
 * Direct-mapped: a source that collides with another takes its slot and
 * starts afresh. Rotating sources can only make thinning forget, which
 * posts more reports (the ring bounds those), never fewer.
 */
struct ab_thin {
	struct hyp_src_key key;
	uint32_t count;
	uint64_t since_tsc;
};

struct hyp_autoblock_reporter {
	struct ab_thin slot[AB_THIN_SLOTS];
};

struct hyp_autoblock {
	struct rte_ring *ring;			/* workers -> control: struct hyp_src_key */
	/* read by the workers, each field whole: a reload changes one at a time */
	volatile uint32_t hits_needed;		/* 0: off */
	volatile uint32_t max_reports;		/* per source and second; 0: all */
	volatile bool udp;
	volatile uint8_t tcp;			/* enum hyp_autoblock_tcp */
	struct ab_lcore lc[RTE_MAX_LCORE];
	uint64_t lost_other;			/* non-EAL threads (atomic) */
	pthread_mutex_t lock;			/* everything below: control threads */
	uint64_t ttl_ns;
	struct hyp_cidr *exempt;
	size_t n_exempt;
	struct rte_hash *index;
	struct ab_source *src;			/* by rte_hash position */
	uint64_t blocked, refused, expired, failed, lost_full, exempted;
};

const struct hyp_stat_desc hyp_autoblock_stat_descs[] = {
	HYP_STAT(struct hyp_autoblock_stats, blocked, COUNTER,
		 "Sources the slow path escalated into the XDP block map"),
	HYP_STAT(struct hyp_autoblock_stats, refused, COUNTER,
		 "Escalations the cap (half the LRU map) refused"),
	HYP_STAT(struct hyp_autoblock_stats, expired, COUNTER,
		 "Blocks that ran out, removed from every program's map"),
	HYP_STAT(struct hyp_autoblock_stats, lost, COUNTER,
		 "Drop reports lost: the report ring was full, or too many sources to count"),
	HYP_STAT(struct hyp_autoblock_stats, failed, COUNTER, "Block map writes that failed"),
	HYP_STAT(struct hyp_autoblock_stats, exempt, COUNTER,
		 "Reports about sources in auto_block.exempt: never blocked"),
	HYP_STAT(struct hyp_autoblock_stats, suppressed, COUNTER,
		 "Reports a worker thinned (over max_reports_per_source_s)"),
	HYP_STAT(struct hyp_autoblock_stats, ignored_responder, COUNTER,
		 "Drops not counted: their source answered the flow, it did not begin it"),
	HYP_STAT(struct hyp_autoblock_stats, ignored_unestablished, COUNTER,
		 "TCP drops not counted: no handshake seen (nor vouched for, tcp: stream)"),
	HYP_STAT(struct hyp_autoblock_stats, ignored_connectionless, COUNTER,
		 "Drops of UDP and other connectionless traffic not counted (udp: false)"),
	HYP_STAT(struct hyp_autoblock_stats, active, GAUGE, "Auto-blocks in force now"),
	HYP_STAT(struct hyp_autoblock_stats, tracked, GAUGE, "Sources being counted now"),
};
const unsigned int hyp_autoblock_stat_count = RTE_DIM(hyp_autoblock_stat_descs);

struct hyp_autoblock *
hyp_autoblock_create(unsigned int ring_size)
{
	struct hyp_autoblock *a = rte_zmalloc("hyp_autoblock", sizeof(*a), RTE_CACHE_LINE_SIZE);
	static unsigned int seq;
	char name[RTE_RING_NAMESIZE];
	struct rte_hash_parameters hp = {
		.entries = AB_TRACKED,
		.key_len = sizeof(struct hyp_src_key),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};

	if (a == NULL)
		return NULL;
	pthread_mutex_init(&a->lock, NULL);
	a->max_reports = HYP_AUTOBLOCK_REPORTS_DEFAULT;
	snprintf(name, sizeof(name), "hyp_ab_%u", __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	a->ring = rte_ring_create_elem(name, sizeof(struct hyp_src_key), ring_size,
				       rte_socket_id(), RING_F_SC_DEQ);
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
	free(a->exempt);
	rte_free(a);
}

int
hyp_autoblock_configure(struct hyp_autoblock *a, const struct hyp_autoblock_conf *conf)
{
	struct hyp_cidr *ex = NULL;

	if (conf->hits != 0 && (conf->ttl_s == 0 || conf->ttl_s > HYP_AUTOBLOCK_TTL_MAX_S)) {
		AB_LOG(ERR, "ttl_s %u: an auto-block lasts 1 to %u s", conf->ttl_s,
		       HYP_AUTOBLOCK_TTL_MAX_S);
		return -EINVAL;
	}
	if (conf->n_exempt > HYP_AUTOBLOCK_EXEMPT_MAX) {
		AB_LOG(ERR, "%zu exempt prefixes: at most %u", conf->n_exempt,
		       HYP_AUTOBLOCK_EXEMPT_MAX);
		return -EINVAL;
	}
	if (conf->n_exempt != 0) {
		ex = malloc(conf->n_exempt * sizeof(*ex));
		if (ex == NULL)
			return -ENOMEM;
		memcpy(ex, conf->exempt, conf->n_exempt * sizeof(*ex));
	}
	pthread_mutex_lock(&a->lock);
	free(a->exempt);
	a->exempt = ex;
	a->n_exempt = conf->n_exempt;
	a->ttl_ns = (uint64_t)conf->ttl_s * 1000000000ULL;
	a->udp = conf->udp;
	a->tcp = (uint8_t)conf->tcp;
	a->max_reports = conf->max_reports_per_source_s;
	a->hits_needed = conf->hits;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

struct hyp_autoblock_reporter *
hyp_autoblock_reporter_create(void)
{
	return rte_zmalloc("hyp_ab_reporter", sizeof(struct hyp_autoblock_reporter),
			   RTE_CACHE_LINE_SIZE);
}

void
hyp_autoblock_reporter_free(struct hyp_autoblock_reporter *r)
{
	rte_free(r);
}

static struct ab_lcore *
my_lcore(struct hyp_autoblock *a)
{
	unsigned int lcore = rte_lcore_id();

	return lcore < RTE_MAX_LCORE ? &a->lc[lcore] : NULL;
}

static inline void
count_lcore(struct hyp_autoblock *a, size_t off)
{
	struct ab_lcore *l = my_lcore(a);

	if (l != NULL)
		(*(uint64_t *)((uint8_t *)l + off))++;
	else	/* non-EAL threads (tests, replay helpers): rare, atomic */
		__atomic_add_fetch((uint64_t *)((uint8_t *)&a->lc[0] + off), 1,
				   __ATOMIC_RELAXED);
}

/* false: a report of this source this second is one too many */
static bool
thin(struct hyp_autoblock_reporter *r, uint32_t max, const struct hyp_src_key *k, uint64_t now)
{
	struct ab_thin *t = &r->slot[rte_jhash(k, sizeof(*k), 0) % AB_THIN_SLOTS];
	uint64_t hz = rte_get_tsc_hz();

	if (memcmp(&t->key, k, sizeof(*k)) != 0 || now - t->since_tsc >= hz) {
		t->key = *k;
		t->since_tsc = now;
		t->count = 0;
	}
	return ++t->count <= max;
}

void
hyp_autoblock_report(struct hyp_autoblock *a, struct hyp_autoblock_reporter *r,
		     const struct hyp_autoblock_hit *h, uint64_t now_tsc)
{
	uint32_t max = a->max_reports;
	int ign = -1;

	if (a->hits_needed == 0)
		return;
	if (!h->initiator)
		ign = HYP_AB_IGN_RESPONDER;
	else if (h->proto == IPPROTO_TCP)
		ign = h->handshake || (a->tcp == HYP_AB_TCP_STREAM && h->vouched) ? -1 :
		      HYP_AB_IGN_UNESTABLISHED;
	else if (!a->udp)
		ign = HYP_AB_IGN_CONNECTIONLESS;
	if (ign >= 0) {
		count_lcore(a, offsetof(struct ab_lcore, ignored) + ign * sizeof(uint64_t));
		return;
	}
	if (r != NULL && max != 0 && !thin(r, max, &h->src, now_tsc)) {
		count_lcore(a, offsetof(struct ab_lcore, suppressed));
		return;
	}
	if (rte_ring_enqueue_elem(a->ring, (void *)(uintptr_t)&h->src,
				  sizeof(struct hyp_src_key)) != 0)
		count_lcore(a, offsetof(struct ab_lcore, lost));
}

static bool
exempt(const struct hyp_autoblock *a, const struct hyp_src_key *k)
{
	size_t i;

	for (i = 0; i < a->n_exempt; i++)
		if (hyp_cidr_contains(&a->exempt[i], k->family, k->addr.a))
			return true;
	return false;
}

/*
 * Remove what ran out from the maps (the program deletes an expired entry
 * only when its source sends again: a source that went quiet would sit in
 * the map until the LRU evicted a live block instead), and forget sources
 * that went quiet. Returns the blocks still active.
 */
static uint32_t
sweep(struct hyp_autoblock *a, struct hyp_xdp *const *x, unsigned int n_x, uint64_t now)
{
	const void *key;
	void *data;
	uint32_t it = 0, active = 0;
	unsigned int i;
	int32_t pos;

	while ((pos = rte_hash_iterate(a->index, &key, &data, &it)) >= 0) {
		struct ab_source *s = &a->src[pos];

		if (s->expires_ns > now) {
			active++;
			continue;
		}
		if (s->expires_ns != 0) {
			for (i = 0; i < n_x; i++) {
				int ret = hyp_xdp_autoblock_del(x[i], &s->key);

				if (ret < 0 && ret != -ENOENT)
					a->failed++;
			}
			a->expired++;
			s->expires_ns = 0;
			s->hits = 0;
		}
		if (now - s->last_ns > a->ttl_ns)
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
		ret = hyp_xdp_autoblock_add(x[i], &s->key, a->ttl_ns);
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
	struct hyp_src_key buf[AB_BURST];
	unsigned int got, i, total = 0, blocked_now = 0;
	uint32_t active;

	pthread_mutex_lock(&a->lock);
	active = sweep(a, x, n_x, now);
	while (total < AB_POLL_MAX &&
	       (got = rte_ring_dequeue_burst_elem(a->ring, buf, sizeof(buf[0]), AB_BURST,
						  NULL)) != 0) {
		total += got;
		if (a->hits_needed == 0)
			continue;	/* turned off meanwhile: drain and forget */
		for (i = 0; i < got; i++) {
			int32_t pos;
			struct ab_source *s;

			if (exempt(a, &buf[i])) {
				a->exempted++;
				continue;
			}
			pos = rte_hash_add_key(a->index, &buf[i]);
			if (pos < 0) {
				a->lost_full++;	/* more sources than we count */
				continue;
			}
			s = &a->src[pos];
			if (memcmp(&s->key, &buf[i], sizeof(s->key)) != 0) {
				memset(s, 0, sizeof(*s));	/* a new source in a reused slot */
				s->key = buf[i];
			}
			if (s->expires_ns > now)
				continue;	/* blocked: its last packets were in flight */
			if (now - s->last_ns > a->ttl_ns)
				s->hits = 0;	/* a quiet spell */
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
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		st->lost += __atomic_load_n(&a->lc[l].lost, __ATOMIC_RELAXED);
		st->suppressed += __atomic_load_n(&a->lc[l].suppressed, __ATOMIC_RELAXED);
		st->ignored_responder +=
			__atomic_load_n(&a->lc[l].ignored[HYP_AB_IGN_RESPONDER], __ATOMIC_RELAXED);
		st->ignored_unestablished +=
			__atomic_load_n(&a->lc[l].ignored[HYP_AB_IGN_UNESTABLISHED],
					__ATOMIC_RELAXED);
		st->ignored_connectionless +=
			__atomic_load_n(&a->lc[l].ignored[HYP_AB_IGN_CONNECTIONLESS],
					__ATOMIC_RELAXED);
	}
	pthread_mutex_lock(&m->lock);
	st->lost += a->lost_full;
	st->blocked = a->blocked;
	st->refused = a->refused;
	st->expired = a->expired;
	st->failed = a->failed;
	st->exempt = a->exempted;
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
		out[n].key = a->src[pos].key;
		out[n].expires_ns = a->src[pos].expires_ns;
		n++;
	}
	pthread_mutex_unlock(&m->lock);
	return n;
}

void
hyp_autoblock_forget(struct hyp_autoblock *a, const struct hyp_src_key *k)
{
	pthread_mutex_lock(&a->lock);
	rte_hash_del_key(a->index, k);
	pthread_mutex_unlock(&a->lock);
}
