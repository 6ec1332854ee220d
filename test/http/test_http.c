/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/hyp_http: the buffers of requests and responses as Suricata names
 * them, whatever the chunking; pipelining, chunked and gzip bodies, the
 * body limit, HEAD, and the hostile versions (not HTTP, broken after a
 * request, too many headers, headers past the parser's limit, a gzip
 * bomb, bad gzip).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "hyp_http.h"
#include "tap.h"

#define MAX_EV	16

struct ev {
	enum hyp_app_ev ev;
	char *b[HYP_BUF_MAX];
	uint32_t len[HYP_BUF_MAX];
	char method[32], host[64], url[256];
	uint16_t status;
};

struct rec {
	struct ev e[MAX_EV];
	unsigned int n;
};

static void
on_ev(void *arg, enum hyp_app_ev ev, const struct hyp_buf_set *b, const struct hyp_http_meta *m)
{
	struct rec *r = arg;
	struct ev *e;
	unsigned int i;

	if (r->n == MAX_EV)
		return;
	e = &r->e[r->n++];
	e->ev = ev;
	for (i = 0; i < HYP_BUF_MAX; i++) {
		e->len[i] = b->len[i];
		e->b[i] = malloc(b->len[i] + 1);
		if (b->len[i] > 0)
			memcpy(e->b[i], b->p[i], b->len[i]);
		e->b[i][b->len[i]] = '\0';
	}
	snprintf(e->method, sizeof(e->method), "%s", m->method);
	snprintf(e->host, sizeof(e->host), "%s", m->host);
	snprintf(e->url, sizeof(e->url), "%s", m->url);
	e->status = m->status;
}

static void
rec_free(struct rec *r)
{
	unsigned int i, b;

	for (i = 0; i < r->n; i++)
		for (b = 0; b < HYP_BUF_MAX; b++)
			free(r->e[i].b[b]);
	memset(r, 0, sizeof(*r));
}

static const struct hyp_http_limits lim = { 4096, 4096 };

/* feed text in pieces of step bytes (0: all at once) */
static int
feed(struct hyp_http_dir *d, struct hyp_http_dir *peer, const void *t, size_t len, size_t step,
     struct rec *r, struct hyp_http_stats *st)
{
	const uint8_t *p = t;
	size_t off = 0;
	int ret = 0;

	if (step == 0)
		step = len;
	while (off < len && ret == 0) {
		size_t n = len - off < step ? len - off : step;

		ret = hyp_http_feed(d, peer, &lim, p + off, n, on_ev, r, st);
		off += n;
	}
	return ret;
}

static bool
buf_is(const struct ev *e, int b, const char *want)
{
	return e->len[b] == strlen(want) && memcmp(e->b[b], want, e->len[b]) == 0;
}

#define CHECK_BUF(e, bi, want, name) \
	tap(buf_is(e, bi, want), name, "got '%s' (%u bytes), want '%s'", (e)->b[bi], (e)->len[bi], want)

static const char get[] =
	"GET /a/./b/../c//d.php?x=%41 HTTP/1.1\r\n"
	"Host: WWW.Example.COM:8080\r\n"
	"User-Agent:   evil/1.0  \r\n"
	"Cookie: a=1\r\n"
	"Accept: */*\r\n"
	"\r\n";

