/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_health from tables: each case is a sequence of samples (a compact
 * signal description, one per 100 ms tick) and the state expected after
 * each, so the rules and the hysteresis are pinned step by step. Then the
 * counters: transitions, entries, dwell times. TAP, no privileges.
 */
#include <stdio.h>
#include <string.h>

#include "hyp_health.h"
#include "tap.h"

#define MAX_STEPS 40

/* one tick: what it shows */
enum sig {
	OK,		/* all well */
	BUSY,		/* rings 60 % full */
	FULL,		/* rings 95 % full */
	FILL,		/* the fill ring ran empty */
	RXFULL,		/* the AF_XDP rx ring overflowed */
	NOMBUF,		/* mbuf allocations failed */
	DROPS,		/* a stage ring refused packets */
	STALL,		/* an lcore stood still */
	STALE,		/* the heartbeat is older than the watchdog */
	END = -1,
};

struct hcase {
	const char *name;
	int sig[MAX_STEPS];
	const char *want;	/* one letter a step: H P D F */
};

static const struct hcase cases[] = {
	{ "all well stays healthy", { OK, OK, OK, END }, "HHH" },
	{ "one busy tick is not pressure (enter_ticks 2)", { BUSY, OK, BUSY, OK, END }, "HHHH" },
	{ "two busy ticks in a row: pressured", { BUSY, BUSY, BUSY, END }, "HPP" },
	{ "a fill ring that ran empty (the kernel dropped): degraded at once", { FILL, END }, "D" },
	{ "rx ring overflow is degraded at once, straight from healthy", { RXFULL, END }, "D" },
	{ "mbuf failures: degraded at once", { NOMBUF, END }, "D" },
	{ "stage ring drops: degraded at once", { DROPS, END }, "D" },
	{ "rings 95 % full (a trend): degraded on the second tick", { FULL, FULL, END }, "HD" },
	{ "a stalled lcore fails at once", { STALL, END }, "F" },
	{ "a stale heartbeat fails at once", { OK, STALE, END }, "HF" },
	{ "recovery climbs one level per 10 good ticks",
	  { STALL, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK,
	    OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, END },
	  "FFFFFFFFFFDDDDDDDDDDPPPPPPPPPPH" },
	{ "a bad tick restarts the count down",
	  { RXFULL, RXFULL, OK, OK, OK, OK, OK, OK, OK, OK, OK, RXFULL, OK, OK, OK, OK, OK, OK,
	    OK, OK, OK, OK, END },
	  "DDDDDDDDDDDDDDDDDDDDDP" },
	{ "degraded with pressure only: down to pressured, not further",
	  { FULL, FULL, BUSY, BUSY, BUSY, BUSY, BUSY, BUSY, BUSY, BUSY, BUSY, BUSY, BUSY, END },
	  "HDDDDDDDDDDPP" },
	{ "flapping between busy and well never settles on pressured",
	  { BUSY, OK, BUSY, OK, BUSY, OK, BUSY, OK, END }, "HHHHHHHH" },
};

static struct hyp_health_signals
signals(int sig)
{
	struct hyp_health_signals s;

	memset(&s, 0, sizeof(s));
	s.lcores_progress = true;
	s.heartbeat_age_ms = 20;
	switch (sig) {
	case BUSY: s.ring_pct = 60; break;
	case FULL: s.ring_pct = 95; break;
	case FILL: s.fill_empty = 3; break;
	case RXFULL: s.rx_ring_full = 7; break;
	case NOMBUF: s.mbuf_fail = 1; break;
	case DROPS: s.ring_drops = 12; break;
	case STALL: s.lcores_progress = false; break;
	case STALE: s.heartbeat_age_ms = 5000; break;
	default: break;
	}
	return s;
}

static char
letter(enum hyp_health_state st)
{
	return "HPDF"[st];
}

