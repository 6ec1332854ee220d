/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lcore pipeline. See hyp_pipeline.h for the control/data plane
 * contract; this file keeps to it: per-lcore state only, rings between
 * stages, and every mbuf either handed on, transmitted, or freed and counted.
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
#include "hyp_pipeline.h"

RTE_LOG_REGISTER(hyp_pipe_logtype, hyp.pipeline, INFO);
#define PIPE_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, hyp_pipe_logtype, "hyp_pipeline: %s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

#define HYP_PIPE_MAX_BURST	256
#define HYP_PIPE_MAX_WORKERS	16	/* spread() keeps a burst per worker on the stack */
#define HYP_PIPE_MAX_RINGS	(HYP_PIPE_MAX_WORKERS + HYP_PIPE_MAX_QUEUES * HYP_PIPE_MAX_PORTS)

/* Per producer lcore and ring: no two lcores write the same counter. */
struct hyp_ring_stat {
	uint64_t enq_fail;
	uint32_t hwm;
};
#define HYP_EXPIRE_EVERY	1024	/* loop turns between flow-table sweeps */
#define HYP_EXPIRE_BUDGET	64	/* slots examined per sweep */

struct hyp_io {
	unsigned int lcore;
	unsigned int idx;
	uint16_t queues[HYP_PIPE_MAX_QUEUES];
	unsigned int n_queues;
	uint16_t txq;				/* the queue this lcore transmits on */
	struct rte_ring *tx[HYP_PIPE_MAX_PORTS];	/* workers -> this lcore */
};

struct hyp_worker {
	unsigned int lcore;
	unsigned int idx;
	struct rte_ring *in;			/* IO lcores -> this worker */
	struct hyp_io *txio;			/* whose tx rings (staged) or queue (rtc) */
	struct hyp_flow_table *flows;
	/* top-flows requests from the control plane, answered between bursts */
	struct hyp_flow_entry *snap;
	int snap_n;
	uint32_t snap_seq;
};

#define HYP_PIPE_MAX_TOP 64

/*
 * What a policy generation needs on the data path, published whole: the
 * engine, a Hyperscan scratch per worker made for it before it is published
 * (so no worker allocates, and none grows a scratch another may be using),
 * and per-worker rule counters. A reload publishes a new one and frees the
 * old one once every worker has passed a quiescent state (QSBR).
 */
struct hyp_gen {
	const struct hyp_engine *engine;
	unsigned int n_rules;
	struct hyp_engine_scratch *scratch[HYP_PIPE_MAX_WORKERS];
	uint64_t *hits[HYP_PIPE_MAX_WORKERS];	/* [worker][slot], the worker writes */
	uint64_t *base;				/* [slot]: hits carried over reloads */
};

struct hyp_lcore_ctx {
	enum hyp_role role;
	struct hyp_pipeline *p;
	struct hyp_io *io;
	struct hyp_worker *w;
};

struct hyp_pipeline {
	struct hyp_pipe_conf c;
	struct hyp_gen *volatile gen;
	struct rte_rcu_qsbr *qs;		/* one thread id per worker */
	struct hyp_lcore_ctx lc[RTE_MAX_LCORE];
	struct hyp_lcore_stats st[RTE_MAX_LCORE];
	struct hyp_io io[RTE_MAX_LCORE];
	unsigned int n_io;
	struct hyp_ring_stat ring_st[RTE_MAX_LCORE][HYP_PIPE_MAX_RINGS];
	struct hyp_worker wk[RTE_MAX_LCORE];
	unsigned int n_workers;
	uint8_t port_idx[RTE_MAX_ETHPORTS];	/* port id -> index in c.ports */
	uint64_t idle_tsc;
	uint64_t ns_per_tsc_q20;		/* ns per TSC tick, << 20 */
	volatile int stop_rx;
	uint32_t flow_req_seq;			/* control -> workers: a new request */
	unsigned int flow_req_n;
	int io_stopped;				/* atomics: control path only */
	int workers_done;
	bool launched;
};

