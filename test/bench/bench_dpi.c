/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of the slow path's inspection per packet, for an engine of 10 rules
 * and one of 1,000, side by side in one run. Each engine's policy is
 * generated in memory and goes through hyp_policy_parse() and
 * hyp_engine_build() like a policy file would:
 *
 *   payload_signatures  half the rules: literals of 8-24 bytes, any port
 *   payload_rules       the other half: regexes in four shapes with varied
 *                       words ("(?i)user-agent:\s*[a-z]{3,8}WORD\d{2,4}", ...),
 *                       scoped to TCP/80, UDP/9, TCP/8080, UDP/53, TCP/443
 *                       or any port
 *   dns_rules           10 or 1,000 distinct domains
 *
 * Cases, none of which matches a payload rule:
 *
 *   small     hyp_engine_inspect() on the 18-byte payload of a 64-byte UDP
 *             frame (60 bytes captured) to port 9, which has rules
 *   dns miss  a DNS query on UDP/53 for a name under no rule
 *   dns hit   a DNS query for a subdomain of a rule's domain
 *   1400 B    a 1,400-byte HTTP-like request on TCP/80, no match
 *   stream    the same payload fed to one TCP stream per engine
 *             (hyp_engine_stream_feed: Hyperscan stream mode), one
 *             segment after the other: what TCP reassembly costs per
 *             segment against inspecting each alone
 *   reassembled  the same segments through hyp_stream_segment() first (in
 *             order, as a worker does: sequence, retained bytes, delivery)
 *   worker    the worker's step on the 64-byte frame: hyp_flow_parse,
 *             hyp_flow5_from_meta, hyp_flow5_hash, hyp_flow_lookup_or_add
 *             (the flow exists; counters updated, TSC read once per 32
 *             packets as per burst) and hyp_engine_inspect
 *   flow only the same step without hyp_engine_inspect: the part that does
 *             not depend on the rules, and a check of the noise (its ratio
 *             should be 1.00)
 *
 * Cycles are TSC cycles (rte_rdtsc), ns from CLOCK_MONOTONIC. Rounds are
 * interleaved (every case, both engines, in each round, the engine order
 * alternating) and the median taken, because this machine is shared: the
 * ratios are the result. Not a test: it asserts nothing on time, and checks
 * only that every case gets the verdict it is described with.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include "hyp_engine.h"
#include "hyp_flow.h"
#include "hyp_policy.h"
#include "hyp_stream.h"
#include "test_eal.h"

#define MAX_ROUNDS 64
#define BURST 32		/* the worker reads the TSC once per burst */
#define BIG_LEN 1400
#define SMALL_DPORT 9
#define HTTP_DPORT 80

enum { E_10, E_1000, E_MAX };
static const unsigned int n_rules[E_MAX] = { 10, 1000 };

enum { C_SMALL, C_DNS_MISS, C_DNS_HIT, C_BIG, C_STREAM, C_REASM, C_WORKER, C_FLOW, C_MAX };
static const char *const cname[C_MAX] = {
	"1. UDP/9, 18-byte payload",
	"2. DNS query, no rule",
	"2. DNS query, rule matches",
	"3. TCP/80, 1,400 B HTTP, no match",
	"3. the same, as a TCP stream",
	"3. the same, reassembled, in order",
	"4. worker step, 64 B frame",
	"   flow stage alone (no DPI)",
};

struct bench_engine {
	struct hyp_engine *e;
	struct hyp_engine_scratch *s;
	double parse_ms, build_ms;
	char hit_name[128];		/* a subdomain of one dns rule */
	uint32_t hit_id;
	enum hyp_action hit_action;
};

/* a packet as the cases see it */
struct bench_pkt {
	uint8_t b[1600];
	size_t len;
	uint8_t proto;
	uint16_t dport;
};

