/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/hyp_tls against real handshakes: OpenSSL's client and server talk
 * through memory BIOs in this process and the bytes they exchange are fed
 * to the reader, TLS 1.2 (the certificate in the clear) and TLS 1.3 (the
 * certificate encrypted). Then the hostile versions: any chunking, hellos
 * re-framed into tiny records, every prefix of a hello, lengths that lie,
 * oversized records and messages, undecodable certificates, a NUL in a
 * name, the SSLv2-framed hello, and streams that are not TLS at all.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "hyp_tls.h"
#include "tap.h"

#define MAX_EV	8

struct ev {
	enum hyp_app_ev ev;
	char *b[HYP_BUF_MAX];
	uint32_t len[HYP_BUF_MAX];
	char sni[HYP_TLS_SNI_KEEP], version[32], subject[256], issuer[256];
};

struct rec {
	struct ev e[MAX_EV];
	unsigned int n;
};

static void
on_ev(void *arg, enum hyp_app_ev ev, const struct hyp_buf_set *b, const struct hyp_tls_meta *m)
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
		if (e->b[i] == NULL)
			abort();
		if (b->len[i] > 0)
			memcpy(e->b[i], b->p[i], b->len[i]);
		e->b[i][b->len[i]] = '\0';
	}
	snprintf(e->sni, sizeof(e->sni), "%s", m->sni);
	snprintf(e->version, sizeof(e->version), "%s", m->version);
	snprintf(e->subject, sizeof(e->subject), "%s", m->subject);
	snprintf(e->issuer, sizeof(e->issuer), "%s", m->issuer);
}

static void
rec_free(struct rec *r)
{
	unsigned int i, k;

	for (i = 0; i < r->n; i++)
		for (k = 0; k < HYP_BUF_MAX; k++)
			free(r->e[i].b[k]);
	r->n = 0;
}

/* two traces the same, event by event, buffer by buffer */
static bool
rec_eq(const struct rec *a, const struct rec *b)
{
	unsigned int i, k;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		if (a->e[i].ev != b->e[i].ev || strcmp(a->e[i].sni, b->e[i].sni) != 0 ||
		    strcmp(a->e[i].version, b->e[i].version) != 0)
			return false;
		for (k = 0; k < HYP_BUF_MAX; k++)
			if (a->e[i].len[k] != b->e[i].len[k] ||
			    memcmp(a->e[i].b[k], b->e[i].b[k], a->e[i].len[k]) != 0)
				return false;
	}
	return true;
}

/* ---- bytes ---- */

struct bytes {
	uint8_t *p;
	size_t n, cap;
};

static void
put(struct bytes *b, const void *src, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 1024;

		while (cap < b->n + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (b->p == NULL)
			abort();
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->n, src, n);
	b->n += n;
}

static void
put_u(struct bytes *b, uint32_t v, unsigned int len)
{
	uint8_t x[4];
	unsigned int i;

	for (i = 0; i < len; i++)
		x[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
	put(b, x, len);
}

/* one handshake message cut into records of at most rec_max bytes */
static void
put_records(struct bytes *b, uint8_t type, const uint8_t *p, size_t n, size_t rec_max)
{
	do {
		size_t take = n < rec_max ? n : rec_max;

		put_u(b, type, 1);
		put_u(b, 0x0303, 2);
		put_u(b, (uint32_t)take, 2);
		put(b, p, take);
		p += take;
		n -= take;
	} while (n > 0);
}

/* ---- a certificate and a handshake ---- */

static EVP_PKEY *
make_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (k == NULL)
		abort();
	return k;
}