const struct hyp_stat_desc hyp_lcore_stat_descs[] = {
	HYP_STAT(struct hyp_lcore_stats, rx, COUNTER,
		 "Packets received from the rx queues (io, rtc and io+worker lcores)"),
	HYP_STAT(struct hyp_lcore_stats, bursts, COUNTER,
		 "Polls of an rx queue or input ring that returned packets"),
	HYP_STAT(struct hyp_lcore_stats, empty_polls, COUNTER,
		 "Polls of an rx queue or input ring that returned nothing"),
	HYP_STAT(struct hyp_lcore_stats, busy_cycles, COUNTER,
		 "TSC cycles spent on packets"),
	HYP_STAT(struct hyp_lcore_stats, poll_cycles, COUNTER,
		 "TSC cycles of the whole loop (busy_cycles / poll_cycles is the busy ratio)"),
	HYP_STAT(struct hyp_lcore_stats, ring_full, COUNTER,
		 "Packets a full worker input ring refused (counted and freed)"),
	HYP_STAT(struct hyp_lcore_stats, inspected, COUNTER,
		 "Packets classified and inspected (DNS rules, Hyperscan)"),
	HYP_STAT(struct hyp_lcore_stats, dropped, COUNTER,
		 "Packets dropped by a verdict, cached_drops included"),
	HYP_STAT(struct hyp_lcore_stats, alerted, COUNTER,
		 "Packets an alert rule matched (passed, logged to EVE)"),
	HYP_STAT(struct hyp_lcore_stats, passed, COUNTER,
		 "Packets no rule stopped"),
	HYP_STAT(struct hyp_lcore_stats, cached_drops, COUNTER,
		 "Packets dropped by their flow's cached drop verdict, uninspected"),
	HYP_STAT(struct hyp_lcore_stats, parse_errors, COUNTER,
		 "Packets the classifier found malformed (passed: XDP should have stopped them)"),
	HYP_STAT(struct hyp_lcore_stats, dns_errors, COUNTER,
		 "Packets to a DNS port that did not parse as a query"),
	HYP_STAT(struct hyp_lcore_stats, flow_full, COUNTER,
		 "Packets whose flow found no room in the flow table (inspected, not tracked)"),
	HYP_STAT(struct hyp_lcore_stats, tx, COUNTER,
		 "Packets sent on to the peer port (ips)"),
	HYP_STAT(struct hyp_lcore_stats, tx_failed, COUNTER,
		 "Packets a transmit or a transmit ring refused (counted and freed)"),
	HYP_STAT(struct hyp_lcore_stats, eve_lost, COUNTER,
		 "Alerts the EVE writer had no free slot for"),
	HYP_STAT(struct hyp_lcore_stats, prefiltered, COUNTER,
		 "Packets the prefilter decided (replay: the XDP program's verdict)"),
};
const unsigned int hyp_lcore_stat_count = RTE_DIM(hyp_lcore_stat_descs);
/* every uint64_t before the histogram has its row */
_Static_assert(RTE_DIM(hyp_lcore_stat_descs) ==
	       offsetof(struct hyp_lcore_stats, lat_count) / sizeof(uint64_t),
	       "a counter of struct hyp_lcore_stats without its row in hyp_lcore_stat_descs");

const struct hyp_stat_desc hyp_ring_stat_descs[] = {
	HYP_STAT(struct hyp_ring_info, occupancy, GAUGE, "Packets in the ring now"),
	HYP_STAT(struct hyp_ring_info, capacity, GAUGE, "Packets the ring can hold"),
	HYP_STAT(struct hyp_ring_info, high_watermark, GAUGE,
		 "Most packets the ring held after an enqueue, since start"),
	HYP_STAT(struct hyp_ring_info, enqueue_failures, COUNTER,
		 "Packets the ring refused (counted and freed)"),
};
const unsigned int hyp_ring_stat_count = RTE_DIM(hyp_ring_stat_descs);

const uint32_t hyp_lat_bounds_ns[HYP_LAT_BUCKETS - 1] = {
	250, 500, 1000, 2000, 4000, 8000, 16000, 32000,
};

