/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_dns: query name parsing from hand-made messages, hostile ones
 * included, and the suffix matcher. TAP. Every message is copied into a
 * buffer of exactly its length so a sanitizer or valgrind run sees any read
 * past the end.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_dns.h"
#include "tap.h"


/* message builder */

struct msg {
	uint8_t b[1024];
	size_t len;
};

static void
put8(struct msg *m, uint8_t v)
{
	if (m->len < sizeof(m->b))
		m->b[m->len++] = v;
}

static void
put16(struct msg *m, uint16_t v)
{
	put8(m, (uint8_t)(v >> 8));
	put8(m, (uint8_t)v);
}

static void
put_hdr(struct msg *m, uint8_t flags_hi, uint16_t qdcount)
{
	m->len = 0;
	put16(m, 0x1234);	/* id */
	put8(m, flags_hi);	/* QR, opcode, AA, TC, RD */
	put8(m, 0);
	put16(m, qdcount);
	put16(m, 0);
	put16(m, 0);
	put16(m, 0);
}

static void
put_raw(struct msg *m, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n-- > 0)
		put8(m, *b++);
}

/* a string literal's bytes, the NULs inside it included */
#define W(s) s, sizeof(s) - 1
#define QT "\0\x01\0\x01"	/* QTYPE A, QCLASS IN */

/* dotted name as labels, with the final zero; "" is the root */
static void
put_name(struct msg *m, const char *name)
{
	const char *p = name, *dot;

	while (*p != '\0') {
		size_t n;

		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		put8(m, (uint8_t)n);
		while (n-- > 0)
			put8(m, (uint8_t)*p++);
		if (*p == '.')
			p++;
	}
	put8(m, 0);
}

static void
put_query(struct msg *m, const char *name, uint16_t qtype)
{
	put_hdr(m, 0x01, 1);
	put_name(m, name);
	put16(m, qtype);
	put16(m, 1);	/* IN */
}

/* hyp_dns_query_name() on an exact-size heap copy */
static int
parse(const uint8_t *b, size_t len, char *name, uint16_t *qtype)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	int ret;

	if (copy == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	memcpy(copy, b, len);
	ret = hyp_dns_query_name(copy, len, name, HYP_DNS_NAME_BUF, qtype);
	free(copy);
	return ret;
}

static int
parse_msg(const struct msg *m, char *name, uint16_t *qtype)
{
	return parse(m->b, m->len, name, qtype);
}

static int
decode_at(const struct msg *m, size_t off, char *name, size_t *next)
{
	uint8_t *copy = malloc(m->len > 0 ? m->len : 1);
	int ret;

	if (copy == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	memcpy(copy, m->b, m->len);
	ret = hyp_dns_name_decode(copy, m->len, off, name, HYP_DNS_NAME_BUF,
				  next);
	free(copy);
	return ret;
}

static void
expect_name(const char *test, const struct msg *m, const char *want,
	    uint16_t want_qtype)
{
	char name[HYP_DNS_NAME_BUF];
	uint16_t qtype = 0;
	int ret = parse_msg(m, name, &qtype);

	tap(ret == (int)strlen(want) && strcmp(name, want) == 0 &&
	    qtype == want_qtype, test,
	    "got %d (%s) \"%s\" qtype %u, want \"%s\" qtype %u", ret,
	    hyp_dns_strerror(ret), name, qtype, want, want_qtype);
}

static void
expect_err(const char *test, const struct msg *m, int want)
{
	char name[HYP_DNS_NAME_BUF];
	int ret = parse_msg(m, name, NULL);

	tap(ret == want && name[0] == '\0', test,
	    "got %d (%s) \"%s\", want %d (%s)", ret, hyp_dns_strerror(ret),
	    name, want, hyp_dns_strerror(want));
}

/* a name of labels of the given lengths, filled with 'a'..'z' */
static void
make_name(char *out, const unsigned int *labels, size_t n)
{
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (i > 0)
			out[k++] = '.';
		for (j = 0; j < labels[i]; j++)
			out[k++] = (char)('a' + (i + j) % 26);
	}
	out[k] = '\0';
}