/* subject O and CN (cn_len bytes: a NUL may be inside), issuer given */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, size_t cn_len, const char *issuer_cn, uint64_t serial)
{
	X509 *x = X509_new();
	X509_NAME *subj = X509_NAME_new(), *iss = X509_NAME_new();
	ASN1_INTEGER *sn = ASN1_INTEGER_new();

	if (x == NULL || subj == NULL || iss == NULL || sn == NULL ||
	    ASN1_INTEGER_set_uint64(sn, serial) != 1 || X509_set_version(x, 2) != 1 ||
	    X509_set_serialNumber(x, sn) != 1 ||
	    X509_NAME_add_entry_by_txt(subj, "C", MBSTRING_ASC, (const unsigned char *)"US", -1,
				       -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_ASC,
				       (const unsigned char *)"Hyperion Test", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(subj, "CN", V_ASN1_UTF8STRING, (const unsigned char *)cn,
				       (int)cn_len, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(iss, "C", MBSTRING_ASC, (const unsigned char *)"US", -1, -1,
				       0) != 1 ||
	    X509_NAME_add_entry_by_txt(iss, "O", MBSTRING_ASC, (const unsigned char *)"Hyperion CA",
				       -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_ASC, (const unsigned char *)issuer_cn,
				       -1, -1, 0) != 1 ||
	    X509_set_subject_name(x, subj) != 1 || X509_set_issuer_name(x, iss) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400) == NULL || X509_set_pubkey(x, key) != 1 ||
	    X509_sign(x, key, EVP_sha256()) == 0)
		abort();
	X509_NAME_free(subj);
	X509_NAME_free(iss);
	ASN1_INTEGER_free(sn);
	return x;
}

static void
drain(BIO *from, BIO *to, struct bytes *log)
{
	uint8_t buf[4096];
	int n;

	while ((n = BIO_read(from, buf, sizeof(buf))) > 0) {
		put(log, buf, (size_t)n);
		if (BIO_write(to, buf, n) != n)
			abort();
	}
}

/* a whole handshake at one version; what each side sent */
static void
handshake(int version, const char *sni, X509 *cert, EVP_PKEY *key, struct bytes *c2s,
	  struct bytes *s2c)
{
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method()), *sctx = SSL_CTX_new(TLS_server_method());
	BIO *c_in = BIO_new(BIO_s_mem()), *c_out = BIO_new(BIO_s_mem());
	BIO *s_in = BIO_new(BIO_s_mem()), *s_out = BIO_new(BIO_s_mem());
	SSL *c, *s;
	int i;

	if (cctx == NULL || sctx == NULL || c_in == NULL || c_out == NULL || s_in == NULL ||
	    s_out == NULL || SSL_CTX_set_min_proto_version(cctx, version) != 1 ||
	    SSL_CTX_set_max_proto_version(cctx, version) != 1 ||
	    SSL_CTX_use_certificate(sctx, cert) != 1 || SSL_CTX_use_PrivateKey(sctx, key) != 1)
		abort();
	SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
	c = SSL_new(cctx);
	s = SSL_new(sctx);
	if (c == NULL || s == NULL || (sni != NULL && SSL_set_tlsext_host_name(c, sni) != 1))
		abort();
	SSL_set_bio(c, c_in, c_out);
	SSL_set_bio(s, s_in, s_out);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	for (i = 0; i < 20 && !(SSL_is_init_finished(c) && SSL_is_init_finished(s)); i++) {
		SSL_do_handshake(c);
		drain(c_out, s_in, c2s);
		SSL_do_handshake(s);
		drain(s_out, c_in, s2c);
	}
	if (!SSL_is_init_finished(c) || !SSL_is_init_finished(s))
		abort();
	/* application data, which must stay unread */
	if (SSL_write(c, "GET /secret HTTP/1.1\r\n\r\n", 24) != 24)
		abort();
	drain(c_out, s_in, c2s);
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
}

/* ---- feeding ---- */

static int
feed_cut(struct hyp_tls_dir *d, const struct hyp_tls_dir *peer, const struct bytes *b,
	 size_t chunk, struct rec *r, struct hyp_tls_stats *st)
{
	size_t off;
	int rc = 0;

	for (off = 0; off < b->n && rc == 0; off += chunk)
		rc = hyp_tls_feed(d, peer, b->p + off, b->n - off < chunk ? b->n - off : chunk, on_ev,
				  r, st);
	return rc;
}

static struct hyp_tls_dir *
dir(bool server)
{
	struct hyp_tls_dir *d;

	if (hyp_tls_dir_new(server, 0, &d) != 0)
		abort();
	return d;
}

static void
fingerprint_of(X509 *x, char *out)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (X509_digest(x, EVP_sha1(), md, &n) != 1)
		abort();
	for (i = 0; i < n; i++)
		sprintf(out + 3 * i, "%02x%s", md[i], i + 1 < n ? ":" : "");
}

/* the first record's body (a hello's message) of a transcript */
static size_t
first_record(const struct bytes *b, const uint8_t **body)
{
	*body = b->p + 5;
	return (size_t)b->p[3] << 8 | b->p[4];
}

/* the transcript's handshake messages, in order, until its first CCS or appdata */
static void
handshake_bytes(const struct bytes *b, struct bytes *out)
{
	size_t off = 0;

	while (off + 5 <= b->n) {
		size_t len = (size_t)b->p[off + 3] << 8 | b->p[off + 4];

		if (b->p[off] != 22)
			break;
		put(out, b->p + off + 5, len);
		off += 5 + len;
	}
}