static void
test_get(void)
{
	struct hyp_http_stats st = { 0 };
	struct hyp_http_dir *d;
	struct rec r = { 0 }, r1 = { 0 };
	const struct ev *e;
	unsigned int b;
	bool same = true;

	hyp_http_dir_new(false, &d);
	tap(feed(d, NULL, get, strlen(get), 0, &r, &st) == 0 && r.n == 1 &&
		    r.e[0].ev == HYP_HTTP_EV_REQUEST && st.requests == 1,
	    "a GET: one request event", "ret events %u", r.n);
	e = &r.e[0];
	CHECK_BUF(e, HYP_BUF_HTTP_URI, "/a/c/d.php?x=A", "http.uri: decoded, dot segments and // gone");
	CHECK_BUF(e, HYP_BUF_HTTP_URI_RAW, "/a/./b/../c//d.php?x=%41", "http.uri.raw as sent");
	CHECK_BUF(e, HYP_BUF_HTTP_METHOD, "GET", "http.method");
	CHECK_BUF(e, HYP_BUF_HTTP_PROTOCOL, "HTTP/1.1", "http.protocol");
	CHECK_BUF(e, HYP_BUF_HTTP_HOST, "www.example.com", "http.host: lower case, no port");
	CHECK_BUF(e, HYP_BUF_HTTP_HOST_RAW, "WWW.Example.COM:8080", "http.host.raw");
	CHECK_BUF(e, HYP_BUF_HTTP_UA, "evil/1.0", "http.user_agent: trimmed");
	CHECK_BUF(e, HYP_BUF_HTTP_COOKIE, "a=1", "http.cookie");
	CHECK_BUF(e, HYP_BUF_HTTP_ACCEPT, "*/*", "http.accept");
	CHECK_BUF(e, HYP_BUF_HTTP_REQUEST_LINE, "GET /a/./b/../c//d.php?x=%41 HTTP/1.1",
		  "http.request_line");
	CHECK_BUF(e, HYP_BUF_HTTP_HEADER,
		  "Host: WWW.Example.COM:8080\r\nUser-Agent: evil/1.0\r\nCookie: a=1\r\nAccept: */*\r\n",
		  "http.header: Name: value lines");
	CHECK_BUF(e, HYP_BUF_HTTP_HEADER_NAMES, "\r\nHost\r\nUser-Agent\r\nCookie\r\nAccept\r\n\r\n",
		  "http.header_names");
	CHECK_BUF(e, HYP_BUF_HTTP_START, get, "http.start: the line and headers as sent");
	CHECK_BUF(e, HYP_BUF_HTTP_HEADER_RAW, strchr(get, '\n') + 1, "http.header.raw");
	tap(e->len[HYP_BUF_HTTP_REQUEST_BODY] == 0 && e->len[HYP_BUF_HTTP_STAT_CODE] == 0,
	    "no body, no response buffers in a request", NULL);
	tap(strcmp(e->method, "GET") == 0 && strcmp(e->host, "www.example.com") == 0 &&
		    strcmp(e->url, "/a/./b/../c//d.php?x=%41") == 0,
	    "the alert's fields", "%s %s %s", e->method, e->host, e->url);
	hyp_http_dir_free(d);

	/* one byte at a time: the same buffers */
	hyp_http_dir_new(false, &d);
	feed(d, NULL, get, strlen(get), 1, &r1, &st);
	for (b = 0; b < HYP_BUF_MAX && r1.n == 1; b++)
		same &= r1.e[0].len[b] == r.e[0].len[b] &&
			memcmp(r1.e[0].b[b], r.e[0].b[b], r.e[0].len[b]) == 0;
	tap(r1.n == 1 && same, "fed a byte at a time: every buffer the same", "events %u", r1.n);
	hyp_http_dir_free(d);
	rec_free(&r);
	rec_free(&r1);
}

