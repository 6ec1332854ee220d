/* SPDX-License-Identifier: BSD-3-Clause */
/* dpdk-hyperion: what the app's files share. The work is in lib/. */
#ifndef HYPERION_APP_H
#define HYPERION_APP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>
#include <rte_mempool.h>

#include "hyp_autoblock.h"
#include "hyp_driver_cfg.h"
#include "hyp_pipeline.h"
#include "hyp_xdp.h"
#include "hyp_xskdiag.h"

extern int hyp_app_logtype;
#define APP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, hyp_app_logtype, "hyperion: " fmt "\n", ##__VA_ARGS__)

enum hyp_mode { HYP_MODE_IDS, HYP_MODE_IPS };

struct hyp_args {
	const char *iface;
	const char *peer;		/* ips */
	const char *pcap;		/* offline replay */
	const char *policy;
	const char *reload_dir;		/* reload by path: only files under it */
	const char *eve;
	const char *xdp_prog;
	const char *driver_cfg;		/* a preset file, "none", or NULL: by driver */
	enum hyp_mode mode;
	enum hyp_pipe_mode pipeline;
	uint16_t queues;
	uint16_t start_queue;
	unsigned int stats_period;	/* seconds; 0: only at exit */
	unsigned int ring_size;
	unsigned int burst;
	unsigned int nb_desc;
	bool nb_desc_given;		/* --rx-desc was given: a preset does not change it */
	uint32_t mbufs;			/* per port; 0: hyp_port_pool_size() */
	uint32_t flow_entries;
	unsigned int io_lcores;		/* staged: 0 = automatic */
	bool stage_cycles;		/* the pipeline's cyc_* counters */
	uint32_t defrag_datagrams;	/* per rx lcore; 0: no reassembly */
	uint32_t defrag_fragments;	/* per datagram */
	uint32_t defrag_timeout_ms;
	uint32_t defrag_memcap_mb;	/* per rx lcore */
	uint32_t stream_memcap_mb;	/* per worker; 0: no TCP reassembly */
	uint32_t stream_window_kb;	/* waiting ahead, per direction */
	uint32_t stream_inspect_window;	/* bytes inspected again with each chunk */
	uint32_t stream_midstream;	/* 1: pick up connections without their SYN */
	const char *metrics_addr;	/* Prometheus /metrics */
	const char *metrics_auth;	/* a user:secret file: basic auth */
	const char *metrics_tls_cert;	/* PEM: HTTPS */
	const char *metrics_tls_key;
	uint16_t metrics_port;		/* 0: off */
	bool interactive;		/* -i: the console on stdin/stdout */
	bool keep_fastpath;		/* leave the XDP program at a graceful stop */
	bool rules_report;		/* print the rule files' report and exit */
};

int hyp_args_parse(int argc, char **argv, struct hyp_args *a);
void hyp_args_usage(const char *prog);

/* A host knob a preset set, and what it was: put back at close. */
struct hyp_port_knob {
	char name[32];
	char old[32];
	bool saved;
};

/* The driver preset an af_xdp port was made with (driver.c). */
struct hyp_port_driver {
	char driver[HYP_DRV_NAME_MAX];	/* ETHTOOL_GDRVINFO's, "unknown" */
	char preset[4096];
	struct hyp_driver_cfg cfg;
	bool loaded;
	struct hyp_port_knob knobs[2];	/* napi_defer_hard_irqs, gro_flush_timeout */
};

/* One ethdev: an af_xdp port on an interface, or a pcap file. */
struct hyp_port {
	char name[32];			/* vdev name */
	char ifname[IF_NAMESIZE];
	unsigned int ifindex;
	uint16_t port_id;
	uint16_t nb_queues;
	unsigned int nb_desc;		/* ring size: --rx-desc, or the preset's */
	struct hyp_port_driver drv;
	struct rte_mempool *pool;
	struct hyp_xdp *xdp;		/* the program the PMD attached */
	struct hyp_xdp *keep;		/* the one a graceful stop leaves (not attached yet) */
	uint64_t open_since_ns;		/* start: when a stale program was removed */
	/* each queue's AF_XDP socket: the descriptor its rx_queue_setup made */
	struct hyp_xsk_owned xsk[HYP_PIPE_MAX_QUEUES];
	bool probed;
	bool started;
};

/* mbufs a port's pool needs for nq queues with the pipeline's parking room */
unsigned int hyp_port_pool_size(const struct hyp_args *a, unsigned int nb_desc,
				unsigned int n_ports);
/* the fewest --mbufs can be: below it the rx path can starve for good */
unsigned int hyp_port_pool_min(const struct hyp_args *a);
int hyp_port_open_afxdp(struct hyp_port *pt, unsigned int idx, const char *ifname,
			const struct hyp_args *a, unsigned int n_ports);
int hyp_port_open_pcap(struct hyp_port *pt, const char *file, const struct hyp_args *a);
void hyp_port_close(struct hyp_port *pt);
/* A graceful stop: fence the queues, make the program to keep, attach it after the close. */
int hyp_port_fence(struct hyp_port *pt, unsigned int start_queue, unsigned int *n);
int hyp_port_keep_prepare(struct hyp_port *pt, const struct hyp_policy *p, uint64_t fail_mode,
			  bool ips, unsigned int peer_ifindex,
			  const struct hyp_autoblock_entry *ab, unsigned int n_ab);
int hyp_port_keep_attach(struct hyp_port *pt);

/* Driver presets (drivers-cfg/): before the probe, after the set-up, at close. */
int hyp_driver_name(const char *ifname, char *out, size_t len);
int hyp_driver_prepare(struct hyp_port *pt, const struct hyp_args *a, char *devargs, size_t len);
void hyp_driver_check(struct hyp_port *pt);
void hyp_driver_restore(struct hyp_port *pt);

/* Offline replay: the XDP program's verdict for each packet, in software. */
struct hyp_replay;
int hyp_replay_open(const struct hyp_policy *p, struct hyp_replay **out);
bool hyp_replay_prefilter(void *arg, struct rte_mbuf *m);
struct hyp_xdp *hyp_replay_xdp(struct hyp_replay *r);
void hyp_replay_close(struct hyp_replay *r);
long hyp_pcap_count(const char *file);

#endif
