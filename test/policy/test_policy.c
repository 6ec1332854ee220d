/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy parser against good and bad files. Good files have every
 * parsed field checked; bad files must be refused with the exact line,
 * column and a distinctive part of the message, and must leave the output
 * pointer alone. TAP; argv[1] is the directory holding good/ and bad/.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "hyp_policy.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

static const char *fixtures;
static char reason[1024];

/* A pointer no allocator returns: a refused parse must not overwrite it. */
static struct hyp_policy *const sentinel = (struct hyp_policy *)(uintptr_t)0x5e17;

/* A check of a t_*() function: false makes it fail, saying which line. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		snprintf(reason, sizeof(reason), "line %d: %s", __LINE__, #cond); \
		return -1;						\
	}								\
} while (0)

static void
fixture(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", fixtures, rel);
}

static uint64_t
fnv1a64(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else if (buf != NULL) {
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/* Load a good file; on failure put the parser's complaint in reason. */
static struct hyp_policy *
load_good(const char *rel)
{
	struct hyp_policy_error err;
	struct hyp_policy *p = NULL;
	char path[1024], eb[600];
	int ret;

	fixture(path, sizeof(path), rel);
	ret = hyp_policy_load(path, &p, &err);
	if (ret < 0) {
		snprintf(reason, sizeof(reason), "%s: %s", strerror(-ret),
			 hyp_policy_error_str(&err, eb, sizeof(eb)));
		return NULL;
	}
	return p;
}

static bool
cidr_is(const struct hyp_cidr *c, const char *want)
{
	char buf[64];

	hyp_cidr_format(c, buf, sizeof(buf));
	return strcmp(buf, want) == 0;
}

static bool
is_default(const struct hyp_policy *p)
{
	return p->n_drop_ips == 0 && p->n_drop_dst_ips == 0 &&
		p->n_redirect_ports == 0 && p->n_rate_limits == 0 &&
		p->malformed_action == HYP_XDP_DROP && !p->redirect_all &&
		p->fragments == HYP_FRAG_INSPECT && p->dns_malformed == HYP_ACTION_ALERT &&
		p->n_dns_rules == 0 && p->n_signatures == 0 &&
		p->n_payload_rules == 0 && p->auto_block_hits == 0 &&
		p->auto_block_ttl_s == HYP_POLICY_AUTOBLOCK_TTL_DEFAULT && !p->auto_block_udp &&
		p->auto_block_tcp == HYP_AB_TCP_HANDSHAKE && p->n_auto_block_exempt == 0 &&
		p->auto_block_max_reports == HYP_AUTOBLOCK_REPORTS_DEFAULT &&
		p->redirect_budget_pps == 0 && p->n_pass_ethertypes == 5 &&
		p->pass_ethertypes[0] == 0 && p->pass_ethertypes[1] == 0x0806 &&
		p->fail_mode == HYP_FAIL_OPEN && p->watchdog_ms == 0;
}

/* ---- good files ---- */

static int
t_seed(const struct hyp_policy *p)
{
	char path[1024];
	size_t len = 0;
	char *buf;

	fixture(path, sizeof(path), "good/seed.yaml");
	buf = slurp(path, &len);
	CHECK(buf != NULL);
	CHECK(p->content_hash == fnv1a64(buf, len));
	free(buf);
	CHECK(strcmp(p->path, path) == 0);
	CHECK(p->n_drop_ips == 1);
	CHECK(p->drop_ips[0].family == AF_INET);
	CHECK(p->drop_ips[0].prefixlen == 32);
	CHECK(memcmp(p->drop_ips[0].addr, "\xc6\x33\x64\x2a", 4) == 0);
	CHECK(cidr_is(&p->drop_ips[0], "198.51.100.42/32"));
	CHECK(p->n_redirect_ports == 1);
	CHECK(p->redirect_ports[0].proto == IPPROTO_UDP);
	CHECK(p->redirect_ports[0].port == 53);
	CHECK(p->n_dns_rules == 1);
	CHECK(strcmp(p->dns_rules[0].match, "evil.com") == 0);
	CHECK(p->dns_rules[0].action == HYP_ACTION_DROP);
	CHECK(p->dns_rules[0].id == HYP_POLICY_AUTO_ID_BASE);
	CHECK(p->n_drop_dst_ips == 0 && p->n_rate_limits == 0);
	CHECK(p->n_signatures == 0 && p->n_payload_rules == 0);
	CHECK(p->malformed_action == HYP_XDP_DROP && !p->redirect_all);
	CHECK(p->auto_block_hits == 0 &&
	      p->auto_block_ttl_s == HYP_POLICY_AUTOBLOCK_TTL_DEFAULT);
	CHECK(p->fail_mode == HYP_FAIL_OPEN && p->watchdog_ms == 0);
	return 0;
}