static void
test_basic(void)
{
	struct msg m;
	char label63[64];

	put_query(&m, "www.example.com", 1);
	expect_name("plain query", &m, "www.example.com", 1);

	put_query(&m, "WwW.ExAmPle.COM", 28);
	expect_name("mixed case is lowered", &m, "www.example.com", 28);

	put_query(&m, "", 2);
	expect_name("root name is \"\"", &m, "", 2);

	memset(label63, 'x', 63);
	label63[63] = '\0';
	put_query(&m, label63, 16);
	expect_name("63-byte label accepted", &m, label63, 16);
}

static void
test_lengths(void)
{
	static const unsigned int ok253[] = { 63, 63, 63, 61 };
	static const unsigned int bad254[] = { 63, 63, 63, 62 };
	char name[300];
	struct msg m;
	size_t i;

	make_name(name, ok253, 4);
	put_query(&m, name, 1);
	expect_name("253-char name accepted", &m, name, 1);

	make_name(name, bad254, 4);
	put_query(&m, name, 1);
	expect_err("254-char name refused", &m, HYP_DNS_ETOOLONG);

	/* 127 one-byte labels are 253 characters, 128 are 255 */
	for (i = 0; i < 127; i++) {
		name[2 * i] = 'q';
		name[2 * i + 1] = '.';
	}
	name[253] = '\0';
	put_query(&m, name, 1);
	expect_name("127 one-byte labels (253 chars) accepted", &m, name, 1);
	name[253] = '.';
	name[254] = 'q';
	name[255] = '\0';
	put_query(&m, name, 1);
	expect_err("128 one-byte labels (255 chars) refused", &m,
		   HYP_DNS_ETOOLONG);

}

/*
 * One question on the wire after a query header, hostile each way a label
 * or a pointer can be. The question starts at offset 12 (HYP_DNS_HDR_LEN).
 */
static const struct {
	const char *what;
	const char *wire;
	size_t len;
	int want;
} bad_questions[] = {
	/* 64 has the 0x40 bit: a reserved label type on the wire */
	{ "64-byte label refused", W("\x40" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "\0" QT),
	  HYP_DNS_EBADLABEL },
	{ "0x80 label type refused", W("\x83" "abc" "\0" QT), HYP_DNS_EBADLABEL },
	{ "0x40 extended label type refused", W("\x41" "\0" QT), HYP_DNS_EBADLABEL },
	/* pointers in the first question can only go to the header */
	{ "pointer into the header refused", W("\xc0\x02" QT), HYP_DNS_EBADPTR },
	{ "pointer to itself refused as a loop", W("\xc0\x0c" QT), HYP_DNS_ELOOP },
	/* 12: "a" then a pointer to 16; 16: a pointer back to 12 */
	{ "pointer loop A->B->A refused", W("\x01" "a" "\xc0\x10" "\xc0\x0c" QT),
	  HYP_DNS_ELOOP },
	{ "pointer back into its own name refused", W("\x01" "a" "\xc0\x0c" QT),
	  HYP_DNS_ELOOP },
	{ "pointer past the end refused", W("\xff\xff" QT), HYP_DNS_EBADPTR },
	{ "pointer cut after its first byte", W("\xc0"), HYP_DNS_ETRUNC },
};

static void
test_bad_questions(void)
{
	struct msg m;
	size_t i;

	for (i = 0; i < DIM(bad_questions); i++) {
		put_hdr(&m, 0x01, 1);
		put_raw(&m, bad_questions[i].wire, bad_questions[i].len);
		expect_err(bad_questions[i].what, &m, bad_questions[i].want);
	}
}

