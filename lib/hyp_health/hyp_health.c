/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <string.h>

#include "hyp_health.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const state_names[HYP_HEALTH_MAX] = {
#define HYP_HEALTH_NAME(id, name) [HYP_HEALTH_ ## id] = #name,
	HYP_HEALTH_STATES(HYP_HEALTH_NAME)
#undef HYP_HEALTH_NAME
};

const char *
hyp_health_state_name(enum hyp_health_state s)
{
	return (unsigned int)s < HYP_HEALTH_MAX ? state_names[s] : "?";
}

void
hyp_health_conf_default(struct hyp_health_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->pressured_pct = 50;
	c->degraded_pct = 90;
	c->enter_ticks = 2;
	c->leave_ticks = 10;
}

/*
 * The rules, one row each: what a sample shows and the level it calls for.
 * Losing packets anywhere is DEGRADED whatever else is fine; not inspecting
 * at all is FAILED.
 */
typedef bool (*rule_fn)(const struct hyp_health_conf *c, const struct hyp_health_signals *s);

static bool
r_stalled(const struct hyp_health_conf *c, const struct hyp_health_signals *s)
{
	(void)c;
	return !s->lcores_progress;
}

static bool
r_heartbeat(const struct hyp_health_conf *c, const struct hyp_health_signals *s)
{
	return c->watchdog_ms != 0 && s->heartbeat_age_ms > c->watchdog_ms;
}

static bool
r_rx_ring_full(const struct hyp_health_conf *c, const struct hyp_health_signals *s)
{
	(void)c;
	return s->rx_ring_full != 0;
}

static bool
r_mbuf(const struct hyp_health_conf *c, const struct hyp_health_signals *s)
{
	(void)c;
	return s->mbuf_fail != 0;
}

static bool
r_ring_drops(const struct hyp_health_conf *c, const struct hyp_health_signals *s)
{
	(void)c;
	return s->ring_drops != 0;
}

static bool
r_ring_degraded(const struct hyp_health_conf *c, const struct hyp_health_signals *s)
{
	return s->ring_pct >= c->degraded_pct;
}

static bool
r_ring_pressured(const struct hyp_health_conf *c, const struct hyp_health_signals *s)
{
	return s->ring_pct >= c->pressured_pct;
}

static bool
r_fill_empty(const struct hyp_health_conf *c, const struct hyp_health_signals *s)
{
	(void)c;
	return s->fill_empty != 0;
}

/*
 * immediate: a fact, not a trend. A packet lost (the kernel dropped for a
 * full rx ring or an empty fill ring, the pool ran dry, a stage ring
 * refused) or no inspection at all moves the state at once; how full the
 * rings are is noisy, and must hold for enter_ticks samples.
 */
static const struct {
	const char *name;
	rule_fn match;
	enum hyp_health_state level;
	bool immediate;
} rules[] = {
	{ "lcore_stalled", r_stalled, HYP_HEALTH_FAILED, true },
	{ "heartbeat_stale", r_heartbeat, HYP_HEALTH_FAILED, true },
	{ "rx_ring_full", r_rx_ring_full, HYP_HEALTH_DEGRADED, true },
	{ "fill_ring_empty", r_fill_empty, HYP_HEALTH_DEGRADED, true },
	{ "mbuf_alloc_failed", r_mbuf, HYP_HEALTH_DEGRADED, true },
	{ "stage_ring_drops", r_ring_drops, HYP_HEALTH_DEGRADED, true },
	{ "ring_occupancy_degraded", r_ring_degraded, HYP_HEALTH_DEGRADED, false },
	{ "ring_occupancy_pressured", r_ring_pressured, HYP_HEALTH_PRESSURED, false },
};

struct hyp_health_verdict
hyp_health_level(const struct hyp_health_conf *c, const struct hyp_health_signals *s)
{
	struct hyp_health_verdict v = { HYP_HEALTH_HEALTHY, "ok", false };
	size_t i;

	/* the worst level wins; within a level the immediate rows come first */
	for (i = 0; i < DIM(rules); i++)
		if (rules[i].level > v.level && rules[i].match(c, s)) {
			v.level = rules[i].level;
			v.why = rules[i].name;
			v.immediate = rules[i].immediate;
		}
	return v;
}

void
hyp_health_init(struct hyp_health *h, const struct hyp_health_conf *c, uint64_t now_ms)
{
	memset(h, 0, sizeof(*h));
	h->conf = *c;
	h->state = HYP_HEALTH_HEALTHY;
	h->since_ms = now_ms;
	h->last_ms = now_ms;
	h->last.level = HYP_HEALTH_HEALTHY;
	h->last.why = "ok";
	h->last.immediate = false;
	h->entered[HYP_HEALTH_HEALTHY] = 1;
}

static void
go(struct hyp_health *h, enum hyp_health_state to, uint64_t now_ms)
{
	h->dwell_ms[h->state] += now_ms >= h->since_ms ? now_ms - h->since_ms : 0;
	h->transitions[h->state][to]++;
	h->entered[to]++;
	h->state = to;
	h->since_ms = now_ms;
	h->worse_run = 0;
	h->better_run = 0;
}

bool
hyp_health_sample(struct hyp_health *h, const struct hyp_health_signals *s, uint64_t now_ms,
		  enum hyp_health_state *from)
{
	struct hyp_health_verdict v = hyp_health_level(&h->conf, s);
	enum hyp_health_state old = h->state;

	h->last = v;
	h->last_ms = now_ms;
	if (v.level > h->state) {
		h->better_run = 0;
		if (v.immediate || ++h->worse_run >= h->conf.enter_ticks)
			go(h, v.level, now_ms);
	} else if (v.level < h->state) {
		h->worse_run = 0;
		if (++h->better_run >= h->conf.leave_ticks)
			go(h, h->state - 1, now_ms);
	} else {
		h->worse_run = 0;
		h->better_run = 0;
	}
	if (h->state == old)
		return false;
	if (from != NULL)
		*from = old;
	return true;
}

uint64_t
hyp_health_dwell_ms(const struct hyp_health *h, enum hyp_health_state st, uint64_t now_ms)
{
	uint64_t d = h->dwell_ms[st];

	if (h->state == st && now_ms >= h->since_ms)
		d += now_ms - h->since_ms;
	return d;
}

double
hyp_health_queue_pressure(uint64_t d_rx, uint64_t d_bursts, unsigned int burst,
			  uint64_t d_overflow, double ring_fill)
{
	double fill = d_bursts != 0 && burst != 0 ?
		(double)d_rx / ((double)d_bursts * burst) : 0.0;

	if (fill > 1.0)
		fill = 1.0;
	if (d_overflow != 0)
		fill = 1.0;
	return ring_fill > fill ? (ring_fill > 1.0 ? 1.0 : ring_fill) : fill;
}

uint32_t
hyp_health_shed_next(uint32_t cur, uint32_t present, bool shed)
{
	uint32_t pr;

	present &= ~1u;		/* priority 0 is never shed */
	if (cur > 31)
		cur = 31;
	if (shed) {
		for (pr = (cur == 0 ? 32 : cur) - 1; pr >= 1; pr--)
			if (present & (1u << pr))
				return pr;
		return cur;
	}
	if (cur == 0)
		return 0;
	for (pr = cur + 1; pr <= 31; pr++)
		if (present & (1u << pr))
			return pr;
	return 0;
}
