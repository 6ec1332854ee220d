/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the HTTP parser over one direction of a stream. The
 * first byte picks requests or responses and how the rest is cut into
 * chunks (the next bytes say how long each is). Whatever the bytes:
 *  - every buffer lies within its bounds (a body within its limit);
 *  - the events and every buffer are the same whether the stream comes in
 *    one piece or in the chunks: no cut changes what the rules see;
 *  - nothing is held once the direction is freed (ASan, and bytes_held
 *    back to 0).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hyp_http.h"

#define MAX_EV	64

struct trace {
	unsigned int n;
	uint8_t ev[MAX_EV];
	uint64_t h[MAX_EV];	/* FNV-1a over every buffer of the event */
};

static const struct hyp_http_limits lim = { 700, 900 };

static void
on_ev(void *arg, enum hyp_app_ev ev, const struct hyp_buf_set *b, const struct hyp_http_meta *m)
{
	struct trace *t = arg;
	uint64_t h = 1469598103934665603ull;
	unsigned int i, k;

	CHECK(ev > HYP_APP_EV_NONE && ev < HYP_APP_EV_MAX);
	CHECK(m->method != NULL && m->host != NULL && m->url != NULL && m->user_agent != NULL);
	CHECK(b->len[HYP_BUF_HTTP_REQUEST_BODY] <= lim.request_body);
	CHECK(b->len[HYP_BUF_HTTP_RESPONSE_BODY] <= lim.response_body);
	for (i = 0; i < HYP_BUF_MAX; i++) {
		CHECK(b->len[i] == 0 || b->p[i] != NULL);
		CHECK(b->len[i] <= 4 * HYP_HTTP_HEADER_MAX);
		for (k = 0; k < b->len[i]; k++)	/* ASan checks each byte is there */
			h = (h ^ b->p[i][k]) * 1099511628211ull;
		h = (h ^ b->len[i]) * 1099511628211ull;
	}
	if (t->n < MAX_EV) {
		t->ev[t->n] = (uint8_t)ev;
		t->h[t->n] = h;
	}
	t->n++;
}

static void
run(bool response, const uint8_t *d, size_t n, const uint8_t *cuts, size_t n_cuts,
    struct trace *t)
{
	struct hyp_http_stats st = { 0 };
	struct hyp_http_dir *dir;
	size_t off = 0, c = 0;

	CHECK(hyp_http_dir_new(response, &dir) == 0);
	while (off < n) {
		size_t len = n_cuts > 0 ? (size_t)cuts[c++ % n_cuts] % 97 + 1 : n - off;

		if (len > n - off)
			len = n - off;
		if (hyp_http_feed(dir, NULL, &lim, d + off, len, on_ev, t, &st) < 0)
			break;
		off += len;
	}
	hyp_http_end(dir, on_ev, t);
	hyp_http_dir_free(dir);
	CHECK(st.bytes_held == 0);	/* every byte of the buffers and zlib given back */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace whole = { 0 }, cut = { 0 };
	size_t n_cuts;

	if (size < 2)
		return 0;
	n_cuts = data[0] >> 1 & 15;
	if (n_cuts + 1 > size)
		return 0;
	run(data[0] & 1, data + 1 + n_cuts, size - 1 - n_cuts, NULL, 0, &whole);
	run(data[0] & 1, data + 1 + n_cuts, size - 1 - n_cuts, data + 1, n_cuts, &cut);
	CHECK(whole.n == cut.n);
	CHECK(memcmp(whole.ev, cut.ev, whole.n < MAX_EV ? whole.n : MAX_EV) == 0);
	CHECK(memcmp(whole.h, cut.h, (whole.n < MAX_EV ? whole.n : MAX_EV) * sizeof(whole.h[0])) == 0);
	return 0;
}