/* Every question, those before a problem kept, the problem said. */
static void
test_questions(void)
{
	struct hyp_dns_question q[HYP_DNS_MAX_QUESTIONS];
	struct msg m;
	unsigned int n, i;
	int err;

	put_hdr(&m, 0x01, 2);
	put_name(&m, "www.Example.com");
	put16(&m, 1);
	put16(&m, 1);
	put16(&m, 0xC000 | (HYP_DNS_HDR_LEN + 4));	/* -> "example.com" */
	put16(&m, 28);
	put16(&m, 1);
	n = hyp_dns_questions(m.b, m.len, q, HYP_DNS_MAX_QUESTIONS, &err);
	tap(n == 2 && err == 0 && strcmp(q[0].name, "www.example.com") == 0 && q[0].qtype == 1 &&
	    strcmp(q[1].name, "example.com") == 0 && q[1].qtype == 28,
	    "two questions, the second compressed into the first: both, in order",
	    "n %u err %d '%s' '%s'", n, err, n > 0 ? q[0].name : "", n > 1 ? q[1].name : "");
	m.len -= 2;	/* the second's QCLASS cut */
	n = hyp_dns_questions(m.b, m.len, q, HYP_DNS_MAX_QUESTIONS, &err);
	tap(n == 1 && err == HYP_DNS_ETRUNC && strcmp(q[0].name, "www.example.com") == 0,
	    "the second question cut: the first kept, truncated said", "n %u err %d", n, err);

	put_hdr(&m, 0x01, HYP_DNS_MAX_QUESTIONS + 1);
	for (i = 0; i <= HYP_DNS_MAX_QUESTIONS; i++) {
		put_name(&m, "q.example");
		put16(&m, 1);
		put16(&m, 1);
	}
	n = hyp_dns_questions(m.b, m.len, q, HYP_DNS_MAX_QUESTIONS, &err);
	tap(n == HYP_DNS_MAX_QUESTIONS && err == HYP_DNS_ETOOMANY,
	    "one question more than are read: the first ones kept, too many said",
	    "n %u err %d", n, err);

	put_hdr(&m, 0x81, 1);
	put_name(&m, "a.example");
	put16(&m, 1);
	put16(&m, 1);
	n = hyp_dns_questions(m.b, m.len, q, HYP_DNS_MAX_QUESTIONS, &err);
	tap(n == 0 && err == HYP_DNS_ENOTQUERY, "a response: no question, not a query", NULL);
	n = hyp_dns_questions(m.b, 5, q, HYP_DNS_MAX_QUESTIONS, &err);
	tap(n == 0 && err == HYP_DNS_ETRUNC, "5 bytes: truncated", NULL);
}

/* Pipelined TCP: whole messages found, a cut one left for the next segment. */
static void
test_tcp_messages(void)
{
	uint32_t off[HYP_DNS_MAX_TCP_MSGS], len[HYP_DNS_MAX_TCP_MSGS];
	uint8_t seg[64] = { 0, 3, 'a', 'b', 'c', 0, 1, 'x', 0, 9, 'y' };
	int n;

	n = hyp_dns_tcp_messages(seg, 11, off, len);
	tap(n == 2 && off[0] == 2 && len[0] == 3 && off[1] == 7 && len[1] == 1,
	    "TCP: two whole messages, the third cut and not counted", "n %d", n);
	n = hyp_dns_tcp_messages(seg, 1, off, len);
	tap(n == HYP_DNS_ETRUNC, "TCP: one byte of a length prefix: truncated", "n %d", n);
	memset(seg, 0, sizeof(seg));
	n = hyp_dns_tcp_messages(seg, sizeof(seg), off, len);
	tap(n == HYP_DNS_MAX_TCP_MSGS, "TCP: 32 empty messages: the first 16 read", "n %d", n);
}

