/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_PIPELINE_H
#define HYP_PIPELINE_H

/**
 * @file
 * The slow path's lcores: rx from the af_xdp (or pcap) ports, classify into
 * a flow table, inspect (hyp_engine), and act on the verdict: free the
 * packet, or transmit it on the peer port in IPS mode; alerts go to EVE.
 *
 * Control plane / data plane contract:
 * - The control thread (the EAL main lcore) creates the pipeline, launches
 *   it, reads the per-lcore statistics at any time (plain loads of counters
 *   only their lcore writes: values may be a burst old, never torn on
 *   x86-64), and stops it. Nothing else is shared with the data path.
 * - Each data-path lcore owns its flow table, its Hyperscan scratch and its
 *   counters; stages exchange packets only through rte_rings. A packet is
 *   owned by exactly one stage at a time; every failed enqueue or transmit
 *   is counted and the packet freed, so no mbuf is ever leaked.
 * - The policy generation (engine, scratches, rule counters) is read once per
 *   burst and replaced whole, never changed in place; workers report a
 *   quiescent state between bursts (librte_rcu QSBR), so the old one is freed
 *   only when none can hold it.
 *
 * Roles, from the EAL worker lcores (the main lcore stays control):
 *   staged: IO lcores (rx of their queues on every port, and the transmit
 *           rings' drain) and WORKER lcores (classify, inspect, verdict),
 *           fed by flow hash so one rx queue still spreads over all
 *           workers. With one worker lcore it does both (IO+WORKER), run
 *           to completion: a ring from an lcore to itself only costs.
 *   rtc:    every lcore runs all stages to completion for its own queues.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "hyp_base.h"
#include "hyp_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HYP_PIPE_MAX_PORTS	2
#define HYP_PIPE_MAX_QUEUES	16
#define HYP_PIPE_NO_PORT	UINT16_MAX

struct hyp_eve;
struct hyp_autoblock;
struct hyp_threshold;

enum hyp_pipe_mode {
	HYP_PIPE_STAGED,
	HYP_PIPE_RTC,
};

enum hyp_role {
	HYP_ROLE_IDLE,
	HYP_ROLE_IO,
	HYP_ROLE_WORKER,
	HYP_ROLE_IO_WORKER,
	HYP_ROLE_RTC,
};

/**
 * Called by the rx stage for every packet before it enters the pipeline
 * (pcap replay: the XDP program's verdict in software). Returns true to
 * inspect the packet; false means it was handled (and freed) by the callee.
 */
typedef bool (*hyp_pipe_prefilter_t)(void *arg, struct rte_mbuf *m);

struct hyp_pipe_port {
	uint16_t port_id;
	uint16_t out;		/**< index in ports[] to send passed packets to,
				 *   or HYP_PIPE_NO_PORT: consume them (IDS) */
};

struct hyp_pipe_conf {
	enum hyp_pipe_mode mode;
	struct hyp_pipe_port ports[HYP_PIPE_MAX_PORTS];
	unsigned int n_ports;
	uint16_t nb_queues;		/**< rx = tx queues on every port */
	unsigned int n_io;		/**< staged: io lcores; 0 = one per queue,
					 *   leaving at least one worker */
	unsigned int ring_size;		/**< each worker's input ring, each tx ring */
	unsigned int burst;
	uint32_t flow_entries;		/**< per worker */
	uint64_t flow_idle_ms;
	struct hyp_eve *eve;		/**< NULL: no alert log */
	struct hyp_autoblock *autoblock;	/**< NULL: sources of drops not reported */
	struct hyp_threshold *threshold;	/**< NULL: rules' thresholds ignored, all alert */
	hyp_pipe_prefilter_t prefilter;
	void *prefilter_arg;
	/**
	 * Count the busy cycles of every lcore by stage (the cyc_* counters):
	 * a clock read per stage per packet, so off unless asked for; the
	 * benchmark reports busy cycles with it on and off.
	 */
	bool stage_cycles;
	/**
	 * IP reassembly on every rx lcore (lib/hyp_defrag), before a packet
	 * is steered to its worker: the datagram goes whole to the worker of
	 * its 5-tuple. datagrams 0: fragments are inspected one by one.
	 */
	struct {
		uint32_t datagrams;	/**< held at once, per rx lcore */
		uint32_t fragments;	/**< per datagram */
		uint32_t timeout_ms;
		uint64_t memcap;	/**< bytes held, per rx lcore */
	} defrag;
	/**
	 * TCP reassembly on every worker (lib/hyp_stream): a TCP flow's
	 * directions inspected as streams (Hyperscan stream mode, DNS over
	 * TCP across segments). memcap 0: every segment inspected alone.
	 */
	struct {
		uint64_t memcap;	/**< per worker: waiting segments, retained bytes */
		uint32_t window;	/**< bytes waiting ahead, per direction */
		uint32_t segments;	/**< segments waiting, per direction */
		uint32_t retain;	/**< delivered bytes kept to compare resends */
		/**
		 * Bytes already inspected that go with each new chunk to the
		 * Suricata rules (at most retain), so a match across chunks is
		 * seen; 0: each chunk alone.
		 */
		uint32_t inspect_window;
		bool midstream;		/**< pick up connections whose SYN was missed */
	} stream;
};