static void
test_tls12(EVP_PKEY *key)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 100, 100000 };
	X509 *cert = make_cert(key, "www.example.test", 16, "Hyperion Test CA", 0x0123456789ull);
	struct bytes c2s = { 0 }, s2c = { 0 }, hs = { 0 }, refr = { 0 };
	struct hyp_tls_stats st = { 0 };
	struct rec r0 = { 0 }, r1 = { 0 }, r = { 0 };
	struct hyp_tls_dir *c, *s;
	char fp[64];
	unsigned int i;
	int rc1, rc2;

	handshake(TLS1_2_VERSION, "www.example.test", cert, key, &c2s, &s2c);
	fingerprint_of(cert, fp);

	c = dir(false);
	s = dir(true);
	rc1 = feed_cut(c, NULL, &c2s, c2s.n, &r0, &st);
	rc2 = feed_cut(s, c, &s2c, s2c.n, &r1, &st);
	tap(rc1 == 0 && rc2 == 0, "tls12: a real handshake parses in both directions",
	    "rc %d %d", rc1, rc2);
	tap(hyp_tls_is_tls(c) && hyp_tls_is_tls(s), "tls12: both directions are TLS", NULL);
	tap(r0.n == 1 && r0.e[0].ev == HYP_TLS_EV_HELLO &&
		    strcmp(r0.e[0].b[HYP_BUF_TLS_SNI], "www.example.test") == 0 &&
		    strcmp(r0.e[0].sni, "www.example.test") == 0,
	    "tls12: the ClientHello's server_name, as buffer and meta", "events %u sni '%s'", r0.n,
	    r0.n > 0 ? r0.e[0].b[HYP_BUF_TLS_SNI] : "");
	tap(r1.n == 1 && r1.e[0].ev == HYP_TLS_EV_CERT, "tls12: one certificate event",
	    "events %u", r1.n);
	if (r1.n == 1) {
		struct ev *e = &r1.e[0];

		tap(strcmp(e->b[HYP_BUF_TLS_CERT_SUBJECT],
			   "C=US, O=Hyperion Test, CN=www.example.test") == 0,
		    "tls12: subject rendered as Suricata does", "'%s'",
		    e->b[HYP_BUF_TLS_CERT_SUBJECT]);
		tap(strcmp(e->b[HYP_BUF_TLS_CERT_ISSUER],
			   "C=US, O=Hyperion CA, CN=Hyperion Test CA") == 0,
		    "tls12: issuer", "'%s'", e->b[HYP_BUF_TLS_CERT_ISSUER]);
		tap(strcmp(e->b[HYP_BUF_TLS_CERT_SERIAL], "01:23:45:67:89") == 0,
		    "tls12: serial in upper-case hex pairs", "'%s'", e->b[HYP_BUF_TLS_CERT_SERIAL]);
		tap(strcmp(e->b[HYP_BUF_TLS_CERT_FINGERPRINT], fp) == 0,
		    "tls12: SHA-1 fingerprint as X509_digest's", "'%s' vs '%s'",
		    e->b[HYP_BUF_TLS_CERT_FINGERPRINT], fp);
		tap(e->len[HYP_BUF_TLS_SNI] == 0 && e->len[HYP_BUF_HTTP_URI] == 0,
		    "tls12: a certificate event carries only certificate buffers", NULL);
		tap(strcmp(e->sni, "www.example.test") == 0 && strcmp(e->version, "TLS 1.2") == 0 &&
			    strcmp(e->subject, "C=US, O=Hyperion Test, CN=www.example.test") == 0,
		    "tls12: its meta has the client's sni and the version", "sni '%s' version '%s'",
		    e->sni, e->version);
	}
	tap(st.client_hellos == 1 && st.server_hellos == 1 && st.certificates == 1 &&
		    st.not_tls == 0 && st.parse_errors == 0 && st.hidden_certs == 0,
	    "tls12: counters", "ch %lu sh %lu cert %lu", (unsigned long)st.client_hellos,
	    (unsigned long)st.server_hellos, (unsigned long)st.certificates);
	hyp_tls_dir_free(c);
	hyp_tls_dir_free(s);

	/* whatever the cut, the same events */
	for (i = 0; i < DIM(chunks); i++) {
		struct rec a = { 0 }, b = { 0 };
		bool same;

		c = dir(false);
		s = dir(true);
		rc1 = feed_cut(c, NULL, &c2s, chunks[i], &a, &st);
		rc2 = feed_cut(s, c, &s2c, chunks[i], &b, &st);
		same = rc1 == 0 && rc2 == 0 && rec_eq(&a, &r0) && rec_eq(&b, &r1);
		tap(same, "tls12: chunks of any size give the same events", "chunk %zu: %u %u",
		    chunks[i], a.n, b.n);
		rec_free(&a);
		rec_free(&b);
		hyp_tls_dir_free(c);
		hyp_tls_dir_free(s);
	}

	/* the same messages in records of 5 and 10 bytes: a fragmented hello hides nothing */
	for (i = 5; i <= 10; i += 5) {
		struct hyp_tls_dir *c2 = dir(false), *s2 = dir(true);
		struct rec a = { 0 }, b = { 0 };

		hs.n = refr.n = 0;
		handshake_bytes(&c2s, &hs);
		put_records(&refr, 22, hs.p, hs.n, i);
		rc1 = feed_cut(c2, NULL, &refr, 3, &a, &st);
		hs.n = refr.n = 0;
		handshake_bytes(&s2c, &hs);
		put_records(&refr, 22, hs.p, hs.n, i);
		rc2 = feed_cut(s2, c2, &refr, 4096, &b, &st);
		tap(rc1 == 0 && rc2 == 0 && rec_eq(&a, &r0) && rec_eq(&b, &r1),
		    "tls12: messages re-framed into tiny records give the same events",
		    "records of %u: rc %d %d, events %u %u", i, rc1, rc2, a.n, b.n);
		rec_free(&a);
		rec_free(&b);
		hyp_tls_dir_free(c2);
		hyp_tls_dir_free(s2);
	}

	/* every prefix of the hello: no event before it is whole, nothing read past the end */
	{
		const uint8_t *body;
		size_t hello = 5 + first_record(&c2s, &body), n;
		unsigned int early = 0, bad_rc = 0;

		for (n = 0; n < hello; n++) {
			uint8_t *copy = malloc(n + 1);

			if (copy == NULL)
				abort();
			memcpy(copy, c2s.p, n);
			c = dir(false);
			if (hyp_tls_feed(c, NULL, copy, n, on_ev, &r, &st) != 0)
				bad_rc++;
			early += r.n;
			rec_free(&r);
			hyp_tls_dir_free(c);
			free(copy);
		}
		tap(early == 0 && bad_rc == 0, "tls12: no prefix of a hello gives an event or an error",
		    "%u events, %u errors over %zu prefixes", early, bad_rc, hello);
	}

	/* the rest of the stream once the handshake went encrypted: ignored */
	c = dir(false);
	rc1 = feed_cut(c, NULL, &c2s, c2s.n, &r, &st);
	rc2 = hyp_tls_feed(c, NULL, (const uint8_t *)"\x17\x03\x03\xff\xff garbage", 14, on_ev, &r,
			   &st);
	tap(rc1 == 0 && rc2 == 0 && r.n == 1, "tls12: bytes after ChangeCipherSpec are not parsed",
	    "rc %d %d events %u", rc1, rc2, r.n);
	rec_free(&r);
	hyp_tls_dir_free(c);

	free(c2s.p);
	free(s2c.p);
	free(hs.p);
	free(refr.p);
	rec_free(&r0);
	rec_free(&r1);
	X509_free(cert);
}

