/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_defrag: whole datagrams cut into fragments here, in every order and
 * shape an attacker would send them, must come back byte for byte; every
 * bound must drop its datagram whole and count it; no mbuf may be lost
 * (the pool is full again at the end). TAP.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "hyp_defrag.h"
#include "hyp_flow.h"
#include "pkt_build.h"
#include "tap.h"
#include "test_eal.h"

#define POOL_N	4096

static struct rte_mempool *pool;
static const uint8_t a4[4] = { 198, 18, 0, 1 }, b4[4] = { 198, 18, 0, 2 };
static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* ---- whole datagrams and their fragments ------------------------------------ */

/* A UDP datagram with `payload` bytes of a pattern no two offsets share often. */
static void
whole4(struct frame *w, size_t payload, uint16_t id)
{
	uint32_t ip, i;

	pkt_eth(w, 0x0800);
	ip = pkt_ip4(w, IPPROTO_UDP, a4, b4, 5, 0);
	pkt_udp(w, 40000, 53, 0, payload);
	pkt_ip4_end(w, ip);
	for (i = 0; i < payload; i++)
		w->b[14 + 20 + 8 + i] = (uint8_t)(i * 7 + i / 251);
	pkt_set16(w, ip + 4, id);
	w->l3 = ip;
	w->l4 = ip + 20;
	pkt_ip4_csum(w);
}

/* IPv6 with hop-by-hop and destination options before the fragmentable part */
static void
whole6(struct frame *w, size_t payload, bool exts)
{
	uint32_t ip, i, l4;

	pkt_eth(w, 0x86dd);
	ip = pkt_ip6(w, exts ? 0 : IPPROTO_UDP, a6, b6);
	if (exts) {
		pkt_ext6(w, 60, 0);
		pkt_ext6(w, IPPROTO_UDP, 1);
	}
	l4 = w->len;
	pkt_udp(w, 40000, 53, 0, payload);
	pkt_ip6_end(w, ip);
	for (i = 0; i < payload; i++)
		w->b[l4 + 8 + i] = (uint8_t)(i * 13 + i / 241);
	w->l3 = ip;
	w->l4 = l4;
}

/*
 * Fragment [off, off + len) of w's fragmentable part (from w->l4 on), with
 * `more` set or not, as its sender would. IPv6 adds a fragment header after
 * the unfragmentable ones, whose last next-header byte (at nh) says 44.
 */
static void
frag_of(const struct frame *w, int family, uint32_t nh, uint32_t id, uint32_t off,
	uint32_t len, bool more, struct frame *f)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->b, w->b, w->l4);
	f->len = w->l4;
	if (family == 4) {
		pkt_set16(f, w->l3 + 2, (uint16_t)(w->l4 - w->l3 + len));
		pkt_set16(f, w->l3 + 6, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
		pkt_set16(f, w->l3 + 4, (uint16_t)id);
	} else {
		uint8_t inner = w->b[nh];

		f->b[nh] = 44;
		pkt_put8(f, inner);
		pkt_put8(f, 0);
		pkt_put16(f, (uint16_t)(off | (more ? 1 : 0)));
		pkt_put16(f, (uint16_t)(id >> 16));
		pkt_put16(f, (uint16_t)id);
		pkt_set16(f, w->l3 + 4, (uint16_t)(f->len - w->l3 - 40 + len));
	}
	pkt_putn(f, w->b + w->l4 + off, len);
}

/* The byte that names the first fragmentable header: IPv6's, or the last extension's. */
static uint32_t
nh_byte_of(const struct frame *w)
{
	uint32_t at = w->l3 + 6, cur = w->l3 + 40;
	uint8_t nh = w->b[at];

	while (nh == 0 || nh == 43 || nh == 60) {
		at = cur;
		nh = w->b[cur];
		cur += (w->b[cur + 1] + 1u) * 8;
	}
	return at;
}

