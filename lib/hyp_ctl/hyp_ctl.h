/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_CTL_H
#define HYP_CTL_H

/**
 * @file
 * The control plane of a running dpdk-hyperion: what the other control
 * threads (telemetry, metrics, the console, signals) see of the instance,
 * and every operation that changes it while it runs: programming the ports'
 * XDP programs, reloading the policy, heartbeats and auto-block polls,
 * runtime changes of the fail mode, the watchdog and the blocklist.
 *
 * Threads: everything here runs on control threads, never on the data
 * path; the data path's only contact is the pipeline's (hyp_pipeline.h).
 *
 * Locking: everything a reader follows from struct hyp_ctl is taken under
 * `lock`. The operations below take it themselves (call them without it);
 * the views (hyp_ctl_xdps(), hyp_ctl_fastpath_totals()) expect the caller
 * to hold it. One reload runs at a time (`reload_lock`).
 */

#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hyp_autoblock.h"
#include "hyp_threshold.h"
#include "hyp_health.h"
#include "hyp_defrag.h"
#include "hyp_stream.h"
#include "hyp_engine.h"
#include "hyp_eve.h"
#include "hyp_pipeline.h"
#include "hyp_xdp.h"
#include "hyp_xskdiag.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hyp_ctl_port {
	char name[32];			/**< the ethdev (vdev) name */
	char ifname[IF_NAMESIZE];	/**< "pcap" for a replay */
	unsigned int ifindex;		/**< 0 for a replay */
	uint16_t port_id;
	uint16_t nb_queues;
	uint16_t start_queue;		/**< queue q of the port is NIC queue start_queue + q */
	struct hyp_xdp *xdp;		/**< the attached program; the replay's own in pcap mode */
	/**
	 * A replay's program: it runs under BPF_PROG_TEST_RUN, so the policy's
	 * watchdog is never written into it (a reload that blocks the control
	 * loop would otherwise make every redirect candidate a watchdog one).
	 */
	bool offline;
	/** each queue's AF_XDP socket as its set-up made it (fd -1: unknown) */
	struct hyp_xsk_owned xsk[HYP_PIPE_MAX_QUEUES];
	/** fenced by hand (hyp_ctl_queue_fence): its xsks_map entry deleted */
	bool fenced[HYP_PIPE_MAX_QUEUES];
};

struct hyp_ctl {
	pthread_mutex_t lock;
	pthread_mutex_t reload_lock;		/**< one reload at a time */
	struct hyp_ctl_port ports[HYP_PIPE_MAX_PORTS];
	unsigned int n_ports;
	struct hyp_pipeline *pipe;
	const struct hyp_engine *engine;	/**< the one the workers use now */
	struct hyp_eve *eve;			/**< NULL without --eve */
	struct hyp_autoblock *autoblock;	/**< sources blocked after repeated drops */
	struct hyp_threshold *threshold;	/**< rules' alert thresholds, kept across reloads */
	const char *mode;			/**< "ids", "ips" or "replay" */
	char policy_path[4096];			/**< "" without --policy */
	char reload_dir[4096];			/**< --reload-dir, resolved; "": no reload by path */
	uint64_t policy_hash;			/**< content_hash of the loaded file */
	uint64_t policy_loaded_ns;		/**< CLOCK_REALTIME */
	uint64_t reloads_ok;
	uint64_t reloads_failed;
	char last_error[640];			/**< "" if the last load worked */
	uint32_t watchdog_ms;			/**< 0: no watchdog */
	uint64_t last_heartbeat_ns;		/**< CLOCK_MONOTONIC, as written to the maps */
	uint64_t start_ns;			/**< CLOCK_REALTIME */
	bool stopping;				/**< a graceful stop began: queues fenced */
	/* run-time overrides (console set ...): re-applied after every reload until reset */
	bool ov_fail;
	uint64_t ov_fail_mode;
	bool ov_watchdog;
	uint64_t ov_watchdog_ns;
	/* the heartbeat thread (atomics: it writes, readers read without the lock) */
	pthread_t hb_thread;
	bool hb_running;
	int hb_stop;
	uint64_t hb_written;			/**< heartbeats written (every program, once) */
	uint64_t hb_withheld;			/**< ticks a data-path lcore made no progress */
	uint32_t hb_stalled_lcore;		/**< the last lcore that did not progress */
	/* health (the tick samples it under the lock) */
	struct hyp_health health;
	bool health_on;				/**< sampled since the pipeline runs */
	struct hyp_health_signals health_sig;	/**< the last sample */
	uint64_t hs_withheld, hs_drops, hs_nombuf, hs_fill, hs_rxfull;	/**< last totals */
	/* load shedding (the tick, under the lock): see HYP_SHED_STEP_MS */
	uint32_t shed_from;			/**< HYP_CFG_SHED_FROM now; 0: nothing shed */
	uint64_t shed_changed_ms;		/**< when it last moved */
	uint64_t shed_steps;			/**< classes shed */
	uint64_t shed_restores;			/**< classes given back */
	uint64_t shed_write_errors;		/**< config writes that failed */
	/* rx pressure per queue, over windows of HYP_PRESSURE_WINDOW_MS (the tick) */
	struct hyp_ctl_queue_window {
		uint64_t t_ms, rx, bursts, overflow;	/**< at the window's start */
		double pressure;			/**< of the last closed window */
		double fill;				/**< its parts, for telemetry */
		bool overflowed;
		double ring;
		double ring_max;			/**< of the window's samples so far */
	} qwin[HYP_PIPE_MAX_PORTS][HYP_PIPE_MAX_QUEUES];
};

