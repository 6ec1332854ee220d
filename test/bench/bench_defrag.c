/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What IP reassembly costs the rx lcore, side by side in one run:
 *
 *   parse whole   hyp_flow_parse() of a 4,000-byte UDP datagram as one frame
 *                 (what an unfragmented datagram costs the rx stage anyway)
 *   3 fragments   the same datagram as 3 fragments (MTU 1500): parse each and
 *                 hyp_defrag_push() it, until the datagram comes out
 *   63 fragments  the same in 64-byte pieces (an attacker's way)
 *   1400 B frag   one fragment held, never completed (the cost of a fragment
 *                 an attacker sends and never finishes, until it times out)
 *
 * Cycles are TSC cycles per datagram (per fragment in brackets). Rounds are
 * interleaved and the median taken: this machine is shared, so the ratios
 * are the result. Also the memory a held datagram costs. Not a test: it
 * asserts nothing on time, only that every datagram comes out whole.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "hyp_defrag.h"
#include "hyp_flow.h"
#include "pkt_build.h"
#include "test_eal.h"

#define ROUNDS	31
#define REPS	2000
#define PAYLOAD	3992		/* 4000 bytes of UDP datagram */

static struct rte_mempool *pool;
static const uint8_t a4[4] = { 198, 18, 0, 1 }, b4[4] = { 198, 18, 0, 2 };
static uint8_t whole[14 + 20 + 8 + PAYLOAD];
static struct frame f3[3], f63[63];

static void
build(void)
{
	static struct frame w;
	uint32_t ip, i, n;

	pkt_eth(&w, 0x0800);
	ip = pkt_ip4(&w, IPPROTO_UDP, a4, b4, 5, 0);
	pkt_udp(&w, 40000, 53, 0, PAYLOAD);
	pkt_ip4_end(&w, ip);
	(void)ip;
	memcpy(whole, w.b, sizeof(whole));
	for (n = 0; n < 2; n++) {
		struct frame *v = n == 0 ? f3 : f63;
		uint32_t size = n == 0 ? 1480 : 64, cnt = n == 0 ? 3 : 63;

		for (i = 0; i < cnt; i++) {
			uint32_t off = i * size, len = RTE_MIN(size, 4000 - off);
			struct frame *f = &v[i];

			memset(f, 0, sizeof(*f));
			memcpy(f->b, whole, 34);
			f->len = 34;
			pkt_putn(f, whole + 34 + off, len);
			pkt_set16(f, 16, (uint16_t)(20 + len));
			pkt_set16(f, 20, (uint16_t)((i + 1 < cnt ? 0x2000 : 0) | (off / 8)));
		}
	}
}

static struct rte_mbuf *
mbuf_of(const struct frame *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m == NULL || rte_pktmbuf_append(m, (uint16_t)f->len) == NULL) {
		fprintf(stderr, "bench_defrag: mbuf\n");
		exit(1);
	}
	memcpy(rte_pktmbuf_mtod(m, void *), f->b, f->len);
	return m;
}

/* Cycles for one datagram of n fragments, id varying so each is new. */
static uint64_t
run_frags(struct hyp_defrag *d, struct frame *v, unsigned int n, unsigned int reps,
	  unsigned int *bad)
{
	struct rte_mbuf *m[64];
	struct hyp_pkt_meta meta;
	uint64_t t0, t = 0;
	unsigned int r, i;

	for (r = 0; r < reps; r++) {
		struct rte_mbuf *out = NULL;
		uint32_t flags;

		for (i = 0; i < n; i++) {
			pkt_set16(&v[i], 18, (uint16_t)r);
			m[i] = mbuf_of(&v[i]);
		}
		t0 = rte_rdtsc();
		for (i = 0; i < n; i++) {
			hyp_flow_parse(rte_pktmbuf_mtod(m[i], const uint8_t *), m[i]->data_len, &meta);
			hyp_defrag_push(d, m[i], &meta, t0, &out, &flags);
		}
		t += rte_rdtsc() - t0;
		if (out == NULL || out->data_len != sizeof(whole))
			(*bad)++;
		rte_pktmbuf_free(out);
	}
	return t / reps;
}