static struct rte_mbuf *
mbuf_of(const struct frame *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m == NULL || rte_pktmbuf_append(m, (uint16_t)f->len) == NULL) {
		printf("Bail out! mbuf\n");
		exit(1);
	}
	memcpy(rte_pktmbuf_mtod(m, void *), f->b, f->len);
	return m;
}

/* ---- pushing --------------------------------------------------------------- */

struct piece {
	uint32_t off, len;
	bool more;
};

struct outcome {
	enum hyp_defrag_result last;	/* of the last push */
	unsigned int done;		/* pushes that gave a datagram */
	uint32_t flags;			/* of the last push */
	struct rte_mbuf *out;		/* the last datagram */
	bool parse_failed;
};

static void
push_frame(struct hyp_defrag *d, const struct frame *f, uint64_t now, struct outcome *o)
{
	struct rte_mbuf *m = mbuf_of(f), *out = NULL;
	struct hyp_pkt_meta meta;

	if (hyp_flow_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &meta) != 0 ||
	    !meta.frag.is) {
		o->parse_failed = true;
		rte_pktmbuf_free(m);
		return;
	}
	o->last = hyp_defrag_push(d, m, &meta, now, &out, &o->flags);
	if (o->last == HYP_DEFRAG_DONE) {
		o->done++;
		if (o->out != NULL)
			rte_pktmbuf_free(o->out);
		o->out = out;
	}
}

static void
push_pieces(struct hyp_defrag *d, const struct frame *w, int family, uint32_t id,
	    const struct piece *p, unsigned int n, uint64_t now, struct outcome *o)
{
	uint32_t nh = family == 6 ? nh_byte_of(w) : 0;
	struct frame f;
	unsigned int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < n; i++) {
		frag_of(w, family, nh, id, p[i].off, p[i].len, p[i].more, &f);
		push_frame(d, &f, now, o);
	}
}

/* The datagram back is w, byte for byte (IPv4: with its checksum recomputed). */
static bool
same_as(const struct rte_mbuf *m, const struct frame *w)
{
	return m != NULL && m->data_len == w->len &&
	       memcmp(rte_pktmbuf_mtod(m, const void *), w->b, w->len) == 0;
}

static struct hyp_defrag *
make(const char *name, uint32_t datagrams, uint32_t frags, uint64_t memcap, uint32_t out,
     bool keep)
{
	struct hyp_defrag_conf c = {
		.name = name, .socket_id = SOCKET_ID_ANY, .max_datagrams = datagrams,
		.max_frags = frags, .timeout_ms = 1000, .memcap = memcap, .max_out = out,
		.keep_originals = keep,
	};
	struct hyp_defrag *d = hyp_defrag_create(&c);

	if (d == NULL) {
		printf("Bail out! hyp_defrag_create %s: %s\n", name, rte_strerror(rte_errno));
		exit(1);
	}
	return d;
}

static struct hyp_defrag_stats
stats(const struct hyp_defrag *d)
{
	struct hyp_defrag_stats s;

	hyp_defrag_get_stats(d, &s);
	return s;
}

/* ---- the cases ------------------------------------------------------------- */

/* 1000 bytes of UDP (1008 fragmentable) in three: 0-400, 400-800, 800-1008 */
static const struct piece three[] = { { 0, 400, true }, { 400, 400, true }, { 800, 208, false } };
static const struct piece three_rev[] = { { 800, 208, false }, { 400, 400, true }, { 0, 400, true } };

