/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Records are read here (a 5-byte header each), handshake messages are
 * joined across records (a ClientHello split over several records is
 * one message: an attacker who fragments the hello must not hide its
 * server_name, tls-client-hello-frag-01), and only the three messages a
 * rule can see are decoded. The certificate's DER goes to libcrypto:
 * ASN.1 is where hand-written parsers break.
 *
 * Every length is checked against what the message holds before it is
 * used; a message that lies about a length breaks its direction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "hyp_tls.h"


/* record content types, handshake types, extensions (RFC 8446 4, 5.1, 4.2) */
enum { REC_CCS = 20, REC_ALERT = 21, REC_HANDSHAKE = 22, REC_APPDATA = 23, REC_HEARTBEAT = 24 };
enum { HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_CERTIFICATE = 11 };
enum { EXT_SERVER_NAME = 0, EXT_SUPPORTED_VERSIONS = 43 };
#define SSL2_CLIENT_HELLO	1
#define TLS13			0x0304
#define MSG_HDR			4
#define MSG_BUF_MIN		4096
#define DN_MAX			(1u << 20)	/* a rendered name, far past what 64 KiB of DER makes */

enum { ST_START, ST_RECORDS, ST_SSL2, ST_DONE, ST_OFF };

struct hyp_tls_dir {
	bool server;
	bool tls;		/* its hello parsed */
	bool framed;		/* its first record header was TLS's */
	uint8_t state;
	int off_rc;		/* why it is ST_OFF: -EPROTO, -ENOSPC, -ENOMEM */
	uint8_t hdr[5];
	uint8_t hdr_len;
	uint8_t rec_type;
	uint32_t rec_left;	/* of the record being read */
	uint8_t mhdr[MSG_HDR];	/* the header of the message being read */
	uint8_t mhdr_len;
	uint8_t *msg;		/* the body of a message a rule reads, as it comes */
	uint32_t msg_len, msg_cap;
	uint32_t want;		/* of its body, the bytes kept */
	uint32_t tail;		/* and past those, to skip once they are in */
	uint32_t skip;		/* bytes still to pass: a message no rule reads, or a tail */
	uint64_t memcap;	/* of acct->bytes_held; 0: none */
	struct hyp_tls_stats *acct;	/* where msg_cap is counted */
	uint16_t version;	/* the ServerHello's */
	char sni[HYP_TLS_SNI_KEEP];
};

const struct hyp_stat_desc hyp_tls_stat_descs[] = {
	HYP_STAT(struct hyp_tls_stats, client_hellos, COUNTER,
		 "TLS ClientHellos parsed (SSLv2-framed ones too)"),
	HYP_STAT(struct hyp_tls_stats, server_hellos, COUNTER, "TLS ServerHellos parsed"),
	HYP_STAT(struct hyp_tls_stats, certificates, COUNTER,
		 "TLS server certificates decoded (the first of each Certificate message)"),
	HYP_STAT(struct hyp_tls_stats, hidden_certs, COUNTER,
		 "TLS 1.3 handshakes: the certificate is encrypted, no rule sees it"),
	HYP_STAT(struct hyp_tls_stats, not_tls, COUNTER,
		 "TCP directions that did not begin as TLS"),
	HYP_STAT(struct hyp_tls_stats, parse_errors, COUNTER,
		 "TLS directions that broke after a TLS record header (no longer parsed)"),
	HYP_STAT(struct hyp_tls_stats, cert_errors, COUNTER,
		 "TLS Certificate messages whose first certificate did not decode"),
	HYP_STAT(struct hyp_tls_stats, truncated, COUNTER,
		 "TLS handshake messages longer than the 64 KiB kept (the start inspected)"),
	HYP_STAT(struct hyp_tls_stats, nomem, COUNTER,
		 "TLS allocations that failed (the direction no longer parsed)"),
	HYP_STAT(struct hyp_tls_stats, memcap, COUNTER,
		 "TLS directions no longer parsed: the worker's slow_path.tls.memcap was reached"),
	HYP_STAT(struct hyp_tls_stats, bytes_held, GAUGE,
		 "Bytes of TLS handshake messages held now, waiting for the rest"),
};
const unsigned int hyp_tls_stat_count = HYP_DIM(hyp_tls_stat_descs);