/**
 * Load shedding. While health is degraded or worse the control tick sheds
 * one more redirect_ports class every HYP_SHED_STEP_MS, the highest
 * priority number first (the first at once): HYP_CFG_SHED_FROM = that
 * priority, so its packets and those of every class already shed get the
 * fail mode in XDP (redirect_shed) instead of the kernel dropping at random
 * from full rings. Priority 0 is never shed. Once health has been healthy
 * for HYP_SHED_RESTORE_MS, and as long since the last change, one class is
 * given back, the lowest number first (hyp_health_shed_next()).
 */
#define HYP_SHED_STEP_MS	2000
#define HYP_SHED_RESTORE_MS	5000

/** How long a queue's rx pressure window is (see hyp_health_queue_pressure()). */
#define HYP_PRESSURE_WINDOW_MS	1000

/** How often the heartbeat thread looks (and, if all is well, writes). */
#define HYP_HEARTBEAT_MS	50

/** Zero it and make its locks. */
void hyp_ctl_init(struct hyp_ctl *c);

/**
 * The app has filled ports, pipe, engine, eve, autoblock, mode and
 * policy_path (before any reader runs): stamp the start, the policy's
 * provenance and the watchdog limit.
 */
void hyp_ctl_started(struct hyp_ctl *c);

/** What hyp_ctl_stopped() took away from the readers, for the caller to free. */
struct hyp_ctl_parts {
	struct hyp_pipeline *pipe;
	const struct hyp_engine *engine;
	struct hyp_eve *eve;
	struct hyp_autoblock *autoblock;
	struct hyp_threshold *threshold;
};

/**
 * Leave the readers nothing to follow, and hand the parts to the caller
 * (before they are freed). It waits for a reload in flight (a telemetry or
 * console thread may be in one): the engine it returns is the one in force
 * after that reload, not a pointer read before it that the reload freed.
 * Later reloads find no pipeline and refuse.
 */
void hyp_ctl_stopped(struct hyp_ctl *c, struct hyp_ctl_parts *out);

/**
 * Bring every port's XDP program to the running policy: the defaults, the
 * policy's maps and config (hyp_fastpath_apply()), and the deployment: in
 * ips mode each of two ports forwards to the other (tx_port), otherwise
 * what needs no inspection goes to the stack. Then a first heartbeat. Logs
 * what it did or why it failed.
 */
int hyp_ctl_program_ports(struct hyp_ctl *c, bool ips);

/**
 * Load a policy file (NULL: the current path again) and make it the
 * running one: parse and compile off the data path, bring every port's maps
 * to it (new entries before old ones go; on a failure every port back to
 * the running policy), then the workers' engine (hyp_pipeline_swap_engine(),
 * scratches made first, the old one freed once no worker can hold it), then
 * auto-block's threshold. A file that fails anywhere changes nothing; the
 * error is in err, in last_error and counted. A path given (telemetry, the
 * console) needs reload_dir: a regular file under it, never a symbolic
 * link, and its errors quote none of its content (-EPERM without
 * reload_dir, -EACCES outside it).
 */
