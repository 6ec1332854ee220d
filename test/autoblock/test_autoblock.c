/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_autoblock against two loaded (not attached) XDP programs: reports in,
 * blocks in both programs' autoblock_map out, with the policy's threshold
 * and TTL; the cap below the LRU map and what it refuses; a full report
 * ring counted as lost; a block lifted by hand (the console's `blocklist
 * del`) forgotten, so the source starts counting again; an expired block
 * removed from both maps. The abuse cases: hits whose source is easy to
 * forge (a responder, TCP without a handshake, UDP) are ignored and counted
 * by why; exempt prefixes never blocked; a v4-mapped IPv6 source and the
 * IPv4 address are two sources; a worker thins one source's reports. Time
 * is the poll's argument, so expiry is exact, not slept for. TAP; needs root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include <rte_cycles.h>

#include "hyp_autoblock.h"
#include "hyp_xdp.h"
#include "tap.h"
#include "test_xdp.h"
#include "test_eal.h"

#define SEC_NS	1000000000ULL
#define RING	1024

/* the IPv4 source 198.18.x.y, counting */
static void
addr_n(uint32_t n, struct hyp_src_key *a)
{
	uint8_t b[16] = { [10] = 0xff, [11] = 0xff, [12] = 198 };

	b[13] = 18 + (uint8_t)(n >> 16);
	b[14] = (uint8_t)(n >> 8);
	b[15] = (uint8_t)n;
	*a = hyp_src_key_host(4, b);
}

/* the expiry the program holds for a, or 0 when a is not in the map */
static uint64_t
map_expiry(struct hyp_xdp *x, const struct hyp_src_key *a)
{
	struct hyp_autoblock_val v;

	if (bpf_map_lookup_elem(hyp_xdp_map_fd(x, HYP_MAP_ID_AUTOBLOCK), a, &v) < 0)
		return 0;
	return v.expires_ns ? v.expires_ns : UINT64_MAX;
}

static int
count_one(const struct hyp_src_key *a, const struct hyp_autoblock_val *v, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static void
conf(struct hyp_autoblock *ab, uint32_t hits, uint32_t ttl_s)
{
	struct hyp_autoblock_conf c = { .hits = hits, .ttl_s = ttl_s };

	if (hyp_autoblock_configure(ab, &c) != 0)
		tap(false, "configure", "hits %u ttl_s %u refused", hits, ttl_s);
}

/* a drop by the initiator of a TCP flow whose handshake was seen: it counts */
static struct hyp_autoblock_hit
good_hit(const struct hyp_src_key *a)
{
	struct hyp_autoblock_hit h = {
		.src = *a, .proto = 6, .initiator = true, .handshake = true,
	};

	return h;
}

static void
report(struct hyp_autoblock *ab, const struct hyp_src_key *a)
{
	struct hyp_autoblock_hit h = good_hit(a);

	hyp_autoblock_report(ab, NULL, &h, 0);
}

static unsigned int
map_count(struct hyp_xdp *x)
{
	unsigned int c = 0;

	return hyp_xdp_autoblock_foreach(x, count_one, &c) == 0 ? c : UINT32_MAX;
}

static void
report_n(struct hyp_autoblock *ab, const struct hyp_src_key *a, unsigned int n)
{
	while (n--)
		report(ab, a);
}

static void
test_threshold(struct hyp_xdp *const xs[2])
{
	struct hyp_autoblock *ab = hyp_autoblock_create(RING);
	struct hyp_autoblock_stats st;
	struct hyp_autoblock_entry list[4];
	struct hyp_src_key a, b;
	uint64_t t0 = hyp_xdp_now_ns(), e0, e1;
	unsigned int n;

	if (ab == NULL) {
		tap(false, "create", NULL);
		return;
	}
	addr_n(1, &a);
	addr_n(2, &b);
	conf(ab, 3, 10);

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
	tap(n == 1 && memcmp(&list[0].key, &a, sizeof(a)) == 0 &&
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
	conf(ab, 0, 10);
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
	struct hyp_src_key a;
	unsigned int i;

	if (ab == NULL) {
		tap(false, "create", NULL);
		return;
	}
	conf(ab, 1000000, 10);
	for (i = 0; i < RING + 100; i++) {
		addr_n(i, &a);
		report(ab, &a);
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
	struct hyp_src_key a;
	uint64_t t0 = hyp_xdp_now_ns();
	unsigned int i, n = 0, extra = 25;

	if (ab == NULL) {
		tap(false, "create", NULL);
		return;
	}
	conf(ab, 1, 10);
	for (i = 0; i < HYP_AUTOBLOCK_CAP + extra; i++) {
		addr_n(i, &a);
		report(ab, &a);
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
	report(ab, &a);
	n = hyp_autoblock_poll(ab, xs, 1, t0 + 11 * SEC_NS);
	hyp_autoblock_get_stats(ab, &st);
	tap(n == 1 && st.refused == extra, "expired blocks make room again",
	    "blocked %u, refused %llu", n, (unsigned long long)st.refused);
	/* the expired ones left the map: it is not the LRU that makes the room */
	tap(st.expired == HYP_AUTOBLOCK_CAP && map_count(xs[0]) == 1,
	    "every expired block was deleted from the map", "expired %llu, %u entries",
	    (unsigned long long)st.expired, map_count(xs[0]));
	hyp_autoblock_free(ab);
	hyp_xdp_autoblock_del(xs[0], &a);
}

/* An expired block leaves every program's map, even if its source went quiet. */
static void
test_expiry(struct hyp_xdp *const xs[2])
{
	struct hyp_autoblock *ab = hyp_autoblock_create(RING);
	struct hyp_autoblock_stats st;
	struct hyp_src_key a;
	uint64_t t0 = hyp_xdp_now_ns();

	if (ab == NULL) {
		tap(false, "create", NULL);
		return;
	}
	conf(ab, 1, 1);
	addr_n(77, &a);
	report(ab, &a);
	hyp_autoblock_poll(ab, xs, 2, t0);
	tap(map_expiry(xs[0], &a) != 0 && map_expiry(xs[1], &a) != 0,
	    "a 1 s block is in both maps", NULL);
	hyp_autoblock_poll(ab, xs, 2, t0 + SEC_NS / 2);
	tap(map_expiry(xs[0], &a) != 0, "half way through it is still there", NULL);
	hyp_autoblock_poll(ab, xs, 2, t0 + 2 * SEC_NS);
	hyp_autoblock_get_stats(ab, &st);
	tap(map_expiry(xs[0], &a) == 0 && map_expiry(xs[1], &a) == 0 && st.expired == 1 &&
	    st.active == 0, "after its TTL the poll deleted it from both maps",
	    "expired %llu active %llu", (unsigned long long)st.expired,
	    (unsigned long long)st.active);
	hyp_autoblock_free(ab);
}

/* Hits whose source is easy to forge do not count; each is counted by why. */
static void
test_eligible(struct hyp_xdp *const xs[2])
{
	struct hyp_autoblock *ab = hyp_autoblock_create(RING);
	struct hyp_autoblock_conf c = { .hits = 2, .ttl_s = 10 };
	struct hyp_autoblock_stats st;
	struct hyp_autoblock_hit h;
	struct hyp_src_key a;
	uint64_t t0 = hyp_xdp_now_ns();
	unsigned int i, n;

	if (ab == NULL || hyp_autoblock_configure(ab, &c) != 0) {
		tap(false, "create", NULL);
		return;
	}
	addr_n(500, &a);
	h = good_hit(&a);
	h.initiator = false;	/* the server side of a dropped flow */
	for (i = 0; i < 5; i++)
		hyp_autoblock_report(ab, NULL, &h, 0);
	h = good_hit(&a);
	h.handshake = false;	/* one forged segment */
	for (i = 0; i < 5; i++)
		hyp_autoblock_report(ab, NULL, &h, 0);
	h.vouched = true;	/* the stream vouches: only tcp: stream takes that */
	for (i = 0; i < 5; i++)
		hyp_autoblock_report(ab, NULL, &h, 0);
	h = good_hit(&a);
	h.proto = 17;		/* ten forged queries "from" the resolver */
	for (i = 0; i < 10; i++)
		hyp_autoblock_report(ab, NULL, &h, 0);
	n = hyp_autoblock_poll(ab, xs, 2, t0);
	hyp_autoblock_get_stats(ab, &st);
	tap(n == 0 && map_expiry(xs[0], &a) == 0 && st.tracked == 0,
	    "responder, TCP without handshake and UDP drops: nothing blocked, nothing counted",
	    "blocked %u tracked %llu", n, (unsigned long long)st.tracked);
	tap(st.ignored_responder == 5 && st.ignored_unestablished == 10 &&
	    st.ignored_connectionless == 10,
	    "each ignored by why: 5 responder, 10 unestablished, 10 connectionless",
	    "%llu %llu %llu", (unsigned long long)st.ignored_responder,
	    (unsigned long long)st.ignored_unestablished,
	    (unsigned long long)st.ignored_connectionless);

	c.tcp = HYP_AB_TCP_STREAM;	/* a one-sided sensor */
	hyp_autoblock_configure(ab, &c);
	h = good_hit(&a);
	h.handshake = false;
	hyp_autoblock_report(ab, NULL, &h, 0);
	h.vouched = true;
	hyp_autoblock_report(ab, NULL, &h, 0);
	hyp_autoblock_report(ab, NULL, &h, 0);
	n = hyp_autoblock_poll(ab, xs, 2, t0 + 1);
	tap(n == 1 && map_expiry(xs[0], &a) != 0,
	    "tcp: stream counts what the stream vouches for (2 hits), not the bare segment",
	    "blocked %u", n);
	hyp_xdp_autoblock_del(xs[0], &a);
	hyp_xdp_autoblock_del(xs[1], &a);

	c.udp = true;
	hyp_autoblock_configure(ab, &c);
	addr_n(501, &a);
	h = good_hit(&a);
	h.proto = 17;
	hyp_autoblock_report(ab, NULL, &h, 0);
	hyp_autoblock_report(ab, NULL, &h, 0);
	n = hyp_autoblock_poll(ab, xs, 2, t0 + 2);
	tap(n == 1 && map_expiry(xs[0], &a) != 0, "udp: true: connectionless drops count",
	    "blocked %u", n);
	hyp_xdp_autoblock_del(xs[0], &a);
	hyp_xdp_autoblock_del(xs[1], &a);
	hyp_autoblock_free(ab);
}

/* Exempt prefixes, v4 and v6, and the family in the key. */
static void
test_exempt_family(struct hyp_xdp *const xs[2])
{
	struct hyp_autoblock *ab = hyp_autoblock_create(RING);
	struct hyp_cidr ex[2];
	struct hyp_autoblock_conf c = { .hits = 1, .ttl_s = 10, .exempt = ex, .n_exempt = 2 };
	struct hyp_autoblock_stats st;
	struct hyp_src_key v4, v6m, v6, v4in;
	uint8_t b[16] = { [10] = 0xff, [11] = 0xff, [12] = 198, [13] = 19, [14] = 7, [15] = 9 };
	uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 };
	unsigned int n;

	if (ab == NULL || hyp_cidr_parse("198.51.100.0/24", &ex[0], NULL, 0) != 0 ||
	    hyp_cidr_parse("2001:db8::/32", &ex[1], NULL, 0) != 0 ||
	    hyp_autoblock_configure(ab, &c) != 0) {
		tap(false, "create", NULL);
		return;
	}
	v4 = hyp_src_key_host(4, b);
	v6m = hyp_src_key_host(6, b);	/* ::ffff:198.19.7.9 sent over IPv6 */
	v6 = hyp_src_key_host(6, b6);
	b[13] = 51;
	b[14] = 100;
	v4in = hyp_src_key_host(4, b);	/* 198.51.100.9 */
	report(ab, &v6m);
	report(ab, &v6);
	report(ab, &v4in);
	n = hyp_autoblock_poll(ab, xs, 2, hyp_xdp_now_ns());
	hyp_autoblock_get_stats(ab, &st);
	tap(n == 1 && st.exempt == 2 && map_expiry(xs[0], &v6) == 0 &&
	    map_expiry(xs[0], &v4in) == 0,
	    "2001:db8::5 and 198.51.100.9 are exempt (counted), never blocked",
	    "blocked %u exempt %llu", n, (unsigned long long)st.exempt);
	tap(map_expiry(xs[0], &v6m) != 0 && map_expiry(xs[0], &v4) == 0,
	    "::ffff:198.19.7.9 over IPv6 is blocked; the IPv4 198.19.7.9 is not",
	    "v6-mapped %llu v4 %llu", (unsigned long long)map_expiry(xs[0], &v6m),
	    (unsigned long long)map_expiry(xs[0], &v4));
	hyp_xdp_autoblock_del(xs[0], &v6m);
	hyp_xdp_autoblock_del(xs[1], &v6m);
	hyp_autoblock_free(ab);
}

/* A worker thins one source's reports to max_reports_per_source_s. */
static void
test_thin(struct hyp_xdp *const xs[2])
{
	struct hyp_autoblock *ab = hyp_autoblock_create(RING);
	struct hyp_autoblock_reporter *r = hyp_autoblock_reporter_create();
	struct hyp_autoblock_conf c = {
		.hits = 1000, .ttl_s = 10, .max_reports_per_source_s = 3,
	};
	struct hyp_autoblock_stats st;
	struct hyp_autoblock_hit h, h2;
	struct hyp_src_key a, b;
	uint64_t hz = rte_get_tsc_hz(), t = 1000;
	unsigned int i;

	if (ab == NULL || r == NULL || hyp_autoblock_configure(ab, &c) != 0) {
		tap(false, "create", NULL);
		return;
	}
	addr_n(900, &a);
	addr_n(901, &b);
	h = good_hit(&a);
	h2 = good_hit(&b);
	for (i = 0; i < 10; i++)
		hyp_autoblock_report(ab, r, &h, t + i);
	hyp_autoblock_report(ab, r, &h2, t);
	hyp_autoblock_poll(ab, xs, 2, hyp_xdp_now_ns());
	hyp_autoblock_get_stats(ab, &st);
	tap(st.suppressed == 7 && st.tracked == 2,
	    "10 reports of one source in a second: 3 posted, 7 thinned; another source's posted",
	    "suppressed %llu tracked %llu", (unsigned long long)st.suppressed,
	    (unsigned long long)st.tracked);
	for (i = 0; i < 4; i++)
		hyp_autoblock_report(ab, r, &h, t + hz + i);
	hyp_autoblock_get_stats(ab, &st);
	tap(st.suppressed == 8, "a second later: 3 more posted, the 4th thinned",
	    "suppressed %llu", (unsigned long long)st.suppressed);
	hyp_autoblock_reporter_free(r);
	hyp_autoblock_free(ab);
}

/* Bad configurations are refused and the running one stays. */
static void
test_refused(struct hyp_xdp *const xs[2])
{
	struct hyp_autoblock *ab = hyp_autoblock_create(RING);
	struct hyp_autoblock_conf c = { .hits = 1, .ttl_s = 10 };
	struct hyp_src_key a;
	int r0, r1, r2;

	if (ab == NULL || hyp_autoblock_configure(ab, &c) != 0) {
		tap(false, "create", NULL);
		return;
	}
	c.ttl_s = 0;
	r0 = hyp_autoblock_configure(ab, &c);
	c.ttl_s = HYP_AUTOBLOCK_TTL_MAX_S + 1;
	r1 = hyp_autoblock_configure(ab, &c);
	c.ttl_s = 10;
	c.n_exempt = HYP_AUTOBLOCK_EXEMPT_MAX + 1;
	c.exempt = NULL;
	r2 = hyp_autoblock_configure(ab, &c);
	tap(r0 == -EINVAL && r1 == -EINVAL && r2 == -EINVAL,
	    "ttl_s 0, ttl_s past a week and too many exempt prefixes are refused",
	    "%d %d %d", r0, r1, r2);
	addr_n(1234, &a);
	report(ab, &a);
	tap(hyp_autoblock_poll(ab, xs, 2, hyp_xdp_now_ns()) == 1 && map_expiry(xs[0], &a) != 0 &&
	    map_expiry(xs[0], &a) != UINT64_MAX,
	    "the running configuration stayed: the source is blocked, with an expiry", NULL);
	hyp_xdp_autoblock_del(xs[0], &a);
	hyp_xdp_autoblock_del(xs[1], &a);
	tap(hyp_xdp_autoblock_add(xs[0], &a, 0) == -EINVAL && map_expiry(xs[0], &a) == 0,
	    "the map refuses an entry that never expires", NULL);
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
	test_expiry(xs);
	test_eligible(xs);
	test_exempt_family(xs);
	test_thin(xs);
	test_refused(xs);
	hyp_xdp_close(xs[0]);
	hyp_xdp_close(xs[1]);
	test_eal_cleanup();
	printf("1..%u\n", test_no);
	return failed;
}