static const char *const role_names[] = {
	[HYP_ROLE_IDLE] = "idle",
	[HYP_ROLE_IO] = "io",
	[HYP_ROLE_WORKER] = "worker",
	[HYP_ROLE_IO_WORKER] = "io+worker",
	[HYP_ROLE_RTC] = "rtc",
};

const char *
hyp_role_name(enum hyp_role r)
{
	return (unsigned int)r < RTE_DIM(role_names) ? role_names[r] : "?";
}

/* ---- the verdict stage, shared by rtc and staged workers ---------------- */

static void
post_alert(struct hyp_pipeline *p, struct hyp_lcore_stats *st,
	   const struct hyp_pkt_meta *m, uint32_t flow_hash,
	   const struct hyp_verdict *v)
{
	struct hyp_eve_alert a;
	struct timespec ts;

	if (p->c.eve == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	memset(&a, 0, sizeof(a));
	a.ts_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	a.flow_id = ((uint64_t)flow_hash << 16) | m->proto;
	a.family = m->family;
	a.proto = m->proto;
	memcpy(a.src, m->src, sizeof(a.src));
	memcpy(a.dst, m->dst, sizeof(a.dst));
	a.sport = m->sport;
	a.dport = m->dport;
	a.signature_id = v->rule_id;
	a.action = v->action;
	if (v->msg != NULL)
		snprintf(a.signature, sizeof(a.signature), "%s", v->msg);
	if (v->dns_query)
		memcpy(a.rrname, v->rrname, sizeof(a.rrname));
	if (hyp_eve_post(p->c.eve, &a) < 0)
		st->eve_lost++;
}

/*
 * Classify, inspect and decide a burst. Packets to transmit are collected
 * per output port in out[][] (counts in n_out[]); everything else is freed
 * here.
 */
static void
verdict_burst(struct hyp_pipeline *p, struct hyp_worker *w, struct hyp_lcore_stats *st,
	      struct rte_mbuf **pkts, unsigned int n,
	      struct rte_mbuf *out[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_BURST],
	      unsigned int n_out[HYP_PIPE_MAX_PORTS])
{
	const struct hyp_gen *g = __atomic_load_n(&p->gen, __ATOMIC_ACQUIRE);
	const struct hyp_engine *e = g->engine;
	uint32_t gen = hyp_engine_gen(e);
	uint64_t *hits = g->hits[w->idx];
	uint64_t now = rte_rdtsc();
	struct hyp_pkt_meta meta;
	struct hyp_verdict v;
	struct hyp_flow5 key;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
		struct hyp_flow_entry *fe = NULL;
		uint16_t out_port = p->c.ports[p->port_idx[m->port]].out;
		uint32_t hash = 0;
		int dir, ret;

		ret = hyp_flow_parse(data, rte_pktmbuf_data_len(m), &meta);
		if (ret < 0) {
			/* the fast path should have stopped it: count, let it be */
			if (ret == -EINVAL)
				st->parse_errors++;
			st->passed++;
			goto out;
		}
		dir = hyp_flow5_from_meta(&meta, &key);
		hash = hyp_flow5_hash(&key);
		fe = hyp_flow_lookup_or_add(w->flows, &key, hash, now);
		if (fe != NULL) {
			fe->packets[dir]++;
			fe->bytes[dir] += rte_pktmbuf_pkt_len(m);
			fe->last_tsc = now;
			if (fe->verdict == HYP_ACTION_DROP && fe->verdict_gen == gen) {
				st->cached_drops++;
				st->dropped++;
				if (p->c.autoblock != NULL)
					hyp_autoblock_report(p->c.autoblock, meta.src);
				rte_pktmbuf_free(m);
				continue;
			}
		} else {
			st->flow_full++;
		}

		hyp_engine_inspect(e, g->scratch[w->idx], data + meta.payload_off, meta.payload_len,
				   meta.proto, meta.dport, &v);
		st->inspected++;
		if (v.slot >= 0 && (unsigned int)v.slot < g->n_rules)
			hits[v.slot]++;
		if (v.dns_err < 0)
			st->dns_errors++;
		if (v.action != HYP_ACTION_PASS)
			post_alert(p, st, &meta, hash, &v);
		if (v.action == HYP_ACTION_DROP) {
			/*
			 * A DNS rule judges one query, not the flow (the next query on
			 * the same ports may be benign); a payload rule judges the flow:
			 * its later packets are dropped without inspection or alert.
			 */
			if (fe != NULL && !v.dns_rule) {
				fe->verdict = HYP_ACTION_DROP;
				fe->verdict_gen = gen;
				fe->rule_id = v.rule_id;
			}
			st->dropped++;
			if (p->c.autoblock != NULL)
				hyp_autoblock_report(p->c.autoblock, meta.src);
			rte_pktmbuf_free(m);
			continue;
		}
		if (v.action == HYP_ACTION_ALERT)
			st->alerted++;
		else
			st->passed++;
out:
		if (out_port == HYP_PIPE_NO_PORT)
			rte_pktmbuf_free(m);	/* IDS: inspected and consumed */
		else
			out[out_port][n_out[out_port]++] = m;
	}
	if (n != 0) {
		uint64_t ns = ((rte_rdtsc() - now) * p->ns_per_tsc_q20) >> 20;
		uint64_t per = ns / n;
		unsigned int b = 0;

		while (b < HYP_LAT_BUCKETS - 1 && per > hyp_lat_bounds_ns[b])
			b++;
		st->lat_count[b] += n;
		st->lat_sum_ns += ns;
	}
}

