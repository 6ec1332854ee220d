/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the pipeline's files share (private to lib/hyp_pipeline):
 * pipeline_datapath.c runs on the data-path lcores and nothing else does;
 * pipeline_setup.c makes, launches, stops and frees the pipeline and swaps
 * its engine; pipeline_query.c answers the control plane. The contract
 * between the two sides is in hyp_pipeline.h.
 */
#ifndef PIPELINE_PRIVATE_H
#define PIPELINE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

#include "hyp_log.h"
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "hyp_autoblock.h"
#include "hyp_defrag.h"
#include "hyp_stream.h"
#include "hyp_flow.h"
#include "hyp_pipeline.h"

extern int hyp_pipeline_logtype;
#define PIPE_LOG(level, ...) HYP_LOG(pipeline, level, __VA_ARGS__)

/*
 * Reject answers a worker sends per second at most: each answers a packet
 * an attacker chose (and may have forged the source of), so they are
 * bounded like a host's ICMP errors (Linux: icmp_ratelimit).
 */
#define HYP_PIPE_REJECT_PPS	1000

/* a stream chunk is at most one datagram's payload */
#define PIPE_CHUNK_MAX	65536

#define HYP_PIPE_MAX_BURST	256
#define HYP_PIPE_MAX_WORKERS	16	/* spread() keeps a burst per worker on the stack */
#define HYP_PIPE_MAX_RINGS	(HYP_PIPE_MAX_WORKERS + HYP_PIPE_MAX_QUEUES * HYP_PIPE_MAX_PORTS)

/* Per producer lcore and ring: no two lcores write the same counter. */
struct hyp_ring_stat {
	uint64_t enq_fail;
	uint32_t hwm;
};
#define HYP_EXPIRE_EVERY	1024	/* loop turns between reassembler sweeps */
#define HYP_EXPIRE_BUDGET	64	/* datagrams examined per reassembler sweep */
/*
 * The flow table is swept by time: all of it every half idle timeout (an
 * idle flow goes within 1.5 timeouts), at most this many slots per turn of
 * a worker's loop, so one turn never stalls on a large table.
 */
#define HYP_SWEEP_MAX_SLOTS	256

struct hyp_io {
	unsigned int lcore;
	unsigned int idx;
	uint16_t queues[HYP_PIPE_MAX_QUEUES];
	unsigned int n_queues;
	uint16_t txq;				/* the queue this lcore transmits on */
	struct rte_ring *tx[HYP_PIPE_MAX_PORTS];	/* workers -> this lcore */
	struct hyp_defrag *defrag;		/* NULL: reassembly off */
	unsigned int defrag_turns;
};

struct hyp_worker {
	unsigned int lcore;
	unsigned int idx;
	struct rte_ring *in;			/* IO lcores -> this worker */
	struct hyp_io *txio;			/* whose tx rings (staged) or queue (rtc) */
	struct hyp_flow_table *flows;
	struct hyp_stream_ctx *streams;		/* NULL: TCP reassembly off */
	uint8_t *window;			/* inspect_window + a chunk, for the rules */
	struct hyp_http_stats http;		/* its flows' HTTP parsers */
	struct hyp_tls_stats tls;		/* and TLS parsers */
	struct hyp_engine_cycles ecyc;		/* stage_cycles: its scratches count here */
	/* reject answers' token bucket: HYP_PIPE_REJECT_PPS, a second's worth at most */
	uint64_t reject_tokens;
	uint64_t reject_tsc;
	struct hyp_autoblock_reporter *ab;	/* NULL: no auto-block */
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
	struct hyp_detect_stats detect_base;	/* the Suricata rules' counters, carried */
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
	struct hyp_queue_stats qst[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_QUEUES];
	unsigned int q_lcore[HYP_PIPE_MAX_QUEUES];	/* who polls queue q (every port) */
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

/* What a worker keeps per direction of a TCP flow (hyp_flow_entry user[]). */
struct pipe_tcp_dir {
	struct hyp_stream_dir *sd;
	struct hyp_engine_stream *es;
};
/* frees a flow's pipe_tcp_dir (the flow table's release callback; arg: worker) */
void pipe_flow_release(void *arg, struct hyp_flow_entry *e);

/* pipeline_datapath.c: an lcore's loop, by its role (rte_eal_remote_launch) */
int pipe_lcore_main(void *arg);
/* the id of an IO lcore's transmit ring towards a port, in ring_st[][] */
unsigned int pipe_tx_ring_id(unsigned int io_idx, unsigned int port);
/* true if an IO lcore's transmit rings are empty */
bool pipe_io_tx_empty(const struct hyp_pipeline *p, const struct hyp_io *io);

#endif /* PIPELINE_PRIVATE_H */