static void
test_pipeline_chunked(void)
{
	static const char t[] =
		"GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
		"\r\n"
		"POST /two HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
		"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
		"GET /three HTTP/1.0\r\n\r\n";
	struct hyp_http_stats st = { 0 };
	struct hyp_http_dir *d;
	struct rec r = { 0 };
	size_t steps[] = { 0, 1, 7 };
	unsigned int i;

	for (i = 0; i < DIM(steps); i++) {
		char name[96];

		hyp_http_dir_new(false, &d);
		feed(d, NULL, t, strlen(t), steps[i], &r, &st);
		snprintf(name, sizeof(name), "pipelined, chunked (pieces of %zu): 3 requests, 1 body",
			 steps[i]);
		tap(r.n == 4 && buf_is(&r.e[0], HYP_BUF_HTTP_URI, "/one") &&
			    buf_is(&r.e[1], HYP_BUF_HTTP_URI, "/two") &&
			    r.e[2].ev == HYP_HTTP_EV_REQUEST_BODY &&
			    buf_is(&r.e[2], HYP_BUF_HTTP_REQUEST_BODY, "hello world") &&
			    buf_is(&r.e[2], HYP_BUF_HTTP_URI, "/two") &&
			    buf_is(&r.e[3], HYP_BUF_HTTP_URI, "/three") &&
			    buf_is(&r.e[3], HYP_BUF_HTTP_PROTOCOL, "HTTP/1.0") &&
			    buf_is(&r.e[3], HYP_BUF_HTTP_REQUEST_LINE, "GET /three HTTP/1.0"),
		    name, "events %u; body '%s'", r.n, r.n > 2 ? r.e[2].b[HYP_BUF_HTTP_REQUEST_BODY] : "");
		hyp_http_dir_free(d);
		rec_free(&r);
	}
}

static void
test_body_limit(void)
{
	char t[16384];
	struct hyp_http_stats st = { 0 };
	struct hyp_http_dir *d;
	struct rec r = { 0 };
	int n = snprintf(t, sizeof(t), "POST /u HTTP/1.1\r\nContent-Length: 10000\r\n\r\n");

	memset(t + n, 'A', 6000);
	hyp_http_dir_new(false, &d);
	/* 6000 of the 10000 body bytes: the limit (4096) is reached, the message not complete */
	feed(d, NULL, t, (size_t)n + 6000, 1000, &r, &st);
	tap(r.n == 2 && r.e[1].ev == HYP_HTTP_EV_REQUEST_BODY &&
		    r.e[1].len[HYP_BUF_HTTP_REQUEST_BODY] == lim.request_body && st.body_truncated == 1,
	    "a body past its limit: inspected at the limit, before the message ends, and counted",
	    "events %u body %u truncated %lu", r.n, r.n > 1 ? r.e[1].len[HYP_BUF_HTTP_REQUEST_BODY] : 0,
	    (unsigned long)st.body_truncated);
	memset(t, 'A', 4000);
	feed(d, NULL, t, 4000, 0, &r, &st);
	tap(r.n == 2, "and not again when it completes", "events %u", r.n);
	hyp_http_dir_free(d);
	rec_free(&r);

	/* the connection closes in the headers: they are inspected as they came */
	hyp_http_dir_new(true, &d);
	feed(d, NULL, "HTTP/1.0 200 OK\nServer:ng1nx\r\n", 30, 0, &r, &st);
	hyp_http_end(d, on_ev, &r);
	tap(r.n == 1 && r.e[0].ev == HYP_HTTP_EV_RESPONSE &&
		    buf_is(&r.e[0], HYP_BUF_HTTP_HEADER, "Server: ng1nx\r\n"),
	    "a close in the headers: the headers so far", "events %u", r.n);
	hyp_http_dir_free(d);
	rec_free(&r);
	hyp_http_dir_new(true, &d);
	feed(d, NULL, "HTTP/1.0 200 OK\r\nServer: ab", 27, 0, &r, &st);
	hyp_http_end(d, on_ev, &r);
	tap(r.n == 1 && buf_is(&r.e[0], HYP_BUF_HTTP_SERVER, "ab") && r.e[0].len[HYP_BUF_HTTP_RESPONSE_BODY] == 0,
	    "a close mid-line: that line too, and no body made up", "events %u", r.n);
	hyp_http_dir_free(d);
	rec_free(&r);

	/* the stream ends mid-body: what came is inspected */
	hyp_http_dir_new(false, &d);
	n = snprintf(t, sizeof(t), "POST /u HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc");
	feed(d, NULL, t, (size_t)n, 0, &r, &st);
	hyp_http_end(d, on_ev, &r);
	tap(r.n == 2 && buf_is(&r.e[1], HYP_BUF_HTTP_REQUEST_BODY, "abc"),
	    "a stream that ends mid-body: the body so far", "events %u", r.n);
	hyp_http_dir_free(d);
	rec_free(&r);
}