/* Ring ids for statistics: worker rings first, then (io, port) tx rings. */
static inline unsigned int
tx_ring_id(unsigned int io_idx, unsigned int port)
{
	return HYP_PIPE_MAX_WORKERS + io_idx * HYP_PIPE_MAX_PORTS + port;
}

static inline void
ring_account(struct hyp_pipeline *p, unsigned int ring, struct rte_ring *r,
	      unsigned int free_space, unsigned int refused)
{
	struct hyp_ring_stat *rs = &p->ring_st[rte_lcore_id()][ring];
	uint32_t used = rte_ring_get_capacity(r) - free_space;

	if (used > rs->hwm)
		rs->hwm = used;
	rs->enq_fail += refused;
}

static void
free_rest(struct rte_mbuf **pkts, unsigned int from, unsigned int n, uint64_t *counter)
{
	unsigned int i;

	for (i = from; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
	*counter += n - from;
}

/* Send on (port, queue) directly; what the PMD refuses is counted and freed. */
static void
tx_direct(struct hyp_lcore_stats *st, uint16_t port_id, uint16_t queue,
	  struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int sent = 0;
	int tries = 2;

	while (sent < n && tries-- > 0)
		sent += rte_eth_tx_burst(port_id, queue, pkts + sent, n - sent);
	st->tx += sent;
	free_rest(pkts, sent, n, &st->tx_failed);
}

static void
worker_output(struct hyp_pipeline *p, struct hyp_worker *w, struct hyp_lcore_stats *st,
	      struct rte_mbuf *out[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_BURST],
	      unsigned int n_out[HYP_PIPE_MAX_PORTS], bool direct)
{
	unsigned int pi, done;

	for (pi = 0; pi < p->c.n_ports; pi++) {
		if (n_out[pi] == 0)
			continue;
		if (direct) {
			tx_direct(st, p->c.ports[pi].port_id, w->txio->txq, out[pi], n_out[pi]);
		} else {
			unsigned int room;

			done = rte_ring_enqueue_burst(w->txio->tx[pi], (void **)out[pi],
						      n_out[pi], &room);
			ring_account(p, tx_ring_id(w->txio->idx, pi), w->txio->tx[pi], room,
				     n_out[pi] - done);
			free_rest(out[pi], done, n_out[pi], &st->tx_failed);
		}
		n_out[pi] = 0;
	}
}

/*
 * Housekeeping between bursts: sweep idle flows, and answer the control
 * plane's request for this worker's largest flows (only the owner may walk
 * its table).
 */
static void
maybe_expire(struct hyp_pipeline *p, struct hyp_worker *w, unsigned int *turns)
{
	uint32_t seq = __atomic_load_n(&p->flow_req_seq, __ATOMIC_ACQUIRE);

	/* between bursts: nothing of the current generation is held */
	rte_rcu_qsbr_quiescent(p->qs, w->idx);
	if (++*turns % HYP_EXPIRE_EVERY == 0)
		hyp_flow_table_expire(w->flows, rte_rdtsc(), p->idle_tsc, HYP_EXPIRE_BUDGET);
	if (seq != w->snap_seq) {
		w->snap_n = hyp_flow_table_top(w->flows, w->snap,
					       RTE_MIN(p->flow_req_n, (unsigned int)HYP_PIPE_MAX_TOP));
		__atomic_store_n(&w->snap_seq, seq, __ATOMIC_RELEASE);
	}
}

/* ---- the rx stage ------------------------------------------------------ */

/* Drop what the prefilter handled; returns how many are left to inspect. */
static unsigned int
prefilter(struct hyp_pipeline *p, struct hyp_lcore_stats *st, struct rte_mbuf **pkts,
	  unsigned int n)
{
	unsigned int i, k = 0;

	if (p->c.prefilter == NULL)
		return n;
	for (i = 0; i < n; i++) {
		if (p->c.prefilter(p->c.prefilter_arg, pkts[i]))
			pkts[k++] = pkts[i];
		else
			st->prefiltered++;
	}
	return k;
}

/* Spread a burst over the workers by symmetric flow hash. */
static void
spread(struct hyp_pipeline *p, struct hyp_lcore_stats *st, struct rte_mbuf **pkts,
       unsigned int n)
{
	struct rte_mbuf *per[HYP_PIPE_MAX_WORKERS][HYP_PIPE_MAX_BURST];
	unsigned int cnt[HYP_PIPE_MAX_WORKERS] = { 0 };
	struct hyp_pkt_meta meta;
	struct hyp_flow5 key;
	unsigned int i, wi, done;

	for (i = 0; i < n; i++) {
		uint32_t h = 0;

		if (hyp_flow_parse(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
				   rte_pktmbuf_data_len(pkts[i]), &meta) == 0) {
			hyp_flow5_from_meta(&meta, &key);
			h = hyp_flow5_hash(&key);
		}
		wi = h % p->n_workers;
		per[wi][cnt[wi]++] = pkts[i];
	}
	for (wi = 0; wi < p->n_workers; wi++) {
		if (cnt[wi] == 0)
			continue;
		unsigned int room;

		done = rte_ring_enqueue_burst(p->wk[wi].in, (void **)per[wi], cnt[wi], &room);
		ring_account(p, wi, p->wk[wi].in, room, cnt[wi] - done);
		free_rest(per[wi], done, cnt[wi], &st->ring_full);
	}
}

static unsigned int
io_rx(struct hyp_pipeline *p, struct hyp_io *io, struct hyp_lcore_stats *st)
{
	struct rte_mbuf *pkts[HYP_PIPE_MAX_BURST];
	unsigned int pi, qi, n, total = 0;

	for (pi = 0; pi < p->c.n_ports; pi++) {
		for (qi = 0; qi < io->n_queues; qi++) {
			n = rte_eth_rx_burst(p->c.ports[pi].port_id, io->queues[qi], pkts,
					     p->c.burst);
			if (n == 0) {
				st->empty_polls++;
				continue;
			}
			st->rx += n;
			st->bursts++;
			total += n;
			n = prefilter(p, st, pkts, n);
			if (n)
				spread(p, st, pkts, n);
		}
	}
	return total;
}

static unsigned int
io_tx(struct hyp_pipeline *p, struct hyp_io *io, struct hyp_lcore_stats *st)
{
	struct rte_mbuf *pkts[HYP_PIPE_MAX_BURST];
	unsigned int pi, n, total = 0;

	for (pi = 0; pi < p->c.n_ports; pi++) {
		if (io->tx[pi] == NULL)
			continue;
		n = rte_ring_dequeue_burst(io->tx[pi], (void **)pkts, p->c.burst, NULL);
		if (n) {
			tx_direct(st, p->c.ports[pi].port_id, io->txq, pkts, n);
			total += n;
		}
	}
	return total;
}

static bool
io_tx_empty(const struct hyp_pipeline *p, const struct hyp_io *io)
{
	unsigned int pi;

	for (pi = 0; pi < p->c.n_ports; pi++)
		if (io->tx[pi] != NULL && !rte_ring_empty(io->tx[pi]))
			return false;
	return true;
}

static unsigned int
worker_step(struct hyp_pipeline *p, struct hyp_worker *w, struct hyp_lcore_stats *st)
{
	struct rte_mbuf *pkts[HYP_PIPE_MAX_BURST];
	struct rte_mbuf *out[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_BURST];
	unsigned int n_out[HYP_PIPE_MAX_PORTS] = { 0 };
	unsigned int n;

	n = rte_ring_dequeue_burst(w->in, (void **)pkts, p->c.burst, NULL);
	if (n == 0)
		return 0;
	verdict_burst(p, w, st, pkts, n, out, n_out);
	worker_output(p, w, st, out, n_out, false);
	return n;
}

/* ---- lcore main loops ----------------------------------------------------- */

#define LOOP_ACCOUNT(st, t0, work) do {				\
	uint64_t t1_ = rte_rdtsc();				\
	(st)->poll_cycles += t1_ - (t0);			\
	if (work)						\
		(st)->busy_cycles += t1_ - (t0);		\
} while (0)

