/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_stream: a byte stream cut into segments in every way an attacker
 * would (one byte each, reversed, shuffled, repeated, overlapping with the
 * same or other bytes, across the sequence wrap) must come out whole and
 * in order, with what differed reported; every bound must give a counted
 * gap (ids) or a refusal (ips); nothing is held after the state is freed.
 * TAP.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_stream.h"
#include "tap.h"

#define SYN 0x02
#define FIN 0x01
#define RST 0x04
#define TEXT_LEN 4000

static uint8_t text[TEXT_LEN];

struct sink {
	uint8_t b[3 * TEXT_LEN];
	uint32_t len;
	unsigned int calls;
	unsigned int gaps;	/* told by a NULL delivery */
};

static void
collect(void *arg, const uint8_t *data, uint32_t len)
{
	struct sink *s = arg;

	if (data == NULL) {
		s->gaps++;
		return;
	}
	if (s->len + len <= sizeof(s->b))
		memcpy(s->b + s->len, data, len);
	s->len += len;
	s->calls++;
}

static struct hyp_stream_conf
conf(bool refuse)
{
	return (struct hyp_stream_conf){ .max_ooo_bytes = 64 * 1024, .max_ooo_segs = 256,
					 .retain = 8192, .memcap = 1 << 24, .midstream = true,
					 .refuse = refuse };
}

struct run {
	struct hyp_stream_ctx *c;
	struct hyp_stream_dir *d;
	struct sink out;
	uint32_t isn;
	uint32_t events;	/* of all segments */
	enum hyp_stream_result last;
};

static void
start(struct run *r, const struct hyp_stream_conf *cf, uint32_t isn, bool syn)
{
	uint32_t ev;

	memset(r, 0, sizeof(*r));
	r->c = hyp_stream_ctx_create(cf);
	if (r->c == NULL) {
		printf("Bail out! hyp_stream_ctx_create\n");
		exit(1);
	}
	r->isn = isn;
	if (syn)
		r->last = hyp_stream_segment(r->c, &r->d, isn, SYN, NULL, 0, collect, &r->out, &ev);
}

/* bytes [off, off + len) of data (text by default), at isn + 1 + off */
static void
seg(struct run *r, const uint8_t *data, uint32_t off, uint32_t len, uint8_t flags)
{
	uint32_t ev;

	r->last = hyp_stream_segment(r->c, &r->d, r->isn + 1 + off, flags, (data ? data : text) + off,
				     len, collect, &r->out, &ev);
	r->events |= ev;
}

static bool
got_text(const struct run *r, uint32_t n)
{
	return r->out.len == n && memcmp(r->out.b, text, n) == 0;
}

static struct hyp_stream_stats
stats(const struct run *r)
{
	struct hyp_stream_stats s;

	hyp_stream_get_stats(r->c, &s);
	return s;
}

static void
finish(struct run *r)
{
	hyp_stream_dir_free(r->c, r->d);
	if (stats(r).bytes_held != 0 || stats(r).directions != 0)
		tap(false, "nothing held after the direction is freed", "%lu bytes",
		    (unsigned long)stats(r).bytes_held);
	hyp_stream_ctx_free(r->c);
}

