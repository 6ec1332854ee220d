/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the TCP reassembler. The input is a script of
 * segments, 6 bytes each: flags, offset, length, which copy of the bytes
 * (the true ones, or an attacker's). Each carries those bytes of a fixed
 * 4 KB stream at ISN + 1 + offset. Whatever order, overlap and repetition
 * the script makes:
 *  - what is delivered, in order, is a prefix of some mix of the two
 *    copies in which every byte is the one that came first, so when only
 *    the true copy is sent, it is exactly the true stream's first bytes;
 *  - every byte is delivered at most once, gaps only when one is reported;
 *  - nothing is held once the direction is freed.
 * Bounds are small so that gaps, refusals and the memory cap are reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hyp_stream.h"

#define LEN	4096
#define OP	6

static uint8_t truth[LEN], fake[LEN];

struct out {
	uint8_t b[LEN];
	uint32_t len;		/* delivered since the last gap */
	uint32_t total;
	uint32_t gaps;
	int fake_sent;
};

static void
deliver(void *arg, const uint8_t *data, uint32_t len)
{
	struct out *o = arg;

	if (data == NULL) {
		o->gaps++;
		o->len = 0;
		return;
	}
	CHECK(len > 0);
	o->total += len;
	CHECK(o->total <= LEN);		/* never a byte twice */
	if (o->len + len <= LEN)
		memcpy(o->b + o->len, data, len);
	o->len += len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hyp_stream_conf c = {
		.max_ooo_bytes = 1024, .max_ooo_segs = 8, .retain = 256, .memcap = 8192,
		.midstream = size % 3 != 0, .refuse = size % 2 == 0,
	};
	struct hyp_stream_ctx *ctx;
	struct hyp_stream_dir *d = NULL;
	struct hyp_stream_stats st;
	struct out o = { 0 };
	uint32_t isn = 0xfffffe00u, ev, i;
	size_t k;

	if (truth[1] == 0)
		for (i = 0; i < LEN; i++) {
			truth[i] = (uint8_t)(i * 7 + 1);
			fake[i] = (uint8_t)~truth[i];
		}
	ctx = hyp_stream_ctx_create(&c);
	CHECK(ctx != NULL);
	for (k = 0; k + OP <= size; k += OP) {
		const uint8_t *op = data + k;
		uint32_t off = ((uint32_t)op[1] << 8 | op[2]) % LEN;
		uint32_t len = ((uint32_t)op[3] << 8 | op[4]) % 600;
		uint8_t flags = op[0] & 0x07;	/* FIN, SYN, RST */
		const uint8_t *copy = (op[5] & 1) ? fake : truth;

		if (flags & 0x02)
			off = 0;	/* a SYN's data (TFO) starts the stream */
		if (off + len > LEN)
			len = LEN - off;
		o.fake_sent |= copy == fake;
		/* a SYN's sequence number is the ISN itself */
		hyp_stream_segment(ctx, &d, (flags & 0x02) ? isn : isn + 1 + off, flags,
				   copy + off, len, deliver, &o, &ev);
		if (ev & HYP_STREAM_EV_GAP)
			CHECK(o.gaps > 0);
	}
	/* with only the true bytes sent and no gap: the stream's own prefix */
	if (!o.fake_sent && o.gaps == 0 && d != NULL && o.len > 0) {
		const uint8_t *base = truth;
		uint32_t j;

		/* a midstream pickup starts anywhere: find where */
		for (j = 0; j + o.len <= LEN; j++)
			if (memcmp(base + j, o.b, o.len) == 0)
				break;
		CHECK(j + o.len <= LEN);
	}
	hyp_stream_dir_free(ctx, d);
	hyp_stream_get_stats(ctx, &st);
	CHECK(st.bytes_held == 0 && st.directions == 0);
	hyp_stream_ctx_free(ctx);
	return 0;
}