static void
test_orders(void)
{
	struct hyp_defrag *d = make("ord", 64, 128, 1 << 20, 16, false);
	struct frame w;
	struct outcome o;
	unsigned int seed, i, ok = 0;

	whole4(&w, 1000, 0x1234);
	push_pieces(d, &w, 4, 0x1234, three, 3, 1, &o);
	tap(o.done == 1 && o.last == HYP_DEFRAG_DONE && same_as(o.out, &w) && o.flags == 0,
	    "IPv4 in order: the datagram back byte for byte, checksum recomputed", "done %u flags %x",
	    o.done, o.flags);
	rte_pktmbuf_free(o.out);
	push_pieces(d, &w, 4, 0x1234, three_rev, 3, 1, &o);
	tap(o.done == 1 && same_as(o.out, &w), "IPv4 last fragment first, reversed", NULL);
	rte_pktmbuf_free(o.out);

	/* 126 pieces of 8 bytes in 20 random orders */
	for (seed = 1; seed <= 20; seed++) {
		struct piece p[126];

		srand(seed);
		for (i = 0; i < 126; i++)
			p[i] = (struct piece){ i * 8, 8, i < 125 };
		for (i = 125; i > 0; i--) {
			unsigned int j = (unsigned int)rand() % (i + 1);
			struct piece t = p[i];

			p[i] = p[j];
			p[j] = t;
		}
		push_pieces(d, &w, 4, 0x1234, p, 126, 1, &o);
		ok += o.done == 1 && same_as(o.out, &w) && (o.flags & HYP_DEFRAG_F_TINY);
		rte_pktmbuf_free(o.out);
	}
	tap(ok == 20, "IPv4 in 126 tiny fragments, 20 random orders: every one back whole, "
	    "flagged tiny", "%u of 20", ok);
	tap(stats(d).reassembled == 22 && stats(d).tiny == 20 * 125 &&
	    stats(d).datagrams_held == 0 && stats(d).bytes_held == 0,
	    "counters: 22 reassembled, 2500 tiny, nothing held after", "reassembled %lu tiny %lu",
	    (unsigned long)stats(d).reassembled, (unsigned long)stats(d).tiny);

	whole6(&w, 3000, true);
	{
		const struct piece p6[] = { { 1232, 1232, true }, { 2464, 544, false },
					    { 0, 1232, true } };

		push_pieces(d, &w, 6, 0xdeadbeef, p6, 3, 1, &o);
	}
	tap(o.done == 1 && same_as(o.out, &w) && o.flags == 0,
	    "IPv6 with hop-by-hop and destination options before the fragment header, out of "
	    "order: back whole, next header and payload length restored", "done %u", o.done);
	rte_pktmbuf_free(o.out);
	whole6(&w, 100, false);
	{
		const struct piece p6[] = { { 0, 56, true }, { 56, 52, false } };

		push_pieces(d, &w, 6, 7, p6, 2, 1, &o);
	}
	tap(o.done == 1 && same_as(o.out, &w) && (o.flags & HYP_DEFRAG_F_TINY),
	    "IPv6 in two fragments below the 1280 MTU: back whole, flagged tiny", NULL);
	rte_pktmbuf_free(o.out);
	hyp_defrag_free(d);
}

