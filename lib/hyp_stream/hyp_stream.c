/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP reassembly (see hyp_stream.h). A direction is the next byte expected,
 * the segments waiting ahead of it (sorted, never overlapping: a later
 * segment is cut around the bytes already waiting, so the bytes that came
 * first win), and a ring of the last bytes delivered, to compare what
 * arrives again. Sequence numbers compare modulo 2^32.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_stream.h"
#include "hyp_xdp_shared.h"	/* HYP_TCP_* */

/* a segment is cut around those waiting into at most this many pieces */
#define MAX_PIECES	64

const struct hyp_stat_desc hyp_stream_stat_descs[] = {
	HYP_STAT(struct hyp_stream_stats, segments, COUNTER, "TCP segments taken for reassembly"),
	HYP_STAT(struct hyp_stream_stats, bytes_delivered, COUNTER,
		 "Stream bytes delivered in order to inspection"),
	HYP_STAT(struct hyp_stream_stats, out_of_order, COUNTER,
		 "Segments that arrived ahead of the expected byte and waited"),
	HYP_STAT(struct hyp_stream_stats, overlaps, COUNTER,
		 "Segments with bytes already delivered or waiting, the same bytes"),
	HYP_STAT(struct hyp_stream_stats, conflicts, COUNTER,
		 "Segments with bytes already delivered or waiting, different ones (an evasion)"),
	HYP_STAT(struct hyp_stream_stats, gaps, COUNTER,
		 "Holes skipped (ids): the bytes after them inspected as a new stream"),
	HYP_STAT(struct hyp_stream_stats, refused, COUNTER,
		 "Segments refused (ips) because they could not wait: dropped, to be resent"),
	HYP_STAT(struct hyp_stream_stats, memcap, COUNTER,
		 "Segments or directions the memory cap did not let wait"),
	HYP_STAT(struct hyp_stream_stats, midstream, COUNTER,
		 "Directions picked up without their SYN"),
	HYP_STAT(struct hyp_stream_stats, untracked, COUNTER,
		 "Segments of directions without a SYN, not picked up (inspected alone)"),
	HYP_STAT(struct hyp_stream_stats, directions, GAUGE, "Directions tracked now"),
	HYP_STAT(struct hyp_stream_stats, bytes_held, GAUGE,
		 "Bytes held now: waiting segments, retained bytes, state"),
};
const unsigned int hyp_stream_stat_count = sizeof(hyp_stream_stat_descs) /
					   sizeof(hyp_stream_stat_descs[0]);
_Static_assert(sizeof(hyp_stream_stat_descs) / sizeof(hyp_stream_stat_descs[0]) ==
	       sizeof(struct hyp_stream_stats) / sizeof(uint64_t),
	       "a counter of struct hyp_stream_stats without its row");

struct seg {
	uint32_t seq;
	uint32_t len;
	uint8_t *data;
};

struct hyp_stream_dir {
	uint32_t next;		/* the next byte expected */
	uint32_t fin;		/* the byte after the last, once FIN was seen */
	bool started, fin_seen, ended;
	bool from_syn;		/* started at its SYN: the sequence space is known */
	bool gapped;		/* bytes were skipped since */
	uint64_t delivered;
	uint32_t n_ooo;
	uint32_t ooo_bytes;
	struct seg *ooo;	/* max_ooo_segs, sorted by seq */
	uint8_t *ring;		/* the last retain bytes delivered */
	uint32_t ring_len;	/* covering [next - ring_len, next) */
	uint32_t ring_head;	/* where the next byte goes */
};

struct hyp_stream_ctx {
	struct hyp_stream_conf c;
	struct hyp_stream_stats st;
};

static inline int32_t
seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