/*
 * Inspection latency: per packet, averaged over its burst (two clock reads
 * per burst, not per packet), in buckets of at most 250 ns, 500 ns, ...,
 * 32 us, and more.
 */
#define HYP_LAT_BUCKETS 9
extern const uint32_t hyp_lat_bounds_ns[HYP_LAT_BUCKETS - 1];

/**
 * Per-lcore counters; only the owning lcore writes them. Every field before
 * the latency histogram is in hyp_lcore_stat_descs[] under its own name:
 * adding one is adding it here and there.
 */
struct hyp_lcore_stats {
	uint64_t rx;
	uint64_t bursts;
	uint64_t empty_polls;
	uint64_t busy_cycles;
	uint64_t poll_cycles;
	uint64_t ring_full;
	uint64_t inspected;
	uint64_t dropped;
	uint64_t alerted;
	uint64_t passed;
	uint64_t cached_drops;
	uint64_t drops_uncached;
	uint64_t parse_errors;
	uint64_t not_ip;
	uint64_t dns_errors;
	uint64_t scan_errors;
	uint64_t flow_full;
	uint64_t flows_added;
	uint64_t flows_expired;
	uint64_t flows_evicted_new;
	uint64_t flows_evicted_established;
	uint64_t flows_evicted_verdict;
	uint64_t tx;
	uint64_t tx_failed;
	uint64_t eve_lost;
	uint64_t prefiltered;
	uint64_t rejects;
	uint64_t rejects_limited;
	uint64_t rejects_failed;
	/* stage_cycles: busy_cycles by stage; what none took is cyc_other */
	uint64_t cyc_rx;
	uint64_t cyc_defrag;
	uint64_t cyc_parse;
	uint64_t cyc_flow;
	uint64_t cyc_stream;
	uint64_t cyc_dns;
	uint64_t cyc_scan;
	uint64_t cyc_sigs;
	uint64_t cyc_app;
	uint64_t cyc_verdict;
	uint64_t cyc_eve;
	uint64_t cyc_output;
	uint64_t cyc_steer;
	uint64_t cyc_other;
	uint64_t cyc_house;
	uint64_t lat_count[HYP_LAT_BUCKETS];	/**< packets per latency bucket */
	uint64_t lat_sum_ns;		/**< sum of the packets' latencies */
} __rte_cache_aligned;

/**
 * One rx queue of one port, written by the one lcore that polls it. The
 * control plane derives the queue's rx pressure from these (full bursts
 * mean the AF_XDP rx ring had more waiting than one burst takes).
 */
struct hyp_queue_stats {
	uint64_t rx;			/**< packets received */
	uint64_t bursts;		/**< polls that returned packets */
	uint64_t full_bursts;		/**< polls that returned a whole burst */
	uint64_t empty_polls;
} __rte_cache_aligned;

extern const struct hyp_stat_desc hyp_queue_stat_descs[];
extern const unsigned int hyp_queue_stat_count;

/** The counters of struct hyp_lcore_stats, in order (not the latency histogram). */
extern const struct hyp_stat_desc hyp_lcore_stat_descs[];
extern const unsigned int hyp_lcore_stat_count;

/** One stage ring, for telemetry; its numbers are in hyp_ring_stat_descs[]. */
struct hyp_ring_info {
	char name[32];
	uint64_t occupancy;
	uint64_t capacity;
	uint64_t high_watermark;
	uint64_t enqueue_failures;
};