static int
t_example(const struct hyp_policy *p)
{
	const struct hyp_policy_payload_rule *r;

	CHECK(p->n_drop_ips == 3);
	CHECK(cidr_is(&p->drop_ips[0], "192.0.2.0/24"));
	CHECK(cidr_is(&p->drop_ips[1], "198.51.100.42/32"));
	CHECK(p->drop_ips[2].family == AF_INET6);
	CHECK(cidr_is(&p->drop_ips[2], "2001:db8:bad::/48"));
	CHECK(p->n_drop_dst_ips == 2);
	CHECK(cidr_is(&p->drop_dst_ips[1], "2001:db8:0:dead::1/128"));
	CHECK(p->n_redirect_ports == 2);
	CHECK(p->redirect_ports[1].proto == IPPROTO_TCP);
	CHECK(p->redirect_ports[1].port == 80);
	CHECK(p->n_rate_limits == 3);
	CHECK(cidr_is(&p->rate_limits[0].cidr, "198.18.0.0/15"));
	CHECK(p->rate_limits[0].pps == 0 && p->rate_limits[0].burst == 0);
	CHECK(p->rate_limits[1].pps == 1000 && p->rate_limits[1].burst == 200);
	CHECK(p->rate_limits[2].cidr.family == AF_INET6);
	CHECK(p->malformed_action == HYP_XDP_DROP);
	CHECK(!p->redirect_all);
	CHECK(p->fragments == HYP_FRAG_INSPECT);

	CHECK(p->n_dns_rules == 3);
	CHECK(strcmp(p->dns_rules[0].match, "evil.com") == 0);
	CHECK(p->dns_rules[0].id == HYP_POLICY_AUTO_ID_BASE);
	CHECK(strcmp(p->dns_rules[1].match, "tracker.example.net") == 0);
	CHECK(p->dns_rules[1].action == HYP_ACTION_ALERT);
	CHECK(p->dns_rules[1].id == 100);
	CHECK(p->dns_rules[2].action == HYP_ACTION_PASS);
	CHECK(p->n_signatures == 3);
	CHECK(p->signatures[0].len == 5);
	CHECK(memcmp(p->signatures[0].bytes, "\x90\x90\x90\x90\xcc", 5) == 0);
	CHECK(p->signatures[0].id == 200);
	CHECK(p->signatures[1].action == HYP_ACTION_ALERT);
	CHECK(p->signatures[1].id == HYP_POLICY_AUTO_ID_BASE + 1);
	CHECK(p->signatures[2].len == 20);
	CHECK(memcmp(p->signatures[2].bytes, "User-Agent: sqlmap\r\n", 20) == 0);
	CHECK(p->signatures[2].action == HYP_ACTION_DROP);
	CHECK(p->n_payload_rules == 2);
	r = &p->payload_rules[0];
	CHECK(r->id == 300 && r->proto == IPPROTO_TCP && r->port == 80);
	CHECK(r->action == HYP_ACTION_DROP);
	CHECK(strcmp(r->msg, "shell command in an HTTP request") == 0);
	CHECK(strcmp(r->regex, "(?i)(;|\\|)\\s*(wget|curl)\\s+http") == 0);
	r = &p->payload_rules[1];
	CHECK(r->id == 301 && r->proto == IPPROTO_UDP && r->port == 53);
	CHECK(r->action == HYP_ACTION_ALERT);
	CHECK(p->auto_block_hits == 10 && p->auto_block_ttl_s == 600);
	CHECK(p->fail_mode == HYP_FAIL_OPEN && p->watchdog_ms == 500);
	return 0;
}

static int
t_ipv6(const struct hyp_policy *p)
{

	CHECK(p->n_drop_ips == 4);
	CHECK(p->drop_ips[0].family == AF_INET6);
	CHECK(p->drop_ips[0].prefixlen == 32);
	CHECK(memcmp(p->drop_ips[0].addr, "\x20\x01\x0d\xb8", 4) == 0);
	CHECK(cidr_is(&p->drop_ips[1], "2001:db8:1:2::dead/128"));
	CHECK(p->drop_ips[2].family == AF_INET6 && p->drop_ips[2].prefixlen == 0);
	CHECK(p->drop_ips[3].family == AF_INET);
	CHECK(p->n_drop_dst_ips == 2);
	CHECK(cidr_is(&p->drop_dst_ips[0], "2001:db8:ffff::/48"));
	CHECK(cidr_is(&p->drop_dst_ips[1], "198.51.100.0/31"));
	CHECK(p->n_rate_limits == 2);
	CHECK(cidr_is(&p->rate_limits[0].cidr, "2001:db8:42::/64"));
	/* burst defaults to one second's worth */
	CHECK(p->rate_limits[0].pps == 100 && p->rate_limits[0].burst == 100);
	CHECK(p->rate_limits[1].cidr.family == AF_INET6);
	CHECK(p->rate_limits[1].cidr.prefixlen == 111);
	CHECK(p->rate_limits[1].pps == 7 && p->rate_limits[1].burst == 3);
	return 0;
}

