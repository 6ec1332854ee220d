/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_detect: rules against crafted payloads, each case the rule, the
 * bytes, and whether it must match: content positions (offset, depth,
 * distance, within, negative distance, startswith, endswith, nocase,
 * negation), the retry of an earlier content when a relative one fails,
 * pcre (flags, /R from the previous match, ^ at the cursor, negation),
 * byte_extract/test/jump, isdataat, dsize, bsize on DNS names, headers
 * (addresses, ports, <>, protocols, flow), ICMP and TCP flags; what the
 * build leaves out and why; the prefilter (candidates only where a fast
 * pattern is); the step budget against a payload made to explode the
 * retries. TAP.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_detect.h"
#include "tap.h"

static struct hyp_rule_vars vars;

static uint8_t a_src[16], a_dst[16];

static void
v4(uint8_t a[16], const char *s)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	inet_pton(AF_INET, s, a + 12);
}

static struct hyp_detect_pkt
pkt(uint8_t proto, const void *payload, size_t len)
{
	struct hyp_detect_pkt p;

	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.proto = proto;
	p.src = a_src;
	p.dst = a_dst;
	p.sport = 40000;
	p.dport = 80;
	p.ttl = 64;
	p.to_server = true;
	p.established = true;
	p.payload = payload;
	p.len = (uint32_t)len;
	p.dsize = (uint32_t)len;
	return p;
}

static struct hyp_detect *
build(const char *rules, struct hyp_rules_report *rep, struct hyp_detect_info *info)
{
	struct hyp_ruleset set = { NULL, 0 };
	struct hyp_detect *d = NULL;
	char err[256] = "";
	int ret;

	memset(rep, 0, sizeof(*rep));
	ret = hyp_rules_load_buf(rules, strlen(rules), "t.rules", &vars, &set, rep);
	if (ret == 0)
		ret = hyp_detect_build(&set, rep, &d, info, err, sizeof(err));
	hyp_ruleset_free(&set);
	if (ret != 0)
		printf("# build: %d %s\n", ret, err);
	return d;
}

/* does the one rule match? */
static int
one(const char *rule, const struct hyp_detect_pkt *p)
{
	struct hyp_detect_scratch *s = NULL;
	struct hyp_rules_report rep;
	struct hyp_detect_info info;
	struct hyp_detect *d = build(rule, &rep, &info);
	uint32_t out[4];
	unsigned int n = 0;

	if (d == NULL || info.rules != 1 || hyp_detect_scratch_alloc(d, &s) != 0) {
		printf("# not built: %s (%s)\n", rule, rep.first_error);
		hyp_detect_free(d);
		hyp_rules_report_free(&rep);
		return -1;
	}
	n = hyp_detect_inspect(d, s, p, out, 4);
	hyp_detect_scratch_free(s);
	hyp_detect_free(d);
	hyp_rules_report_free(&rep);
	return (int)n;
}

struct pcase {
	const char *opts;	/* the options, without sid */
	const char *payload;
	int want;		/* 1 match, 0 not */
};

static void
run_payload_cases(const char *title, const struct pcase *c, unsigned int n, uint8_t proto)
{
	char rule[1024];
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct hyp_detect_pkt p = pkt(proto, c[i].payload, strlen(c[i].payload));
		int got;

		snprintf(rule, sizeof(rule), "alert %s any any -> any any (%s sid:1;)",
			 proto == 6 ? "tcp" : "udp", c[i].opts);
		got = one(rule, &p);
		tap(got == c[i].want, title, "%s\non '%s': got %d, want %d", c[i].opts, c[i].payload,
		    got, c[i].want);
	}
}

static void
test_content(void)
{
	static const struct pcase c[] = {
		{ "content:\"DullBoy\";", "AllWorkAndNoPlay DullBoy", 1 },
		{ "content:\"dullboy\";", "AllWorkAndNoPlay DullBoy", 0 },
		{ "content:\"dullboy\"; nocase;", "AllWorkAndNoPlay DullBoy", 1 },
		{ "content:\"Work\"; offset:3;", "AllWorkX", 1 },
		{ "content:\"Work\"; offset:4;", "AllWorkX", 0 },
		{ "content:\"Work\"; depth:7;", "AllWorkX", 1 },
		{ "content:\"Work\"; depth:6;", "AllWorkX", 0 },
		{ "content:\"Work\"; offset:2; depth:5;", "AllWorkX", 1 },	/* 2..6 */
		{ "content:\"Work\"; offset:2; depth:4;", "AllWorkX", 0 },
		/* suricata-verify alert-distance-within-1 */
		{ "content:\"AllWorkAndNoPlayMakesWill\"; content:\"DullBoy\"; distance:1; within:7;",
		  "AllWorkAndNoPlayMakesWill DullBoy", 1 },
		{ "content:\"AllWorkAndNoPlayMakesWill\"; content:\"DullBoy\"; distance:1; within:7;",
		  "AllWorkAndNoPlayMakesWill  DullBoy", 0 },
		{ "content:\"AllWorkAndNoPlayMakesWill\"; content:\"DullBoy\"; distance:0; within:7;",
		  "AllWorkAndNoPlayMakesWillDullBoy", 1 },
		/* negative distance looks back */
		{ "content:\"BBB\"; content:\"AB\"; distance:-4; within:2;", "xxABBBxx", 1 },
		/* the first 'a' fails the relative content; the retry finds the second */
		{ "content:\"a\"; content:\"b\"; distance:0; within:1;", "a-ab", 1 },
		{ "content:\"a\"; content:\"b\"; distance:0; within:1;", "a-a-b", 0 },
		{ "content:\"GET\"; startswith;", "GET / HTTP/1.0", 1 },
		{ "content:\"GET\"; startswith;", " GET / HTTP/1.0", 0 },
		{ "content:\"1.0\"; endswith;", "GET / HTTP/1.0", 1 },
		{ "content:\"1.0\"; endswith;", "GET / HTTP/1.0\r\n", 0 },
		/* suricata-verify bug-docs-5030: distance, within and endswith together */
		{ "content:\"yYYYYYYYYYYYYYYYY\"; distance:9; within:29; endswith;",
		  "123456789yYYYYYYYYYYYYYYYY", 1 },
		{ "content:\"GET\"; content:!\"evil\";", "GET /good", 1 },
		{ "content:\"GET\"; content:!\"evil\";", "GET /evil", 0 },
		{ "content:\"GET\"; content:!\"evil\"; distance:0; within:4;", "GET /xxxx evil", 1 },
		{ "content:\"|01 02|x\";", "\x02\x01x", 0 },
		{ "content:\"|01 02|x\";", "z\x01\x02x", 1 },
		{ "content:\"uid=0|28|root|29|\";", "uid=0(root) gid=0(root)", 1 },
	};

	run_payload_cases("content", c, DIM(c), 6);
	{
		/* NUL bytes in the pattern (first) and in the payload */
		static const uint8_t pl[] = { 'a', 0, 0, 1, 'x', 0 };
		struct hyp_detect_pkt p = pkt(6, pl, sizeof(pl));

		tap(one("alert tcp any any -> any any (content:\"|00 00 01|x\"; sid:1;)", &p) == 1 &&
		    one("alert tcp any any -> any any (content:\"|00 00 02|\"; sid:1;)", &p) == 0,
		    "NUL bytes in pattern and payload", NULL);
	}
}

