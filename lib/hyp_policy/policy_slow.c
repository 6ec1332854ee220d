/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy's slow_path section: DNS rules, payload signatures, payload
 * rules and auto-block, with their rule ids (unique across the section;
 * missing ones given from HYP_POLICY_AUTO_ID_BASE up).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <hs.h>
#include <yaml.h>

#include "hyp_hs.h"
#include "hyp_policy.h"
#include "policy_yaml.h"

#define HYP_ID_MAX		(HYP_POLICY_AUTO_ID_BASE - 1)
#define HYP_DNS_LABEL_MAX	63

static int
read_action(struct pctx *c, enum hyp_action *out)
{
	/* the words are the names EVE, telemetry and the console print */
	const char *const names[] = {
		[HYP_ACTION_PASS] = hyp_action_name(HYP_ACTION_PASS),
		[HYP_ACTION_ALERT] = hyp_action_name(HYP_ACTION_ALERT),
		[HYP_ACTION_DROP] = hyp_action_name(HYP_ACTION_DROP),
	};
	unsigned int v;
	int ret;

	ret = yw_enum(c, names, HYP_DIM(names), "an action (drop, alert, pass)", &v);
	if (ret == 0)
		*out = (enum hyp_action)v;
	return ret;
}

/* ---- rule ids ---- */

static bool
id_find(const struct hyp_policy *p, uint32_t id, char *where, size_t len)
{
	size_t i;

	for (i = 0; i < p->n_dns_rules; i++)
		if (p->dns_rules[i].id == id) {
			snprintf(where, len, "slow_path.dns_rules[%zu]", i);
			return true;
		}
	for (i = 0; i < p->n_signatures; i++)
		if (p->signatures[i].id == id) {
			snprintf(where, len, "slow_path.payload_signatures[%zu]", i);
			return true;
		}
	for (i = 0; i < p->n_payload_rules; i++)
		if (p->payload_rules[i].id == id) {
			snprintf(where, len, "slow_path.payload_rules[%zu]", i);
			return true;
		}
	snprintf(where, len, "another rule");
	return false;
}

/* An explicit id: in range, and unique across every slow-path list. */
static int
read_rule_id(struct pctx *c, uint32_t *out)
{
	char where[64];
	uint32_t id = 0;
	int ret;

	ret = pol_read_u32(c, 1, UINT32_MAX, &id);
	if (ret < 0)
		return ret;
	/* explicit and automatic ids cannot collide if they never overlap */
	if (id > HYP_ID_MAX)
		return yw_perr(c, &c->ev.start_mark,
				"id %" PRIu32 " is out of range 1..%u (ids from %u up "
				"are assigned automatically)", id, HYP_ID_MAX,
				HYP_POLICY_AUTO_ID_BASE);
	if (c->id_seen == NULL) {
		c->id_seen = calloc(HYP_POLICY_AUTO_ID_BASE / 8, 1);
		if (c->id_seen == NULL)
			return yw_nomem(c);
	}
	if (c->id_seen[id / 8] & (1u << (id % 8))) {
		id_find(c->p, id, where, sizeof(where));
		return yw_perr(c, &c->ev.start_mark,
				"duplicate rule id %" PRIu32 " (also used by %s)",
				id, where);
	}
	c->id_seen[id / 8] |= 1u << (id % 8);
	*out = id;
	return 0;
}

/* ---- slow_path ---- */

