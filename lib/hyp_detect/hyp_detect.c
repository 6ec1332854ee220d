/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prefilter and verify. The candidate set of a packet is a bitmap and a
 * list in the scratch (no allocation on the data path); the verifier is a
 * recursion over the rule's options whose only loop is the next
 * occurrence of a content, bounded by the step budget.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hs.h>
#include <pcre2.h>

#include "hyp_detect.h"


/*
 * Classes: a packet's protocol, or the application message event (HTTP
 * or TLS) a rule with its buffers is inspected at (in hyp_app_ev order).
 */
enum { CL_TCP, CL_UDP, CL_ICMP, CL_OTHER, CL_APP, CL_MAX = CL_APP + HYP_APP_EV_MAX - 1 };
#define CL_PACKETS	((1u << CL_APP) - 1)
#define CL_EV(ev)	(1u << (CL_APP + (ev) - 1))
enum { BUF_PAYLOAD = HYP_BUF_PAYLOAD, BUF_DNS = HYP_BUF_DNS_QUERY, BUF_MAX = HYP_BUF_MAX };
/*
 * A cursor: the position in each buffer, and HI, the furthest payload
 * byte the match so far looked at (a stream window's match must reach
 * past the bytes inspected before).
 */
enum { HI = BUF_MAX, CUR_N };

#define PCRE_MATCH_LIMIT	3500	/* Suricata's default match-limit */
#define PCRE_DEPTH_LIMIT	1500

struct det_fb {
	uint8_t cmd;		/* enum hyp_flowbits_cmd */
	bool any;
	uint8_t n;
	uint16_t bit[HYP_FLOWBITS_NAMES];
};

struct det_rule {
	pcre2_code **re;	/* per option; NULL unless a pcre */
	uint16_t classes;	/* 1 << CL_* */
	bool app;		/* inspected at HTTP or TLS events, not on packets */
	bool dns_opts;		/* has options on the DNS query buffer */
	/*
	 * Suricata's flowbit order: rules that only write bits (set, unset,
	 * toggle) and those without flowbits first, then those that read
	 * and write, then those that only read (isset, isnotset).
	 */
	uint8_t fb_tier;
	bool noalert;
	bool reads_payload;	/* a positive payload option: a window's match must reach new bytes */
	struct det_fb *fb;	/* the rule's flowbits, with their bits */
	unsigned int n_fb;
};

#define FLOWBIT_NAMES_MAX	4096

#define PG_MAX_PORTS	16	/* a rule naming more ports is a candidate on every port */

struct det_port_group {
	uint32_t *always;
	unsigned int n;
};

enum { FB_TIER_WRITE, FB_TIER_READ_WRITE, FB_TIER_READ, FB_TIERS };

struct det_db {
	hs_database_t *db;
	uint32_t *rule;		/* Hyperscan id -> rule index */
	unsigned int n;
};

struct hyp_detect {
	struct hyp_rule *rules;
	struct det_rule *dr;
	unsigned int n;
	struct det_db db[CL_MAX][BUF_MAX];
	uint32_t *always[CL_MAX];	/* rules without a fast pattern, of any port */
	unsigned int n_always[CL_MAX];
	/*
	 * Port groups for the rules without a fast pattern (TCP, UDP): one
	 * that names a few ports is a candidate only on packets to or from
	 * them. (Their fast patterns stay in one database per class: split
	 * by port, a long payload's two scans cost more than the one.)
	 */
	uint16_t *pg[CL_MAX];		/* port -> group + 1, 0: none */
	struct det_port_group *groups;
	unsigned int n_groups;
	pcre2_match_context *mctx;
	unsigned int max_ovec;
	unsigned int http_rules;	/* with HTTP buffers, or of protocol http */
	unsigned int tls_rules;		/* with TLS buffers, or of protocol tls */
	char **fb_names;	/* bit -> name */
	unsigned int n_fb_names;
};

struct hyp_detect_scratch {
	hs_scratch_t *hs;
	pcre2_match_data *md;
	uint8_t *seen;		/* per rule: in list already */
	uint32_t *list;
	unsigned int n_list;
	struct hyp_detect_stats st;
};

/* ---- build ---- */

static uint8_t
opt_buf(const struct hyp_rule_opt *o)
{
	return o->type == HYP_RO_CONTENT ? o->u.content.buf :
	       o->type == HYP_RO_PCRE ? o->u.pcre.buf : o->buf;
}

/*
 * A rule with HTTP or TLS buffers: the event of its message (the
 * direction its flow option or its buffers say; either, both) that has
 * all its buffers. The parser let through only rules one event can hold.
 */
static uint16_t
app_classes(const struct hyp_rule *r)
{
	bool req = r->flow & HYP_FLOW_TO_SERVER, rsp = r->flow & HYP_FLOW_TO_CLIENT, body = false;
	bool tls = false;
	unsigned int i;
	uint16_t c = 0;

	for (i = 0; i < r->n_opts; i++) {
		uint8_t b = opt_buf(&r->opts[i]);

		if (!hyp_buf_is_app(b))
			continue;
		tls |= hyp_buf_is_tls(b);
		req |= hyp_buf_descs[b].side == HYP_BUF_SIDE_REQUEST ||
		       hyp_buf_descs[b].side == HYP_BUF_SIDE_TLS_HELLO;
		rsp |= hyp_buf_descs[b].side == HYP_BUF_SIDE_RESPONSE ||
		       hyp_buf_descs[b].side == HYP_BUF_SIDE_TLS_CERT;
		body |= hyp_buf_descs[b].body;
	}
	if (tls)	/* one side: the parser refused a rule with both */
		return req ? CL_EV(HYP_TLS_EV_HELLO) : CL_EV(HYP_TLS_EV_CERT);
	if (!req && !rsp)
		req = rsp = true;
	if (req)
		c |= CL_EV(body ? HYP_HTTP_EV_REQUEST_BODY : HYP_HTTP_EV_REQUEST);
	if (rsp)
		c |= CL_EV(body ? HYP_HTTP_EV_RESPONSE_BODY : HYP_HTTP_EV_RESPONSE);
	return c;
}

/* buffers of an application message: HTTP (tls false) or TLS (true) */
static bool
has_app_buffers(const struct hyp_rule *r, bool tls)
{
	unsigned int i;

	for (i = 0; i < r->n_opts; i++)
		if (tls ? hyp_buf_is_tls(opt_buf(&r->opts[i])) :
			  hyp_buf_is_http(opt_buf(&r->opts[i])))
			return true;
	return false;
}