static void
test_pcre_bytes(void)
{
	static const struct pcase c[] = {
		{ "pcre:\"/^gEt/i\";", "GET /two/ HTTP/1.1", 1 },
		{ "pcre:\"/^gEt/\";", "GET /two/ HTTP/1.1", 0 },
		{ "content:\"GET\"; pcre:\"/\\s+HTTP/R\";", "GET /two/ HTTP/1.1", 1 },
		{ "content:\"HTTP\"; pcre:\"/two/R\";", "GET /two/ HTTP/1.1", 0 },
		/* ^ after /R anchors at the cursor */
		{ "content:\"GET \"; pcre:\"/^\\/two/R\";", "GET /two/", 1 },
		{ "content:\"GET\"; pcre:\"/^\\/two/R\";", "GET /two/", 0 },
		{ "content:\"GET\"; pcre:!\"/two/\";", "GET /one/", 1 },
		{ "content:\"GET\"; pcre:!\"/two/\";", "GET /two/", 0 },
		{ "pcre:\"/a.b/s\";", "a\nb", 1 },
		{ "pcre:\"/a.b/\";", "a\nb", 0 },
		{ "pcre:\"/^b$/m\";", "a\nb\nc", 1 },
		/* two bytes big endian at 0 = 0x0102 = 258 */
		{ "byte_test:2,=,258,0;", "\x01\x02zz", 1 },
		{ "byte_test:2,=,258,0,little;", "\x02\x01zz", 1 },
		{ "byte_test:2,>,258,0;", "\x01\x02zz", 0 },
		{ "byte_test:2,!>,258,0;", "\x01\x02zz", 1 },
		{ "byte_test:1,&,0x80,1;", "a\x81", 1 },
		{ "byte_test:3,=,123,0,string,dec;", "123x", 1 },
		{ "byte_test:3,=,291,0,string,hex;", "123x", 1 },
		/* Suricata 7's byte_jump: a count from a variable, zero bytes, the clamp, from_end */
		{ "content:\"LEN\"; byte_extract:1,0,n,relative,string,dec; "
		  "byte_jump:n,0,relative,string,dec; content:\"Z\"; within:1;", "LEN205xxxxxZ", 1 },
		{ "content:\"LEN\"; byte_extract:1,0,n,relative,string,dec; "
		  "byte_jump:n,0,relative,string,dec; content:\"Z\"; within:1;", "LEN205xxxxZ", 0 },
		{ "content:\"LEN\"; byte_extract:1,0,n,relative,string,dec; "
		  "byte_jump:n,0,relative,string,dec; content:\"Z\"; within:1;", "LEN005xxxxZ", 0 },
		{ "content:\"LEN\"; byte_extract:1,0,n,relative,bitmask 0x0f; byte_jump:n,0,relative; "
		  "content:\"Q\"; within:1;", "LENPQ", 1 },
		/* a count the packet gives past a string's 10 digits ('K' & 0x0f = 11): no match */
		{ "content:\"LEN\"; byte_extract:1,0,n,relative,bitmask 0x0f; "
		  "byte_jump:n,0,relative,string,dec; content:\"Q\"; within:1;", "LENK00000000001xQ", 0 },
		{ "content:\"LEN\"; byte_extract:1,0,n,relative,bitmask 0x0f; "
		  "byte_jump:n,0,relative,string,dec; content:\"Q\"; within:1;", "LENJ0000000001xQ", 1 },
		{ "content:\"LEN\"; byte_extract:1,0,n,relative,bitmask 0x0f; byte_test:n,=,0,0,relative; "
		  "content:\"Q\";", "LENPQ", 0 },
		{ "content:\"ABCD\"; byte_jump:0,0,relative,post_offset -4; content:\"ABCD\"; "
		  "within:4;", "xxABCD", 1 },
		{ "content:\"AB\"; byte_jump:0,0,relative,post_offset -10; content:\"xx\"; "
		  "within:2;", "xxAB", 1 },
		{ "content:\"AB\"; byte_jump:0,0,relative,post_offset 1; content:\"x\"; "
		  "distance:0;", "xxAB", 0 },
		{ "content:\"x\"; byte_jump:0,0,from_end,post_offset -3; content:\"END\"; "
		  "within:3;", "x..xEND", 1 },
		{ "content:\"x\"; byte_jump:0,0,from_end,post_offset -4; content:\"END\"; "
		  "within:3;", "x..xEND", 0 },
		/* align rounds the jump up to 4, not the position */
		{ "content:\"A\"; byte_jump:1,0,relative,string,dec,align; content:\"Z\"; within:1;",
		  "A1xxxxZ", 1 },
		{ "content:\"A\"; byte_jump:1,0,relative,string,dec,align; content:\"Z\"; within:1;",
		  "A1xZ", 0 },
		{ "byte_test:2,=,5,0,bitmask 0x00f0;", "\x01\x50", 1 },
		{ "byte_test:4,=,1,3;", "abc", 0 },		/* past the end: no match */
		/* a length at 0 says where the next content is */
		/* the jump lands at offset + nbytes + value: 0 + 1 + 2 = 3 */
		{ "byte_jump:1,0; content:\"X\"; within:1;", "\x02" "abX", 1 },
		{ "byte_jump:1,0; content:\"X\"; within:1;", "\x03" "abX", 0 },
		{ "byte_jump:1,0,post_offset -1; content:\"bX\"; within:2;", "\x02" "abX", 1 },
		{ "byte_jump:1,0,from_beginning; content:\"X\"; within:1;", "\x03" "abX", 1 },
		{ "byte_extract:1,0,len; byte_test:1,=,len,1;", "\x07\x07", 1 },
		{ "byte_extract:1,0,len; byte_test:1,=,len,1;", "\x07\x08", 0 },
		{ "content:\"ab\"; byte_extract:1,0,n,relative; byte_test:1,=,n,0,relative;",
		  "ab\x05\x05", 1 },
		{ "content:\"ab\"; isdataat:2,relative;", "abcd", 1 },
		{ "content:\"ab\"; isdataat:2,relative;", "abc", 0 },
		{ "content:\"ab\"; isdataat:!2,relative;", "abc", 1 },
		{ "isdataat:10;", "short", 0 },
		{ "dsize:5;", "short", 1 },
		{ "dsize:>5;", "short", 0 },
		{ "dsize:4<>6;", "short", 1 },
	};

	run_payload_cases("pcre, byte_*, isdataat, dsize", c, DIM(c), 6);
}

