/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the control plane asks of a running pipeline: roles, counters and
 * their tables, rings, rule hits, the largest flows. Reads only: plain
 * loads of counters their lcores write (a burst old at worst, never torn
 * on x86-64), and the flow tables only through the workers themselves.
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

const struct hyp_stat_desc hyp_queue_stat_descs[] = {
	HYP_STAT(struct hyp_queue_stats, rx, COUNTER, "Packets received from the rx queue"),
	HYP_STAT(struct hyp_queue_stats, bursts, COUNTER, "Polls of the rx queue that returned packets"),
	HYP_STAT(struct hyp_queue_stats, full_bursts, COUNTER,
		 "Polls that returned a whole burst: more was waiting in the AF_XDP rx ring"),
	HYP_STAT(struct hyp_queue_stats, empty_polls, COUNTER, "Polls of the rx queue that returned nothing"),
};
const unsigned int hyp_queue_stat_count = RTE_DIM(hyp_queue_stat_descs);

const struct hyp_queue_stats *
hyp_pipeline_queue_stats(const struct hyp_pipeline *p, unsigned int port, unsigned int queue,
			 unsigned int *lcore)
{
	if (port >= p->c.n_ports || queue >= p->c.nb_queues)
		return NULL;
	if (lcore != NULL)
		*lcore = p->q_lcore[queue];
	return &p->qst[port][queue];
}

unsigned int
hyp_pipeline_burst(const struct hyp_pipeline *p)
{
	return p->c.burst;
}

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
		 "Packets inspected that no rule stopped (parse failures are not among them)"),
	HYP_STAT(struct hyp_lcore_stats, cached_drops, COUNTER,
		 "Packets dropped by their flow's cached drop verdict, uninspected"),
	HYP_STAT(struct hyp_lcore_stats, drops_uncached, COUNTER,
		 "Drop verdicts not cached: the flow was not established (a forged packet "
		 "must not kill someone else's flow)"),
	HYP_STAT(struct hyp_lcore_stats, parse_errors, COUNTER,
		 "Packets the classifier found malformed: not inspected, let through "
		 "(malformed: pass sent them; ips forwards them)"),
	HYP_STAT(struct hyp_lcore_stats, not_ip, COUNTER,
		 "Packets that were not IPv4 or IPv6: not inspected, let through"),
	HYP_STAT(struct hyp_lcore_stats, dns_errors, COUNTER,
		 "Packets to a DNS port that did not parse as a query"),
	HYP_STAT(struct hyp_lcore_stats, scan_errors, COUNTER,
		 "Hyperscan scans that failed (the packet is judged on what matched before)"),
	HYP_STAT(struct hyp_lcore_stats, flow_full, COUNTER,
		 "Packets whose flow found no room even after an eviction (inspected, not tracked)"),
	HYP_STAT(struct hyp_lcore_stats, flows_added, COUNTER, "Flows the worker's table created"),
	HYP_STAT(struct hyp_lcore_stats, flows_expired, COUNTER,
		 "Flows the time-driven sweep removed after the idle timeout"),
	HYP_STAT(struct hyp_lcore_stats, flows_evicted_new, COUNTER,
		 "Flows evicted from a full table: no verdict, not established (spoofed SYNs)"),
	HYP_STAT(struct hyp_lcore_stats, flows_evicted_established, COUNTER,
		 "Flows evicted from a full table: established, no verdict"),
	HYP_STAT(struct hyp_lcore_stats, flows_evicted_verdict, COUNTER,
		 "Flows evicted from a full table with a cached verdict (the table is too small)"),
	HYP_STAT(struct hyp_lcore_stats, tx, COUNTER,
		 "Packets sent on to the peer port (ips)"),
	HYP_STAT(struct hyp_lcore_stats, tx_failed, COUNTER,
		 "Packets a transmit or a transmit ring refused (counted and freed)"),
	HYP_STAT(struct hyp_lcore_stats, eve_lost, COUNTER,
		 "Alerts the EVE writer had no free slot for"),
	HYP_STAT(struct hyp_lcore_stats, prefiltered, COUNTER,
		 "Packets the prefilter decided (replay: the XDP program's verdict)"),
	HYP_STAT(struct hyp_lcore_stats, rejects, COUNTER,
		 "Reject answers sent (ips: a TCP RST or an ICMP unreachable)"),
	HYP_STAT(struct hyp_lcore_stats, rejects_limited, COUNTER,
		 "Reject answers not sent: over the worker's rate (HYP_PIPE_REJECT_PPS)"),
	HYP_STAT(struct hyp_lcore_stats, rejects_failed, COUNTER,
		 "Reject answers not sent: no mbuf, no room, or a packet no host answers"),
	HYP_STAT(struct hyp_lcore_stats, cyc_rx, COUNTER,
		 "stage_cycles: busy cycles in rte_eth_rx_burst (the PMD) and the prefilter"),
	HYP_STAT(struct hyp_lcore_stats, cyc_defrag, COUNTER,
		 "stage_cycles: busy cycles in IP reassembly (fragments found and held or joined)"),
	HYP_STAT(struct hyp_lcore_stats, cyc_parse, COUNTER,
		 "stage_cycles: busy cycles parsing headers into the 5-tuple and its hash"),
	HYP_STAT(struct hyp_lcore_stats, cyc_flow, COUNTER,
		 "stage_cycles: busy cycles in the flow table (lookup, insert, eviction, cached verdicts)"),
	HYP_STAT(struct hyp_lcore_stats, cyc_stream, COUNTER,
		 "stage_cycles: busy cycles in TCP reassembly, inspection within it excluded"),
	HYP_STAT(struct hyp_lcore_stats, cyc_dns, COUNTER,
		 "stage_cycles: busy cycles parsing DNS and matching the dns_rules"),
	HYP_STAT(struct hyp_lcore_stats, cyc_scan, COUNTER,
		 "stage_cycles: busy cycles in the YAML payload rules' Hyperscan scans"),
	HYP_STAT(struct hyp_lcore_stats, cyc_sigs, COUNTER,
		 "stage_cycles: busy cycles in the Suricata rules (prefilter and verification)"),
	HYP_STAT(struct hyp_lcore_stats, cyc_app, COUNTER,
		 "stage_cycles: busy cycles parsing HTTP and TLS and in their events' rules"),
	HYP_STAT(struct hyp_lcore_stats, cyc_verdict, COUNTER,
		 "stage_cycles: busy cycles deciding: inspection set-up, rule hits, drops, rejects"),
	HYP_STAT(struct hyp_lcore_stats, cyc_eve, COUNTER,
		 "stage_cycles: busy cycles making and posting EVE alerts"),
	HYP_STAT(struct hyp_lcore_stats, cyc_output, COUNTER,
		 "stage_cycles: busy cycles freeing (ids), transmitting or queueing (ips) packets"),
	HYP_STAT(struct hyp_lcore_stats, cyc_steer, COUNTER,
		 "stage_cycles: busy cycles of staged io lcores steering packets into worker rings"),
	HYP_STAT(struct hyp_lcore_stats, cyc_other, COUNTER,
		 "stage_cycles: busy cycles no stage took (the loop, ring polls, clock reads)"),
	HYP_STAT(struct hyp_lcore_stats, cyc_house, COUNTER,
		 "stage_cycles: cycles between polls (flow sweep, quiescent state), not in busy_cycles"),
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
		if (!pipe_io_tx_empty(p, &p->io[i]))
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