const char *
hyp_tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0200: return "SSLv2";
	case 0x0300: return "SSLv3";
	case 0x0301: return "TLSv1";
	case 0x0302: return "TLS 1.1";
	case 0x0303: return "TLS 1.2";
	case 0x0304: return "TLS 1.3";
	default: return "UNDETERMINED";
	}
}

int
hyp_tls_dir_new(bool server, uint64_t memcap, struct hyp_tls_dir **out)
{
	struct hyp_tls_dir *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return -ENOMEM;
	d->server = server;
	d->memcap = memcap;
	*out = d;
	return 0;
}

/* the message buffer, and its bytes back to the stats they were counted in */
static void
release(struct hyp_tls_dir *d)
{
	if (d->acct != NULL)
		d->acct->bytes_held -= d->msg_cap;
	free(d->msg);
	d->msg = NULL;
	d->msg_len = d->msg_cap = 0;
}

/* room for need bytes of the message: -ENOSPC past the memcap, -ENOMEM */
static int
reserve(struct hyp_tls_dir *d, uint32_t need, struct hyp_tls_stats *st)
{
	uint32_t c = d->msg_cap != 0 ? d->msg_cap : MSG_BUF_MIN;
	uint8_t *m;

	if (need <= d->msg_cap)
		return 0;
	while (c < need)
		c *= 2;
	if (c > d->want)
		c = d->want;
	if (d->acct != NULL && d->acct != st)
		return -EINVAL;	/* one context's stats for a direction's life */
	if (d->memcap != 0 && st->bytes_held + (c - d->msg_cap) > d->memcap) {
		st->memcap++;
		return -ENOSPC;
	}
	m = realloc(d->msg, c);
	if (m == NULL) {
		st->nomem++;
		return -ENOMEM;
	}
	st->bytes_held += c - d->msg_cap;
	d->acct = st;
	d->msg = m;
	d->msg_cap = c;
	return 0;
}

void
hyp_tls_dir_free(struct hyp_tls_dir *d)
{
	if (d == NULL)
		return;
	release(d);
	free(d);
}

bool
hyp_tls_is_tls(const struct hyp_tls_dir *d)
{
	return d != NULL && d->tls;
}

/* ---- reading a message: a cursor that refuses to run past its end ---- */

struct rd {
	const uint8_t *p;
	size_t n;
	bool bad;
};

static uint32_t
rd_uint(struct rd *r, unsigned int bytes)
{
	uint32_t v = 0;
	unsigned int i;

	if (r->bad || r->n < bytes) {
		r->bad = true;
		return 0;
	}
	for (i = 0; i < bytes; i++)
		v = v << 8 | r->p[i];
	r->p += bytes;
	r->n -= bytes;
	return v;
}

/* the next n bytes as a reader of their own */
static struct rd
rd_sub(struct rd *r, size_t n)
{
	struct rd s = { r->p, n, r->bad || r->n < n };

	if (s.bad) {
		r->bad = true;
		s.n = 0;
		return s;
	}
	r->p += n;
	r->n -= n;
	return s;
}

/* ---- a growing string, for the names ---- */

struct sb {
	char *p;
	size_t len, cap;
	bool nomem;
};