static int
t_modes(const struct hyp_policy *p)
{
	CHECK(p->fragments == HYP_FRAG_DROP);
	CHECK(p->dns_malformed == HYP_ACTION_DROP);
	CHECK(p->malformed_action == HYP_XDP_DROP && p->n_redirect_ports == 3);
	CHECK(p->redirect_ports[0].priority == 0 && p->redirect_ports[1].priority == 7 &&
	      p->redirect_ports[2].priority == 0);
	return 0;
}

static int
t_abuse(const struct hyp_policy *p)
{
	CHECK(p->n_rate_limits == 2);
	CHECK(p->rate_limits[0].scope == HYP_RL_SCOPE_PREFIX);
	CHECK(p->rate_limits[0].ipv6_mask == HYP_RL_IPV6_MASK_DEFAULT);
	CHECK(p->rate_limits[0].burst == 100);
	CHECK(p->rate_limits[1].scope == HYP_RL_SCOPE_ADDRESS);
	CHECK(p->rate_limits[1].ipv6_mask == 56 && p->rate_limits[1].burst == 5);
	CHECK(p->redirect_budget_pps == 200000 && p->redirect_budget_burst == 4096);
	CHECK(p->n_pass_ethertypes == 4);
	CHECK(p->pass_ethertypes[0] == 0x0806 && p->pass_ethertypes[1] == 0x88cc);
	CHECK(p->pass_ethertypes[2] == 0 && p->pass_ethertypes[3] == 0x88f7);
	CHECK(p->auto_block_hits == 5 && p->auto_block_ttl_s == 60);
	CHECK(p->auto_block_udp && p->auto_block_tcp == HYP_AB_TCP_STREAM);
	CHECK(p->auto_block_max_reports == 0);
	CHECK(p->n_auto_block_exempt == 2);
	CHECK(cidr_is(&p->auto_block_exempt[0], "198.18.0.1/32"));
	CHECK(cidr_is(&p->auto_block_exempt[1], "2001:db8:53::/48"));
	return 0;
}

static int
t_escapes(const struct hyp_policy *p)
{

	CHECK(p->n_signatures == 4);
	CHECK(p->signatures[0].len == 3);
	CHECK(memcmp(p->signatures[0].bytes, "\x00\xff\xab", 3) == 0);
	CHECK(p->signatures[1].len == 11);
	CHECK(memcmp(p->signatures[1].bytes, "a\\b\nc\rd\te\0f", 11) == 0);
	CHECK(p->signatures[2].len == strlen("plain text, no escapes"));
	CHECK(memcmp(p->signatures[2].bytes, "plain text, no escapes",
		     p->signatures[2].len) == 0);
	CHECK(p->signatures[2].action == HYP_ACTION_ALERT);
	/* YAML's own "\xe9" is the character U+00E9, two bytes of UTF-8 */
	CHECK(p->signatures[3].len == 2);
	CHECK(memcmp(p->signatures[3].bytes, "\xc3\xa9", 2) == 0);
	CHECK(p->signatures[3].action == HYP_ACTION_PASS);
	CHECK(p->signatures[0].id == HYP_POLICY_AUTO_ID_BASE);
	CHECK(p->signatures[3].id == HYP_POLICY_AUTO_ID_BASE + 3);
	return 0;
}

static int
t_ids(const struct hyp_policy *p)
{
	const struct hyp_policy_payload_rule *r;

	CHECK(p->n_dns_rules == 3 && p->n_signatures == 2);
	CHECK(p->n_payload_rules == 2);
	/* automatic ids count up in file order, skipping explicit ones */
	CHECK(p->dns_rules[0].id == HYP_POLICY_AUTO_ID_BASE);
	CHECK(p->dns_rules[1].id == 5);
	CHECK(strcmp(p->dns_rules[1].match, "b.example") == 0);
	CHECK(p->dns_rules[2].id == HYP_POLICY_AUTO_ID_BASE + 1);
	CHECK(p->signatures[0].id == 999999);
	CHECK(p->signatures[1].id == HYP_POLICY_AUTO_ID_BASE + 2);
	r = &p->payload_rules[0];
	CHECK(r->id == 1 && r->msg == NULL && strcmp(r->regex, "abc") == 0);
	CHECK(r->proto == 0 && r->port == 0 && r->action == HYP_ACTION_DROP);
	r = &p->payload_rules[1];
	CHECK(r->id == 2 && strcmp(r->msg, "two") == 0);
	CHECK(strcmp(r->regex, "x[0-9]+y") == 0);
	CHECK(r->proto == IPPROTO_UDP && r->port == 5353);
	CHECK(r->action == HYP_ACTION_ALERT);
	CHECK(strcmp(hyp_action_name(r->action), "alert") == 0);
	/* thresholds: absent is none; any key order; the bounds themselves */
	CHECK(p->dns_rules[0].threshold.type == HYP_THRESHOLD_NONE);
	CHECK(p->payload_rules[0].threshold.type == HYP_THRESHOLD_NONE);
	CHECK(p->dns_rules[2].threshold.type == HYP_THRESHOLD_LIMIT);
	CHECK(p->dns_rules[2].threshold.track == HYP_TRACK_BY_SRC);
	CHECK(p->dns_rules[2].threshold.count == 3 && p->dns_rules[2].threshold.seconds == 60);
	CHECK(p->signatures[1].threshold.type == HYP_THRESHOLD_THRESHOLD);
	CHECK(p->signatures[1].threshold.track == HYP_TRACK_BY_BOTH);
	CHECK(p->signatures[1].threshold.count == HYP_THRESHOLD_COUNT_MAX);
	CHECK(p->signatures[1].threshold.seconds == HYP_THRESHOLD_SECONDS_MAX);
	CHECK(r->threshold.type == HYP_THRESHOLD_BOTH && r->threshold.track == HYP_TRACK_BY_RULE);
	CHECK(r->threshold.count == 1 && r->threshold.seconds == 1);
	CHECK(strcmp(hyp_threshold_type_name(r->threshold.type), "both") == 0);
	CHECK(strcmp(hyp_threshold_track_name(HYP_TRACK_MAX), "?") == 0);
	return 0;
}