static void
test_label_bytes(void)
{
	struct msg m;

	put_hdr(&m, 0x01, 1);
	put_raw(&m, W("\x03" "a.b" "\0" QT));
	expect_err("'.' inside a label refused", &m, HYP_DNS_EBADLABEL);

	m.b[HYP_DNS_HDR_LEN + 2] = '\0';
	expect_err("NUL inside a label refused", &m, HYP_DNS_EBADLABEL);

	m.b[HYP_DNS_HDR_LEN + 2] = 0xe9;
	expect_name("other bytes pass through", &m, "a\xe9" "b", 1);
}

static void
test_compression(void)
{
	char name[HYP_DNS_NAME_BUF];
	size_t q2, next = 0;
	struct msg m;
	int ret, i;

	/* two questions, the second compressed against the first */
	put_hdr(&m, 0x01, 2);
	put_name(&m, "Example.com");
	put16(&m, 1);
	put16(&m, 1);
	q2 = m.len;
	put8(&m, 3);
	put8(&m, 'W');
	put8(&m, 'w');
	put8(&m, 'w');
	put16(&m, 0xC000 | HYP_DNS_HDR_LEN);
	put16(&m, 28);
	put16(&m, 1);
	expect_name("first of two questions", &m, "example.com", 1);
	ret = decode_at(&m, q2, name, &next);
	tap(ret == 15 && strcmp(name, "www.example.com") == 0 &&
	    next == q2 + 6, "pointer to an earlier name accepted",
	    "got %d (%s) \"%s\" next %zu, want next %zu", ret,
	    hyp_dns_strerror(ret), name, next, q2 + 6);

	/* a bare pointer to the "com" label of the first name */
	m.len = q2;
	put16(&m, 0xC000 | (HYP_DNS_HDR_LEN + 8));
	ret = decode_at(&m, q2, name, &next);
	tap(ret == 3 && strcmp(name, "com") == 0 && next == q2 + 2,
	    "pointer to a suffix of an earlier name accepted",
	    "got %d \"%s\" next %zu", ret, name, next);

	/* the same loop entered from a later question */
	put_hdr(&m, 0x01, 2);
	put_name(&m, "x");	/* 12..14 */
	put16(&m, 1);
	put16(&m, 1);
	q2 = m.len;		/* 19: pointer to 21, 21: pointer to 19 */
	put16(&m, 0xC000 | (uint16_t)(q2 + 2));
	put16(&m, 0xC000 | (uint16_t)q2);
	ret = decode_at(&m, q2, name, NULL);
	tap(ret == HYP_DNS_ELOOP, "forward pointer refused as a loop",
	    "got %d (%s)", ret, hyp_dns_strerror(ret));

	/*
	 * A chain of backward pointers: 12 holds the root, each later pair
	 * points to the one before. Following k pointers is fine up to the
	 * bound, one more is refused.
	 */
	put_hdr(&m, 0x01, 1);
	put8(&m, 0);
	put8(&m, 0);		/* pad so pointers sit at even offsets */
	for (i = 0; i <= HYP_DNS_MAX_JUMPS; i++)
		put16(&m, 0xC000 | (uint16_t)(HYP_DNS_HDR_LEN + 2 * i));
	ret = decode_at(&m, HYP_DNS_HDR_LEN + 2 * HYP_DNS_MAX_JUMPS, name,
			NULL);
	tap(ret == 0, "16 chained pointers followed", "got %d (%s)", ret,
	    hyp_dns_strerror(ret));
	ret = decode_at(&m, HYP_DNS_HDR_LEN + 2 * (HYP_DNS_MAX_JUMPS + 1),
			name, NULL);
	tap(ret == HYP_DNS_ELOOP, "17 chained pointers refused",
	    "got %d (%s)", ret, hyp_dns_strerror(ret));

	ret = decode_at(&m, 4, name, NULL);
	tap(ret == HYP_DNS_EINVAL, "decode at a header offset refused",
	    "got %d", ret);
}