static int
run_io(struct hyp_lcore_ctx *lc, struct hyp_lcore_stats *st)
{
	struct hyp_pipeline *p = lc->p;
	bool marked = false;

	for (;;) {
		uint64_t t0 = rte_rdtsc();
		unsigned int work = 0;

		if (!p->stop_rx)
			work += io_rx(p, lc->io, st);
		work += io_tx(p, lc->io, st);
		LOOP_ACCOUNT(st, t0, work);
		if (p->stop_rx) {
			if (!marked) {
				__atomic_add_fetch(&p->io_stopped, 1, __ATOMIC_RELEASE);
				marked = true;
			}
			if (__atomic_load_n(&p->workers_done, __ATOMIC_ACQUIRE) ==
			    (int)p->n_workers && io_tx_empty(p, lc->io))
				break;
		}
	}
	return 0;
}

static int
run_worker(struct hyp_lcore_ctx *lc, struct hyp_lcore_stats *st)
{
	struct hyp_pipeline *p = lc->p;
	unsigned int turns = 0;

	for (;;) {
		uint64_t t0 = rte_rdtsc();
		unsigned int work = worker_step(p, lc->w, st);

		if (work == 0)
			st->empty_polls++;
		else
			st->bursts++;
		LOOP_ACCOUNT(st, t0, work);
		maybe_expire(p, lc->w, &turns);
		/* done only when no IO lcore can still feed this ring */
		if (work == 0 && __atomic_load_n(&p->io_stopped, __ATOMIC_ACQUIRE) ==
		    (int)p->n_io && rte_ring_empty(lc->w->in))
			break;
	}
	rte_rcu_qsbr_thread_offline(p->qs, lc->w->idx);	/* a reload no longer waits for it */
	__atomic_add_fetch(&p->workers_done, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
run_rtc(struct hyp_lcore_ctx *lc, struct hyp_lcore_stats *st)
{
	struct hyp_pipeline *p = lc->p;
	struct rte_mbuf *pkts[HYP_PIPE_MAX_BURST];
	struct rte_mbuf *out[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_BURST];
	unsigned int n_out[HYP_PIPE_MAX_PORTS] = { 0 };
	unsigned int turns = 0, pi, qi, n;

	while (!p->stop_rx) {
		uint64_t t0 = rte_rdtsc();
		unsigned int work = 0;

		for (pi = 0; pi < p->c.n_ports; pi++) {
			for (qi = 0; qi < lc->io->n_queues; qi++) {
				n = rte_eth_rx_burst(p->c.ports[pi].port_id,
						     lc->io->queues[qi], pkts, p->c.burst);
				if (n == 0) {
					st->empty_polls++;
					continue;
				}
				st->rx += n;
				st->bursts++;
				work += n;
				n = prefilter(p, st, pkts, n);
				verdict_burst(p, lc->w, st, pkts, n, out, n_out);
				worker_output(p, lc->w, st, out, n_out, true);
			}
		}
		LOOP_ACCOUNT(st, t0, work);
		maybe_expire(p, lc->w, &turns);
	}
	rte_rcu_qsbr_thread_offline(p->qs, lc->w->idx);
	return 0;
}

static int
lcore_main(void *arg)
{
	struct hyp_lcore_ctx *lc = arg;
	struct hyp_lcore_stats *st = &lc->p->st[rte_lcore_id()];

	switch (lc->role) {
	case HYP_ROLE_IO:
		return run_io(lc, st);
	case HYP_ROLE_WORKER:
		return run_worker(lc, st);
	case HYP_ROLE_IO_WORKER:	/* one lcore: nothing to hand over to */
	case HYP_ROLE_RTC:
		return run_rtc(lc, st);
	default:
		return 0;
	}
}

/* ---- set-up ------------------------------------------------------------------ */

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
gen_create(const struct hyp_pipeline *p, const struct hyp_engine *e)
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
		ret = rte_eal_remote_launch(lcore_main, &p->lc[lcore], lcore);
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
		rte_free(p->wk[i].snap);
		for (pi = 0; pi < HYP_PIPE_MAX_PORTS; pi++)
			drain_free(p->io[i].tx[pi]);
	}
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
	gen_free(old);
	return old_engine;
}

