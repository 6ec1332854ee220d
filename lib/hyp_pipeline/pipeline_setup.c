/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Making, launching, stopping and freeing the pipeline, and the engine swap
 * of a reload: control plane only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "hyp_autoblock.h"
#include "hyp_eve.h"
#include "hyp_flow.h"
#include "pipeline_private.h"

HYP_LOG_TYPE(pipeline);

/* ---- set-up ------------------------------------------------------------------ */

/* ips: some port's packets go out of another */
static bool
pipe_forwards(const struct hyp_pipeline *p)
{
	unsigned int i;

	for (i = 0; i < p->c.n_ports; i++)
		if (p->c.ports[i].out != HYP_PIPE_NO_PORT)
			return true;
	return false;
}

static int
worker_init(struct hyp_pipeline *p, struct hyp_worker *w, bool ring)
{
	char name[RTE_RING_NAMESIZE];
	int socket = rte_lcore_to_socket_id(w->lcore);

	snprintf(name, sizeof(name), "hyp_flows_%u", w->lcore);
	w->flows = hyp_flow_table_create(name, p->c.flow_entries, socket);
	if (w->flows == NULL) {
		PIPE_LOG(ERR, "flow table of %u entries for lcore %u: %s", p->c.flow_entries,
			 w->lcore, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	w->snap = rte_zmalloc_socket("hyp_flow_snap", HYP_PIPE_MAX_TOP * sizeof(*w->snap),
				     RTE_CACHE_LINE_SIZE, socket);
	if (w->snap == NULL)
		return -ENOMEM;
	if (p->c.autoblock != NULL) {
		w->ab = hyp_autoblock_reporter_create();
		if (w->ab == NULL)
			return -ENOMEM;
	}
	if (p->c.stream.memcap != 0) {
		struct hyp_stream_conf sc = {
			.max_ooo_bytes = p->c.stream.window,
			.max_ooo_segs = p->c.stream.segments,
			.retain = p->c.stream.retain,
			.memcap = p->c.stream.memcap,
			.midstream = p->c.stream.midstream,
			/* ips refuses what cannot wait: its sender sends it again */
			.refuse = pipe_forwards(p),
		};

		w->streams = hyp_stream_ctx_create(&sc);
		if (w->streams == NULL) {
			PIPE_LOG(ERR, "TCP reassembly for lcore %u: %s", w->lcore, strerror(errno));
			return -errno;
		}
		if (p->c.stream.inspect_window > p->c.stream.retain) {
			PIPE_LOG(ERR, "stream inspect window %u is more than the %u bytes retained",
				 p->c.stream.inspect_window, p->c.stream.retain);
			return -EINVAL;
		}
		w->window = rte_malloc_socket("hyp_window",
					      (size_t)p->c.stream.inspect_window + PIPE_CHUNK_MAX, 0,
					      socket);
		if (w->window == NULL)
			return -ENOMEM;
	}
	/* streams and flowbits hang off a flow: freed as it goes */
	hyp_flow_table_set_release(w->flows, pipe_flow_release, w);
	if (!ring)
		return 0;
	snprintf(name, sizeof(name), "hyp_w%u", w->idx);
	/* several IO lcores may feed one worker: multi-producer, one consumer */
	w->in = rte_ring_create(name, p->c.ring_size, socket, RING_F_SC_DEQ);
	if (w->in == NULL) {
		PIPE_LOG(ERR, "ring %s of %u: %s", name, p->c.ring_size, rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

static int
io_init(struct hyp_pipeline *p, struct hyp_io *io, unsigned int idx, bool rings)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int pi;

	io->txq = io->queues[0];
	io->idx = idx;
	if (p->c.defrag.datagrams != 0) {
		struct hyp_defrag_conf dc = {
			.socket_id = (int)rte_lcore_to_socket_id(io->lcore),
			.max_datagrams = p->c.defrag.datagrams,
			.max_frags = p->c.defrag.fragments,
			.timeout_ms = p->c.defrag.timeout_ms,
			.memcap = p->c.defrag.memcap,
			/* as many as the rings after it can hold */
			.max_out = p->c.ring_size,
			.keep_originals = pipe_forwards(p),
		};

		snprintf(name, sizeof(name), "io%u", idx);
		dc.name = name;
		io->defrag = hyp_defrag_create(&dc);
		if (io->defrag == NULL)
			return -rte_errno;
	}
	if (!rings)
		return 0;
	for (pi = 0; pi < p->c.n_ports; pi++) {
		unsigned int from;
		bool used = false;

		for (from = 0; from < p->c.n_ports; from++)
			used |= p->c.ports[from].out == pi;
		if (!used)	/* IDS: nothing is ever sent */
			continue;
		snprintf(name, sizeof(name), "hyp_tx%u_%u", idx, pi);
		/* every worker may send through this IO lcore: one consumer */
		io->tx[pi] = rte_ring_create(name, p->c.ring_size,
					     rte_lcore_to_socket_id(io->lcore), RING_F_SC_DEQ);
		if (io->tx[pi] == NULL) {
			PIPE_LOG(ERR, "ring %s: %s", name, rte_strerror(rte_errno));
			return -rte_errno;
		}
	}
	return 0;
}

static void
gen_free(struct hyp_gen *g)
{
	unsigned int i;

	if (g == NULL)
		return;
	for (i = 0; i < HYP_PIPE_MAX_WORKERS; i++) {
		hyp_engine_scratch_free(g->scratch[i]);
		rte_free(g->hits[i]);
	}
	rte_free(g->base);
	rte_free(g);
}

/* Everything the workers need for engine e, made before anyone sees it. */
static struct hyp_gen *
gen_create(struct hyp_pipeline *p, const struct hyp_engine *e)
{
	struct hyp_gen *g = rte_zmalloc("hyp_gen", sizeof(*g), RTE_CACHE_LINE_SIZE);
	size_t sz;
	unsigned int i;
	int ret;

	if (g == NULL)
		return NULL;
	g->engine = e;
	g->n_rules = hyp_engine_rule_count(e);
	sz = RTE_MAX(g->n_rules, 1u) * sizeof(uint64_t);
	g->base = rte_zmalloc("hyp_rule_base", sz, RTE_CACHE_LINE_SIZE);
	if (g->base == NULL)
		goto fail;
	for (i = 0; i < p->n_workers; i++) {
		int socket = rte_lcore_to_socket_id(p->wk[i].lcore);

		ret = hyp_engine_scratch_alloc(e, &g->scratch[i]);
		if (ret < 0) {
			PIPE_LOG(ERR, "Hyperscan scratch for worker %u: %s", i, strerror(-ret));
			goto fail;
		}
		if (p->c.stage_cycles)
			hyp_engine_scratch_cycles(g->scratch[i], &p->wk[i].ecyc);
		g->hits[i] = rte_zmalloc_socket("hyp_rule_hits", sz, RTE_CACHE_LINE_SIZE,
						socket);
		if (g->hits[i] == NULL)
			goto fail;
	}
	return g;
fail:
	gen_free(g);
	return NULL;
}

static int
cmp_id_slot(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* bsearch by the id half of (id << 32 | slot) */
static int
cmp_id_slot_prefix(const void *key, const void *elem)
{
	const uint64_t x = *(const uint64_t *)key >> 32, y = *(const uint64_t *)elem >> 32;

	return x < y ? -1 : x > y;
}

/*
 * Counters survive a reload: the hits a rule id had in the old generation
 * become the new generation's base for the same id. Runs after the grace
 * period, when the old counts are final.
 */
static void
gen_carry_hits(const struct hyp_pipeline *p, const struct hyp_gen *old, struct hyp_gen *g)
{
	uint64_t *map = malloc(RTE_MAX(g->n_rules, 1u) * sizeof(uint64_t));
	unsigned int s, i;

	if (map == NULL)
		return;	/* the counts restart: better than failing a reload */
	for (s = 0; s < g->n_rules; s++) {
		uint32_t id;
		enum hyp_action a;
		const char *m;

		hyp_engine_rule(g->engine, s, &id, &a, &m);
		map[s] = (uint64_t)id << 32 | s;
	}
	qsort(map, g->n_rules, sizeof(*map), cmp_id_slot);
	for (s = 0; s < old->n_rules; s++) {
		uint64_t total = old->base[s], key, *hit;
		uint32_t id;
		enum hyp_action a;
		const char *m;

		for (i = 0; i < p->n_workers; i++)
			total += old->hits[i][s];
		hyp_engine_rule(old->engine, s, &id, &a, &m);
		key = (uint64_t)id << 32;
		hit = bsearch(&key, map, g->n_rules, sizeof(*map), cmp_id_slot_prefix);
		if (hit != NULL)
			g->base[*hit & 0xffffffff] += total;
	}
	free(map);
}

int
hyp_pipeline_create(const struct hyp_pipe_conf *c, const struct hyp_engine *engine,
		    struct hyp_pipeline **out)
{
	unsigned int lcores[RTE_MAX_LCORE], n = 0, i, q, lcore;
	struct hyp_pipeline *p;
	bool rings;
	int ret;

	if (c->n_ports == 0 || c->n_ports > HYP_PIPE_MAX_PORTS || c->nb_queues == 0 ||
	    c->nb_queues > HYP_PIPE_MAX_QUEUES || c->burst == 0 ||
	    c->burst > HYP_PIPE_MAX_BURST || !rte_is_power_of_2(c->ring_size)) {
		PIPE_LOG(ERR, "bad configuration: %u ports, %u queues, burst %u (max %u), "
			 "ring %u (a power of 2)", c->n_ports, c->nb_queues, c->burst,
			 HYP_PIPE_MAX_BURST, c->ring_size);
		return -EINVAL;
	}
	RTE_LCORE_FOREACH_WORKER(lcore)
		lcores[n++] = lcore;
	if (n == 0) {
		PIPE_LOG(ERR, "no worker lcore: give EAL at least two (e.g. -l 0-1); "
			 "the main lcore stays for control");
		return -EINVAL;
	}
	p = rte_zmalloc("hyp_pipeline", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (p == NULL)
		return -ENOMEM;
	p->c = *c;
	p->idle_tsc = c->flow_idle_ms * (rte_get_tsc_hz() / 1000);
	p->ns_per_tsc_q20 = (1000000000ULL << 20) / rte_get_tsc_hz();
	for (i = 0; i < c->n_ports; i++)
		p->port_idx[c->ports[i].port_id] = i;

	if (c->mode == HYP_PIPE_RTC) {
		/* lcore i serves queues i, i + n, ...; extra lcores stay idle */
		p->n_io = p->n_workers = RTE_MIN(n, (unsigned int)c->nb_queues);
		for (i = 0; i < p->n_io; i++) {
			p->io[i].lcore = p->wk[i].lcore = lcores[i];
			p->wk[i].idx = i;
			p->wk[i].txio = &p->io[i];
			p->lc[lcores[i]] = (struct hyp_lcore_ctx){ HYP_ROLE_RTC, p, &p->io[i],
								   &p->wk[i] };
		}
	} else if (n == 1) {
		/* staged on one lcore: a ring to itself would only cost */
		p->n_io = p->n_workers = 1;
		p->io[0].lcore = p->wk[0].lcore = lcores[0];
		p->wk[0].txio = &p->io[0];
		p->lc[lcores[0]] = (struct hyp_lcore_ctx){ HYP_ROLE_IO_WORKER, p, &p->io[0],
							   &p->wk[0] };
	} else {
		p->n_io = c->n_io ? c->n_io : RTE_MIN(n - 1, (unsigned int)c->nb_queues);
		if (p->n_io >= n || p->n_io > c->nb_queues) {
			PIPE_LOG(ERR, "%u io lcores: there are %u worker lcores and %u queues; "
				 "at least one lcore must be left for the workers and each io "
				 "lcore needs a queue", p->n_io, n, c->nb_queues);
			rte_free(p);
			return -EINVAL;
		}
		p->n_workers = RTE_MIN(n - p->n_io, (unsigned int)HYP_PIPE_MAX_WORKERS);
		for (i = 0; i < p->n_io; i++) {
			p->io[i].lcore = lcores[i];
			p->lc[lcores[i]] = (struct hyp_lcore_ctx){ HYP_ROLE_IO, p, &p->io[i], NULL };
		}
		for (i = 0; i < p->n_workers; i++) {
			p->wk[i].lcore = lcores[p->n_io + i];
			p->wk[i].idx = i;
			p->wk[i].txio = &p->io[i % p->n_io];
			p->lc[p->wk[i].lcore] = (struct hyp_lcore_ctx){ HYP_ROLE_WORKER, p, NULL,
									&p->wk[i] };
		}
	}
	for (q = 0; q < c->nb_queues; q++) {
		struct hyp_io *io = &p->io[q % p->n_io];

		io->queues[io->n_queues++] = q;
		p->q_lcore[q] = io->lcore;
	}
	rings = c->mode == HYP_PIPE_STAGED && n > 1;
	for (i = 0; i < p->n_io; i++) {
		ret = io_init(p, &p->io[i], i, rings);
		if (ret < 0)
			goto fail;
	}
	for (i = 0; i < p->n_workers; i++) {
		ret = worker_init(p, &p->wk[i], rings);
		if (ret < 0)
			goto fail;
	}
	p->qs = rte_zmalloc("hyp_qsbr", rte_rcu_qsbr_get_memsize(p->n_workers),
			    RTE_CACHE_LINE_SIZE);
	ret = -ENOMEM;
	if (p->qs == NULL || rte_rcu_qsbr_init(p->qs, p->n_workers) != 0)
		goto fail;
	for (i = 0; i < p->n_workers; i++) {
		rte_rcu_qsbr_thread_register(p->qs, i);
		rte_rcu_qsbr_thread_online(p->qs, i);
	}
	p->gen = gen_create(p, engine);
	if (p->gen == NULL)
		goto fail;
	*out = p;
	return 0;
fail:
	hyp_pipeline_free(p);
	return ret;
}

int
hyp_pipeline_launch(struct hyp_pipeline *p)
{
	unsigned int lcore;
	int ret;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (p->lc[lcore].role == HYP_ROLE_IDLE)
			continue;
		ret = rte_eal_remote_launch(pipe_lcore_main, &p->lc[lcore], lcore);
		if (ret < 0) {
			PIPE_LOG(ERR, "launching lcore %u: %s", lcore, strerror(-ret));
			p->stop_rx = 1;
			rte_eal_mp_wait_lcore();
			return ret;
		}
	}
	p->launched = true;
	return 0;
}

void
hyp_pipeline_stop(struct hyp_pipeline *p)
{
	if (!p->launched)
		return;
	p->stop_rx = 1;
	rte_eal_mp_wait_lcore();
	p->launched = false;
}

static void
drain_free(struct rte_ring *r)
{
	void *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
hyp_pipeline_free(struct hyp_pipeline *p)
{
	unsigned int i, pi;

	if (p == NULL)
		return;
	hyp_pipeline_stop(p);
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		drain_free(p->wk[i].in);
		if (p->wk[i].flows != NULL)
			hyp_flow_table_free(p->wk[i].flows);
		/* after the flows: each frees its streams into it */
		hyp_stream_ctx_free(p->wk[i].streams);
		rte_free(p->wk[i].window);
		rte_free(p->wk[i].snap);
		hyp_autoblock_reporter_free(p->wk[i].ab);
		for (pi = 0; pi < HYP_PIPE_MAX_PORTS; pi++)
			drain_free(p->io[i].tx[pi]);
	}
	/* after the rings: a datagram in one holds its reassembler's mbuf pool */
	for (i = 0; i < RTE_MAX_LCORE; i++)
		hyp_defrag_free(p->io[i].defrag);
	gen_free(p->gen);
	rte_free(p->qs);
	rte_free(p);
}

const struct hyp_engine *
hyp_pipeline_swap_engine(struct hyp_pipeline *p, const struct hyp_engine *e)
{
	struct hyp_gen *g = gen_create(p, e), *old = p->gen;
	const struct hyp_engine *old_engine = old->engine;

	if (g == NULL)
		return NULL;
	__atomic_store_n(&p->gen, g, __ATOMIC_RELEASE);
	/* every worker passes a quiescent state: none can still use old */
	if (p->launched)
		rte_rcu_qsbr_synchronize(p->qs, RTE_QSBR_THRID_INVALID);
	gen_carry_hits(p, old, g);
	{
		struct hyp_detect_stats one;
		unsigned int i;

		g->detect_base = old->detect_base;
		for (i = 0; i < p->n_workers; i++) {
			hyp_engine_scratch_detect_stats(old->scratch[i], &one);
			hyp_stat_add(&g->detect_base, &one, hyp_detect_stat_descs,
				     hyp_detect_stat_count);
		}
	}
	gen_free(old);
	return old_engine;
}