static void
test_orders(void)
{
	struct hyp_stream_conf cf = conf(false);
	struct run r;
	uint32_t i, ok = 0, seed;

	start(&r, &cf, 1000, true);
	seg(&r, NULL, 0, 1500, 0);
	seg(&r, NULL, 1500, 1500, 0);
	seg(&r, NULL, 3000, 1000, FIN);
	tap(got_text(&r, TEXT_LEN) && (r.events & HYP_STREAM_EV_END) &&
	    !(r.events & (HYP_STREAM_EV_OVERLAP | HYP_STREAM_EV_CONFLICT | HYP_STREAM_EV_GAP)),
	    "in order from the SYN: every byte once, in order, and the end at FIN", "len %u",
	    r.out.len);
	finish(&r);

	start(&r, &cf, 7, true);
	for (i = 0; i < TEXT_LEN; i++)
		seg(&r, NULL, i, 1, 0);
	tap(got_text(&r, TEXT_LEN) && r.out.calls == TEXT_LEN, "one byte per segment", NULL);
	finish(&r);

	start(&r, &cf, 7, true);
	for (i = 4; i-- > 0;)
		seg(&r, NULL, i * 1000, 1000, 0);
	tap(got_text(&r, TEXT_LEN) && stats(&r).out_of_order == 3 && r.out.calls == 4,
	    "reversed: all of it once the first arrives", "len %u ooo %lu", r.out.len,
	    (unsigned long)stats(&r).out_of_order);
	finish(&r);

	/* 20 random orders of 100 segments of random sizes, some sent twice */
	for (seed = 1; seed <= 20; seed++) {
		uint32_t cut[101], order[130], n = 0, k;

		srand(seed);
		cut[0] = 0;
		for (i = 1; i < 100; i++)
			cut[i] = (uint32_t)rand() % TEXT_LEN;
		cut[100] = TEXT_LEN;
		for (i = 1; i < 101; i++)
			for (k = i; k > 1 && cut[k - 1] > cut[k]; k--) {
				uint32_t t = cut[k];

				cut[k] = cut[k - 1];
				cut[k - 1] = t;
			}
		for (i = 0; i < 100; i++)
			order[n++] = i;
		for (i = 0; i < 30; i++)
			order[n++] = (uint32_t)rand() % 100;
		for (i = n - 1; i > 0; i--) {
			k = (uint32_t)rand() % (i + 1);
			uint32_t t = order[i];

			order[i] = order[k];
			order[k] = t;
		}
		start(&r, &cf, 0xfffff000u + seed, true);	/* across the wrap */
		for (i = 0; i < n; i++)
			seg(&r, NULL, cut[order[i]], cut[order[i] + 1] - cut[order[i]], 0);
		ok += got_text(&r, TEXT_LEN) && !(r.events & HYP_STREAM_EV_CONFLICT);
		finish(&r);
	}
	tap(ok == 20, "20 random orders with repeats, across the sequence wrap: whole, "
	    "no conflict", "%u of 20", ok);
}

static void
test_overlaps(void)
{
	struct hyp_stream_conf cf = conf(false);
	uint8_t evil[TEXT_LEN];
	struct run r;

	memcpy(evil, text, TEXT_LEN);
	memset(evil + 1000, 'X', 1000);

	start(&r, &cf, 1, true);
	seg(&r, NULL, 0, 2000, 0);
	seg(&r, NULL, 500, 1000, 0);
	tap(got_text(&r, 2000) && r.events == HYP_STREAM_EV_OVERLAP && stats(&r).overlaps == 1,
	    "delivered bytes again, the same: an overlap, not delivered twice", "events %x",
	    r.events);
	seg(&r, evil, 1000, 1500, 0);
	tap(r.out.len == 2500 && memcmp(r.out.b, text, 2000) == 0 &&
	    memcmp(r.out.b + 2000, evil + 2000, 500) == 0 &&
	    (r.events & HYP_STREAM_EV_CONFLICT) && stats(&r).conflicts == 1,
	    "delivered bytes again, different, with new ones after: a conflict, the first "
	    "bytes stay, the new ones delivered", "len %u", r.out.len);
	finish(&r);

	/* waiting segments: the one that came first wins */
	start(&r, &cf, 1, true);
	seg(&r, NULL, 1500, 1000, 0);		/* waits: text 1500-2500 */
	seg(&r, evil, 1000, 2000, 0);		/* waits: evil 1000-1500 and 2500-3000 */
	seg(&r, NULL, 0, 1000, 0);		/* fills the hole */
	tap(r.out.len == 3000 && memcmp(r.out.b, text, 1000) == 0 &&
	    memcmp(r.out.b + 1000, evil + 1000, 500) == 0 &&
	    memcmp(r.out.b + 1500, text + 1500, 1000) == 0 &&
	    memcmp(r.out.b + 2500, evil + 2500, 500) == 0 && (r.events & HYP_STREAM_EV_CONFLICT),
	    "a segment over one waiting: cut around it, the waiting bytes win, the "
	    "difference reported", "len %u events %x", r.out.len, r.events);
	finish(&r);
}