static int
t_empty(void)
{
	static const char *const files[] = {
		"good/empty.yaml", "good/comments.yaml", "good/null_sections.yaml",
	};
	struct hyp_policy *p = NULL;
	unsigned int i;

	for (i = 0; i < DIM(files); i++) {
		p = load_good(files[i]);
		CHECK(p != NULL);
		CHECK(is_default(p));
		if (i == 0)
			CHECK(p->content_hash == 0xcbf29ce484222325ULL);
		hyp_policy_free(p);
		p = NULL;
	}
	/* from memory: NULL with length 0 is the empty file too */
	CHECK(hyp_policy_parse(NULL, 0, NULL, &p, NULL) == 0);
	CHECK(is_default(p) && strcmp(p->path, "<memory>") == 0);
	hyp_policy_free(p);
	p = NULL;
	CHECK(hyp_policy_parse("---\n", 4, "doc", &p, NULL) == 0);
	CHECK(is_default(p));
	hyp_policy_free(p);
	return 0;
}

static int
t_load_errors(void)
{
	struct hyp_policy *p = sentinel;
	struct hyp_policy_error err;
	char path[1024], eb[600];

	fixture(path, sizeof(path), "good/does-not-exist.yaml");
	CHECK(hyp_policy_load(path, &p, &err) == -ENOENT);
	CHECK(p == sentinel && err.line == 0);
	CHECK(strcmp(err.file, path) == 0);
	fixture(path, sizeof(path), "good");
	CHECK(hyp_policy_load(path, &p, &err) == -EISDIR);
	CHECK(p == sentinel);
	CHECK(hyp_policy_parse("x", 1, "n", NULL, &err) == -EINVAL);
	CHECK(hyp_policy_parse(NULL, 1, "n", &p, &err) == -EINVAL);
	CHECK(p == sentinel);
	CHECK(hyp_policy_parse("fast_path: 1\n", 13, "mem.yaml", &p, &err) == -EINVAL);
	CHECK(strcmp(hyp_policy_error_str(&err, eb, sizeof(eb)),
		     "mem.yaml:1:12: fast_path: expected a mapping, got scalar '1'") == 0);
	return 0;
}

/* Every prefix of a valid file: parsed or refused with a place, never worse. */
static int
t_truncations(void)
{
	struct hyp_policy_error err;
	struct hyp_policy *p;
	char path[1024];
	size_t len = 0, i, refused = 0;
	char *buf;
	int ret;

	fixture(path, sizeof(path), "../../config/policy.example.yaml");
	buf = slurp(path, &len);
	CHECK(buf != NULL);
	for (i = 0; i <= len; i++) {
		p = sentinel;
		ret = hyp_policy_parse(buf, i, "cut", &p, &err);
		if (ret == 0 && p != sentinel && p != NULL) {
			hyp_policy_free(p);
			continue;
		}
		refused++;
		if (ret != -EINVAL || p != sentinel || err.line == 0) {
			snprintf(reason, sizeof(reason), "prefix %zu: ret %d line %u: %s",
				 i, ret, err.line, err.msg);
			free(buf);
			return -1;
		}
	}
	free(buf);
	CHECK(refused > 0);
	return 0;
}

/* ---- generated bad input ---- */

static int
expect_refused(const char *buf, size_t len, unsigned int line,
	       unsigned int col, const char *msg)
{
	struct hyp_policy *p = sentinel;
	struct hyp_policy_error err;
	char eb[600];
	int ret;

	ret = hyp_policy_parse(buf, len, "gen.yaml", &p, &err);
	hyp_policy_error_str(&err, eb, sizeof(eb));
	printf("# %s\n", eb);
	if (ret != -EINVAL || p != sentinel || err.line != line ||
	    err.column != col || strstr(err.msg, msg) == NULL) {
		snprintf(reason, sizeof(reason),
			 "want -EINVAL at %u:%u with '%s', got %d: %s",
			 line, col, msg, ret, eb);
		if (ret == 0 && p != sentinel)
			hyp_policy_free(p);
		return -1;
	}
	return 0;
}