static void
test_truncation(void)
{
	char name[HYP_DNS_NAME_BUF];
	struct msg m;
	size_t k;
	int ret, bad = 0, first_bad = -1, bad_ret = 0;

	put_query(&m, "www.Example.com", 1);
	for (k = 0; k < m.len; k++) {
		ret = parse(m.b, k, name, NULL);
		if (ret >= 0 || name[0] != '\0') {
			if (bad++ == 0) {
				first_bad = (int)k;
				bad_ret = ret;
			}
		}
	}
	ret = parse(m.b, m.len, name, NULL);
	tap(bad == 0 && ret == 15,
	    "every truncated prefix of a query is refused",
	    "%d prefixes accepted, first at %d (ret %d); whole: %d", bad,
	    first_bad, bad_ret, ret);

	bad = 0;
	for (k = 0; k < m.len; k++)
		if (parse(m.b, k, name, NULL) != HYP_DNS_ETRUNC)
			bad++;
	tap(bad == 0, "truncated prefixes say truncated",
	    "%d prefixes gave another code", bad);
}

static void
test_header(void)
{
	char name[8];
	struct msg m;
	int ret;

	put_query(&m, "evil.com", 1);
	m.b[2] |= 0x80;
	expect_err("response (QR=1) refused as not a query", &m,
		   HYP_DNS_ENOTQUERY);

	put_query(&m, "evil.com", 1);
	m.b[4] = 0;
	m.b[5] = 0;
	expect_err("QDCOUNT 0 refused", &m, HYP_DNS_ENOQUESTION);

	put_query(&m, "evil.com", 1);
	ret = hyp_dns_query_name(m.b, m.len, name, sizeof(name), NULL);
	tap(ret == HYP_DNS_ENOSPC && name[0] == '\0',
	    "output buffer too small", "got %d", ret);

	ret = hyp_dns_query_name(m.b, m.len, NULL, 0, NULL);
	tap(ret == HYP_DNS_EINVAL, "NULL name buffer refused", "got %d", ret);
}

static void
test_tcp(void)
{
	char name[HYP_DNS_NAME_BUF];
	uint8_t seg[600];
	uint16_t qtype = 0;
	struct msg m;
	size_t k;
	int ret, bad = 0;

	put_query(&m, "Tcp.Evil.com", 255);
	seg[0] = (uint8_t)(m.len >> 8);
	seg[1] = (uint8_t)m.len;
	memcpy(seg + 2, m.b, m.len);
	ret = hyp_dns_tcp_query_name(seg, m.len + 2, name, sizeof(name),
				     &qtype);
	tap(ret == 12 && strcmp(name, "tcp.evil.com") == 0 && qtype == 255,
	    "TCP framing", "got %d (%s) \"%s\" qtype %u", ret,
	    hyp_dns_strerror(ret), name, qtype);

	/* a pipelined second query after the first is not ours to read */
	memcpy(seg + 2 + m.len, "\x00\x05junk", 7);
	ret = hyp_dns_tcp_query_name(seg, m.len + 9, name, sizeof(name),
				     NULL);
	tap(ret == 12, "TCP bytes after the message ignored", "got %d", ret);

	for (k = 0; k < m.len + 2; k++) {
		ret = hyp_dns_tcp_query_name(seg, k, name, sizeof(name), NULL);
		if (ret != HYP_DNS_ETRUNC)
			bad++;
	}
	tap(bad == 0, "TCP length over the captured bytes is truncated",
	    "%d short segments not refused as truncated", bad);

	/* a length that is shorter than the message cuts the question */
	seg[1] = (uint8_t)(m.len - 1);
	ret = hyp_dns_tcp_query_name(seg, m.len + 2, name, sizeof(name),
				     NULL);
	tap(ret == HYP_DNS_ETRUNC, "TCP length short of the question",
	    "got %d", ret);
}