static void
sb_put(struct sb *b, const void *src, size_t n)
{
	if (b->nomem)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > DN_MAX || (p = realloc(b->p, cap)) == NULL) {
			b->nomem = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/*
 * Suricata's rendering of a name: "C=US, O=Org, CN=name", attributes in
 * the order of the DER, each value's bytes as encoded (a NUL stays: a
 * rule may look for the injection, tls-issuer-zero). Wide strings go to
 * UTF-8 first, or a rule could not match their text.
 */
static void
render_name(const X509_NAME *name, struct sb *b)
{
	static const struct { int nid; const char *label; } labels[] = {
		{ NID_countryName, "C" }, { NID_stateOrProvinceName, "ST" },
		{ NID_localityName, "L" }, { NID_organizationName, "O" },
		{ NID_organizationalUnitName, "OU" }, { NID_commonName, "CN" },
		{ NID_pkcs9_emailAddress, "Email" }, { NID_domainComponent, "DC" },
		{ NID_serialNumber, "serialNumber" }, { NID_givenName, "GN" },
		{ NID_surname, "SN" }, { NID_title, "title" },
	};
	int i, n = X509_NAME_entry_count(name);

	sb_put(b, "", 0);	/* an empty name is "", not NULL */
	for (i = 0; i < n; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
		const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
		int nid = OBJ_obj2nid(obj), type = ASN1_STRING_type(v);
		const char *label = NULL;
		char oid[128];
		unsigned int k;

		for (k = 0; k < HYP_DIM(labels) && label == NULL; k++)
			if (labels[k].nid == nid)
				label = labels[k].label;
		if (label == NULL && nid != NID_undef)
			label = OBJ_nid2sn(nid);
		if (label == NULL) {
			if (OBJ_obj2txt(oid, sizeof(oid), obj, 1) <= 0)
				snprintf(oid, sizeof(oid), "?");
			label = oid;
		}
		if (i > 0)
			sb_str(b, ", ");
		sb_str(b, label);
		sb_str(b, "=");
		if (type == V_ASN1_BMPSTRING || type == V_ASN1_UNIVERSALSTRING) {
			unsigned char *u = NULL;
			int ul = ASN1_STRING_to_UTF8(&u, v);

			if (ul >= 0)
				sb_put(b, u, (size_t)ul);
			OPENSSL_free(u);
		} else {
			sb_put(b, ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v));
		}
	}
}

/* bytes as hex pairs joined by ':' */
static void
render_hex(const uint8_t *p, size_t n, bool upper, struct sb *b)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t i;

	sb_put(b, "", 0);
	for (i = 0; i < n; i++) {
		char x[3] = { digits[p[i] >> 4], digits[p[i] & 15], ':' };

		sb_put(b, x, i + 1 < n ? 3 : 2);
	}
}

/* ---- the messages ---- */

static void
meta_init(struct hyp_tls_meta *m)
{
	m->sni = m->version = m->subject = m->issuer = m->serial = m->fingerprint = "";
}

/*
 * server_name's list: the first host_name (RFC 6066 3). An empty one is not
 * a name (HostName is <1..2^16-1>): the next is taken, so an empty entry
 * cannot hide the real one from tls.sni, nor make an event with no buffer.
 */
static int
server_name(struct rd *ext, const uint8_t **sni, size_t *sni_len)
{
	struct rd list = rd_sub(ext, rd_uint(ext, 2));

	while (!list.bad && list.n > 0) {
		uint8_t type = (uint8_t)rd_uint(&list, 1);
		struct rd name = rd_sub(&list, rd_uint(&list, 2));

		if (!list.bad && type == 0 && name.n > 0 && *sni == NULL) {
			*sni = name.p;
			*sni_len = name.n;
		}
	}
	return list.bad || ext->bad ? -EPROTO : 0;
}

static int
client_hello(struct hyp_tls_dir *d, const uint8_t *p, size_t n, hyp_tls_fn fn, void *arg,
	     struct hyp_tls_stats *st)
{
	struct rd r = { p, n, false }, exts;
	const uint8_t *sni = NULL;
	size_t sni_len = 0, k;
	struct hyp_buf_set bufs;
	struct hyp_tls_meta meta;

	rd_uint(&r, 2);			/* legacy_version */
	rd_sub(&r, 32);			/* random */
	rd_sub(&r, rd_uint(&r, 1));	/* session id */
	rd_sub(&r, rd_uint(&r, 2));	/* cipher suites */
	rd_sub(&r, rd_uint(&r, 1));	/* compression methods */
	if (r.bad)
		return -EPROTO;
	if (r.n > 0) {
		exts = rd_sub(&r, rd_uint(&r, 2));
		while (!exts.bad && exts.n > 0) {
			uint16_t type = (uint16_t)rd_uint(&exts, 2);
			struct rd ext = rd_sub(&exts, rd_uint(&exts, 2));

			if (!exts.bad && type == EXT_SERVER_NAME && sni == NULL &&
			    server_name(&ext, &sni, &sni_len) < 0)
				return -EPROTO;
		}
		if (exts.bad || r.bad)
			return -EPROTO;
	}
	d->tls = true;
	st->client_hellos++;
	for (k = 0; k < sni_len && k < sizeof(d->sni) - 1 && sni[k] != '\0'; k++)
		d->sni[k] = (char)sni[k];
	d->sni[k] = '\0';
	if (sni == NULL)
		return 0;	/* nothing for a rule to see */
	memset(&bufs, 0, sizeof(bufs));
	bufs.p[HYP_BUF_TLS_SNI] = sni;
	bufs.len[HYP_BUF_TLS_SNI] = (uint32_t)sni_len;
	meta_init(&meta);
	meta.sni = d->sni;
	fn(arg, HYP_TLS_EV_HELLO, &bufs, &meta);
	return 0;
}