static void
test_headers(void)
{
	struct hyp_detect_pkt p;
	const char *pl = "HELLO";

	p = pkt(6, pl, 5);
	tap(one("alert tcp 198.18.0.0/15 any -> 198.51.100.0/24 80 (content:\"HELLO\"; sid:1;)", &p)
	    == 1, "addresses and port match", NULL);
	tap(one("alert tcp 198.18.0.0/15 any -> 198.51.100.0/24 81 (content:\"HELLO\"; sid:1;)", &p)
	    == 0, "the destination port does not", NULL);
	tap(one("alert tcp 198.51.100.0/24 80 -> 198.18.0.0/15 any (content:\"HELLO\"; sid:1;)", &p)
	    == 0, "-> is one way", NULL);
	tap(one("alert tcp 198.51.100.0/24 80 <> 198.18.0.0/15 any (content:\"HELLO\"; sid:1;)", &p)
	    == 1, "<> either way", NULL);
	tap(one("alert udp any any -> any any (content:\"HELLO\"; sid:1;)", &p) == 0,
	    "a udp rule on TCP", NULL);
	tap(one("alert ip any any -> any any (content:\"HELLO\"; sid:1;)", &p) == 1,
	    "an ip rule on TCP", NULL);
	tap(one("alert tcp any any -> any any (flow:to_client; content:\"HELLO\"; sid:1;)", &p) == 0,
	    "flow:to_client on a packet to the server", NULL);
	p.established = false;
	tap(one("alert tcp any any -> any any (flow:established; content:\"HELLO\"; sid:1;)", &p)
	    == 0, "flow:established before the handshake", NULL);
	p.established = true;
	tap(one("alert tcp-stream any any -> any any (content:\"HELLO\"; sid:1;)", &p) == 0 &&
	    one("alert tcp-pkt any any -> any any (content:\"HELLO\"; sid:1;)", &p) == 1,
	    "tcp-pkt and tcp-stream on a segment", NULL);
	p.stream = true;
	tap(one("alert tcp-stream any any -> any any (content:\"HELLO\"; sid:1;)", &p) == 1 &&
	    one("alert tcp-pkt any any -> any any (content:\"HELLO\"; sid:1;)", &p) == 0 &&
	    one("alert tcp any any -> any any (dsize:5; sid:1;)", &p) == 0,
	    "and on the stream (dsize is a packet's)", NULL);
	p = pkt(6, "", 0);
	p.tcp_flags = 0x02 | 0x40;	/* SYN + ECE */
	tap(one("alert tcp any any -> any any (flags:S,12; sid:1;)", &p) == 1 &&
	    one("alert tcp any any -> any any (flags:S; sid:1;)", &p) == 0 &&
	    one("alert tcp any any -> any any (flags:S+; sid:1;)", &p) == 1 &&
	    one("alert tcp any any -> any any (flags:!R; sid:1;)", &p) == 1,
	    "TCP flags: exact with an ignore mask, +, !", NULL);
	p = pkt(1, "abcd", 4);
	p.icmp_type = 8;
	tap(one("alert icmp any any -> any any (itype:8; icode:0; sid:1;)", &p) == 1 &&
	    one("alert icmp any any -> any any (itype:0; sid:1;)", &p) == 0 &&
	    one("alert icmp any any -> any any (ttl:<64; sid:1;)", &p) == 0,
	    "ICMP type and code, ttl", NULL);
	/* DNS: the query names as a buffer */
	p = pkt(17, "\x12\x34", 2);
	p.dns = true;
	p.queries[0] = "www.google.com";
	p.queries[1] = "evil.example";
	p.n_queries = 2;
	tap(one("alert dns any any -> any any (dns_query; content:\"google\"; nocase; sid:1;)", &p)
	    == 1, "dns_query content on the first name", NULL);
	tap(one("alert dns any any -> any any (dns.query; content:\"evil\"; startswith; "
		"bsize:12; sid:1;)", &p) == 1, "dns.query, startswith and bsize on the second", NULL);
	tap(one("alert dns any any -> any any (dns.query; content:\"google\"; content:\"evil\"; "
		"sid:1;)", &p) == 0, "two contents must hold on one name", NULL);
	p.dns = false;
	tap(one("alert dns any any -> any any (dns_query; content:\"google\"; sid:1;)", &p) == 0,
	    "a dns rule needs DNS", NULL);
}

static void
test_build(void)
{
	static const char rules[] =
		"alert tcp any any -> any any (content:\"aaaa\"; sid:1;)\n"
		"alert tcp any any -> any any (content:\"bbbb\"; flowbits:set,x; sid:2;)\n"
		"alert tcp any any -> any any (pcre:\"/(unclosed/\"; sid:3;)\n"
		"alert tcp any any -> any any (dsize:>100; sid:4;)\n"
		"alert tcp any any -> any any (content:\"x\"; byte_test:1,=,1,0,dce; sid:5;)\n"
		"alert udp any any -> any any (content:\"aaaa\"; sid:6;)\n"
		"alert tcp any any -> any any (content:\"cc\"; content:\"dddddd\"; sid:7;)\n"
		"alert tcp any any -> any any (content:\"cc\"; fast_pattern; content:\"dddddd\"; sid:8;)\n";
	struct hyp_detect_scratch *s = NULL;
	struct hyp_rules_report rep;
	struct hyp_detect_info info;
	struct hyp_detect_stats st;
	struct hyp_detect *d = build(rules, &rep, &info);
	struct hyp_detect_pkt p;
	uint32_t out[8];
	unsigned int n, i;
	bool fb = false, df = false;

	for (i = 0; i < rep.n_skips; i++) {
		fb |= strcmp(rep.skips[i].key, "flowbits") == 0;
		df |= strcmp(rep.skips[i].key, "byte_* dce") == 0;
	}
	tap(d != NULL && info.rules == 6 && rep.loaded == 6 && rep.skipped == 1 && !fb && df &&
	    rep.errors == 1 && strstr(rep.first_error, "sid 3: pcre") != NULL &&
	    info.no_fast_pattern == 1 && info.databases == 2,
	    "build: byte_* dce skipped by name, a bad pcre an error, one rule without a "
	    "fast pattern, a database per class with rules",
	    "rules %u loaded %u skipped %u errors %u (%s) nofp %u dbs %u", info.rules, rep.loaded,
	    rep.skipped, rep.errors, rep.first_error, info.no_fast_pattern, info.databases);
	if (d == NULL || hyp_detect_scratch_alloc(d, &s) != 0) {
		hyp_detect_free(d);
		hyp_rules_report_free(&rep);
		return;
	}
	/* a payload with only sid 1's pattern: one candidate plus the always-checked one */
	p = pkt(6, "xxaaaaxx", 8);
	n = hyp_detect_inspect(d, s, &p, out, 8);
	hyp_detect_scratch_stats(s, &st);
	tap(n == 1 && hyp_detect_rule(d, out[0])->sid == 1 && st.candidates == 2,
	    "the prefilter: sid 1's literal names it; sid 4 (no fast pattern) is checked anyway",
	    "n %u candidates %lu", n, (unsigned long)st.candidates);
	p = pkt(6, "cc dddddd", 9);
	n = hyp_detect_inspect(d, s, &p, out, 8);
	tap(n == 2 && hyp_detect_rule(d, out[0])->sid == 7 && hyp_detect_rule(d, out[1])->sid == 8,
	    "longest content or the marked one as fast pattern: both found, in rule order",
	    "n %u", n);
	p = pkt(17, "aaaa", 4);
	n = hyp_detect_inspect(d, s, &p, out, 8);
	tap(n == 1 && hyp_detect_rule(d, out[0])->sid == 6, "UDP has its own database", "n %u", n);
	{
		char big[200];

		memset(big, 'z', sizeof(big));
		p = pkt(6, big, sizeof(big));
		n = hyp_detect_inspect(d, s, &p, out, 0);
		tap(n == 1, "more matches than room: counted, nothing written", "n %u", n);
	}
	hyp_detect_scratch_free(s);
	hyp_detect_free(d);
	hyp_rules_report_free(&rep);
}