static void
test_strerror(void)
{
	static const int codes[] = {
		HYP_DNS_ETRUNC, HYP_DNS_EBADLABEL, HYP_DNS_ELOOP,
		HYP_DNS_EBADPTR, HYP_DNS_ETOOLONG, HYP_DNS_ENOTQUERY,
		HYP_DNS_ENOQUESTION, HYP_DNS_ENOSPC, HYP_DNS_EINVAL,
	};
	size_t n = DIM(codes), i, j;
	bool ok = true;

	for (i = 0; i < n; i++) {
		if (codes[i] >= 0 || strcmp(hyp_dns_strerror(codes[i]),
					    hyp_dns_strerror(-12345)) == 0)
			ok = false;
		for (j = 0; j < i; j++)
			if (codes[i] == codes[j] ||
			    strcmp(hyp_dns_strerror(codes[i]),
				   hyp_dns_strerror(codes[j])) == 0)
				ok = false;
	}
	tap(ok, "error codes negative, distinct and described", NULL);
}

static void
test_normalize(void)
{
	char out[HYP_DNS_NAME_BUF], buf[32];
	char long_label[80];
	int ret;

	ret = hyp_dns_normalize("WWW.Evil.COM.", out, sizeof(out));
	tap(ret == 12 && strcmp(out, "www.evil.com") == 0,
	    "normalize lowers and drops the trailing dot", "got %d \"%s\"",
	    ret, out);

	ret = hyp_dns_normalize(".", out, sizeof(out));
	tap(ret == 0 && out[0] == '\0', "normalize \".\" is the root",
	    "got %d", ret);

	tap(hyp_dns_normalize("a..b", out, sizeof(out)) ==
	    HYP_DNS_EBADLABEL &&
	    hyp_dns_normalize(".a", out, sizeof(out)) == HYP_DNS_EBADLABEL &&
	    hyp_dns_normalize("a..", out, sizeof(out)) == HYP_DNS_EBADLABEL,
	    "normalize refuses empty labels", NULL);

	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	tap(hyp_dns_normalize(long_label, out, sizeof(out)) ==
	    HYP_DNS_EBADLABEL, "normalize refuses a 64-byte label", NULL);

	strcpy(buf, "Mixed.Case.Org.");
	ret = hyp_dns_normalize(buf, buf, sizeof(buf));
	tap(ret == 14 && strcmp(buf, "mixed.case.org") == 0,
	    "normalize in place", "got %d \"%s\"", ret, buf);

	ret = hyp_dns_normalize("abcdef", out, 6);
	tap(ret == HYP_DNS_ENOSPC, "normalize output too small", "got %d",
	    ret);
}

#define RULE(i, m, a) { .id = (i), .match = (char *)(m), .action = (a) }

