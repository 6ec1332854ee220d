/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_threshold: Suricata's three types against hand-counted sequences,
 * the four tracks, windows that end, a table too small for its keys (and a
 * spray of sources aimed at it), and two lcores counting one key. The
 * clock is the caller's: the tests pass their own ticks (hz 1000: ms).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "hyp_threshold.h"
#include "tap.h"
#include "test_eal.h"

#define HZ	1000u	/* ticks are milliseconds */

static void
v4(uint8_t a[16], uint32_t host)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = (uint8_t)(host >> 24);
	a[13] = (uint8_t)(host >> 16);
	a[14] = (uint8_t)(host >> 8);
	a[15] = (uint8_t)host;
}

static const struct hyp_threshold_spec *
spec(uint8_t type, uint8_t track, uint32_t count, uint32_t seconds)
{
	static struct hyp_threshold_spec s;

	s.type = type;
	s.track = track;
	s.count = count;
	s.seconds = seconds;
	return &s;
}

/* Matches at the given ms; the pattern of alerts as a string of 1 and 0. */
static void
run(struct hyp_threshold *t, const struct hyp_threshold_spec *s, const uint64_t *at,
    unsigned int n, char *out)
{
	uint8_t src[16], dst[16];
	unsigned int i;

	v4(src, 0xc6120001);	/* 198.18.0.1 */
	v4(dst, 0xc6120002);
	for (i = 0; i < n; i++)
		out[i] = hyp_threshold_check(t, s, 7, src, dst, at[i]) ? '1' : '0';
	out[n] = '\0';
}

static void
test_types(struct hyp_threshold *t)
{
	/* eight matches inside 10 s, then four after the window (at 20 s) */
	static const uint64_t at[] = { 0, 100, 200, 300, 400, 500, 600, 700,
				       20000, 20100, 20200, 20300 };
	static const struct {
		uint8_t type;
		uint32_t count;
		const char *want;
	} cases[] = {
		{ HYP_THRESHOLD_LIMIT, 3, "111000001110" },
		{ HYP_THRESHOLD_THRESHOLD, 3, "001001000010" },
		{ HYP_THRESHOLD_BOTH, 3, "001000000010" },
		{ HYP_THRESHOLD_LIMIT, 1, "100000001000" },
		{ HYP_THRESHOLD_THRESHOLD, 1, "111111111111" },
		{ HYP_THRESHOLD_BOTH, 1, "100000001000" },
		{ HYP_THRESHOLD_NONE, 1, "111111111111" },
		/* detection_filter: every match after the first count of a window */
		{ HYP_THRESHOLD_DETECTION, 3, "000111110001" },
		{ HYP_THRESHOLD_DETECTION, 1, "011111110111" },
	};
	char got[RTE_DIM(at) + 1];
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		hyp_threshold_clear(t);
		run(t, spec(cases[i].type, HYP_TRACK_BY_SRC, cases[i].count, 10), at,
		    RTE_DIM(at), got);
		tap(strcmp(got, cases[i].want) == 0, "type over a window and past it",
		    "%s count %u: got %s, want %s", hyp_threshold_type_name(cases[i].type),
		    cases[i].count, got, cases[i].want);
	}
	tap(hyp_threshold_check(t, NULL, 7, (uint8_t[16]){0}, (uint8_t[16]){0}, 0),
	    "no threshold: every match alerts", NULL);
}

static void
test_tracks(struct hyp_threshold *t)
{
	uint8_t a[16], b[16], c[16];
	const struct hyp_threshold_spec *s;

	v4(a, 0xc6120001);
	v4(b, 0xc6120002);
	v4(c, 0xc6120003);

	hyp_threshold_clear(t);
	s = spec(HYP_THRESHOLD_LIMIT, HYP_TRACK_BY_SRC, 1, 60);
	tap(hyp_threshold_check(t, s, 7, a, c, 0) && !hyp_threshold_check(t, s, 7, a, b, 1) &&
	    hyp_threshold_check(t, s, 7, b, c, 2), "by_src: a key per source", NULL);

	hyp_threshold_clear(t);
	s = spec(HYP_THRESHOLD_LIMIT, HYP_TRACK_BY_DST, 1, 60);
	tap(hyp_threshold_check(t, s, 7, a, c, 0) && !hyp_threshold_check(t, s, 7, b, c, 1) &&
	    hyp_threshold_check(t, s, 7, a, b, 2), "by_dst: a key per destination", NULL);

	hyp_threshold_clear(t);
	s = spec(HYP_THRESHOLD_LIMIT, HYP_TRACK_BY_RULE, 1, 60);
	tap(hyp_threshold_check(t, s, 7, a, c, 0) && !hyp_threshold_check(t, s, 7, b, a, 1) &&
	    hyp_threshold_check(t, s, 8, b, a, 2), "by_rule: one key per rule, whatever the hosts",
	    NULL);

	hyp_threshold_clear(t);
	s = spec(HYP_THRESHOLD_LIMIT, HYP_TRACK_BY_BOTH, 1, 60);
	tap(hyp_threshold_check(t, s, 7, a, b, 0) && !hyp_threshold_check(t, s, 7, b, a, 1) &&
	    hyp_threshold_check(t, s, 7, a, c, 2), "by_both: the pair, either direction", NULL);

	/* the same rule id with another type is another key */
	hyp_threshold_clear(t);
	tap(hyp_threshold_check(t, spec(HYP_THRESHOLD_LIMIT, HYP_TRACK_BY_SRC, 1, 60), 7, a, b, 0) &&
	    hyp_threshold_check(t, spec(HYP_THRESHOLD_BOTH, HYP_TRACK_BY_SRC, 1, 60), 7, a, b, 1),
	    "a reload that changes the type starts counting again", NULL);
}