/* flowbits over the packets of one flow: conditions, actions, noalert, order */
static unsigned int
fb_run(struct hyp_detect *d, struct hyp_detect_scratch *s, uint64_t *bits, const char *pl,
       char *got, size_t size)
{
	struct hyp_detect_pkt p = pkt(6, pl, strlen(pl));
	uint32_t out[8];
	unsigned int n, i;
	size_t o = 0;

	p.flowbits = bits;
	n = hyp_detect_inspect(d, s, &p, out, 8);
	got[0] = '\0';
	for (i = 0; i < n && i < 8; i++)
		o += (size_t)snprintf(got + o, size - o, "%s%u", i ? "," : "",
				      hyp_detect_rule(d, out[i])->sid);
	return n;
}

static void
test_flowbits(void)
{
	static const char rules[] =
		"alert tcp any any -> any any (content:\"LOGIN\"; flowbits:set,logged_in; "
		"flowbits:noalert; sid:1;)\n"
		"alert tcp any any -> any any (content:\"CMD\"; flowbits:isset,logged_in; sid:2;)\n"
		"alert tcp any any -> any any (content:\"CMD\"; flowbits:isnotset,logged_in; sid:3;)\n"
		"alert tcp any any -> any any (content:\"LOGOUT\"; flowbits:unset,logged_in; "
		"flowbits:noalert; sid:4;)\n"
		"alert tcp any any -> any any (content:\"TEST\"; flowbits:isset,nope|logged_in; "
		"sid:5;)\n"
		"alert tcp any any -> any any (content:\"FLIP\"; flowbits:toggle,t; flowbits:noalert; "
		"sid:6;)\n"
		"alert tcp any any -> any any (content:\"PEEK\"; flowbits:isset,t; sid:7;)\n"
		"alert tcp any any -> any any (content:\"BOTH\"; flowbits:isset,b; sid:8;)\n"
		"alert tcp any any -> any any (content:\"BOTH\"; flowbits:set,b; flowbits:noalert; "
		"sid:9;)\n";
	static const struct {
		const char *payload, *want;
	} seq[] = {
		{ "CMD ls", "3" },		/* not logged in */
		{ "LOGIN bob", "" },		/* sets the bit, says nothing */
		{ "CMD ls", "2" },
		{ "TEST", "5" },		/* one of nope|logged_in */
		{ "LOGOUT", "" },
		{ "CMD ls", "3" },
		{ "TEST", "" },
		{ "FLIP", "" }, { "PEEK", "7" }, { "FLIP", "" }, { "PEEK", "" },
		/* the setter is later in the file, verified first in the packet */
		{ "BOTH", "8" },
	};
	struct hyp_detect_scratch *s = NULL;
	struct hyp_rules_report rep;
	struct hyp_detect_info info;
	struct hyp_detect *d = build(rules, &rep, &info);
	uint64_t bits[1] = { 0 };
	char got[64];
	unsigned int i, bad = 0;

	if (d == NULL || hyp_detect_scratch_alloc(d, &s) != 0 ||
	    hyp_detect_flowbit_words(d) != 1) {
		tap(false, "flowbits: built, one word for five names", NULL);
		hyp_detect_free(d);
		hyp_rules_report_free(&rep);
		return;
	}
	for (i = 0; i < DIM(seq); i++) {
		fb_run(d, s, bits, seq[i].payload, got, sizeof(got));
		if (strcmp(got, seq[i].want) != 0) {
			printf("# packet %u '%s': got [%s], want [%s]\n", i, seq[i].payload, got,
			       seq[i].want);
			bad++;
		}
	}
	tap(bad == 0 && rep.skipped == 0, "flowbits over one flow: set, isset, isnotset, unset, "
	    "a|b, toggle, noalert, setters first within a packet", "%u wrong", bad);
	fb_run(d, s, NULL, "CMD", got, sizeof(got));
	tap(strcmp(got, "3") == 0, "no flow: isset fails, isnotset holds", "[%s]", got);
	hyp_detect_scratch_free(s);
	hyp_detect_free(d);
	hyp_rules_report_free(&rep);
}

/* a payload that makes naive retries explode: the budget ends it */
static void
test_budget(void)
{
	static char pl[4096];
	struct hyp_detect_scratch *s = NULL;
	struct hyp_rules_report rep;
	struct hyp_detect_info info;
	struct hyp_detect_stats st;
	struct hyp_detect *d;
	struct hyp_detect_pkt p;
	uint32_t out[1];
	unsigned int n;

	d = build("alert tcp any any -> any any (content:\"a\"; content:\"a\"; distance:0; "
		  "content:\"a\"; distance:0; content:\"a\"; distance:0; content:\"b\"; distance:0; "
		  "sid:1;)\n", &rep, &info);
	memset(pl, 'a', sizeof(pl));
	p = pkt(6, pl, sizeof(pl));
	if (d == NULL || hyp_detect_scratch_alloc(d, &s) != 0) {
		tap(false, "budget rule built", NULL);
		hyp_detect_free(d);
		hyp_rules_report_free(&rep);
		return;
	}
	n = hyp_detect_inspect(d, s, &p, out, 1);
	hyp_detect_scratch_stats(s, &st);
	tap(n == 0 && st.step_limit == 1, "4,096 'a' against a chain of four relative 'a' and a "
	    "'b': the step budget stops it, counted", "n %u step_limit %lu", n,
	    (unsigned long)st.step_limit);
	pl[sizeof(pl) - 1] = 'b';
	pl[3] = 'b';
	memcpy(pl, "aaaab", 5);
	n = hyp_detect_inspect(d, s, &p, out, 1);
	tap(n == 1, "and a match found within the budget still counts", "n %u", n);
	hyp_detect_scratch_free(s);
	hyp_detect_free(d);
	hyp_rules_report_free(&rep);
}

static int
rules_file(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 6 && strcmp(e->d_name + n - 6, ".rules") == 0;
}

