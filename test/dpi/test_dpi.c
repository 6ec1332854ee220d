/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_dpi: signatures and regexes compiled into one Hyperscan database,
 * scope by protocol and port, verdict reduction, scratch growth for a
 * reload. Policies are built by hand, not parsed. TAP.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_dpi.h"
#include "tap.h"

#define TCP	6
#define UDP	17
#define MAX_OUT	16


static void
bail(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

#define SIG(i, b, l, a) \
	{ .id = (i), .bytes = (uint8_t *)(b), .len = (l), .action = (a) }
#define RULE(i, re, p, port_, a) \
	{ .id = (i), .regex = (char *)(re), .proto = (p), .port = (port_), \
	  .action = (a) }

static struct hyp_dpi_db *
compile(const struct hyp_policy_signature *sigs, size_t n_sigs,
	const struct hyp_policy_payload_rule *rules, size_t n_rules)
{
	struct hyp_dpi_db *db;
	char err[256];

	db = hyp_dpi_compile(sigs, n_sigs, rules, n_rules, err, sizeof(err));
	if (db == NULL) {
		printf("# compile: %s\n", err);
		bail("hyp_dpi_compile failed");
	}
	return db;
}

static struct hyp_dpi_scratch *
scratch(const struct hyp_dpi_db *db)
{
	struct hyp_dpi_scratch *s = NULL;

	if (hyp_dpi_scratch_alloc(db, &s) != 0 || s == NULL)
		bail("hyp_dpi_scratch_alloc failed");
	return s;
}

/* scan and return the matched rule ids, sorted, as "1,2,3" */
static int
scan_ids(const struct hyp_dpi_db *db, struct hyp_dpi_scratch *s,
	 const void *p, size_t len, uint8_t proto, uint16_t dport,
	 char *ids, size_t ids_len)
{
	struct hyp_dpi_match m[MAX_OUT];
	size_t off = 0;
	int n, i, j;

	ids[0] = '\0';
	n = hyp_dpi_scan(db, s, p, len, proto, dport, m, MAX_OUT);
	if (n < 0) {
		snprintf(ids, ids_len, "error %d", n);
		return n;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && m[j - 1].rule_id > m[j].rule_id; j--) {
			struct hyp_dpi_match t = m[j];

			m[j] = m[j - 1];
			m[j - 1] = t;
		}
	for (i = 0; i < n && off < ids_len; i++)
		off += (size_t)snprintf(ids + off, ids_len - off, "%s%u",
					i > 0 ? "," : "", m[i].rule_id);
	return n;
}

static void
expect(const char *test, const struct hyp_dpi_db *db,
       struct hyp_dpi_scratch *s, const void *p, size_t len, uint8_t proto,
       uint16_t dport, const char *want)
{
	char ids[256];

	scan_ids(db, s, p, len, proto, dport, ids, sizeof(ids));
	tap(strcmp(ids, want) == 0, test, "matched [%s], want [%s]", ids,
	    want);
}

#define STR(s)	s, sizeof(s) - 1

static void
test_literals(void)
{
	static const uint8_t bin[] = { 0x00, 0x01, 0xff, 0x00, 'A', 'B' };
	const struct hyp_policy_signature sigs[] = {
		SIG(100, "EVILSTRING", 10, HYP_ACTION_DROP),
		SIG(101, bin, sizeof(bin), HYP_ACTION_ALERT),
		SIG(102, ".*(", 3, HYP_ACTION_ALERT),
	};
	struct hyp_dpi_match m[MAX_OUT];
	struct hyp_dpi_db *db = compile(sigs, 3, NULL, 0);
	struct hyp_dpi_scratch *s = scratch(db);
	uint8_t pkt[64];
	int n;

	n = hyp_dpi_scan(db, s, (const uint8_t *)"xxEVILSTRINGyy", 14, TCP,
			 80, m, MAX_OUT);
	tap(n == 1 && m[0].rule_id == 100 && m[0].action == HYP_ACTION_DROP &&
	    m[0].index == 0 && hyp_dpi_rule_id(db, m[0].index) == 100,
	    "literal in the middle of a payload", "n=%d", n);
	expect("literal at start and end", db, s, STR("EVILSTRING"), UDP, 53,
	       "100");
	expect("literal is case-sensitive and whole", db, s,
	       STR("evilstring EVILSTRIN"), TCP, 80, "");

	memset(pkt, 'z', sizeof(pkt));
	memcpy(pkt + 20, bin, sizeof(bin));
	expect("binary literal with NULs", db, s, pkt, sizeof(pkt), TCP, 1,
	       "101");
	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt + 20, bin, 4);	/* "\0\1\xff\0" then NULs, no "AB" */
	expect("binary literal prefix alone does not match", db, s, pkt,
	       sizeof(pkt), TCP, 1, "");

	expect("metacharacters in a literal are literal", db, s,
	       STR("a.*(b"), TCP, 1, "102");
	expect("and do not act as a regex", db, s, STR("anything"), TCP, 1,
	       "");
	hyp_dpi_scratch_free(s);
	hyp_dpi_free(db);
}

