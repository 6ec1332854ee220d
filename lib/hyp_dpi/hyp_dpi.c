/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Payload inspection with one Hyperscan database per policy.
 *
 * Literal signatures become regexes of \xHH escapes rather than going
 * through hs_compile_lit_multi(): literals and regexes must share one
 * database (one scan per payload), and the escapes carry NUL bytes and
 * regex metacharacters through untouched. Only the classic hs.h API is
 * used, so Intel Hyperscan and Vectorscan both work.
 *
 * Hyperscan knows nothing of protocols or ports: the match callback applies
 * each rule's scope, looked up by the pattern id, which is the index into
 * the rule table.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>

#include "hyp_dpi.h"
#include "hyp_hs.h"

struct hyp_dpi_rule {
	uint32_t id;
	enum hyp_action action;
	uint8_t proto;		/* 0: any */
	uint16_t port;		/* 0: any */
};

struct hyp_dpi_db {
	hs_database_t *hs;	/* NULL when there are no rules */
	hs_database_t *hs_stream;	/* the same rules, for streams (TCP) */
	size_t n_rules;
	struct hyp_dpi_rule *rules;
};

struct hyp_dpi_stream {
	hs_stream_t *hs;
};

struct hyp_dpi_scratch {
	hs_scratch_t *hs;	/* NULL until a non-empty db needs one */
};

struct dpi_scan_ctx {
	const struct hyp_dpi_db *db;
	struct hyp_dpi_match *out;
	unsigned int max_out;
	unsigned int n;
	uint8_t proto;
	uint16_t dport;
};


/* explicit, so a reordered enum cannot silently change verdicts */
static inline int
dpi_rank(enum hyp_action a)
{
	switch (a) {
	case HYP_ACTION_DROP:
		return 2;
	case HYP_ACTION_ALERT:
		return 1;
	case HYP_ACTION_PASS:
	default:
		return 0;
	}
}

/* a beats b: stronger action, or as strong and a lower rule id */
static inline int
dpi_beats(const struct hyp_dpi_match *a, const struct hyp_dpi_match *b)
{
	int ra = dpi_rank(a->action), rb = dpi_rank(b->action);

	return ra > rb || (ra == rb && a->rule_id < b->rule_id);
}