static char *
repeat(const char *head, const char *unit, size_t n, size_t *len)
{
	size_t hl = strlen(head), ul = strlen(unit), i;
	char *b = malloc(hl + ul * n + 1);

	if (b == NULL)
		return NULL;
	memcpy(b, head, hl);
	for (i = 0; i < n; i++)
		memcpy(b + hl + i * ul, unit, ul);
	*len = hl + ul * n;
	b[*len] = '\0';
	return b;
}

static int
t_deep_nesting(void)
{
	size_t len;
	char *b;
	int ret;

	b = repeat("", "[", 10000, &len);
	CHECK(b != NULL);
	ret = expect_refused(b, len, 1, 1, "the policy must be a mapping");
	free(b);
	if (ret < 0)
		return ret;
	b = repeat("fast_path:\n  drop_ips: ", "[", 10000, &len);
	CHECK(b != NULL);
	ret = expect_refused(b, len, 2, 14,
			     "fast_path.drop_ips[0]: expected an address or CIDR, got a list");
	free(b);
	if (ret < 0)
		return ret;
	b = repeat("slow_path: ", "{dns_rules: ", 10000, &len);
	CHECK(b != NULL);
	ret = expect_refused(b, len, 1, 24,
			     "slow_path.dns_rules: expected a list, got a mapping");
	free(b);
	return ret;
}

/* As many prefixes as the XDP trie holds are fine; one more is refused at that one. */
static int
t_huge_list(void)
{
	const char *head = "fast_path:\n  drop_ips:\n";
	size_t n = HYP_BLOCK_MAX_ENTRIES + 1, i, o, cap, at_limit = 0;
	struct hyp_policy *p = NULL;
	char want[64];
	char *b;
	int ret;

	cap = strlen(head) + n * 24;
	b = malloc(cap);
	CHECK(b != NULL);
	o = (size_t)snprintf(b, cap, "%s", head);
	for (i = 0; i < n; i++) {
		if (i == HYP_BLOCK_MAX_ENTRIES)
			at_limit = o;
		o += (size_t)snprintf(b + o, cap - o, "  - 10.%zu.%zu.%zu\n",
				      (i >> 16) & 255, (i >> 8) & 255, i & 255);
	}
	snprintf(want, sizeof(want), "fast_path.drop_ips: more than %u entries",
		 HYP_BLOCK_MAX_ENTRIES);
	ret = expect_refused(b, o, 3 + HYP_BLOCK_MAX_ENTRIES, 5, want);
	if (ret == 0 && (hyp_policy_parse(b, at_limit, "limit", &p, NULL) != 0 ||
			 p->n_drop_ips != HYP_BLOCK_MAX_ENTRIES)) {
		snprintf(reason, sizeof(reason), "%u entries refused",
			 HYP_BLOCK_MAX_ENTRIES);
		ret = -1;
	}
	hyp_policy_free(p);
	free(b);
	return ret;
}

/* The abuse keys' lists: as many as the maps hold, one more refused at that one. */
static int
t_abuse_lists(void)
{
	size_t cap = 64 * 1100, o, i;
	char *b = malloc(cap);
	int ret;

	CHECK(b != NULL);
	o = (size_t)snprintf(b, cap, "fast_path:\n  pass_ethertypes:\n");
	for (i = 0; i <= HYP_ETHERTYPES_MAX_ENTRIES; i++)
		o += (size_t)snprintf(b + o, cap - o, "    - 0x%04zx\n", 0x0601 + i);
	ret = expect_refused(b, o, 3 + HYP_ETHERTYPES_MAX_ENTRIES, 7,
			     "fast_path.pass_ethertypes: more than 64 entries");
	if (ret == 0) {
		o = (size_t)snprintf(b, cap, "slow_path:\n  auto_block:\n    exempt:\n");
		for (i = 0; i <= HYP_AUTOBLOCK_EXEMPT_MAX; i++)
			o += (size_t)snprintf(b + o, cap - o, "      - 10.0.%zu.%zu\n", i >> 8,
					      i & 255);
		ret = expect_refused(b, o, 4 + HYP_AUTOBLOCK_EXEMPT_MAX, 9,
				     "slow_path.auto_block.exempt: more than 1024 entries");
	}
	free(b);
	return ret;
}

/* ---- bad files ---- */

struct bad_case {
	const char *file;
	unsigned int line;
	unsigned int col;
	const char *msg;	/* must appear in the message */
};

