/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_AUTOBLOCK_H
#define HYP_AUTOBLOCK_H

/**
 * @file
 * Auto-block escalation: a source that earns `hits` slow-path drop verdicts
 * within `ttl_s` seconds is written into the XDP programs' single-host
 * block map for `ttl_s` seconds, so its later packets die in the kernel.
 *
 * An escalation an attacker can aim is a weapon against the defended
 * network, so a drop counts as a hit only when its source is hard to forge:
 * it began the flow, and (TCP) the handshake completed, or the stream
 * tracker vouches for its sequence space (one-sided sensors); connectionless
 * drops count only when the policy says so. Exempt prefixes are never
 * blocked. Everything else is counted as ignored, by why.
 *
 * Workers only post hits into a ring (never blocking, never allocating;
 * repeated hits of one source are thinned per worker to a rate, and a full
 * ring is counted). The control thread drains it, counts per source and
 * writes the maps: map writes are syscalls and stay off the data path.
 * Active blocks are capped below the map's size so that the LRU map never
 * evicts a block silently: what the cap refuses is counted. A block that
 * runs out is removed from every program's map by the control thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hyp_base.h"
#include "hyp_cidr.h"
#include "hyp_xdp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* at most this many auto-blocks at once: half the LRU map, which so never fills */
#define HYP_AUTOBLOCK_CAP (HYP_AUTOBLOCK_MAX_ENTRIES / 2)

struct hyp_autoblock_conf {
	uint32_t hits;			/**< 0: off */
	uint32_t ttl_s;			/**< 1..HYP_AUTOBLOCK_TTL_MAX_S */
	bool udp;			/**< connectionless drops count too */
	enum hyp_autoblock_tcp tcp;
	uint32_t max_reports_per_source_s;	/**< per worker; 0: no thinning */
	const struct hyp_cidr *exempt;	/**< never blocked (copied) */
	size_t n_exempt;
};

/** One drop verdict, as the worker saw it. */
struct hyp_autoblock_hit {
	struct hyp_src_key src;	/**< prefixlen and scope 0 */
	uint8_t proto;
	bool initiator;		/**< the source sent the flow's first packet (TCP: the SYN) */
	bool handshake;		/**< TCP: the three-way handshake was seen */
	bool vouched;		/**< TCP: hyp_stream_dir_vouched() of the source's direction */
};

/** Why a hit did not count: index of hyp_autoblock_stats.ignored_*. */
enum hyp_autoblock_ignore {
	HYP_AB_IGN_RESPONDER,		/**< the source answered, it did not begin */
	HYP_AB_IGN_UNESTABLISHED,	/**< TCP without the handshake (or vouching) */
	HYP_AB_IGN_CONNECTIONLESS,	/**< not TCP, and udp is off */
	HYP_AB_IGN_MAX
};

struct hyp_autoblock;
/** A worker's thinning table; one per worker lcore. */
struct hyp_autoblock_reporter;

/** Names and meaning: hyp_autoblock_stat_descs[]. */
struct hyp_autoblock_stats {
	uint64_t blocked;
	uint64_t refused;
	uint64_t expired;
	uint64_t lost;
	uint64_t failed;
	uint64_t exempt;
	uint64_t suppressed;
	uint64_t ignored_responder;
	uint64_t ignored_unestablished;
	uint64_t ignored_connectionless;
	uint64_t active;
	uint64_t tracked;
};

extern const struct hyp_stat_desc hyp_autoblock_stat_descs[];
extern const unsigned int hyp_autoblock_stat_count;

struct hyp_autoblock_entry {
	struct hyp_src_key key;
	uint64_t expires_ns;	/**< CLOCK_MONOTONIC */
};

struct hyp_autoblock *hyp_autoblock_create(unsigned int ring_size);
void hyp_autoblock_free(struct hyp_autoblock *a);

/**
 * From the policy, on start and on every reload. hits 0 turns it off.
 * @return 0, -EINVAL (ttl_s 0 or too long with hits set, too many exempt
 *   prefixes) or -ENOMEM; on error the running configuration stays.
 */
int hyp_autoblock_configure(struct hyp_autoblock *a, const struct hyp_autoblock_conf *conf);

/** @return a reporter for one worker, or NULL (ENOMEM). */
struct hyp_autoblock_reporter *hyp_autoblock_reporter_create(void);
void hyp_autoblock_reporter_free(struct hyp_autoblock_reporter *r);

/**
 * Data path: one drop verdict. Counts it as ignored, or thins it (r may be
 * NULL: no thinning), or posts it to the control thread.
 */
void hyp_autoblock_report(struct hyp_autoblock *a, struct hyp_autoblock_reporter *r,
			  const struct hyp_autoblock_hit *h, uint64_t now_tsc);

/**
 * Control thread: remove what ran out from every program of x[0..n_x-1],
 * drain the reports, count, and block. Returns how many sources it
 * blocked now.
 */
unsigned int hyp_autoblock_poll(struct hyp_autoblock *a, struct hyp_xdp *const *x,
				unsigned int n_x, uint64_t now_ns);

void hyp_autoblock_get_stats(const struct hyp_autoblock *a, struct hyp_autoblock_stats *st);

/** The active blocks (up to max), for the console and telemetry. */
unsigned int hyp_autoblock_list(const struct hyp_autoblock *a, uint64_t now_ns,
				struct hyp_autoblock_entry *out, unsigned int max);

/** Forget a block (after `blocklist del` removed it from the maps). */
void hyp_autoblock_forget(struct hyp_autoblock *a, const struct hyp_src_key *k);

#ifdef __cplusplus
}
#endif

#endif /* HYP_AUTOBLOCK_H */