static volatile uint64_t sink;	/* every verdict ends up here */

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* xorshift64*: the same policies on every run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static void
rand_word(char *w, unsigned int min, unsigned int max, const char *alpha)
{
	unsigned int n = min + rng() % (max - min + 1), na = strlen(alpha), i;

	for (i = 0; i < n; i++)
		w[i] = alpha[rng() % na];
	w[n] = '\0';
}

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
static const char alnum[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* The policy of n rules (half signatures, half regexes) and n dns rules. */
static char *
gen_policy(unsigned int n, struct bench_engine *b, size_t *len)
{
	static const struct { uint8_t proto; uint16_t port; } scope[] = {
		{ IPPROTO_TCP, 80 }, { IPPROTO_UDP, SMALL_DPORT }, { IPPROTO_TCP, 8080 },
		{ IPPROTO_UDP, 53 }, { IPPROTO_TCP, 443 }, { 0, 0 },
	};
	static const char *const tld[] = { "com", "net", "org", "io", "ru", "xyz", "info" };
	unsigned int n_sig = n / 2, n_re = n - n_sig, i, hit = n / 2;
	char w[32], *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		return NULL;
	rng_state = 0x9e3779b97f4a7c15ull ^ n;
	fprintf(f, "slow_path:\n  payload_signatures:\n");
	for (i = 0; i < n_sig; i++) {
		rand_word(w, 8, 24, alnum);
		fprintf(f, "    - match: '%s'\n      action: %s\n      id: %u\n", w,
			i % 2 ? "drop" : "alert", 1 + i);
	}
	fprintf(f, "  payload_rules:\n");
	for (i = 0; i < n_re; i++) {
		rand_word(w, 3, 8, lower);
		fprintf(f, "    - id: %u\n      msg: \"bench rule %u\"\n      regex: '", 100000 + i, i);
		switch (i % 4) {
		case 0:
			fprintf(f, "(?i)user-agent:\\s*[a-z]{3,8}%s\\d{2,4}", w);
			break;
		case 1:
			fprintf(f, "(?i)x-%s-token:\\s*[0-9a-f]{16,32}", w);
			break;
		case 2:
			fprintf(f, "(?i)(get|post)\\s+/%s/[a-z0-9_]{2,12}\\.php", w);
			break;
		default:
			fprintf(f, "(?i)cookie:\\s*%s=[a-z0-9]{8,16};", w);
			break;
		}
		fprintf(f, "'\n");
		if (scope[i % RTE_DIM(scope)].proto != 0)
			fprintf(f, "      protocol: %u\n      port: %u\n",
				scope[i % RTE_DIM(scope)].proto, scope[i % RTE_DIM(scope)].port);
		fprintf(f, "      action: %s\n", i % 3 ? "alert" : "drop");
	}
	fprintf(f, "  dns_rules:\n");
	for (i = 0; i < n; i++) {
		enum hyp_action a = i % 2 ? HYP_ACTION_DROP : HYP_ACTION_ALERT;
		const char *t = i == hit ? "com" : tld[i % RTE_DIM(tld)];

		/* the index keeps the domains distinct; the one the hit case
		 * queries has the same length in both engines */
		rand_word(w, i == hit ? 8 : 4, i == hit ? 8 : 12, lower);
		fprintf(f, "    - match: \"%s%04u.%s\"\n      action: %s\n      id: %u\n",
			w, i, t, hyp_action_name(a), 200000 + i);
		if (i == hit) {
			snprintf(b->hit_name, sizeof(b->hit_name), "cdn.%s%04u.%s", w, i, t);
			b->hit_id = 200000 + i;
			b->hit_action = a;
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int
make_engine(unsigned int n, struct bench_engine *b)
{
	struct hyp_policy_error perr;
	struct hyp_policy *p;
	char name[32], err[512];
	size_t len;
	char *yaml = gen_policy(n, b, &len);
	double t0, t1, t2;
	int ret;

	if (yaml == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "bench-%u-rules", n);
	t0 = now_ms();
	ret = hyp_policy_parse(yaml, len, name, &p, &perr);
	t1 = now_ms();
	free(yaml);
	if (ret < 0) {
		fprintf(stderr, "bench: policy refused: %s\n",
			hyp_policy_error_str(&perr, err, sizeof(err)));
		return ret;
	}
	ret = hyp_engine_build(p, 1, &b->e, err, sizeof(err));
	t2 = now_ms();
	if (ret < 0) {
		fprintf(stderr, "bench: engine build (%u rules): %s\n", n, err);
		return ret;
	}
	b->parse_ms = t1 - t0;
	b->build_ms = t2 - t1;
	ret = hyp_engine_scratch_alloc(b->e, &b->s);
	if (ret < 0)
		fprintf(stderr, "bench: scratch: %s\n", strerror(-ret));
	return ret;
}

/* A DNS query for name, built label by label. */
static void
dns_query(struct bench_pkt *p, const char *name)
{
	size_t o = 12, l;
	const char *s = name, *dot;

	memset(p->b, 0, 12);
	p->b[0] = 0x12; p->b[1] = 0x34;	/* id */
	p->b[2] = 0x01;			/* RD */
	p->b[5] = 1;			/* QDCOUNT */
	while (*s) {
		dot = strchr(s, '.');
		l = dot ? (size_t)(dot - s) : strlen(s);
		p->b[o++] = l;
		memcpy(p->b + o, s, l);
		o += l;
		s += l + (dot ? 1 : 0);
	}
	p->b[o++] = 0;
	p->b[o++] = 0; p->b[o++] = 1;	/* A */
	p->b[o++] = 0; p->b[o++] = 1;	/* IN */
	p->len = o;
	p->proto = IPPROTO_UDP;
	p->dport = HYP_DNS_PORT;
}

/* A request with the usual headers, then text, to exactly BIG_LEN bytes. */
static void
http_payload(struct bench_pkt *p)
{
	static const char head[] =
		"POST /api/v2/orders/checkout HTTP/1.1\r\n"
		"Host: shop.example.org\r\n"
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
		"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
		"Accept-Language: en-US,en;q=0.5\r\n"
		"Accept-Encoding: gzip, deflate, br\r\n"
		"Cookie: session=4f2a9c81d7e3b605; theme=dark; consent=yes\r\n"
		"X-Request-Id: 7d3c2b1a-9f8e-4d6c-b5a4-3e2f1a0b9c8d\r\n"
		"Content-Type: application/x-www-form-urlencoded\r\n"
		"Connection: keep-alive\r\n"
		"Content-Length: 812\r\n\r\n";
	static const char body[] =
		"customer_name=Jane+Doe&address=42+Harbour+Street%2C+Springfield"
		"&items=book%2Cpen%2Cnotebook&comment=please+leave+the+parcel+at+the"
		"+front+door+if+nobody+answers+the+bell&";
	size_t o = sizeof(head) - 1, n;

	memcpy(p->b, head, o);
	while (o < BIG_LEN) {
		n = RTE_MIN(sizeof(body) - 1, (size_t)BIG_LEN - o);
		memcpy(p->b + o, body, n);
		o += n;
	}
	p->len = BIG_LEN;
	p->proto = IPPROTO_TCP;
	p->dport = HTTP_DPORT;
}

/* Ethernet, IPv4 and UDP to port 9 with an 18-byte payload: 60 bytes
 * captured, 64 on the wire. */
static void
small_frame(struct bench_pkt *f)
{
	static const uint8_t payload[18] = {
		0x01, 0x00, 0x2a, 0x7f, 0x13, 0x88, 0xc4, 0x0e, 0x00, 0x00,
		0x05, 0xdc, 0x9b, 0x61, 0xfe, 0x02, 0x30, 0x11,
	};
	uint8_t *b = f->b;
	uint32_t sum = 0;
	int i;

	memset(b, 0, 60);
	memcpy(b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	b[12] = 0x08;				/* IPv4 */
	b[14] = 0x45;
	b[17] = 20 + 8 + sizeof(payload);	/* total length */
	b[22] = 64;				/* TTL */
	b[23] = IPPROTO_UDP;
	memcpy(b + 26, "\xc6\x33\x64\x0a\xc6\x12\x00\x02", 8);	/* 198.51.100.10 > 198.18.0.2 */
	for (i = 0; i < 20; i += 2)
		sum += b[14 + i] << 8 | b[15 + i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~((sum & 0xffff) + (sum >> 16)) & 0xffff;
	b[24] = sum >> 8;
	b[25] = sum & 0xff;
	b[34] = 40000 >> 8; b[35] = 40000 & 0xff;
	b[36] = 0; b[37] = SMALL_DPORT;
	b[39] = 8 + sizeof(payload);		/* UDP length; checksum 0 */
	memcpy(b + 42, payload, sizeof(payload));
	f->len = 60;
	f->proto = IPPROTO_UDP;
	f->dport = SMALL_DPORT;
}

struct bench_ctx {
	struct bench_engine eng[E_MAX];
	struct bench_pkt pkt[C_MAX];	/* C_WORKER and C_FLOW: the frame */
	struct bench_pkt dns_hit[E_MAX];	/* C_DNS_HIT: a name per engine */
	struct hyp_flow_table *flows;
};

static const struct bench_pkt *
case_pkt(const struct bench_ctx *c, int cs, int e)
{
	return cs == C_DNS_HIT ? &c->dns_hit[e] : &c->pkt[cs];
}

/* The worker's step on one frame, inspect or not; returns what it decided. */
static inline uint64_t
worker_step(const struct bench_ctx *c, const struct bench_engine *b,
	    const struct bench_pkt *f, uint64_t now, bool inspect)
{
	struct hyp_pkt_meta m;
	struct hyp_flow5 k;
	struct hyp_flow_entry *fe;
	struct hyp_verdict v;
	int dir;

	if (hyp_flow_parse(f->b, f->len, &m) < 0)
		return 1000;
	dir = hyp_flow5_from_meta(&m, &k);
	fe = hyp_flow_lookup_or_add(c->flows, &k, hyp_flow5_hash(&k), now);
	if (fe == NULL)
		return 1000;
	fe->packets[dir]++;
	fe->bytes[dir] += f->len;
	if (!inspect)
		return fe->verdict;
	hyp_engine_inspect(b->e, b->s, f->b + m.payload_off, m.payload_len,
			   m.proto, m.dport, &v);
	return v.action + v.rule_id;
}

struct reasm_feed {
	const struct bench_engine *b;
	struct hyp_engine_stream **st;
	struct hyp_verdict *v;
};

static void
reasm_deliver(void *arg, const uint8_t *data, uint32_t len)
{
	struct reasm_feed *f = arg;

	if (data != NULL)
		hyp_engine_stream_feed(f->b->e, f->b->s, f->st, data, len, IPPROTO_TCP, HTTP_DPORT,
				       NULL, NULL, f->v);
}

/* n packets of case cs on engine b: TSC cycles and ns in total. */
static void
run(const struct bench_ctx *c, int e, int cs, uint32_t n, uint64_t *cyc, uint64_t *ns)
{
	const struct bench_engine *b = &c->eng[e];
	const struct bench_pkt *p = case_pkt(c, cs, e);
	struct hyp_verdict v;
	struct timespec ta, tz;
	uint64_t acc = 0, t0, t1, now = 0;
	uint32_t i;

	clock_gettime(CLOCK_MONOTONIC, &ta);
	t0 = rte_rdtsc();
	if (cs == C_WORKER || cs == C_FLOW) {
		for (i = 0; i < n; i++) {
			if (i % BURST == 0)
				now = rte_rdtsc();
			acc += worker_step(c, b, p, now, cs == C_WORKER);
		}
	} else if (cs == C_REASM) {
		static struct hyp_stream_ctx *sc[E_MAX];
		static struct hyp_stream_dir *sd[E_MAX];
		static struct hyp_engine_stream *st[E_MAX];
		static uint32_t seq[E_MAX];
		struct reasm_feed f = { b, &st[e], &v };
		struct hyp_stream_conf conf = {
			.max_ooo_bytes = 65536, .max_ooo_segs = 64, .retain = 4096,
			.memcap = 1 << 26, .midstream = true,
		};
		uint32_t ev;

		if (sc[e] == NULL)
			sc[e] = hyp_stream_ctx_create(&conf);
		for (i = 0; i < n; i++) {
			hyp_engine_verdict_init(&v);
			hyp_stream_segment(sc[e], &sd[e], seq[e], 0x18, p->b, (uint32_t)p->len,
					   reasm_deliver, &f, &ev);
			seq[e] += (uint32_t)p->len;
			acc += v.action + v.rule_id;
		}
	} else if (cs == C_STREAM) {
		static struct hyp_engine_stream *st[E_MAX];

		for (i = 0; i < n; i++) {
			hyp_engine_verdict_init(&v);
			hyp_engine_stream_feed(b->e, b->s, &st[e], p->b, p->len, p->proto, p->dport,
					       NULL, NULL, &v);
			acc += v.action + v.rule_id;
		}
	} else {
		for (i = 0; i < n; i++) {
			hyp_engine_inspect(b->e, b->s, p->b, p->len, p->proto, p->dport, &v);
			acc += v.action + v.rule_id;
		}
	}
	t1 = rte_rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &tz);
	sink += acc;
	*cyc = t1 - t0;
	*ns = (uint64_t)(tz.tv_sec - ta.tv_sec) * 1000000000ull + tz.tv_nsec - ta.tv_nsec;
}

/* Each case gets the verdict it is described with, on each engine. */
static int
check_cases(const struct bench_ctx *c)
{
	struct hyp_verdict v;
	int e, cs;

	for (e = 0; e < E_MAX; e++) {
		const struct bench_engine *b = &c->eng[e];

		for (cs = 0; cs < C_WORKER; cs++) {
			const struct bench_pkt *p = case_pkt(c, cs, e);
			bool want_dns = p->dport == HYP_DNS_PORT;
			enum hyp_action wa = cs == C_DNS_HIT ? b->hit_action : HYP_ACTION_PASS;
			uint32_t wid = cs == C_DNS_HIT ? b->hit_id : 0;

			hyp_engine_inspect(b->e, b->s, p->b, p->len, p->proto, p->dport, &v);
			if (v.action != wa || v.rule_id != wid || v.dns_query != want_dns) {
				fprintf(stderr, "bench: %u rules, case '%s': %s by rule %u "
					"(dns %d), expected %s by %u: the case is not set up "
					"as described\n", n_rules[e], cname[cs],
					hyp_action_name(v.action), v.rule_id, v.dns_query,
					hyp_action_name(wa), wid);
				return -1;
			}
		}
		if (worker_step(c, b, &c->pkt[C_WORKER], rte_rdtsc(), true) != 0) {
			fprintf(stderr, "bench: %u rules: the worker step did not pass "
				"the frame\n", n_rules[e]);
			return -1;
		}
	}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
median(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static struct bench_ctx ctx;
static uint64_t cyc[C_MAX][E_MAX][MAX_ROUNDS], nsec[C_MAX][E_MAX][MAX_ROUNDS];

int
main(int argc, char **argv)
{
	uint32_t iters = 1000000;
	int rounds = 7, opt, r, cs, i, e, ret = 1;
	uint64_t dummy_c, dummy_n;

	while ((opt = getopt(argc, argv, "n:r:h")) != -1) {
		switch (opt) {
		case 'n': iters = strtoul(optarg, NULL, 0); break;
		case 'r': rounds = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-n packets per round] [-r rounds]\n",
				argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || iters == 0) {
		fprintf(stderr, "bench: rounds must be 1..%d and packets > 0\n", MAX_ROUNDS);
		return 2;
	}
	if (test_eal_init("bench_dpi") != 0)
		return 1;

	for (e = 0; e < E_MAX; e++)
		if (make_engine(n_rules[e], &ctx.eng[e]) < 0)
			goto out;
	small_frame(&ctx.pkt[C_WORKER]);
	ctx.pkt[C_FLOW] = ctx.pkt[C_WORKER];
	/* case 1 inspects the frame's own payload */
	memcpy(ctx.pkt[C_SMALL].b, ctx.pkt[C_WORKER].b + 42, 18);
	ctx.pkt[C_SMALL].len = 18;
	ctx.pkt[C_SMALL].proto = IPPROTO_UDP;
	ctx.pkt[C_SMALL].dport = SMALL_DPORT;
	/* as long as the names of the hit case, and under no rule */
	dns_query(&ctx.pkt[C_DNS_MISS], "cdn.notarule0042.com");
	for (e = 0; e < E_MAX; e++)	/* each engine has its own domains */
		dns_query(&ctx.dns_hit[e], ctx.eng[e].hit_name);
	http_payload(&ctx.pkt[C_BIG]);
	ctx.pkt[C_STREAM] = ctx.pkt[C_BIG];
	ctx.pkt[C_REASM] = ctx.pkt[C_BIG];
	ctx.flows = hyp_flow_table_create("bdpi_flows", 1024, SOCKET_ID_ANY);
	if (ctx.flows == NULL) {
		fprintf(stderr, "bench: flow table: %s\n", rte_strerror(rte_errno));
		goto out;
	}

	printf("slow-path inspection cost per packet (TSC %.3f GHz, %u packets x %d "
	       "rounds, median)\n\n", rte_get_tsc_hz() / 1e9, iters, rounds);
	printf("  %-12s %12s %12s\n", "engine", "parse (ms)", "build (ms)");
	for (e = 0; e < E_MAX; e++)
		printf("  %5u rules  %12.1f %12.1f\n", n_rules[e], ctx.eng[e].parse_ms,
		       ctx.eng[e].build_ms);
	printf("  (build: Hyperscan compile of the signatures and payload rules, "
	       "and the DNS set)\n");

	/* check, warm up, then the rounds */
	if (check_cases(&ctx) < 0)
		goto out;
	for (e = 0; e < E_MAX; e++)
		for (cs = 0; cs < C_MAX; cs++)
			run(&ctx, e, cs, iters / 10 + 1, &dummy_c, &dummy_n);
	for (r = 0; r < rounds; r++)
		for (cs = 0; cs < C_MAX; cs++)
			for (i = 0; i < E_MAX; i++) {
				e = r % 2 ? E_MAX - 1 - i : i;
				run(&ctx, e, cs, iters, &cyc[cs][e][r], &nsec[cs][e][r]);
			}

	printf("\n  %-35s %16s %16s %9s\n", "", "10 rules", "1,000 rules", "1000/10");
	printf("  %-35s %8s %7s %8s %7s %9s\n", "case", "cyc/pkt", "ns/pkt",
	       "cyc/pkt", "ns/pkt", "(cycles)");
	for (cs = 0; cs < C_MAX; cs++) {
		double c_pp[E_MAX], n_pp[E_MAX];

		for (e = 0; e < E_MAX; e++) {
			c_pp[e] = (double)median(cyc[cs][e], rounds) / iters;
			n_pp[e] = (double)median(nsec[cs][e], rounds) / iters;
		}
		printf("  %-35s %8.1f %7.1f %8.1f %7.1f %9.2f\n", cname[cs],
		       c_pp[E_10], n_pp[E_10], c_pp[E_1000], n_pp[E_1000],
		       c_pp[E_10] > 0 ? c_pp[E_1000] / c_pp[E_10] : 0.0);
	}
	printf("\n  memory of one open TCP stream: %zu B (10 rules), %zu B (1,000 rules)\n",
	       hyp_engine_stream_size(ctx.eng[E_10].e), hyp_engine_stream_size(ctx.eng[E_1000].e));
	printf("\n  rules: half literal signatures (8-24 B, any port), half regexes "
	       "scoped to ports;\n  as many dns_rules. No case matches a payload "
	       "rule; \"rule matches\" is a DNS rule.\n");
	ret = 0;
out:
	hyp_flow_table_free(ctx.flows);
	for (e = 0; e < E_MAX; e++) {
		hyp_engine_scratch_free(ctx.eng[e].s);
		hyp_engine_free(ctx.eng[e].e);
	}
	test_eal_cleanup();
	return ret;
}