static const struct bad_case bad_cases[] = {
	{ "unknown_top_key.yaml", 3, 1,
	  "unknown top-level key 'fastpath' (known: fast_path, slow_path, runtime)" },
	{ "unknown_nested_key.yaml", 3, 3, "fast_path: unknown key 'drop_ip'" },
	{ "duplicate_key.yaml", 4, 3, "runtime: duplicate key 'fail_mode' (first at 2:3)" },
	{ "duplicate_section.yaml", 3, 1, "duplicate key 'fast_path' (first at 1:1)" },
	{ "list_is_map.yaml", 3, 5, "fast_path.drop_ips: expected a list, got a mapping" },
	{ "scalar_is_list.yaml", 2, 14, "fast_path.malformed: expected drop or pass, got a list" },
	{ "map_is_scalar.yaml", 1, 12, "slow_path: expected a mapping, got scalar 'dns_rules'" },
	{ "item_not_map.yaml", 2, 20,
	  "fast_path.redirect_ports[0]: expected a mapping, got scalar '53'" },
	{ "int_is_string.yaml", 4, 13,
	  "fast_path.redirect_ports[0].port: expected an integer 1..65535, "
	  "got a quoted string '53'" },
	{ "not_a_mapping.yaml", 1, 1, "the policy must be a mapping" },
	{ "bad_cidr.yaml", 7, 42,
	  "fast_path.drop_ips[2]: '10.0.0.300': not an IPv4 or IPv6 address" },
	{ "host_bits.yaml", 4, 7,
	  "fast_path.drop_ips[1]: '198.51.100.7/24': host bits set beyond /24 "
	  "(did you mean 198.51.100.0/24?)" },
	{ "prefix_too_long.yaml", 3, 7,
	  "fast_path.drop_dst_ips[0]: '2001:db8::/129': prefix length must be 0..128" },
	{ "prefix_too_long_v4.yaml", 3, 13,
	  "fast_path.rate_limits[0].cidr: '192.0.2.0/33': prefix length must be 0..32" },
	{ "prefix_not_number.yaml", 2, 14, "'192.0.2.0/+24': prefix length must be 0..32" },
	{ "burst_zero.yaml", 3, 7,
	  "fast_path.rate_limits[0]: burst 0 lets nothing through at 100 pps" },
	{ "port_zero.yaml", 3, 27,
	  "fast_path.redirect_ports[0].port: '0' is out of range 1..65535" },
	{ "port_70000.yaml", 4, 13, "'70000' is out of range 1..65535" },
	{ "priority_8.yaml", 3, 42,
	  "fast_path.redirect_ports[0].priority: '8' is out of range 0..7" },
	{ "priority_negative.yaml", 5, 17, "fast_path.redirect_ports[0].priority:" },
	{ "proto_1.yaml", 3, 17,
	  "fast_path.redirect_ports[0].protocol: protocol must be 6 (TCP) or 17 (UDP), got 1" },
	{ "proto_payload_rule.yaml", 5, 17, "protocol must be 6 (TCP) or 17 (UDP), got 132" },
	{ "bad_action.yaml", 4, 15,
	  "slow_path.dns_rules[0].action: 'block' is not an action (drop, alert, pass)" },
	{ "bad_malformed.yaml", 2, 14, "fast_path.malformed: 'reject' is not drop or pass" },
	{ "bad_fail_mode.yaml", 3, 14, "runtime.fail_mode: 'half-open' is not open or closed" },
	{ "bad_bool.yaml", 2, 17, "fast_path.redirect_all: 'yes' is not true or false" },
	{ "bad_dns_malformed.yaml", 2, 18,
	  "slow_path.dns_malformed: 'reject' is not an action (drop, alert, pass)" },
	{ "bad_fragments.yaml", 2, 14,
	  "fast_path.fragments: 'reassemble' is not inspect, drop or pass" },
	{ "regex_unclosed.yaml", 4, 14,
	  "slow_path.payload_rules[0].regex: regex '(a': Missing close parenthesis" },
	{ "regex_backref.yaml", 5, 14, "regex '(a)\\1': Back-references are unsupported" },
	{ "regex_empty_match.yaml", 3, 22, "regex 'a*' can match an empty payload" },
	{ "duplicate_id.yaml", 8, 11,
	  "slow_path.payload_rules[0].id: duplicate rule id 7 "
	  "(also used by slow_path.dns_rules[0])" },
	{ "reserved_id.yaml", 4, 11, "ids from 1000000 up are assigned automatically" },
	{ "dns_wildcard.yaml", 3, 14,
	  "a leading '*.' is not accepted; 'evil.com' already matches" },
	{ "dns_empty.yaml", 3, 14, "slow_path.dns_rules[0].match: empty domain name" },
	{ "dns_long_label.yaml", 3, 14, "is longer than 63 characters" },
	{ "dns_long_name.yaml", 3, 14, "is longer than 253 characters" },
	{ "dns_bad_char.yaml", 3, 14, "character '!' is not allowed in a domain name" },
	{ "dns_empty_label.yaml", 3, 14, "'evil..com' has an empty label" },
	{ "sig_bad_escape.yaml", 3, 14, "unknown escape '\\q' at offset 3" },
	{ "sig_short_hex.yaml", 3, 14, "\\x at offset 3 needs two hex digits" },
	{ "syntax_unclosed_bracket.yaml", 3, 3,
	  "invalid YAML: did not find expected ',' or ']' "
	  "(while parsing a flow sequence started at 2:13)" },
	{ "truncated.yaml", 8, 21,
	  "invalid YAML: found unexpected end of stream "
	  "(while scanning a quoted scalar started at 8:14)" },
	{ "invalid_utf8.yaml", 3, 17, "invalid YAML: invalid leading UTF-8 octet (#xFF)" },
	{ "nul_byte.yaml", 2, 16, "invalid YAML: control characters are not allowed (#x0)" },
	{ "utf16.yaml", 1, 1, "invalid YAML: invalid leading UTF-8 octet (#xFF)" },
	{ "negative.yaml", 2, 16, "runtime.watchdog_ms: '-5' is out of range 0..4294967295" },
	{ "float.yaml", 4, 12, "fast_path.rate_limits[0].pps: '1.5' is not an integer" },
	{ "leading_zero.yaml", 4, 13, "'080' has a leading zero" },
	{ "int_overflow.yaml", 2, 16, "is out of range 0..4294967295" },
	{ "prule_no_regex.yaml", 5, 7, "slow_path.payload_rules[1]: 'regex' is required" },
	{ "prule_no_id.yaml", 3, 7, "slow_path.payload_rules[0]: 'id' is required" },
	{ "ratelimit_no_cidr.yaml", 3, 7, "fast_path.rate_limits[0]: 'cidr' is required" },
	{ "ab_ttl_zero.yaml", 4, 12,
	  "slow_path.auto_block.ttl_s: ttl_s 0: an auto-block must expire (1..604800 s); "
	  "a permanent block is a fast_path.drop_ips entry" },
	{ "ab_ttl_big.yaml", 4, 12, "'604801' is out of range 1..604800" },
	{ "http_memcap_small.yaml", 3, 13, "'1048575' is out of range 1048576..2147483648" },
	{ "tls_memcap_small.yaml", 3, 13, "'65535' is out of range 65536..1073741824" },
	{ "tls_memcap_big.yaml", 3, 13, "'1073741825' is out of range 65536..1073741824" },
	{ "tls_unknown_key.yaml", 2, 26, "slow_path.tls: unknown key 'sni_limit'" },
	{ "ab_tcp_mode.yaml", 3, 10,
	  "slow_path.auto_block.tcp: 'both' is not handshake or stream" },
	{ "ab_exempt_host_bits.yaml", 3, 14,
	  "slow_path.auto_block.exempt[0]: '198.18.0.1/15': host bits set beyond /15" },
	{ "ab_udp_bool.yaml", 3, 10, "slow_path.auto_block.udp: 'maybe' is not true or false" },
	{ "ab_reports_big.yaml", 3, 31, "'1000001' is out of range 0..1000000" },
	{ "rl_scope.yaml", 5, 14,
	  "fast_path.rate_limits[0].scope: 'subnet' is not address or prefix" },
	{ "rl_ipv6_mask_zero.yaml", 5, 18,
	  "fast_path.rate_limits[0].ipv6_mask: '0' is out of range 1..128" },
	{ "rl_ipv6_mask_big.yaml", 5, 18, "'129' is out of range 1..128" },
	{ "ethertype_ip.yaml", 2, 26,
	  "fast_path.pass_ethertypes[1]: '0x0800' is IP or a VLAN tag" },
	{ "ethertype_name.yaml", 2, 26, "'ipx' is not an EtherType" },
	{ "ethertype_length.yaml", 2, 21, "'0x05dc' is an 802.3 length, not an EtherType" },
	{ "ethertype_hex.yaml", 2, 21, "'0x88g5' is not an EtherType: bad hex digit" },
	{ "budget_negative.yaml", 2, 24,
	  "fast_path.redirect_budget_pps: '-1' is out of range 0..4294967295" },
	{ "alias.yaml", 3, 17, "fast_path.drop_dst_ips: YAML aliases (*nets) are not supported" },
	{ "tag.yaml", 4, 13, "YAML tags ('tag:yaml.org,2002:str') are not supported" },
	{ "two_documents.yaml", 2, 1, "only one YAML document is allowed" },
	{ "th_type_none.yaml", 4, 25,
	  "slow_path.dns_rules[0].threshold.type: 'none' is not limit, threshold or both" },
	{ "th_type_bad.yaml", 4, 25,
	  "'limits' is not limit, threshold or both" },
	{ "th_type_detection.yaml", 4, 25,
	  "'detection_filter' is not limit, threshold or both" },
	{ "th_missing_seconds.yaml", 4, 18,
	  "slow_path.payload_signatures[0].threshold: 'seconds' is required" },
	{ "th_count_zero.yaml", 5, 53,
	  "slow_path.payload_rules[0].threshold.count: '0' is out of range 1..1000000" },
	{ "th_count_big.yaml", 5, 53,
	  "'1000001' is out of range 1..1000000" },
	{ "th_seconds_zero.yaml", 4, 66,
	  "slow_path.dns_rules[0].threshold.seconds: '0' is out of range 1..86400" },
	{ "th_not_map.yaml", 4, 18,
	  "slow_path.dns_rules[0].threshold: expected a mapping, got quoted string" },
	{ "th_unknown_key.yaml", 4, 70,
	  "unknown key 'new_action' (known: type, track, count, seconds)" },
	{ "th_track_bad.yaml", 4, 39,
	  "'by_flow' is not by_src, by_dst, by_rule or by_both" },
	{ "rf_absolute.yaml", 2, 16,
	  "slow_path.rule_files[0]: '/etc/suricata/rules/x.rules': rule files are relative to the policy's directory" },
	{ "rf_dotdot.yaml", 2, 16,
	  "'..' is not allowed" },
	{ "rv_bad_name.yaml", 2, 15,
	  "'HOME NET' is not a variable name" },
	{ "rv_dup.yaml", 2, 41,
	  "duplicate variable 'HOME_NET'" },
	{ "rv_list.yaml", 2, 14,
	  "slow_path.rule_vars: expected a mapping, got a list" },
};