static void
test_tls13(EVP_PKEY *key)
{
	X509 *cert = make_cert(key, "www.example.test", 16, "Hyperion Test CA", 7);
	struct bytes c2s = { 0 }, s2c = { 0 };
	struct hyp_tls_stats st = { 0 };
	struct hyp_tls_dir *c = dir(false), *s = dir(true);
	struct rec r0 = { 0 }, r1 = { 0 };
	int rc1, rc2;

	handshake(TLS1_3_VERSION, "tls13.example.test", cert, key, &c2s, &s2c);
	rc1 = feed_cut(c, NULL, &c2s, 50, &r0, &st);
	rc2 = feed_cut(s, c, &s2c, 50, &r1, &st);
	tap(rc1 == 0 && rc2 == 0 && r0.n == 1 &&
		    strcmp(r0.e[0].b[HYP_BUF_TLS_SNI], "tls13.example.test") == 0,
	    "tls13: the ClientHello's server_name is seen", "rc %d %d events %u", rc1, rc2, r0.n);
	tap(r1.n == 0 && st.server_hellos == 1 && st.hidden_certs == 1 && st.certificates == 0 &&
		    st.parse_errors == 0,
	    "tls13: the certificate is encrypted: no event, counted hidden", "events %u hidden %lu",
	    r1.n, (unsigned long)st.hidden_certs);
	rec_free(&r0);
	hyp_tls_dir_free(c);
	hyp_tls_dir_free(s);
	free(c2s.p);
	free(s2c.p);
	X509_free(cert);
}

/* a server's hello and Certificate message, made by hand */
static void
server_flight(struct bytes *out, const struct bytes *certs, size_t rec_max)
{
	struct bytes m = { 0 };
	uint8_t random[32] = { 0 };

	put_u(&m, 2, 1);		/* ServerHello */
	put_u(&m, 2 + 32 + 1 + 2 + 1, 3);
	put_u(&m, 0x0303, 2);
	put(&m, random, sizeof(random));
	put_u(&m, 0, 1);
	put_u(&m, 0xc02b, 2);
	put_u(&m, 0, 1);
	put_u(&m, 11, 1);		/* Certificate */
	put_u(&m, (uint32_t)(3 + certs->n), 3);
	put_u(&m, (uint32_t)certs->n, 3);
	put(&m, certs->p, certs->n);
	put_records(out, 22, m.p, m.n, rec_max);
	free(m.p);
}

static void
put_cert(struct bytes *certs, X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	if (n <= 0)
		abort();
	put_u(certs, (uint32_t)n, 3);
	put(certs, der, (size_t)n);
	OPENSSL_free(der);
}