/* A table of 4 entries (one set), 1,000 sources sprayed through it. */
static void
test_small_table(void)
{
	struct hyp_threshold *t = hyp_threshold_create(1, HZ);
	const struct hyp_threshold_spec *s = spec(HYP_THRESHOLD_LIMIT, HYP_TRACK_BY_SRC, 1, 60);
	struct hyp_threshold_stats st;
	uint8_t src[16], dst[16];
	unsigned int i, alerts = 0;

	if (t == NULL) {
		tap(false, "table of one set", NULL);
		return;
	}
	v4(dst, 0xc6120002);
	for (i = 0; i < 1000; i++) {
		v4(src, 0xc6130000 + i);
		alerts += hyp_threshold_check(t, s, 7, src, dst, i);
	}
	hyp_threshold_get_stats(t, &st);
	tap(st.entries == HYP_THRESHOLD_WAYS && alerts == 1000 && st.evicted == 1000 - 4 &&
	    st.checked == 1000 && st.alerted == 1000 && st.suppressed == 0,
	    "a spray of sources evicts, counted, and costs nothing else",
	    "entries %lu alerts %u evicted %lu checked %lu", (unsigned long)st.entries, alerts,
	    (unsigned long)st.evicted, (unsigned long)st.checked);
	/* the four newest are still known: their second match is held back */
	v4(src, 0xc6130000 + 999);
	tap(!hyp_threshold_check(t, s, 7, src, dst, 1000), "the newest keys stay", NULL);
	/* an expired entry is taken before a live one, and that is no eviction */
	v4(src, 0xc6140000);
	hyp_threshold_check(t, s, 7, src, dst, 1000 + 61000);
	hyp_threshold_get_stats(t, &st);
	tap(st.evicted == 1000 - 4, "an expired key is replaced, not evicted",
	    "evicted %lu", (unsigned long)st.evicted);
	/* a clock read older than the window's start (another lcore) is no wrap */
	v4(src, 0xc6150000);
	hyp_threshold_clear(t);
	hyp_threshold_check(t, s, 7, src, dst, 5000);
	tap(!hyp_threshold_check(t, s, 7, src, dst, 4990), "an earlier tick is inside the window",
	    NULL);
	hyp_threshold_free(t);
}

static void
test_bounds(void)
{
	struct hyp_threshold *t;
	struct hyp_threshold_stats st;

	tap(hyp_threshold_create(0, HZ) == NULL && rte_errno == EINVAL, "0 entries refused", NULL);
	tap(hyp_threshold_create(16, 0) == NULL && rte_errno == EINVAL, "hz 0 refused", NULL);
	tap(hyp_threshold_create((1u << 24) + 1, HZ) == NULL && rte_errno == EINVAL,
	    "more than 2^24 entries refused", NULL);
	t = hyp_threshold_create(100, HZ);
	hyp_threshold_get_stats(t, &st);
	tap(t != NULL && st.entries == 128, "entries rounded up to a power of two",
	    "%lu", (unsigned long)st.entries);
	hyp_threshold_free(t);
	hyp_threshold_free(NULL);
	hyp_threshold_get_stats(NULL, &st);
	tap(st.checked == 0 && st.entries == 0, "no table: zeros", NULL);
}

/* ---- two lcores, one key: by_rule limit 1000 over 200,000 matches ---- */

struct hammer {
	struct hyp_threshold *t;
	unsigned int n, alerts;
};

static int
hammer(void *arg)
{
	struct hammer *h = arg;
	const struct hyp_threshold_spec s = {
		HYP_THRESHOLD_LIMIT, HYP_TRACK_BY_RULE, 1000, 60,
	};
	uint8_t src[16], dst[16];
	unsigned int i;

	v4(dst, 0xc6120002);
	for (i = 0; i < h->n; i++) {
		v4(src, 0xc6130000 + (i & 0xff));
		h->alerts += hyp_threshold_check(h->t, &s, 9, src, dst, 1);
	}
	return 0;
}

static void
test_concurrent(void)
{
	struct hyp_threshold *t = hyp_threshold_create(1024, HZ);
	struct hammer a = { t, 100000, 0 }, b = { t, 100000, 0 };
	struct hyp_threshold_stats st;
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	bool launched = false;

	if (t == NULL) {
		tap(false, "table", NULL);
		return;
	}
	if (worker < RTE_MAX_LCORE)
		launched = rte_eal_remote_launch(hammer, &b, worker) == 0;
	hammer(&a);
	if (launched)
		rte_eal_wait_lcore(worker);
	hyp_threshold_get_stats(t, &st);
	tap(a.alerts + b.alerts == 1000 && st.alerted == 1000 &&
	    st.checked == a.n + (launched ? b.n : 0),
	    "two lcores on one key: exactly count alerts",
	    "alerts %u + %u, checked %lu (worker %s)", a.alerts, b.alerts,
	    (unsigned long)st.checked, launched ? "yes" : "no");
	hyp_threshold_free(t);
}

int
main(void)
{
	struct hyp_threshold *t;
	int ret = test_eal_init("test_threshold");

	if (ret != 0)
		return ret;
	t = hyp_threshold_create(1024, HZ);
	if (t == NULL) {
		printf("Bail out! create\n");
		return 1;
	}
	test_types(t);
	test_tracks(t);
	hyp_threshold_free(t);
	test_small_table();
	test_bounds();
	test_concurrent();
	printf("1..%u\n", test_no);
	test_eal_cleanup();
	return failed;
}