static size_t
gz(const char *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z = { 0 };

	deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	deflateEnd(&z);
	return cap - z.avail_out;
}

static void
test_response_gzip_head(void)
{
	static const char plain[] = "<html>eval(unescape('%u9090'))</html>";
	uint8_t body[256], t[1024];
	struct hyp_http_stats st = { 0 };
	struct hyp_http_dir *req, *rsp;
	struct rec rq = { 0 }, r = { 0 };
	size_t bl = gz(plain, strlen(plain), body, sizeof(body));
	int n;
	static const char reqs[] = "HEAD /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y HTTP/1.1\r\nHost: h\r\n\r\n";

	hyp_http_dir_new(false, &req);
	hyp_http_dir_new(true, &rsp);
	feed(req, rsp, reqs, strlen(reqs), 0, &rq, &st);
	/* HEAD's answer says 5000 bytes and has none; the next answer must still parse */
	n = snprintf((char *)t, sizeof(t),
		     "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"
		     "HTTP/1.1 404 Not Found\r\nSet-Cookie: s=2\r\nContent-Encoding: gzip\r\n"
		     "Content-Length: %zu\r\n\r\n", bl);
	memcpy(t + n, body, bl);
	feed(rsp, req, t, (size_t)n + bl, 3, &r, &st);
	tap(r.n == 3 && r.e[0].ev == HYP_HTTP_EV_RESPONSE && r.e[0].status == 200 &&
		    strcmp(r.e[0].url, "/x") == 0 && strcmp(r.e[0].method, "HEAD") == 0 &&
		    r.e[1].ev == HYP_HTTP_EV_RESPONSE && buf_is(&r.e[1], HYP_BUF_HTTP_STAT_CODE, "404") &&
		    buf_is(&r.e[1], HYP_BUF_HTTP_STAT_MSG, "Not Found") &&
		    buf_is(&r.e[1], HYP_BUF_HTTP_COOKIE, "s=2") && strcmp(r.e[1].url, "/y") == 0 &&
		    buf_is(&r.e[1], HYP_BUF_HTTP_RESPONSE_LINE, "HTTP/1.1 404 Not Found"),
	    "HEAD's response has no body: the next response parses, each with its request",
	    "events %u", r.n);
	tap(r.n == 3 && r.e[2].ev == HYP_HTTP_EV_RESPONSE_BODY &&
		    buf_is(&r.e[2], HYP_BUF_HTTP_RESPONSE_BODY, plain),
	    "a gzip body: inflated", "body '%s'", r.n == 3 ? r.e[2].b[HYP_BUF_HTTP_RESPONSE_BODY] : "");
	hyp_http_dir_free(req);
	hyp_http_dir_free(rsp);
	tap(st.bytes_held == 0, "every byte the buffers and zlib held is given back at free",
	    "held %lu", (unsigned long)st.bytes_held);
	rec_free(&rq);
	rec_free(&r);
}