static void
test_certificates(EVP_PKEY *key)
{
	static const char evil[] = "evil.test\0.example.com";
	X509 *a = make_cert(key, "a.example.test", 14, "CA one", 1);
	X509 *b = make_cert(key, "b.example.test", 14, "CA two", 2);
	X509 *nul = make_cert(key, evil, sizeof(evil) - 1, "CA three", 3);
	struct bytes certs = { 0 }, flight = { 0 }, pad = { 0 }, m = { 0 };
	struct hyp_tls_stats st = { 0 };
	struct hyp_tls_dir *s;
	struct rec r = { 0 };
	int rc;

	/* a chain: only the first certificate is the server's */
	put_cert(&certs, a);
	put_cert(&certs, b);
	server_flight(&flight, &certs, 16384);
	s = dir(true);
	rc = feed_cut(s, NULL, &flight, 1000, &r, &st);
	tap(rc == 0 && r.n == 1 && strstr(r.e[0].b[HYP_BUF_TLS_CERT_SUBJECT], "a.example.test") &&
		    strcmp(r.e[0].b[HYP_BUF_TLS_CERT_SERIAL], "01") == 0 && r.e[0].sni[0] == '\0',
	    "cert: of a chain the first certificate is the server's (no peer: no sni)",
	    "rc %d events %u", rc, r.n);
	rec_free(&r);
	hyp_tls_dir_free(s);

	/* a NUL inside the CN stays in the buffer; the meta string ends there */
	certs.n = flight.n = 0;
	put_cert(&certs, nul);
	server_flight(&flight, &certs, 16384);
	s = dir(true);
	rc = feed_cut(s, NULL, &flight, flight.n, &r, &st);
	{
		static const char want[] = "C=US, O=Hyperion Test, CN=evil.test\0.example.com";

		tap(rc == 0 && r.n == 1 && r.e[0].len[HYP_BUF_TLS_CERT_SUBJECT] == sizeof(want) - 1 &&
			    memcmp(r.e[0].b[HYP_BUF_TLS_CERT_SUBJECT], want, sizeof(want) - 1) == 0 &&
			    strcmp(r.e[0].subject, "C=US, O=Hyperion Test, CN=evil.test") == 0,
		    "cert: a NUL in a name is kept for the rules, not in the alert's string",
		    "rc %d events %u len %u", rc, r.n,
		    r.n > 0 ? r.e[0].len[HYP_BUF_TLS_CERT_SUBJECT] : 0);
	}
	rec_free(&r);
	hyp_tls_dir_free(s);

	/*
	 * A Certificate message over 64 KiB (a real certificate, then 70,000
	 * bytes of padding certificate): the start is inspected, the rest
	 * skipped, and the reader is still in step for the message after it.
	 */
	certs.n = flight.n = 0;
	put_cert(&certs, a);
	put_u(&certs, 70000, 3);
	{
		/* 0x0b: read as message headers, the padding would be more Certificates */
		uint8_t *fill = malloc(70000);

		if (fill == NULL)
			abort();
		memset(fill, 0x0b, 70000);
		put(&certs, fill, 70000);
		free(fill);
	}
	server_flight(&flight, &certs, 16384);
	pad.n = 0;
	put_u(&m, 11, 1);	/* a second, small Certificate message */
	{
		struct bytes c2 = { 0 };

		put_cert(&c2, b);
		put_u(&m, (uint32_t)(3 + c2.n), 3);
		put_u(&m, (uint32_t)c2.n, 3);
		put(&m, c2.p, c2.n);
		free(c2.p);
	}
	put_records(&flight, 22, m.p, m.n, 16384);
	s = dir(true);
	rc = feed_cut(s, NULL, &flight, 4000, &r, &st);
	tap(rc == 0 && st.truncated == 1 && r.n == 2 &&
		    strstr(r.e[0].b[HYP_BUF_TLS_CERT_SUBJECT], "a.example.test") &&
		    strstr(r.e[1].b[HYP_BUF_TLS_CERT_SUBJECT], "b.example.test"),
	    "cert: a message over 64 KiB is inspected from its start, the next one still read",
	    "rc %d truncated %lu events %u", rc, (unsigned long)st.truncated, r.n);
	rec_free(&r);
	hyp_tls_dir_free(s);

	/* an undecodable certificate and one whose length lies: counted, no event, still TLS */
	{
		static const uint8_t junk[] = { 0, 0, 10, 0x30, 0x82, 0xff, 0xff, 1, 2, 3, 4, 5, 6 };
		static const uint8_t liar[] = { 0, 0xff, 0xff, 0x30, 0x82 };
		unsigned long before = st.cert_errors;
		struct bytes j = { 0 };
		int rc2;

		put(&j, junk, sizeof(junk));
		flight.n = 0;
		server_flight(&flight, &j, 16384);
		s = dir(true);
		rc = feed_cut(s, NULL, &flight, 7, &r, &st);
		hyp_tls_dir_free(s);
		j.n = flight.n = 0;
		put(&j, liar, sizeof(liar));
		server_flight(&flight, &j, 16384);
		s = dir(true);
		rc2 = feed_cut(s, NULL, &flight, 7, &r, &st);
		tap(rc == 0 && rc2 == 0 && r.n == 0 && st.cert_errors == before + 2 &&
			    hyp_tls_is_tls(s),
		    "cert: junk DER and a lying length are cert_errors, not events",
		    "rc %d %d events %u cert_errors %lu", rc, rc2, r.n,
		    (unsigned long)(st.cert_errors - before));
		hyp_tls_dir_free(s);
		free(j.p);
	}

	free(certs.p);
	free(flight.p);
	free(pad.p);
	free(m.p);
	X509_free(a);
	X509_free(b);
	X509_free(nul);
}

/* a ClientHello with one server_name, its name length given (to lie with) */
static void
client_hello(struct bytes *out, const char *name, uint32_t name_len, size_t rec_max)
{
	struct bytes m = { 0 }, ext = { 0 };
	uint8_t random[32] = { 0 };
	size_t n = strlen(name);

	put_u(&ext, 0, 2);			/* server_name */
	put_u(&ext, (uint32_t)(2 + 1 + 2 + n), 2);
	put_u(&ext, (uint32_t)(1 + 2 + n), 2);
	put_u(&ext, 0, 1);			/* host_name */
	put_u(&ext, name_len, 2);
	put(&ext, name, n);
	put_u(&m, 1, 1);
	put_u(&m, (uint32_t)(2 + 32 + 1 + 4 + 2 + 2 + ext.n), 3);
	put_u(&m, 0x0303, 2);
	put(&m, random, sizeof(random));
	put_u(&m, 0, 1);
	put_u(&m, 2, 2);
	put_u(&m, 0xc02b, 2);
	put_u(&m, 1, 1);
	put_u(&m, 0, 1);
	put_u(&m, (uint32_t)ext.n, 2);
	put(&m, ext.p, ext.n);
	put_records(out, 22, m.p, m.n, rec_max);
	free(m.p);
	free(ext.p);
}