static int
server_hello(struct hyp_tls_dir *d, const uint8_t *p, size_t n, struct hyp_tls_stats *st)
{
	struct rd r = { p, n, false }, exts;
	uint16_t version;

	version = (uint16_t)rd_uint(&r, 2);
	rd_sub(&r, 32);
	rd_sub(&r, rd_uint(&r, 1));
	rd_uint(&r, 2);			/* cipher suite */
	rd_uint(&r, 1);			/* compression */
	if (r.bad)
		return -EPROTO;
	if (r.n > 0) {
		exts = rd_sub(&r, rd_uint(&r, 2));
		while (!exts.bad && exts.n > 0) {
			uint16_t type = (uint16_t)rd_uint(&exts, 2);
			struct rd ext = rd_sub(&exts, rd_uint(&exts, 2));

			/* TLS 1.3 names itself here; the legacy field says 1.2 */
			if (!exts.bad && type == EXT_SUPPORTED_VERSIONS && ext.n == 2)
				version = (uint16_t)rd_uint(&ext, 2);
		}
		if (exts.bad)
			return -EPROTO;
	}
	d->tls = true;
	d->version = version;
	st->server_hellos++;
	if (version == TLS13) {
		st->hidden_certs++;
		d->state = ST_DONE;	/* EncryptedExtensions, Certificate...: all encrypted */
	}
	return 0;
}

static int
certificate(struct hyp_tls_dir *d, const struct hyp_tls_dir *peer, const uint8_t *p, size_t n,
	    hyp_tls_fn fn, void *arg, struct hyp_tls_stats *st)
{
	struct rd r = { p, n, false }, list, der;
	struct sb subj = { 0 }, iss = { 0 }, ser = { 0 }, fp = { 0 };
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	const unsigned char *q;
	struct hyp_buf_set bufs;
	struct hyp_tls_meta meta;
	const ASN1_INTEGER *sn;
	uint32_t list_len;
	X509 *x;

	list_len = rd_uint(&r, 3);
	if (r.bad)
		return -EPROTO;
	if (list_len == 0)
		return 0;	/* no certificate (anonymous): nothing to see */
	/* the list may be cut at HYP_TLS_MSG_MAX: the first certificate must be whole */
	list = rd_sub(&r, list_len <= r.n ? list_len : r.n);
	der = rd_sub(&list, rd_uint(&list, 3));
	if (list.bad || der.n == 0) {
		st->cert_errors++;
		return 0;	/* cut, or a length that lies: nothing we can read */
	}
	q = der.p;
	x = d2i_X509(NULL, &q, (long)der.n);
	if (x == NULL) {
		st->cert_errors++;
		return 0;
	}
	render_name(X509_get_subject_name(x), &subj);
	render_name(X509_get_issuer_name(x), &iss);
	sn = X509_get0_serialNumber(x);
	render_hex(ASN1_STRING_get0_data(sn), (size_t)ASN1_STRING_length(sn), true, &ser);
	if (EVP_Digest(der.p, der.n, md, &md_len, EVP_sha1(), NULL) != 1)
		md_len = 0;
	render_hex(md, md_len, false, &fp);
	X509_free(x);
	if (subj.nomem || iss.nomem || ser.nomem || fp.nomem) {
		st->nomem++;
		free(subj.p);
		free(iss.p);
		free(ser.p);
		free(fp.p);
		return -ENOMEM;
	}
	st->certificates++;
	memset(&bufs, 0, sizeof(bufs));
	bufs.p[HYP_BUF_TLS_CERT_SUBJECT] = (const uint8_t *)subj.p;
	bufs.len[HYP_BUF_TLS_CERT_SUBJECT] = (uint32_t)subj.len;
	bufs.p[HYP_BUF_TLS_CERT_ISSUER] = (const uint8_t *)iss.p;
	bufs.len[HYP_BUF_TLS_CERT_ISSUER] = (uint32_t)iss.len;
	bufs.p[HYP_BUF_TLS_CERT_SERIAL] = (const uint8_t *)ser.p;
	bufs.len[HYP_BUF_TLS_CERT_SERIAL] = (uint32_t)ser.len;
	bufs.p[HYP_BUF_TLS_CERT_FINGERPRINT] = (const uint8_t *)fp.p;
	bufs.len[HYP_BUF_TLS_CERT_FINGERPRINT] = (uint32_t)fp.len;
	meta_init(&meta);
	meta.sni = peer != NULL ? peer->sni : "";
	meta.version = d->version != 0 ? hyp_tls_version_name(d->version) : "";
	meta.subject = subj.p;
	meta.issuer = iss.p;
	meta.serial = ser.p;
	meta.fingerprint = fp.p;
	fn(arg, HYP_TLS_EV_CERT, &bufs, &meta);
	free(subj.p);
	free(iss.p);
	free(ser.p);
	free(fp.p);
	return 0;
}