static uint64_t
run_whole(unsigned int reps)
{
	struct hyp_pkt_meta meta;
	uint64_t t0 = rte_rdtsc();
	unsigned int r;
	int sink = 0;

	for (r = 0; r < reps; r++)
		sink += hyp_flow_parse(whole, sizeof(whole), &meta);
	if (sink != 0)
		fprintf(stderr, "bench_defrag: the whole datagram did not parse\n");
	return (rte_rdtsc() - t0) / reps;
}

/* A first fragment of a datagram that never completes: held until expire. */
static uint64_t
run_held(struct hyp_defrag *d, unsigned int reps)
{
	struct hyp_pkt_meta meta;
	uint64_t t0, t = 0;
	unsigned int r;

	for (r = 0; r < reps; r++) {
		struct rte_mbuf *m, *out;
		uint32_t flags;

		pkt_set16(&f3[0], 18, (uint16_t)(r + 30000));
		m = mbuf_of(&f3[0]);
		t0 = rte_rdtsc();
		hyp_flow_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &meta);
		hyp_defrag_push(d, m, &meta, t0, &out, &flags);
		t += rte_rdtsc() - t0;
	}
	hyp_defrag_expire(d, UINT64_MAX / 2, reps);
	return t / reps;
}

static int
cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(void)
{
	struct hyp_defrag_conf c = {
		.name = "bench", .socket_id = SOCKET_ID_ANY, .max_datagrams = REPS + 16,
		.max_frags = 64, .timeout_ms = 60000, .memcap = 1ull << 30, .max_out = 16,
	};
	uint64_t s[4][ROUNDS], med[4];
	struct hyp_defrag *d;
	struct hyp_defrag_stats st;
	unsigned int r, k, bad = 0;
	int ret = test_eal_init("bench_defrag");

	if (ret != 0)
		return ret;
	pool = rte_pktmbuf_pool_create("bench_defrag", 8192, 256, 0, 2048 + RTE_PKTMBUF_HEADROOM,
				       SOCKET_ID_ANY);
	d = hyp_defrag_create(&c);
	if (pool == NULL || d == NULL) {
		fprintf(stderr, "bench_defrag: set-up failed\n");
		return 1;
	}
	build();
	for (r = 0; r < ROUNDS; r++) {
		s[0][r] = run_whole(REPS);
		s[1][r] = run_frags(d, f3, 3, REPS, &bad);
		s[2][r] = run_frags(d, f63, 63, REPS / 10, &bad);
		s[3][r] = run_held(d, REPS);
	}
	for (k = 0; k < 4; k++) {
		qsort(s[k], ROUNDS, sizeof(s[k][0]), cmp64);
		med[k] = s[k][ROUNDS / 2];
	}
	/* memory of a held datagram: its buffer after one 1480-byte fragment */
	{
		struct rte_mbuf *m = mbuf_of(&f3[0]), *out;
		struct hyp_pkt_meta meta;
		uint32_t flags;

		hyp_flow_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &meta);
		hyp_defrag_push(d, m, &meta, rte_rdtsc(), &out, &flags);
		hyp_defrag_get_stats(d, &st);
	}
	printf("IP reassembly, TSC cycles per datagram (median of %u interleaved rounds)\n",
	       ROUNDS);
	printf("  parse whole (4000 B)   %8lu   1.00\n", (unsigned long)med[0]);
	printf("  3 fragments            %8lu   %.2f   (%lu per fragment)\n", (unsigned long)med[1],
	       (double)med[1] / (double)med[0], (unsigned long)(med[1] / 3));
	printf("  63 fragments (64 B)    %8lu   %.2f   (%lu per fragment)\n", (unsigned long)med[2],
	       (double)med[2] / (double)med[0], (unsigned long)(med[2] / 63));
	printf("  1400 B fragment held   %8lu   %.2f\n", (unsigned long)med[3],
	       (double)med[3] / (double)med[0]);
	printf("  a held datagram: %lu bytes of buffer after its first 1480-byte fragment\n",
	       (unsigned long)st.bytes_held);
	printf("  datagrams that did not come out whole: %u\n", bad);
	hyp_defrag_free(d);
	rte_mempool_free(pool);
	test_eal_cleanup();
	return bad != 0;
}