const struct hyp_engine *
hyp_pipeline_engine(const struct hyp_pipeline *p)
{
	return p->gen->engine;
}

enum hyp_role
hyp_pipeline_role(const struct hyp_pipeline *p, unsigned int lcore)
{
	return lcore < RTE_MAX_LCORE ? p->lc[lcore].role : HYP_ROLE_IDLE;
}

const struct hyp_lcore_stats *
hyp_pipeline_lcore_stats(const struct hyp_pipeline *p, unsigned int lcore)
{
	return lcore < RTE_MAX_LCORE ? &p->st[lcore] : NULL;
}

void
hyp_pipeline_totals(const struct hyp_pipeline *p, struct hyp_lcore_stats *sum)
{
	const uint64_t *src;
	uint64_t *dst = (uint64_t *)sum;
	unsigned int l, k;

	memset(sum, 0, sizeof(*sum));
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		src = (const uint64_t *)&p->st[l];
		/* every field is a uint64_t; the alignment padding is zeros */
		for (k = 0; k < sizeof(*sum) / sizeof(uint64_t); k++)
			dst[k] += src[k];
	}
}

bool
hyp_pipeline_idle(const struct hyp_pipeline *p)
{
	unsigned int i;

	for (i = 0; i < p->n_workers; i++)
		if (p->wk[i].in != NULL && !rte_ring_empty(p->wk[i].in))
			return false;
	for (i = 0; i < p->n_io; i++)
		if (!io_tx_empty(p, &p->io[i]))
			return false;
	return true;
}