static int
dpi_hs_errno(hs_error_t e)
{
	switch (e) {
	case HS_SUCCESS:
		return 0;
	case HS_NOMEM:
		return -ENOMEM;
	case HS_SCRATCH_IN_USE:
		return -EBUSY;
	case HS_INVALID:
	case HS_DB_VERSION_ERROR:
	case HS_DB_PLATFORM_ERROR:
	case HS_DB_MODE_ERROR:
	case HS_BAD_ALIGN:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static char *
dpi_escape(const uint8_t *bytes, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *re, *p;
	size_t i;

	if (len > (SIZE_MAX - 1) / 4)
		return NULL;
	re = malloc(4 * len + 1);
	if (re == NULL)
		return NULL;
	p = re;
	for (i = 0; i < len; i++) {
		*p++ = '\\';
		*p++ = 'x';
		*p++ = hex[bytes[i] >> 4];
		*p++ = hex[bytes[i] & 0xf];
	}
	*p = '\0';
	return re;
}

void
hyp_dpi_free(struct hyp_dpi_db *db)
{
	if (db == NULL)
		return;
	hs_free_database(db->hs);
	hs_free_database(db->hs_stream);
	free(db->rules);
	free(db);
}

/* says which rule a pattern index belongs to, for error messages */
static void
dpi_name_rule(const struct hyp_dpi_db *db, size_t n_sigs, size_t idx,
	      char *buf, size_t len)
{
	snprintf(buf, len, "%s id %u",
		 idx < n_sigs ? "payload signature" : "payload rule",
		 (unsigned int)db->rules[idx].id);
}

struct hyp_dpi_db *
hyp_dpi_compile(const struct hyp_policy_signature *sigs, size_t n_sigs,
		const struct hyp_policy_payload_rule *rules, size_t n_rules,
		char *err, size_t err_len)
{
	struct hyp_dpi_db *db;
	const char **exprs = NULL;
	unsigned int *flags = NULL, *ids = NULL;
	hs_compile_error_t *cerr = NULL;
	char what[64];
	size_t n, i;
	hs_error_t e;
	int ret = ENOMEM;

	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if ((sigs == NULL && n_sigs > 0) || (rules == NULL && n_rules > 0)) {
		hyp_errf(err, err_len, "no rule array");
		errno = EINVAL;
		return NULL;
	}
	/* pattern ids and counts are unsigned int in hs.h */
	if (n_sigs > UINT_MAX || n_rules > UINT_MAX - n_sigs) {
		hyp_errf(err, err_len, "too many rules");
		errno = EINVAL;
		return NULL;
	}
	n = n_sigs + n_rules;

	db = calloc(1, sizeof(*db));
	if (db == NULL)
		goto nomem;
	db->n_rules = n;
	db->rules = calloc(n > 0 ? n : 1, sizeof(*db->rules));
	if (db->rules == NULL)
		goto nomem;
	for (i = 0; i < n_sigs; i++) {
		db->rules[i].id = sigs[i].id;
		db->rules[i].action = sigs[i].action;
	}
	for (i = 0; i < n_rules; i++) {
		struct hyp_dpi_rule *r = &db->rules[n_sigs + i];

		r->id = rules[i].id;
		r->action = rules[i].action;
		r->proto = rules[i].proto;
		r->port = rules[i].port;
	}
	/* Hyperscan refuses an empty pattern set; nothing to match anyway */
	if (n == 0)
		return db;

	exprs = calloc(n, sizeof(*exprs));
	flags = calloc(n, sizeof(*flags));
	ids = calloc(n, sizeof(*ids));
	if (exprs == NULL || flags == NULL || ids == NULL)
		goto nomem;

	for (i = 0; i < n; i++) {
		ids[i] = (unsigned int)i;
		if (i < n_sigs) {
			flags[i] = HYP_HS_LITERAL_FLAGS;
			/* an empty literal would match every payload */
			if (sigs[i].bytes == NULL || sigs[i].len == 0) {
				dpi_name_rule(db, n_sigs, i, what, sizeof(what));
				hyp_errf(err, err_len, "%s: empty signature",
					what);
				ret = EINVAL;
				goto fail;
			}
			exprs[i] = dpi_escape(sigs[i].bytes, sigs[i].len);
			if (exprs[i] == NULL)
				goto nomem;
		} else {
			const char *re = rules[i - n_sigs].regex;

			if (re == NULL) {
				dpi_name_rule(db, n_sigs, i, what, sizeof(what));
				hyp_errf(err, err_len, "%s: no regex", what);
				ret = EINVAL;
				goto fail;
			}
			exprs[i] = re;
			flags[i] = HYP_HS_REGEX_FLAGS;	/* the policy validated it so */
		}
	}

	e = hs_compile_multi(exprs, flags, ids, (unsigned int)n, HS_MODE_BLOCK,
			     NULL, &db->hs, &cerr);
	if (e != HS_SUCCESS) {
		const char *msg = cerr != NULL && cerr->message != NULL ?
			cerr->message : "unknown error";

		if (cerr != NULL && cerr->expression >= 0 &&
		    (size_t)cerr->expression < n) {
			dpi_name_rule(db, n_sigs, (size_t)cerr->expression,
				      what, sizeof(what));
			hyp_errf(err, err_len, "%s: %s", what, msg);
		} else {
			hyp_errf(err, err_len, "compiling payload rules: %s",
				msg);
		}
		hs_free_compile_error(cerr);
		db->hs = NULL;
		ret = e == HS_NOMEM ? ENOMEM : EINVAL;
		goto fail;
	}
	/* the same patterns for TCP streams: a match may span segments */
	e = hs_compile_multi(exprs, flags, ids, (unsigned int)n, HS_MODE_STREAM, NULL,
			     &db->hs_stream, &cerr);
	if (e != HS_SUCCESS) {
		hyp_errf(err, err_len, "compiling payload rules for streams: %s",
			 cerr != NULL && cerr->message != NULL ? cerr->message : "unknown error");
		hs_free_compile_error(cerr);
		db->hs_stream = NULL;
		ret = e == HS_NOMEM ? ENOMEM : EINVAL;
		goto fail;
	}
	ret = 0;
	goto out;

nomem:
	hyp_errf(err, err_len, "out of memory");
	ret = ENOMEM;
fail:
	hyp_dpi_free(db);
	db = NULL;
out:
	if (exprs != NULL) {
		/* only the escaped signatures were allocated here */
		for (i = 0; i < n_sigs; i++)
			free((void *)(uintptr_t)exprs[i]);
	}
	free(exprs);
	free(flags);
	free(ids);
	if (ret != 0)
		errno = ret;
	return db;
}

size_t
hyp_dpi_rule_count(const struct hyp_dpi_db *db)
{
	return db == NULL ? 0 : db->n_rules;
}

uint32_t
hyp_dpi_rule_id(const struct hyp_dpi_db *db, size_t idx)
{
	if (db == NULL || idx >= db->n_rules)
		return UINT32_MAX;
	return db->rules[idx].id;
}

int
hyp_dpi_scratch_alloc(const struct hyp_dpi_db *db, struct hyp_dpi_scratch **s)
{
	struct hyp_dpi_scratch *x;
	int ret;

	if (db == NULL || s == NULL)
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return -ENOMEM;
	if (db->hs != NULL) {
		ret = dpi_hs_errno(hs_alloc_scratch(db->hs, &x->hs));
		if (ret == 0)
			ret = dpi_hs_errno(hs_alloc_scratch(db->hs_stream, &x->hs));
		if (ret < 0) {
			hs_free_scratch(x->hs);
			free(x);
			return ret;
		}
	}
	*s = x;
	return 0;
}

int
hyp_dpi_scratch_grow(const struct hyp_dpi_db *db, struct hyp_dpi_scratch *s)
{
	hs_scratch_t *tmp = NULL;
	int ret;

	if (db == NULL || s == NULL)
		return -EINVAL;
	if (db->hs == NULL)
		return 0;
	if (s->hs == NULL) {
		ret = dpi_hs_errno(hs_alloc_scratch(db->hs, &s->hs));
		return ret < 0 ? ret : dpi_hs_errno(hs_alloc_scratch(db->hs_stream, &s->hs));
	}

	/*
	 * hs_alloc_scratch() frees the old scratch before allocating the
	 * new one and loses it on failure; growing a clone keeps s usable
	 * with the running db if this fails.
	 */
	ret = dpi_hs_errno(hs_clone_scratch(s->hs, &tmp));
	if (ret < 0)
		return ret;
	ret = dpi_hs_errno(hs_alloc_scratch(db->hs, &tmp));
	if (ret == 0)
		ret = dpi_hs_errno(hs_alloc_scratch(db->hs_stream, &tmp));
	if (ret < 0) {
		hs_free_scratch(tmp);
		return ret;
	}
	hs_free_scratch(s->hs);
	s->hs = tmp;
	return 0;
}

void
hyp_dpi_scratch_free(struct hyp_dpi_scratch *s)
{
	if (s == NULL)
		return;
	hs_free_scratch(s->hs);
	free(s);
}

static int
dpi_on_match(unsigned int id, unsigned long long from, unsigned long long to,
	     unsigned int flags, void *arg)
{
	struct dpi_scan_ctx *c = arg;
	const struct hyp_dpi_rule *r;
	struct hyp_dpi_match m;
	unsigned int i, weakest;

	(void)from;
	(void)to;
	(void)flags;
	if (id >= c->db->n_rules)
		return 0;
	r = &c->db->rules[id];
	if (r->proto != 0 && r->proto != c->proto)
		return 0;
	if (r->port != 0 && r->port != c->dport)
		return 0;

	m.rule_id = r->id;
	m.action = r->action;
	m.index = id;
	if (c->n < c->max_out) {
		c->out[c->n++] = m;
		return 0;
	}
	/* full: evict the match the verdict would consider last */
	weakest = 0;
	for (i = 1; i < c->n; i++)
		if (dpi_beats(&c->out[weakest], &c->out[i]))
			weakest = i;
	if (dpi_beats(&m, &c->out[weakest]))
		c->out[weakest] = m;
	return 0;
}

int
hyp_dpi_scan(const struct hyp_dpi_db *db, struct hyp_dpi_scratch *s,
	     const uint8_t *payload, size_t len, uint8_t proto,
	     uint16_t dport, struct hyp_dpi_match *out, unsigned int max_out)
{
	struct dpi_scan_ctx c;
	hs_error_t e;

	if (db == NULL || s == NULL || (payload == NULL && len > 0) ||
	    (out == NULL && max_out > 0))
		return -EINVAL;
	if (len > UINT_MAX)
		return -E2BIG;
	/* no pattern matches an empty buffer: Hyperscan refuses those */
	if (db->hs == NULL || len == 0 || max_out == 0)
		return 0;
	/* the count is returned as int */
	if (max_out > INT_MAX)
		max_out = INT_MAX;
	if (s->hs == NULL)
		return -EINVAL;

	c.db = db;
	c.out = out;
	c.max_out = max_out;
	c.n = 0;
	c.proto = proto;
	c.dport = dport;
	e = hs_scan(db->hs, (const char *)payload, (unsigned int)len, 0, s->hs,
		    dpi_on_match, &c);
	if (e != HS_SUCCESS)
		return dpi_hs_errno(e);
	return (int)c.n;
}

enum hyp_action
hyp_dpi_verdict(const struct hyp_dpi_match *m, unsigned int n,
		const struct hyp_dpi_match **which)
{
	const struct hyp_dpi_match *best = NULL;
	unsigned int i;

	if (m != NULL) {
		for (i = 0; i < n; i++)
			if (best == NULL || dpi_beats(&m[i], best))
				best = &m[i];
	}
	if (which != NULL)
		*which = best;
	return best == NULL ? HYP_ACTION_PASS : best->action;
}

size_t
hyp_dpi_stream_size(const struct hyp_dpi_db *db)
{
	size_t n = 0;

	if (db == NULL || db->hs_stream == NULL ||
	    hs_stream_size(db->hs_stream, &n) != HS_SUCCESS)
		return 0;
	return n + sizeof(struct hyp_dpi_stream);
}

int
hyp_dpi_stream_open(const struct hyp_dpi_db *db, struct hyp_dpi_stream **st)
{
	struct hyp_dpi_stream *x;
	int ret;

	if (db == NULL || st == NULL)
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return -ENOMEM;
	/* no rules: a stream that matches nothing */
	if (db->hs_stream != NULL) {
		ret = dpi_hs_errno(hs_open_stream(db->hs_stream, 0, &x->hs));
		if (ret < 0) {
			free(x);
			return ret;
		}
	}
	*st = x;
	return 0;
}

int
hyp_dpi_stream_scan(const struct hyp_dpi_db *db, struct hyp_dpi_stream *st,
		    struct hyp_dpi_scratch *s, const uint8_t *data, size_t len, uint8_t proto,
		    uint16_t dport, struct hyp_dpi_match *out, unsigned int max_out)
{
	struct dpi_scan_ctx c = {
		.db = db, .out = out, .max_out = max_out > INT_MAX ? INT_MAX : max_out,
		.proto = proto, .dport = dport,
	};
	hs_error_t e;

	if (db == NULL || st == NULL || s == NULL || (data == NULL && len > 0) ||
	    (out == NULL && max_out > 0))
		return -EINVAL;
	if (len > UINT_MAX)
		return -E2BIG;
	if (st->hs == NULL || len == 0 || max_out == 0)
		return 0;
	if (s->hs == NULL)
		return -EINVAL;
	e = hs_scan_stream(st->hs, (const char *)data, (unsigned int)len, 0, s->hs, dpi_on_match,
			   &c);
	if (e != HS_SUCCESS)
		return dpi_hs_errno(e);
	return (int)c.n;
}

int
hyp_dpi_stream_close(const struct hyp_dpi_db *db, struct hyp_dpi_stream *st,
		     struct hyp_dpi_scratch *s, uint8_t proto, uint16_t dport,
		     struct hyp_dpi_match *out, unsigned int max_out)
{
	struct dpi_scan_ctx c = {
		.db = db, .out = out, .max_out = max_out > INT_MAX ? INT_MAX : max_out,
		.proto = proto, .dport = dport,
	};
	bool report = db != NULL && s != NULL && s->hs != NULL && max_out > 0;
	hs_error_t e = HS_SUCCESS;

	if (st == NULL)
		return 0;
	/* without the database (a reload freed it) the stream goes unread */
	if (st->hs != NULL)
		e = hs_close_stream(st->hs, report ? s->hs : NULL, report ? dpi_on_match : NULL,
				    report ? &c : NULL);
	free(st);
	if (e != HS_SUCCESS)
		return dpi_hs_errno(e);
	return (int)c.n;
}