struct hyp_stream_ctx *
hyp_stream_ctx_create(const struct hyp_stream_conf *c)
{
	struct hyp_stream_ctx *x;

	if (c == NULL || c->max_ooo_segs == 0 || c->max_ooo_segs > 4096) {
		errno = EINVAL;
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	x->c = *c;
	return x;
}

void
hyp_stream_ctx_free(struct hyp_stream_ctx *c)
{
	free(c);
}

static bool
fits(const struct hyp_stream_ctx *c, uint64_t more)
{
	return c->st.bytes_held + more <= c->c.memcap;
}

static void
ooo_clear(struct hyp_stream_ctx *c, struct hyp_stream_dir *d)
{
	uint32_t i;

	for (i = 0; i < d->n_ooo; i++)
		free(d->ooo[i].data);
	c->st.bytes_held -= d->ooo_bytes;
	d->n_ooo = 0;
	d->ooo_bytes = 0;
}

void
hyp_stream_dir_free(struct hyp_stream_ctx *c, struct hyp_stream_dir *d)
{
	if (d == NULL)
		return;
	ooo_clear(c, d);
	if (d->ooo != NULL)
		c->st.bytes_held -= c->c.max_ooo_segs * sizeof(*d->ooo);
	if (d->ring != NULL)
		c->st.bytes_held -= c->c.retain;
	c->st.bytes_held -= sizeof(*d);
	c->st.directions--;
	free(d->ooo);
	free(d->ring);
	free(d);
}

/* Compare [seq, seq + len) with what was delivered and is still retained. */
static uint32_t
cmp_delivered(const struct hyp_stream_ctx *c, const struct hyp_stream_dir *d, uint32_t seq,
	      const uint8_t *data, uint32_t len)
{
	uint32_t lo = d->next - d->ring_len, i, differ = 0, seen = 0;

	if (d->ring == NULL || d->ring_len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		uint32_t s = seq + i, back;

		if (seq_diff(s, lo) < 0 || seq_diff(s, d->next) >= 0)
			continue;
		back = d->next - s;	/* 1..ring_len bytes back from the head */
		seen = 1;
		differ |= d->ring[(d->ring_head + c->c.retain - back) % c->c.retain] != data[i];
	}
	return differ ? HYP_STREAM_EV_CONFLICT : seen ? HYP_STREAM_EV_OVERLAP : 0;
}

static void
emit(struct hyp_stream_ctx *c, struct hyp_stream_dir *d, const uint8_t *data, uint32_t len,
     hyp_stream_deliver_t deliver, void *arg)
{
	uint32_t from = len > c->c.retain ? len - c->c.retain : 0;

	deliver(arg, data, len);
	if (d->ring != NULL) {
		/* the last retain bytes, in at most two copies around the ring's end */
		uint32_t n = len - from, first = c->c.retain - d->ring_head;

		if (first > n)
			first = n;
		memcpy(d->ring + d->ring_head, data + from, first);
		memcpy(d->ring, data + from + first, n - first);
		d->ring_head = (d->ring_head + n) % c->c.retain;
		d->ring_len = d->ring_len + n > c->c.retain ? c->c.retain : d->ring_len + n;
	}
	d->next += len;
	d->delivered += len;
	c->st.bytes_delivered += len;
}

/* The part of [seq, seq + len) from the expected byte on; the rest compared. */
static uint32_t
take(struct hyp_stream_ctx *c, struct hyp_stream_dir *d, uint32_t seq, const uint8_t *data,
     uint32_t len, hyp_stream_deliver_t deliver, void *arg)
{
	uint32_t old = (uint32_t)-seq_diff(seq, d->next), ev;

	if (old > len)
		old = len;
	ev = old ? cmp_delivered(c, d, seq, data, old) : 0;
	if (len > old)
		emit(c, d, data + old, len - old, deliver, arg);
	return ev;
}

/* Deliver what waited and is now at (or before) the expected byte. */
static uint32_t
drain(struct hyp_stream_ctx *c, struct hyp_stream_dir *d, hyp_stream_deliver_t deliver,
      void *arg)
{
	uint32_t ev = 0;

	while (d->n_ooo > 0 && seq_diff(d->ooo[0].seq, d->next) <= 0) {
		struct seg s = d->ooo[0];

		ev |= take(c, d, s.seq, s.data, s.len, deliver, arg);
		free(s.data);
		d->ooo_bytes -= s.len;
		c->st.bytes_held -= s.len;
		memmove(&d->ooo[0], &d->ooo[1], (d->n_ooo - 1) * sizeof(*d->ooo));
		d->n_ooo--;
	}
	return ev;
}

/*
 * Make [seq, seq + len) wait: the pieces of it not already waiting (those
 * are compared instead). -ENOSPC if a bound does not let it.
 */
static int
wait_seg(struct hyp_stream_ctx *c, struct hyp_stream_dir *d, uint32_t seq, const uint8_t *data,
	 uint32_t len, uint32_t *ev)
{
	struct seg piece[MAX_PIECES];
	uint32_t n = 0, pos = seq, end = seq + len, i, j, total = 0;

	if (d->ooo == NULL) {
		if (!fits(c, c->c.max_ooo_segs * sizeof(*d->ooo)))
			return -ENOSPC;
		d->ooo = calloc(c->c.max_ooo_segs, sizeof(*d->ooo));
		if (d->ooo == NULL)
			return -ENOSPC;
		c->st.bytes_held += c->c.max_ooo_segs * sizeof(*d->ooo);
	}
	/* the pieces between the segments already waiting */
	for (i = 0; i < d->n_ooo && seq_diff(pos, end) < 0; i++) {
		const struct seg *w = &d->ooo[i];
		uint32_t wend = w->seq + w->len;

		if (seq_diff(wend, pos) <= 0)
			continue;
		if (seq_diff(w->seq, end) >= 0)
			break;
		if (seq_diff(w->seq, pos) > 0) {
			if (n == MAX_PIECES)
				return -ENOSPC;
			piece[n++] = (struct seg){ pos, w->seq - pos, NULL };
		}
		/* the bytes both have: compare */
		{
			uint32_t lo = seq_diff(w->seq, pos) > 0 ? w->seq : pos;
			uint32_t hi = seq_diff(wend, end) < 0 ? wend : end;

			*ev |= memcmp(w->data + (lo - w->seq), data + (lo - seq), hi - lo) != 0 ?
				HYP_STREAM_EV_CONFLICT : HYP_STREAM_EV_OVERLAP;
			pos = hi;
		}
	}
	if (seq_diff(pos, end) < 0) {
		if (n == MAX_PIECES)
			return -ENOSPC;
		piece[n++] = (struct seg){ pos, end - pos, NULL };
	}
	for (i = 0; i < n; i++)
		total += piece[i].len;
	if (d->n_ooo + n > c->c.max_ooo_segs || d->ooo_bytes + total > c->c.max_ooo_bytes ||
	    !fits(c, total))
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		piece[i].data = malloc(piece[i].len);
		if (piece[i].data == NULL) {
			for (j = 0; j < i; j++)
				free(piece[j].data);
			return -ENOSPC;
		}
		memcpy(piece[i].data, data + (piece[i].seq - seq), piece[i].len);
	}
	/* insert each where it sorts */
	for (i = 0; i < n; i++) {
		for (j = 0; j < d->n_ooo && seq_diff(d->ooo[j].seq, piece[i].seq) < 0; j++)
			;
		memmove(&d->ooo[j + 1], &d->ooo[j], (d->n_ooo - j) * sizeof(*d->ooo));
		d->ooo[j] = piece[i];
		d->n_ooo++;
	}
	d->ooo_bytes += total;
	c->st.bytes_held += total;
	return 0;
}