static void
test_hostile(void)
{
	struct hyp_http_stats st = { 0 };
	struct hyp_http_dir *d;
	struct rec r = { 0 };
	char *big;
	size_t n, i;
	uint8_t *bomb, *zeros;
	size_t bl;

	hyp_http_dir_new(false, &d);
	tap(feed(d, NULL, "\x16\x03\x01\x02\x00", 5, 0, &r, &st) == -EPROTO && r.n == 0 &&
		    st.not_http == 1 && st.parse_errors == 0 && !hyp_http_is_http(d),
	    "not HTTP (a TLS record): left alone, counted not_http", NULL);
	tap(feed(d, NULL, get, strlen(get), 0, &r, &st) == -EPROTO && r.n == 0,
	    "and ignored from then on", NULL);
	hyp_http_dir_free(d);

	hyp_http_dir_new(false, &d);
	feed(d, NULL, get, strlen(get), 0, &r, &st);
	tap(feed(d, NULL, "GET / HTTP/1.1\r\nBad Header\r\n\r\n", 31, 0, &r, &st) == -EPROTO &&
		    st.parse_errors == 1 && r.n == 1,
	    "broken after a request: counted parse_errors", "events %u errors %lu", r.n,
	    (unsigned long)st.parse_errors);
	hyp_http_dir_free(d);
	rec_free(&r);

	/* 100 headers: 64 kept by name, the rest counted, all in the raw buffer */
	big = malloc(200000);
	n = (size_t)sprintf(big, "GET / HTTP/1.1\r\n");
	for (i = 0; i < 100; i++)
		n += (size_t)sprintf(big + n, "X-%zu: v\r\n", i);
	n += (size_t)sprintf(big + n, "User-Agent: late\r\n\r\n");
	hyp_http_dir_new(false, &d);
	memset(&st, 0, sizeof(st));
	feed(d, NULL, big, n, 0, &r, &st);
	tap(r.n == 1 && st.headers_dropped == 37 && strstr(r.e[0].b[HYP_BUF_HTTP_HEADER_RAW], "User-Agent: late") &&
		    r.e[0].len[HYP_BUF_HTTP_UA] == 0,
	    "101 headers: 64 by name, 37 counted, every one in http.header.raw",
	    "events %u dropped %lu", r.n, (unsigned long)st.headers_dropped);
	hyp_http_dir_free(d);
	rec_free(&r);

	/* a header past http-parser's 80 KiB: refused, never buffered without bound */
	n = (size_t)sprintf(big, "GET / HTTP/1.1\r\nX: ");
	memset(big + n, 'a', 100000);
	n += 100000;
	hyp_http_dir_new(false, &d);
	memset(&st, 0, sizeof(st));
	tap(feed(d, NULL, big, n, 4096, &r, &st) == -EPROTO && r.n == 0 && st.not_http == 1,
	    "headers past 80 KiB: the direction is given up on", NULL);
	hyp_http_dir_free(d);
	free(big);

	/* a gzip bomb: 8 MiB of zeros inflate to the limit and no further */
	zeros = calloc(1, 8u << 20);
	bomb = malloc(1u << 20);
	bl = gz((const char *)zeros, 8u << 20, bomb, 1u << 20);
	big = malloc(bl + 256);
	n = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n", bl);
	memcpy(big + n, bomb, bl);
	hyp_http_dir_new(true, &d);
	memset(&st, 0, sizeof(st));
	feed(d, NULL, big, n + bl, 1500, &r, &st);
	tap(r.n == 2 && r.e[1].len[HYP_BUF_HTTP_RESPONSE_BODY] == lim.response_body &&
		    st.body_truncated == 1,
	    "a gzip bomb (8 MiB of zeros): inflated to the limit only", "events %u body %u", r.n,
	    r.n > 1 ? r.e[1].len[HYP_BUF_HTTP_RESPONSE_BODY] : 0);
	hyp_http_dir_free(d);
	rec_free(&r);

	/* gzip that is not: counted, the message still inspected */
	n = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\n\r\nnot gzip!");
	hyp_http_dir_new(true, &d);
	memset(&st, 0, sizeof(st));
	feed(d, NULL, big, n, 0, &r, &st);
	tap(st.decode_errors == 1 && r.n == 2 && buf_is(&r.e[1], HYP_BUF_HTTP_RESPONSE_BODY, "not gzip!"),
	    "gzip that is not: counted decode_errors, its bytes inspected as they are", "events %u",
	    r.n);
	hyp_http_dir_free(d);
	rec_free(&r);
	free(big);
	free(bomb);
	free(zeros);
}