static void
test_regex_and_scope(void)
{
	const struct hyp_policy_payload_rule rules[] = {
		RULE(200, "GET /admin[0-9]+", 0, 0, HYP_ACTION_ALERT),
		RULE(201, "a.b", 0, 0, HYP_ACTION_ALERT),
		RULE(300, "scoped", TCP, 80, HYP_ACTION_DROP),
		RULE(301, "udponly", UDP, 0, HYP_ACTION_DROP),
		RULE(302, "port53", 0, 53, HYP_ACTION_DROP),
	};
	struct hyp_dpi_db *db = compile(NULL, 0, rules, 5);
	struct hyp_dpi_scratch *s = scratch(db);

	expect("regex rule matches", db, s, STR("GET /admin42 HTTP/1.1"), TCP,
	       8080, "200");
	expect("regex rule needs its digits", db, s, STR("GET /admin HTTP"),
	       TCP, 8080, "");
	expect("'.' matches a newline (DOTALL)", db, s, STR("a\nb"), UDP, 9,
	       "201");

	expect("tcp/80 rule on tcp/80", db, s, STR("..scoped.."), TCP, 80,
	       "300");
	expect("tcp/80 rule not on udp/80", db, s, STR("..scoped.."), UDP, 80,
	       "");
	expect("tcp/80 rule not on tcp/81", db, s, STR("..scoped.."), TCP, 81,
	       "");
	expect("proto-only rule, any port", db, s, STR("udponly"), UDP, 4444,
	       "301");
	expect("proto-only rule, other proto", db, s, STR("udponly"), TCP,
	       4444, "");
	expect("port-only rule, any proto", db, s, STR("port53 port53"), UDP,
	       53, "302");
	expect("port-only rule, other port", db, s, STR("port53"), TCP, 54,
	       "");
	hyp_dpi_scratch_free(s);
	hyp_dpi_free(db);
}