static void
test_control(void)
{
	struct hyp_stream_conf cf = conf(false);
	struct run r;

	cf.midstream = false;
	start(&r, &cf, 1, false);
	seg(&r, NULL, 0, 100, 0);
	tap(r.last == HYP_STREAM_UNTRACKED && r.out.len == 0 && stats(&r).untracked == 1,
	    "no SYN and no midstream pickup: untracked", NULL);
	finish(&r);
	cf.midstream = true;
	start(&r, &cf, 1, false);
	seg(&r, NULL, 200, 100, 0);
	seg(&r, NULL, 300, 100, 0);
	tap(r.out.len == 200 && memcmp(r.out.b, text + 200, 200) == 0 &&
	    stats(&r).midstream == 1, "midstream: picked up at the first segment seen", NULL);
	finish(&r);

	start(&r, &cf, 100, true);
	seg(&r, NULL, 0, 100, 0);
	{
		uint32_t ev;

		hyp_stream_segment(r.c, &r.d, 5000, SYN, NULL, 0, collect, &r.out, &ev);
		r.events |= ev;
	}
	seg(&r, NULL, 100, 100, 0);
	tap(got_text(&r, 200) && !(r.events & HYP_STREAM_EV_START),
	    "a SYN after delivered bytes is ignored, as the receiver does", NULL);
	finish(&r);

	start(&r, &cf, 100, true);
	seg(&r, NULL, 1000, 100, FIN);		/* the FIN ahead of its data */
	tap(!(r.events & HYP_STREAM_EV_END), "a FIN ahead of missing bytes is not the end", NULL);
	seg(&r, NULL, 0, 1000, 0);
	tap(got_text(&r, 1100) && (r.events & HYP_STREAM_EV_END),
	    "the end once the bytes before the FIN arrived", NULL);
	seg(&r, NULL, 1100, 100, 0);
	tap(r.out.len == 1100, "nothing after the end", NULL);
	finish(&r);

	start(&r, &cf, 100, true);
	seg(&r, NULL, 0, 100, 0);
	seg(&r, NULL, 500, 100, 0);
	r.events = 0;
	seg(&r, NULL, 100, 0, RST);
	seg(&r, NULL, 100, 400, 0);
	tap(r.out.len == 100 && (r.events & HYP_STREAM_EV_END) && stats(&r).bytes_held > 0,
	    "RST: the end, waiting bytes dropped, nothing after", NULL);
	finish(&r);
}

static void
test_bounds(void)
{
	struct hyp_stream_conf cf = conf(false);
	struct run r;
	uint32_t i;

	cf.max_ooo_segs = 4;
	start(&r, &cf, 1, true);
	for (i = 1; i <= 5; i++)
		seg(&r, NULL, i * 100, 100, 0);	/* bytes 0-100 never come */
	tap((r.events & HYP_STREAM_EV_GAP) && stats(&r).gaps == 1 && r.out.gaps == 1 &&
	    r.out.len == 500 &&
	    memcmp(r.out.b, text + 100, 500) == 0,
	    "ids: a fifth segment waiting over a bound of 4: the hole skipped, the rest delivered",
	    "len %u gaps %lu", r.out.len, (unsigned long)stats(&r).gaps);
	finish(&r);

	cf = conf(true);
	cf.max_ooo_segs = 4;
	start(&r, &cf, 1, true);
	for (i = 1; i <= 5; i++)
		seg(&r, NULL, i * 100, 100, 0);
	tap(r.last == HYP_STREAM_REFUSED && stats(&r).refused == 1 && r.out.len == 0,
	    "ips: the same segment refused (dropped, to be sent again)", NULL);
	seg(&r, NULL, 0, 100, 0);
	seg(&r, NULL, 500, 100, 0);
	tap(got_text(&r, 600), "ips: once the hole is filled and the refused one resent: whole",
	    "len %u", r.out.len);
	finish(&r);

	cf = conf(false);
	cf.memcap = 100;
	start(&r, &cf, 1, true);
	tap(r.last == HYP_STREAM_UNTRACKED && r.d == NULL && stats(&r).memcap == 1,
	    "the memory cap: no room for a direction's state, untracked", NULL);
	finish(&r);
}