static void
test_overlaps(void)
{
	struct hyp_defrag *d = make("ovl", 64, 64, 1 << 20, 16, false);
	struct frame w, evil, f;
	struct outcome o;

	whole4(&w, 1000, 9);
	{
		const struct piece p[] = { { 0, 400, true }, { 400, 400, true }, { 400, 400, true },
					   { 200, 400, true }, { 800, 208, false } };

		push_pieces(d, &w, 4, 9, p, 5, 1, &o);
	}
	tap(o.done == 1 && same_as(o.out, &w) && (o.flags & HYP_DEFRAG_F_OVERLAP) &&
	    !(o.flags & HYP_DEFRAG_F_CONFLICT) && stats(d).overlaps == 2 &&
	    stats(d).conflicts == 0,
	    "the same bytes again (a retransmission, and one straddling two): back whole, "
	    "flagged overlap, not conflict", "flags %x overlaps %lu", o.flags,
	    (unsigned long)stats(d).overlaps);
	rte_pktmbuf_free(o.out);

	/* the attacker's version of bytes 400-800 arrives after the real one */
	evil = w;
	memset(evil.b + w.l4 + 400, 'X', 400);
	memset(&o, 0, sizeof(o));
	frag_of(&w, 4, 0, 10, 0, 400, true, &f);
	push_frame(d, &f, 1, &o);
	frag_of(&w, 4, 0, 10, 400, 400, true, &f);
	push_frame(d, &f, 1, &o);
	frag_of(&evil, 4, 0, 10, 400, 400, true, &f);
	push_frame(d, &f, 1, &o);
	frag_of(&w, 4, 0, 10, 800, 208, false, &f);
	w.b[w.l3 + 4] = 0;
	w.b[w.l3 + 5] = 10;
	pkt_ip4_csum(&w);
	push_frame(d, &f, 1, &o);
	tap(o.done == 1 && (o.flags & HYP_DEFRAG_F_CONFLICT) && same_as(o.out, &w) &&
	    stats(d).conflicts == 1,
	    "different bytes over held ones: flagged conflict, the first bytes kept",
	    "done %u flags %x conflicts %lu", o.done, o.flags, (unsigned long)stats(d).conflicts);
	rte_pktmbuf_free(o.out);

	/* and when the attacker's bytes come first, they are what is inspected */
	memset(&o, 0, sizeof(o));
	frag_of(&evil, 4, 0, 11, 400, 400, true, &f);
	push_frame(d, &f, 1, &o);
	frag_of(&w, 4, 0, 11, 0, 800, true, &f);
	push_frame(d, &f, 1, &o);
	frag_of(&w, 4, 0, 11, 800, 208, false, &f);
	push_frame(d, &f, 1, &o);
	tap(o.done == 1 && (o.flags & HYP_DEFRAG_F_CONFLICT) && o.out != NULL &&
	    memcmp(rte_pktmbuf_mtod(o.out, uint8_t *) + w.l4 + 400, evil.b + w.l4 + 400, 400) == 0,
	    "conflicting bytes that came first are the ones kept, and flagged", NULL);
	rte_pktmbuf_free(o.out);
	hyp_defrag_free(d);
}