/* the whole ET Open snapshot into the engine, and a few packets through it */
static void
test_et_open(const char *dir)
{
	struct hyp_detect_scratch *s = NULL;
	struct hyp_ruleset set = { NULL, 0 };
	struct hyp_rules_report rep;
	struct hyp_detect_info info;
	struct hyp_detect_stats st;
	struct hyp_detect *d = NULL;
	struct dirent **names;
	char path[512], err[256] = "";
	uint32_t out[16];
	int nf, i, ret = 0;

	memset(&rep, 0, sizeof(rep));
	nf = scandir(dir, &names, rules_file, alphasort);
	if (nf <= 0) {
		printf("ok %u - ET Open in the engine # SKIP %s is absent (../shared)\n", ++test_no,
		       dir);
		return;
	}
	for (i = 0; i < nf; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (ret == 0)
			ret = hyp_rules_load_file(path, &vars, &set, &rep);
		free(names[i]);
	}
	free(names);
	if (ret == 0)
		ret = hyp_detect_build(&set, &rep, &d, &info, err, sizeof(err));
	hyp_ruleset_free(&set);
	hyp_rules_report_sort(&rep);
	printf("# ET Open in the engine: %u rules, %u skipped, %u errors; %u without a fast "
	       "pattern; %u databases, %zu KiB; %u pcre (%u JIT); built in %.0f ms\n", info.rules,
	       rep.skipped, rep.errors, info.no_fast_pattern, info.databases,
	       info.db_bytes / 1024, info.pcre_jit, info.pcre_jit, info.build_ms);
	for (unsigned int k = 0; k < rep.n_error_opts; k++)
		printf("#   errors in %-30s %u\n", rep.error_opts[k].key, rep.error_opts[k].n);
	if (rep.first_error[0] != '\0')
		printf("#   first error: %s\n", rep.first_error);
	tap(ret == 0 && d != NULL && info.rules > 3000 && info.rules == rep.loaded &&
	    info.no_fast_pattern * 20 < info.rules,
	    "ET Open: thousands of rules in the engine, under 5% without a fast pattern",
	    "ret %d %s rules %u loaded %u nofp %u", ret, err, info.rules, rep.loaded,
	    info.no_fast_pattern);
	if (d != NULL && hyp_detect_scratch_alloc(d, &s) == 0) {
		/* ET's rule for this is 2100498 (GPL ATTACK_RESPONSE id check returned root) */
		static const char resp[] = "uid=0(root) gid=0(root) groups=0(root)";
		struct hyp_detect_pkt p = pkt(6, resp, sizeof(resp) - 1);
		unsigned int n, k;
		bool found = false;

		p.to_server = false;
		p.sport = 80;
		p.dport = 40000;
		n = hyp_detect_inspect(d, s, &p, out, 16);
		for (k = 0; k < n && k < 16; k++)
			found |= hyp_detect_rule(d, out[k])->sid == 2100498;
		hyp_detect_scratch_stats(s, &st);
		tap(found, "a root shell's answer hits ET's sid 2100498", "%u matches, %lu candidates",
		    n, (unsigned long)st.candidates);
		hyp_detect_scratch_free(s);
	}
	hyp_detect_free(d);
	hyp_rules_report_free(&rep);
}

/*
 * Stream windows: the bytes inspected before, then the new chunk. A match
 * must reach into the new bytes (else it was reported with its chunk), may
 * begin in the old ones, and absolute positions count from the stream.
 */
struct wcase {
	const char *opts;
	const char *old, *new_;	/* the window is old then new */
	uint64_t base;		/* the stream offset of old[0] */
	int want;
};

static void
test_window(void)
{
	static const struct wcase c[] = {
		{ "content:\"EVIL\";", "xxEV", "ILyy", 100, 1 },
		{ "content:\"EVIL\";", "EVILxx", "yy", 100, 0 },
		{ "content:\"EVIL\";", "EVILxx", "yEVIL", 100, 1 },
		{ "content:\"EVIL\";", "", "EVIL", 0, 1 },
		{ "content:\"AAAA\"; content:\"B\"; distance:0;", "AAAA..", "B", 100, 1 },
		{ "content:\"AAAA\"; content:\"B\"; distance:0;", "AAAA.B", "..", 100, 0 },
		{ "content:\"GET\"; depth:3;", "GET /", "x", 100, 0 },
		{ "content:\"GET\"; depth:3;", "GE", "T /", 0, 1 },
		{ "content:\"GET\"; startswith;", "", "GET /", 100, 0 },
		{ "content:\"GET\"; startswith;", "G", "ET /", 0, 1 },
		{ "content:\"X\"; offset:104;", "....", "X", 100, 1 },
		{ "content:\"X\"; offset:104;", "..", "X..", 100, 0 },
		{ "content:\"X\"; offset:98; depth:4;", "..", "X..", 100, 0 },
		{ "content:\"X\"; offset:98; depth:5;", "..", "X..", 100, 1 },
		{ "pcre:\"/^GET/\";", "GE", "T /", 100, 0 },
		{ "pcre:\"/^GET/\";", "GE", "T /", 0, 1 },
		{ "pcre:\"/^GET/m\";", "x\nGE", "T /", 100, 1 },
		{ "pcre:\"/EV.L/\";", "xxEV", "IL", 100, 1 },
		{ "pcre:\"/EV.L/\";", "EVIL", "..", 100, 0 },
		{ "content:\"A\"; isdataat:5,relative;", "A", "12345", 100, 1 },
		{ "content:\"A\"; isdataat:5,relative;", "A123456", "7", 100, 0 },
		{ "isdataat:104;", "....", "X", 100, 1 },
		{ "isdataat:104;", "..", "X", 100, 0 },
		{ "byte_test:1,=,0x41,104;", "....", "A", 100, 1 },
		{ "byte_test:1,=,0x41,104;", "....A", ".", 100, 0 },
		{ "flow:established;", "old", "new", 100, 1 },
		{ "content:!\"EVIL\";", "aa", "bb", 100, 1 },
		{ "content:!\"EVIL\";", "aEV", "ILb", 100, 0 },
	};
	char rule[512], buf[256];
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		size_t lo = strlen(c[i].old), ln = strlen(c[i].new_);
		struct hyp_detect_pkt p;
		int got;

		memcpy(buf, c[i].old, lo);
		memcpy(buf + lo, c[i].new_, ln);
		p = pkt(6, buf, lo + ln);
		p.stream = true;
		p.new_from = (uint32_t)lo;
		p.base = c[i].base;
		snprintf(rule, sizeof(rule), "alert tcp any any -> any any (%s sid:1;)", c[i].opts);
		got = one(rule, &p);
		tap(got == c[i].want, "stream window", "%s\non '%s'+'%s' at %lu: got %d, want %d",
		    c[i].opts, c[i].old, c[i].new_, (unsigned long)c[i].base, got, c[i].want);
	}
}

/* detection_filter: the caller's filter decides; flowbits act before it */
struct df_stub {
	unsigned int calls;
	uint32_t last_sid;
};

static bool
df_stub_count(void *arg, const struct hyp_rule *r)
{
	struct df_stub *k = arg;

	k->last_sid = r->sid;
	return ++k->calls > r->detection_filter.count;
}