int hyp_ctl_reload(struct hyp_ctl *c, const char *path, char *err, size_t err_len);

/**
 * Progress of the data-path lcores between two looks: true if every one of
 * the n moved (cur[i] != prev[i]); else false, and *stalled is the first
 * that did not. Pure, for the heartbeat thread and its tests.
 */
bool hyp_ctl_progress_ok(const uint64_t *prev, const uint64_t *cur, const unsigned int *lcores,
			 unsigned int n, unsigned int *stalled);

/**
 * The heartbeat gets a thread of its own, so a reload (a large ruleset
 * compiles for seconds), a slow console command or a scrape never holds it
 * up. Every HYP_HEARTBEAT_MS it reads each data-path lcore's loop count and
 * writes the heartbeat into every program only if all of them moved: a
 * wedged worker stops the heartbeat, and the XDP watchdog then gives its
 * redirect candidates the fail mode. Started after the pipeline is launched,
 * stopped before it stops.
 */
int hyp_ctl_heartbeat_start(struct hyp_ctl *c);
void hyp_ctl_heartbeat_stop(struct hyp_ctl *c);

/**
 * Every ~100 ms: auto-block's reports and expiries, then one health sample
 * (hyp_health): the heartbeat's age, the heartbeat thread's verdict on the
 * lcores, the fullest stage ring, and the deltas of stage-ring refusals,
 * rx_nombuf and the AF_XDP sockets' fill-empty and rx-ring-full counters.
 * A change of state is logged.
 */
void hyp_ctl_tick(struct hyp_ctl *c);

/** The policy's slow_path.auto_block into the escalation (start and reload). */
int hyp_ctl_autoblock_configure(struct hyp_autoblock *ab, const struct hyp_policy *p);

/**
 * One runtime config knob on every program, all or none (a failure puts
 * back the ones already written). The watchdog limit also goes into
 * watchdog_ms. Returns how many programs, or -errno with err set.
 */
/* A fail-mode or watchdog change is also kept as an override (see hyp_ctl_reset_overrides()). */
int hyp_ctl_set_config(struct hyp_ctl *c, enum hyp_cfg key, uint64_t val, char *err,
		       size_t err_len);

/** What hyp_ctl_blocklist() did. */
struct hyp_ctl_block_result {
	unsigned int programs;		/**< the instance's distinct programs */
	unsigned int changed;		/**< where the prefix was added or removed */
	unsigned int missing;		/**< del: where it was not in the blocklist */
	unsigned int lifted;		/**< del of one address: auto-blocks lifted */
	char failed_on[32];		/**< the port whose write failed, or "" */
};

/**
 * Add or remove a source prefix on every program, all or none for an add.
 * Removing a single address also lifts its auto-block. Returns 0, or
 * -errno with r->failed_on naming the port.
 */
int hyp_ctl_blocklist(struct hyp_ctl *c, bool add, const struct hyp_cidr *cidr,
		      struct hyp_ctl_block_result *r);

/**
 * The distinct XDP programs of the ports (a replay may give two ports one),
 * each with the index in ports[] of the first port that has it (port may be
 * NULL). Caller holds the lock.
 */
unsigned int hyp_ctl_xdps(const struct hyp_ctl *c, struct hyp_xdp *x[HYP_PIPE_MAX_PORTS],
			  unsigned int port[HYP_PIPE_MAX_PORTS]);

/**
 * The fast path's counters summed over the distinct programs (aux may be
 * NULL). Caller holds the lock. Returns how many programs answered.
 */
unsigned int hyp_ctl_fastpath_totals(const struct hyp_ctl *c, struct hyp_counter sum[HYP_R_MAX],
				     uint64_t aux[HYP_AUX_MAX]);

/** One rule slot of the running engine, with its decisions. */
struct hyp_ctl_rule {
	uint32_t id;
	enum hyp_action action;
	uint64_t hits;			/**< carried over reloads by rule id */
	const char *msg;		/**< valid while the engine is (under the lock) */
	struct hyp_threshold_spec threshold;	/**< type NONE: every match alerts */
};