static void
test_bounds(void)
{
	struct hyp_defrag *d;
	struct frame w, f;
	struct outcome o;
	uint64_t hz = rte_get_tsc_hz();

	whole4(&w, 1000, 1);
	d = make("bnd", 2, 4, 1 << 20, 2, false);
	{
		const struct piece p[] = { { 0, 200, true }, { 200, 200, true }, { 400, 200, true },
					   { 600, 200, true }, { 800, 208, false } };

		push_pieces(d, &w, 4, 1, p, 5, 1, &o);
	}
	tap(o.done == 0 && o.last == HYP_DEFRAG_DROPPED && stats(d).too_many_fragments == 1 &&
	    stats(d).datagrams_held == 0,
	    "a fifth fragment over a bound of 4: the datagram dropped whole", NULL);

	/* two datagrams held, a third refused; after the timeout it gets the room */
	memset(&o, 0, sizeof(o));
	frag_of(&w, 4, 0, 100, 0, 400, true, &f);
	push_frame(d, &f, 1, &o);
	frag_of(&w, 4, 0, 101, 0, 400, true, &f);
	push_frame(d, &f, 1, &o);
	frag_of(&w, 4, 0, 102, 0, 400, true, &f);
	push_frame(d, &f, 1, &o);
	tap(o.last == HYP_DEFRAG_DROPPED && stats(d).table_full == 1 &&
	    stats(d).datagrams_held == 2, "a third datagram with room for two: refused, counted",
	    NULL);
	push_frame(d, &f, 1 + 2 * hz, &o);
	tap(o.last == HYP_DEFRAG_HELD && stats(d).timeouts == 1 && stats(d).datagrams_held == 2,
	    "after the timeout the oldest gives way", "timeouts %lu held %lu",
	    (unsigned long)stats(d).timeouts, (unsigned long)stats(d).datagrams_held);
	tap(hyp_defrag_expire(d, 1 + 4 * hz, 8) == 2 && stats(d).timeouts == 3 &&
	    stats(d).timeout_fragments == 3 && stats(d).datagrams_held == 0 &&
	    stats(d).bytes_held == 0, "expire drops what timed out, with its fragments", NULL);
	hyp_defrag_free(d);

	/* the memory cap: 2 KB held at most */
	d = make("cap", 8, 64, 2048, 2, false);
	whole4(&w, 3500, 2);
	{
		const struct piece p[] = { { 0, 1480, true }, { 2960, 544, true } };

		push_pieces(d, &w, 4, 2, p, 2, 1, &o);
	}
	tap(o.last == HYP_DEFRAG_DROPPED && stats(d).memcap == 1 && stats(d).bytes_held == 0,
	    "a datagram past the memory cap: dropped whole, the cap's bytes back", NULL);
	hyp_defrag_free(d);

	/* impossible fragments */
	d = make("inv", 8, 64, 1 << 20, 2, false);
	whole4(&w, 1000, 3);
	{
		const struct piece odd[] = { { 0, 401, true } };
		const struct piece ends[] = { { 400, 200, false }, { 400, 300, false } };
		const struct piece past[] = { { 400, 200, false }, { 560, 400, true } };
		const struct piece beyond[] = { { 400, 600, true }, { 200, 200, false } };

		push_pieces(d, &w, 4, 30, odd, 1, 1, &o);
		tap(o.last == HYP_DEFRAG_DROPPED && stats(d).invalid == 1,
		    "more to come but not a multiple of 8 bytes: invalid", NULL);
		push_pieces(d, &w, 4, 31, ends, 2, 1, &o);
		tap(o.last == HYP_DEFRAG_DROPPED && stats(d).invalid == 2 &&
		    stats(d).datagrams_held == 0, "two different ends: invalid, dropped whole",
		    NULL);
		push_pieces(d, &w, 4, 32, past, 2, 1, &o);
		tap(o.last == HYP_DEFRAG_DROPPED && stats(d).invalid == 3,
		    "a fragment past the known end: invalid", NULL);
		push_pieces(d, &w, 4, 33, beyond, 2, 1, &o);
		tap(o.last == HYP_DEFRAG_DROPPED && stats(d).invalid == 4 && o.done == 0,
		    "an end below bytes already held: invalid", NULL);
	}
	tap(stats(d).datagrams_held == 0 && stats(d).bytes_held == 0,
	    "nothing held after the invalid ones", NULL);
	hyp_defrag_free(d);

	/* IPv6 past 65535: the last fragment ends at 65544 */
	d = make("big", 8, 64, 1 << 20, 2, false);
	whole6(&w, 100, false);
	memset(&o, 0, sizeof(o));
	frag_of(&w, 6, nh_byte_of(&w), 5, 0, 16, false, &f);
	/* the same 16 bytes, said to start at 65528 */
	pkt_set16(&f, w.l3 + 40 + 2, 65528);
	push_frame(d, &f, 1, &o);
	tap(o.last == HYP_DEFRAG_DROPPED && (o.flags & HYP_DEFRAG_F_TOO_LARGE) &&
	    stats(d).too_large == 1, "IPv6 fragment ending past 65535: too large", NULL);
	hyp_defrag_free(d);
}