/* bodies a browser reads though http-parser would not (the http-evader cases) */
static void
test_lenient_bodies(void)
{
	static const struct {
		const char *name, *msg, *body;
	} c[] = {
		{ "a chunk size with junk before its LF",
		  "HTTP/1.1 200 ok\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "5\r\r\nX5O!P\r\n4\x0c\r\n%@AP\r\n0\r\n\r\n", "X5O!P%@AP" },
		{ "Transfer-Encoding chunked beside Content-Length: chunked wins",
		  "HTTP/1.1 200 ok\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "5\r\nEICAR\r\n0\r\n\r\n", "EICAR" },
		{ "a folded Transfer-Encoding",
		  "HTTP/1.1 200 ok\r\nTransfer-Encoding: \r\n chunked\r\n\r\n"
		  "5\r\nEICAR\r\n0\r\n\r\n", "EICAR" },
		{ "a chunk without its CRLF, an extension, trailers",
		  "HTTP/1.1 200 ok\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "3;x=y\r\nEIC2\r\nAR\r\n0\r\nX-T: 1\r\n\r\n", "EICAR" },
		{ "white space (a vertical tab) before a chunk size",
		  "HTTP/1.1 200 ok\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "\x0b" "5\r\nEICAR\r\n0\r\n\r\n", "EICAR" },
		{ "deflate without zlib's header",
		  "HTTP/1.1 200 ok\r\nContent-Encoding: deflate\r\nContent-Length: 6\r\n\r\n"
		  "\x73\xf5\x74\x76\x0c\x02", "EICAR" },	/* without its last byte, a NUL */
		{ "no length: the body runs to the end",
		  "HTTP/1.0 200 ok\r\n\r\nEICAR", "EICAR" },
	};
	unsigned int i;

	for (i = 0; i < DIM(c); i++) {
		static const char next[] = "HTTP/1.1 404 x\r\nContent-Length: 0\r\n\r\n";
		struct hyp_http_stats st = { 0 };
		struct hyp_http_dir *d;
		struct rec r = { 0 };
		bool to_end = strstr(c[i].msg, "HTTP/1.0") != NULL;

		hyp_http_dir_new(true, &d);
		feed(d, NULL, c[i].msg, strlen(c[i].msg), 1, &r, &st);
		if (to_end)
			hyp_http_end(d, on_ev, &r);
		else
			feed(d, NULL, next, strlen(next), 0, &r, &st);
		tap(r.n >= 2 && r.e[1].ev == HYP_HTTP_EV_RESPONSE_BODY &&
			    buf_is(&r.e[1], HYP_BUF_HTTP_RESPONSE_BODY, c[i].body) &&
			    (to_end || (r.n == 3 && buf_is(&r.e[2], HYP_BUF_HTTP_STAT_CODE, "404"))),
		    c[i].name, "events %u body '%s'", r.n,
		    r.n > 1 ? r.e[1].b[HYP_BUF_HTTP_RESPONSE_BODY] : "");
		hyp_http_dir_free(d);
		rec_free(&r);
	}
	{
		static const char bad[] = "HTTP/1.1 200 ok\r\nTransfer-Encoding: chunked\r\n\r\n"
					  "5\r\nEICAR\r\nzz\r\n";
		struct hyp_http_stats st = { 0 };
		struct hyp_http_dir *d;
		struct rec r = { 0 };

		hyp_http_dir_new(true, &d);
		tap(feed(d, NULL, bad, strlen(bad), 0, &r, &st) == -EPROTO && st.parse_errors == 1 &&
			    r.n == 2 && buf_is(&r.e[1], HYP_BUF_HTTP_RESPONSE_BODY, "EICAR"),
		    "a chunk size that is none: the body so far inspected, then counted and left",
		    "events %u errors %lu", r.n, (unsigned long)st.parse_errors);
		hyp_http_dir_free(d);
		rec_free(&r);
	}
}

static void
test_normalize(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "/", "/" },
		{ "/a/b/..", "/a/" },
		{ "/..", "/" },
		{ "/../../etc/passwd", "/etc/passwd" },
		{ "/%2e%2e/%2E%2e/etc", "/etc" },
		{ "/a/%2fb", "/a/b" },
		{ "/p%2e%2e/x", "/p../x" },
		{ "//a///b", "/a/b" },
		{ "/a/.", "/a/" },
		{ "/%zz%4", "/%zz%4" },
		{ "/x?a=/../b&c=%41", "/x?a=/../b&c=A" },
		{ "http://evil.example:81/a/../b?q", "/b?q" },
		{ "HTTP://h", "" },
		{ "*", "*" },
	};
	uint8_t out[256];
	unsigned int i;

	for (i = 0; i < DIM(t); i++) {
		size_t n = hyp_http_normalize_uri((const uint8_t *)t[i].in, strlen(t[i].in), out,
						  sizeof(out));
		char name[128];

		snprintf(name, sizeof(name), "normalized '%s'", t[i].in);
		tap(n == strlen(t[i].want) && memcmp(out, t[i].want, n) == 0, name, "got '%.*s', want '%s'",
		    (int)n, out, t[i].want);
	}
}

/*
 * The memcap: directions half way through long headers hold their
 * buffers; together they stop at the cap, the one past it counted and no
 * longer parsed, and what they held comes back when they are freed.
 */
static void
test_memcap(void)
{
	static const struct hyp_http_limits capped = { 4096, 4096, 300000 };
	struct hyp_http_stats st = { 0 };
	struct hyp_http_dir *d[3];
	struct rec r = { 0 };
	uint8_t *hdr = malloc(40000);
	unsigned int i;
	int rc[3], again;

	if (hdr == NULL)
		abort();
	memset(hdr, 'a', 40000);
	for (i = 0; i < 3; i++) {
		static const char start[] = "GET /long HTTP/1.1\r\nHost: h\r\nX-Long: ";

		hyp_http_dir_new(false, &d[i]);
		rc[i] = hyp_http_feed(d[i], NULL, &capped, (const uint8_t *)start,
				      sizeof(start) - 1, on_ev, &r, &st);
		if (rc[i] == 0)
			rc[i] = hyp_http_feed(d[i], NULL, &capped, hdr, 40000, on_ev, &r, &st);
	}
	tap(rc[0] == 0 && rc[1] == 0 && rc[2] == -ENOSPC && st.memcap == 1 &&
		    st.bytes_held <= capped.memcap && st.bytes_held > 200000,
	    "memcap: directions together stop at it, the one past it counted",
	    "rc %d %d %d memcap %lu held %lu", rc[0], rc[1], rc[2], (unsigned long)st.memcap,
	    (unsigned long)st.bytes_held);
	again = hyp_http_feed(d[2], NULL, &capped, (const uint8_t *)"\r\n\r\n", 4, on_ev, &r, &st);
	tap(again == -ENOSPC && r.n == 0 && st.parse_errors == 0 && st.not_http == 0,
	    "memcap: the stopped direction stays stopped, not counted a parse error",
	    "rc %d events %u", again, r.n);
	/* the others gone, the first ends its headers: its request is seen whole */
	hyp_http_dir_free(d[1]);
	hyp_http_dir_free(d[2]);
	rc[0] = hyp_http_feed(d[0], NULL, &capped, (const uint8_t *)"\r\n\r\n", 4, on_ev, &r, &st);
	tap(rc[0] == 0 && r.n == 1 && r.e[0].len[HYP_BUF_HTTP_HEADER] > 40000,
	    "memcap: a direction within it parses on", "rc %d events %u", rc[0], r.n);
	hyp_http_dir_free(d[0]);
	tap(st.bytes_held == 0, "memcap: freed directions give every byte back", "held %lu",
	    (unsigned long)st.bytes_held);
	rec_free(&r);
	free(hdr);
}

int
main(void)
{
	test_get();
	test_pipeline_chunked();
	test_body_limit();
	test_response_gzip_head();
	test_hostile();
	test_lenient_bodies();
	test_normalize();
	test_memcap();
	printf("1..%u\n", test_no);
	return failed;
}
