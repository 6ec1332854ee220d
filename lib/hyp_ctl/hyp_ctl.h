/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_CTL_H
#define HYP_CTL_H

/**
 * @file
 * What the control plane can see of a running dpdk-hyperion: its ports and
 * their XDP programs, the pipeline, the engine, the EVE log, the policy's
 * provenance. The app fills it once everything is up; telemetry, metrics
 * and the console read it from their own threads, never from the data path.
 *
 * Locking: everything a reader follows from here is taken under `lock`.
 * Writers (policy reload, console commands) hold it while they change a
 * field; the data path never takes it.
 */

#include <net/if.h>
#include <pthread.h>
#include <stdint.h>

#include "hyp_autoblock.h"
#include "hyp_engine.h"
#include "hyp_eve.h"
#include "hyp_pipeline.h"
#include "hyp_xdp.h"

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
};

struct hyp_ctl {
	pthread_mutex_t lock;
	struct hyp_ctl_port ports[HYP_PIPE_MAX_PORTS];
	unsigned int n_ports;
	struct hyp_pipeline *pipe;
	const struct hyp_engine *engine;	/**< the one the workers use now */
	struct hyp_eve *eve;			/**< NULL without --eve */
	struct hyp_autoblock *autoblock;	/**< sources blocked after repeated drops */
	const char *mode;			/**< "ids", "ips" or "replay" */
	char policy_path[4096];			/**< "" without --policy */
	uint64_t policy_hash;			/**< content_hash of the loaded file */
	uint64_t policy_loaded_ns;		/**< CLOCK_REALTIME */
	uint64_t reloads_ok;
	uint64_t reloads_failed;
	char last_error[640];			/**< "" if the last load worked */
	uint32_t watchdog_ms;			/**< 0: no watchdog */
	uint64_t last_heartbeat_ns;		/**< CLOCK_MONOTONIC, as written to the maps */
	uint64_t start_ns;			/**< CLOCK_REALTIME */
	/**
	 * Load a policy file (NULL: the current path again) and make it the
	 * running one, or change nothing and say why in err. Called by the
	 * console, telemetry and SIGHUP; takes the lock itself, so call it
	 * without holding it. NULL until the app has set it.
	 */
	int (*reload)(struct hyp_ctl *ctl, const char *path, char *err, size_t err_len);
	void *app;				/**< for reload */
};

#ifdef __cplusplus
}
#endif

#endif /* HYP_CTL_H */
