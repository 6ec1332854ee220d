/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http-parser reads each message's start line and headers; this file
 * keeps what its callbacks hand over and turns it into Suricata's buffers.
 * The parser is paused at the end of the headers, so the event is raised
 * outside its callbacks with the message's state whole.
 *
 * The body is framed here, not by http-parser: a browser reads bodies its
 * strict state machine refuses (a chunk size followed by junk before its
 * LF, Transfer-Encoding beside Content-Length, a chunk without its CRLF),
 * and a server that sends one would otherwise blind us to its body and to
 * every message after it (the http-evader cases). Transfer-Encoding
 * chunked wins over Content-Length (RFC 9112 6.3); after the body a fresh
 * parser reads the next message.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>
#include <zlib.h>

#include "hyp_http.h"

#define PENDING_FIELD	1024	/* bytes of a request field kept for its response's alert */

struct hdr {
	uint32_t n_off, n_len, v_off, v_len;	/* in the arena */
};

struct pending {
	bool head;
	char *method, *host, *url, *ua;
};

/* a growing byte array with a hard bound */
struct bytes {
	uint8_t *p;
	uint32_t len, cap;
	uint32_t charged;	/* of cap, the bytes counted in the direction's acct */
};

enum { EV_NONE, EV_HEADERS };

/* how the body of the message is framed */
enum { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_CLOSE };
enum { CH_SIZE, CH_SIZE_END, CH_DATA, CH_DATA_END, CH_TRAILER };

#define CHUNK_DIGITS	15	/* a longer chunk size is not HTTP (and would overflow) */

struct hyp_http_dir {
	http_parser hp;
	bool response;
	bool broken;		/* not (or no longer) HTTP: ignore what comes */
	bool seen;		/* a message's headers were complete */
	bool in_headers;	/* between a message's first byte and its headers' end */
	bool value_last;	/* the last header callback was a value */
	bool body_fired;	/* this message's body event was raised */
	bool gzip;		/* the body is gzip or deflate encoded */
	bool z_broken;
	int pending_ev;		/* set by a callback that paused the parser */
	uint16_t status;
	unsigned short major, minor;	/* of the message, kept past the parser's reset */
	uint8_t method;
	bool in_body;		/* the body is framed here (body_mode) */
	bool skip_lf;		/* the headers' last LF is still to come */
	uint8_t body_mode, ch_state;
	unsigned int ch_digits, line_len;
	uint64_t body_left;	/* bytes of the body, or of the chunk */
	struct bytes arena;	/* url, status text, header names and values */
	struct bytes raw;	/* the first line and the headers as sent */
	struct bytes body;
	struct bytes norm;	/* buffers made at an event */
	uint32_t url_off, url_len, msg_off, msg_len;
	struct hdr h[HYP_HTTP_HEADERS];
	unsigned int n_h;
	uint64_t body_seen;
	uint32_t body_limit;
	z_stream *z;
	struct hyp_http_stats *st;	/* during a feed */
	struct hyp_http_stats *acct;	/* where its bytes are counted (its first feed's) */
	uint64_t memcap;		/* of acct->bytes_held; 0: none */
	bool capped;			/* the memcap stopped it */
	struct hyp_http_dir *peer;	/* during a feed */
	bool dropping;			/* headers past HYP_HTTP_HEADERS */
	struct pending req;		/* a response's request (popped from the peer) */
	struct pending ring[HYP_HTTP_PENDING];	/* requests: awaiting their response */
	unsigned int r_head, r_n;
};

const struct hyp_stat_desc hyp_http_stat_descs[] = {
	HYP_STAT(struct hyp_http_stats, requests, COUNTER, "HTTP requests parsed"),
	HYP_STAT(struct hyp_http_stats, responses, COUNTER, "HTTP responses parsed"),
	HYP_STAT(struct hyp_http_stats, parse_errors, COUNTER,
		 "HTTP directions that broke after they were HTTP (no longer parsed)"),
	HYP_STAT(struct hyp_http_stats, not_http, COUNTER,
		 "TCP directions that did not begin as HTTP"),
	HYP_STAT(struct hyp_http_stats, body_truncated, COUNTER,
		 "HTTP bodies longer than their inspection limit"),
	HYP_STAT(struct hyp_http_stats, decode_errors, COUNTER,
		 "gzip or deflate HTTP bodies that did not inflate"),
	HYP_STAT(struct hyp_http_stats, headers_dropped, COUNTER,
		 "HTTP headers past the per-message table (still in the raw buffers)"),
	HYP_STAT(struct hyp_http_stats, pending_dropped, COUNTER,
		 "pipelined HTTP requests past the pending limit without a response"),
	HYP_STAT(struct hyp_http_stats, memcap, COUNTER,
		 "HTTP directions no longer parsed: the worker's slow_path.http.memcap was reached"),
	HYP_STAT(struct hyp_http_stats, bytes_held, GAUGE,
		 "Bytes of HTTP buffers and inflate state held now"),
	HYP_STAT(struct hyp_http_stats, nomem, COUNTER,
		 "HTTP allocations that failed (buffers cut short)"),
};
const unsigned int hyp_http_stat_count = HYP_DIM(hyp_http_stat_descs);