static void
test_hostile(void)
{
	struct hyp_tls_stats st = { 0 };
	struct bytes b = { 0 };
	struct hyp_tls_dir *c;
	struct rec r = { 0 };
	int rc, rc2;

	/* the made hello is right, so what follows tests only the lie */
	client_hello(&b, "ok.example.test", 15, 16384);
	c = dir(false);
	rc = feed_cut(c, NULL, &b, b.n, &r, &st);
	tap(rc == 0 && r.n == 1 && strcmp(r.e[0].b[HYP_BUF_TLS_SNI], "ok.example.test") == 0,
	    "hostile: a hand-made hello parses", "rc %d events %u", rc, r.n);
	rec_free(&r);
	hyp_tls_dir_free(c);

	b.n = 0;
	memset(&st, 0, sizeof(st));
	client_hello(&b, "ok.example.test", 0xffff, 16384);
	c = dir(false);
	rc = feed_cut(c, NULL, &b, b.n, &r, &st);
	tap(rc == -EPROTO && r.n == 0 && st.parse_errors == 1 && st.client_hellos == 0,
	    "hostile: a server_name longer than its extension breaks the direction, counted",
	    "rc %d events %u parse_errors %lu", rc, r.n, (unsigned long)st.parse_errors);
	rc2 = feed_cut(c, NULL, &b, b.n, &r, &st);
	tap(rc2 == -EPROTO && r.n == 0, "hostile: a broken direction stays broken", "rc %d", rc2);
	hyp_tls_dir_free(c);

	/* a record longer than the protocol allows */
	memset(&st, 0, sizeof(st));
	c = dir(false);
	rc = hyp_tls_feed(c, NULL, (const uint8_t *)"\x16\x03\x01\xff\xff\x01", 6, on_ev, &r, &st);
	tap(rc == -EPROTO && st.not_tls + st.parse_errors == 1 && r.n == 0,
	    "hostile: a 64 KiB record is refused", "rc %d", rc);
	hyp_tls_dir_free(c);

	/* not TLS at all: an HTTP request, then more bytes */
	memset(&st, 0, sizeof(st));
	c = dir(false);
	rc = hyp_tls_feed(c, NULL, (const uint8_t *)"GET / HTTP/1.1\r\n", 16, on_ev, &r, &st);
	rc2 = hyp_tls_feed(c, NULL, (const uint8_t *)"\x16\x03\x01\x00\x05", 5, on_ev, &r, &st);
	tap(rc == -EPROTO && rc2 == -EPROTO && st.not_tls == 1 && !hyp_tls_is_tls(c),
	    "hostile: a stream that is not TLS is left alone, counted once", "rc %d %d not_tls %lu",
	    rc, rc2, (unsigned long)st.not_tls);
	hyp_tls_dir_free(c);

	/* a client direction that begins with a server's message: not its hello */
	memset(&st, 0, sizeof(st));
	c = dir(false);
	rc = hyp_tls_feed(c, NULL, (const uint8_t *)"\x16\x03\x03\x00\x04\x0b\x00\x00\x00", 9,
			  on_ev, &r, &st);
	tap(rc == -EPROTO && st.parse_errors == 1 && st.client_hellos == 0,
	    "hostile: a direction must begin with its hello", "rc %d", rc);
	hyp_tls_dir_free(c);

	/* a hello, then a record of an unknown type */
	b.n = 0;
	memset(&st, 0, sizeof(st));
	client_hello(&b, "ok.example.test", 15, 7);
	put(&b, "\x63\x03\x03\x00\x01\x00", 6);
	c = dir(false);
	rc = feed_cut(c, NULL, &b, 2, &r, &st);
	tap(rc == -EPROTO && r.n == 1 && st.parse_errors == 1 && hyp_tls_is_tls(c),
	    "hostile: a bad record after the hello: the hello seen, then the direction broken",
	    "rc %d events %u", rc, r.n);
	rec_free(&r);
	hyp_tls_dir_free(c);

	/* a hello message bigger than 64 KiB in 16 KiB records: truncated, never an overflow */
	{
		struct bytes m = { 0 };
		uint8_t *zero = malloc(70000);

		if (zero == NULL)
			abort();
		memset(zero, 0x01, 70000);	/* read as headers: more hellos */
		b.n = 0;
		memset(&st, 0, sizeof(st));
		put_u(&m, 1, 1);
		put_u(&m, 70000, 3);
		put(&m, zero, 70000);
		put_records(&b, 22, m.p, m.n, 16384);
		c = dir(false);
		rc = feed_cut(c, NULL, &b, 3000, &r, &st);
		/* its cut body no longer adds up: a parse error, after the cut, never past it */
		tap(rc == -EPROTO && st.truncated == 1 && st.parse_errors == 1 && r.n == 0,
		    "hostile: a 70,000-byte hello of junk is cut at 64 KiB, counted, refused",
		    "rc %d truncated %lu events %u", rc, (unsigned long)st.truncated, r.n);
		hyp_tls_dir_free(c);
		free(zero);
		free(m.p);
	}

	/* a zero-length record between handshake records is harmless */
	b.n = 0;
	memset(&st, 0, sizeof(st));
	put(&b, "\x16\x03\x03\x00\x00", 5);
	client_hello(&b, "zero.example.test", 17, 16384);
	c = dir(false);
	rc = feed_cut(c, NULL, &b, 1, &r, &st);
	tap(rc == 0 && r.n == 1, "hostile: an empty record before the hello", "rc %d events %u", rc,
	    r.n);
	rec_free(&r);
	hyp_tls_dir_free(c);
	free(b.p);
}