static void
test_detection_filter(void)
{
	static const char rules[] =
		"drop tcp any any -> any any (content:\"LOGIN\"; flowbits:set,tried; "
		"detection_filter:track by_src, count 2, seconds 60; sid:10;)\n"
		"alert tcp any any -> any any (content:\"AGAIN\"; flowbits:isset,tried; sid:11;)\n"
		"alert tcp any any -> any any (content:\"PLAIN\"; sid:12;)\n";
	struct hyp_detect_scratch *s = NULL;
	struct hyp_rules_report rep;
	struct hyp_detect_info info;
	struct hyp_detect_stats st;
	struct hyp_detect *d = build(rules, &rep, &info);
	struct df_stub k = { 0, 0 };
	struct hyp_detect_pkt p;
	uint64_t bits[1] = { 0 };
	char got[16] = "";
	uint32_t out[4];
	unsigned int i, n;

	if (d == NULL || info.rules != 3 || hyp_detect_scratch_alloc(d, &s) != 0) {
		tap(false, "detection_filter: built", "%s", rep.first_error);
		hyp_detect_free(d);
		hyp_rules_report_free(&rep);
		return;
	}
	for (i = 0; i < 4; i++) {
		p = pkt(6, "user LOGIN x", 12);
		p.flowbits = bits;
		p.filter = df_stub_count;
		p.filter_arg = &k;
		n = hyp_detect_inspect(d, s, &p, out, 4);
		got[i] = n == 1 && hyp_detect_rule(d, out[0])->sid == 10 ? 'm' : n == 0 ? '-' : '?';
	}
	hyp_detect_scratch_stats(s, &st);
	tap(strcmp(got, "--mm") == 0 && k.calls == 4 && k.last_sid == 10 && st.filtered == 2,
	    "detection_filter: the rule matches from the count on, as its filter says",
	    "got %s, %u calls, %lu filtered", got, k.calls, (unsigned long)st.filtered);
	bits[0] = 0;
	k.calls = 0;
	p = pkt(6, "user LOGIN x", 12);
	p.flowbits = bits;
	p.filter = df_stub_count;
	p.filter_arg = &k;
	n = hyp_detect_inspect(d, s, &p, out, 4);
	p = pkt(6, "AGAIN", 5);
	p.flowbits = bits;
	n += 10 * hyp_detect_inspect(d, s, &p, out, 4);
	tap(n == 10, "detection_filter: a held-back match still sets its flowbits",
	    "%u (want 0 then 1 alert)", n);
	k.calls = 0;
	p = pkt(6, "PLAIN LOGIN", 11);
	p.filter = df_stub_count;
	p.filter_arg = &k;
	n = hyp_detect_inspect(d, s, &p, out, 4);
	tap(n == 1 && hyp_detect_rule(d, out[0])->sid == 12 && k.calls == 1,
	    "detection_filter: asked only for its rule's matches", "%u, %u calls", n, k.calls);
	p = pkt(6, "user LOGIN x", 12);
	n = hyp_detect_inspect(d, s, &p, out, 4);
	tap(n == 1, "detection_filter: without a filter every match counts", "%u", n);
	hyp_detect_scratch_free(s);
	hyp_detect_free(d);
	hyp_rules_report_free(&rep);
}

/* Suricata's three flowbit tiers: writers, then readers that write, then readers */
static void
test_flowbit_tiers(void)
{
	static const char rules[] =
		"alert tcp any any -> any any (flowbits:set,fb1; sid:1;)\n"
		"alert tcp any any -> any any (flowbits:isset,fb1; sid:2;)\n"
		"alert tcp any any -> any any (flowbits:unset,fb1; sid:3;)\n"
		"alert tcp any any -> any any (flowbits:isnotset,fb1; flowbits:set,fb1; "
		"flowbits:noalert; content:\"GET \"; sid:4;)\n"
		"alert tcp any any -> any any (flowbits:isnotset,fb1|fb9; sid:5;)\n";
	struct hyp_detect_scratch *s = NULL;
	struct hyp_rules_report rep;
	struct hyp_detect_info info;
	struct hyp_detect *d = build(rules, &rep, &info);
	struct hyp_detect_pkt p = pkt(6, "GET / HTTP/1.0\r\n", 16);
	uint64_t bits[1] = { 0 };
	char got[64] = "";
	uint32_t out[8];
	unsigned int n, i;

	if (d == NULL || hyp_detect_scratch_alloc(d, &s) != 0) {
		tap(false, "flowbit tiers: built", "%s", rep.first_error);
	} else {
		p.flowbits = bits;
		n = hyp_detect_inspect(d, s, &p, out, 8);
		for (i = 0; i < n && i < 8; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%u ",
				 hyp_detect_rule(d, out[i])->sid);
		/* 1 sets, 3 unsets, 4 (reads and writes) sets again; then 2 sees it, 5 (fb9 unset) too */
		tap(strcmp(got, "1 3 2 5 ") == 0,
		    "flowbit tiers: writers, then readers that write, then readers",
		    "alerts %s", got);
	}
	hyp_detect_scratch_free(s);
	hyp_detect_free(d);
	hyp_rules_report_free(&rep);
}

/* port groups: a rule without a fast pattern is a candidate only on its ports */
static void
test_port_groups(void)
{
	static const char rules[] =
		"alert tcp any any -> any 22 (flags:S; sid:1;)\n"
		"alert tcp any 22 -> any any (flags:SA; sid:2;)\n"
		"alert tcp any any -> any [21,23,1000:1003] (flags:S; sid:3;)\n"
		"alert tcp any any <> any 22 (flags:R; sid:4;)\n"
		"alert tcp any any -> any !22 (flags:F; sid:5;)\n"
		"alert tcp any any -> any 1000:1016 (flags:U; sid:6;)\n"
		"alert udp any any -> any 53 (dsize:>400; sid:7;)\n";
	static const struct {
		uint8_t proto;
		uint16_t sport, dport;
		uint8_t flags;
		unsigned int cand;	/* candidates: the grouped ones of its two ports, and 4, 5, 6 */
		int sid;		/* the rule that matches, 0: none */
	} c[] = {
		{ 6, 40000, 80, 0x02, 3, 0 },
		{ 6, 40000, 22, 0x02, 5, 1 },
		{ 6, 22, 40000, 0x12, 5, 2 },
		{ 6, 40000, 1002, 0x02, 4, 3 },
		{ 6, 40000, 23, 0x02, 4, 3 },
		{ 6, 22, 80, 0x04, 5, 4 },
		{ 6, 40000, 1016, 0x20, 3, 6 },
		{ 17, 40000, 53, 0, 1, 0 },
		{ 17, 40000, 54, 0, 0, 0 },
	};
	struct hyp_detect_scratch *s = NULL;
	struct hyp_rules_report rep;
	struct hyp_detect_info info;
	struct hyp_detect *d = build(rules, &rep, &info);
	unsigned int i;

	if (d == NULL || hyp_detect_scratch_alloc(d, &s) != 0) {
		tap(false, "port groups: built", "%s", rep.first_error);
		hyp_detect_free(d);
		hyp_rules_report_free(&rep);
		return;
	}
	tap(info.no_fast_pattern == 7 && info.port_groups == 8,
	    "port groups: 22 (twice), 21, 23, 1000..1003 for TCP, 53 for UDP",
	    "%u without fast pattern, %u groups", info.no_fast_pattern, info.port_groups);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct hyp_detect_pkt p = pkt(c[i].proto, "x", 1);
		struct hyp_detect_stats a, b;
		uint32_t out[8];
		unsigned int n;

		p.sport = c[i].sport;
		p.dport = c[i].dport;
		p.tcp_flags = c[i].flags;
		hyp_detect_scratch_stats(s, &a);
		n = hyp_detect_inspect(d, s, &p, out, 8);
		hyp_detect_scratch_stats(s, &b);
		tap(b.candidates - a.candidates == c[i].cand &&
		    (c[i].sid == 0 ? n == 0 : n == 1 && (int)hyp_detect_rule(d, out[0])->sid == c[i].sid),
		    "port groups: candidates on their ports only, and what matches",
		    "%u %u->%u flags %#x: %lu candidates (want %u), %u matches", c[i].proto,
		    c[i].sport, c[i].dport, c[i].flags,
		    (unsigned long)(b.candidates - a.candidates), c[i].cand, n);
	}
	hyp_detect_scratch_free(s);
	hyp_detect_free(d);
	hyp_rules_report_free(&rep);
}

/*
 * HTTP events: a rule with HTTP buffers is inspected at its message's
 * event over that message's buffers, never on packets; one of protocol
 * http without them only on flows the HTTP parser took.
 */
