/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the IP reassembler. The input is a script of
 * fragments, 8 bytes each: family, flags (more fragments, which of 4
 * datagrams), offset, length, a fill byte and a time step. Each becomes a
 * real frame (IPv4, or IPv6 with the fragment header) carrying that piece
 * of the datagram, parsed by hyp_flow_parse() as the pipeline does, and
 * pushed. Whatever comes out must be a whole datagram: it parses, is no
 * fragment, and its IP length fields say exactly the frame's length. When
 * the script ends, the reassembler is freed: every mbuf must be back in the
 * pool (a leaked or doubly freed fragment shows as a wrong count).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "fuzz.h"
#include "hyp_defrag.h"
#include "hyp_flow.h"

#define POOL_N	1024
#define OP_LEN	8

static struct rte_mempool *pool;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char prefix[32];
	char *eal[] = { (*argv)[0], "--no-huge", "-m", "128", "--no-pci", "--file-prefix", prefix,
			"--log-level", "*:crit", "--no-telemetry" };

	(void)argc;
	snprintf(prefix, sizeof(prefix), "fuzzdf%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "fuzz_defrag: EAL: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	pool = rte_pktmbuf_pool_create("fuzz_defrag", POOL_N, 0, 0, 2048 + RTE_PKTMBUF_HEADROOM,
				       SOCKET_ID_ANY);
	CHECK(pool != NULL);
	return 0;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A fragment of datagram `which` at [off, off + len), as its frame. */
static struct rte_mbuf *
frame(int v6, int more, unsigned int which, uint16_t off, uint16_t len, uint8_t fill)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	unsigned int hl = v6 ? 40 + 8 : 20;
	uint8_t *f;

	if (m == NULL)
		return NULL;
	f = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(14 + hl + len));
	CHECK(f != NULL);
	memset(f, 0, 14 + hl);
	put16(f + 12, v6 ? 0x86dd : 0x0800);
	if (v6) {
		f[14] = 0x60;
		put16(f + 18, (uint16_t)(8 + len));
		f[20] = 44;
		f[21] = 64;
		f[22] = 0x20, f[23] = 0x01, f[37] = 1;	/* 2001::1 -> 2001::2 */
		f[38] = 0x20, f[39] = 0x01, f[53] = 2;
		f[54] = 17;				/* fragment header: UDP */
		put16(f + 56, (uint16_t)(off | more));
		f[61] = (uint8_t)which;
	} else {
		f[14] = 0x45;
		put16(f + 16, (uint16_t)(20 + len));
		put16(f + 18, (uint16_t)which);
		put16(f + 20, (uint16_t)((more ? 0x2000 : 0) | (off >> 3)));
		f[22] = 64;
		f[23] = 17;
		f[26] = 198, f[27] = 18, f[29] = 1;
		f[30] = 198, f[31] = 18, f[33] = 2;
	}
	memset(f + 14 + hl, fill, len);
	return m;
}

static void
check_whole(struct rte_mbuf *d)
{
	const uint8_t *f = rte_pktmbuf_mtod(d, const uint8_t *);
	struct hyp_pkt_meta m;
	uint32_t len = rte_pktmbuf_data_len(d);

	CHECK(hyp_defrag_is_reassembled(d));
	CHECK(rte_pktmbuf_pkt_len(d) == len);
	/* a datagram made from UDP fragments of another length may fail UDP's checks */
	if (hyp_flow_parse(f, len, &m) == 0) {
		CHECK(!m.frag.is && !m.is_fragment);
		if (m.family == 4)
			CHECK(((uint32_t)f[m.l3_off + 2] << 8 | f[m.l3_off + 3]) == len - m.l3_off);
		else
			CHECK(((uint32_t)f[m.l3_off + 4] << 8 | f[m.l3_off + 5]) ==
			      len - m.l3_off - 40);
	}
	rte_pktmbuf_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hyp_defrag_conf c = {
		.name = "fz", .socket_id = SOCKET_ID_ANY, .max_datagrams = 3, .max_frags = 16,
		.timeout_ms = 100, .memcap = 16384, .max_out = 2, .keep_originals = size % 2 == 0,
	};
	struct hyp_defrag *d = hyp_defrag_create(&c);
	uint64_t now = 1, step = rte_get_tsc_hz() / 1000;	/* 1 ms */
	size_t i;

	CHECK(d != NULL);
	for (i = 0; i + OP_LEN <= size; i += OP_LEN) {
		const uint8_t *op = data + i;
		uint16_t off = (uint16_t)(((op[2] << 8 | op[3]) & 0x1fff) << 3);
		uint16_t len = (uint16_t)((op[4] << 8 | op[5]) % 1400);
		struct rte_mbuf *m = frame(op[0] & 1, op[1] & 1, (op[1] >> 1) & 3, off, len, op[6]);
		struct rte_mbuf *out = NULL;
		struct hyp_pkt_meta meta;
		uint32_t flags;

		now += op[7] * step;
		if (m == NULL)
			break;
		if (hyp_flow_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
				   &meta) != 0 || !meta.frag.is) {
			rte_pktmbuf_free(m);
			continue;
		}
		if (hyp_defrag_push(d, m, &meta, now, &out, &flags) == HYP_DEFRAG_DONE)
			check_whole(out);
		else
			CHECK(out == NULL);
		if (op[7] & 0x80)
			hyp_defrag_expire(d, now, 4);
	}
	hyp_defrag_free(d);
	CHECK(rte_mempool_avail_count(pool) == POOL_N);
	return 0;
}