/* ASCII only: the locale must not decide what a DNS name may contain */
static bool
dns_char_ok(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/*
 * Normalise a DNS name as the matcher compares it: lower case, no trailing
 * dot. Matching is by suffix, so "evil.com" covers every subdomain and a
 * "*." prefix would only be a second spelling of the same rule.
 */
static int
read_dns_match(struct pctx *c, char **out)
{
	char sb[HYP_SHOW_BUF], lb[HYP_SHOW_BUF];
	const char *s, *label;
	size_t n, i, llen;
	char *d;
	int ret;

	ret = yw_string(c, "a domain name", &s, &n);
	if (ret < 0)
		return ret;
	yw_show(s, n, sb, sizeof(sb));
	if (n >= 2 && s[0] == '*' && s[1] == '.')
		return yw_perr(c, &c->ev.start_mark,
				"'%s': a leading '*.' is not accepted; '%s' already "
				"matches the name and all its subdomains", sb,
				yw_show(s + 2, n - 2, lb, sizeof(lb)));
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return yw_perr(c, &c->ev.start_mark, "empty domain name");
	if (n > HYP_DNS_NAME_MAX)
		return yw_perr(c, &c->ev.start_mark,
				"'%s' is longer than %d characters", sb,
				HYP_DNS_NAME_MAX);
	label = s;
	for (i = 0; i <= n; i++) {
		unsigned char ch = i < n ? (unsigned char)s[i] : '.';

		if (ch == '.') {
			llen = (size_t)(s + i - label);
			if (llen == 0)
				return yw_perr(c, &c->ev.start_mark,
						"'%s' has an empty label", sb);
			if (llen > HYP_DNS_LABEL_MAX)
				return yw_perr(c, &c->ev.start_mark,
						"'%s': label '%s' is longer than %d "
						"characters", sb,
						yw_show(label, llen, lb, sizeof(lb)),
						HYP_DNS_LABEL_MAX);
			label = s + i + 1;
		} else if (!dns_char_ok(ch)) {
			return yw_perr(c, &c->ev.start_mark,
					"'%s': character '%s' is not allowed in a "
					"domain name (letters, digits, '-', '_')",
					sb, yw_show(s + i, 1, lb, sizeof(lb)));
		}
	}
	d = malloc(n + 1);
	if (d == NULL)
		return yw_nomem(c);
	for (i = 0; i < n; i++)
		d[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	d[n] = '\0';
	*out = d;
	return 0;
}

/*
 * Signature bytes, with C-style escapes of our own: YAML's "\xff" is the
 * character U+00FF (two bytes in UTF-8), so binary literals are written
 * single-quoted, '\xff', and decoded here.
 */
static int
read_sig_match(struct pctx *c, uint8_t **out, size_t *outlen)
{
	char sb[HYP_SHOW_BUF], eb[8];
	const char *s;
	size_t n, i, o = 0;
	uint8_t *d;
	int ret, hi, lo;

	ret = yw_scalar(c, "a byte string", &s, &n);
	if (ret < 0)
		return ret;
	yw_show(s, n, sb, sizeof(sb));
	if (n == 0)
		return yw_perr(c, &c->ev.start_mark, "empty signature");
	d = malloc(n);
	if (d == NULL)
		return yw_nomem(c);
	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			d[o++] = (uint8_t)s[i];
			continue;
		}
		if (++i == n) {
			free(d);
			return yw_perr(c, &c->ev.start_mark,
					"'%s': lone '\\' at the end", sb);
		}
		switch (s[i]) {
		case '\\':
			d[o++] = '\\';
			break;
		case 'n':
			d[o++] = '\n';
			break;
		case 'r':
			d[o++] = '\r';
			break;
		case 't':
			d[o++] = '\t';
			break;
		case '0':
			d[o++] = '\0';
			break;
		case 'x':
			hi = i + 1 < n ? hyp_hex_digit(s[i + 1]) : -1;
			lo = i + 2 < n ? hyp_hex_digit(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				free(d);
				return yw_perr(c, &c->ev.start_mark,
						"'%s': \\x at offset %zu needs two hex "
						"digits", sb, i - 1);
			}
			d[o++] = (uint8_t)(hi << 4 | lo);
			i += 2;
			break;
		default:
			free(d);
			return yw_perr(c, &c->ev.start_mark,
					"'%s': unknown escape '\\%s' at offset %zu "
					"(known: \\xHH \\\\ \\n \\r \\t \\0)",
					sb, yw_show(s + i, 1, eb, sizeof(eb)), i - 1);
		}
	}
	*out = d;
	*outlen = o;
	return 0;
}