enum hyp_stream_result
hyp_stream_segment(struct hyp_stream_ctx *c, struct hyp_stream_dir **dp, uint32_t seq,
		   uint8_t flags, const uint8_t *payload, uint32_t len,
		   hyp_stream_deliver_t deliver, void *arg, uint32_t *events)
{
	struct hyp_stream_dir *d = *dp;
	uint32_t ev = 0;

	*events = 0;
	c->st.segments++;
	if (d == NULL) {
		if (!fits(c, sizeof(*d) + c->c.retain)) {
			c->st.memcap++;
			return c->c.refuse ? HYP_STREAM_REFUSED : HYP_STREAM_UNTRACKED;
		}
		d = calloc(1, sizeof(*d));
		if (d == NULL)
			return c->c.refuse ? HYP_STREAM_REFUSED : HYP_STREAM_UNTRACKED;
		if (c->c.retain != 0) {
			d->ring = malloc(c->c.retain);
			if (d->ring == NULL) {
				free(d);
				return c->c.refuse ? HYP_STREAM_REFUSED : HYP_STREAM_UNTRACKED;
			}
			c->st.bytes_held += c->c.retain;
		}
		c->st.bytes_held += sizeof(*d);
		c->st.directions++;
		*dp = d;
	}
	if (flags & HYP_TCP_RST) {
		/* the receiver takes nothing after it */
		ooo_clear(c, d);
		d->ended = true;
		*events = HYP_STREAM_EV_END;
		return HYP_STREAM_OK;
	}
	if (flags & HYP_TCP_SYN) {
		/*
		 * A SYN starts the direction; once bytes were delivered the
		 * receiver ignores one (RFC 5961), and so do we: an attacker's
		 * SYN must not reset what we have seen.
		 */
		if (d->delivered == 0 && d->n_ooo == 0) {
			if (d->started && d->next != seq + 1)
				ev |= HYP_STREAM_EV_START;
			else if (!d->started)
				ev |= HYP_STREAM_EV_START;
			d->started = true;
			d->from_syn = true;
			d->gapped = false;
			d->ended = d->fin_seen = false;
			d->next = seq + 1;
			d->ring_len = 0;
		}
		seq += 1;
	}
	if (!d->started) {
		if (!c->c.midstream) {
			c->st.untracked++;
			return HYP_STREAM_UNTRACKED;
		}
		d->started = true;
		d->next = seq;
		c->st.midstream++;
	}
	if (d->ended) {
		*events = ev;
		return HYP_STREAM_OK;
	}
	if ((flags & HYP_TCP_FIN) && !d->fin_seen) {
		d->fin_seen = true;
		d->fin = seq + len;
	}
	if (len > 0 && seq_diff(seq, d->next) <= 0) {
		ev |= take(c, d, seq, payload, len, deliver, arg);
		ev |= drain(c, d, deliver, arg);
	} else if (len > 0) {
		uint32_t wev = 0;

		if (wait_seg(c, d, seq, payload, len, &wev) == 0) {
			ev |= wev;
			c->st.out_of_order++;
		} else if (c->c.refuse) {
			c->st.refused++;
			*events = ev;
			return HYP_STREAM_REFUSED;
		} else {
			/*
			 * It cannot wait: skip the hole to what waits first
			 * (or this segment) and go on from there, as new.
			 */
			if (!fits(c, 0))
				c->st.memcap++;
			c->st.gaps++;
			d->gapped = true;
			ev |= HYP_STREAM_EV_GAP;
			deliver(arg, NULL, 0);
			d->next = d->n_ooo > 0 && seq_diff(d->ooo[0].seq, seq) < 0 ? d->ooo[0].seq : seq;
			d->ring_len = 0;
			ev |= drain(c, d, deliver, arg);
			if (seq_diff(seq, d->next) <= 0)
				ev |= take(c, d, seq, payload, len, deliver, arg);
			else if (wait_seg(c, d, seq, payload, len, &wev) == 0)
				ev |= wev;
			else {
				d->next = seq;
				ooo_clear(c, d);
				ev |= take(c, d, seq, payload, len, deliver, arg);
			}
			ev |= drain(c, d, deliver, arg);
		}
	}
	if (ev & HYP_STREAM_EV_CONFLICT)
		c->st.conflicts++;
	else if (ev & HYP_STREAM_EV_OVERLAP)
		c->st.overlaps++;
	if (d->fin_seen && d->next == d->fin) {
		d->ended = true;
		ooo_clear(c, d);
		ev |= HYP_STREAM_EV_END;
	}
	*events = ev;
	return HYP_STREAM_OK;
}

uint32_t
hyp_stream_dir_recent(const struct hyp_stream_ctx *c, const struct hyp_stream_dir *d,
		      uint8_t *out, uint32_t max, uint64_t *offset)
{
	uint32_t n, from, first;

	*offset = d != NULL ? d->delivered : 0;
	if (d == NULL || d->ring == NULL || c->c.retain == 0)
		return 0;
	n = d->ring_len < max ? d->ring_len : max;
	/* the ring's last n bytes end at ring_head, maybe wrapping around its end */
	from = (d->ring_head + c->c.retain - n) % c->c.retain;
	first = c->c.retain - from;
	if (first > n)
		first = n;
	memcpy(out, d->ring + from, first);
	memcpy(out + first, d->ring, n - first);
	*offset = d->delivered - n;
	return n;
}

bool
hyp_stream_dir_vouched(const struct hyp_stream_dir *d)
{
	return d != NULL && d->from_syn && !d->gapped;
}

void
hyp_stream_get_stats(const struct hyp_stream_ctx *c, struct hyp_stream_stats *st)
{
	*st = c->st;
}