static void
test_singlematch_and_verdict(void)
{
	const struct hyp_policy_signature sigs[] = {
		SIG(1, "ABC", 3, HYP_ACTION_ALERT),
		SIG(2, "drop-me", 7, HYP_ACTION_DROP),
		SIG(3, "pass-me", 7, HYP_ACTION_PASS),
		SIG(4, "alert-me", 8, HYP_ACTION_ALERT),
	};
	const struct hyp_policy_payload_rule rules[] = {
		RULE(5, "rx-(one|two)", 0, 0, HYP_ACTION_DROP),
	};
	const struct hyp_dpi_match list[] = {
		{ 50, HYP_ACTION_ALERT, 0 },
		{ 90, HYP_ACTION_DROP, 1 },
		{ 10, HYP_ACTION_PASS, 2 },
		{ 30, HYP_ACTION_DROP, 3 },
	};
	struct hyp_dpi_match m[MAX_OUT];
	const struct hyp_dpi_match *which = &list[0];
	struct hyp_dpi_db *db = compile(sigs, 4, rules, 1);
	struct hyp_dpi_scratch *s = scratch(db);
	enum hyp_action a;
	int n;

	n = hyp_dpi_scan(db, s, (const uint8_t *)"ABC ABC xxABC", 13, TCP, 1,
			 m, MAX_OUT);
	tap(n == 1 && m[0].rule_id == 1,
	    "pattern occurring 3 times reported once", "n=%d", n);
	expect("regex occurring twice reported once", db, s,
	       STR("rx-one rx-two"), TCP, 1, "5");

	a = hyp_dpi_verdict(list, 4, &which);
	tap(a == HYP_ACTION_DROP && which == &list[3],
	    "verdict: drop beats alert and pass, lowest id among drops",
	    "action %d rule %u", a, which != NULL ? which->rule_id : 0);
	a = hyp_dpi_verdict(list, 1, &which);
	tap(a == HYP_ACTION_ALERT && which == &list[0],
	    "verdict: alert beats nothing", NULL);
	a = hyp_dpi_verdict(&list[2], 1, &which);
	tap(a == HYP_ACTION_PASS && which == &list[2], "verdict: pass only",
	    NULL);
	a = hyp_dpi_verdict(NULL, 0, &which);
	tap(a == HYP_ACTION_PASS && which == NULL,
	    "verdict of no matches is pass", NULL);

	n = hyp_dpi_scan(db, s, (const uint8_t *)"pass-me alert-me drop-me",
			 24, TCP, 1, m, MAX_OUT);
	a = hyp_dpi_verdict(m, n > 0 ? (unsigned int)n : 0, &which);
	tap(n == 3 && a == HYP_ACTION_DROP && which != NULL &&
	    which->rule_id == 2, "scan then verdict", "n=%d action %d", n, a);

	/* one slot: the drop must win it whatever the match order */
	n = hyp_dpi_scan(db, s, (const uint8_t *)"drop-me alert-me pass-me",
			 24, TCP, 1, m, 1);
	tap(n == 1 && m[0].rule_id == 2,
	    "full output keeps the strongest match", "n=%d rule %u", n,
	    m[0].rule_id);
	n = hyp_dpi_scan(db, s, (const uint8_t *)"pass-me alert-me drop-me",
			 24, TCP, 1, m, 1);
	tap(n == 1 && m[0].rule_id == 2,
	    "full output keeps the strongest match (late)", "n=%d rule %u",
	    n, m[0].rule_id);

	n = hyp_dpi_scan(db, s, (const uint8_t *)"", 0, TCP, 1, m, MAX_OUT);
	tap(n == 0, "empty payload matches nothing", "n=%d", n);
	tap(hyp_dpi_scan(NULL, s, (const uint8_t *)"x", 1, TCP, 1, m,
			 MAX_OUT) == -EINVAL &&
	    hyp_dpi_scan(db, NULL, (const uint8_t *)"x", 1, TCP, 1, m,
			 MAX_OUT) == -EINVAL &&
	    hyp_dpi_scan(db, s, NULL, 1, TCP, 1, m, MAX_OUT) == -EINVAL &&
	    hyp_dpi_scan(db, s, (const uint8_t *)"x", 1, TCP, 1, NULL, 1) ==
	    -EINVAL, "bad arguments refused", NULL);
	hyp_dpi_scratch_free(s);
	hyp_dpi_free(db);
}

static void
test_empty_db(void)
{
	struct hyp_dpi_match m[MAX_OUT];
	struct hyp_dpi_scratch *s = NULL;
	struct hyp_dpi_db *db;
	char err[128];
	int ret, n = -1;

	db = hyp_dpi_compile(NULL, 0, NULL, 0, err, sizeof(err));
	ret = db != NULL ? hyp_dpi_scratch_alloc(db, &s) : -1;
	if (ret == 0)
		n = hyp_dpi_scan(db, s, (const uint8_t *)"EVILSTRING", 10, TCP,
				 80, m, MAX_OUT);
	tap(db != NULL && ret == 0 && n == 0 && hyp_dpi_rule_count(db) == 0 &&
	    hyp_dpi_rule_id(db, 0) == UINT32_MAX,
	    "zero-rule db matches nothing", "db %p ret %d n %d (%s)",
	    (void *)db, ret, n, db == NULL ? err : "");
	hyp_dpi_scratch_free(s);
	hyp_dpi_free(db);
}