/* one handshake message (body cut at HYP_TLS_MSG_MAX when whole is false) */
static int
message(struct hyp_tls_dir *d, const struct hyp_tls_dir *peer, uint8_t type, const uint8_t *p,
	size_t n, hyp_tls_fn fn, void *arg, struct hyp_tls_stats *st)
{
	switch (type) {
	case HS_CLIENT_HELLO:
		return d->server ? 0 : client_hello(d, p, n, fn, arg, st);
	case HS_SERVER_HELLO:
		return d->server ? server_hello(d, p, n, st) : 0;
	case HS_CERTIFICATE:
		return d->server ? certificate(d, peer, p, n, fn, arg, st) : 0;
	default:
		return 0;	/* key exchange, done, status...: nothing a rule reads */
	}
}

static int
fail(struct hyp_tls_dir *d, int rc, struct hyp_tls_stats *st)
{
	if (rc == -EPROTO) {
		/* TLS framing with a broken hello is an attack on the parser, not another protocol */
		if (d->tls || d->framed)
			st->parse_errors++;
		else
			st->not_tls++;
	}
	d->state = ST_OFF;
	d->off_rc = rc;
	release(d);
	return rc;
}

/* the messages a rule reads from this side: kept; the rest pass unbuffered */
static bool
wanted(const struct hyp_tls_dir *d, uint8_t type)
{
	return d->server ? type == HS_SERVER_HELLO || type == HS_CERTIFICATE :
			   type == HS_CLIENT_HELLO;
}

/*
 * Handshake bytes of a record, joined into messages across records: a
 * message a rule reads is kept (up to HYP_TLS_MSG_MAX) and handled when
 * whole, any other passes as it comes and is never held.
 */
static int
handshake(struct hyp_tls_dir *d, const struct hyp_tls_dir *peer, const uint8_t *p, size_t n,
	  hyp_tls_fn fn, void *arg, struct hyp_tls_stats *st)
{
	uint32_t take;
	int rc;

	while (n > 0 && d->state == ST_RECORDS) {
		if (d->skip > 0) {
			take = n < d->skip ? (uint32_t)n : d->skip;
			d->skip -= take;
			p += take;
			n -= take;
			continue;
		}
		if (d->mhdr_len < MSG_HDR) {
			uint32_t mlen;

			take = MSG_HDR - d->mhdr_len;
			take = n < take ? (uint32_t)n : take;
			memcpy(d->mhdr + d->mhdr_len, p, take);
			d->mhdr_len += (uint8_t)take;
			p += take;
			n -= take;
			if (d->mhdr_len < MSG_HDR)
				break;
			mlen = (uint32_t)d->mhdr[1] << 16 | (uint32_t)d->mhdr[2] << 8 | d->mhdr[3];
			/* a direction begins with its hello, or it is not TLS */
			if (!d->tls && d->mhdr[0] != (d->server ? HS_SERVER_HELLO : HS_CLIENT_HELLO))
				return fail(d, -EPROTO, st);
			if (!wanted(d, d->mhdr[0])) {
				d->skip = mlen;
				d->mhdr_len = 0;
				continue;
			}
			d->want = mlen < HYP_TLS_MSG_MAX ? mlen : HYP_TLS_MSG_MAX;
			d->tail = mlen - d->want;
			if (d->tail > 0)
				st->truncated++;	/* its start is what we keep */
			if (d->want > 0)
				continue;
		} else {
			take = d->want - d->msg_len;
			take = n < take ? (uint32_t)n : take;
			rc = reserve(d, d->msg_len + take, st);
			if (rc < 0)
				return fail(d, rc, st);
			memcpy(d->msg + d->msg_len, p, take);
			d->msg_len += take;
			p += take;
			n -= take;
			if (d->msg_len < d->want)
				break;
		}
		rc = message(d, peer, d->mhdr[0], d->msg, d->want, fn, arg, st);
		d->mhdr_len = 0;
		d->skip = d->tail;
		d->tail = 0;
		release(d);	/* one message at a time: nothing held between them */
		if (rc < 0)
			return fail(d, rc, st);
	}
	return 0;
}

