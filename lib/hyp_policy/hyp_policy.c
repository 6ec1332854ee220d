/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy file parser.
 *
 * libyaml's event API is walked by a recursive descent whose shape is the
 * schema's (root, section, list, rule, value): each function knows what
 * kind of node it wants and stops at the first node of another kind. Call
 * depth is therefore fixed by the schema, not by the input, and nothing is
 * ever skipped (unknown keys are errors), so hostile nesting ends at its
 * first node. The policy under construction is freed whole on any error.
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

/*
 * The schema nests collections four deep (root mapping, section mapping,
 * list, rule mapping). The descent refuses a fifth level by type already;
 * this limit is the backstop that keeps that true should a generic
 * "skip this node" ever be added.
 */
#define HYP_POLICY_MAX_DEPTH	5

/* Far beyond any real policy (200k rules in each list is ~20 MB of YAML). */
#define HYP_POLICY_MAX_FILE	(256u << 20)

#define HYP_PATH_MAX		128
#define HYP_SHOW_MAX		48	/* bytes of a bad value quoted back */
#define HYP_MAX_KEYS		8	/* keys of the widest mapping */
#define HYP_ID_MAX		(HYP_POLICY_AUTO_ID_BASE - 1)
#define HYP_DNS_LABEL_MAX	63
#define HYP_DIM(a)		(sizeof(a) / sizeof((a)[0]))

struct hyp_pctx {
	yaml_parser_t parser;
	yaml_event_t ev;	/* the current event, valid if have_ev */
	bool have_ev;
	unsigned int depth;	/* open mappings and sequences */
	const char *buf;
	size_t len;
	struct hyp_policy *p;
	struct hyp_policy_error *err;
	char path[HYP_PATH_MAX];	/* key path of the current node */
	size_t path_len;
	uint8_t *id_seen;	/* bitmap of explicit rule ids, on first use */
	uint32_t next_auto_id;
};

typedef int (*hyp_field_fn)(struct hyp_pctx *c, unsigned int key, void *arg);
typedef int (*hyp_item_fn)(struct hyp_pctx *c, size_t idx);

/* ---- errors ---- */

static void
hyp_verr(struct hyp_pctx *c, unsigned int line, unsigned int col,
	 bool with_path, const char *fmt, va_list ap)
{
	struct hyp_policy_error *e = c->err;
	int n = 0;

	e->line = line;
	e->column = col;
	if (with_path && c->path_len > 0)
		n = snprintf(e->msg, sizeof(e->msg), "%s: ", c->path);
	if (n < 0 || (size_t)n >= sizeof(e->msg))
		n = 0;
	vsnprintf(e->msg + n, sizeof(e->msg) - n, fmt, ap);
}

