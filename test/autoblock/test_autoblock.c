/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_autoblock against two loaded (not attached) XDP programs: reports in,
 * blocks in both programs' autoblock_map out, with the policy's threshold
 * and TTL; the cap below the LRU map and what it refuses; a full report
 * ring counted as lost; a block lifted by hand (the console's `blocklist
 * del`) forgotten, so the source starts counting again. Time is the poll's
 * argument, so expiry is exact, not slept for. TAP; needs root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "hyp_autoblock.h"
#include "hyp_xdp.h"
#include "tap.h"
#include "test_xdp.h"
#include "test_eal.h"

#define SEC_NS	1000000000ULL
#define RING	1024

static void
addr_n(uint32_t n, struct hyp_addr *a)
{
	/* ::ffff:198.18.x.y, counting */
	memset(a, 0, sizeof(*a));
	a->a[10] = 0xff;
	a->a[11] = 0xff;
	a->a[12] = 198;
	a->a[13] = 18 + (uint8_t)(n >> 16);
	a->a[14] = (uint8_t)(n >> 8);
	a->a[15] = (uint8_t)n;
}

/* the expiry the program holds for a, or 0 when a is not in the map */
static uint64_t
map_expiry(struct hyp_xdp *x, const struct hyp_addr *a)
{
	struct hyp_autoblock_val v;

	if (bpf_map_lookup_elem(hyp_xdp_map_fd(x, HYP_MAP_ID_AUTOBLOCK), a, &v) < 0)
		return 0;
	return v.expires_ns ? v.expires_ns : UINT64_MAX;
}

static int
count_one(const struct hyp_addr *a, const struct hyp_autoblock_val *v, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static unsigned int
map_count(struct hyp_xdp *x)
{
	unsigned int c = 0;

	return hyp_xdp_autoblock_foreach(x, count_one, &c) == 0 ? c : UINT32_MAX;
}

static void
report_n(struct hyp_autoblock *ab, const struct hyp_addr *a, unsigned int n)
{
	while (n--)
		hyp_autoblock_report(ab, a->a);
}

static void
test_threshold(struct hyp_xdp *const xs[2])
{
	struct hyp_autoblock *ab = hyp_autoblock_create(RING);
	struct hyp_autoblock_stats st;
	struct hyp_autoblock_entry list[4];
	struct hyp_addr a, b;
	uint64_t t0 = hyp_xdp_now_ns(), e0, e1;
	unsigned int n;

	if (ab == NULL) {
		tap(false, "create", NULL);
		return;
	}
	addr_n(1, &a);
	addr_n(2, &b);
	hyp_autoblock_configure(ab, 3, 10);

	report_n(ab, &a, 2);
	report_n(ab, &b, 1);
	n = hyp_autoblock_poll(ab, xs, 2, t0);
	tap(n == 0 && map_expiry(xs[0], &a) == 0 && map_count(xs[0]) == 0,
	    "2 drops of a 3-hit threshold: nothing blocked", "blocked %u", n);
	report_n(ab, &a, 1);
	n = hyp_autoblock_poll(ab, xs, 2, t0 + SEC_NS);
	e0 = map_expiry(xs[0], &a);
	e1 = map_expiry(xs[1], &a);
	tap(n == 1, "the 3rd drop within the TTL blocks the source", "blocked %u", n);
	/* the map's expiry is the library's clock + TTL at the write */
	tap(e0 != 0 && e0 != UINT64_MAX && e1 != 0 && e0 >= t0 + 10 * SEC_NS &&
	    e0 < hyp_xdp_now_ns() + 10 * SEC_NS + SEC_NS / 10,
	    "both programs hold the block, expiring after the TTL",
	    "expiry %llu and %llu, start %llu", (unsigned long long)e0,
	    (unsigned long long)e1, (unsigned long long)t0);
	tap(map_expiry(xs[0], &b) == 0 && map_count(xs[0]) == 1 && map_count(xs[1]) == 1,
	    "the other source (1 drop) is not blocked", NULL);
	hyp_autoblock_get_stats(ab, &st);
	tap(st.blocked == 1 && st.refused == 0 && st.lost == 0 && st.failed == 0,
	    "stats: blocked 1, nothing refused, lost or failed",
	    "blocked %llu refused %llu lost %llu failed %llu",
	    (unsigned long long)st.blocked, (unsigned long long)st.refused,
	    (unsigned long long)st.lost, (unsigned long long)st.failed);
	n = hyp_autoblock_list(ab, t0 + SEC_NS, list, 4);
	tap(n == 1 && memcmp(&list[0].addr, &a, sizeof(a)) == 0 &&
	    list[0].expires_ns == t0 + 11 * SEC_NS,
	    "the list holds the block with its expiry", "%u entries", n);
	tap(hyp_autoblock_list(ab, t0 + 12 * SEC_NS, list, 4) == 0,
	    "past its expiry the block is not listed", NULL);

	/* drops that were in flight while blocked do not count towards the next */
	report_n(ab, &a, 5);
	hyp_autoblock_poll(ab, xs, 2, t0 + 2 * SEC_NS);
	hyp_autoblock_get_stats(ab, &st);
	tap(st.blocked == 1, "drops reported while blocked earn no second block",
	    "blocked %llu", (unsigned long long)st.blocked);

	/* lifted by hand (console: blocklist del removes the map entry, then this) */
	hyp_xdp_autoblock_del(xs[0], &a);
	hyp_xdp_autoblock_del(xs[1], &a);
	hyp_autoblock_forget(ab, &a);
	tap(hyp_autoblock_list(ab, t0 + 2 * SEC_NS, list, 4) == 0,
	    "a forgotten block is no longer listed", NULL);
	report_n(ab, &a, 2);
	n = hyp_autoblock_poll(ab, xs, 2, t0 + 3 * SEC_NS);
	tap(n == 0 && map_expiry(xs[0], &a) == 0,
	    "after being lifted the source starts counting from zero", "blocked %u", n);
	report_n(ab, &a, 1);
	n = hyp_autoblock_poll(ab, xs, 2, t0 + 3 * SEC_NS);
	tap(n == 1 && map_expiry(xs[0], &a) != 0, "and is blocked again on its 3rd drop",
	    "blocked %u", n);

	/* a quiet spell longer than the TTL resets the count */
	report_n(ab, &b, 1);	/* b now has 2 */
	hyp_autoblock_poll(ab, xs, 2, t0 + 3 * SEC_NS);
	report_n(ab, &b, 1);
	n = hyp_autoblock_poll(ab, xs, 2, t0 + 30 * SEC_NS);
	tap(n == 0 && map_expiry(xs[0], &b) == 0,
	    "drops further apart than the TTL do not add up", "blocked %u", n);

	/* off: reports are not even queued */
	hyp_autoblock_configure(ab, 0, 10);
	report_n(ab, &b, 10);
	n = hyp_autoblock_poll(ab, xs, 2, t0 + 31 * SEC_NS);
	hyp_autoblock_get_stats(ab, &st);
	tap(n == 0 && map_expiry(xs[0], &b) == 0 && st.lost == 0,
	    "hits 0 turns it off", "blocked %u", n);
	hyp_autoblock_free(ab);
	hyp_xdp_autoblock_del(xs[0], &a);
	hyp_xdp_autoblock_del(xs[1], &a);
}

static void
test_lost(struct hyp_xdp *const xs[2])
{
	struct hyp_autoblock *ab = hyp_autoblock_create(RING);
	struct hyp_autoblock_stats st;
	struct hyp_addr a;
	unsigned int i;

	if (ab == NULL) {
		tap(false, "create", NULL);
		return;
	}
	hyp_autoblock_configure(ab, 1000000, 10);
	for (i = 0; i < RING + 100; i++) {
		addr_n(i, &a);
		hyp_autoblock_report(ab, a.a);
	}
	hyp_autoblock_poll(ab, xs, 2, hyp_xdp_now_ns());
	hyp_autoblock_get_stats(ab, &st);
	/* an rte_ring of RING slots holds RING - 1 */
	tap(st.lost == 101 && st.tracked == RING - 1,
	    "a full report ring: every report it refused is counted as lost",
	    "lost %llu, tracked %u", (unsigned long long)st.lost, st.tracked);
	hyp_autoblock_free(ab);
}

/*
 * The cap: HYP_AUTOBLOCK_CAP blocks at once, half the LRU map, so the map
 * never evicts a block; every one past it is refused and counted, and once
 * blocks expire there is room again.
 */
static void
test_cap(struct hyp_xdp *const xs[2])
{
	struct hyp_autoblock *ab = hyp_autoblock_create(RING);
	struct hyp_autoblock_stats st;
	struct hyp_addr a;
	uint64_t t0 = hyp_xdp_now_ns();
	unsigned int i, n = 0, extra = 25;

	if (ab == NULL) {
		tap(false, "create", NULL);
		return;
	}
	hyp_autoblock_configure(ab, 1, 10);
	for (i = 0; i < HYP_AUTOBLOCK_CAP + extra; i++) {
		addr_n(i, &a);
		hyp_autoblock_report(ab, a.a);
		if ((i + 1) % (RING / 2) == 0)
			n += hyp_autoblock_poll(ab, xs, 1, t0);
	}
	n += hyp_autoblock_poll(ab, xs, 1, t0);
	hyp_autoblock_get_stats(ab, &st);
	tap(n == HYP_AUTOBLOCK_CAP && st.blocked == HYP_AUTOBLOCK_CAP &&
	    st.refused == extra && st.lost == 0,
	    "the cap: 32768 blocks, the 25 past it refused and counted",
	    "blocked %u (%llu), refused %llu, lost %llu", n,
	    (unsigned long long)st.blocked, (unsigned long long)st.refused,
	    (unsigned long long)st.lost);
	tap(map_count(xs[0]) == HYP_AUTOBLOCK_CAP,
	    "the map holds exactly the capped blocks: none evicted", "%u entries",
	    map_count(xs[0]));
	/* after the TTL the old blocks are swept and new sources fit */
	addr_n(HYP_AUTOBLOCK_CAP + 1000, &a);
	hyp_autoblock_report(ab, a.a);
	n = hyp_autoblock_poll(ab, xs, 1, t0 + 11 * SEC_NS);
	hyp_autoblock_get_stats(ab, &st);
	tap(n == 1 && st.refused == extra, "expired blocks make room again",
	    "blocked %u, refused %llu", n, (unsigned long long)st.refused);
	hyp_autoblock_free(ab);
}

int
main(void)
{
	struct hyp_xdp *xs[2] = { NULL, NULL };
	int ret;

	ret = test_eal_init("test_autoblock");
	if (ret != 0)
		return ret;
	ret = test_xdp_load(&xs[0]);
	if (ret == 0)
		ret = test_xdp_load(&xs[1]);
	if (ret != 0) {
		test_eal_cleanup();
		return ret;
	}
	test_threshold(xs);
	test_lost(xs);
	test_cap(xs);
	hyp_xdp_close(xs[0]);
	hyp_xdp_close(xs[1]);
	test_eal_cleanup();
	printf("1..%u\n", test_no);
	return failed;
}
