/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_HEALTH_H
#define HYP_HEALTH_H

/**
 * @file
 * The dataplane's health as a state machine, HEALTHY -> PRESSURED ->
 * DEGRADED -> FAILED, driven by measured signals sampled once a tick. Each
 * sample is mapped to the level it calls for by a table of rules (the
 * worst matching row wins); the state follows with hysteresis: it goes
 * worse after `enter_ticks` samples in a row call for worse (FAILED at the
 * first), and better one level at a time after `leave_ticks` samples in a
 * row call for better, so a flapping signal does not flap the state.
 * Transitions are counted, the time spent in each state is kept, and
 * hyp_health_sample() says when the state changed so the caller can log.
 * No DPDK, no clock of its own: time is the caller's argument.
 */

#include <stdbool.h>
#include <stdint.h>

#include "hyp_base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HYP_HEALTH_STATES(X) \
	X(HEALTHY, healthy)	/* nothing lost, rings mostly empty */ \
	X(PRESSURED, pressured)	/* keeping up, with little room left */ \
	X(DEGRADED, degraded)	/* losing packets somewhere: rings, pool, AF_XDP */ \
	X(FAILED, failed)	/* not inspecting: stale heartbeat or a stalled lcore */

enum hyp_health_state {
#define HYP_HEALTH_ENUM(id, name) HYP_HEALTH_ ## id,
	HYP_HEALTH_STATES(HYP_HEALTH_ENUM)
#undef HYP_HEALTH_ENUM
	HYP_HEALTH_MAX
};

const char *hyp_health_state_name(enum hyp_health_state s);

/** One tick's signals. Deltas are since the previous sample. */
struct hyp_health_signals {
	uint64_t heartbeat_age_ms;	/**< since userspace last wrote the heartbeat */
	bool lcores_progress;		/**< every data-path lcore moved since the last tick */
	uint32_t ring_pct;		/**< the fullest stage ring, percent of its capacity */
	uint64_t fill_empty;		/**< AF_XDP fill ring found empty (kernel side) */
	uint64_t rx_ring_full;		/**< AF_XDP rx ring full: the kernel dropped */
	uint64_t ring_drops;		/**< packets a full stage or tx ring refused */
	uint64_t mbuf_fail;		/**< mbuf allocations that failed (rx_nombuf) */
};

struct hyp_health_conf {
	uint32_t watchdog_ms;		/**< heartbeat age that means FAILED; 0: not used */
	uint32_t pressured_pct;		/**< ring occupancy that means PRESSURED (50) */
	uint32_t degraded_pct;		/**< and DEGRADED (90) */
	uint32_t enter_ticks;		/**< samples in a row before going worse (2) */
	uint32_t leave_ticks;		/**< samples in a row before one level better (10) */
};

/** The defaults above. */
void hyp_health_conf_default(struct hyp_health_conf *c);

/** What hyp_health_level() found, for telemetry: the row that decided. */
struct hyp_health_verdict {
	enum hyp_health_state level;
	const char *why;		/**< the rule's name, e.g. "rx_ring_full" */
	bool immediate;			/**< a fact: the state moves at once */
};

/** The level one sample calls for (the table's worst matching rule). */
struct hyp_health_verdict hyp_health_level(const struct hyp_health_conf *c,
					   const struct hyp_health_signals *s);

struct hyp_health {
	struct hyp_health_conf conf;
	enum hyp_health_state state;
	uint64_t since_ms;			/**< when the state was entered */
	uint64_t last_ms;			/**< the last sample */
	uint32_t worse_run, better_run;		/**< samples in a row calling for it */
	struct hyp_health_verdict last;		/**< the last sample's verdict */
	uint64_t dwell_ms[HYP_HEALTH_MAX];	/**< time spent in each, closed spells */
	uint64_t entered[HYP_HEALTH_MAX];	/**< times each was entered */
	uint64_t transitions[HYP_HEALTH_MAX][HYP_HEALTH_MAX];	/**< [from][to] */
};

/** Start HEALTHY at now_ms. */
void hyp_health_init(struct hyp_health *h, const struct hyp_health_conf *c, uint64_t now_ms);

/**
 * One sample at now_ms. Returns true if the state changed (*from gets the
 * old one): the caller logs it.
 */
bool hyp_health_sample(struct hyp_health *h, const struct hyp_health_signals *s,
		       uint64_t now_ms, enum hyp_health_state *from);

/** Time spent in state st up to now_ms, the current spell included. */
uint64_t hyp_health_dwell_ms(const struct hyp_health *h, enum hyp_health_state st,
			     uint64_t now_ms);

/**
 * A queue's rx pressure (hyperion_afxdp_rx_queue_pressure), 0..1, over one
 * window: the largest of (a) the mean fill of its non-empty rx bursts,
 * d_rx / (d_bursts x burst): 1 when every poll finds a whole burst
 * waiting, the AF_XDP rx ring backing up; (b) 1 if its socket's rx ring
 * overflowed or its fill ring ran empty in the window (d_overflow != 0:
 * the kernel dropped); (c) ring_fill, in the staged layout the highest
 * occupancy the window saw of the worker input rings its packets go to.
 */
double hyp_health_queue_pressure(uint64_t d_rx, uint64_t d_bursts, unsigned int burst,
				 uint64_t d_overflow, double ring_fill);

/**
 * Load shedding's next level (HYP_CFG_SHED_FROM: redirect_ports classes of
 * that priority and up go uninspected; 0: none) from the current one, given
 * the priorities in use (bit N set: some entry has priority N; bit 0, the
 * never-shed class, is ignored). shed: the highest class in use below cur
 * (below everything when cur is 0). Not shed: give class cur back, so the
 * next class in use above it, or 0. Returns cur when there is nothing to do.
 */
uint32_t hyp_health_shed_next(uint32_t cur, uint32_t present, bool shed);

#ifdef __cplusplus
}
#endif

#endif /* HYP_HEALTH_H */