extern const struct hyp_stat_desc hyp_ring_stat_descs[];
extern const unsigned int hyp_ring_stat_count;

struct hyp_pipeline;

/** Assign roles and allocate everything; nothing runs yet. */
int hyp_pipeline_create(const struct hyp_pipe_conf *c, const struct hyp_engine *engine,
			struct hyp_pipeline **out);
int hyp_pipeline_launch(struct hyp_pipeline *p);
/** Stop rx, let every stage drain, wait for the lcores. */
void hyp_pipeline_stop(struct hyp_pipeline *p);
void hyp_pipeline_free(struct hyp_pipeline *p);

/**
 * Make e the workers' engine: a scratch per worker is made for it first,
 * then it is published, then this waits until every worker has passed a
 * quiescent point (QSBR), carries the rule counters over by rule id, and
 * returns the old engine, which no worker uses any more: the caller frees
 * it. NULL (nothing changed) if the scratches cannot be made. Control
 * plane only, one caller at a time.
 */
const struct hyp_engine *hyp_pipeline_swap_engine(struct hyp_pipeline *p,
						  const struct hyp_engine *e);
const struct hyp_engine *hyp_pipeline_engine(const struct hyp_pipeline *p);

enum hyp_role hyp_pipeline_role(const struct hyp_pipeline *p, unsigned int lcore);
const char *hyp_role_name(enum hyp_role r);
const struct hyp_lcore_stats *hyp_pipeline_lcore_stats(const struct hyp_pipeline *p,
						       unsigned int lcore);
/**
 * Queue `queue` of port index `port`: its counters, and the lcore that
 * polls it (*lcore, may be NULL). NULL for a queue the pipeline has not.
 */
const struct hyp_queue_stats *hyp_pipeline_queue_stats(const struct hyp_pipeline *p,
						       unsigned int port, unsigned int queue,
						       unsigned int *lcore);
/** The rx burst size: a full burst returns this many packets. */
unsigned int hyp_pipeline_burst(const struct hyp_pipeline *p);
/** Sum over lcores. */
void hyp_pipeline_totals(const struct hyp_pipeline *p, struct hyp_lcore_stats *sum);

struct hyp_defrag_stats;
/** The reassemblers' counters summed over rx lcores (all 0 when off). */
void hyp_pipeline_defrag_stats(const struct hyp_pipeline *p, struct hyp_defrag_stats *sum);

struct hyp_stream_stats;
/** The TCP reassemblers' counters summed over workers (all 0 when off). */
void hyp_pipeline_stream_stats(const struct hyp_pipeline *p, struct hyp_stream_stats *sum);

/** The Suricata rules' counters over the workers, carried across reloads. */
struct hyp_detect_stats;
void hyp_pipeline_detect_stats(const struct hyp_pipeline *p, struct hyp_detect_stats *sum);
/** The workers' HTTP parsers' counters, summed. */
void hyp_pipeline_http_stats(const struct hyp_pipeline *p, struct hyp_http_stats *sum);
/** The workers' TLS parsers' counters, summed. */
void hyp_pipeline_tls_stats(const struct hyp_pipeline *p, struct hyp_tls_stats *sum);
/** True when every lcore has nothing queued (rings empty). */
bool hyp_pipeline_idle(const struct hyp_pipeline *p);
void hyp_pipeline_print_roles(const struct hyp_pipeline *p, FILE *f);
/**
 * Decisions per engine rule slot (see hyp_engine_rule()), summed over the
 * workers into hits[0..n-1]; returns how many slots the engine has.
 */
unsigned int hyp_pipeline_rule_hits(const struct hyp_pipeline *p, uint64_t *hits,
				    unsigned int n);
/**
 * The n (at most 64) largest flows by bytes over all workers: each worker
 * copies its own between two bursts. -ETIMEDOUT if a worker did not answer
 * within timeout_ms. From the control plane only, one caller at a time.
 */
struct hyp_flow_entry;
int hyp_pipeline_top_flows(struct hyp_pipeline *p, struct hyp_flow_entry *out,
			   unsigned int n, unsigned int timeout_ms);
/** The stage rings (none in rtc or single-lcore mode); returns how many. */
unsigned int hyp_pipeline_rings(const struct hyp_pipeline *p, struct hyp_ring_info *out,
				unsigned int max);

#ifdef __cplusplus
}
#endif

#endif /* HYP_PIPELINE_H */