static uint16_t
rule_classes(const struct hyp_rule *r)
{
	if (has_app_buffers(r, false) || has_app_buffers(r, true))
		return app_classes(r);
	switch (r->proto) {
	case HYP_RP_IP:
		return CL_PACKETS;
	case HYP_RP_UDP:
		return 1u << CL_UDP;
	case HYP_RP_ICMP:
		return 1u << CL_ICMP;
	case HYP_RP_DNS:
		return 1u << CL_TCP | 1u << CL_UDP;
	default:	/* tcp, tcp-pkt, tcp-stream, http */
		return 1u << CL_TCP;
	}
}

/* The fast pattern: the content marked so, else the longest positive one. */
static int
fast_pattern(const struct hyp_rule *r)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < r->n_opts; i++) {
		const struct hyp_rule_content *k = &r->opts[i].u.content;

		if (r->opts[i].type != HYP_RO_CONTENT || k->negated)
			continue;
		if (k->fast_pattern)
			return (int)i;
		if (best < 0 || k->len > r->opts[best].u.content.len)
			best = (int)i;
	}
	return best;
}

/* an option that matches bytes of its buffer (not their absence) */
static bool
reads_bytes(const struct hyp_rule_opt *o)
{
	switch (o->type) {
	case HYP_RO_CONTENT: return !o->u.content.negated;
	case HYP_RO_PCRE: return !o->u.pcre.negated;
	case HYP_RO_ISDATAAT: return !o->u.isdataat.negated;
	case HYP_RO_BYTE_TEST:
	case HYP_RO_BYTE_JUMP:
	case HYP_RO_BYTE_EXTRACT:
		return true;
	default:
		return false;
	}
}

static uint32_t
pcre_options(uint32_t f)
{
	uint32_t o = 0;

	if (f & HYP_PCRE_I)
		o |= PCRE2_CASELESS;
	if (f & HYP_PCRE_S)
		o |= PCRE2_DOTALL;
	if (f & HYP_PCRE_M)
		o |= PCRE2_MULTILINE;
	if (f & HYP_PCRE_X)
		o |= PCRE2_EXTENDED;
	if (f & HYP_PCRE_A)
		o |= PCRE2_ANCHORED;
	if (f & HYP_PCRE_E)
		o |= PCRE2_DOLLAR_ENDONLY;
	if (f & HYP_PCRE_G)
		o |= PCRE2_UNGREEDY;
	return o;
}

/* A flowbit name's bit, given at first sight; -1 past FLOWBIT_NAMES_MAX, -2 no memory. */
static int
flowbit(struct hyp_detect *d, const char *name)
{
	unsigned int i;
	char **nn;

	for (i = 0; i < d->n_fb_names; i++)
		if (strcmp(d->fb_names[i], name) == 0)
			return (int)i;
	if (d->n_fb_names == FLOWBIT_NAMES_MAX)
		return -1;
	nn = realloc(d->fb_names, (d->n_fb_names + 1) * sizeof(*nn));
	if (nn == NULL)
		return -2;
	d->fb_names = nn;
	nn[d->n_fb_names] = strdup(name);
	if (nn[d->n_fb_names] == NULL)
		return -2;
	return (int)d->n_fb_names++;
}

static int
compile_flowbits(struct hyp_detect *d, const struct hyp_rule *r, struct det_rule *dr)
{
	unsigned int i, k;
	bool reads, writes;

	if (r->n_flowbits == 0)
		return 0;
	dr->fb = calloc(r->n_flowbits, sizeof(*dr->fb));
	if (dr->fb == NULL)
		return -ENOMEM;
	dr->n_fb = r->n_flowbits;
	for (i = 0, reads = writes = false; i < r->n_flowbits; i++) {
		const struct hyp_rule_flowbits *f = &r->flowbits[i];

		dr->fb[i].cmd = f->cmd;
		dr->fb[i].any = f->any;
		dr->fb[i].n = f->n;
		if (f->cmd == HYP_FB_NOALERT)
			dr->noalert = true;
		if (f->cmd == HYP_FB_ISSET || f->cmd == HYP_FB_ISNOTSET)
			reads = true;
		else if (f->cmd != HYP_FB_NOALERT)
			writes = true;
		for (k = 0; k < f->n; k++) {
			int b = flowbit(d, f->names[k]);

			if (b == -2)
				return -ENOMEM;
			if (b < 0)
				return -E2BIG;
			dr->fb[i].bit[k] = (uint16_t)b;
		}
	}
	dr->fb_tier = !reads ? FB_TIER_WRITE : writes ? FB_TIER_READ_WRITE : FB_TIER_READ;
	return 0;
}

/* A rule's pcre options compiled; -EINVAL with why when PCRE2 refuses one. */
static int
compile_pcres(struct hyp_detect *d, const struct hyp_rule *r, struct det_rule *dr,
	      struct hyp_detect_info *info, char *why, size_t len)
{
	unsigned int i;

	for (i = 0; i < r->n_opts; i++) {
		PCRE2_UCHAR msg[160];
		PCRE2_SIZE eoff;
		uint32_t cap = 0;
		int ec;

		if (r->opts[i].type != HYP_RO_PCRE)
			continue;
		if (dr->re == NULL) {
			dr->re = calloc(r->n_opts, sizeof(*dr->re));
			if (dr->re == NULL)
				return -ENOMEM;
		}
		dr->re[i] = pcre2_compile((PCRE2_SPTR)r->opts[i].u.pcre.re, PCRE2_ZERO_TERMINATED,
					  pcre_options(r->opts[i].u.pcre.flags), &ec, &eoff, NULL);
		if (dr->re[i] == NULL) {
			pcre2_get_error_message(ec, msg, sizeof(msg));
			snprintf(why, len, "pcre /%.60s/: %s at %zu", r->opts[i].u.pcre.re,
				 (const char *)msg, (size_t)eoff);
			return -EINVAL;
		}
		if (pcre2_jit_compile(dr->re[i], PCRE2_JIT_COMPLETE) == 0)
			info->pcre_jit++;
		if (pcre2_pattern_info(dr->re[i], PCRE2_INFO_CAPTURECOUNT, &cap) == 0 &&
		    cap + 1 > d->max_ovec)
			d->max_ovec = cap + 1;
	}
	return 0;
}