static void
test_compile_errors(void)
{
	const struct hyp_policy_signature sigs[] = {
		SIG(11, "fine", 4, HYP_ACTION_DROP),
		SIG(12, "", 0, HYP_ACTION_DROP),
	};
	const struct hyp_policy_payload_rule bad_re[] = {
		RULE(41, "good[0-9]", 0, 0, HYP_ACTION_DROP),
		RULE(4242, "broken([a-z", 0, 0, HYP_ACTION_DROP),
	};
	const struct hyp_policy_payload_rule empty_re[] = {
		RULE(77, "x*", 0, 0, HYP_ACTION_DROP),
	};
	const struct hyp_policy_payload_rule null_re[] = {
		RULE(78, NULL, 0, 0, HYP_ACTION_DROP),
	};
	struct hyp_dpi_db *db;
	char err[256];

	err[0] = '\0';
	errno = 0;
	db = hyp_dpi_compile(sigs, 1, bad_re, 2, err, sizeof(err));
	tap(db == NULL && errno == EINVAL && strstr(err, "4242") != NULL &&
	    strstr(err, "41") == NULL, "compile error names the rule id",
	    "err \"%s\"", err);
	hyp_dpi_free(db);

	err[0] = '\0';
	db = hyp_dpi_compile(NULL, 0, empty_re, 1, err, sizeof(err));
	tap(db == NULL && strstr(err, "77") != NULL,
	    "regex matching the empty payload refused by id", "err \"%s\"",
	    err);
	hyp_dpi_free(db);

	err[0] = '\0';
	db = hyp_dpi_compile(sigs, 2, NULL, 0, err, sizeof(err));
	tap(db == NULL && strstr(err, "12") != NULL,
	    "empty signature refused by id", "err \"%s\"", err);
	hyp_dpi_free(db);

	err[0] = '\0';
	db = hyp_dpi_compile(NULL, 0, null_re, 1, err, sizeof(err));
	tap(db == NULL && strstr(err, "78") != NULL,
	    "missing regex refused by id", "err \"%s\"", err);
	hyp_dpi_free(db);

	db = hyp_dpi_compile(NULL, 0, bad_re, 2, NULL, 0);
	tap(db == NULL, "compile error without an error buffer", NULL);
	hyp_dpi_free(db);
}

static void
test_scratch_grow(void)
{
	const struct hyp_policy_signature small[] = {
		SIG(1, "tiny", 4, HYP_ACTION_ALERT),
	};
	/* bounded repeats and alternations need far more scratch */
	const struct hyp_policy_payload_rule big[] = {
		RULE(10, "(foo|bar)[^\\n]{20,200}baz[0-9]{3}", 0, 0,
		     HYP_ACTION_DROP),
		RULE(11, "x[a-f]{10,50}y.*z[0-9]{8}", 0, 0, HYP_ACTION_ALERT),
		RULE(12, "(a|b|c|d)+(e|f|g){5,40}h", 0, 0, HYP_ACTION_ALERT),
		RULE(13, "tiny", 0, 0, HYP_ACTION_ALERT),
	};
	struct hyp_dpi_db *db1 = compile(small, 1, NULL, 0);
	struct hyp_dpi_db *db2 = compile(NULL, 0, big, 4);
	struct hyp_dpi_db *empty = compile(NULL, 0, NULL, 0);
	struct hyp_dpi_scratch *s = scratch(db1), *e = scratch(empty);
	struct hyp_dpi_match m[MAX_OUT];
	const char *payload = "..foo-0123456789-0123456789-baz123..tiny";
	size_t len = strlen(payload);
	char ids[64];
	int ret, n;

	ret = hyp_dpi_scratch_grow(db2, s);
	scan_ids(db2, s, payload, len, TCP, 80, ids, sizeof(ids));
	tap(ret == 0 && strcmp(ids, "10,13") == 0,
	    "grown scratch scans the larger db", "grow %d, matched [%s]", ret,
	    ids);
	scan_ids(db1, s, payload, len, TCP, 80, ids, sizeof(ids));
	tap(strcmp(ids, "1") == 0, "grown scratch still scans the old db",
	    "matched [%s]", ids);

	n = hyp_dpi_scan(db2, e, (const uint8_t *)payload, len, TCP, 80, m,
			 MAX_OUT);
	tap(n == -EINVAL, "scratch of the empty db refused for another db",
	    "n=%d", n);
	ret = hyp_dpi_scratch_grow(db2, e);
	scan_ids(db2, e, payload, len, TCP, 80, ids, sizeof(ids));
	tap(ret == 0 && strcmp(ids, "10,13") == 0,
	    "scratch of the empty db grown for a real one",
	    "grow %d, matched [%s]", ret, ids);
	ret = hyp_dpi_scratch_grow(empty, s);
	scan_ids(db2, s, payload, len, TCP, 80, ids, sizeof(ids));
	tap(ret == 0 && strcmp(ids, "10,13") == 0,
	    "growing for the empty db is a no-op: the scratch still scans the real one",
	    "grow %d, matched [%s]", ret, ids);
	tap(hyp_dpi_scratch_grow(NULL, s) == -EINVAL, "growing for no db: -EINVAL", NULL);

	hyp_dpi_scratch_free(s);
	hyp_dpi_scratch_free(e);
	hyp_dpi_free(db1);
	hyp_dpi_free(db2);
	hyp_dpi_free(empty);
}