void
hyp_pipeline_print_roles(const struct hyp_pipeline *p, FILE *f)
{
	unsigned int l, q;

	fprintf(f, "lcore roles (%s pipeline): main lcore %u: control", p->c.mode ==
		HYP_PIPE_RTC ? "rtc" : "staged", rte_get_main_lcore());
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		const struct hyp_lcore_ctx *lc = &p->lc[l];

		if (!rte_lcore_is_enabled(l) || l == rte_get_main_lcore())
			continue;
		fprintf(f, "; lcore %u: %s", l, hyp_role_name(lc->role));
		if (lc->io != NULL) {
			fprintf(f, " (rx queues");
			for (q = 0; q < lc->io->n_queues; q++)
				fprintf(f, " %u", lc->io->queues[q]);
			fprintf(f, ")");
		}
	}
	fprintf(f, "\n");
}

static void
ring_info(const struct hyp_pipeline *p, unsigned int id, const struct rte_ring *r,
	  struct hyp_ring_info *out)
{
	unsigned int l;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", r->name);
	out->occupancy = rte_ring_count(r);
	out->capacity = rte_ring_get_capacity(r);
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		out->enqueue_failures += p->ring_st[l][id].enq_fail;
		if (p->ring_st[l][id].hwm > out->high_watermark)
			out->high_watermark = p->ring_st[l][id].hwm;
	}
}