static void
test_set(void)
{
	static const struct hyp_policy_dns_rule one[] = {
		RULE(7, "evil.com", HYP_ACTION_DROP),
	};
	static const struct hyp_policy_dns_rule nested[] = {
		RULE(1, "com", HYP_ACTION_ALERT),
		RULE(2, "evil.com", HYP_ACTION_DROP),
		RULE(3, "a.b.evil.com", HYP_ACTION_PASS),
	};
	static const struct hyp_policy_dns_rule nested_rev[] = {
		RULE(2, "evil.com", HYP_ACTION_DROP),
		RULE(1, "com", HYP_ACTION_ALERT),
	};
	static const struct hyp_policy_dns_rule dup[] = {
		RULE(10, "dup.org", HYP_ACTION_ALERT),
		RULE(11, "Dup.Org.", HYP_ACTION_DROP),
	};
	static const struct hyp_policy_dns_rule bad[] = {
		RULE(1, "ok.com", HYP_ACTION_DROP),
		RULE(2, "bad..com", HYP_ACTION_DROP),
	};
	struct hyp_dns_set *s;
	char norm[HYP_DNS_NAME_BUF];
	enum hyp_action action;
	uint32_t id;
	int r;

	s = hyp_dns_set_create(one, 1);
	if (s == NULL) {
		printf("Bail out! hyp_dns_set_create failed\n");
		exit(1);
	}
	tap(hyp_dns_set_match(s, "evil.com") == 0, "evil.com matches itself",
	    NULL);
	tap(hyp_dns_set_match(s, "www.evil.com") == 0 &&
	    hyp_dns_set_match(s, "a.b.evil.com") == 0,
	    "evil.com matches its subdomains", NULL);
	r = hyp_dns_normalize("WWW.Evil.COM.", norm, sizeof(norm));
	tap(r > 0 && hyp_dns_set_match(s, norm) == 0,
	    "WWW.Evil.COM. matches after normalize", NULL);
	tap(hyp_dns_set_match(s, "notevil.com") == -1,
	    "notevil.com does not match", NULL);
	tap(hyp_dns_set_match(s, "evil.com.org") == -1 &&
	    hyp_dns_set_match(s, "com") == -1 &&
	    hyp_dns_set_match(s, "") == -1 &&
	    hyp_dns_set_match(s, "vil.com") == -1 &&
	    hyp_dns_set_match(s, "xevil.com") == -1,
	    "evil.com.org, com, root and partial labels do not match", NULL);
	tap(hyp_dns_set_rule(s, 0, &id, &action) == 0 && id == 7 &&
	    action == HYP_ACTION_DROP && hyp_dns_set_rule(s, 1, NULL, NULL) ==
	    -EINVAL && hyp_dns_set_count(s) == 1,
	    "rule id and action kept", NULL);
	hyp_dns_set_free(s);

	s = hyp_dns_set_create(nested, 3);
	tap(s != NULL && hyp_dns_set_match(s, "www.evil.com") == 1 &&
	    hyp_dns_set_match(s, "evil.com") == 1 &&
	    hyp_dns_set_match(s, "foo.com") == 0 &&
	    hyp_dns_set_match(s, "com") == 0 &&
	    hyp_dns_set_match(s, "x.a.b.evil.com") == 2 &&
	    hyp_dns_set_match(s, "b.evil.com") == 1 &&
	    hyp_dns_set_match(s, "evil.org") == -1,
	    "most specific rule wins (com vs evil.com)", NULL);
	hyp_dns_set_free(s);

	s = hyp_dns_set_create(nested_rev, 2);
	tap(s != NULL && hyp_dns_set_match(s, "www.evil.com") == 0 &&
	    hyp_dns_set_match(s, "foo.com") == 1,
	    "most specific wins whatever the rule order", NULL);
	hyp_dns_set_free(s);

	s = hyp_dns_set_create(dup, 2);
	tap(s != NULL && hyp_dns_set_match(s, "www.dup.org") == 0,
	    "duplicate names: first rule wins", NULL);
	hyp_dns_set_free(s);

	s = hyp_dns_set_create(NULL, 0);
	tap(s != NULL && hyp_dns_set_match(s, "evil.com") == -1 &&
	    hyp_dns_set_match(s, "") == -1,
	    "empty set matches nothing", NULL);
	hyp_dns_set_free(s);

	errno = 0;
	s = hyp_dns_set_create(bad, 2);
	tap(s == NULL && errno == EINVAL, "bad rule name refuses the set",
	    NULL);
	hyp_dns_set_free(s);
}