static void
test_thousand(void)
{
	enum { N_SIGS = 500, N_RULES = 500 };
	struct hyp_policy_signature *sigs = calloc(N_SIGS, sizeof(*sigs));
	struct hyp_policy_payload_rule *rules = calloc(N_RULES,
						       sizeof(*rules));
	char *text = malloc((N_SIGS + N_RULES) * 32);
	struct hyp_dpi_scratch *s;
	struct hyp_dpi_db *db;
	char ids[64];
	int i;

	if (sigs == NULL || rules == NULL || text == NULL)
		bail("out of memory");
	for (i = 0; i < N_SIGS; i++) {
		char *t = text + 32 * i;

		snprintf(t, 32, "sig-%04d-payload", i);
		sigs[i].id = (uint32_t)(1000 + i);
		sigs[i].bytes = (uint8_t *)t;
		sigs[i].len = strlen(t);
		sigs[i].action = HYP_ACTION_ALERT;
	}
	for (i = 0; i < N_RULES; i++) {
		char *t = text + 32 * (N_SIGS + i);

		snprintf(t, 32, "rx%04d=[0-9]{2,4};", i);
		rules[i].id = (uint32_t)(5000 + i);
		rules[i].regex = t;
		rules[i].proto = i % 2 == 0 ? TCP : 0;
		rules[i].action = HYP_ACTION_DROP;
	}
	db = compile(sigs, N_SIGS, rules, N_RULES);
	s = scratch(db);
	tap(hyp_dpi_rule_count(db) == 1000 && hyp_dpi_rule_id(db, 0) == 1000 &&
	    hyp_dpi_rule_id(db, 999) == 5499 &&
	    hyp_dpi_rule_id(db, 1000) == UINT32_MAX,
	    "1000-rule db compiles, table in order", NULL);
	scan_ids(db, s, STR("GET sig-0123-payload?q=rx0456=77; rx0457=1;"),
		 TCP, 443, ids, sizeof(ids));
	tap(strcmp(ids, "1123,5456") == 0, "1000-rule db scans",
	    "matched [%s]", ids);
	scan_ids(db, s, STR("sig-0499-payload rx0456=77; rx0457=123;"), UDP,
		 443, ids, sizeof(ids));
	tap(strcmp(ids, "1499,5457") == 0, "1000-rule db applies scope",
	    "matched [%s]", ids);
	hyp_dpi_scratch_free(s);
	hyp_dpi_free(db);
	free(text);
	free(rules);
	free(sigs);
}

/* Feed text to a stream in pieces of `step` bytes; the ids matched, in order. */
static void
stream_ids(const struct hyp_dpi_db *db, struct hyp_dpi_scratch *s, struct hyp_dpi_stream *st,
	   const char *text, size_t len, size_t step, uint8_t proto, uint16_t dport, char *ids,
	   size_t ids_len)
{
	struct hyp_dpi_match m[MAX_OUT];
	size_t off, o = 0;
	int n, i;

	ids[0] = '\0';
	for (off = 0; off < len; off += step) {
		n = hyp_dpi_stream_scan(db, st, s, (const uint8_t *)text + off,
					step < len - off ? step : len - off, proto, dport, m, MAX_OUT);
		for (i = 0; i < n && o < ids_len; i++)
			o += (size_t)snprintf(ids + o, ids_len - o, "%s%u@%zu", o ? "," : "",
					      m[i].rule_id, off);
		if (n < 0)
			snprintf(ids, ids_len, "error %d", n);
	}
}