/* An error about a node: at its mark, prefixed with the current key path. */
static int __attribute__((format(printf, 3, 4)))
hyp_perr(struct hyp_pctx *c, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hyp_verr(c, m->line + 1, m->column + 1, true, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* An error at a place that is not a node (libyaml's own), without path. */
static int __attribute__((format(printf, 4, 5)))
hyp_perr_raw(struct hyp_pctx *c, unsigned int line, unsigned int col,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hyp_verr(c, line, col, false, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int
hyp_nomem(struct hyp_pctx *c)
{
	c->err->line = 0;
	c->err->column = 0;
	snprintf(c->err->msg, sizeof(c->err->msg), "out of memory");
	return -ENOMEM;
}

/*
 * A value quoted back in a message: bounded, and with control and
 * non-ASCII bytes escaped so that a hostile file cannot put terminal
 * escapes or broken UTF-8 into the caller's log.
 */
static const char *
hyp_show(const char *s, size_t n, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n && i < HYP_SHOW_MAX && o + 5 < len; i++) {
		unsigned char ch = s[i];

		if (ch >= 0x20 && ch < 0x7f)
			buf[o++] = ch;
		else
			o += snprintf(buf + o, len - o, "\\x%02x", ch);
	}
	if (i < n && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

#define HYP_SHOW_BUF	(HYP_SHOW_MAX * 4 + 8)

/*
 * libyaml's reader errors (bad UTF-8, control characters) carry a byte
 * offset, not a mark: count lines and characters the way libyaml's marks
 * do (breaks are LF, CR LF, CR, NEL, LS and PS; columns are characters).
 */
static void
hyp_offset_to_mark(const char *buf, size_t len, size_t off,
		   unsigned int *line, unsigned int *col)
{
	const unsigned char *b = (const unsigned char *)buf;
	unsigned int l = 1, cl = 1;
	size_t i;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (b[i] == '\n' || (b[i] == '\r' && (i + 1 >= len || b[i + 1] != '\n')) ||
		    (b[i] == 0xc2 && i + 1 < off && b[i + 1] == 0x85) ||
		    (b[i] == 0xe2 && i + 2 < off && b[i + 1] == 0x80 &&
		     (b[i + 2] == 0xa8 || b[i + 2] == 0xa9))) {
			l++;
			cl = 0;
		}
		/* continuation bytes belong to the character before them */
		if ((b[i] & 0xc0) != 0x80)
			cl++;
	}
	*line = l;
	*col = cl;
}

static int
hyp_yaml_error(struct hyp_pctx *c)
{
	yaml_parser_t *y = &c->parser;
	const char *problem = y->problem != NULL ? y->problem : "unknown error";
	unsigned int line, col;

	switch (y->error) {
	case YAML_MEMORY_ERROR:
		return hyp_nomem(c);
	case YAML_READER_ERROR:
		hyp_offset_to_mark(c->buf, c->len, y->problem_offset, &line, &col);
		if (y->problem_value != -1)
			return hyp_perr_raw(c, line, col, "invalid YAML: %s (#x%X)",
					    problem, (unsigned int)y->problem_value);
		return hyp_perr_raw(c, line, col, "invalid YAML: %s", problem);
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		if (y->context != NULL)
			return hyp_perr_raw(c, y->problem_mark.line + 1,
					    y->problem_mark.column + 1,
					    "invalid YAML: %s (%s started at %zu:%zu)",
					    problem, y->context,
					    y->context_mark.line + 1,
					    y->context_mark.column + 1);
		return hyp_perr_raw(c, y->problem_mark.line + 1,
				    y->problem_mark.column + 1,
				    "invalid YAML: %s", problem);
	default:
		return hyp_perr_raw(c, 0, 0, "invalid YAML: %s", problem);
	}
}

/* ---- events ---- */

static int
hyp_next(struct hyp_pctx *c)
{
	yaml_event_t *ev = &c->ev;
	const yaml_char_t *tag = NULL;
	char sb[HYP_SHOW_BUF];

	if (c->have_ev) {
		yaml_event_delete(ev);
		c->have_ev = false;
	}
	if (yaml_parser_parse(&c->parser, ev) == 0)
		return hyp_yaml_error(c);
	c->have_ev = true;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		/* aliases would let a small file expand into a huge policy */
		return hyp_perr(c, &ev->start_mark,
				"YAML aliases (*%s) are not supported",
				hyp_show((const char *)ev->data.alias.anchor,
					 strlen((const char *)ev->data.alias.anchor),
					 sb, sizeof(sb)));
	case YAML_SCALAR_EVENT:
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		tag = ev->data.sequence_start.tag;
		c->depth++;
		break;
	case YAML_MAPPING_START_EVENT:
		tag = ev->data.mapping_start.tag;
		c->depth++;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		c->depth--;
		break;
	default:
		break;
	}
	/* a tag could make "53" an integer or 53 a string: keep types plain */
	if (tag != NULL)
		return hyp_perr(c, &ev->start_mark,
				"YAML tags ('%s') are not supported",
				hyp_show((const char *)tag, strlen((const char *)tag),
					 sb, sizeof(sb)));
	if (c->depth > HYP_POLICY_MAX_DEPTH)
		return hyp_perr(c, &ev->start_mark,
				"nested deeper than any policy key allows");
	return 0;
}

static bool
hyp_is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->type != YAML_SCALAR_EVENT ||
	    ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return strcmp(v, "") == 0 || strcmp(v, "~") == 0 ||
		strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
		strcmp(v, "NULL") == 0;
}

/* What the current node is, for "expected X, got Y". */
static const char *
hyp_kind(struct hyp_pctx *c, char *buf, size_t len)
{
	const yaml_event_t *ev = &c->ev;
	char sb[HYP_SHOW_BUF];

	switch (ev->type) {
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_SCALAR_EVENT:
		if (hyp_is_null(ev))
			return "nothing";
		snprintf(buf, len, "%s '%s'",
			 ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ?
			 "scalar" : "quoted string",
			 hyp_show((const char *)ev->data.scalar.value,
				  ev->data.scalar.length, sb, sizeof(sb)));
		return buf;
	default:
		return "something else";
	}
}

#define HYP_KIND_BUF	(HYP_SHOW_BUF + 32)

/*
 * The current node must be a collection of this type. Returns 1 if it is,
 * 0 if it is null and null_ok (an empty section: "fast_path:" with all of
 * its keys commented out), an error otherwise.
 */
static int
hyp_expect(struct hyp_pctx *c, yaml_event_type_t type, bool null_ok)
{
	const char *want = type == YAML_MAPPING_START_EVENT ? "a mapping" : "a list";
	char kb[HYP_KIND_BUF];

	if (c->ev.type == type)
		return 1;
	if (null_ok && hyp_is_null(&c->ev))
		return 0;
	return hyp_perr(c, &c->ev.start_mark, "expected %s, got %s", want,
			hyp_kind(c, kb, sizeof(kb)));
}

static size_t
hyp_path_push(struct hyp_pctx *c, const char *fmt, ...)
{
	size_t old = c->path_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + old, sizeof(c->path) - old, fmt, ap);
	va_end(ap);
	/* keys come from the schema and indices are bounded: cannot overflow */
	if (n > 0)
		c->path_len = old + (size_t)n < sizeof(c->path) ?
			old + (size_t)n : sizeof(c->path) - 1;
	return old;
}

static void
hyp_path_pop(struct hyp_pctx *c, size_t old)
{
	c->path_len = old;
	c->path[old] = '\0';
}

/*
 * Walk a mapping whose MAPPING-START is the current event. fn gets each
 * value as the current event and must consume it whole. *seen gets one bit
 * per key present.
 */
static int
hyp_map(struct hyp_pctx *c, const char *const *keys, unsigned int nkeys,
	hyp_field_fn fn, void *arg, uint32_t *seen)
{
	yaml_mark_t first[HYP_MAX_KEYS];
	char sb[HYP_SHOW_BUF], kb[HYP_KIND_BUF], known[160];
	unsigned int k;
	size_t old, n;
	const char *s;
	int ret;

	*seen = 0;
	for (;;) {
		ret = hyp_next(c);
		if (ret < 0)
			return ret;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (c->ev.type != YAML_SCALAR_EVENT || hyp_is_null(&c->ev))
			return hyp_perr(c, &c->ev.start_mark,
					"keys must be strings, got %s",
					hyp_kind(c, kb, sizeof(kb)));
		s = (const char *)c->ev.data.scalar.value;
		n = c->ev.data.scalar.length;
		for (k = 0; k < nkeys; k++)
			if (strlen(keys[k]) == n && memcmp(keys[k], s, n) == 0)
				break;
		if (k == nkeys) {
			size_t o = 0;

			known[0] = '\0';
			for (k = 0; k < nkeys && o < sizeof(known); k++)
				o += snprintf(known + o, sizeof(known) - o, "%s%s",
					      k > 0 ? ", " : "", keys[k]);
			return hyp_perr(c, &c->ev.start_mark,
					"unknown %skey '%s' (known: %s)",
					c->path_len == 0 ? "top-level " : "",
					hyp_show(s, n, sb, sizeof(sb)), known);
		}
		if (*seen & (1u << k))
			return hyp_perr(c, &c->ev.start_mark,
					"duplicate key '%s' (first at %zu:%zu)",
					keys[k], first[k].line + 1,
					first[k].column + 1);
		*seen |= 1u << k;
		first[k] = c->ev.start_mark;
		old = hyp_path_push(c, "%s%s", c->path_len > 0 ? "." : "",
				    keys[k]);
		ret = hyp_next(c);
		if (ret == 0)
			ret = fn(c, k, arg);
		if (ret < 0)
			return ret;
		hyp_path_pop(c, old);
	}
}

/* A section: a mapping, or nothing at all. */
static int
hyp_section(struct hyp_pctx *c, const char *const *keys, unsigned int nkeys,
	    hyp_field_fn fn, void *arg)
{
	uint32_t seen;
	int ret;

	ret = hyp_expect(c, YAML_MAPPING_START_EVENT, true);
	if (ret <= 0)
		return ret;
	return hyp_map(c, keys, nkeys, fn, arg, &seen);
}

/*
 * Walk a list (or nothing): fn gets each item as the current event. max is
 * what the list's consumer holds (an XDP map's size, or the rule limit), so
 * a list that could not be applied is refused here, with its place.
 */
static int
hyp_list(struct hyp_pctx *c, hyp_item_fn fn, size_t max)
{
	size_t i, old;
	int ret;

	ret = hyp_expect(c, YAML_SEQUENCE_START_EVENT, true);
	if (ret <= 0)
		return ret;
	for (i = 0;; i++) {
		ret = hyp_next(c);
		if (ret < 0)
			return ret;
		if (c->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (i >= max)
			return hyp_perr(c, &c->ev.start_mark,
					"more than %zu entries", max);
		old = hyp_path_push(c, "[%zu]", i);
		ret = fn(c, i);
		if (ret < 0)
			return ret;
		hyp_path_pop(c, old);
	}
}

/*
 * Room for element n of an array whose capacity is implicit: the next
 * power of two >= n, at least 8. Returns the (maybe moved) array with
 * element n zeroed, or NULL with the old array still valid.
 */
static void *
hyp_append(void *arr, size_t n, size_t elsz)
{
	size_t cap;
	void *t = arr;

	if (arr == NULL || (n >= 8 && (n & (n - 1)) == 0)) {
		cap = n < 8 ? 8 : 2 * n;
		t = realloc(arr, cap * elsz);
		if (t == NULL)
			return NULL;
	}
	memset((char *)t + n * elsz, 0, elsz);
	return t;
}

/* ---- scalars ---- */

/* The current event as a scalar with a value; want names what was expected. */
static int
hyp_scalar(struct hyp_pctx *c, const char *want, const char **s, size_t *n)
{
	char kb[HYP_KIND_BUF];

	if (c->ev.type != YAML_SCALAR_EVENT)
		return hyp_perr(c, &c->ev.start_mark, "expected %s, got %s",
				want, hyp_kind(c, kb, sizeof(kb)));
	if (hyp_is_null(&c->ev))
		return hyp_perr(c, &c->ev.start_mark, "missing value (expected %s)",
				want);
	*s = (const char *)c->ev.data.scalar.value;
	*n = c->ev.data.scalar.length;
	return 0;
}

/* A scalar used as a C string: a NUL inside would cut it short silently. */
static int
hyp_string(struct hyp_pctx *c, const char *want, const char **s, size_t *n)
{
	int ret = hyp_scalar(c, want, s, n);

	if (ret < 0)
		return ret;
	if (strlen(*s) != *n)
		return hyp_perr(c, &c->ev.start_mark, "contains a NUL character");
	return 0;
}

static int
hyp_uint(struct hyp_pctx *c, uint64_t min, uint64_t max, uint64_t *out)
{
	char sb[HYP_SHOW_BUF], want[64];
	const char *s;
	uint64_t v = 0;
	bool neg;
	size_t n, i;
	int ret;

	snprintf(want, sizeof(want), "an integer %" PRIu64 "..%" PRIu64, min, max);
	ret = hyp_scalar(c, want, &s, &n);
	if (ret < 0)
		return ret;
	hyp_show(s, n, sb, sizeof(sb));
	if (c->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return hyp_perr(c, &c->ev.start_mark,
				"expected %s, got a quoted string '%s'", want, sb);
	neg = s[0] == '-';
	i = neg ? 1 : 0;
	if (i == n)
		return hyp_perr(c, &c->ev.start_mark, "'%s' is not an integer (expected %s)",
				sb, want);
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return hyp_perr(c, &c->ev.start_mark,
					"'%s' is not an integer (expected %s)", sb, want);
		if (v > (UINT64_MAX - 9) / 10)
			v = UINT64_MAX;	/* saturate: reported as out of range */
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	/* YAML 1.1 reads 010 as octal 8: refuse rather than guess */
	if (s[neg ? 1 : 0] == '0' && n > (neg ? 2u : 1u))
		return hyp_perr(c, &c->ev.start_mark,
				"'%s' has a leading zero (expected %s)", sb, want);
	if ((neg && v != 0) || v < min || v > max)
		return hyp_perr(c, &c->ev.start_mark, "'%s' is out of range %" PRIu64
				"..%" PRIu64, sb, min, max);
	*out = v;
	return 0;
}

static int
hyp_u32(struct hyp_pctx *c, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int ret = hyp_uint(c, min, max, &v);

	if (ret == 0)
		*out = (uint32_t)v;
	return ret;
}

static int
hyp_bool(struct hyp_pctx *c, bool *out)
{
	static const char *const t[] = { "true", "True", "TRUE" };
	static const char *const f[] = { "false", "False", "FALSE" };
	char sb[HYP_SHOW_BUF];
	const char *s;
	unsigned int i;
	size_t n;
	int ret;

	ret = hyp_scalar(c, "true or false", &s, &n);
	if (ret < 0)
		return ret;
	if (c->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		for (i = 0; i < HYP_DIM(t); i++) {
			if (strcmp(s, t[i]) == 0) {
				*out = true;
				return 0;
			}
			if (strcmp(s, f[i]) == 0) {
				*out = false;
				return 0;
			}
		}
	}
	return hyp_perr(c, &c->ev.start_mark, "'%s' is not true or false",
			hyp_show(s, n, sb, sizeof(sb)));
}

/* One of names[]; what reads "an action (drop, alert, pass)" and the like. */
static int
hyp_enum(struct hyp_pctx *c, const char *const *names, unsigned int nnames,
	 const char *what, unsigned int *out)
{
	char sb[HYP_SHOW_BUF];
	const char *s;
	unsigned int i;
	size_t n;
	int ret;

	ret = hyp_string(c, what, &s, &n);
	if (ret < 0)
		return ret;
	for (i = 0; i < nnames; i++) {
		if (names[i] != NULL && strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return hyp_perr(c, &c->ev.start_mark, "'%s' is not %s",
			hyp_show(s, n, sb, sizeof(sb)), what);
}

static int
hyp_action(struct hyp_pctx *c, enum hyp_action *out)
{
	/* the words are the names EVE, telemetry and the console print */
	const char *const names[] = {
		[HYP_ACTION_PASS] = hyp_action_name(HYP_ACTION_PASS),
		[HYP_ACTION_ALERT] = hyp_action_name(HYP_ACTION_ALERT),
		[HYP_ACTION_DROP] = hyp_action_name(HYP_ACTION_DROP),
	};
	unsigned int v;
	int ret;

	ret = hyp_enum(c, names, HYP_DIM(names), "an action (drop, alert, pass)", &v);
	if (ret == 0)
		*out = (enum hyp_action)v;
	return ret;
}

static int
hyp_proto(struct hyp_pctx *c, uint8_t *out)
{
	uint64_t v;
	int ret;

	ret = hyp_uint(c, 0, 255, &v);
	if (ret < 0)
		return ret;
	if (v != IPPROTO_TCP && v != IPPROTO_UDP)
		return hyp_perr(c, &c->ev.start_mark,
				"protocol must be 6 (TCP) or 17 (UDP), got %" PRIu64, v);
	*out = (uint8_t)v;
	return 0;
}

static int
hyp_port(struct hyp_pctx *c, uint16_t *out)
{
	uint64_t v;
	int ret = hyp_uint(c, 1, 65535, &v);

	if (ret == 0)
		*out = (uint16_t)v;
	return ret;
}

/* An address or prefix; hyp_cidr_parse() says what is wrong with it. */
static int
hyp_cidr(struct hyp_pctx *c, struct hyp_cidr *out)
{
	char sb[HYP_SHOW_BUF], buf[64], why[128];
	const char *s;
	size_t n;
	int ret;

	ret = hyp_string(c, "an address or CIDR", &s, &n);
	if (ret < 0)
		return ret;
	hyp_show(s, n, sb, sizeof(sb));
	if (n >= sizeof(buf) || memchr(s, '\0', n) != NULL)
		return hyp_perr(c, &c->ev.start_mark,
				"'%s': not an IPv4 or IPv6 address", sb);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (hyp_cidr_parse(buf, out, why, sizeof(why)) < 0)
		return hyp_perr(c, &c->ev.start_mark, "'%s': %s", sb, why);
	return 0;
}

/* ---- rule ids ---- */

static bool
hyp_id_find(const struct hyp_policy *p, uint32_t id, char *where, size_t len)
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
hyp_rule_id(struct hyp_pctx *c, uint32_t *out)
{
	char where[64];
	uint32_t id = 0;
	int ret;

	ret = hyp_u32(c, 1, UINT32_MAX, &id);
	if (ret < 0)
		return ret;
	/* explicit and automatic ids cannot collide if they never overlap */
	if (id > HYP_ID_MAX)
		return hyp_perr(c, &c->ev.start_mark,
				"id %" PRIu32 " is out of range 1..%u (ids from %u up "
				"are assigned automatically)", id, HYP_ID_MAX,
				HYP_POLICY_AUTO_ID_BASE);
	if (c->id_seen == NULL) {
		c->id_seen = calloc(HYP_POLICY_AUTO_ID_BASE / 8, 1);
		if (c->id_seen == NULL)
			return hyp_nomem(c);
	}
	if (c->id_seen[id / 8] & (1u << (id % 8))) {
		hyp_id_find(c->p, id, where, sizeof(where));
		return hyp_perr(c, &c->ev.start_mark,
				"duplicate rule id %" PRIu32 " (also used by %s)",
				id, where);
	}
	c->id_seen[id / 8] |= 1u << (id % 8);
	*out = id;
	return 0;
}

static int
hyp_require(struct hyp_pctx *c, const yaml_mark_t *m, uint32_t seen,
	    uint32_t need, const char *const *keys)
{
	unsigned int k;

	for (k = 0; k < HYP_MAX_KEYS; k++)
		if ((need & (1u << k)) != 0 && (seen & (1u << k)) == 0)
			return hyp_perr(c, m, "'%s' is required", keys[k]);
	return 0;
}

/* A list item that must be a mapping; mark gets where it starts. */
static int
hyp_item_map(struct hyp_pctx *c, const char *const *keys, unsigned int nkeys,
	     hyp_field_fn fn, void *arg, uint32_t need)
{
	yaml_mark_t m;
	uint32_t seen;
	int ret;

	ret = hyp_expect(c, YAML_MAPPING_START_EVENT, false);
	if (ret < 0)
		return ret;
	m = c->ev.start_mark;
	ret = hyp_map(c, keys, nkeys, fn, arg, &seen);
	if (ret < 0)
		return ret;
	return hyp_require(c, &m, seen, need, keys);
}

/* ---- fast_path ---- */

static int
hyp_drop_src_item(struct hyp_pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_cidr *t;

	t = hyp_append(p->drop_ips, p->n_drop_ips, sizeof(*t));
	if (t == NULL)
		return hyp_nomem(c);
	p->drop_ips = t;
	p->n_drop_ips++;
	return hyp_cidr(c, &t[idx]);
}

static int
hyp_drop_dst_item(struct hyp_pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_cidr *t;

	t = hyp_append(p->drop_dst_ips, p->n_drop_dst_ips, sizeof(*t));
	if (t == NULL)
		return hyp_nomem(c);
	p->drop_dst_ips = t;
	p->n_drop_dst_ips++;
	return hyp_cidr(c, &t[idx]);
}

static const char *const hyp_port_keys[] = { "protocol", "port" };
enum { HYP_PK_PROTOCOL, HYP_PK_PORT };

static int
hyp_port_field(struct hyp_pctx *c, unsigned int key, void *arg)
{
	struct hyp_policy_port *pp = arg;

	if (key == HYP_PK_PROTOCOL)
		return hyp_proto(c, &pp->proto);
	return hyp_port(c, &pp->port);
}

static int
hyp_port_item(struct hyp_pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_policy_port *t;

	t = hyp_append(p->redirect_ports, p->n_redirect_ports, sizeof(*t));
	if (t == NULL)
		return hyp_nomem(c);
	p->redirect_ports = t;
	p->n_redirect_ports++;
	return hyp_item_map(c, hyp_port_keys, HYP_DIM(hyp_port_keys),
			    hyp_port_field, &t[idx],
			    1u << HYP_PK_PROTOCOL | 1u << HYP_PK_PORT);
}

static const char *const hyp_rl_keys[] = { "cidr", "pps", "burst" };
enum { HYP_RK_CIDR, HYP_RK_PPS, HYP_RK_BURST };

struct hyp_rl_arg {
	struct hyp_policy_ratelimit *rl;
	bool burst_set;
};

static int
hyp_rl_field(struct hyp_pctx *c, unsigned int key, void *arg)
{
	struct hyp_rl_arg *a = arg;

	switch (key) {
	case HYP_RK_CIDR:
		return hyp_cidr(c, &a->rl->cidr);
	case HYP_RK_PPS:
		return hyp_u32(c, 0, UINT32_MAX, &a->rl->pps);
	default:
		a->burst_set = true;
		return hyp_u32(c, 0, UINT32_MAX, &a->rl->burst);
	}
}

static int
hyp_rl_item(struct hyp_pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_policy_ratelimit *t;
	struct hyp_rl_arg a;
	yaml_mark_t start;
	int ret;

	t = hyp_append(p->rate_limits, p->n_rate_limits, sizeof(*t));
	if (t == NULL)
		return hyp_nomem(c);
	p->rate_limits = t;
	p->n_rate_limits++;
	a.rl = &t[idx];
	a.burst_set = false;
	start = c->ev.start_mark;	/* the item, for an error about all of it */
	ret = hyp_item_map(c, hyp_rl_keys, HYP_DIM(hyp_rl_keys),
			   hyp_rl_field, &a, 1u << HYP_RK_CIDR | 1u << HYP_RK_PPS);
	/* one second's worth: the usual token-bucket default */
	if (ret == 0 && !a.burst_set)
		a.rl->burst = a.rl->pps;
	if (ret == 0 && a.rl->pps != 0 && a.rl->burst == 0)
		return hyp_perr(c, &start,
				"burst 0 lets nothing through at %u pps: give at least 1 "
				"(or pps 0 to exempt the prefix)", a.rl->pps);
	return ret;
}

static const char *const hyp_fast_keys[] = {
	"drop_ips", "drop_dst_ips", "redirect_ports", "rate_limits",
	"malformed", "redirect_all",
};
enum {
	HYP_FK_DROP_IPS, HYP_FK_DROP_DST_IPS, HYP_FK_REDIRECT_PORTS,
	HYP_FK_RATE_LIMITS, HYP_FK_MALFORMED, HYP_FK_REDIRECT_ALL,
};

static int
hyp_fast_field(struct hyp_pctx *c, unsigned int key, void *arg)
{
	static const char *const malformed[] = {
		[HYP_XDP_DROP] = "drop",
		[HYP_XDP_PASS] = "pass",
	};
	unsigned int v;
	int ret;

	switch (key) {
	case HYP_FK_DROP_IPS:
		return hyp_list(c, hyp_drop_src_item, HYP_BLOCK_MAX_ENTRIES);
	case HYP_FK_DROP_DST_IPS:
		return hyp_list(c, hyp_drop_dst_item, HYP_BLOCK_MAX_ENTRIES);
	case HYP_FK_REDIRECT_PORTS:
		return hyp_list(c, hyp_port_item, HYP_REDIRECT_PORTS_MAX_ENTRIES);
	case HYP_FK_RATE_LIMITS:
		return hyp_list(c, hyp_rl_item, HYP_RL_RULES_MAX_ENTRIES);
	case HYP_FK_MALFORMED:
		ret = hyp_enum(c, malformed, HYP_DIM(malformed),
			       "drop or pass", &v);
		if (ret == 0)
			c->p->malformed_action = (int)v;
		return ret;
	default:
		return hyp_bool(c, &c->p->redirect_all);
	}
}

/* ---- slow_path ---- */

/* ASCII only: the locale must not decide what a DNS name may contain */
static bool
hyp_dns_char(unsigned char ch)
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
hyp_dns_match(struct hyp_pctx *c, char **out)
{
	char sb[HYP_SHOW_BUF], lb[HYP_SHOW_BUF];
	const char *s, *label;
	size_t n, i, llen;
	char *d;
	int ret;

	ret = hyp_string(c, "a domain name", &s, &n);
	if (ret < 0)
		return ret;
	hyp_show(s, n, sb, sizeof(sb));
	if (n >= 2 && s[0] == '*' && s[1] == '.')
		return hyp_perr(c, &c->ev.start_mark,
				"'%s': a leading '*.' is not accepted; '%s' already "
				"matches the name and all its subdomains", sb,
				hyp_show(s + 2, n - 2, lb, sizeof(lb)));
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return hyp_perr(c, &c->ev.start_mark, "empty domain name");
	if (n > HYP_DNS_NAME_MAX)
		return hyp_perr(c, &c->ev.start_mark,
				"'%s' is longer than %d characters", sb,
				HYP_DNS_NAME_MAX);
	label = s;
	for (i = 0; i <= n; i++) {
		unsigned char ch = i < n ? (unsigned char)s[i] : '.';

		if (ch == '.') {
			llen = (size_t)(s + i - label);
			if (llen == 0)
				return hyp_perr(c, &c->ev.start_mark,
						"'%s' has an empty label", sb);
			if (llen > HYP_DNS_LABEL_MAX)
				return hyp_perr(c, &c->ev.start_mark,
						"'%s': label '%s' is longer than %d "
						"characters", sb,
						hyp_show(label, llen, lb, sizeof(lb)),
						HYP_DNS_LABEL_MAX);
			label = s + i + 1;
		} else if (!hyp_dns_char(ch)) {
			return hyp_perr(c, &c->ev.start_mark,
					"'%s': character '%s' is not allowed in a "
					"domain name (letters, digits, '-', '_')",
					sb, hyp_show(s + i, 1, lb, sizeof(lb)));
		}
	}
	d = malloc(n + 1);
	if (d == NULL)
		return hyp_nomem(c);
	for (i = 0; i < n; i++)
		d[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	d[n] = '\0';
	*out = d;
	return 0;
}

static int
hyp_hex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Signature bytes, with C-style escapes of our own: YAML's "\xff" is the
 * character U+00FF (two bytes in UTF-8), so binary literals are written
 * single-quoted, '\xff', and decoded here.
 */
static int
hyp_sig_match(struct hyp_pctx *c, uint8_t **out, size_t *outlen)
{
	char sb[HYP_SHOW_BUF], eb[8];
	const char *s;
	size_t n, i, o = 0;
	uint8_t *d;
	int ret, hi, lo;

	ret = hyp_scalar(c, "a byte string", &s, &n);
	if (ret < 0)
		return ret;
	hyp_show(s, n, sb, sizeof(sb));
	if (n == 0)
		return hyp_perr(c, &c->ev.start_mark, "empty signature");
	d = malloc(n);
	if (d == NULL)
		return hyp_nomem(c);
	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			d[o++] = (uint8_t)s[i];
			continue;
		}
		if (++i == n) {
			free(d);
			return hyp_perr(c, &c->ev.start_mark,
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
			hi = i + 1 < n ? hyp_hex(s[i + 1]) : -1;
			lo = i + 2 < n ? hyp_hex(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				free(d);
				return hyp_perr(c, &c->ev.start_mark,
						"'%s': \\x at offset %zu needs two hex "
						"digits", sb, i - 1);
			}
			d[o++] = (uint8_t)(hi << 4 | lo);
			i += 2;
			break;
		default:
			free(d);
			return hyp_perr(c, &c->ev.start_mark,
					"'%s': unknown escape '\\%s' at offset %zu "
					"(known: \\xHH \\\\ \\n \\r \\t \\0)",
					sb, hyp_show(s + i, 1, eb, sizeof(eb)), i - 1);
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
hyp_regex(struct hyp_pctx *c, char **out)
{
	char sb[HYP_SHOW_BUF];
	hs_compile_error_t *ce = NULL;
	hs_expr_info_t *info = NULL;
	const char *s;
	unsigned int minw;
	size_t n;
	int ret;

	ret = hyp_string(c, "a regular expression", &s, &n);
	if (ret < 0)
		return ret;
	hyp_show(s, n, sb, sizeof(sb));
	if (hs_expression_info(s, HYP_HS_REGEX_FLAGS, &info, &ce) != HS_SUCCESS) {
		ret = hyp_perr(c, &c->ev.start_mark, "regex '%s': %s", sb,
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
		return hyp_perr(c, &c->ev.start_mark,
				"regex '%s' can match an empty payload", sb);
	*out = strdup(s);
	if (*out == NULL)
		return hyp_nomem(c);
	return 0;
}

static char *
hyp_strdup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* dns_rules and payload_signatures share their keys. */
static const char *const hyp_match_keys[] = { "match", "action", "id" };
enum { HYP_MK_MATCH, HYP_MK_ACTION, HYP_MK_ID };

static int
hyp_dns_field(struct hyp_pctx *c, unsigned int key, void *arg)
{
	struct hyp_policy_dns_rule *r = arg;

	switch (key) {
	case HYP_MK_MATCH:
		return hyp_dns_match(c, &r->match);
	case HYP_MK_ACTION:
		return hyp_action(c, &r->action);
	default:
		return hyp_rule_id(c, &r->id);
	}
}

static int
hyp_sig_field(struct hyp_pctx *c, unsigned int key, void *arg)
{
	struct hyp_policy_signature *r = arg;

	switch (key) {
	case HYP_MK_MATCH:
		return hyp_sig_match(c, &r->bytes, &r->len);
	case HYP_MK_ACTION:
		return hyp_action(c, &r->action);
	default:
		return hyp_rule_id(c, &r->id);
	}
}

/* Rules without an id get the next one, in the order of the file. */
static void
hyp_auto_id(struct hyp_pctx *c, uint32_t *id)
{
	if (*id == 0)
		*id = c->next_auto_id++;
}

static int
hyp_dns_item(struct hyp_pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_policy_dns_rule *t;
	int ret;

	t = hyp_append(p->dns_rules, p->n_dns_rules, sizeof(*t));
	if (t == NULL)
		return hyp_nomem(c);
	p->dns_rules = t;
	p->n_dns_rules++;
	t[idx].action = HYP_ACTION_DROP;
	ret = hyp_item_map(c, hyp_match_keys, HYP_DIM(hyp_match_keys),
			   hyp_dns_field, &t[idx], 1u << HYP_MK_MATCH);
	if (ret == 0)
		hyp_auto_id(c, &t[idx].id);
	return ret;
}

static int
hyp_sig_item(struct hyp_pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_policy_signature *t;
	int ret;

	t = hyp_append(p->signatures, p->n_signatures, sizeof(*t));
	if (t == NULL)
		return hyp_nomem(c);
	p->signatures = t;
	p->n_signatures++;
	t[idx].action = HYP_ACTION_DROP;
	ret = hyp_item_map(c, hyp_match_keys, HYP_DIM(hyp_match_keys),
			   hyp_sig_field, &t[idx], 1u << HYP_MK_MATCH);
	if (ret == 0)
		hyp_auto_id(c, &t[idx].id);
	return ret;
}

static const char *const hyp_prule_keys[] = {
	"id", "msg", "regex", "protocol", "port", "action",
};
enum {
	HYP_PR_ID, HYP_PR_MSG, HYP_PR_REGEX, HYP_PR_PROTOCOL, HYP_PR_PORT,
	HYP_PR_ACTION,
};

static int
hyp_prule_field(struct hyp_pctx *c, unsigned int key, void *arg)
{
	struct hyp_policy_payload_rule *r = arg;
	const char *s;
	size_t n;
	int ret;

	switch (key) {
	case HYP_PR_ID:
		return hyp_rule_id(c, &r->id);
	case HYP_PR_MSG:
		ret = hyp_string(c, "a message", &s, &n);
		if (ret < 0)
			return ret;
		r->msg = hyp_strdup_n(s, n);
		return r->msg == NULL ? hyp_nomem(c) : 0;
	case HYP_PR_REGEX:
		return hyp_regex(c, &r->regex);
	case HYP_PR_PROTOCOL:
		return hyp_proto(c, &r->proto);
	case HYP_PR_PORT:
		return hyp_port(c, &r->port);
	default:
		return hyp_action(c, &r->action);
	}
}

static int
hyp_prule_item(struct hyp_pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_policy_payload_rule *t;

	t = hyp_append(p->payload_rules, p->n_payload_rules, sizeof(*t));
	if (t == NULL)
		return hyp_nomem(c);
	p->payload_rules = t;
	p->n_payload_rules++;
	t[idx].action = HYP_ACTION_DROP;
	return hyp_item_map(c, hyp_prule_keys, HYP_DIM(hyp_prule_keys),
			    hyp_prule_field, &t[idx],
			    1u << HYP_PR_ID | 1u << HYP_PR_REGEX);
}

static const char *const hyp_ab_keys[] = { "hits", "ttl_s" };

static int
hyp_ab_field(struct hyp_pctx *c, unsigned int key, void *arg)
{
	if (key == 0)
		return hyp_u32(c, 0, UINT32_MAX, &c->p->auto_block_hits);
	return hyp_u32(c, 0, UINT32_MAX, &c->p->auto_block_ttl_s);
}

static const char *const hyp_slow_keys[] = {
	"dns_rules", "payload_signatures", "payload_rules", "auto_block",
};

static int
hyp_slow_field(struct hyp_pctx *c, unsigned int key, void *arg)
{
	switch (key) {
	case 0:
		return hyp_list(c, hyp_dns_item, HYP_POLICY_MAX_RULES);
	case 1:
		return hyp_list(c, hyp_sig_item, HYP_POLICY_MAX_RULES);
	case 2:
		return hyp_list(c, hyp_prule_item, HYP_POLICY_MAX_RULES);
	default:
		return hyp_section(c, hyp_ab_keys, HYP_DIM(hyp_ab_keys),
				   hyp_ab_field, NULL);
	}
}

/* ---- runtime and root ---- */

static const char *const hyp_rt_keys[] = { "fail_mode", "watchdog_ms" };

static int
hyp_rt_field(struct hyp_pctx *c, unsigned int key, void *arg)
{
	static const char *const modes[] = {
		[HYP_FAIL_OPEN] = "open",
		[HYP_FAIL_CLOSED] = "closed",
	};
	unsigned int v;
	int ret;

	if (key == 1)
		return hyp_u32(c, 0, UINT32_MAX, &c->p->watchdog_ms);
	ret = hyp_enum(c, modes, HYP_DIM(modes), "open or closed", &v);
	if (ret == 0)
		c->p->fail_mode = (int)v;
	return ret;
}

static const char *const hyp_root_keys[] = { "fast_path", "slow_path", "runtime" };

static int
hyp_root_field(struct hyp_pctx *c, unsigned int key, void *arg)
{
	switch (key) {
	case 0:
		return hyp_section(c, hyp_fast_keys, HYP_DIM(hyp_fast_keys),
				   hyp_fast_field, NULL);
	case 1:
		return hyp_section(c, hyp_slow_keys, HYP_DIM(hyp_slow_keys),
				   hyp_slow_field, NULL);
	default:
		return hyp_section(c, hyp_rt_keys, HYP_DIM(hyp_rt_keys),
				   hyp_rt_field, NULL);
	}
}

static int
hyp_parse_stream(struct hyp_pctx *c)
{
	char kb[HYP_KIND_BUF];
	int ret;

	ret = hyp_next(c);	/* STREAM-START */
	if (ret < 0)
		return ret;
	ret = hyp_next(c);
	if (ret < 0)
		return ret;
	/* no document at all: empty, or only comments */
	if (c->ev.type == YAML_STREAM_END_EVENT)
		return 0;
	ret = hyp_next(c);	/* the root node */
	if (ret < 0)
		return ret;
	if (c->ev.type == YAML_MAPPING_START_EVENT) {
		ret = hyp_section(c, hyp_root_keys, HYP_DIM(hyp_root_keys),
				  hyp_root_field, NULL);
		if (ret < 0)
			return ret;
	} else if (!hyp_is_null(&c->ev)) {
		/* a document that is only "---" or "~" is an empty policy */
		return hyp_perr(c, &c->ev.start_mark,
				"the policy must be a mapping with fast_path, "
				"slow_path and runtime, got %s",
				hyp_kind(c, kb, sizeof(kb)));
	}
	ret = hyp_next(c);	/* DOCUMENT-END */
	if (ret < 0)
		return ret;
	ret = hyp_next(c);
	if (ret < 0)
		return ret;
	if (c->ev.type != YAML_STREAM_END_EVENT)
		return hyp_perr(c, &c->ev.start_mark,
				"only one YAML document is allowed");
	return 0;
}

/* ---- public ---- */

static uint64_t
hyp_fnv1a64(const char *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)buf[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int
hyp_policy_parse(const char *buf, size_t len, const char *name,
		 struct hyp_policy **out, struct hyp_policy_error *err)
{
	struct hyp_policy_error scratch;
	struct hyp_policy *p;
	struct hyp_pctx c;
	int ret;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (name == NULL)
		name = "<memory>";
	snprintf(err->file, sizeof(err->file), "%s", name);
	if (out == NULL || (buf == NULL && len > 0)) {
		snprintf(err->msg, sizeof(err->msg), "invalid arguments");
		return -EINVAL;
	}
	if (len > HYP_POLICY_MAX_FILE) {
		snprintf(err->msg, sizeof(err->msg),
			 "larger than %u bytes", HYP_POLICY_MAX_FILE);
		return -EFBIG;
	}
	if (buf == NULL)
		buf = "";

	memset(&c, 0, sizeof(c));
	c.buf = buf;
	c.len = len;
	c.err = err;
	c.next_auto_id = HYP_POLICY_AUTO_ID_BASE;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return hyp_nomem(&c);
	c.p = p;
	p->path = strdup(name);
	if (p->path == NULL) {
		hyp_policy_free(p);
		return hyp_nomem(&c);
	}
	p->content_hash = hyp_fnv1a64(buf, len);
	p->malformed_action = HYP_XDP_DROP;
	p->fail_mode = HYP_FAIL_OPEN;

	if (yaml_parser_initialize(&c.parser) == 0) {
		hyp_policy_free(p);
		return hyp_nomem(&c);
	}
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)buf, len);
	/* no guessing from a BOM: a policy is UTF-8, anything else is refused */
	yaml_parser_set_encoding(&c.parser, YAML_UTF8_ENCODING);

	ret = hyp_parse_stream(&c);

	if (c.have_ev)
		yaml_event_delete(&c.ev);
	yaml_parser_delete(&c.parser);
	free(c.id_seen);
	if (ret < 0) {
		hyp_policy_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int
hyp_policy_load(const char *path, struct hyp_policy **out,
		struct hyp_policy_error *err)
{
	struct hyp_policy_error scratch;
	size_t len = 0, cap = 0, got;
	char *buf = NULL, *t;
	FILE *f;
	int ret;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (path == NULL || out == NULL) {
		snprintf(err->msg, sizeof(err->msg), "invalid arguments");
		return -EINVAL;
	}
	snprintf(err->file, sizeof(err->file), "%s", path);
	f = fopen(path, "rb");
	if (f == NULL) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "cannot open: %s",
			 strerror(errno));
		return ret;
	}
	/* read to the end rather than trust a size: the path may be a pipe */
	errno = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= HYP_POLICY_MAX_FILE + 1u) {
				ret = -EFBIG;
				snprintf(err->msg, sizeof(err->msg),
					 "larger than %u bytes", HYP_POLICY_MAX_FILE);
				goto out;
			}
			cap = cap == 0 ? 65536 : 2 * cap;
			if (cap > HYP_POLICY_MAX_FILE + 1u)
				cap = HYP_POLICY_MAX_FILE + 1u;
			t = realloc(buf, cap);
			if (t == NULL) {
				ret = -ENOMEM;
				snprintf(err->msg, sizeof(err->msg), "out of memory");
				goto out;
			}
			buf = t;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		ret = errno != 0 ? -errno : -EIO;
		snprintf(err->msg, sizeof(err->msg), "cannot read: %s",
			 strerror(-ret));
		goto out;
	}
	ret = hyp_policy_parse(buf, len, path, out, err);
out:
	free(buf);
	fclose(f);
	return ret;
}

void
hyp_policy_free(struct hyp_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_dns_rules; i++)
		free(p->dns_rules[i].match);
	for (i = 0; i < p->n_signatures; i++)
		free(p->signatures[i].bytes);
	for (i = 0; i < p->n_payload_rules; i++) {
		free(p->payload_rules[i].msg);
		free(p->payload_rules[i].regex);
	}
	free(p->dns_rules);
	free(p->signatures);
	free(p->payload_rules);
	free(p->drop_ips);
	free(p->drop_dst_ips);
	free(p->redirect_ports);
	free(p->rate_limits);
	free(p->path);
	free(p);
}

const char *
hyp_policy_error_str(const struct hyp_policy_error *err, char *buf, size_t len)
{
	if (buf == NULL || len == 0)
		return "";
	if (err == NULL)
		snprintf(buf, len, "no error");
	else if (err->line > 0)
		snprintf(buf, len, "%s:%u:%u: %s", err->file, err->line,
			 err->column, err->msg);
	else if (err->file[0] != '\0')
		snprintf(buf, len, "%s: %s", err->file, err->msg);
	else
		snprintf(buf, len, "%s", err->msg);
	return buf;
}