static void
test_sslv2(void)
{
	struct hyp_tls_stats st = { 0 };
	struct bytes b = { 0 };
	struct hyp_tls_dir *c;
	struct rec r = { 0 };
	uint8_t challenge[16] = { 0 };
	int rc;

	/* CLIENT-HELLO: version 3.1, two cipher specs, no session id, 16-byte challenge */
	put_u(&b, 0x8000 | (1 + 2 + 6 + 6 + 16), 2);
	put_u(&b, 1, 1);
	put_u(&b, 0x0301, 2);
	put_u(&b, 6, 2);
	put_u(&b, 0, 2);
	put_u(&b, 16, 2);
	put(&b, "\x00\x00\x2f\x00\x00\x35", 6);
	put(&b, challenge, sizeof(challenge));
	/* the upgrade: the client's next messages are TLS records (a ClientKeyExchange) */
	put(&b, "\x16\x03\x01\x00\x06\x10\x00\x00\x02\x00\x00", 11);
	c = dir(false);
	rc = feed_cut(c, NULL, &b, 1, &r, &st);
	tap(rc == 0 && hyp_tls_is_tls(c) && st.client_hellos == 1 && r.n == 0,
	    "sslv2: an SSLv2-framed hello starts TLS (no server_name to see)",
	    "rc %d hellos %lu", rc, (unsigned long)st.client_hellos);
	hyp_tls_dir_free(c);

	memset(&st, 0, sizeof(st));
	c = dir(false);
	rc = hyp_tls_feed(c, NULL, (const uint8_t *)"\x80\x04\x01\x03\x01", 5, on_ev, &r, &st);
	tap(rc == -EPROTO && !hyp_tls_is_tls(c), "sslv2: a CLIENT-HELLO too short to be one",
	    "rc %d", rc);
	hyp_tls_dir_free(c);

	/* a server direction never takes SSLv2 framing */
	memset(&st, 0, sizeof(st));
	c = dir(true);
	rc = feed_cut(c, NULL, &b, b.n, &r, &st);
	tap(rc == -EPROTO && st.not_tls == 1, "sslv2: not from a server", "rc %d", rc);
	hyp_tls_dir_free(c);
	free(b.p);
}

/*
 * Memory: messages no rule reads pass unbuffered, and a worker's
 * directions together hold at most the memcap; what a direction held is
 * given back when it is done or freed.
 */
static void
test_memory(EVP_PKEY *key)
{
	X509 *a = make_cert(key, "a.example.test", 14, "CA one", 1);
	struct bytes certs = { 0 }, flight = { 0 }, big = { 0 }, half = { 0 };
	struct hyp_tls_stats st = { 0 };
	struct hyp_tls_dir *s, *d[3];
	struct rec r = { 0 };
	uint8_t *fill = malloc(60000);
	unsigned int i;
	int rc[3];

	if (fill == NULL)
		abort();
	memset(fill, 0x0b, 60000);
	/* ServerHello, a 60,000-byte ServerKeyExchange, then the Certificate */
	put_cert(&certs, a);
	{
		struct bytes m = { 0 };

		put_u(&m, 2, 1);
		put_u(&m, 38, 3);
		put_u(&m, 0x0303, 2);
		put(&m, fill, 32);
		put_u(&m, 0, 1);
		put_u(&m, 0xc02b, 2);
		put_u(&m, 0, 1);
		put_u(&m, 12, 1);
		put_u(&m, 60000, 3);
		put(&m, fill, 60000);
		put_u(&m, 11, 1);
		put_u(&m, (uint32_t)(3 + certs.n), 3);
		put_u(&m, (uint32_t)certs.n, 3);
		put(&m, certs.p, certs.n);
		put_records(&flight, 22, m.p, m.n, 16384);
		free(m.p);
	}
	s = dir(true);
	{
		size_t off, most = 0;

		for (off = 0; off < flight.n; off += 1000) {
			rc[0] = hyp_tls_feed(s, NULL, flight.p + off,
					     flight.n - off < 1000 ? flight.n - off : 1000, on_ev, &r, &st);
			if (st.bytes_held > most)
				most = st.bytes_held;
		}
		tap(rc[0] == 0 && r.n == 1 && most < 4096 * 2 && st.bytes_held == 0,
		    "memory: a message no rule reads is never held (60,000 bytes of key exchange)",
		    "rc %d events %u most held %zu, held after %lu", rc[0], r.n, most,
		    (unsigned long)st.bytes_held);
	}
	rec_free(&r);
	hyp_tls_dir_free(s);

	/* three servers each 40,000 bytes into a 65,000-byte Certificate (65,000 held each), memcap 150,000 */
	put_u(&big, 11, 1);
	put_u(&big, 65000, 3);
	put_u(&big, 64997, 3);
	put(&big, fill, 40000);
	flight.n = 0;
	server_flight(&half, &(struct bytes){ NULL, 0, 0 }, 16384);
	/* server_flight made a hello and an empty Certificate: keep only the hello */
	half.n = 5 + 42;
	half.p[3] = 0;
	half.p[4] = 42;
	put_records(&half, 22, big.p, big.n, 16384);
	memset(&st, 0, sizeof(st));
	for (i = 0; i < 3; i++) {
		if (hyp_tls_dir_new(true, 150000, &d[i]) != 0)
			abort();
		rc[i] = feed_cut((d[i]), NULL, &half, 5000, &r, &st);
	}
	tap(rc[0] == 0 && rc[1] == 0 && rc[2] == -ENOSPC && st.memcap == 1 &&
		    st.bytes_held == 130000,
	    "memory: the directions together stop at the memcap, the one past it counted",
	    "rc %d %d %d memcap %lu held %lu", rc[0], rc[1], rc[2], (unsigned long)st.memcap,
	    (unsigned long)st.bytes_held);
	rc[2] = feed_cut(d[2], NULL, &half, 5000, &r, &st);
	tap(rc[2] == -ENOSPC && st.memcap == 1, "memory: a direction stopped there stays stopped",
	    "rc %d", rc[2]);
	for (i = 0; i < 3; i++)
		hyp_tls_dir_free(d[i]);
	tap(st.bytes_held == 0 && r.n == 0, "memory: freed directions give every byte back",
	    "held %lu", (unsigned long)st.bytes_held);
	free(fill);
	free(certs.p);
	free(flight.p);
	free(big.p);
	free(half.p);
	X509_free(a);
}