unsigned int
hyp_pipeline_rings(const struct hyp_pipeline *p, struct hyp_ring_info *out, unsigned int max)
{
	unsigned int n = 0, i, pi;

	for (i = 0; i < p->n_workers && n < max; i++)
		if (p->wk[i].in != NULL)
			ring_info(p, i, p->wk[i].in, &out[n++]);
	for (i = 0; i < p->n_io; i++)
		for (pi = 0; pi < HYP_PIPE_MAX_PORTS && n < max; pi++)
			if (p->io[i].tx[pi] != NULL)
				ring_info(p, tx_ring_id(i, pi), p->io[i].tx[pi], &out[n++]);
	return n;
}

unsigned int
hyp_pipeline_rule_hits(const struct hyp_pipeline *p, uint64_t *hits, unsigned int n)
{
	const struct hyp_gen *g = p->gen;
	unsigned int i, k, m = RTE_MIN(n, g->n_rules);

	memset(hits, 0, n * sizeof(*hits));
	for (k = 0; k < m; k++) {
		hits[k] = g->base[k];
		for (i = 0; i < p->n_workers; i++)
			hits[k] += g->hits[i][k];
	}
	return g->n_rules;
}

static int
by_bytes_desc(const void *a, const void *b)
{
	const struct hyp_flow_entry *x = a, *y = b;
	uint64_t bx = x->bytes[0] + x->bytes[1], by = y->bytes[0] + y->bytes[1];

	return bx < by ? 1 : bx > by ? -1 : 0;
}

int
hyp_pipeline_top_flows(struct hyp_pipeline *p, struct hyp_flow_entry *out, unsigned int n,
		       unsigned int timeout_ms)
{
	struct hyp_flow_entry *all;
	uint64_t deadline;
	unsigned int i, total = 0;
	uint32_t seq;

	n = RTE_MIN(n, (unsigned int)HYP_PIPE_MAX_TOP);
	all = calloc(RTE_MAX(p->n_workers, 1u) * HYP_PIPE_MAX_TOP, sizeof(*all));
	if (all == NULL)
		return -ENOMEM;
	p->flow_req_n = n;
	seq = __atomic_add_fetch(&p->flow_req_seq, 1, __ATOMIC_RELEASE);
	deadline = rte_get_timer_cycles() + timeout_ms * (rte_get_timer_hz() / 1000);
	for (i = 0; i < p->n_workers; i++) {
		struct hyp_worker *w = &p->wk[i];

		if (p->launched) {
			while (__atomic_load_n(&w->snap_seq, __ATOMIC_ACQUIRE) != seq &&
			       rte_get_timer_cycles() < deadline)
				rte_delay_us_sleep(1000);
			if (__atomic_load_n(&w->snap_seq, __ATOMIC_ACQUIRE) != seq) {
				free(all);
				return -ETIMEDOUT;
			}
		} else {	/* nobody else walks the tables now */
			w->snap_n = hyp_flow_table_top(w->flows, w->snap, n);
		}
		if (w->snap_n > 0) {
			memcpy(&all[total], w->snap, w->snap_n * sizeof(*all));
			total += w->snap_n;
		}
	}
	qsort(all, total, sizeof(*all), by_bytes_desc);
	total = RTE_MIN(total, n);
	memcpy(out, all, total * sizeof(*out));
	free(all);
	return total;
}