/* hyp_stream_dir_recent() from the callback: the bytes just before, never across a gap */
struct recent_check {
	struct run *r;
	uint32_t max;
	uint64_t since_gap;	/* bytes delivered since the start or the last gap */
	uint64_t total;
	unsigned int calls, bad;
	bool after_gap_empty;
};

static void
recent_collect(void *arg, const uint8_t *data, uint32_t len)
{
	struct recent_check *k = arg;
	uint8_t buf[512];
	uint64_t off = 0;
	uint32_t n, want;

	if (data == NULL) {
		k->since_gap = 0;
		return;
	}
	n = hyp_stream_dir_recent(k->r->c, k->r->d, buf, k->max, &off);
	want = (uint32_t)(k->since_gap < k->max ? k->since_gap : k->max);
	if (want > 100)
		want = 100;	/* the context's retain */
	if (n != want || off != k->total - n ||
	    (k->since_gap == k->total && memcmp(buf, text + k->total - n, n) != 0))
		k->bad++;
	if (k->since_gap != k->total && k->since_gap == 0)
		k->after_gap_empty = n == 0;
	k->calls++;
	k->since_gap += len;
	k->total += len;
}

static void
test_recent(void)
{
	struct hyp_stream_conf cf = conf(false);
	struct recent_check k = { 0 };
	static const uint32_t cuts[] = { 1, 7, 99, 100, 101, 250, 3, 64, 1, 180 };
	struct run r;
	uint32_t off = 0, i, ev;

	cf.retain = 100;
	start(&r, &cf, 77, true);
	k.r = &r;
	k.max = 60;
	/* in order, then the next ten reversed (they wait, then drain at once) */
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		hyp_stream_segment(r.c, &r.d, r.isn + 1 + off, 0, text + off, cuts[i],
				   recent_collect, &k, &ev);
		off += cuts[i];
	}
	for (i = 10; i > 0; i--)
		hyp_stream_segment(r.c, &r.d, r.isn + 1 + off + (i - 1) * 13, 0,
				   text + off + (i - 1) * 13, 13, recent_collect, &k, &ev);
	off += 130;
	tap(k.bad == 0 && k.total == off, "recent bytes: the last min(max, retain) delivered",
	    "%u of %u deliveries wrong, %lu delivered", k.bad, k.calls, (unsigned long)k.total);
	k.max = 512;
	hyp_stream_segment(r.c, &r.d, r.isn + 1 + off, 0, text + off, 300, recent_collect, &k, &ev);
	hyp_stream_segment(r.c, &r.d, r.isn + 1 + off + 300, 0, text + off + 300, 5, recent_collect,
			   &k, &ev);
	tap(k.bad == 0, "recent bytes: at most retain", "%u wrong", k.bad);
	finish(&r);

	/* a gap: nothing from before it, the offset still counts every byte (600.. waits) */
	cf = conf(false);
	cf.max_ooo_segs = 1;
	start(&r, &cf, 5000, true);
	memset(&k, 0, sizeof(k));
	k.r = &r;
	k.max = 60;
	hyp_stream_segment(r.c, &r.d, r.isn + 1, 0, text, 200, recent_collect, &k, &ev);
	hyp_stream_segment(r.c, &r.d, r.isn + 1 + 500, 0, text + 500, 10, recent_collect, &k, &ev);
	hyp_stream_segment(r.c, &r.d, r.isn + 1 + 600, 0, text + 600, 10, recent_collect, &k, &ev);
	tap(k.bad == 0 && k.after_gap_empty && k.total == 210,
	    "recent bytes: none from before a gap", "%u wrong, empty %d, %lu delivered", k.bad,
	    k.after_gap_empty, (unsigned long)k.total);
	finish(&r);
}

int
main(void)
{
	uint32_t i;

	for (i = 0; i < TEXT_LEN; i++)
		text[i] = (uint8_t)(i * 31 + i / 257);
	test_orders();
	test_overlaps();
	test_control();
	test_bounds();
	test_recent();
	printf("1..%u\n", test_no);
	return failed;
}