struct hcase {
	const char *rule;
	uint8_t ev;		/* enum hyp_app_ev; NONE: a packet */
	bool to_server;
	int want;
};

static void
test_http(void)
{
	static const char hdr_req[] = "Host: www.example.com\r\nUser-Agent: EVIL-bot/1.0\r\nX-Foo: bar\r\n";
	static const char hdr_rsp[] = "Server: nginx\r\nX-Foo: bar\r\n";
	static const struct hcase c[] = {
		{ "alert http any any -> any any (content:\"/admin\"; http_uri; sid:1;)",
		  HYP_HTTP_EV_REQUEST, true, 1 },
		{ "alert http any any -> any any (content:\"/admin\"; http_uri; sid:1;)",
		  HYP_HTTP_EV_RESPONSE, false, 0 },
		{ "alert http any any -> any any (content:\"/admin\"; http_uri; sid:1;)",
		  HYP_APP_EV_NONE, true, 0 },
		{ "alert tcp any any -> any any (content:\"GET\"; http_method; uricontent:\"/adm\"; "
		  "sid:1;)", HYP_HTTP_EV_REQUEST, true, 1 },
		{ "alert http any any -> any any (content:\"POST\"; http_method; sid:1;)",
		  HYP_HTTP_EV_REQUEST, true, 0 },
		{ "alert http any any -> any any (http.uri; content:\"/admin\"; content:\"php\"; "
		  "distance:0; within:10; sid:1;)", HYP_HTTP_EV_REQUEST, true, 1 },
		{ "alert http any any -> any any (http.uri; content:\"/admin\"; content:\"php\"; "
		  "distance:0; within:4; sid:1;)", HYP_HTTP_EV_REQUEST, true, 0 },
		{ "alert http any any -> any any (urilen:12; sid:1;)", HYP_HTTP_EV_REQUEST, true, 1 },
		{ "alert http any any -> any any (urilen:>12; sid:1;)", HYP_HTTP_EV_REQUEST, true, 0 },
		{ "alert http any any -> any any (urilen:19,raw; sid:1;)", HYP_HTTP_EV_REQUEST, true, 1 },
		{ "alert http any any -> any any (pcre:\"/^\\/admin\\/[a-z]+\\.php$/U\"; sid:1;)",
		  HYP_HTTP_EV_REQUEST, true, 1 },
		{ "alert http any any -> any any (content:\"evil-bot\"; nocase; http_user_agent; sid:1;)",
		  HYP_HTTP_EV_REQUEST, true, 1 },
		{ "alert http any any -> any any (content:\"/admin\"; http_uri; content:!\"EVIL\"; "
		  "http_user_agent; sid:1;)", HYP_HTTP_EV_REQUEST, true, 0 },
		{ "alert http any any -> any any (http.header; content:\"X-Foo|3a 20|bar|0d 0a|\"; "
		  "sid:1;)", HYP_HTTP_EV_REQUEST, true, 1 },
		/* a header rule without a direction: both messages */
		{ "alert http any any -> any any (http.header; content:\"X-Foo|3a 20|bar|0d 0a|\"; "
		  "sid:1;)", HYP_HTTP_EV_RESPONSE, false, 1 },
		{ "alert http any any -> any any (flow:to_client; http.header; content:\"Server|3a| "
		  "nginx\"; sid:1;)", HYP_HTTP_EV_RESPONSE, false, 1 },
		{ "alert http any any -> any any (flow:to_client; http.header; content:\"X-Foo\"; "
		  "sid:1;)", HYP_HTTP_EV_REQUEST, true, 0 },
		{ "alert http any any -> any any (http.stat_code; content:\"404\"; sid:1;)",
		  HYP_HTTP_EV_RESPONSE, false, 1 },
		{ "alert http any any -> any any (flow:to_client; file_data; content:\"MZ\"; sid:1;)",
		  HYP_HTTP_EV_RESPONSE_BODY, false, 1 },
		{ "alert http any any -> any any (flow:to_client; file_data; content:\"MZ\"; sid:1;)",
		  HYP_HTTP_EV_RESPONSE, false, 0 },
		{ "alert http any any -> any any (flow:to_server; file_data; content:\"user=\"; sid:1;)",
		  HYP_HTTP_EV_REQUEST_BODY, true, 1 },
		/* a body rule has the headers too, at the body's event only */
		{ "alert http any any -> any any (content:\"/admin\"; http_uri; content:\"user=\"; "
		  "http_client_body; sid:1;)", HYP_HTTP_EV_REQUEST_BODY, true, 1 },
		{ "alert http any any -> any any (content:\"/admin\"; http_uri; content:\"user=\"; "
		  "http_client_body; sid:1;)", HYP_HTTP_EV_REQUEST, true, 0 },
		/* payload options beside HTTP buffers: the window that made the event */
		{ "alert http any any -> any any (content:\"RAWBYTES\"; content:\"/admin\"; http_uri; "
		  "sid:1;)", HYP_HTTP_EV_REQUEST, true, 1 },
		{ "alert http any any -> any any (content:\"NOTTHERE\"; content:\"/admin\"; http_uri; "
		  "sid:1;)", HYP_HTTP_EV_REQUEST, true, 0 },
		/* protocol http without buffers: the stream of a flow the parser took */
		{ "alert http any any -> any any (content:\"RAWBYTES\"; sid:1;)", HYP_APP_EV_NONE, true,
		  1 },
	};
	struct hyp_buf_set req, rsp;
	unsigned int i;

	memset(&req, 0, sizeof(req));
	memset(&rsp, 0, sizeof(rsp));
#define SETB(set, b, str) ((set).p[b] = (const uint8_t *)(str), (set).len[b] = (uint32_t)strlen(str))
	SETB(req, HYP_BUF_HTTP_URI, "/admin/x.php");	/* 12 bytes */
	SETB(req, HYP_BUF_HTTP_URI_RAW, "/admin/./x.php?%41=");	/* 19 */
	SETB(req, HYP_BUF_HTTP_METHOD, "GET");
	SETB(req, HYP_BUF_HTTP_UA, "EVIL-bot/1.0");
	SETB(req, HYP_BUF_HTTP_HEADER, hdr_req);
	SETB(req, HYP_BUF_HTTP_REQUEST_BODY, "user=root&pass=x");
	SETB(rsp, HYP_BUF_HTTP_STAT_CODE, "404");
	SETB(rsp, HYP_BUF_HTTP_HEADER, hdr_rsp);
	SETB(rsp, HYP_BUF_HTTP_RESPONSE_BODY, "MZ\x90");
#undef SETB
	for (i = 0; i < DIM(c); i++) {
		static const char raw[] = "xx RAWBYTES yy";
		struct hyp_detect_pkt p = pkt(6, raw, sizeof(raw) - 1);
		bool rq = c[i].ev == HYP_HTTP_EV_REQUEST || c[i].ev == HYP_HTTP_EV_REQUEST_BODY;
		struct hyp_buf_set set = rq ? req : rsp;
		int got;

		/* a request's headers event has no body yet */
		if (c[i].ev == HYP_HTTP_EV_REQUEST)
			set.len[HYP_BUF_HTTP_REQUEST_BODY] = 0;
		if (c[i].ev == HYP_HTTP_EV_RESPONSE)
			set.len[HYP_BUF_HTTP_RESPONSE_BODY] = 0;
		p.to_server = c[i].to_server;
		p.stream = true;
		p.app_http = true;
		p.app_ev = c[i].ev;
		p.bufs = c[i].ev != HYP_APP_EV_NONE ? &set : NULL;
		got = one(c[i].rule, &p);
		tap(got == c[i].want, "HTTP: a rule at its message's event", "%s\nat event %u: got %d, "
		    "want %d", c[i].rule, c[i].ev, got, c[i].want);
	}
	{
		static const char raw[] = "xx RAWBYTES yy";
		struct hyp_detect_pkt p = pkt(6, raw, sizeof(raw) - 1);

		p.stream = true;
		tap(one("alert http any any -> any any (content:\"RAWBYTES\"; sid:1;)", &p) == 0,
		    "protocol http: not on a stream the HTTP parser did not take", NULL);
	}
}