static void
test_set_large(void)
{
	enum { N = 20000 };
	struct hyp_policy_dns_rule *rules = calloc(N, sizeof(*rules));
	char *names = malloc((size_t)N * 32);
	char q[64];
	struct hyp_dns_set *s;
	int i, bad = 0;

	if (rules == NULL || names == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	for (i = 0; i < N; i++) {
		snprintf(names + 32 * i, 32, "d%d.example", i);
		rules[i].id = (uint32_t)i;
		rules[i].match = names + 32 * i;
		rules[i].action = HYP_ACTION_DROP;
	}
	s = hyp_dns_set_create(rules, N);
	if (s == NULL) {
		printf("Bail out! hyp_dns_set_create(%d) failed\n", N);
		exit(1);
	}
	for (i = 0; i < N; i++) {
		snprintf(q, sizeof(q), "host.d%d.example", i);
		if (hyp_dns_set_match(s, q) != i)
			bad++;
		snprintf(q, sizeof(q), "xd%d.example", i);
		if (hyp_dns_set_match(s, q) != -1)
			bad++;
	}
	tap(bad == 0, "20000-rule set: every rule found, no false hits",
	    "%d wrong answers", bad);
	hyp_dns_set_free(s);
	free(names);
	free(rules);
}

/* xorshift64*: the same sequence on every libc */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static bool
known_code(int ret)
{
	return ret == HYP_DNS_ETRUNC || ret == HYP_DNS_EBADLABEL ||
		ret == HYP_DNS_ELOOP || ret == HYP_DNS_EBADPTR ||
		ret == HYP_DNS_ETOOLONG || ret == HYP_DNS_ENOTQUERY ||
		ret == HYP_DNS_ENOQUESTION;
}

static bool
sane_name(int ret, const char *name)
{
	int i;

	if (ret > HYP_DNS_NAME_MAX || (int)strlen(name) != ret)
		return false;
	for (i = 0; i < ret; i++)
		if ((name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] == '.' && (i == 0 || i == ret - 1 ||
					name[i - 1] == '.')))
			return false;
	return true;
}

static void
test_random(void)
{
	enum { ROUNDS = 10000 };
	char name[HYP_DNS_NAME_BUF];
	uint8_t *buf;
	int i, bad = 0, accepted = 0, ret;
	size_t len, j;

	for (i = 0; i < ROUNDS; i++) {
		len = rng() % 600;
		buf = malloc(len > 0 ? len : 1);
		if (buf == NULL) {
			printf("Bail out! out of memory\n");
			exit(1);
		}
		for (j = 0; j < len; j++) {
			uint32_t r = rng();

			/* mostly small label lengths and pointers, to go deep */
			if (r % 4 == 0)
				buf[j] = (uint8_t)(r >> 8) % 8;
			else if (r % 4 == 1)
				buf[j] = 0xC0 | ((r >> 8) % 2);
			else
				buf[j] = (uint8_t)(r >> 8);
		}
		/* half look like queries, so the name is reached */
		if (i % 2 == 0 && len >= HYP_DNS_HDR_LEN) {
			buf[2] &= 0x7f;
			buf[4] = 0;
			buf[5] = 1;
		}
		ret = hyp_dns_query_name(buf, len, name, sizeof(name), NULL);
		if (ret >= 0)
			accepted++;
		if (ret >= 0 ? !sane_name(ret, name) : !known_code(ret))
			bad++;
		ret = hyp_dns_tcp_query_name(buf, len, name, sizeof(name),
					     NULL);
		if (ret >= 0 ? !sane_name(ret, name) : !known_code(ret))
			bad++;
		if (len > HYP_DNS_HDR_LEN) {
			size_t off = HYP_DNS_HDR_LEN +
				rng() % (len - HYP_DNS_HDR_LEN);

			ret = hyp_dns_name_decode(buf, len, off, name,
						  sizeof(name), NULL);
			if (ret >= 0 ? !sane_name(ret, name) :
			    !known_code(ret))
				bad++;
		}
		free(buf);
	}
	tap(bad == 0, "10000 random buffers: no crash, sane answers",
	    "%d bad answers (%d accepted)", bad, accepted);
	/* a generator whose buffers all bounce off the header tests nothing */
	tap(accepted >= ROUNDS / 100, "random buffers: at least 1% decode to a query name",
	    "%d of %d accepted", accepted, ROUNDS);
}

int
main(void)
{
	test_basic();
	test_lengths();
	test_label_bytes();
	test_questions();
	test_tcp_messages();
	test_bad_questions();
	test_compression();
	test_truncation();
	test_header();
	test_tcp();
	test_strerror();
	test_normalize();
	test_set();
	test_set_large();
	test_random();
	/* the plan last: the count follows the code, not a hand tally */
	printf("1..%u\n", test_no);
	return failed;
}