/*
 * Hyperscan's own parser decides: what it refuses here the DPI stage
 * could not compile. The flags are those lib/hyp_dpi compiles payload
 * rules with, so that both see the same pattern.
 */
static int
read_regex(struct pctx *c, char **out)
{
	char sb[HYP_SHOW_BUF];
	hs_compile_error_t *ce = NULL;
	hs_expr_info_t *info = NULL;
	const char *s;
	unsigned int minw;
	size_t n;
	int ret;

	ret = yw_string(c, "a regular expression", &s, &n);
	if (ret < 0)
		return ret;
	yw_show(s, n, sb, sizeof(sb));
	if (hs_expression_info(s, HYP_HS_REGEX_FLAGS, &info, &ce) != HS_SUCCESS) {
		ret = yw_perr(c, &c->ev.start_mark, "regex '%s': %s", sb,
			       ce != NULL && ce->message != NULL ? ce->message :
			       "refused by Hyperscan");
		if (ce != NULL)
			hs_free_compile_error(ce);
		return ret;
	}
	minw = info != NULL ? info->min_width : 1;
	/* hs_expression_info() allocates with the misc allocator: malloc here */
	free(info);
	/* would fire on every payload, and hs_compile() refuses it anyway */
	if (minw == 0)
		return yw_perr(c, &c->ev.start_mark,
				"regex '%s' can match an empty payload", sb);
	*out = strdup(s);
	if (*out == NULL)
		return yw_nomem(c);
	return 0;
}

/* ---- threshold: {type, track, count, seconds}, all four, as Suricata's ---- */

static const char *const th_keys[] = { "type", "track", "count", "seconds" };
enum { TH_TYPE, TH_TRACK, TH_COUNT, TH_SECONDS };

static int
th_field(struct pctx *c, unsigned int key, void *arg)
{
	struct hyp_threshold_spec *t = arg;
	unsigned int v;
	int ret;

	switch (key) {
	case TH_TYPE:
		/* "none" is no threshold: leave the key out instead */
		ret = yw_enum(c, hyp_threshold_type_names + 1, HYP_THRESHOLD_ALERT_TYPES - 1,
			      "limit, threshold or both", &v);
		if (ret == 0)
			t->type = (uint8_t)(v + 1);
		return ret;
	case TH_TRACK:
		ret = yw_enum(c, hyp_threshold_track_names, HYP_TRACK_MAX,
			      "by_src, by_dst, by_rule or by_both", &v);
		if (ret == 0)
			t->track = (uint8_t)v;
		return ret;
	case TH_COUNT:
		return pol_read_u32(c, 1, HYP_THRESHOLD_COUNT_MAX, &t->count);
	default:
		return pol_read_u32(c, 1, HYP_THRESHOLD_SECONDS_MAX, &t->seconds);
	}
}

static int
read_threshold(struct pctx *c, struct hyp_threshold_spec *t)
{
	return yw_item_mapping(c, th_keys, HYP_DIM(th_keys), th_field, t,
			       1u << TH_TYPE | 1u << TH_TRACK | 1u << TH_COUNT |
			       1u << TH_SECONDS);
}

/* dns_rules and payload_signatures share their keys. */
static const char *const match_keys[] = { "match", "action", "id", "threshold" };
enum { HYP_MK_MATCH, HYP_MK_ACTION, HYP_MK_ID, HYP_MK_THRESHOLD };

static int
dns_field(struct pctx *c, unsigned int key, void *arg)
{
	struct hyp_policy_dns_rule *r = arg;

	switch (key) {
	case HYP_MK_MATCH:
		return read_dns_match(c, &r->match);
	case HYP_MK_ACTION:
		return read_action(c, &r->action);
	case HYP_MK_THRESHOLD:
		return read_threshold(c, &r->threshold);
	default:
		return read_rule_id(c, &r->id);
	}
}