/**
 * The running engine's rule slots (hyp_engine_rule()) with their hits, the
 * first max of them. Caller holds the lock. Returns how many slots there
 * are (may be more than max).
 */
unsigned int hyp_ctl_rules(const struct hyp_ctl *c, struct hyp_ctl_rule *out, unsigned int max);

/** One queue of one port, as the kernel counts its AF_XDP socket. */
struct hyp_ctl_xsk {
	unsigned int port;		/**< index in ports[] */
	unsigned int queue;		/**< of the port: NIC queue start_queue + queue */
	int source;			/**< enum hyp_xskdiag_source, or -errno: none */
	bool socket;			/**< a socket is bound on the queue */
	struct hyp_xsk_diag diag;	/**< when socket */
	bool misplaced;			/**< the kernel reports it bound on another queue */
};

/**
 * Every queue of every af_xdp port, the first max of them. Takes the lock
 * only to copy the ports (the queries are netlink and syscalls): call it
 * without the lock.
 */
unsigned int hyp_ctl_xsk_stats(struct hyp_ctl *c, struct hyp_ctl_xsk *out, unsigned int max);

/**
 * Fence (or unfence) NIC queue q on every af_xdp port that serves it:
 * delete its xsks_map entry, so its redirect candidates get the fail mode
 * in XDP from the next packet (redirect_fallback), or put its socket back.
 * Unfencing needs the socket's descriptor as its set-up found it, still
 * open (same inode): -ENOTSUP otherwise. Returns how many ports changed,
 * or a negative errno with the reason in msg. -ENOENT: no port has q;
 * -ESHUTDOWN: stopping (the stop fences everything itself).
 */
int hyp_ctl_queue_fence(struct hyp_ctl *c, unsigned int q, bool fence, char *msg, size_t len);

/** What hyp_ctl_queue_drain() saw. */
struct hyp_ctl_drain {
	bool converged;		/**< no packet came off the queue for HYP_DRAIN_QUIET_MS */
	uint64_t waited_ms;
	uint64_t drained;	/**< packets the pipeline took off it meanwhile */
};
#define HYP_DRAIN_QUIET_MS	50
#define HYP_DRAIN_MAX_MS	10000

/**
 * Wait, at most timeout_ms (capped at HYP_DRAIN_MAX_MS), until fenced queue
 * q's rx ring has settled: no packet polled off it for HYP_DRAIN_QUIET_MS.
 * -EBUSY if q is not fenced on every port that serves it (a queue still
 * fed never settles), -ENOENT if none does. Call without the lock.
 */
int hyp_ctl_queue_drain(struct hyp_ctl *c, unsigned int q, unsigned int timeout_ms,
			struct hyp_ctl_drain *out);

/** A prefix blocked by hand (HYP_BLOCK_F_RUNTIME): kept across reloads. */
struct hyp_ctl_runtime_block {
	bool dst;
	struct hyp_cidr cidr;
	uint64_t hits;			/**< summed over the ports' programs */
};

/**
 * The prefixes blocked by hand in the ports' programs, the first max of
 * them (returns how many there are). Takes the lock.
 */
unsigned int hyp_ctl_runtime_blocks(struct hyp_ctl *c, struct hyp_ctl_runtime_block *out,
				    unsigned int max);

/**
 * Drop the run-time overrides of the fail mode and the watchdog and put
 * the policy's values back on every program. Returns how many overrides
 * there were, or -errno.
 */
int hyp_ctl_reset_overrides(struct hyp_ctl *c, char *err, size_t err_len);

/**
 * Reopen the EVE log at its path (logrotate renamed it): SIGUSR1, the
 * console's `eve reopen`, telemetry /hyperion/eve_reopen. Waits up to 2 s
 * for the writer. 0, -ENOENT without --eve, or the error (also in err).
 */
int hyp_ctl_eve_reopen(struct hyp_ctl *c, char *err, size_t err_len);

/** The statistics block the app prints every --stats-period and at exit. */
void hyp_ctl_print_stats(struct hyp_ctl *c, FILE *f, bool final);

#ifdef __cplusplus
}
#endif

#endif /* HYP_CTL_H */