static int
t_bad(const struct bad_case *bc)
{
	struct hyp_policy *p = sentinel;
	struct hyp_policy_error err;
	char path[1024], eb[600];
	int ret;

	snprintf(path, sizeof(path), "%s/bad/%s", fixtures, bc->file);
	ret = hyp_policy_load(path, &p, &err);
	hyp_policy_error_str(&err, eb, sizeof(eb));
	printf("# %s\n", eb);
	if (ret == 0 && p != sentinel)
		hyp_policy_free(p);
	if (ret != -EINVAL || p != sentinel || err.line != bc->line ||
	    err.column != bc->col || strstr(err.msg, bc->msg) == NULL ||
	    strcmp(err.file, path) != 0) {
		snprintf(reason, sizeof(reason),
			 "want -EINVAL at %u:%u with \"%s\", got %d (%s)",
			 bc->line, bc->col, bc->msg, ret, strerror(-ret));
		return -1;
	}
	return 0;
}

/* A good file and what it must parse to (check), or a case of its own (run). */
struct good_case {
	const char *name;
	const char *file;
	int (*check)(const struct hyp_policy *p);
	int (*run)(void);
};

/* Load the case's file, check what it parsed to, free it. */
static int
t_good(const struct good_case *gc)
{
	struct hyp_policy *p;
	int ret;

	if (gc->run != NULL)
		return gc->run();
	p = load_good(gc->file);
	if (p == NULL)
		return -1;
	ret = gc->check(p);
	hyp_policy_free(p);
	return ret;
}