static int
sig_field(struct pctx *c, unsigned int key, void *arg)
{
	struct hyp_policy_signature *r = arg;

	switch (key) {
	case HYP_MK_MATCH:
		return read_sig_match(c, &r->bytes, &r->len);
	case HYP_MK_ACTION:
		return read_action(c, &r->action);
	case HYP_MK_THRESHOLD:
		return read_threshold(c, &r->threshold);
	default:
		return read_rule_id(c, &r->id);
	}
}

/* Rules without an id get the next one, in the order of the file. */
static void
auto_id(struct pctx *c, uint32_t *id)
{
	if (*id == 0)
		*id = c->next_auto_id++;
}

static int
dns_item(struct pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_policy_dns_rule *t;
	int ret;

	t = yw_append(p->dns_rules, p->n_dns_rules, sizeof(*t));
	if (t == NULL)
		return yw_nomem(c);
	p->dns_rules = t;
	p->n_dns_rules++;
	t[idx].action = HYP_ACTION_DROP;
	ret = yw_item_mapping(c, match_keys, HYP_DIM(match_keys),
			   dns_field, &t[idx], 1u << HYP_MK_MATCH);
	if (ret == 0)
		auto_id(c, &t[idx].id);
	return ret;
}

static int
sig_item(struct pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_policy_signature *t;
	int ret;

	t = yw_append(p->signatures, p->n_signatures, sizeof(*t));
	if (t == NULL)
		return yw_nomem(c);
	p->signatures = t;
	p->n_signatures++;
	t[idx].action = HYP_ACTION_DROP;
	ret = yw_item_mapping(c, match_keys, HYP_DIM(match_keys),
			   sig_field, &t[idx], 1u << HYP_MK_MATCH);
	if (ret == 0)
		auto_id(c, &t[idx].id);
	return ret;
}

static const char *const prule_keys[] = {
	"id", "msg", "regex", "protocol", "port", "action", "threshold",
};
enum {
	HYP_PR_ID, HYP_PR_MSG, HYP_PR_REGEX, HYP_PR_PROTOCOL, HYP_PR_PORT,
	HYP_PR_ACTION, HYP_PR_THRESHOLD,
};

static int
prule_field(struct pctx *c, unsigned int key, void *arg)
{
	struct hyp_policy_payload_rule *r = arg;
	const char *s;
	size_t n;
	int ret;

	switch (key) {
	case HYP_PR_ID:
		return read_rule_id(c, &r->id);
	case HYP_PR_MSG:
		ret = yw_string(c, "a message", &s, &n);
		if (ret < 0)
			return ret;
		r->msg = yw_strdup_n(s, n);
		return r->msg == NULL ? yw_nomem(c) : 0;
	case HYP_PR_REGEX:
		return read_regex(c, &r->regex);
	case HYP_PR_PROTOCOL:
		return pol_read_proto(c, &r->proto);
	case HYP_PR_PORT:
		return pol_read_port(c, &r->port);
	case HYP_PR_THRESHOLD:
		return read_threshold(c, &r->threshold);
	default:
		return read_action(c, &r->action);
	}
}

static int
prule_item(struct pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_policy_payload_rule *t;

	t = yw_append(p->payload_rules, p->n_payload_rules, sizeof(*t));
	if (t == NULL)
		return yw_nomem(c);
	p->payload_rules = t;
	p->n_payload_rules++;
	t[idx].action = HYP_ACTION_DROP;
	return yw_item_mapping(c, prule_keys, HYP_DIM(prule_keys),
			    prule_field, &t[idx],
			    1u << HYP_PR_ID | 1u << HYP_PR_REGEX);
}

static const char *const ab_keys[] = {
	"hits", "ttl_s", "udp", "tcp", "exempt", "max_reports_per_source_s",
};
enum { AB_HITS, AB_TTL, AB_UDP, AB_TCP, AB_EXEMPT, AB_MAX_REPORTS };