/* the reassemblers are per rx lcore (IP) and per worker (TCP) */
void
hyp_pipeline_defrag_stats(const struct hyp_pipeline *p, struct hyp_defrag_stats *sum)
{
	struct hyp_defrag_stats one;
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < p->n_io; i++)
		if (p->io[i].defrag != NULL) {
			hyp_defrag_get_stats(p->io[i].defrag, &one);
			hyp_stat_add(sum, &one, hyp_defrag_stat_descs, hyp_defrag_stat_count);
		}
}

void
hyp_pipeline_stream_stats(const struct hyp_pipeline *p, struct hyp_stream_stats *sum)
{
	struct hyp_stream_stats one;
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < p->n_workers; i++)
		if (p->wk[i].streams != NULL) {
			hyp_stream_get_stats(p->wk[i].streams, &one);
			hyp_stat_add(sum, &one, hyp_stream_stat_descs, hyp_stream_stat_count);
		}
}

void
hyp_pipeline_http_stats(const struct hyp_pipeline *p, struct hyp_http_stats *sum)
{
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < p->n_workers; i++)
		hyp_stat_add(sum, &p->wk[i].http, hyp_http_stat_descs, hyp_http_stat_count);
}

void
hyp_pipeline_tls_stats(const struct hyp_pipeline *p, struct hyp_tls_stats *sum)
{
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < p->n_workers; i++)
		hyp_stat_add(sum, &p->wk[i].tls, hyp_tls_stat_descs, hyp_tls_stat_count);
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
				ring_info(p, pipe_tx_ring_id(i, pi), p->io[i].tx[pi], &out[n++]);
	return n;
}

void
hyp_pipeline_detect_stats(const struct hyp_pipeline *p, struct hyp_detect_stats *sum)
{
	const struct hyp_gen *g = p->gen;
	struct hyp_detect_stats one;
	unsigned int i;

	*sum = g->detect_base;
	for (i = 0; i < p->n_workers; i++) {
		hyp_engine_scratch_detect_stats(g->scratch[i], &one);
		hyp_stat_add(sum, &one, hyp_detect_stat_descs, hyp_detect_stat_count);
	}
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