/*
 * The first bytes: a TLS record header for a handshake, or (a client)
 * an SSLv2-framed CLIENT-HELLO: two length bytes with the top bit set,
 * then message type 1.
 */
static int
start(struct hyp_tls_dir *d)
{
	if (!d->server && (d->hdr[0] & 0x80) && d->hdr[2] == SSL2_CLIENT_HELLO) {
		d->rec_left = ((uint32_t)(d->hdr[0] & 0x7f) << 8 | d->hdr[1]);
		/* type, version, three lengths at least; 3 of its bytes are in hdr */
		if (d->rec_left < 3 + 6)
			return -EPROTO;
		d->rec_left -= 3;
		d->state = ST_SSL2;
		return 0;
	}
	if (d->hdr[0] != REC_HANDSHAKE)
		return -EPROTO;
	d->state = ST_RECORDS;
	return 1;
}

int
hyp_tls_feed(struct hyp_tls_dir *d, const struct hyp_tls_dir *peer, const uint8_t *data,
	     size_t len, hyp_tls_fn fn, void *arg, struct hyp_tls_stats *st)
{
	int rc;

	while (len > 0) {
		size_t take;

		switch (d->state) {
		case ST_DONE:
			return 0;
		case ST_OFF:
			return d->off_rc;
		case ST_SSL2:
			/* its body names ciphers and a challenge: nothing a rule reads */
			take = len < d->rec_left ? len : d->rec_left;
			d->rec_left -= (uint32_t)take;
			data += take;
			len -= take;
			if (d->rec_left == 0) {
				d->tls = true;
				st->client_hellos++;
				d->state = ST_RECORDS;	/* the upgrade: TLS records follow */
			}
			continue;
		default:
			break;
		}
		if (d->hdr_len < sizeof(d->hdr)) {
			take = sizeof(d->hdr) - d->hdr_len;
			take = len < take ? len : take;
			memcpy(d->hdr + d->hdr_len, data, take);
			d->hdr_len += (uint8_t)take;
			data += take;
			len -= take;
			if (d->hdr_len < sizeof(d->hdr))
				return 0;
			if (d->state == ST_START) {
				rc = start(d);
				if (rc < 0)
					return fail(d, rc, st);
				if (rc == 0) {	/* SSLv2: the rest of its record follows */
					d->hdr_len = 0;
					continue;
				}
			}
			d->rec_type = d->hdr[0];
			d->rec_left = (uint32_t)d->hdr[3] << 8 | d->hdr[4];
			if (d->rec_type < REC_CCS || d->rec_type > REC_HEARTBEAT || d->hdr[1] != 3 ||
			    d->hdr[2] > 4 || d->rec_left > HYP_TLS_RECORD_MAX)
				return fail(d, -EPROTO, st);
			d->framed = true;
			/* from here this direction is encrypted */
			if (d->rec_type == REC_CCS || d->rec_type == REC_APPDATA) {
				d->state = ST_DONE;
				release(d);
				return 0;
			}
			if (d->rec_left == 0) {
				d->hdr_len = 0;
				continue;
			}
		}
		take = len < d->rec_left ? len : d->rec_left;
		if (d->rec_type == REC_HANDSHAKE) {
			rc = handshake(d, peer, data, take, fn, arg, st);
			if (rc < 0)
				return rc;
		}
		d->rec_left -= (uint32_t)take;
		data += take;
		len -= take;
		if (d->rec_left == 0)
			d->hdr_len = 0;
	}
	return d->state == ST_OFF ? d->off_rc : 0;
}