/* ---- bytes ---- */

/*
 * Memory is counted in the stats of the direction's first feed (acct),
 * never in a scratch of hyp_http_end's: growth there is not counted, and
 * only what was counted is given back.
 */
static bool
charge(struct hyp_http_dir *d, size_t more)
{
	if (d->acct == NULL)
		return true;
	if (d->memcap != 0 && d->acct->bytes_held + more > d->memcap) {
		if (!d->capped)
			d->acct->memcap++;
		d->capped = true;
		return false;
	}
	d->acct->bytes_held += more;
	return true;
}

static void
uncharge(struct hyp_http_dir *d, size_t n)
{
	if (d->acct != NULL)
		d->acct->bytes_held -= n;
}

static void
bytes_free(struct hyp_http_dir *d, struct bytes *b)
{
	uncharge(d, b->charged);
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* zlib's allocations, counted like the buffers; a size word before each */
static voidpf
z_alloc(voidpf opaque, uInt items, uInt size)
{
	struct hyp_http_dir *d = opaque;
	size_t n = (size_t)items * size;
	size_t *m;

	if (size != 0 && n / size != items)
		return Z_NULL;
	if (!charge(d, n))
		return Z_NULL;
	m = malloc(sizeof(size_t) * 2 + n);
	if (m == NULL) {
		uncharge(d, d->acct != NULL ? n : 0);
		return Z_NULL;
	}
	m[0] = n;
	m[1] = d->acct != NULL;		/* counted: given back at free */
	return m + 2;
}

static void
z_free(voidpf opaque, voidpf p)
{
	size_t *m = (size_t *)p - 2;

	if (p == Z_NULL)
		return;
	if (m[1])
		uncharge(opaque, m[0]);
	free(m);
}

/* append up to the bound; false if something did not fit */
static bool
put(struct hyp_http_dir *d, struct bytes *b, const void *src, size_t n, uint32_t bound)
{
	size_t room = b->len < bound ? bound - b->len : 0;
	bool all = n <= room;

	if (!all)
		n = room;
	if (n == 0)
		return all;
	if (b->len + n > b->cap) {
		uint32_t cap = b->cap ? b->cap : 256;
		bool counted = d->acct != NULL;
		uint8_t *np;

		while (cap < b->len + n)
			cap = cap > bound / 2 ? bound : cap * 2;
		if (!charge(d, cap - b->cap))
			return false;
		np = realloc(b->p, cap);
		if (np == NULL) {
			if (counted)
				uncharge(d, cap - b->cap);
			if (d->st != NULL)
				d->st->nomem++;
			return false;
		}
		if (counted)
			b->charged += cap - b->cap;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += (uint32_t)n;
	return all;
}

static void
pending_free(struct pending *p)
{
	free(p->method);
	free(p->host);
	free(p->url);
	free(p->ua);
	memset(p, 0, sizeof(*p));
}

static char *
dup_field(const uint8_t *p, uint32_t n)
{
	char *s;

	if (n > PENDING_FIELD)
		n = PENDING_FIELD;
	s = malloc(n + 1);
	if (s != NULL) {
		if (n > 0)
			memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

/* ---- the message ---- */

static void
message_reset(struct hyp_http_dir *d)
{
	d->arena.len = d->raw.len = d->body.len = d->norm.len = 0;
	d->url_off = d->url_len = d->msg_off = d->msg_len = 0;
	d->n_h = 0;
	d->value_last = false;
	d->dropping = false;
	d->body_fired = false;
	d->gzip = false;
	d->z_broken = false;
	d->body_seen = 0;
	d->status = 0;
	d->in_body = false;
	d->body_mode = BODY_NONE;
	d->ch_state = CH_SIZE;
	d->ch_digits = d->line_len = 0;
	d->body_left = 0;
	if (d->z != NULL) {
		inflateEnd(d->z);
		z_free(d, d->z);
		d->z = NULL;
	}
	/* the bodies of a long connection's messages need not stay allocated */
	if (d->body.cap > 64 * 1024)
		bytes_free(d, &d->body);
	pending_free(&d->req);
}

static struct hyp_http_dir *
dir_of(http_parser *hp)
{
	return hp->data;
}

static int
on_message_begin(http_parser *hp)
{
	struct hyp_http_dir *d = dir_of(hp);

	message_reset(d);
	d->in_headers = true;
	return 0;
}

static int
on_url(http_parser *hp, const char *at, size_t n)
{
	struct hyp_http_dir *d = dir_of(hp);

	if (d->url_len == 0)
		d->url_off = d->arena.len;
	if (put(d, &d->arena, at, n, HYP_HTTP_HEADER_MAX))
		d->url_len += (uint32_t)n;
	return 0;
}

static int
on_status(http_parser *hp, const char *at, size_t n)
{
	struct hyp_http_dir *d = dir_of(hp);

	if (d->msg_len == 0)
		d->msg_off = d->arena.len;
	if (put(d, &d->arena, at, n, HYP_HTTP_HEADER_MAX))
		d->msg_len += (uint32_t)n;
	return 0;
}

static int
on_header_field(http_parser *hp, const char *at, size_t n)
{
	struct hyp_http_dir *d = dir_of(hp);
	bool start = d->value_last || (d->n_h == 0 && !d->dropping);
	struct hdr *h;

	d->value_last = false;
	if (start) {
		if (d->n_h == HYP_HTTP_HEADERS) {
			d->st->headers_dropped++;
			d->dropping = true;
			return 0;
		}
		h = &d->h[d->n_h++];
		memset(h, 0, sizeof(*h));
		h->n_off = d->arena.len;
	}
	if (d->dropping)
		return 0;
	h = &d->h[d->n_h - 1];
	if (put(d, &d->arena, at, n, HYP_HTTP_HEADER_MAX))
		h->n_len += (uint32_t)n;
	return 0;
}

static int
on_header_value(http_parser *hp, const char *at, size_t n)
{
	struct hyp_http_dir *d = dir_of(hp);
	bool first = !d->value_last;
	struct hdr *h;

	d->value_last = true;
	if (d->dropping || d->n_h == 0)
		return 0;
	h = &d->h[d->n_h - 1];
	if (first)
		h->v_off = d->arena.len;
	if (put(d, &d->arena, at, n, HYP_HTTP_HEADER_MAX))
		h->v_len += (uint32_t)n;
	return 0;
}

static bool
name_is(const struct hyp_http_dir *d, const struct hdr *h, const char *name)
{
	size_t n = strlen(name);

	return h->n_len == n && strncasecmp((const char *)d->arena.p + h->n_off, name, n) == 0;
}

/* a header's value (the first), or NULL */
static const struct hdr *
header(const struct hyp_http_dir *d, const char *name)
{
	unsigned int i, n = d->n_h;

	for (i = 0; i < n; i++)
		if (name_is(d, &d->h[i], name))
			return &d->h[i];
	return NULL;
}

static bool
value_has(const struct hyp_http_dir *d, const struct hdr *h, const char *word)
{
	size_t n = strlen(word), i;
	const char *v = (const char *)d->arena.p + h->v_off;

	for (i = 0; i + n <= h->v_len; i++)
		if (strncasecmp(v + i, word, n) == 0)
			return true;
	return false;
}

static void
pop_request(struct hyp_http_dir *d, struct hyp_http_dir *peer)
{
	if (peer == NULL || peer->r_n == 0)
		return;
	pending_free(&d->req);
	d->req = peer->ring[peer->r_head];
	memset(&peer->ring[peer->r_head], 0, sizeof(peer->ring[0]));
	peer->r_head = (peer->r_head + 1) % HYP_HTTP_PENDING;
	peer->r_n--;
}

/* the request's fields for its response; the oldest waiting one gives way */
static void
push_request(struct hyp_http_dir *d, const struct hyp_buf_set *b)
{
	struct pending *p;

	if (d->r_n == HYP_HTTP_PENDING) {
		pending_free(&d->ring[d->r_head]);
		d->r_head = (d->r_head + 1) % HYP_HTTP_PENDING;
		d->r_n--;
		d->st->pending_dropped++;
	}
	p = &d->ring[(d->r_head + d->r_n) % HYP_HTTP_PENDING];
	p->head = d->method == HTTP_HEAD;
	p->method = dup_field(b->p[HYP_BUF_HTTP_METHOD], b->len[HYP_BUF_HTTP_METHOD]);
	p->host = dup_field(b->p[HYP_BUF_HTTP_HOST], b->len[HYP_BUF_HTTP_HOST]);
	p->url = dup_field(b->p[HYP_BUF_HTTP_URI_RAW], b->len[HYP_BUF_HTTP_URI_RAW]);
	p->ua = dup_field(b->p[HYP_BUF_HTTP_UA], b->len[HYP_BUF_HTTP_UA]);
	if (p->method == NULL || p->host == NULL || p->url == NULL || p->ua == NULL) {
		d->st->nomem++;
		pending_free(p);
	}
	d->r_n++;
}

static int
on_headers_complete(http_parser *hp)
{
	struct hyp_http_dir *d = dir_of(hp);
	const struct hdr *ce = header(d, "content-encoding");
	const struct hdr *te = header(d, "transfer-encoding"), *cl = header(d, "content-length");

	d->in_headers = false;
	d->pending_ev = EV_HEADERS;
	d->status = (uint16_t)hp->status_code;
	d->major = hp->http_major;
	d->minor = hp->http_minor;
	d->method = (uint8_t)hp->method;
	if (ce != NULL && (value_has(d, ce, "gzip") || value_has(d, ce, "deflate")))
		d->gzip = true;
	if (d->response && hp->status_code >= 200)
		pop_request(d, d->peer);	/* a 1xx answers no request: the final response does */
	if (d->response && (d->req.head || hp->status_code < 200 || hp->status_code == 204 ||
			    hp->status_code == 304)) {
		d->body_mode = BODY_NONE;	/* whatever its headers say */
	} else if (te != NULL && value_has(d, te, "chunked")) {
		d->body_mode = BODY_CHUNKED;
	} else if (cl != NULL) {
		const uint8_t *v = d->arena.p + cl->v_off;
		uint32_t i = 0;

		while (i < cl->v_len && (v[i] == ' ' || v[i] == '\t'))
			i++;
		d->body_left = 0;
		for (; i < cl->v_len && v[i] >= '0' && v[i] <= '9' && d->body_left < (1ull << 50); i++)
			d->body_left = d->body_left * 10 + (v[i] - '0');
		d->body_mode = d->body_left > 0 ? BODY_LENGTH : BODY_NONE;
	} else {
		/* a response without either runs to the connection's end; a request has none */
		d->body_mode = d->response ? BODY_CLOSE : BODY_NONE;
	}
	http_parser_pause(hp, 1);
	return 1;	/* the body is ours (see the top of the file) */
}

static void
body_put(struct hyp_http_dir *d, const uint8_t *at, size_t n)
{
	uint8_t out[4096];

	if (d->body.len >= d->body_limit)
		return;
	if (!d->gzip || d->z_broken) {
		put(d, &d->body, at, n, d->body_limit);
		return;
	}
	if (n == 0)
		return;
	if (d->z == NULL) {
		/*
		 * gzip's magic, zlib's header (deflate, method 8), or raw deflate:
		 * "deflate" is often sent without zlib's header, and browsers take
		 * both. The first byte tells, whatever the chunking.
		 */
		int wbits = at[0] == 0x1f ? 15 + 16 : (at[0] & 0x0f) == 8 ? 15 : -15;

		d->z = z_alloc(d, 1, sizeof(*d->z));
		if (d->z != NULL) {
			memset(d->z, 0, sizeof(*d->z));
			d->z->zalloc = z_alloc;
			d->z->zfree = z_free;
			d->z->opaque = d;
		}
		if (d->z == NULL || inflateInit2(d->z, wbits) != Z_OK) {
			z_free(d, d->z);
			d->z = NULL;
			if (!d->capped)
				d->st->nomem++;
			d->z_broken = true;
			return;
		}
	}
	d->z->next_in = (Bytef *)at;
	d->z->avail_in = (uInt)n;
	while (d->z->avail_in > 0 && d->body.len < d->body_limit) {
		int rc;

		d->z->next_out = out;
		d->z->avail_out = sizeof(out);
		rc = inflate(d->z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			d->st->decode_errors++;
			d->z_broken = true;
			/* labelled compressed and is not (nothing inflated yet): its bytes as they are */
			if (d->z->total_out == 0 && d->body_seen == n)
				put(d, &d->body, at, n, d->body_limit);
			break;
		}
		put(d, &d->body, out, sizeof(out) - d->z->avail_out, d->body_limit);
		if (rc == Z_STREAM_END || (rc == Z_BUF_ERROR && d->z->avail_out != 0))
			break;
	}
}

static void
body_bytes(struct hyp_http_dir *d, const uint8_t *at, size_t n)
{
	bool was_full = d->body.len >= d->body_limit;

	d->body_seen += n;
	body_put(d, at, n);
	if (!was_full && d->body.len >= d->body_limit && d->body_limit > 0)
		d->st->body_truncated++;
}

/*
 * The body's next bytes: how many it took (the rest is the next message),
 * *done when the body is over; -1 when it is not a body a browser reads.
 */
static long
body_feed(struct hyp_http_dir *d, const uint8_t *p, size_t len, bool *done)
{
	size_t i = 0, take;

	*done = false;
	if (d->body_mode == BODY_CLOSE) {
		body_bytes(d, p, len);
		return (long)len;
	}
	if (d->body_mode == BODY_LENGTH) {
		take = len < d->body_left ? len : (size_t)d->body_left;
		body_bytes(d, p, take);
		d->body_left -= take;
		*done = d->body_left == 0;
		return (long)take;
	}
	while (i < len && !*done) {
		uint8_t c = p[i];

		switch (d->ch_state) {
		case CH_SIZE:
			if (hyp_hex_digit((char)c) >= 0) {
				if (++d->ch_digits > CHUNK_DIGITS)
					return -1;
				d->body_left = d->body_left * 16 + (uint64_t)hyp_hex_digit((char)c);
				i++;
			} else if (d->ch_digits == 0 && (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
							 c == '\v' || c == '\f')) {
				i++;	/* white space, or the empty line a chunk may leave */
			} else if (d->ch_digits == 0) {
				return -1;
			} else {
				d->ch_state = CH_SIZE_END;	/* an extension or junk: up to the LF */
			}
			break;
		case CH_SIZE_END:
			i++;
			if (c == '\n') {
				d->ch_state = d->body_left > 0 ? CH_DATA : CH_TRAILER;
				d->ch_digits = 0;
				d->line_len = 0;
			}
			break;
		case CH_DATA:
			take = len - i < d->body_left ? len - i : (size_t)d->body_left;
			body_bytes(d, p + i, take);
			d->body_left -= take;
			i += take;
			if (d->body_left == 0)
				d->ch_state = CH_DATA_END;
			break;
		case CH_DATA_END:
			/* CRLF after the data; without it the next size starts here */
			if (c == '\r' || c == '\n')
				i++;
			if (c != '\r')
				d->ch_state = CH_SIZE;
			break;
		default:	/* trailers, up to an empty line */
			i++;
			if (c == '\n') {
				*done = d->line_len == 0;
				d->line_len = 0;
			} else if (c != '\r') {
				d->line_len++;
			}
			break;
		}
	}
	return (long)i;
}

static const http_parser_settings settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_url,
	.on_status = on_status,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
};

/* ---- buffers ---- */

/* %XX decoded (a bad escape stays as it is) */
static size_t
pct_decode(const uint8_t *s, size_t n, uint8_t *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int hi = i + 2 < n ? hyp_hex_digit((char)s[i + 1]) : -1;
		int lo = i + 2 < n ? hyp_hex_digit((char)s[i + 2]) : -1;

		if (s[i] == '%' && hi >= 0 && lo >= 0) {
			out[o++] = (uint8_t)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

/*
 * RFC 3986's remove_dot_segments over a decoded path, in place, with
 * runs of '/' made one: what libhtp's defaults do to http.uri's path.
 */
static size_t
path_normalize(uint8_t *p, size_t n)
{
	size_t i = 0, o = 0, j, seg;

	while (i < n) {
		if (p[i] != '/') {
			p[o++] = p[i++];	/* a relative path's first segment */
			continue;
		}
		for (j = i + 1; j < n && p[j] != '/'; j++)
			;
		seg = j - i - 1;
		if (seg == 0 && j < n) {
			i = j;		/* "//": the empty segment goes */
			continue;
		}
		if ((seg == 1 && p[i + 1] == '.') || (seg == 2 && p[i + 1] == '.' && p[i + 2] == '.')) {
			if (seg == 2) {
				/* ".." takes the segment before it with it */
				while (o > 0 && p[o - 1] != '/')
					o--;
				if (o > 0)
					o--;
			}
			i = j;
			if (i == n)
				p[o++] = '/';
			continue;
		}
		memmove(p + o, p + i, j - i);
		o += j - i;
		i = j;
	}
	return o;
}

size_t
hyp_http_normalize_uri(const uint8_t *uri, size_t len, uint8_t *out, size_t cap)
{
	size_t i = 0, q, o;

	/* absolute form: scheme "://" authority, then the path */
	while (i < len && (isalnum(uri[i]) || uri[i] == '+' || uri[i] == '-' || uri[i] == '.'))
		i++;
	if (i > 0 && i + 2 < len && uri[i] == ':' && uri[i + 1] == '/' && uri[i + 2] == '/') {
		i += 3;
		while (i < len && uri[i] != '/' && uri[i] != '?')
			i++;
		uri += i;
		len -= i;
	}
	if (len > cap)
		len = cap;
	for (q = 0; q < len && uri[q] != '?'; q++)
		;
	/* decoded output is never longer than its input */
	o = pct_decode(uri, q, out);
	o = path_normalize(out, o);
	o += pct_decode(uri + q, len - q, out + o);
	return o;
}

/* norm gets n bytes; their offset, or UINT32_MAX */
static uint32_t
norm_put(struct hyp_http_dir *d, const void *p, size_t n)
{
	uint32_t off = d->norm.len;

	return put(d, &d->norm, p, n, 4 * HYP_HTTP_HEADER_MAX) ? off : UINT32_MAX;
}

struct slot {
	uint32_t off, len;
	int where;	/* 0 none, 1 norm, 2 arena, 3 raw, 4 body, 5 static */
	const uint8_t *stat;
};

static void
trim(const uint8_t **v, uint32_t *n)
{
	while (*n > 0 && (**v == ' ' || **v == '\t')) {
		(*v)++;
		(*n)--;
	}
	while (*n > 0 && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
		(*n)--;
}

/* every value of a header, joined with ", " (libhtp's), into norm */
static void
header_values(struct hyp_http_dir *d, const char *name, struct slot *s)
{
	unsigned int i, n = d->n_h, k = 0;
	uint32_t off = d->norm.len;

	for (i = 0; i < n; i++) {
		const uint8_t *v;
		uint32_t vl;

		if (!name_is(d, &d->h[i], name))
			continue;
		v = d->arena.p + d->h[i].v_off;
		vl = d->h[i].v_len;
		trim(&v, &vl);
		if (k++ > 0)
			norm_put(d, ", ", 2);
		norm_put(d, v, vl);
	}
	if (k > 0) {
		s->where = 1;
		s->off = off;
		s->len = d->norm.len - off;
	}
}

static void
build(struct hyp_http_dir *d, bool with_body, struct hyp_buf_set *b, struct hyp_http_meta *m)
{
	struct slot s[HYP_BUF_MAX];
	unsigned int i, n_h = d->n_h;
	uint32_t line = 0, off;
	char tmp[32];
	int k;

	memset(s, 0, sizeof(s));
	memset(b, 0, sizeof(*b));
	d->norm.len = 0;
	/* the first line, and the headers after it, as sent */
	while (line < d->raw.len && d->raw.p[line] != '\n')
		line++;
	if (line < d->raw.len) {
		uint32_t l = line > 0 && d->raw.p[line - 1] == '\r' ? line - 1 : line;

		s[d->response ? HYP_BUF_HTTP_RESPONSE_LINE : HYP_BUF_HTTP_REQUEST_LINE] =
			(struct slot){ 0, l, 3, NULL };
		s[HYP_BUF_HTTP_HEADER_RAW] = (struct slot){ line + 1, d->raw.len - line - 1, 3, NULL };
	}
	s[HYP_BUF_HTTP_START] = (struct slot){ 0, d->raw.len, 3, NULL };
	k = snprintf(tmp, sizeof(tmp), "HTTP/%u.%u", d->major, d->minor);
	off = norm_put(d, tmp, (size_t)k);
	if (off != UINT32_MAX)
		s[HYP_BUF_HTTP_PROTOCOL] = (struct slot){ off, (uint32_t)k, 1, NULL };
	/* http.header: each header as "Name: value\r\n"; names: "\r\nName...\r\n\r\n" */
	off = d->norm.len;
	for (i = 0; i < n_h; i++) {
		const uint8_t *v = d->arena.p + d->h[i].v_off;
		uint32_t vl = d->h[i].v_len;

		trim(&v, &vl);
		norm_put(d, d->arena.p + d->h[i].n_off, d->h[i].n_len);
		norm_put(d, ": ", 2);
		norm_put(d, v, vl);
		norm_put(d, "\r\n", 2);
	}
	s[HYP_BUF_HTTP_HEADER] = (struct slot){ off, d->norm.len - off, 1, NULL };
	off = d->norm.len;
	for (i = 0; i < n_h; i++) {
		norm_put(d, "\r\n", 2);
		norm_put(d, d->arena.p + d->h[i].n_off, d->h[i].n_len);
	}
	if (n_h > 0) {
		norm_put(d, "\r\n\r\n", 4);
		s[HYP_BUF_HTTP_HEADER_NAMES] = (struct slot){ off, d->norm.len - off, 1, NULL };
	}
	for (i = 0; i < HYP_BUF_MAX; i++) {
		const char *hn = hyp_buf_descs[i].header;

		if (hn == NULL)
			continue;
		if (i == HYP_BUF_HTTP_COOKIE && d->response)
			hn = "set-cookie";
		if (hyp_buf_descs[i].side == (d->response ? HYP_BUF_SIDE_REQUEST : HYP_BUF_SIDE_RESPONSE))
			continue;
		header_values(d, hn, &s[i]);
	}
	if (!d->response) {
		const struct hdr *h = header(d, "host");

		s[HYP_BUF_HTTP_URI_RAW] = (struct slot){ d->url_off, d->url_len, 2, NULL };
		if (d->url_len > 0) {
			/* decoding and normalizing only shorten it */
			uint8_t *o;
			size_t nl;

			off = d->norm.len;
			if (norm_put(d, d->arena.p + d->url_off, d->url_len) != UINT32_MAX) {
				o = d->norm.p + off;
				nl = hyp_http_normalize_uri(d->arena.p + d->url_off, d->url_len, o,
							    d->url_len);
				d->norm.len = off + (uint32_t)nl;
				s[HYP_BUF_HTTP_URI] = (struct slot){ off, (uint32_t)nl, 1, NULL };
			}
		}
		{
			const char *ms = http_method_str((enum http_method)d->method);

			s[HYP_BUF_HTTP_METHOD] = (struct slot){ 0, (uint32_t)strlen(ms), 5,
								(const uint8_t *)ms };
		}
		if (h != NULL) {
			const uint8_t *v = d->arena.p + h->v_off;
			uint32_t vl = h->v_len, hl;

			trim(&v, &vl);
			s[HYP_BUF_HTTP_HOST_RAW] = (struct slot){ (uint32_t)(v - d->arena.p), vl, 2,
								  NULL };
			/* the name without its port, lower case; [v6] keeps its brackets */
			hl = 0;
			if (vl > 0 && v[0] == '[') {
				while (hl < vl && v[hl] != ']')
					hl++;
				if (hl < vl)
					hl++;
			} else {
				while (hl < vl && v[hl] != ':')
					hl++;
			}
			off = norm_put(d, v, hl);
			if (off != UINT32_MAX) {
				for (i = 0; i < hl; i++)
					d->norm.p[off + i] = (uint8_t)tolower(d->norm.p[off + i]);
				s[HYP_BUF_HTTP_HOST] = (struct slot){ off, hl, 1, NULL };
			}
		}
		if (with_body)
			s[HYP_BUF_HTTP_REQUEST_BODY] = (struct slot){ 0, d->body.len, 4, NULL };
	} else {
		k = snprintf(tmp, sizeof(tmp), "%03u", d->status);
		off = norm_put(d, tmp, (size_t)k);
		if (off != UINT32_MAX)
			s[HYP_BUF_HTTP_STAT_CODE] = (struct slot){ off, (uint32_t)k, 1, NULL };
		s[HYP_BUF_HTTP_STAT_MSG] = (struct slot){ d->msg_off, d->msg_len, 2, NULL };
		if (with_body)
			s[HYP_BUF_HTTP_RESPONSE_BODY] = (struct slot){ 0, d->body.len, 4, NULL };
	}
	/* norm is done growing: the pointers hold from here */
	for (i = 0; i < HYP_BUF_MAX; i++) {
		const uint8_t *base = s[i].where == 1 ? d->norm.p : s[i].where == 2 ? d->arena.p :
				      s[i].where == 3 ? d->raw.p : s[i].where == 4 ? d->body.p :
				      s[i].stat;

		if (s[i].where == 0 || base == NULL || s[i].len == 0)
			continue;
		b->p[i] = s[i].where == 5 ? base : base + s[i].off;
		b->len[i] = s[i].len;
	}
	memset(m, 0, sizeof(*m));
	m->method = m->host = m->url = m->user_agent = "";
	m->protocol = "";
	if (d->response) {
		/* the request's fields, as EVE's http object carries them */
		if (d->req.method != NULL) {
			m->method = d->req.method;
			m->host = d->req.host;
			m->url = d->req.url;
			m->user_agent = d->req.ua;
			b->p[HYP_BUF_HTTP_METHOD] = (const uint8_t *)d->req.method;
			b->len[HYP_BUF_HTTP_METHOD] = (uint32_t)strlen(d->req.method);
		}
		m->status = d->status;
		m->length = d->body_seen;
	}
}

/* the message's headers, or its body (once), to the caller */
static void
raise(struct hyp_http_dir *d, bool body, hyp_http_fn fn, void *arg)
{
	struct hyp_buf_set b;
	struct hyp_http_meta m;
	char tmp[5][PENDING_FIELD + 1];
	unsigned int i;
	static const int mf[4] = { HYP_BUF_HTTP_METHOD, HYP_BUF_HTTP_HOST, HYP_BUF_HTTP_URI_RAW,
				   HYP_BUF_HTTP_UA };

	build(d, body, &b, &m);
	if (!d->response) {
		/* a request's own fields for the alert, NUL-terminated, cut at PENDING_FIELD */
		const char **dst[4] = { &m.method, &m.host, &m.url, &m.user_agent };

		for (i = 0; i < 4; i++) {
			uint32_t n = b.len[mf[i]] < PENDING_FIELD ? b.len[mf[i]] : PENDING_FIELD;

			if (n > 0)
				memcpy(tmp[i], b.p[mf[i]], n);
			tmp[i][n] = '\0';
			*dst[i] = tmp[i];
		}
	}
	{
		uint32_t n = b.len[HYP_BUF_HTTP_PROTOCOL] < 16 ? b.len[HYP_BUF_HTTP_PROTOCOL] : 16;

		if (n > 0)
			memcpy(tmp[4], b.p[HYP_BUF_HTTP_PROTOCOL], n);
		tmp[4][n] = '\0';
		m.protocol = tmp[4];
	}
	if (!body && !d->response)
		push_request(d, &b);
	if (!body && d->response)
		d->st->responses++;
	else if (!body)
		d->st->requests++;
	fn(arg, d->response ? (body ? HYP_HTTP_EV_RESPONSE_BODY : HYP_HTTP_EV_RESPONSE) :
			      (body ? HYP_HTTP_EV_REQUEST_BODY : HYP_HTTP_EV_REQUEST),
	   &b, &m);
}

/* ---- the direction ---- */

/* a fresh parser for the next message; lenient as browsers are with header bytes */
static void
parser_init(struct hyp_http_dir *d, bool response)
{
	http_parser_init(&d->hp, response ? HTTP_RESPONSE : HTTP_REQUEST);
	d->hp.data = d;
	d->hp.lenient_http_headers = 1;
	d->hp.allow_chunked_length = 1;
}

/* the body (if any) is over: inspect it, then read the next message */
static void
message_done(struct hyp_http_dir *d, hyp_http_fn fn, void *arg)
{
	if (!d->body_fired && d->body_seen > 0) {
		d->body_fired = true;
		raise(d, true, fn, arg);
	}
	message_reset(d);
	parser_init(d, d->response);
}

int
hyp_http_dir_new(bool response, struct hyp_http_dir **out)
{
	struct hyp_http_dir *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (d == NULL)
		return -ENOMEM;
	parser_init(d, response);
	d->response = response;
	*out = d;
	return 0;
}

void
hyp_http_dir_free(struct hyp_http_dir *d)
{
	unsigned int i;

	if (d == NULL)
		return;
	message_reset(d);
	for (i = 0; i < HYP_HTTP_PENDING; i++)
		pending_free(&d->ring[i]);
	bytes_free(d, &d->arena);
	bytes_free(d, &d->raw);
	bytes_free(d, &d->body);
	bytes_free(d, &d->norm);
	free(d);
}

bool
hyp_http_is_http(const struct hyp_http_dir *d)
{
	return d != NULL && d->seen && !d->broken;
}

static void
breaks(struct hyp_http_dir *d)
{
	d->broken = true;
	if (d->seen)
		d->st->parse_errors++;
	else
		d->st->not_http++;
}

int
hyp_http_feed(struct hyp_http_dir *d, struct hyp_http_dir *peer,
	      const struct hyp_http_limits *lim, const uint8_t *data, size_t len,
	      hyp_http_fn fn, void *arg, struct hyp_http_stats *st)
{
	if (d->broken)
		return d->capped ? -ENOSPC : -EPROTO;
	d->st = st;
	if (d->acct == NULL) {
		d->acct = st;
		d->memcap = lim->memcap;
	}
	d->body_limit = d->response ? lim->response_body : lim->request_body;
	while (len > 0 && !d->capped) {
		size_t n;
		enum http_errno e;

		if (d->skip_lf) {
			d->skip_lf = false;
			if (data[0] == '\n') {
				data++;
				len--;
				continue;
			}
		}
		if (d->in_body) {
			bool done;
			long took = body_feed(d, data, len, &done);

			if (took < 0) {
				/* what a browser would not read either: inspect what came, stop */
				message_done(d, fn, arg);
				breaks(d);
				d->st = NULL;
				return -EPROTO;
			}
			if (!d->body_fired && d->body_limit > 0 && d->body.len >= d->body_limit) {
				/* the limit reached: inspect what is kept now, not at an end that may not come */
				d->body_fired = true;
				raise(d, true, fn, arg);
			}
			if (done)
				message_done(d, fn, arg);
			data += took;
			len -= (size_t)took;
			continue;
		}
		d->peer = peer;
		d->pending_ev = EV_NONE;
		n = http_parser_execute(&d->hp, &settings, (const char *)data, len);
		d->peer = NULL;
		e = HTTP_PARSER_ERRNO(&d->hp);
		/* the first line and headers as sent (the end of the headers comes with its event) */
		if (d->in_headers || d->pending_ev == EV_HEADERS)
			put(d, &d->raw, data, n, HYP_HTTP_HEADER_MAX);
		if (e != HPE_OK && e != HPE_PAUSED) {
			breaks(d);
			d->st = NULL;
			return -EPROTO;
		}
		if (d->pending_ev == EV_HEADERS) {
			uint32_t lead = 0;

			/* paused before the last LF of the headers (http-parser's): it is theirs */
			put(d, &d->raw, "\n", 1, HYP_HTTP_HEADER_MAX);
			/* the empty lines a client may send between messages are not the message's */
			while (lead < d->raw.len && (d->raw.p[lead] == '\r' || d->raw.p[lead] == '\n'))
				lead++;
			if (lead > 0) {
				memmove(d->raw.p, d->raw.p + lead, d->raw.len - lead);
				d->raw.len -= lead;
			}
			d->seen = true;
			raise(d, false, fn, arg);
			/*
			 * CONNECT or an Upgrade is not believed on the request's word:
			 * the bytes after it are read as HTTP still, so a client that
			 * asks for a tunnel it never gets cannot blind us; a real
			 * tunnel breaks the parser (counted).
			 */
			d->skip_lf = true;
			if (d->body_mode == BODY_NONE)
				message_done(d, fn, arg);
			else
				d->in_body = true;
		} else if (e == HPE_PAUSED) {
			http_parser_pause(&d->hp, 0);
		}
		if (n == 0 && d->pending_ev != EV_HEADERS)
			break;	/* cannot happen: http-parser takes every byte or fails */
		data += n;
		len -= n;
	}
	d->st = NULL;
	if (d->capped) {
		/* what came before the cap was raised; nothing after it is read */
		d->broken = true;
		return -ENOSPC;
	}
	return 0;
}

void
hyp_http_end(struct hyp_http_dir *d, hyp_http_fn fn, void *arg)
{
	struct hyp_http_stats scratch = { 0 };

	if (d == NULL || d->broken)
		return;
	if (d->in_headers) {
		/*
		 * The connection closed in the headers: they are what came, as
		 * Suricata takes them (a server may close without the empty line).
		 */
		const struct hyp_http_limits l = { d->body_limit, d->body_limit };
		bool line_done = d->raw.len > 0 && d->raw.p[d->raw.len - 1] == '\n';

		hyp_http_feed(d, NULL, &l, (const uint8_t *)"\r\n\r\n", line_done ? 2 : 4, fn, arg,
			      &scratch);
	}
	if (d->in_headers || d->body_fired || d->body_seen == 0 || !d->seen)
		return;
	d->st = &scratch;
	d->body_fired = true;
	raise(d, true, fn, arg);
	d->st = NULL;
}