/* a ClientHello whose server_name list is NAMES (type, length-prefixed) */
static void
hello_with_names(struct bytes *out, const uint8_t *names, size_t n)
{
	struct bytes m = { 0 }, body = { 0 };
	uint8_t rnd[32] = { 0 };

	put_u(&body, 0x0303, 2);
	put(&body, rnd, 32);
	put_u(&body, 0, 1);			/* session id */
	put_u(&body, 2, 2);
	put_u(&body, 0xc02b, 2);		/* one cipher suite */
	put_u(&body, 1, 1);
	put_u(&body, 0, 1);			/* null compression */
	put_u(&body, (uint32_t)(4 + 2 + n), 2);	/* extensions */
	put_u(&body, 0, 2);			/* server_name */
	put_u(&body, (uint32_t)(2 + n), 2);
	put_u(&body, (uint32_t)n, 2);
	put(&body, names, n);
	put_u(&m, 1, 1);
	put_u(&m, (uint32_t)body.n, 3);
	put(&m, body.p, body.n);
	put_records(out, 22, m.p, m.n, 16384);
	free(body.p);
	free(m.p);
}

/* an empty host_name (fuzz_tls found the event it made, with no buffer) */
static void
test_empty_host_name(void)
{
	static const uint8_t empty_then_real[] = { 0, 0, 0, 0, 0, 9, 'b', '.', 'e', 'x', 'a', 'm',
						   'p', 'l', 'e' };
	static const uint8_t only_empty[] = { 3, 0, 1, 'x', 0, 0, 0 };
	struct hyp_tls_stats st = { 0 };
	struct bytes a = { 0 }, b = { 0 };
	struct hyp_tls_dir *d = dir(false), *e = dir(false);
	struct rec r = { 0 }, q = { 0 };
	int rc1, rc2;

	hello_with_names(&a, empty_then_real, sizeof(empty_then_real));
	rc1 = feed_cut(d, NULL, &a, a.n, &r, &st);
	tap(rc1 == 0 && r.n == 1 && strcmp(r.e[0].sni, "b.example") == 0,
	    "server_name: an empty host_name is skipped, the next one is the SNI",
	    "rc %d events %u sni '%s'", rc1, r.n, r.n ? r.e[0].sni : "");
	hello_with_names(&b, only_empty, sizeof(only_empty));
	rc2 = feed_cut(e, NULL, &b, b.n, &q, &st);
	tap(rc2 == 0 && q.n == 0 && st.client_hellos == 2,
	    "server_name: only another type and an empty host_name: a hello, no SNI event",
	    "rc %d events %u hellos %" PRIu64, rc2, q.n, st.client_hellos);
	rec_free(&r);
	rec_free(&q);
	hyp_tls_dir_free(d);
	hyp_tls_dir_free(e);
	free(a.p);
	free(b.p);
}

int
main(void)
{
	EVP_PKEY *key = make_key();

	test_tls12(key);
	test_tls13(key);
	test_certificates(key);
	test_hostile();
	test_empty_host_name();
	test_sslv2();
	test_memory(key);
	tap(strcmp(hyp_tls_version_name(0x0303), "TLS 1.2") == 0 &&
		    strcmp(hyp_tls_version_name(0x0301), "TLSv1") == 0 &&
		    strcmp(hyp_tls_version_name(0x7f1c), "UNDETERMINED") == 0,
	    "version names as EVE writes them", NULL);
	EVP_PKEY_free(key);
	printf("1..%u\n", test_no);
	return failed;
}