/*
 * TLS events: a rule with TLS buffers at its message's event only (the
 * hello's to the server, the certificate's to the client); one of
 * protocol tls without them on the stream of a flow the TLS reader took.
 */
static void
test_tls(void)
{
	static const char subj[] = "C=US, O=Hyperion Test, CN=evil.test\0.example.com";
	static const struct hcase c[] = {
		{ "alert tls any any -> any any (tls.sni; content:\"www.example.test\"; sid:1;)",
		  HYP_TLS_EV_HELLO, true, 1 },
		{ "alert tls any any -> any any (tls.sni; content:\"www.example.test\"; sid:1;)",
		  HYP_TLS_EV_CERT, false, 0 },
		{ "alert tls any any -> any any (tls.sni; content:\"www.example.test\"; sid:1;)",
		  HYP_APP_EV_NONE, true, 0 },
		{ "alert tls any any -> any any (tls_sni; content:\"EXAMPLE\"; nocase; "
		  "isdataat:!1,relative; sid:1;)", HYP_TLS_EV_HELLO, true, 0 },
		{ "alert tls any any -> any any (tls_sni; content:\"EXAMPLE.test\"; nocase; "
		  "isdataat:!1,relative; sid:1;)", HYP_TLS_EV_HELLO, true, 1 },
		{ "alert tls any any -> any any (tls.sni; content:\".test\"; endswith; sid:1;)",
		  HYP_TLS_EV_HELLO, true, 1 },
		{ "alert tcp any any -> any any (tls.sni; pcre:\"/^www\\.[a-z]+\\.test$/\"; sid:1;)",
		  HYP_TLS_EV_HELLO, true, 1 },
		/* an HTTP event is not a TLS one, whatever its buffers */
		{ "alert tls any any -> any any (tls.sni; content:\"www.example.test\"; sid:1;)",
		  HYP_HTTP_EV_REQUEST, true, 0 },
		{ "alert tls any any -> any any (tls.cert_subject; content:\"CN=evil.test|00|\"; "
		  "sid:1;)", HYP_TLS_EV_CERT, false, 1 },
		{ "alert tls any any -> any any (tls.cert_issuer; content:\"Hyperion CA\"; "
		  "tls.cert_serial; content:\"01:23:45\"; startswith; sid:1;)", HYP_TLS_EV_CERT,
		  false, 1 },
		{ "alert tls any any -> any any (tls.cert_serial; content:\"23:45\"; startswith; "
		  "sid:1;)", HYP_TLS_EV_CERT, false, 0 },
		{ "alert tls any any -> any any (tls.cert_fingerprint; content:\"4e:1f\"; sid:1;)",
		  HYP_TLS_EV_CERT, false, 1 },
		{ "alert tls any any -> any any (flow:to_client; tls.cert_subject; content:\"evil\"; "
		  "sid:1;)", HYP_TLS_EV_CERT, false, 1 },
		{ "alert tls any any -> any any (tls.cert_subject; content:\"evil\"; sid:1;)",
		  HYP_TLS_EV_HELLO, true, 0 },
		/* protocol tls without buffers: the stream of a flow the reader took */
		{ "alert tls any any -> any any (content:\"RAWBYTES\"; sid:1;)", HYP_APP_EV_NONE, true,
		  1 },
		{ "alert http any any -> any any (content:\"RAWBYTES\"; sid:1;)", HYP_APP_EV_NONE,
		  true, 0 },
	};
	struct hyp_buf_set hello, cert;
	unsigned int i;

	memset(&hello, 0, sizeof(hello));
	memset(&cert, 0, sizeof(cert));
	hello.p[HYP_BUF_TLS_SNI] = (const uint8_t *)"www.example.test";
	hello.len[HYP_BUF_TLS_SNI] = 16;
	cert.p[HYP_BUF_TLS_CERT_SUBJECT] = (const uint8_t *)subj;
	cert.len[HYP_BUF_TLS_CERT_SUBJECT] = sizeof(subj) - 1;
	cert.p[HYP_BUF_TLS_CERT_ISSUER] = (const uint8_t *)"C=US, O=Hyperion CA, CN=CA";
	cert.len[HYP_BUF_TLS_CERT_ISSUER] = 26;
	cert.p[HYP_BUF_TLS_CERT_SERIAL] = (const uint8_t *)"01:23:45:67:89";
	cert.len[HYP_BUF_TLS_CERT_SERIAL] = 14;
	cert.p[HYP_BUF_TLS_CERT_FINGERPRINT] =
		(const uint8_t *)"4e:1f:00:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa";
	cert.len[HYP_BUF_TLS_CERT_FINGERPRINT] = 59;
	for (i = 0; i < DIM(c); i++) {
		static const char raw[] = "xx RAWBYTES yy";
		struct hyp_detect_pkt p = pkt(6, raw, sizeof(raw) - 1);
		struct hyp_buf_set set = c[i].ev == HYP_TLS_EV_CERT ? cert : hello;
		int got;

		p.to_server = c[i].to_server;
		p.stream = true;
		p.app_tls = true;
		p.app_ev = c[i].ev;
		p.bufs = c[i].ev != HYP_APP_EV_NONE ? &set : NULL;
		got = one(c[i].rule, &p);
		tap(got == c[i].want, "TLS: a rule at its message's event", "%s\nat event %u: got %d, "
		    "want %d", c[i].rule, c[i].ev, got, c[i].want);
	}
	{
		static const char raw[] = "xx RAWBYTES yy";
		struct hyp_detect_pkt p = pkt(6, raw, sizeof(raw) - 1);

		p.stream = true;
		tap(one("alert tls any any -> any any (content:\"RAWBYTES\"; sid:1;)", &p) == 0,
		    "protocol tls: not on a stream the TLS reader did not take", NULL);
	}
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (hyp_rule_vars_default(&vars) != 0) {
		printf("Bail out! vars\n");
		return 1;
	}
	v4(a_src, "198.18.0.1");
	v4(a_dst, "198.51.100.7");
	test_content();
	test_pcre_bytes();
	test_headers();
	test_build();
	test_flowbits();
	test_budget();
	test_window();
	test_detection_filter();
	test_flowbit_tiers();
	test_port_groups();
	test_http();
	test_tls();
	if (argc > 1)
		test_et_open(argv[1]);
	hyp_rule_vars_free(&vars);
	printf("1..%u\n", test_no);
	return failed;
}