static void
test_out_and_originals(void)
{
	struct hyp_defrag *d = make("ips", 8, 64, 1 << 20, 1, true);
	struct rte_mbuf *orig[8], *first = NULL, *held_out;
	struct frame w, f, f0;
	struct outcome o;
	unsigned int n, i;

	whole4(&w, 1000, 7);
	memset(&o, 0, sizeof(o));
	for (i = 0; i < 3; i++) {
		struct rte_mbuf *m;
		struct hyp_pkt_meta meta;
		struct rte_mbuf *out = NULL;

		frag_of(&w, 4, 0, 7, three[i].off, three[i].len, three[i].more, &f);
		if (i == 0)
			f0 = f;
		m = mbuf_of(&f);
		if (i == 0)
			first = m;
		hyp_flow_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &meta);
		o.last = hyp_defrag_push(d, m, &meta, 1, &out, &o.flags);
		if (out != NULL)
			o.out = out;
	}
	tap(o.last == HYP_DEFRAG_DONE && hyp_defrag_is_reassembled(o.out) && same_as(o.out, &w),
	    "ips: the datagram whole", NULL);
	n = hyp_defrag_take_originals(o.out, orig, RTE_DIM(orig));
	tap(n == 3 && orig[0] == first && orig[0]->data_len == f0.len &&
	    memcmp(rte_pktmbuf_mtod(orig[0], void *), f0.b, f0.len) == 0,
	    "ips: its three original fragments, in arrival order, unchanged", "n %u", n);
	tap(hyp_defrag_take_originals(o.out, orig, RTE_DIM(orig)) == 0,
	    "taken once only", NULL);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(orig[i]);

	/* one datagram out at once: a second complete one has no buffer */
	held_out = o.out;
	push_pieces(d, &w, 4, 8, three, 3, 1, &o);
	tap(o.last == HYP_DEFRAG_DROPPED && o.out == NULL && stats(d).no_mbuf == 1,
	    "with the one output buffer in use, a complete datagram is dropped, counted", NULL);
	rte_pktmbuf_free(held_out);
	/* a datagram freed with its originals still in it frees them too */
	push_pieces(d, &w, 4, 9, three, 3, 1, &o);
	tap(o.done == 1, "the output buffer is free again", NULL);
	rte_pktmbuf_free(o.out);
	hyp_defrag_free(d);
}

/* Random sequences: nothing crashes, nothing leaks, the pool is full again. */
static void
test_hostile(void)
{
	struct hyp_defrag *d = make("rnd", 16, 16, 64 * 1024, 4, true);
	struct frame w, f;
	struct outcome o;
	unsigned int i, parsed = 0;
	uint32_t s = 12345;

	whole4(&w, 1400, 1);
	memset(&o, 0, sizeof(o));
	for (i = 0; i < 20000; i++) {
		uint32_t off, len;

		s = s * 1103515245u + 12345u;
		off = (s >> 8) % 1408 & ~7u;
		len = 1 + (s >> 20) % (1408 - off);
		frag_of(&w, 4, 0, (s >> 4) % 8, off, len, (s & 1) != 0, &f);
		push_frame(d, &f, (uint64_t)i * rte_get_tsc_hz() / 4000, &o);
		parsed += !o.parse_failed;
		o.parse_failed = false;
		if (o.out != NULL) {
			rte_pktmbuf_free(o.out);
			o.out = NULL;
		}
	}
	hyp_defrag_free(d);
	tap(parsed > 10000 && rte_mempool_avail_count(pool) == POOL_N,
	    "20,000 random fragments: no crash, every mbuf back in the pool",
	    "parsed %u, pool %u of %u", parsed, rte_mempool_avail_count(pool), POOL_N);
}

int
main(void)
{
	int ret = test_eal_init("test_defrag");

	if (ret != 0)
		return ret;
	pool = rte_pktmbuf_pool_create("test_defrag", POOL_N, 0, 0, 2048 + RTE_PKTMBUF_HEADROOM,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		printf("Bail out! pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	test_orders();
	test_overlaps();
	test_bounds();
	test_out_and_originals();
	tap(rte_mempool_avail_count(pool) == POOL_N, "every mbuf back in the pool",
	    "%u of %u", rte_mempool_avail_count(pool), POOL_N);
	test_hostile();
	rte_mempool_free(pool);
	printf("1..%u\n", test_no);
	test_eal_cleanup();
	return failed;
}