static int
exempt_item(struct pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_cidr *t;

	t = yw_append(p->auto_block_exempt, p->n_auto_block_exempt, sizeof(*t));
	if (t == NULL)
		return yw_nomem(c);
	p->auto_block_exempt = t;
	p->n_auto_block_exempt++;
	return pol_read_cidr(c, &t[idx]);
}

static int
ab_field(struct pctx *c, unsigned int key, void *arg)
{
	static const char *const tcp_modes[] = {
		[HYP_AB_TCP_HANDSHAKE] = "handshake",
		[HYP_AB_TCP_STREAM] = "stream",
	};
	struct hyp_policy *p = c->p;
	uint64_t v;
	unsigned int m;
	int ret;

	switch (key) {
	case AB_HITS:
		return pol_read_u32(c, 0, UINT32_MAX, &p->auto_block_hits);
	case AB_TTL:
		if (c->ev.type == YAML_SCALAR_EVENT && c->ev.data.scalar.length == 1 &&
		    c->ev.data.scalar.value[0] == '0')
			return yw_perr(c, &c->ev.start_mark, "ttl_s 0: an auto-block must expire "
					"(1..%u s); a permanent block is a fast_path.drop_ips entry",
					HYP_AUTOBLOCK_TTL_MAX_S);
		ret = yw_uint(c, 1, HYP_AUTOBLOCK_TTL_MAX_S, &v);
		if (ret == 0)
			p->auto_block_ttl_s = (uint32_t)v;
		return ret;
	case AB_UDP:
		return yw_bool(c, &p->auto_block_udp);
	case AB_TCP:
		ret = yw_enum(c, tcp_modes, HYP_DIM(tcp_modes), "handshake or stream", &m);
		if (ret == 0)
			p->auto_block_tcp = (uint8_t)m;
		return ret;
	case AB_EXEMPT:
		return yw_list(c, exempt_item, HYP_AUTOBLOCK_EXEMPT_MAX);
	default:
		return pol_read_u32(c, 0, 1000000, &p->auto_block_max_reports);
	}
}

/*
 * rule_files: paths relative to the policy's directory, without "..": a
 * policy taken from --reload-dir reaches no file outside it.
 */
static int
rule_file_item(struct pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	char sb[HYP_SHOW_BUF], **t;
	const char *s, *seg;
	size_t n;
	int ret;

	ret = yw_string(c, "a rule file path", &s, &n);
	if (ret < 0)
		return ret;
	yw_show(s, n, sb, sizeof(sb));
	if (n == 0 || n >= 1024 || memchr(s, '\0', n) != NULL)
		return yw_perr(c, &c->ev.start_mark, "'%s' is not a path of 1..1023 bytes", sb);
	if (s[0] == '/')
		return yw_perr(c, &c->ev.start_mark,
			       "'%s': rule files are relative to the policy's directory", sb);
	for (seg = s; seg < s + n;) {
		size_t l = strcspn(seg, "/");

		if (l == 2 && seg[0] == '.' && seg[1] == '.')
			return yw_perr(c, &c->ev.start_mark,
				       "'%s': '..' is not allowed (the files stay under the "
				       "policy's directory)", sb);
		seg += l + 1;
	}
	t = yw_append(p->rule_files, p->n_rule_files, sizeof(*t));
	if (t == NULL)
		return yw_nomem(c);
	p->rule_files = t;
	t[idx] = yw_strdup_n(s, n);
	if (t[idx] == NULL)
		return yw_nomem(c);
	p->n_rule_files++;
	return 0;
}