static int
build_db(struct det_db *db, const struct hyp_rule *rules, const int *fp, const uint32_t *idx,
	 unsigned int n, char *err, size_t err_len)
{
	char **pat = calloc(n, sizeof(*pat));
	unsigned int *flags = calloc(n, sizeof(*flags)), *ids = calloc(n, sizeof(*ids)), i, j;
	hs_compile_error_t *ce = NULL;
	int ret = 0;

	db->rule = malloc(n * sizeof(*db->rule));
	if (pat == NULL || flags == NULL || ids == NULL || db->rule == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	/*
	 * Each literal as a pattern of \xHH escapes: Hyperscan's compiler sees a
	 * pure literal and builds the same literal matcher, and no byte (NUL
	 * first, which vectorscan's literal API refuses) needs a special case.
	 */
	for (i = 0; i < n; i++) {
		const struct hyp_rule_content *k = &rules[idx[i]].opts[fp[idx[i]]].u.content;

		pat[i] = malloc((size_t)k->len * 4 + 1);
		if (pat[i] == NULL) {
			ret = -ENOMEM;
			goto out;
		}
		for (j = 0; j < k->len; j++)
			snprintf(pat[i] + j * 4, 5, "\\x%02x", k->pat[j]);
		flags[i] = HS_FLAG_SINGLEMATCH | (k->nocase ? HS_FLAG_CASELESS : 0);
		ids[i] = i;
		db->rule[i] = idx[i];
	}
	db->n = n;
	if (hs_compile_multi((const char *const *)pat, flags, ids, n, HS_MODE_BLOCK, NULL, &db->db,
			     &ce) != HS_SUCCESS) {
		snprintf(err, err_len, "Hyperscan refused the fast patterns: %s",
			 ce != NULL && ce->message != NULL ? ce->message : "?");
		hs_free_compile_error(ce);
		ret = -EINVAL;
	}
out:
	for (i = 0; pat != NULL && i < n; i++)
		free(pat[i]);
	free(pat);
	free(flags);
	free(ids);
	return ret;
}

/*
 * The few ports an expression names, into ports (at most PG_MAX_PORTS):
 * a range, or a group of positive ranges only; 0 for anything else (any,
 * a negation, a nested group, too many), which is too much to group.
 */
static unsigned int
named_ports(const struct hyp_rule_expr *e, uint16_t ports[PG_MAX_PORTS])
{
	const struct hyp_rule_node *nd;
	unsigned int n = 0, p;
	uint16_t k;

	if (e->n == 0 || e->nodes[0].neg)
		return 0;
	nd = &e->nodes[0];
	if (nd->kind == HYP_RN_RANGE) {
		if (nd->hi - nd->lo >= PG_MAX_PORTS)
			return 0;
		for (p = nd->lo; p <= nd->hi; p++)
			ports[n++] = (uint16_t)p;
		return n;
	}
	if (nd->kind != HYP_RN_GROUP || nd->first == HYP_RN_NONE)
		return 0;
	for (k = nd->first; k != HYP_RN_NONE; k = e->nodes[k].next) {
		const struct hyp_rule_node *m = &e->nodes[k];

		if (m->neg || m->kind != HYP_RN_RANGE || n + (m->hi - m->lo) + 1u > PG_MAX_PORTS)
			return 0;
		for (p = m->lo; p <= m->hi; p++)
			ports[n++] = (uint16_t)p;
	}
	return n;
}

/* the ports a rule's packets must have (its destination, else its source); 0: any */
static unsigned int
rule_ports(const struct hyp_rule *r, uint16_t ports[PG_MAX_PORTS])
{
	unsigned int n;

	if (r->bidir)
		return 0;	/* either side may hold the port */
	n = named_ports(&r->dport, ports);
	if (n == 0 && (r->dport.n == 0 || r->dport.nodes[0].kind == HYP_RN_ANY))
		n = named_ports(&r->sport, ports);
	return n;
}

static int
list_add(uint32_t **list, unsigned int *n, uint32_t v)
{
	uint32_t *nl = realloc(*list, (*n + 1) * sizeof(**list));

	if (nl == NULL)
		return -ENOMEM;
	*list = nl;
	nl[(*n)++] = v;
	return 0;
}

/* rule i (no fast pattern) into the group of each of its ports in class c */
static int
group_add(struct hyp_detect *d, unsigned int c, uint32_t i, const uint16_t *ports,
	  unsigned int np)
{
	struct det_port_group *g;
	unsigned int k;

	if (d->pg[c] == NULL) {
		d->pg[c] = calloc(65536, sizeof(*d->pg[c]));
		if (d->pg[c] == NULL)
			return -ENOMEM;
	}
	for (k = 0; k < np; k++) {
		if (d->pg[c][ports[k]] == 0) {
			g = realloc(d->groups, (d->n_groups + 1) * sizeof(*g));
			if (g == NULL)
				return -ENOMEM;
			d->groups = g;
			memset(&d->groups[d->n_groups], 0, sizeof(*g));
			d->pg[c][ports[k]] = (uint16_t)++d->n_groups;
		}
		g = &d->groups[d->pg[c][ports[k]] - 1u];
		if (g->n > 0 && g->always[g->n - 1] == i)
			continue;	/* a port named twice */
		if (list_add(&g->always, &g->n, i) < 0)
			return -ENOMEM;
	}
	return 0;
}

void
hyp_detect_free(struct hyp_detect *d)
{
	unsigned int i, k;

	if (d == NULL)
		return;
	for (i = 0; i < CL_MAX; i++) {
		for (k = 0; k < BUF_MAX; k++) {
			hs_free_database(d->db[i][k].db);
			free(d->db[i][k].rule);
		}
		free(d->always[i]);
		free(d->pg[i]);
	}
	for (i = 0; i < d->n_groups; i++)
		free(d->groups[i].always);
	free(d->groups);
	for (i = 0; i < d->n; i++) {
		if (d->dr != NULL && d->dr[i].re != NULL) {
			for (k = 0; k < d->rules[i].n_opts; k++)
				pcre2_code_free(d->dr[i].re[k]);
			free(d->dr[i].re);
		}
		hyp_rule_free(&d->rules[i]);
	}
	for (i = 0; d->dr != NULL && i < d->n; i++)
		free(d->dr[i].fb);
	for (i = 0; i < d->n_fb_names; i++)
		free(d->fb_names[i]);
	free(d->fb_names);
	pcre2_match_context_free(d->mctx);
	free(d->rules);
	free(d->dr);
	free(d);
}

int
hyp_detect_build(struct hyp_ruleset *set, struct hyp_rules_report *rep,
		 struct hyp_detect **out, struct hyp_detect_info *info, char *err,
		 size_t err_len)
{
	struct hyp_detect *d = calloc(1, sizeof(*d));
	uint32_t *idx[CL_MAX][BUF_MAX] = { { NULL } };
	unsigned int n_idx[CL_MAX][BUF_MAX] = { { 0 } };
	uint16_t ports[PG_MAX_PORTS];
	unsigned int np;
	struct timespec t0, t1;
	int *fp = NULL;
	unsigned int i, c, b;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(info, 0, sizeof(*info));
	*out = NULL;
	if (d == NULL)
		return -ENOMEM;
	d->max_ovec = 1;
	d->mctx = pcre2_match_context_create(NULL);
	d->rules = calloc(set->n + 1, sizeof(*d->rules));
	d->dr = calloc(set->n + 1, sizeof(*d->dr));
	fp = calloc(set->n + 1, sizeof(*fp));
	if (d->mctx == NULL || d->rules == NULL || d->dr == NULL || fp == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	pcre2_set_match_limit(d->mctx, PCRE_MATCH_LIMIT);
	pcre2_set_depth_limit(d->mctx, PCRE_DEPTH_LIMIT);

	/* take every rule; one whose pcre PCRE2 refuses is counted an error and freed */
	for (i = 0; i < set->n; i++) {
		struct hyp_rule *r = &set->rules[i];
		char why[256];

		/* taken: from here the engine frees it */
		d->rules[d->n] = *r;
		memset(r, 0, sizeof(*r));
		d->n++;
		ret = compile_pcres(d, &d->rules[d->n - 1], &d->dr[d->n - 1], info, why,
				    sizeof(why));
		if (ret == -EINVAL) {
			char msg[300];
			struct det_rule *dr = &d->dr[d->n - 1];
			struct hyp_rule *t = &d->rules[d->n - 1];

			snprintf(msg, sizeof(msg), "sid %u: %s", t->sid, why);
			ret = hyp_rules_report_unload(rep, t, NULL, msg);
			for (c = 0; dr->re != NULL && c < t->n_opts; c++)
				pcre2_code_free(dr->re[c]);
			free(dr->re);
			dr->re = NULL;
			hyp_rule_free(t);
			d->n--;
		}
		if (ret < 0)
			goto fail;
	}
	set->n = 0;

	for (i = 0; i < d->n; i++) {
		const struct hyp_rule *r = &d->rules[i];
		struct det_rule *dr = &d->dr[i];

		dr->classes = rule_classes(r);
		dr->app = has_app_buffers(r, false) || has_app_buffers(r, true);
		d->http_rules += has_app_buffers(r, false) || r->proto == HYP_RP_HTTP;
		d->tls_rules += has_app_buffers(r, true) || r->proto == HYP_RP_TLS;
		ret = compile_flowbits(d, r, dr);
		if (ret == -E2BIG) {
			snprintf(err, err_len, "more than %d flowbit names", FLOWBIT_NAMES_MAX);
			ret = -EINVAL;
		}
		if (ret < 0)
			goto fail;
		for (c = 0; c < r->n_opts; c++) {
			if (r->opts[c].buf == HYP_BUF_DNS_QUERY)
				dr->dns_opts = true;
			else if (r->opts[c].buf == HYP_BUF_PAYLOAD && reads_bytes(&r->opts[c]))
				dr->reads_payload = true;
		}
		fp[i] = fast_pattern(r);
		if (fp[i] < 0)
			info->no_fast_pattern++;
		np = fp[i] < 0 ? rule_ports(r, ports) : 0;
		for (c = 0; c < CL_MAX; c++) {
			uint32_t **list;
			unsigned int *n;

			if (!(dr->classes & (1u << c)))
				continue;
			if (fp[i] < 0 && np > 0 && (c == CL_TCP || c == CL_UDP)) {
				ret = group_add(d, c, i, ports, np);
				if (ret < 0)
					goto fail;
				continue;
			}
			if (fp[i] < 0) {
				list = &d->always[c];
				n = &d->n_always[c];
			} else {
				b = r->opts[fp[i]].u.content.buf;
				list = &idx[c][b];
				n = &n_idx[c][b];
			}
			{
				uint32_t *nl = realloc(*list, (*n + 1) * sizeof(**list));

				if (nl == NULL) {
					ret = -ENOMEM;
					goto fail;
				}
				*list = nl;
				nl[(*n)++] = i;
			}
		}
	}
	for (c = 0; c < CL_MAX; c++)
		for (b = 0; b < BUF_MAX; b++) {
			size_t sz = 0;

			if (n_idx[c][b] == 0)
				continue;
			ret = build_db(&d->db[c][b], d->rules, fp, idx[c][b], n_idx[c][b], err,
				       err_len);
			if (ret < 0)
				goto fail;
			info->databases++;
			if (hs_database_size(d->db[c][b].db, &sz) == HS_SUCCESS)
				info->db_bytes += sz;
		}
	for (c = 0; c < CL_MAX; c++)
		for (b = 0; b < BUF_MAX; b++)
			free(idx[c][b]);
	free(fp);
	info->rules = d->n;
	info->port_groups = d->n_groups;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	info->build_ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	*out = d;
	return 0;

fail:
	for (c = 0; c < CL_MAX; c++)
		for (b = 0; b < BUF_MAX; b++)
			free(idx[c][b]);
	free(fp);
	/* rules not yet taken stay in set (the caller frees them); taken ones go here */
	hyp_detect_free(d);
	if (ret == -ENOMEM)
		snprintf(err, err_len, "out of memory");
	return ret;
}

int
hyp_detect_scratch_alloc(const struct hyp_detect *d, struct hyp_detect_scratch **out)
{
	struct hyp_detect_scratch *s = calloc(1, sizeof(*s));
	unsigned int c, b;

	*out = NULL;
	if (s == NULL)
		return -ENOMEM;
	s->seen = calloc(d->n + 1, 1);
	s->list = calloc(d->n + 1, sizeof(*s->list));
	s->md = pcre2_match_data_create(d->max_ovec, NULL);
	if (s->seen == NULL || s->list == NULL || s->md == NULL)
		goto fail;
	for (c = 0; c < CL_MAX; c++)
		for (b = 0; b < BUF_MAX; b++)
			if (d->db[c][b].db != NULL &&
			    hs_alloc_scratch(d->db[c][b].db, &s->hs) != HS_SUCCESS)
				goto fail;
	*out = s;
	return 0;
fail:
	hyp_detect_scratch_free(s);
	return -ENOMEM;
}

void
hyp_detect_scratch_free(struct hyp_detect_scratch *s)
{
	if (s == NULL)
		return;
	hs_free_scratch(s->hs);
	pcre2_match_data_free(s->md);
	free(s->seen);
	free(s->list);
	free(s);
}

unsigned int
hyp_detect_flowbit_words(const struct hyp_detect *d)
{
	return (d->n_fb_names + 63) / 64;
}

unsigned int
hyp_detect_rule_count(const struct hyp_detect *d)
{
	return d->n;
}

const struct hyp_rule *
hyp_detect_rule(const struct hyp_detect *d, uint32_t idx)
{
	return idx < d->n ? &d->rules[idx] : NULL;
}

void
hyp_detect_scratch_stats(const struct hyp_detect_scratch *s, struct hyp_detect_stats *st)
{
	/* the worker writes them; a reader may see a count a packet old */
	st->packets = __atomic_load_n(&s->st.packets, __ATOMIC_RELAXED);
	st->candidates = __atomic_load_n(&s->st.candidates, __ATOMIC_RELAXED);
	st->matches = __atomic_load_n(&s->st.matches, __ATOMIC_RELAXED);
	st->step_limit = __atomic_load_n(&s->st.step_limit, __ATOMIC_RELAXED);
	st->filtered = __atomic_load_n(&s->st.filtered, __ATOMIC_RELAXED);
	st->pcre_errors = __atomic_load_n(&s->st.pcre_errors, __ATOMIC_RELAXED);
	st->scan_errors = __atomic_load_n(&s->st.scan_errors, __ATOMIC_RELAXED);
}

const struct hyp_stat_desc hyp_detect_stat_descs[] = {
	HYP_STAT(struct hyp_detect_stats, packets, COUNTER,
		 "Packets and stream chunks the Suricata rules inspected"),
	HYP_STAT(struct hyp_detect_stats, candidates, COUNTER,
		 "Rules the prefilter named (or that have no fast pattern) and were verified"),
	HYP_STAT(struct hyp_detect_stats, matches, COUNTER, "Rules that matched"),
	HYP_STAT(struct hyp_detect_stats, step_limit, COUNTER,
		 "Rules given up on: their verification step budget spent (no match)"),
	HYP_STAT(struct hyp_detect_stats, filtered, COUNTER,
		 "Matches a detection_filter held back (not yet its count in its window)"),
	HYP_STAT(struct hyp_detect_stats, pcre_errors, COUNTER,
		 "pcre matches that failed with an error (a match limit), taken as no match"),
	HYP_STAT(struct hyp_detect_stats, scan_errors, COUNTER, "Hyperscan scans that failed"),
};
const unsigned int hyp_detect_stat_count = HYP_DIM(hyp_detect_stat_descs);

/* ---- inspect ---- */

struct cand_ctx {
	struct hyp_detect_scratch *s;
	const struct det_db *db;
};

static int
on_literal(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
	   void *arg)
{
	struct cand_ctx *c = arg;
	uint32_t r = c->db->rule[id];

	(void)from;
	(void)to;
	(void)flags;
	if (!c->s->seen[r]) {
		c->s->seen[r] = 1;
		c->s->list[c->s->n_list++] = r;
	}
	return 0;
}

static void
scan(const struct det_db *db, struct hyp_detect_scratch *s, const uint8_t *buf, size_t len)
{
	struct cand_ctx c = { s, db };

	if (db->db == NULL || len == 0)
		return;
	if (hs_scan(db->db, (const char *)buf, (unsigned int)len, 0, s->hs, on_literal, &c) !=
	    HS_SUCCESS)
		s->st.scan_errors++;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static unsigned int
pkt_class(const struct hyp_detect_pkt *p)
{
	if (p->app_ev > HYP_APP_EV_NONE && p->app_ev < HYP_APP_EV_MAX)
		return CL_APP + p->app_ev - 1;
	switch (p->proto) {
	case 6: return CL_TCP;
	case 17: return CL_UDP;
	case 1: case 58: return CL_ICMP;
	default: return CL_OTHER;
	}
}

/*
 * Which view a rule inspects, as Suricata's: a stream chunk is for tcp,
 * tcp-stream (and dns over TCP) rules; a segment whose bytes also reach
 * the stream is for tcp-pkt and ip rules only; a segment without a stream
 * for every TCP rule but tcp-stream.
 */
static bool
proto_ok(const struct hyp_rule *r, const struct hyp_detect_pkt *p)
{
	bool tcp_view = p->stream || !p->in_stream;

	/* an application event: only the rules of its class are candidates */
	if (p->app_ev != HYP_APP_EV_NONE)
		return p->proto == 6 && (r->proto == HYP_RP_TCP || r->proto == HYP_RP_IP ||
					 r->proto == (hyp_app_ev_is_tls(p->app_ev) ? HYP_RP_TLS :
										     HYP_RP_HTTP));
	switch (r->proto) {
	case HYP_RP_IP: return !p->stream;
	case HYP_RP_TCP: return p->proto == 6 && tcp_view;
	case HYP_RP_TCP_PKT: return p->proto == 6 && !p->stream;
	case HYP_RP_TCP_STREAM: return p->proto == 6 && p->stream;
	case HYP_RP_HTTP: return p->proto == 6 && p->app_http && tcp_view;
	case HYP_RP_TLS: return p->proto == 6 && p->app_tls && tcp_view;
	case HYP_RP_UDP: return p->proto == 17;
	case HYP_RP_ICMP: return p->proto == 1 || p->proto == 58;
	default: return p->dns && (p->proto == 17 || tcp_view);	/* dns */
	}
}

static bool
hosts_ok(const struct hyp_rule *r, const struct hyp_detect_pkt *p, bool rev)
{
	const uint8_t *src = rev ? p->dst : p->src, *dst = rev ? p->src : p->dst;
	uint16_t sp = rev ? p->dport : p->sport, dp = rev ? p->sport : p->dport;
	bool ports = p->proto == 6 || p->proto == 17 || p->proto == 132;

	/* ports first: a few comparisons, where an address list is a tree of CIDRs */
	return (!ports || (hyp_rule_port_match(&r->dport, dp) && hyp_rule_port_match(&r->sport, sp))) &&
	       hyp_rule_addr_match(&r->dst, p->family, dst) &&
	       hyp_rule_addr_match(&r->src, p->family, src);
}

static bool
flow_ok(const struct hyp_rule *r, const struct hyp_detect_pkt *p)
{
	uint8_t f = r->flow;

	if ((f & HYP_FLOW_TO_SERVER) && !p->to_server)
		return false;
	if ((f & HYP_FLOW_TO_CLIENT) && p->to_server)
		return false;
	if ((f & HYP_FLOW_ESTABLISHED) && !p->established)
		return false;
	if ((f & HYP_FLOW_NOT_ESTAB) && p->established)
		return false;
	if ((f & HYP_FLOW_ONLY_STREAM) && !p->stream)
		return false;
	if ((f & HYP_FLOW_NO_STREAM) && p->stream)
		return false;
	return true;
}

static bool
flags_ok(const struct hyp_rule_flags *f, uint8_t flags)
{
	uint8_t v = flags & (uint8_t)~f->ignore;

	switch (f->mod) {
	case '+': return (v & f->set) == f->set;
	case '*': return (v & f->set) != 0;
	case '!': return (v & f->set) == 0;
	default: return f->set == 0 ? v == 0 : v == f->set;
	}
}

/* the options that look at the packet, not a buffer: checked first, cheaply */
static bool
packet_opts_ok(const struct hyp_rule *r, const struct hyp_detect_pkt *p)
{
	unsigned int i;

	for (i = 0; i < r->n_opts; i++) {
		const struct hyp_rule_opt *o = &r->opts[i];

		switch (o->type) {
		case HYP_RO_DSIZE:
			if (p->stream || !hyp_rule_num_match(&o->u.num, p->dsize))
				return false;
			break;
		case HYP_RO_TTL:
			if (!hyp_rule_num_match(&o->u.num, p->ttl))
				return false;
			break;
		case HYP_RO_ITYPE:
			if ((p->proto != 1 && p->proto != 58) ||
			    !hyp_rule_num_match(&o->u.num, p->icmp_type))
				return false;
			break;
		case HYP_RO_ICODE:
			if ((p->proto != 1 && p->proto != 58) ||
			    !hyp_rule_num_match(&o->u.num, p->icmp_code))
				return false;
			break;
		case HYP_RO_FLAGS:
			if (p->proto != 6 || !flags_ok(&o->u.flags, p->tcp_flags))
				return false;
			break;
		default:
			break;
		}
	}
	return true;
}

/* The verifier's state over one rule: the buffers, their cursors, the variables. */
struct vctx {
	const struct hyp_detect *d;
	struct hyp_detect_scratch *s;
	const struct hyp_rule *r;
	const struct det_rule *dr;
	const uint8_t *buf[BUF_MAX];
	uint32_t len[BUF_MAX];
	int64_t base;		/* the payload's first byte's stream offset */
	int64_t new_from;	/* payload bytes before it were inspected before */
	uint64_t vars[HYP_BYTE_VARS];
	int steps;
	bool limited;
};

static bool chain(struct vctx *v, unsigned int i, const int32_t cur[CUR_N]);

static inline int
bufi(uint8_t b)
{
	return b < BUF_MAX ? b : BUF_PAYLOAD;
}

/* payload bytes up to end were looked at */
static inline void
reach(int b, int32_t next[CUR_N], int64_t end)
{
	if (b == BUF_PAYLOAD && end > next[HI])
		next[HI] = (int32_t)end;
}

/* an absolute payload position (a stream offset) in buffer coordinates */
static inline int64_t
absolute(const struct vctx *v, int b, int64_t off)
{
	return b == BUF_PAYLOAD ? off - v->base : off;
}

static inline bool
budget(struct vctx *v)
{
	if (--v->steps > 0)
		return true;
	v->limited = true;
	return false;
}

static bool
bytes_eq(const uint8_t *a, const uint8_t *b, size_t n, bool nocase)
{
	size_t i;

	if (!nocase)
		return memcmp(a, b, n) == 0;
	for (i = 0; i < n; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

/* the first occurrence of k at from.. with its end at most end, or -1 */
static int64_t
find(const uint8_t *buf, int64_t from, int64_t end, const struct hyp_rule_content *k)
{
	int64_t pos;

	if (from < 0 || from + k->len > end)
		return -1;
	if (!k->nocase) {
		const uint8_t *m = memmem(buf + from, (size_t)(end - from), k->pat, k->len);

		return m != NULL ? m - buf : -1;
	}
	for (pos = from; pos + k->len <= end; pos++)
		if (bytes_eq(buf + pos, k->pat, k->len, true))
			return pos;
	return -1;
}

static bool
content_step(struct vctx *v, unsigned int i, const int32_t cur[CUR_N])
{
	const struct hyp_rule_content *k = &v->r->opts[i].u.content;
	int b = bufi(k->buf);
	const uint8_t *buf = v->buf[b];
	int64_t len = v->len[b], start, end, pos;
	bool relative = k->has_distance || k->has_within;
	int32_t next[CUR_N];

	if (relative) {
		start = (int64_t)cur[b] + (k->has_distance ? k->distance : 0);
		end = k->has_within ? start + k->within : len;
	} else {
		/* offset and depth count from the stream's start, not the window's */
		start = absolute(v, b, k->has_offset ? k->offset : 0);
		end = k->has_depth ? start + k->depth : len;
		if (k->startswith && start < 0)
			return k->negated ? chain(v, i + 1, cur) : false;
	}
	if (start < 0)
		start = 0;
	if (end > len)
		end = len;
	if (k->startswith && end > start + k->len)
		end = start + k->len;
	memcpy(next, cur, sizeof(next));
	for (pos = find(buf, start, end, k); pos >= 0; pos = find(buf, pos + 1, end, k)) {
		if (k->endswith && pos + k->len != len)
			continue;
		if (k->negated)
			return false;	/* found where it must not be */
		if (!budget(v))
			return false;
		next[b] = (int32_t)(pos + k->len);
		next[HI] = cur[HI];
		reach(b, next, pos + k->len);
		if (chain(v, i + 1, next))
			return true;
		if (v->limited)
			return false;
	}
	return k->negated ? chain(v, i + 1, cur) : false;
}

static bool
pcre_step(struct vctx *v, unsigned int i, const int32_t cur[CUR_N])
{
	const struct hyp_rule_pcre *pc = &v->r->opts[i].u.pcre;
	int b = bufi(pc->buf);
	uint32_t start = (pc->flags & HYP_PCRE_R) ? (uint32_t)cur[b] : 0;
	/* a window that does not begin the stream has no ^ at its start */
	uint32_t opts = start == 0 && absolute(v, b, 0) < 0 ? PCRE2_NOTBOL : 0;
	int32_t next[CUR_N];
	PCRE2_SIZE *ov;
	int rc;

	if (start > v->len[b])
		return pc->negated ? chain(v, i + 1, cur) : false;
	/* relative: the subject starts at the cursor, so ^ anchors there (Suricata's way) */
	rc = pcre2_match(v->dr->re[i], (PCRE2_SPTR)(v->buf[b] + start), v->len[b] - start, 0, opts,
			 v->s->md, v->d->mctx);
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
		v->s->st.pcre_errors++;
	if (pc->negated)
		return rc < 0 ? chain(v, i + 1, cur) : false;
	if (rc < 0)
		return false;
	ov = pcre2_get_ovector_pointer(v->s->md);
	memcpy(next, cur, sizeof(next));
	next[b] = (int32_t)(start + ov[1]);
	reach(b, next, (int64_t)start + (int64_t)ov[1]);
	return budget(v) && chain(v, i + 1, next);
}

/* nb bytes at pos as a number: binary (endianness), or digits in base; false if out of range */
static bool
read_value(const struct hyp_rule_byte *bt, unsigned int nb, const uint8_t *buf, int64_t len,
	   int64_t pos, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int i;

	if (pos < 0 || pos + nb > len)
		return false;
	if (bt->flags & HYP_BYTE_STRING) {
		for (i = 0; i < nb; i++) {
			int dgt = hyp_hex_digit((char)buf[pos + i]);

			if (dgt < 0 || dgt >= bt->base)
				return false;
			v = v * bt->base + (uint64_t)dgt;
		}
	} else if (bt->flags & HYP_BYTE_LITTLE) {
		for (i = nb; i > 0; i--)
			v = v << 8 | buf[pos + i - 1];
	} else {
		for (i = 0; i < nb; i++)
			v = v << 8 | buf[pos + i];
	}
	if (bt->bitmask != 0) {
		v &= bt->bitmask;
		v >>= __builtin_ctzll(bt->bitmask);
	}
	*out = v;
	return true;
}

static bool
byte_step(struct vctx *v, unsigned int i, const int32_t cur[CUR_N])
{
	const struct hyp_rule_opt *o = &v->r->opts[i];
	const struct hyp_rule_byte *bt = &o->u.byte;
	int b = bufi(o->buf);
	int64_t len = v->len[b], pos;
	int64_t base = (bt->flags & HYP_BYTE_RELATIVE) ? cur[b] : absolute(v, b, 0);
	int64_t off = bt->offset_var >= 0 ? (int64_t)v->vars[bt->offset_var] : bt->offset;
	unsigned int nb = bt->nbytes;
	int32_t next[CUR_N];
	uint64_t val, want;
	bool ok;

	if (bt->nbytes_var >= 0) {
		/* a count the packet gave: only what a fixed count could be (0: a jump of none) */
		want = v->vars[bt->nbytes_var];
		if ((want == 0 && (o->type != HYP_RO_BYTE_JUMP || (bt->flags & HYP_BYTE_STRING))) ||
		    want > ((bt->flags & HYP_BYTE_STRING) ? 10u : 8u))
			return false;
		nb = (unsigned int)want;
	}
	pos = base + off;
	if (!read_value(bt, nb, v->buf[b], len, pos, &val))
		return false;
	memcpy(next, cur, sizeof(next));
	reach(b, next, pos + nb);
	switch (o->type) {
	case HYP_RO_BYTE_EXTRACT:
		v->vars[bt->var] = val * (bt->value ? bt->value : 1);
		next[b] = (int32_t)(pos + nb);
		return chain(v, i + 1, next);
	case HYP_RO_BYTE_TEST:
		want = bt->value_var >= 0 ? v->vars[bt->value_var] : bt->value;
		switch (bt->op) {
		case '<': ok = val < want; break;
		case '>': ok = val > want; break;
		case '=': ok = val == want; break;
		case 'l': ok = val <= want; break;
		case 'g': ok = val >= want; break;
		case '&': ok = (val & want) != 0; break;
		default: ok = (val ^ want) != 0; break;
		}
		if (bt->negated)
			ok = !ok;
		return ok && chain(v, i + 1, next);
	default: {	/* byte_jump */
		int64_t to;

		/* Suricata's: the value times the multiplier, rounded up to 4 with align */
		if (val > INT32_MAX || val * (bt->value ? bt->value : 1) > INT32_MAX)
			return false;	/* past any buffer */
		to = (int64_t)(val * (bt->value ? bt->value : 1));
		if ((bt->flags & HYP_BYTE_ALIGN) && to % 4 != 0)
			to += 4 - to % 4;
		to += bt->post_offset;
		if (bt->flags & HYP_BYTE_FROM_BEGIN)
			pos = absolute(v, b, to);
		else if (bt->flags & HYP_BYTE_FROM_END)
			pos = len + to;
		else
			pos = pos + nb + to;
		/* before the buffer's start is its start, past its end no match (Suricata's) */
		if (pos < 0)
			pos = 0;
		if (pos > len)
			return false;
		next[b] = (int32_t)pos;
		return chain(v, i + 1, next);
	}
	}
}

static bool
chain(struct vctx *v, unsigned int i, const int32_t cur_in[CUR_N])
{
	int32_t cur[CUR_N];

	memcpy(cur, cur_in, sizeof(cur));
	for (; i < v->r->n_opts; i++) {
		const struct hyp_rule_opt *o = &v->r->opts[i];
		int b = bufi(o->buf);

		switch (o->type) {
		case HYP_RO_CONTENT:
			return content_step(v, i, cur);
		case HYP_RO_PCRE:
			return pcre_step(v, i, cur);
		case HYP_RO_BYTE_TEST:
		case HYP_RO_BYTE_JUMP:
		case HYP_RO_BYTE_EXTRACT:
			return byte_step(v, i, cur);
		case HYP_RO_ISDATAAT: {
			const struct hyp_rule_isdataat *ia = &o->u.isdataat;
			/* Suricata's: relative, N more bytes after the cursor; else byte N exists */
			int64_t at = ia->relative ? (int64_t)cur[b] + ia->n :
						    absolute(v, b, ia->n) + 1;
			bool ok = at <= (int64_t)v->len[b];

			if (ia->negated)
				ok = !ok;
			if (!ok)
				return false;
			if (!ia->negated)
				reach(b, cur, at);
			break;
		}
		case HYP_RO_BSIZE:
		case HYP_RO_URILEN:
			if (v->buf[b] == NULL || !hyp_rule_num_match(&o->u.num, v->len[b]))
				return false;
			break;
		default:	/* packet options: checked before */
			break;
		}
	}
	/* a stream window: a match of only the bytes inspected before was reported then */
	return !v->dr->reads_payload || cur[HI] > v->new_from;
}

static inline bool
bit_is(const uint64_t *bits, uint16_t b)
{
	return bits != NULL && (bits[b / 64] >> (b % 64) & 1);
}

/* isset / isnotset, all names (a&b) or one (a|b); no flow has no bit set */
static bool
flowbits_hold(const struct det_rule *dr, const uint64_t *bits)
{
	unsigned int i, k, set;

	for (i = 0; i < dr->n_fb; i++) {
		const struct det_fb *f = &dr->fb[i];

		if (f->cmd != HYP_FB_ISSET && f->cmd != HYP_FB_ISNOTSET)
			continue;
		for (k = 0, set = 0; k < f->n; k++)
			set += bit_is(bits, f->bit[k]);
		if (f->cmd == HYP_FB_ISSET ? (f->any ? set == 0 : set != f->n) :
					     (f->any ? set == f->n : set != 0))
			return false;
	}
	return true;
}

/* set, unset, toggle: once the rule matched */
static void
flowbits_act(const struct det_rule *dr, uint64_t *bits)
{
	unsigned int i, k;

	for (i = 0; bits != NULL && i < dr->n_fb; i++) {
		const struct det_fb *f = &dr->fb[i];

		for (k = 0; k < f->n; k++) {
			uint64_t m = 1ull << (f->bit[k] % 64);

			if (f->cmd == HYP_FB_SET)
				bits[f->bit[k] / 64] |= m;
			else if (f->cmd == HYP_FB_UNSET)
				bits[f->bit[k] / 64] &= ~m;
			else if (f->cmd == HYP_FB_TOGGLE)
				bits[f->bit[k] / 64] ^= m;
		}
	}
}

static bool
verify(const struct hyp_detect *d, struct hyp_detect_scratch *s, uint32_t ri,
       const struct hyp_detect_pkt *p)
{
	const struct hyp_rule *r = &d->rules[ri];
	struct vctx v = { d, s, r, &d->dr[ri], { p->payload, NULL }, { p->len, 0 },
			  (int64_t)p->base, p->new_from < p->len ? p->new_from : 0, { 0 },
			  HYP_DETECT_STEPS, false };
	const int32_t cur[CUR_N] = { 0 };
	unsigned int q;
	bool m = false;

	/* cheapest first: the rules without a fast pattern come here on every packet */
	if (!proto_ok(r, p) || !flow_ok(r, p) || !packet_opts_ok(r, p) ||
	    !(hosts_ok(r, p, false) || (r->bidir && hosts_ok(r, p, true))))
		return false;
	if (p->bufs != NULL && d->dr[ri].app) {
		unsigned int b;

		for (b = BUF_DNS + 1; b < BUF_MAX; b++) {
			v.buf[b] = p->bufs->len[b] > 0 ? p->bufs->p[b] : NULL;
			v.len[b] = p->bufs->len[b];
		}
	}
	if (!d->dr[ri].dns_opts) {
		m = chain(&v, 0, cur);
	} else {
		/* the DNS options hold for one of the query names */
		for (q = 0; q < p->n_queries && !m && !v.limited; q++) {
			v.buf[BUF_DNS] = (const uint8_t *)p->queries[q];
			v.len[BUF_DNS] = (uint32_t)strlen(p->queries[q]);
			m = chain(&v, 0, cur);
		}
	}
	if (v.limited)
		s->st.step_limit++;
	return m && !v.limited && flowbits_hold(&d->dr[ri], p->flowbits);
}

/* rules that are candidates without their fast pattern (they have none) */
static void
candidates(struct hyp_detect_scratch *s, const uint32_t *list, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!s->seen[list[i]]) {
			s->seen[list[i]] = 1;
			s->list[s->n_list++] = list[i];
		}
}

/* the prefilter of every buffer the packet (or HTTP message) has */
static void
scan_all(const struct hyp_detect *d, struct hyp_detect_scratch *s, unsigned int c,
	 const struct hyp_detect_pkt *p)
{
	unsigned int q, b;

	scan(&d->db[c][BUF_PAYLOAD], s, p->payload, p->len);
	for (q = 0; q < p->n_queries && q < HYP_DETECT_MAX_QUERIES; q++)
		scan(&d->db[c][BUF_DNS], s, (const uint8_t *)p->queries[q], strlen(p->queries[q]));
	if (p->bufs == NULL || c < CL_APP)
		return;
	for (b = BUF_DNS + 1; b < BUF_MAX; b++)
		if (p->bufs->len[b] > 0)
			scan(&d->db[c][b], s, p->bufs->p[b], p->bufs->len[b]);
}

unsigned int
hyp_detect_http_rules(const struct hyp_detect *d)
{
	return d != NULL ? d->http_rules : 0;
}

unsigned int
hyp_detect_tls_rules(const struct hyp_detect *d)
{
	return d != NULL ? d->tls_rules : 0;
}

unsigned int
hyp_detect_prefilter(const struct hyp_detect *d, struct hyp_detect_scratch *s,
		     const struct hyp_detect_pkt *p)
{
	unsigned int c = pkt_class(p), i, n;

	s->n_list = 0;
	scan_all(d, s, c, p);
	n = s->n_list;
	for (i = 0; i < n; i++)
		s->seen[s->list[i]] = 0;
	s->n_list = 0;
	return n;
}

unsigned int
hyp_detect_inspect(const struct hyp_detect *d, struct hyp_detect_scratch *s,
		   const struct hyp_detect_pkt *p, uint32_t *out, unsigned int max)
{
	unsigned int c = pkt_class(p), i, n = 0, pass, matched = 0;

	s->st.packets++;
	s->n_list = 0;
	scan_all(d, s, c, p);
	candidates(s, d->always[c], d->n_always[c]);
	if (d->pg[c] != NULL) {
		uint16_t gd = d->pg[c][p->dport], gs = d->pg[c][p->sport];

		if (gd != 0)
			candidates(s, d->groups[gd - 1].always, d->groups[gd - 1].n);
		if (gs != 0 && gs != gd)
			candidates(s, d->groups[gs - 1].always, d->groups[gs - 1].n);
	}
	if (s->n_list > 1)
		qsort(s->list, s->n_list, sizeof(*s->list), cmp_u32);
	s->st.candidates += s->n_list;
	/* a pass per flowbit tier: the writers' bits are there for the readers */
	for (pass = 0; pass < FB_TIERS; pass++)
		for (i = 0; i < s->n_list; i++) {
			uint32_t r = s->list[i];
			const struct det_rule *dr = &d->dr[r];

			if (dr->fb_tier != pass)
				continue;
			s->seen[r] = 0;
			if (!verify(d, s, r, p))
				continue;
			/* flowbits act on the match, as Suricata's postmatch: before the filter */
			flowbits_act(dr, p->flowbits);
			if (d->rules[r].detection_filter.type != HYP_THRESHOLD_NONE &&
			    p->filter != NULL && !p->filter(p->filter_arg, &d->rules[r])) {
				s->st.filtered++;
				continue;
			}
			matched++;
			if (dr->noalert)
				continue;
			if (n < max)
				out[n] = r;
			n++;
		}
	s->st.matches += matched;
	return n;
}