int
main(void)
{
	struct hyp_health_conf conf;
	struct hyp_health h;
	unsigned int c, i;

	hyp_health_conf_default(&conf);
	conf.watchdog_ms = 300;
	for (c = 0; c < DIM(cases); c++) {
		char got[MAX_STEPS + 1];
		uint64_t t = 1000;

		hyp_health_init(&h, &conf, t);
		for (i = 0; i < MAX_STEPS && cases[c].sig[i] != END; i++) {
			struct hyp_health_signals s = signals(cases[c].sig[i]);

			t += 100;
			hyp_health_sample(&h, &s, t, NULL);
			got[i] = letter(h.state);
		}
		got[i] = '\0';
		tap(strcmp(got, cases[c].want) == 0, cases[c].name, "got %s want %s", got,
		    cases[c].want);
	}

	/* the counters, on one sequence: H, F (t=1100), D (t=2100), P, H */
	{
		struct hyp_health_signals bad = signals(STALL), good = signals(OK);
		enum hyp_health_state from = HYP_HEALTH_MAX;
		uint64_t t = 1000;
		unsigned int changes = 0;
		bool changed;

		hyp_health_init(&h, &conf, t);
		t += 100;
		changed = hyp_health_sample(&h, &bad, t, &from);
		tap(changed && from == HYP_HEALTH_HEALTHY && h.state == HYP_HEALTH_FAILED &&
		    strcmp(h.last.why, "lcore_stalled") == 0,
		    "a change is reported with where it came from and the rule that decided",
		    "changed %d from %d why %s", changed, from, h.last.why);
		for (i = 0; i < 30; i++) {
			t += 100;
			changes += hyp_health_sample(&h, &good, t, NULL);
		}
		tap(changes == 3 && h.state == HYP_HEALTH_HEALTHY,
		    "30 good ticks: three changes, back to healthy", "%u changes", changes);
		tap(h.transitions[HYP_HEALTH_HEALTHY][HYP_HEALTH_FAILED] == 1 &&
		    h.transitions[HYP_HEALTH_FAILED][HYP_HEALTH_DEGRADED] == 1 &&
		    h.transitions[HYP_HEALTH_DEGRADED][HYP_HEALTH_PRESSURED] == 1 &&
		    h.transitions[HYP_HEALTH_PRESSURED][HYP_HEALTH_HEALTHY] == 1 &&
		    h.entered[HYP_HEALTH_HEALTHY] == 2 && h.entered[HYP_HEALTH_FAILED] == 1,
		    "each transition counted once; healthy entered twice (the start)", NULL);
		tap(hyp_health_dwell_ms(&h, HYP_HEALTH_FAILED, t) == 1000 &&
		    hyp_health_dwell_ms(&h, HYP_HEALTH_DEGRADED, t) == 1000 &&
		    hyp_health_dwell_ms(&h, HYP_HEALTH_PRESSURED, t) == 1000 &&
		    hyp_health_dwell_ms(&h, HYP_HEALTH_HEALTHY, t) == 100 &&
		    hyp_health_dwell_ms(&h, HYP_HEALTH_HEALTHY, t + 500) == 600,
		    "dwell times: 1 s in each on the way up, the healthy spells added, the current one "
		    "open", "F %llu D %llu P %llu H %llu",
		    (unsigned long long)hyp_health_dwell_ms(&h, HYP_HEALTH_FAILED, t),
		    (unsigned long long)hyp_health_dwell_ms(&h, HYP_HEALTH_DEGRADED, t),
		    (unsigned long long)hyp_health_dwell_ms(&h, HYP_HEALTH_PRESSURED, t),
		    (unsigned long long)hyp_health_dwell_ms(&h, HYP_HEALTH_HEALTHY, t));
	}
	tap(strcmp(hyp_health_state_name(HYP_HEALTH_PRESSURED), "pressured") == 0 &&
	    strcmp(hyp_health_state_name((enum hyp_health_state)9), "?") == 0,
	    "state names, and an unknown one", NULL);
	{
		struct hyp_health_signals s = signals(STALE);

		conf.watchdog_ms = 0;
		tap(hyp_health_level(&conf, &s).level == HYP_HEALTH_HEALTHY,
		    "no watchdog: the heartbeat's age decides nothing", NULL);
	}
	{
		/* a queue's rx pressure from its window's deltas (burst 32) */
		static const struct {
			uint64_t rx, bursts, over;
			double ring, want;
			const char *name;
		} pq[] = {
			{ 0, 0, 0, 0.0, 0.0, "pressure: an idle queue is 0" },
			{ 100, 100, 0, 0.0, 1.0 / 32, "pressure: one packet a poll is 1/32" },
			{ 3200, 100, 0, 0.0, 1.0, "pressure: every poll a whole burst is 1" },
			{ 1600, 100, 0, 0.0, 0.5, "pressure: half-full bursts are 0.5" },
			{ 10, 10, 3, 0.0, 1.0, "pressure: a ring overflow is 1 at any fill" },
			{ 10, 10, 0, 0.75, 0.75, "pressure: a fuller worker ring decides (staged)" },
			{ 3200, 100, 0, 0.25, 1.0, "pressure: the largest part decides" },
			{ 10, 10, 0, 7.0, 1.0, "pressure: never above 1" },
		};

		for (i = 0; i < DIM(pq); i++) {
			double got = hyp_health_queue_pressure(pq[i].rx, pq[i].bursts, 32,
							       pq[i].over, pq[i].ring);

			tap(got > pq[i].want - 1e-9 && got < pq[i].want + 1e-9, pq[i].name,
			    "got %f want %f", got, pq[i].want);
		}
		tap(hyp_health_queue_pressure(5, 5, 0, 0, 0.0) == 0.0,
		    "pressure: burst 0 divides nothing", NULL);
	}
	{
		/* classes 0, 3 and 5 in use: shed 5, then 3; give back 3, then 5 */
		uint32_t in_use = 1u << 0 | 1u << 3 | 1u << 5, l0, l1, l2, r1, r2;

		l0 = hyp_health_shed_next(0, in_use, true);
		l1 = hyp_health_shed_next(l0, in_use, true);
		l2 = hyp_health_shed_next(l1, in_use, true);
		r1 = hyp_health_shed_next(l2, in_use, false);
		r2 = hyp_health_shed_next(r1, in_use, false);
		tap(l0 == 5 && l1 == 3 && l2 == 3 && r1 == 5 && r2 == 0,
		    "shedding: 5, then 3, never 0; given back 3, then 5, then nothing shed",
		    "%u %u %u | %u %u", l0, l1, l2, r1, r2);
		tap(hyp_health_shed_next(0, 1u << 0, true) == 0 &&
		    hyp_health_shed_next(0, 0, true) == 0 &&
		    hyp_health_shed_next(0, in_use, false) == 0,
		    "shedding: only priority 0 (or none) in use, nothing to shed or give back", NULL);
		tap(hyp_health_shed_next(4, in_use, true) == 3 &&
		    hyp_health_shed_next(4, in_use, false) == 5 &&
		    hyp_health_shed_next(99, in_use, true) == 5,
		    "shedding: from a level no class has (a reload changed them), and a huge one",
		    "%u %u %u", hyp_health_shed_next(4, in_use, true),
		    hyp_health_shed_next(4, in_use, false), hyp_health_shed_next(99, in_use, true));
	}
	printf("1..%u\n", test_no);
	return failed;
}