/* rule_vars: NAME: value, as Suricata's vars (the rule parser checks the values) */
static int
rule_var(struct pctx *c, const char *key, const yaml_mark_t *at)
{
	struct hyp_policy *p = c->p;
	struct hyp_policy_var *t;
	char sb[HYP_SHOW_BUF];
	const char *s;
	size_t i, n;
	int ret;

	n = strlen(key);
	for (i = 0; i < n; i++)
		if (!((key[i] >= 'A' && key[i] <= 'Z') || (key[i] >= 'a' && key[i] <= 'z') ||
		      (key[i] >= '0' && key[i] <= '9') || key[i] == '_'))
			break;
	if (n == 0 || n > 64 || i != n)
		return yw_perr(c, at, "'%s' is not a variable name (1..64 of [A-Za-z0-9_])",
			       yw_show(key, n, sb, sizeof(sb)));
	for (i = 0; i < p->n_rule_vars; i++)
		if (strcmp(p->rule_vars[i].name, key) == 0)
			return yw_perr(c, at, "duplicate variable '%s'", key);
	ret = yw_next(c);
	if (ret < 0)
		return ret;
	ret = yw_string(c, "an address or port list", &s, &n);
	if (ret < 0)
		return ret;
	if (n == 0 || n > 4000)
		return yw_perr(c, &c->ev.start_mark, "a value of 1..4000 characters");
	t = yw_append(p->rule_vars, p->n_rule_vars, sizeof(*t));
	if (t == NULL)
		return yw_nomem(c);
	p->rule_vars = t;
	t[p->n_rule_vars].name = strdup(key);
	t[p->n_rule_vars].value = yw_strdup_n(s, n);
	p->n_rule_vars++;
	if (t[p->n_rule_vars - 1].name == NULL || t[p->n_rule_vars - 1].value == NULL)
		return yw_nomem(c);
	return 0;
}

static const char *const http_keys[] = { "request_body_limit", "response_body_limit", "memcap" };

/* bytes of an HTTP body the rules see (after gzip), 0: none; or a worker's memcap */
static int
http_field(struct pctx *c, unsigned int key, void *arg)
{
	(void)arg;
	if (key == 2)
		return pol_read_u32(c, HYP_HTTP_MEMCAP_MIN, HYP_HTTP_MEMCAP_MAX,
				    &c->p->http_memcap);
	return pol_read_u32(c, 0, HYP_HTTP_BODY_LIMIT_MAX, key == 0 ? &c->p->http_request_body_limit :
						   &c->p->http_response_body_limit);
}

static const char *const tls_keys[] = { "memcap" };

/* bytes of handshake messages a worker holds at once: one whole message at least */
static int
tls_field(struct pctx *c, unsigned int key, void *arg)
{
	(void)key;
	(void)arg;
	return pol_read_u32(c, HYP_TLS_MSG_MAX, HYP_TLS_MEMCAP_MAX, &c->p->tls_memcap);
}

static const char *const slow_keys[] = {
	"dns_rules", "payload_signatures", "payload_rules", "auto_block", "dns_malformed",
	"rule_files", "rule_vars", "http", "tls",
};

static int
slow_field(struct pctx *c, unsigned int key, void *arg)
{
	switch (key) {
	case 0:
		return yw_list(c, dns_item, HYP_POLICY_MAX_RULES);
	case 1:
		return yw_list(c, sig_item, HYP_POLICY_MAX_RULES);
	case 2:
		return yw_list(c, prule_item, HYP_POLICY_MAX_RULES);
	case 4:
		return read_action(c, &c->p->dns_malformed);
	case 5:
		return yw_list(c, rule_file_item, HYP_POLICY_MAX_RULE_FILES);
	case 6:
		return yw_map_any(c, rule_var, HYP_POLICY_MAX_RULE_VARS);
	case 7:
		return yw_section(c, http_keys, HYP_DIM(http_keys), http_field, NULL);
	case 8:
		return yw_section(c, tls_keys, HYP_DIM(tls_keys), tls_field, NULL);
	default:
		return yw_section(c, ab_keys, HYP_DIM(ab_keys),
				   ab_field, NULL);
	}
}

int
pol_slow_section(struct pctx *c)
{
	return yw_section(c, slow_keys, HYP_DIM(slow_keys), slow_field, NULL);
}
