/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the TLS reader over one direction of a stream. The
 * first byte picks a client or a server direction and how the rest is cut
 * into chunks (the next bytes say how long each is). Whatever the bytes:
 *  - every buffer lies within its bounds, the server_name within a
 *    message, the names within what libcrypto rendered;
 *  - the events and every buffer are the same whether the stream comes in
 *    one piece or in the chunks, and so is the result (TLS or not): no cut
 *    changes what the rules see;
 *  - a server direction's certificate meta names the peer's server_name;
 *  - at most one message is held, and freeing gives every byte back;
 *  - nothing is held once the direction is freed (ASan).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hyp_tls.h"

#define MAX_EV	64

struct trace {
	unsigned int n;
	uint8_t ev[MAX_EV];
	uint64_t h[MAX_EV];	/* FNV-1a over every buffer of the event */
};

static void
on_ev(void *arg, enum hyp_app_ev ev, const struct hyp_buf_set *b, const struct hyp_tls_meta *m)
{
	struct trace *t = arg;
	uint64_t h = 1469598103934665603ull;
	unsigned int i, k;

	CHECK(ev == HYP_TLS_EV_HELLO || ev == HYP_TLS_EV_CERT);
	CHECK(m->sni != NULL && m->version != NULL && m->subject != NULL && m->issuer != NULL &&
	      m->serial != NULL && m->fingerprint != NULL);
	CHECK(strlen(m->sni) < HYP_TLS_SNI_KEEP);
	for (i = 0; i < HYP_BUF_MAX; i++) {
		CHECK(b->len[i] == 0 || b->p[i] != NULL);
		CHECK(b->len[i] == 0 || hyp_buf_is_tls(i));
		CHECK(b->len[i] <= 4 * HYP_TLS_MSG_MAX);
		for (k = 0; k < b->len[i]; k++)	/* ASan checks each byte is there */
			h = (h ^ b->p[i][k]) * 1099511628211ull;
		h = (h ^ b->len[i]) * 1099511628211ull;
	}
	if (ev == HYP_TLS_EV_HELLO)
		CHECK(b->len[HYP_BUF_TLS_SNI] > 0 && b->len[HYP_BUF_TLS_SNI] <= HYP_TLS_MSG_MAX);
	else
		CHECK(b->len[HYP_BUF_TLS_SNI] == 0 && strlen(m->fingerprint) == 59 &&
		      strcmp(m->sni, "p") == 0);
	if (t->n < MAX_EV) {
		t->ev[t->n] = (uint8_t)ev;
		t->h[t->n] = h;
	}
	t->n++;
}

/* a client hello the server direction's peer had: its meta must come through */
static const uint8_t peer_hello[] = {
	0x16, 0x03, 0x01, 0x00, 0x39, 0x01, 0x00, 0x00, 0x35, 0x03, 0x03,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0x00, 0x00, 0x02, 0xc0, 0x2b, 0x01, 0x00, 0x00, 0x0a,
	0x00, 0x00, 0x00, 0x06, 0x00, 0x04, 0x00, 0x00, 0x01, 'p',
};

static void
peer_cb(void *arg, enum hyp_app_ev ev, const struct hyp_buf_set *b, const struct hyp_tls_meta *m)
{
	(void)arg;
	(void)ev;
	(void)b;
	(void)m;
}

static bool
run(bool server, const uint8_t *d, size_t n, const uint8_t *cuts, size_t n_cuts,
    struct trace *t)
{
	struct hyp_tls_stats st = { 0 };
	struct hyp_tls_dir *dir, *peer;
	size_t off = 0, c = 0;
	bool is_tls;
	int rc = 0;

	CHECK(hyp_tls_dir_new(server, 0, &dir) == 0);
	CHECK(hyp_tls_dir_new(false, 0, &peer) == 0);
	CHECK(hyp_tls_feed(peer, NULL, peer_hello, sizeof(peer_hello), peer_cb, NULL, &st) == 0);
	while (off < n) {
		size_t len = n_cuts > 0 ? (size_t)cuts[c++ % n_cuts] % 97 + 1 : n - off;

		if (len > n - off)
			len = n - off;
		rc = hyp_tls_feed(dir, peer, d + off, len, on_ev, t, &st);
		CHECK(rc == 0 || rc == -EPROTO);
		if (rc < 0)
			break;
		off += len;
	}
	CHECK(st.not_tls + st.parse_errors <= 1);
	CHECK(rc == 0 || st.not_tls + st.parse_errors == 1);
	is_tls = hyp_tls_is_tls(dir);
	CHECK(st.bytes_held <= HYP_TLS_MSG_MAX);	/* one message at a time */
	hyp_tls_dir_free(dir);
	hyp_tls_dir_free(peer);
	CHECK(st.bytes_held == 0);	/* every byte given back */
	return is_tls;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace whole = { 0 }, cut = { 0 };
	bool a, b;
	size_t n_cuts;

	if (size < 2)
		return 0;
	n_cuts = data[0] >> 1 & 15;
	if (n_cuts + 1 > size)
		return 0;
	a = run(data[0] & 1, data + 1 + n_cuts, size - 1 - n_cuts, NULL, 0, &whole);
	b = run(data[0] & 1, data + 1 + n_cuts, size - 1 - n_cuts, data + 1, n_cuts, &cut);
	CHECK(a == b);
	CHECK(whole.n == cut.n);
	CHECK(memcmp(whole.ev, cut.ev, whole.n < MAX_EV ? whole.n : MAX_EV) == 0);
	CHECK(memcmp(whole.h, cut.h, (whole.n < MAX_EV ? whole.n : MAX_EV) * sizeof(whole.h[0])) == 0);
	return 0;
}
