/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The YAML walker (see policy_yaml.h). libyaml's event API is walked by a
 * recursive descent whose shape is the schema's: each function knows what
 * kind of node it wants and stops at the first node of another kind, so
 * call depth is fixed by the schema, not by the input, and nothing is ever
 * skipped (unknown keys are errors): hostile nesting ends at its first node.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_yaml.h"

static void
verr(struct pctx *c, unsigned int line, unsigned int col,
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
int __attribute__((format(printf, 3, 4)))
yw_perr(struct pctx *c, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(c, m->line + 1, m->column + 1, true, fmt, ap);
	va_end(ap);
	return -EINVAL;
}
/* An error at a place that is not a node (libyaml's own), without path. */
static int __attribute__((format(printf, 4, 5)))
perr_raw(struct pctx *c, unsigned int line, unsigned int col,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(c, line, col, false, fmt, ap);
	va_end(ap);
	return -EINVAL;
}
int
yw_nomem(struct pctx *c)
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
/* per thread: one parse runs on one thread, from start to end */
static _Thread_local bool yw_redacting;

void
yw_redact_set(bool on)
{
	yw_redacting = on;
}

const char *
yw_show(const char *s, size_t n, char *buf, size_t len)
{
	size_t i, o = 0;

	if (yw_redacting) {
		snprintf(buf, len, "<redacted>");
		return buf;
	}

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
/*
 * libyaml's reader errors (bad UTF-8, control characters) carry a byte
 * offset, not a mark: count lines and characters the way libyaml's marks
 * do (breaks are LF, CR LF, CR, NEL, LS and PS; columns are characters).
 */
static void
offset_to_mark(const char *buf, size_t len, size_t off,
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
yaml_error(struct pctx *c)
{
	yaml_parser_t *y = &c->parser;
	const char *problem = y->problem != NULL ? y->problem : "unknown error";
	unsigned int line, col;

	switch (y->error) {
	case YAML_MEMORY_ERROR:
		return yw_nomem(c);
	case YAML_READER_ERROR:
		offset_to_mark(c->buf, c->len, y->problem_offset, &line, &col);
		if (y->problem_value != -1)
			return perr_raw(c, line, col, "invalid YAML: %s (#x%X)",
					    problem, (unsigned int)y->problem_value);
		return perr_raw(c, line, col, "invalid YAML: %s", problem);
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		if (y->context != NULL)
			return perr_raw(c, y->problem_mark.line + 1,
					    y->problem_mark.column + 1,
					    "invalid YAML: %s (%s started at %zu:%zu)",
					    problem, y->context,
					    y->context_mark.line + 1,
					    y->context_mark.column + 1);
		return perr_raw(c, y->problem_mark.line + 1,
				    y->problem_mark.column + 1,
				    "invalid YAML: %s", problem);
	default:
		return perr_raw(c, 0, 0, "invalid YAML: %s", problem);
	}
}
int
yw_next(struct pctx *c)
{
	yaml_event_t *ev = &c->ev;
	const yaml_char_t *tag = NULL;
	char sb[HYP_SHOW_BUF];

	if (c->have_ev) {
		yaml_event_delete(ev);
		c->have_ev = false;
	}
	if (yaml_parser_parse(&c->parser, ev) == 0)
		return yaml_error(c);
	c->have_ev = true;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		/* aliases would let a small file expand into a huge policy */
		return yw_perr(c, &ev->start_mark,
				"YAML aliases (*%s) are not supported",
				yw_show((const char *)ev->data.alias.anchor,
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
		return yw_perr(c, &ev->start_mark,
				"YAML tags ('%s') are not supported",
				yw_show((const char *)tag, strlen((const char *)tag),
					 sb, sizeof(sb)));
	if (c->depth > HYP_POLICY_MAX_DEPTH)
		return yw_perr(c, &ev->start_mark,
				"nested deeper than any policy key allows");
	return 0;
}
bool
yw_is_null(const yaml_event_t *ev)
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
const char *
yw_kind(struct pctx *c, char *buf, size_t len)
{
	const yaml_event_t *ev = &c->ev;
	char sb[HYP_SHOW_BUF];

	switch (ev->type) {
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_SCALAR_EVENT:
		if (yw_is_null(ev))
			return "nothing";
		snprintf(buf, len, "%s '%s'",
			 ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ?
			 "scalar" : "quoted string",
			 yw_show((const char *)ev->data.scalar.value,
				  ev->data.scalar.length, sb, sizeof(sb)));
		return buf;
	default:
		return "something else";
	}
}
/*
 * The current node must be a collection of this type. Returns 1 if it is,
 * 0 if it is null and null_ok (an empty section: "fast_path:" with all of
 * its keys commented out), an error otherwise.
 */
static int
expect(struct pctx *c, yaml_event_type_t type, bool null_ok)
{
	const char *want = type == YAML_MAPPING_START_EVENT ? "a mapping" : "a list";
	char kb[HYP_KIND_BUF];

	if (c->ev.type == type)
		return 1;
	if (null_ok && yw_is_null(&c->ev))
		return 0;
	return yw_perr(c, &c->ev.start_mark, "expected %s, got %s", want,
			yw_kind(c, kb, sizeof(kb)));
}
static size_t
path_push(struct pctx *c, const char *fmt, ...)
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
path_pop(struct pctx *c, size_t old)
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
mapping(struct pctx *c, const char *const *keys, unsigned int nkeys,
	yw_field_fn fn, void *arg, uint32_t *seen)
{
	yaml_mark_t first[HYP_MAX_KEYS];
	char sb[HYP_SHOW_BUF], kb[HYP_KIND_BUF], known[320];
	unsigned int k;
	size_t old, n;
	const char *s;
	int ret;

	*seen = 0;
	for (;;) {
		ret = yw_next(c);
		if (ret < 0)
			return ret;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (c->ev.type != YAML_SCALAR_EVENT || yw_is_null(&c->ev))
			return yw_perr(c, &c->ev.start_mark,
					"keys must be strings, got %s",
					yw_kind(c, kb, sizeof(kb)));
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
			return yw_perr(c, &c->ev.start_mark,
					"unknown %skey '%s' (known: %s)",
					c->path_len == 0 ? "top-level " : "",
					yw_show(s, n, sb, sizeof(sb)), known);
		}
		if (*seen & (1u << k))
			return yw_perr(c, &c->ev.start_mark,
					"duplicate key '%s' (first at %zu:%zu)",
					keys[k], first[k].line + 1,
					first[k].column + 1);
		*seen |= 1u << k;
		first[k] = c->ev.start_mark;
		old = path_push(c, "%s%s", c->path_len > 0 ? "." : "",
				    keys[k]);
		ret = yw_next(c);
		if (ret == 0)
			ret = fn(c, k, arg);
		if (ret < 0)
			return ret;
		path_pop(c, old);
	}
}
/*
 * A mapping whose keys are the data (variable names): fn gets each key
 * (checked by the caller) with the value as the current event. At most
 * max entries; a key twice is an error.
 */
int
yw_map_any(struct pctx *c, yw_key_fn fn, size_t max)
{
	char kb[HYP_KIND_BUF], sb[HYP_SHOW_BUF];
	size_t count = 0, old, n;
	const char *s;
	char *key;
	int ret;

	ret = expect(c, YAML_MAPPING_START_EVENT, true);
	if (ret <= 0)
		return ret;
	for (;;) {
		ret = yw_next(c);
		if (ret < 0)
			return ret;
		if (c->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (c->ev.type != YAML_SCALAR_EVENT || yw_is_null(&c->ev))
			return yw_perr(c, &c->ev.start_mark, "keys must be strings, got %s",
				       yw_kind(c, kb, sizeof(kb)));
		if (++count > max)
			return yw_perr(c, &c->ev.start_mark, "more than %zu entries", max);
		s = (const char *)c->ev.data.scalar.value;
		n = c->ev.data.scalar.length;
		key = yw_strdup_n(s, n);
		if (key == NULL)
			return yw_nomem(c);
		old = path_push(c, "%s%s", c->path_len > 0 ? "." : "", yw_show(s, n, sb, sizeof(sb)));
		ret = fn(c, key, &c->ev.start_mark);
		free(key);
		if (ret < 0)
			return ret;
		path_pop(c, old);
	}
}
/* A section: a mapping, or nothing at all. */
int
yw_section(struct pctx *c, const char *const *keys, unsigned int nkeys,
	    yw_field_fn fn, void *arg)
{
	uint32_t seen;
	int ret;

	ret = expect(c, YAML_MAPPING_START_EVENT, true);
	if (ret <= 0)
		return ret;
	return mapping(c, keys, nkeys, fn, arg, &seen);
}
/*
 * Walk a list (or nothing): fn gets each item as the current event. max is
 * what the list's consumer holds (an XDP map's size, or the rule limit), so
 * a list that could not be applied is refused here, with its place.
 */
int
yw_list(struct pctx *c, yw_item_fn fn, size_t max)
{
	size_t i, old;
	int ret;

	ret = expect(c, YAML_SEQUENCE_START_EVENT, true);
	if (ret <= 0)
		return ret;
	for (i = 0;; i++) {
		ret = yw_next(c);
		if (ret < 0)
			return ret;
		if (c->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (i >= max)
			return yw_perr(c, &c->ev.start_mark,
					"more than %zu entries", max);
		old = path_push(c, "[%zu]", i);
		ret = fn(c, i);
		if (ret < 0)
			return ret;
		path_pop(c, old);
	}
}
/*
 * Room for element n of an array whose capacity is implicit: the next
 * power of two >= n, at least 8. Returns the (maybe moved) array with
 * element n zeroed, or NULL with the old array still valid.
 */
void *
yw_append(void *arr, size_t n, size_t elsz)
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
/* The current event as a scalar with a value; want names what was expected. */
int
yw_scalar(struct pctx *c, const char *want, const char **s, size_t *n)
{
	char kb[HYP_KIND_BUF];

	if (c->ev.type != YAML_SCALAR_EVENT)
		return yw_perr(c, &c->ev.start_mark, "expected %s, got %s",
				want, yw_kind(c, kb, sizeof(kb)));
	if (yw_is_null(&c->ev))
		return yw_perr(c, &c->ev.start_mark, "missing value (expected %s)",
				want);
	*s = (const char *)c->ev.data.scalar.value;
	*n = c->ev.data.scalar.length;
	return 0;
}
/* A scalar used as a C string: a NUL inside would cut it short silently. */
int
yw_string(struct pctx *c, const char *want, const char **s, size_t *n)
{
	int ret = yw_scalar(c, want, s, n);

	if (ret < 0)
		return ret;
	if (strlen(*s) != *n)
		return yw_perr(c, &c->ev.start_mark, "contains a NUL character");
	return 0;
}
int
yw_uint(struct pctx *c, uint64_t min, uint64_t max, uint64_t *out)
{
	char sb[HYP_SHOW_BUF], want[64];
	const char *s;
	uint64_t v = 0;
	bool neg;
	size_t n, i;
	int ret;

	snprintf(want, sizeof(want), "an integer %" PRIu64 "..%" PRIu64, min, max);
	ret = yw_scalar(c, want, &s, &n);
	if (ret < 0)
		return ret;
	yw_show(s, n, sb, sizeof(sb));
	if (c->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return yw_perr(c, &c->ev.start_mark,
				"expected %s, got a quoted string '%s'", want, sb);
	neg = s[0] == '-';
	i = neg ? 1 : 0;
	if (i == n)
		return yw_perr(c, &c->ev.start_mark, "'%s' is not an integer (expected %s)",
				sb, want);
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return yw_perr(c, &c->ev.start_mark,
					"'%s' is not an integer (expected %s)", sb, want);
		if (v > (UINT64_MAX - 9) / 10)
			v = UINT64_MAX;	/* saturate: reported as out of range */
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	/* YAML 1.1 reads 010 as octal 8: refuse rather than guess */
	if (s[neg ? 1 : 0] == '0' && n > (neg ? 2u : 1u))
		return yw_perr(c, &c->ev.start_mark,
				"'%s' has a leading zero (expected %s)", sb, want);
	if ((neg && v != 0) || v < min || v > max)
		return yw_perr(c, &c->ev.start_mark, "'%s' is out of range %" PRIu64
				"..%" PRIu64, sb, min, max);
	*out = v;
	return 0;
}

int
yw_bool(struct pctx *c, bool *out)
{
	static const char *const t[] = { "true", "True", "TRUE" };
	static const char *const f[] = { "false", "False", "FALSE" };
	char sb[HYP_SHOW_BUF];
	const char *s;
	unsigned int i;
	size_t n;
	int ret;

	ret = yw_scalar(c, "true or false", &s, &n);
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
	return yw_perr(c, &c->ev.start_mark, "'%s' is not true or false",
			yw_show(s, n, sb, sizeof(sb)));
}
/* One of names[]; what reads "an action (drop, alert, pass)" and the like. */
int
yw_enum(struct pctx *c, const char *const *names, unsigned int nnames,
	 const char *what, unsigned int *out)
{
	char sb[HYP_SHOW_BUF];
	const char *s;
	unsigned int i;
	size_t n;
	int ret;

	ret = yw_string(c, what, &s, &n);
	if (ret < 0)
		return ret;
	for (i = 0; i < nnames; i++) {
		if (names[i] != NULL && strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return yw_perr(c, &c->ev.start_mark, "'%s' is not %s",
			yw_show(s, n, sb, sizeof(sb)), what);
}
static int
require_keys(struct pctx *c, const yaml_mark_t *m, uint32_t seen,
	    uint32_t need, const char *const *keys)
{
	unsigned int k;

	for (k = 0; k < HYP_MAX_KEYS; k++)
		if ((need & (1u << k)) != 0 && (seen & (1u << k)) == 0)
			return yw_perr(c, m, "'%s' is required", keys[k]);
	return 0;
}
/* A list item that must be a mapping; mark gets where it starts. */
int
yw_item_mapping(struct pctx *c, const char *const *keys, unsigned int nkeys,
	     yw_field_fn fn, void *arg, uint32_t need)
{
	yaml_mark_t m;
	uint32_t seen;
	int ret;

	ret = expect(c, YAML_MAPPING_START_EVENT, false);
	if (ret < 0)
		return ret;
	m = c->ev.start_mark;
	ret = mapping(c, keys, nkeys, fn, arg, &seen);
	if (ret < 0)
		return ret;
	return require_keys(c, &m, seen, need, keys);
}
char *
yw_strdup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}