static void
test_streams(void)
{
	const struct hyp_policy_signature sigs[] = {
		SIG(1, "EVILBYTES", 9, HYP_ACTION_DROP),
	};
	const struct hyp_policy_payload_rule rules[] = {
		RULE(2, "(?i)user-agent:\\s*sqlmap", TCP, 80, HYP_ACTION_ALERT),
		RULE(3, "END-OF-FLOW$", 0, 0, HYP_ACTION_ALERT),
	};
	static const char text[] = "GET / HTTP/1.1\r\nUser-Agent: sqlmap/1.7\r\n\r\nEVILBYTES";
	struct hyp_dpi_db *db = compile(sigs, 1, rules, 2);
	struct hyp_dpi_scratch *s = scratch(db);
	struct hyp_dpi_match m[MAX_OUT];
	struct hyp_dpi_stream *st;
	char ids[256];
	size_t step;
	unsigned int ok = 0;
	int n;

	tap(hyp_dpi_stream_size(db) > 0, "a stream has a size", "%zu", hyp_dpi_stream_size(db));
	/* whole, and in pieces of 22 (the regex cut after "User-") */
	for (step = 22; step <= sizeof(text) - 1; step += sizeof(text) - 1 - 22) {
		if (hyp_dpi_stream_open(db, &st) != 0)
			bail("hyp_dpi_stream_open");
		stream_ids(db, s, st, text, sizeof(text) - 1, step, TCP, 80, ids, sizeof(ids));
		ok += strstr(ids, "2@") != NULL && strstr(ids, "1@") != NULL;
		hyp_dpi_stream_close(db, st, s, TCP, 80, m, MAX_OUT);
	}
	tap(ok == 2, "signature and regex found whole and across a split mid-word", "%u", ok);
	hyp_dpi_stream_open(db, &st);
	stream_ids(db, s, st, text, sizeof(text) - 1, 1, TCP, 80, ids, sizeof(ids));
	tap(strcmp(ids, "2@33,1@50") == 0, "one byte at a time: each found at its last byte",
	    "[%s]", ids);
	stream_ids(db, s, st, text, sizeof(text) - 1, 7, TCP, 80, ids, sizeof(ids));
	tap(ids[0] == '\0', "the same bytes again: each rule once per stream", "[%s]", ids);
	hyp_dpi_stream_close(db, st, s, TCP, 80, m, MAX_OUT);
	hyp_dpi_stream_open(db, &st);
	stream_ids(db, s, st, text, sizeof(text) - 1, 5, TCP, 8080, ids, sizeof(ids));
	tap(strcmp(ids, "1@50") == 0, "a regex scoped to TCP/80 does not match a stream to 8080",
	    "[%s]", ids);
	hyp_dpi_stream_close(db, st, s, TCP, 8080, m, MAX_OUT);

	hyp_dpi_stream_open(db, &st);
	stream_ids(db, s, st, STR("bye END-OF-FLOW"), 4, TCP, 9, ids, sizeof(ids));
	n = hyp_dpi_stream_close(db, st, s, TCP, 9, m, MAX_OUT);
	tap(n == 1 && m[0].rule_id == 3, "a pattern anchored at the end matches when the stream ends",
	    "close gave %d (during: [%s])", n, ids);
	hyp_dpi_stream_open(db, &st);
	stream_ids(db, s, st, STR("bye END-OF-FLOW"), 4, TCP, 9, ids, sizeof(ids));
	n = hyp_dpi_stream_close(NULL, st, NULL, TCP, 9, m, MAX_OUT);
	tap(n == 0, "closed without the database: freed, nothing reported", "%d", n);
	tap(hyp_dpi_stream_close(db, NULL, s, TCP, 9, m, MAX_OUT) == 0, "closing NULL is nothing",
	    NULL);
	hyp_dpi_scratch_free(s);
	hyp_dpi_free(db);
}

int
main(void)
{
	test_literals();
	test_regex_and_scope();
	test_singlematch_and_verdict();
	test_empty_db();
	test_compile_errors();
	test_scratch_grow();
	test_thousand();
	test_streams();
	/* the plan last: the count follows the code, not a hand tally */
	printf("1..%u\n", test_no);
	return failed;
}