static const struct good_case good_cases[] = {
	{ "seed policy verbatim", "good/seed.yaml", t_seed, NULL },
	{ "config/policy.example.yaml", "../../config/policy.example.yaml", t_example, NULL },
	{ "IPv6 prefixes", "good/ipv6.yaml", t_ipv6, NULL },
	{ "escapes in signatures", "good/escapes.yaml", t_escapes, NULL },
	{ "fragments: drop, dns_malformed: drop, shedding priorities", "good/modes.yaml", t_modes, NULL },
	{ "explicit and automatic ids", "good/ids.yaml", t_ids, NULL },
	{ "abuse keys: scope, ipv6_mask, budget, EtherTypes, auto_block", "good/abuse.yaml",
	  t_abuse, NULL },
	{ "empty, comments only and null sections give the defaults", NULL, NULL, t_empty },
	{ "load and argument errors", NULL, NULL, t_load_errors },
	{ "every prefix of the example parses or is refused cleanly", NULL, NULL, t_truncations },
	{ "10,000 nested brackets and braces", NULL, NULL, t_deep_nesting },
	{ "list beyond what the XDP trie holds", NULL, NULL, t_huge_list },
	{ "pass_ethertypes and auto_block.exempt past their bounds", NULL, NULL, t_abuse_lists },
};

static int n_test;
static int n_fail;

static void
report(const char *name, int ret)
{
	n_test++;
	if (ret == 0) {
		printf("ok %d - %s\n", n_test, name);
	} else {
		n_fail++;
		printf("not ok %d - %s\n# %s\n", n_test, name, reason);
	}
	reason[0] = '\0';
}

int
main(int argc, char **argv)
{
	char name[128];
	unsigned int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
		return 2;
	}
	fixtures = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("1..%zu\n", DIM(good_cases) + DIM(bad_cases));
	for (i = 0; i < DIM(good_cases); i++)
		report(good_cases[i].name, t_good(&good_cases[i]));
	for (i = 0; i < DIM(bad_cases); i++) {
		snprintf(name, sizeof(name), "refused: bad/%s", bad_cases[i].file);
		report(name, t_bad(&bad_cases[i]));
	}
	return n_fail == 0 ? 0 : 1;
}
