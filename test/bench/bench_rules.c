/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost per packet of the Suricata rules (lib/hyp_detect), side by side in
 * one run: the whole ET Open snapshot that loads (18,024 rules), 10 of its
 * rules, and the prefilter alone of the whole set (its Hyperscan scans, no
 * verification: the floor of a prefilter-and-verify design).
 *
 *   usage: bench_rules ET_OPEN_DIR [ROUNDS]
 *
 * Cases: a DNS query (UDP/53, one name), a 64-byte TCP payload, 512 and
 * 1,400 byte HTTP-like requests on TCP/80 (to the server, established),
 * none built to match a rule; and two stream windows (2,048 bytes
 * inspected before, then 1,400 new or 1 new: what a 1-byte segment costs
 * with the window, the attacker's cheapest way to make us work); and the
 * HTTP events of a request (its 512 bytes: line and headers, parsed by
 * lib/hyp_http) and of a response's 1,400-byte body: the cost per HTTP
 * message of the rules with HTTP buffers (most of ET Open); and the TLS
 * events of a ClientHello (its server name) and of a server certificate
 * (subject, issuer, serial, fingerprint as lib/hyp_tls renders them).
 * Rounds are interleaved (every case and set
 * in each round) and the median of each taken: this machine is shared, the
 * ratios are the result. TSC cycles. Not a test: nothing is asserted.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hyp_detect.h"
#include "hyp_http.h"

/* the buffers of the last message an event raised (they live in its direction) */
static struct hyp_buf_set last_set;

static void
keep_set(void *arg, enum hyp_app_ev ev, const struct hyp_buf_set *b, const struct hyp_http_meta *m)
{
	(void)arg;
	(void)ev;
	(void)m;
	last_set = *b;
}

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static int
rules_file(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 6 && strcmp(e->d_name + n - 6, ".rules") == 0;
}

static struct hyp_detect *
load(const char *dir, unsigned int keep, struct hyp_rule_vars *vars, struct hyp_detect_info *info)
{
	struct hyp_ruleset set = { NULL, 0 };
	struct hyp_rules_report rep;
	struct hyp_detect *d = NULL;
	struct dirent **names;
	char path[1024], err[256];
	int nf, i;

	memset(&rep, 0, sizeof(rep));
	nf = scandir(dir, &names, rules_file, alphasort);
	for (i = 0; i < nf; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (keep == 0 || set.n < keep)
			hyp_rules_load_file(path, vars, &set, &rep);
		free(names[i]);
	}
	free(names);
	while (keep > 0 && set.n > keep)
		hyp_rule_free(&set.rules[--set.n]);
	if (hyp_detect_build(&set, &rep, &d, info, err, sizeof(err)) != 0)
		fprintf(stderr, "bench_rules: %s\n", err);
	hyp_ruleset_free(&set);
	hyp_rules_report_free(&rep);
	return d;
}

#define NCASE 10

struct bcase {
	const char *name;
	struct hyp_detect_pkt p;
};

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static uint8_t src[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 5 };
	static uint8_t dst[16] = { [10] = 0xff, [11] = 0xff, 198, 51, 100, 7 };
	static char http[4096 + 1];
	static const uint8_t tcp64[64] = "just some bytes of an ordinary conversation, nothing to see";
	static const uint8_t dnsq[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
				      "\x03www\x07example\x03org\x00\x00\x01\x00\x01";
	struct hyp_detect_info ifull, ismall;
	struct hyp_detect_scratch *sf = NULL, *ss = NULL;
	struct hyp_rule_vars vars = { NULL, 0 };
	struct hyp_detect *full, *small;
	struct bcase cases[NCASE];
	unsigned int rounds = argc > 2 ? (unsigned int)atoi(argv[2]) : 15, r, c, k, it;
	const unsigned int iters = 4000;
	uint64_t *t[NCASE][3], sink = 0;
	size_t o;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_rules ET_OPEN_DIR [ROUNDS]\n");
		return 2;
	}
	if (hyp_rule_vars_default(&vars) != 0)
		return 1;
	full = load(argv[1], 0, &vars, &ifull);
	small = load(argv[1], 10, &vars, &ismall);
	if (full == NULL || small == NULL || hyp_detect_scratch_alloc(full, &sf) != 0 ||
	    hyp_detect_scratch_alloc(small, &ss) != 0) {
		fprintf(stderr, "bench_rules: no rules from %s\n", argv[1]);
		return 1;
	}
	o = (size_t)snprintf(http, sizeof(http), "GET /assets/app/main.css?v=1042 HTTP/1.1\r\n"
			     "Host: intranet.example.org\r\nUser-Agent: Mozilla/5.0 (X11; Linux "
			     "x86_64; rv:115.0) Gecko/20100101 Firefox/115.0\r\nAccept: text/css,"
			     "*/*;q=0.1\r\nAccept-Language: en-US,en;q=0.5\r\nConnection: keep-alive"
			     "\r\nCookie: session=");
	for (; o < sizeof(http) - 1; o++)
		http[o] = (char)('a' + o % 26);
	for (c = 0; c < NCASE; c++) {
		memset(&cases[c].p, 0, sizeof(cases[c].p));
		cases[c].p.family = 4;
		cases[c].p.src = src;
		cases[c].p.dst = dst;
		cases[c].p.sport = 40000;
		cases[c].p.ttl = 64;
		cases[c].p.to_server = true;
		cases[c].p.established = true;
		cases[c].p.proto = 6;
		cases[c].p.dport = 80;
	}
	cases[0].name = "dns query";
	cases[0].p.proto = 17;
	cases[0].p.dport = 53;
	cases[0].p.dns = true;
	cases[0].p.payload = dnsq;
	cases[0].p.len = sizeof(dnsq) - 1;
	cases[0].p.queries[0] = "www.example.org";
	cases[0].p.n_queries = 1;
	cases[1].name = "tcp 64 B";
	cases[1].p.payload = tcp64;
	cases[1].p.len = sizeof(tcp64);
	cases[2].name = "http 512 B";
	cases[2].p.payload = (const uint8_t *)http;
	cases[2].p.len = 512;
	cases[3].name = "http 1400 B";
	cases[3].p.payload = (const uint8_t *)http;
	cases[3].p.len = 1400;
	cases[4].name = "win 2K+1400";
	cases[4].p.payload = (const uint8_t *)http;
	cases[4].p.len = 2048 + 1400;
	cases[5].name = "win 2K+1 B";
	cases[5].p.payload = (const uint8_t *)http;
	cases[5].p.len = 2048 + 1;
	for (c = 4; c < 6; c++) {
		cases[c].p.stream = true;
		cases[c].p.new_from = 2048;
		cases[c].p.base = 100000;
	}
	{
		/* the request and a response, through the HTTP parser, for their buffers */
		static struct hyp_buf_set req, rsp;
		static char resp[2048];
		const struct hyp_http_limits lim = { 100 * 1024, 100 * 1024 };
		struct hyp_http_stats hst = { 0 };
		struct hyp_http_dir *dq, *dr;
		int rl = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: "
				  "text/html\r\nContent-Length: 1400\r\n\r\n");
		char req512[513];

		memcpy(req512, http, 512);
		memcpy(req512 + 508, "\r\n\r\n", 4);
		for (o = 0; o < 1400; o++)
			resp[rl + o] = (char)("<p>lorem ipsum dolor sit amet</p>\n"[o % 35]);
		if (hyp_http_dir_new(false, &dq) != 0 || hyp_http_dir_new(true, &dr) != 0)
			return 1;
		hyp_http_feed(dq, dr, &lim, (const uint8_t *)req512, 512, keep_set, NULL, &hst);
		req = last_set;
		hyp_http_feed(dr, dq, &lim, (const uint8_t *)resp, (size_t)rl + 1400, keep_set, NULL, &hst);
		rsp = last_set;
		if (hst.requests != 1 || hst.responses != 1 || rsp.len[HYP_BUF_HTTP_RESPONSE_BODY] != 1400) {
			fprintf(stderr, "bench_rules: the HTTP messages did not parse\n");
			return 1;
		}
		cases[6].name = "http req evt";
		cases[6].p.payload = (const uint8_t *)req512;
		cases[6].p.len = 512;
		cases[6].p.app_ev = HYP_HTTP_EV_REQUEST;
		cases[6].p.bufs = &req;
		cases[7].name = "http body evt";
		cases[7].p.to_server = false;
		cases[7].p.sport = 80;
		cases[7].p.dport = 40000;
		cases[7].p.payload = (const uint8_t *)resp;
		cases[7].p.len = (uint32_t)rl + 1400;
		cases[7].p.app_ev = HYP_HTTP_EV_RESPONSE_BODY;
		cases[7].p.bufs = &rsp;
		for (c = 6; c < 8; c++) {
			cases[c].p.stream = true;
			cases[c].p.app_http = true;
		}
		/* dq and dr hold the buffers: they live as long as the run */
	}
	{
		static const char subj[] = "C=US, ST=California, L=San Francisco, O=Example Inc, "
					   "CN=www.example.org";
		static const char iss[] = "C=US, O=DigiCert Inc, CN=DigiCert TLS RSA SHA256 2020 CA1";
		static const char ser[] = "0F:BE:08:B0:85:4D:05:73:8A:B0:CC:E1:C9:AF:EB:C9";
		static const char fp[] = "df:81:df:a6:b6:1e:af:dd:4b:7c:fd:fb:9e:e2:cd:4b:5c:1a:8e:2a";
		static struct hyp_buf_set hello, cert;

		hello.p[HYP_BUF_TLS_SNI] = (const uint8_t *)"www.example.org";
		hello.len[HYP_BUF_TLS_SNI] = 15;
		cert.p[HYP_BUF_TLS_CERT_SUBJECT] = (const uint8_t *)subj;
		cert.len[HYP_BUF_TLS_CERT_SUBJECT] = sizeof(subj) - 1;
		cert.p[HYP_BUF_TLS_CERT_ISSUER] = (const uint8_t *)iss;
		cert.len[HYP_BUF_TLS_CERT_ISSUER] = sizeof(iss) - 1;
		cert.p[HYP_BUF_TLS_CERT_SERIAL] = (const uint8_t *)ser;
		cert.len[HYP_BUF_TLS_CERT_SERIAL] = sizeof(ser) - 1;
		cert.p[HYP_BUF_TLS_CERT_FINGERPRINT] = (const uint8_t *)fp;
		cert.len[HYP_BUF_TLS_CERT_FINGERPRINT] = sizeof(fp) - 1;
		cases[8].name = "tls sni evt";
		cases[8].p.dport = 443;
		cases[8].p.payload = tcp64;	/* the window: not what the rules read */
		cases[8].p.len = sizeof(tcp64);
		cases[8].p.app_ev = HYP_TLS_EV_HELLO;
		cases[8].p.bufs = &hello;
		cases[9].name = "tls cert evt";
		cases[9].p.to_server = false;
		cases[9].p.sport = 443;
		cases[9].p.dport = 40000;
		cases[9].p.payload = tcp64;
		cases[9].p.len = sizeof(tcp64);
		cases[9].p.app_ev = HYP_TLS_EV_CERT;
		cases[9].p.bufs = &cert;
		for (c = 8; c < NCASE; c++) {
			cases[c].p.stream = true;
			cases[c].p.app_tls = true;
		}
	}
	for (c = 0; c < NCASE; c++) {
		cases[c].p.dsize = cases[c].p.len;
		for (k = 0; k < 3; k++)
			t[c][k] = calloc(rounds, sizeof(uint64_t));
	}
	printf("# ET Open in the engine: %u rules (%u without a fast pattern), %u databases, %zu KiB, "
	       "built in %.0f ms; 10 rules: built in %.1f ms\n", ifull.rules, ifull.no_fast_pattern,
	       ifull.databases, ifull.db_bytes / 1024, ifull.build_ms, ismall.build_ms);
	for (r = 0; r < rounds; r++)
		for (c = 0; c < NCASE; c++)
			for (k = 0; k < 3; k++) {
				unsigned int kk = (k + r) % 3;	/* the order rotates */
				uint64_t t0 = rdtsc();
				uint32_t out[16];

				for (it = 0; it < iters; it++) {
					if (kk == 0)
						sink += hyp_detect_inspect(full, sf, &cases[c].p, out, 16);
					else if (kk == 1)
						sink += hyp_detect_inspect(small, ss, &cases[c].p, out, 16);
					else
						sink += hyp_detect_prefilter(full, sf, &cases[c].p);
				}
				t[c][kk][r] = (rdtsc() - t0) / iters;
			}
	printf("%-12s %14s %14s %14s %10s %10s %12s\n", "case", "ET Open cyc", "10 rules cyc",
	       "prefilter cyc", "ET/floor", "ET/10", "candidates");
	for (c = 0; c < NCASE; c++) {
		struct hyp_detect_stats st0, st1;
		uint64_t med[3];
		uint32_t out[16];

		for (k = 0; k < 3; k++) {
			qsort(t[c][k], rounds, sizeof(uint64_t), cmp_u64);
			med[k] = t[c][k][rounds / 2];
		}
		hyp_detect_scratch_stats(sf, &st0);
		hyp_detect_inspect(full, sf, &cases[c].p, out, 16);
		hyp_detect_scratch_stats(sf, &st1);
		printf("%-12s %14lu %14lu %14lu %10.2f %10.2f %12lu\n", cases[c].name,
		       (unsigned long)med[0], (unsigned long)med[1], (unsigned long)med[2],
		       med[2] ? (double)med[0] / med[2] : 0, med[1] ? (double)med[0] / med[1] : 0,
		       (unsigned long)(st1.candidates - st0.candidates));
	}
	printf("# %u rounds of %u packets a case and set, medians; sink %lu\n", rounds, iters,
	       (unsigned long)(sink & 1));
	hyp_detect_scratch_free(sf);
	hyp_detect_scratch_free(ss);
	hyp_detect_free(full);
	hyp_detect_free(small);
	hyp_rule_vars_free(&vars);
	return 0;
}
