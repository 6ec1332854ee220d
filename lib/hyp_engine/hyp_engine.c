/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_engine.h"

#define HYP_ENGINE_MAX_MATCHES 16
#define HYP_ENGINE_HTTP_METAS	8	/* HTTP messages with alerts in one packet, kept */
#define HYP_ENGINE_TLS_METAS	4	/* TLS handshake messages likewise */
#define TLS_FIELDS		6
#define TLS_FIELD_MAX		1025	/* EVE's copy of a name: a log line, not the buffer */

struct hyp_engine {
	struct hyp_policy *policy;
	struct hyp_dpi_db *db;
	struct hyp_dns_set *dns;
	uint32_t gen;
	char **dns_msg;		/* per dns rule */
	char **dpi_msg;		/* per db rule: signatures first, then payload rules */
	size_t n_dpi;
	/* Suricata rules (rule_files): slots from n_yaml on */
	unsigned int n_yaml;
	struct hyp_detect *det;
	struct hyp_rules_report rep;
	struct hyp_detect_info dinfo;
	struct hyp_rule_classes classes;
	struct hyp_http_limits http_lim;
	uint64_t tls_memcap;		/* of a worker's TLS directions together */
};

struct hyp_engine_scratch {
	struct hyp_dpi_scratch *dpi;
	struct hyp_detect_scratch *det;
	uint32_t out[2 * HYP_VERDICT_SIGS];
	/* the DNS question names of the payload being inspected, for dns.query */
	char qnames[HYP_DETECT_MAX_QUERIES][HYP_DNS_NAME_BUF];
	unsigned int n_q;
	/* the HTTP messages of the last HTTP alerts, for their EVE lines */
	struct hyp_http_meta http[HYP_ENGINE_HTTP_METAS];
	char http_str[HYP_ENGINE_HTTP_METAS][5][1025];
	unsigned int n_http;
	struct hyp_tls_meta tls[HYP_ENGINE_TLS_METAS];
	char tls_str[HYP_ENGINE_TLS_METAS][TLS_FIELDS][TLS_FIELD_MAX];
	unsigned int n_tls;
	struct hyp_engine_cycles *cyc;	/* NULL: not counted */
};

/* a part's cycles since *t into the scratch's account, if it keeps one */
static inline void
cyc_add(struct hyp_engine_scratch *s, uint64_t *t, size_t part)
{
	uint64_t now;

	if (s == NULL || s->cyc == NULL)
		return;
	now = hyp_cycles();
	*(uint64_t *)(void *)((char *)s->cyc + part) += now - *t;
	*t = now;
}

static inline uint64_t
cyc_start(const struct hyp_engine_scratch *s)
{
	return s != NULL && s->cyc != NULL ? hyp_cycles() : 0;
}

#define CYC(s, t, part) cyc_add((s), (t), offsetof(struct hyp_engine_cycles, part))

/* a DNS message over TCP, with its length prefix, waits in this much */
#define DNS_TCP_BUF	(2 + 4094)

struct hyp_engine_stream {
	struct hyp_dpi_stream *dpi;	/* NULL until the first bytes */
	uint32_t gen;			/* of the engine that opened dpi */
	uint8_t *dns;			/* port 53: a message not yet whole */
	uint32_t dns_len;
	bool dns_broken;		/* a message too long to wait for */
	struct hyp_http_dir *http;	/* NULL until the first bytes, or not HTTP */
	bool http_off;			/* did not parse as HTTP: not tried again this stream */
	struct hyp_tls_dir *tls;	/* likewise for TLS */
	bool tls_off;
	bool tls_was;			/* it was TLS when its parser went */
};

static void
free_msgs(char **m, size_t n)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < n; i++)
		free(m[i]);
	free(m);
}

void
hyp_engine_free(struct hyp_engine *e)
{
	if (e == NULL)
		return;
	if (e->policy != NULL)
		free_msgs(e->dns_msg, e->policy->n_dns_rules);
	free_msgs(e->dpi_msg, e->n_dpi);
	hyp_detect_free(e->det);
	hyp_rules_report_free(&e->rep);
	hyp_rule_classes_free(&e->classes);
	hyp_dpi_free(e->db);
	hyp_dns_set_free(e->dns);
	hyp_policy_free(e->policy);
	free(e);
}

/* Alert texts are made once here, so the data path only passes pointers. */
static int
build_msgs(struct hyp_engine *e)
{
	const struct hyp_policy *p = e->policy;
	size_t i;

	e->dns_msg = calloc(p->n_dns_rules ? p->n_dns_rules : 1, sizeof(char *));
	e->n_dpi = p->n_signatures + p->n_payload_rules;
	e->dpi_msg = calloc(e->n_dpi ? e->n_dpi : 1, sizeof(char *));
	if (e->dns_msg == NULL || e->dpi_msg == NULL)
		return -ENOMEM;
	for (i = 0; i < p->n_dns_rules; i++)
		if (asprintf(&e->dns_msg[i], "HYPERION DNS query for %s",
			     p->dns_rules[i].match) < 0)
			return -ENOMEM;
	for (i = 0; i < p->n_signatures; i++)
		if (asprintf(&e->dpi_msg[i], "HYPERION payload signature %u",
			     p->signatures[i].id) < 0)
			return -ENOMEM;
	for (i = 0; i < p->n_payload_rules; i++) {
		const struct hyp_policy_payload_rule *r = &p->payload_rules[i];
		int ret = r->msg != NULL ?
			asprintf(&e->dpi_msg[p->n_signatures + i], "%s", r->msg) :
			asprintf(&e->dpi_msg[p->n_signatures + i],
				 "HYPERION payload rule %u", r->id);

		if (ret < 0)
			return -ENOMEM;
	}
	return 0;
}

/* A YAML rule's id, or an engine event's signature id, that sid would repeat. */
static const char *
sid_taken(const struct hyp_policy *p, uint32_t sid)
{
	size_t i;

	for (i = 0; i < HYP_EV_MAX; i++)
		if (hyp_engine_event_sid((enum hyp_engine_event)i) == sid)
			return "an engine event";
	for (i = 0; i < p->n_dns_rules; i++)
		if (p->dns_rules[i].id == sid)
			return "a dns_rules id";
	for (i = 0; i < p->n_signatures; i++)
		if (p->signatures[i].id == sid)
			return "a payload_signatures id";
	for (i = 0; i < p->n_payload_rules; i++)
		if (p->payload_rules[i].id == sid)
			return "a payload_rules id";
	return NULL;
}

/*
 * Per-rule counters, thresholds and telemetry are keyed by id: a Suricata
 * rule whose sid a YAML rule or an engine event has is refused (an error in
 * the report), so no two rules ever share a key.
 */
static int
drop_taken_sids(const struct hyp_policy *p, struct hyp_ruleset *set, struct hyp_rules_report *rep)
{
	unsigned int i, o = 0;
	int ret = 0;

	for (i = 0; i < set->n; i++) {
		const char *what = sid_taken(p, set->rules[i].sid);
		char why[160];

		if (what == NULL) {
			set->rules[o++] = set->rules[i];
			continue;
		}
		snprintf(why, sizeof(why), "sid %u is %s of this policy's already",
			 set->rules[i].sid, what);
		if (ret == 0)
			ret = hyp_rules_report_unload(rep, &set->rules[i], NULL, why);
		hyp_rule_free(&set->rules[i]);
	}
	set->n = o;
	return ret;
}

/*
 * The policy's rule_files, relative to its directory (the parser refused
 * absolute paths and ".."), with Suricata's variables and the policy's
 * over them, into the Suricata engine. classification.config beside the
 * first file, if there is one, names the classtypes.
 */
static int
build_rules(struct hyp_engine *e, char *err, size_t err_len)
{
	const struct hyp_policy *p = e->policy;
	struct hyp_ruleset set = { NULL, 0 };
	struct hyp_rule_vars vars = { NULL, 0 };
	char tmp[4096], dir[4096], path[8192], cerr[320];
	size_t i;
	int ret;

	/* dirname() may write into its argument: work on a copy */
	snprintf(tmp, sizeof(tmp), "%s", p->path != NULL ? p->path : "./x");
	snprintf(dir, sizeof(dir), "%s", dirname(tmp));
	ret = hyp_rule_vars_default(&vars);
	for (i = 0; ret == 0 && i < p->n_rule_vars; i++)
		ret = hyp_rule_vars_set(&vars, p->rule_vars[i].name, p->rule_vars[i].value);
	if (ret < 0) {
		snprintf(err, err_len, "slow_path.rule_vars: %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < p->n_rule_files; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, p->rule_files[i]);
		ret = hyp_rules_load_file(path, &vars, &set, &e->rep);
		if (ret < 0) {
			snprintf(err, err_len, "slow_path.rule_files[%zu]: %s", i, e->rep.first_error);
			goto out;
		}
	}
	if (p->n_rule_files > 0) {
		snprintf(tmp, sizeof(tmp), "%s", p->rule_files[0]);
		snprintf(path, sizeof(path), "%s/%s/classification.config", dir, dirname(tmp));
		ret = hyp_rule_classes_load(path, &e->classes, cerr, sizeof(cerr));
		if (ret == -ENOENT) {
			ret = 0;
		} else if (ret < 0) {
			snprintf(err, err_len, "%s", cerr);
			goto out;
		}
	}
	ret = drop_taken_sids(p, &set, &e->rep);
	if (ret < 0) {
		snprintf(err, err_len, "out of memory");
		goto out;
	}
	ret = hyp_detect_build(&set, &e->rep, &e->det, &e->dinfo, err, err_len);
out:
	hyp_ruleset_free(&set);
	hyp_rule_vars_free(&vars);
	return ret;
}

int
hyp_engine_build(struct hyp_policy *p, uint32_t gen, struct hyp_engine **out,
		 char *err, size_t err_len)
{
	struct hyp_engine *e = calloc(1, sizeof(*e));
	int ret;

	if (e == NULL) {
		hyp_policy_free(p);
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	e->policy = p;
	e->gen = gen;
	ret = build_msgs(e);
	if (ret < 0) {
		snprintf(err, err_len, "out of memory");
		goto fail;
	}
	e->db = hyp_dpi_compile(p->signatures, p->n_signatures, p->payload_rules,
				p->n_payload_rules, err, err_len);
	if (e->db == NULL) {
		ret = -EINVAL;
		goto fail;
	}
	e->http_lim.request_body = p->http_request_body_limit;
	e->http_lim.response_body = p->http_response_body_limit;
	e->http_lim.memcap = p->http_memcap;
	e->tls_memcap = p->tls_memcap;
	e->dns = hyp_dns_set_create(p->dns_rules, p->n_dns_rules);
	if (e->dns == NULL) {
		snprintf(err, err_len, "building the DNS rule set failed");
		ret = -ENOMEM;
		goto fail;
	}
	e->n_yaml = (unsigned int)(p->n_dns_rules + e->n_dpi);
	if (p->n_rule_files > 0) {
		ret = build_rules(e, err, err_len);
		if (ret < 0)
			goto fail;
	}
	*out = e;
	return 0;
fail:
	hyp_engine_free(e);
	return ret;
}

uint32_t
hyp_engine_gen(const struct hyp_engine *e)
{
	return e->gen;
}

const struct hyp_policy *
hyp_engine_policy(const struct hyp_engine *e)
{
	return e->policy;
}

int
hyp_engine_scratch_alloc(const struct hyp_engine *e, struct hyp_engine_scratch **s)
{
	struct hyp_engine_scratch *sc = calloc(1, sizeof(*sc));
	int ret;

	if (sc == NULL)
		return -ENOMEM;
	ret = hyp_dpi_scratch_alloc(e->db, &sc->dpi);
	if (ret < 0) {
		free(sc);
		return ret;
	}
	if (e->det != NULL) {
		ret = hyp_detect_scratch_alloc(e->det, &sc->det);
		if (ret < 0) {
			hyp_engine_scratch_free(sc);
			return ret;
		}
	}
	*s = sc;
	return 0;
}

void
hyp_engine_scratch_cycles(struct hyp_engine_scratch *s, struct hyp_engine_cycles *acc)
{
	s->cyc = acc;
}

int
hyp_engine_scratch_grow(const struct hyp_engine *e, struct hyp_engine_scratch *s)
{
	return hyp_dpi_scratch_grow(e->db, s->dpi);
}

void
hyp_engine_scratch_detect_stats(const struct hyp_engine_scratch *s, struct hyp_detect_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (s != NULL && s->det != NULL)
		hyp_detect_scratch_stats(s->det, st);
}

void
hyp_engine_scratch_free(struct hyp_engine_scratch *s)
{
	if (s == NULL)
		return;
	hyp_dpi_scratch_free(s->dpi);
	hyp_detect_scratch_free(s->det);
	free(s);
}

static void
consider(struct hyp_verdict *v, enum hyp_action a, uint32_t id, const char *msg,
	 bool dns, int slot)
{
	if (a > v->action || (a == v->action && (v->rule_id == 0 || id < v->rule_id))) {
		v->action = a;
		v->rule_id = id;
		v->msg = msg;
		v->dns_rule = dns;
		v->slot = slot;
	}
}

unsigned int
hyp_engine_rule_count(const struct hyp_engine *e)
{
	return e->n_yaml + (e->det != NULL ? hyp_detect_rule_count(e->det) : 0);
}

static const struct hyp_rule *
sig_of(const struct hyp_engine *e, unsigned int slot)
{
	return slot >= e->n_yaml && e->det != NULL ? hyp_detect_rule(e->det, slot - e->n_yaml) :
	       NULL;
}

static enum hyp_action
sig_action(const struct hyp_rule *r)
{
	switch (r->action) {
	case HYP_RULE_ALERT: return HYP_ACTION_ALERT;
	case HYP_RULE_PASS: return HYP_ACTION_PASS;
	default: return HYP_ACTION_DROP;	/* drop, reject */
	}
}

int
hyp_engine_rule_info(const struct hyp_engine *e, unsigned int slot,
		     struct hyp_engine_rule_info *info)
{
	const struct hyp_rule *r = sig_of(e, slot);
	const struct hyp_rule_class *cl;

	if (slot >= hyp_engine_rule_count(e))
		return -EINVAL;
	if (r == NULL) {
		*info = (struct hyp_engine_rule_info){ 1, 1, 2, "", false };
		return 0;
	}
	cl = hyp_rule_class_find(&e->classes, r->classtype);
	info->gid = r->gid;
	info->rev = r->rev;
	info->severity = r->priority != 0 ? r->priority : cl != NULL ? cl->priority : 3;
	info->category = cl != NULL ? cl->desc : "";
	info->suricata = true;
	return 0;
}

unsigned int
hyp_engine_flowbit_words(const struct hyp_engine *e)
{
	return e->det != NULL ? hyp_detect_flowbit_words(e->det) : 0;
}

const struct hyp_rules_report *
hyp_engine_rules_report(const struct hyp_engine *e)
{
	return e->det != NULL ? &e->rep : NULL;
}

const struct hyp_detect_info *
hyp_engine_detect_info(const struct hyp_engine *e)
{
	return e->det != NULL ? &e->dinfo : NULL;
}

int
hyp_engine_rule(const struct hyp_engine *e, unsigned int slot, uint32_t *id,
		enum hyp_action *action, const char **msg)
{
	const struct hyp_policy *p = e->policy;
	const struct hyp_rule *r = sig_of(e, slot);
	size_t i;

	if (r != NULL) {
		*id = r->sid;
		*action = sig_action(r);
		*msg = r->msg != NULL ? r->msg : "";
		return 0;
	}
	if (slot < p->n_dns_rules) {
		*id = p->dns_rules[slot].id;
		*action = p->dns_rules[slot].action;
		*msg = e->dns_msg[slot];
		return 0;
	}
	i = slot - p->n_dns_rules;
	if (i < p->n_signatures) {
		*id = p->signatures[i].id;
		*action = p->signatures[i].action;
	} else if (i < e->n_dpi) {
		*id = p->payload_rules[i - p->n_signatures].id;
		*action = p->payload_rules[i - p->n_signatures].action;
	} else {
		return -EINVAL;
	}
	*msg = e->dpi_msg[i];
	return 0;
}

const struct hyp_threshold_spec *
hyp_engine_rule_threshold(const struct hyp_engine *e, unsigned int slot)
{
	const struct hyp_policy *p = e->policy;
	const struct hyp_rule *r = sig_of(e, slot);
	size_t i;

	if (r != NULL)
		return &r->threshold;
	if (slot < p->n_dns_rules)
		return &p->dns_rules[slot].threshold;
	i = slot - p->n_dns_rules;
	if (i < p->n_signatures)
		return &p->signatures[i].threshold;
	if (i < e->n_dpi)
		return &p->payload_rules[i - p->n_signatures].threshold;
	return NULL;
}

/* The question an alert names; msg is its message (a question parsed: 12 bytes at least). */
static void
report_question(struct hyp_verdict *v, const struct hyp_dns_question *q, const uint8_t *msg)
{
	/* the name's bytes, not the whole buffer: this runs for every query */
	memcpy(v->rrname, q->name, (size_t)q->len + 1);
	v->rrtype = q->qtype;
	v->dns_id = (uint16_t)(msg[0] << 8 | msg[1]);
}

/*
 * Every question of every message (UDP: one message; TCP: as many as the
 * payload holds whole), each against the DNS rules; the strongest rule
 * decides and its question's name is reported. What does not parse gets
 * the policy's dns_malformed verdict, one message's worth like a DNS rule.
 */
static void
inspect_dns(const struct hyp_engine *e, struct hyp_engine_scratch *s, const uint8_t *payload,
	    size_t len, bool tcp, struct hyp_verdict *v)
{
	uint32_t off[HYP_DNS_MAX_TCP_MSGS], mlen[HYP_DNS_MAX_TCP_MSGS];
	struct hyp_dns_question q[HYP_DNS_MAX_QUESTIONS];
	enum hyp_action a, bad = e->policy->dns_malformed;
	int n_msg = 1, m, err = 0, i, idx;
	unsigned int n;
	uint32_t id;

	off[0] = 0;
	mlen[0] = (uint32_t)len;
	if (tcp)
		n_msg = hyp_dns_tcp_messages(payload, len, off, mlen);
	if (n_msg < 0)
		err = n_msg;
	for (m = 0; m < n_msg; m++) {
		int e_m;

		n = hyp_dns_questions(payload + off[m], mlen[m], q, HYP_DNS_MAX_QUESTIONS, &e_m);
		if (err == 0)
			err = e_m;
		for (i = 0; i < (int)n; i++) {
			/* the Suricata rules read them (dns.query); YAML rules need no copy */
			if (e->det != NULL && s != NULL && s->n_q < HYP_DETECT_MAX_QUERIES)
				memcpy(s->qnames[s->n_q++], q[i].name, (size_t)q[i].len + 1);
			if (!v->dns_query)
				report_question(v, &q[i], payload + off[m]);
			v->dns_query = true;
			idx = hyp_dns_set_match_len(e->dns, q[i].name, q[i].len);
			if (idx < 0 || hyp_dns_set_rule(e->dns, idx, &id, &a) != 0)
				continue;
			if (a > v->action || (a == v->action && (v->rule_id == 0 || id < v->rule_id)))
				report_question(v, &q[i], payload + off[m]);
			consider(v, a, id, e->dns_msg[idx], true, idx);
		}
	}
	if (err == 0)
		return;
	v->dns_err = err;
	if (!v->dns_query)
		v->rrname[0] = '\0';
	if (bad != HYP_ACTION_PASS)
		consider(v, bad, hyp_engine_event_sid(HYP_EV_DNS_MALFORMED),
			 hyp_engine_event_msg(HYP_EV_DNS_MALFORMED), true, -1);
}

void
hyp_engine_verdict_init(struct hyp_verdict *v)
{
	v->action = HYP_ACTION_PASS;
	v->rule_id = 0;
	v->msg = NULL;
	v->dns_query = false;
	v->dns_rule = false;
	v->slot = -1;
	v->dns_err = 0;
	v->scan_err = 0;
	v->rrname[0] = '\0';
	v->rrtype = 0;
	v->dns_id = 0;
	v->sig_pass = false;
	v->reject = 0;
	v->n_sigs = 0;
}

/* the strongest of n payload-rule matches into v */
static void
consider_dpi(const struct hyp_engine *e, const struct hyp_dpi_match *m, int n,
	     struct hyp_verdict *v)
{
	const struct hyp_dpi_match *best;
	enum hyp_action a;

	if (n < 0)
		v->scan_err = n;
	if (n <= 0)
		return;
	a = hyp_dpi_verdict(m, (unsigned int)n, &best);
	if (best != NULL)
		consider(v, a, best->rule_id, e->dpi_msg[best->index], false,
			 (int)(e->policy->n_dns_rules + best->index));
}

void
hyp_engine_inspect(const struct hyp_engine *e, struct hyp_engine_scratch *s,
		   const uint8_t *payload, size_t len, uint8_t proto,
		   uint16_t dport, struct hyp_verdict *v)
{
	struct hyp_dpi_match m[HYP_ENGINE_MAX_MATCHES];
	uint64_t t = cyc_start(s);
	int n;

	hyp_engine_verdict_init(v);
	s->n_q = 0;
	if (dport == HYP_DNS_PORT && (proto == IPPROTO_UDP || proto == IPPROTO_TCP)) {
		inspect_dns(e, s, payload, len, proto == IPPROTO_TCP, v);
		CYC(s, &t, dns);
	}
	if (e->n_dpi == 0 || len == 0)
		return;
	n = hyp_dpi_scan(e->db, s->dpi, payload, len, proto, dport, m, HYP_ENGINE_MAX_MATCHES);
	consider_dpi(e, m, n, v);
	CYC(s, &t, scan);
}

/* The DNS messages the stream's bytes complete; a partial one waits. */
static void
stream_dns(const struct hyp_engine *e, struct hyp_engine_scratch *s, struct hyp_engine_stream *st,
	   const uint8_t *data, size_t len, struct hyp_verdict *v)
{
	size_t take, mlen;

	if (st->dns_broken)
		return;
	if (st->dns == NULL) {
		st->dns = malloc(DNS_TCP_BUF);
		if (st->dns == NULL)
			return;
	}
	while (len > 0) {
		take = DNS_TCP_BUF - st->dns_len;
		if (take > len)
			take = len;
		memcpy(st->dns + st->dns_len, data, take);
		st->dns_len += (uint32_t)take;
		data += take;
		len -= take;
		/* every whole message in what waits */
		while (st->dns_len >= 2) {
			mlen = (size_t)st->dns[0] << 8 | st->dns[1];
			if (mlen > DNS_TCP_BUF - 2) {
				/* longer than any query: judged malformed, no longer read */
				st->dns_broken = true;
				inspect_dns(e, s, st->dns, st->dns_len, true, v);
				return;
			}
			if (st->dns_len < 2 + mlen)
				break;
			inspect_dns(e, s, st->dns, 2 + mlen, true, v);
			memmove(st->dns, st->dns + 2 + mlen, st->dns_len - 2 - mlen);
			st->dns_len -= (uint32_t)(2 + mlen);
		}
		if (st->dns_len == DNS_TCP_BUF && len > 0)
			break;	/* cannot happen: a whole buffer is a message */
	}
}

/*
 * Suricata's order over the rules that matched: a pass rule silences the
 * packet; else each alert, drop or reject rule is an alert (once), and the
 * strongest action decides (a YAML rule of the same action stays the
 * decider).
 */
static void
apply_sigs(const struct hyp_engine *e, const uint32_t *idx, unsigned int n,
	   const struct hyp_http_meta *http, const struct hyp_tls_meta *tls, struct hyp_verdict *v)
{
	unsigned int i, k;

	if (v->sig_pass)
		return;
	for (i = 0; i < n; i++) {
		const struct hyp_rule *r = hyp_detect_rule(e->det, idx[i]);

		if (r->action == HYP_RULE_PASS) {
			v->sig_pass = true;
			v->n_sigs = 0;
			v->reject = 0;
			v->action = HYP_ACTION_PASS;
			v->rule_id = r->sid;
			v->msg = r->msg;
			v->dns_rule = false;
			v->slot = (int)(e->n_yaml + idx[i]);
			return;
		}
	}
	for (i = 0; i < n; i++) {
		const struct hyp_rule *r = hyp_detect_rule(e->det, idx[i]);
		uint32_t slot = e->n_yaml + idx[i];
		enum hyp_action a = sig_action(r);

		for (k = 0; k < v->n_sigs && v->sigs[k] != slot; k++)
			;
		if (k == v->n_sigs && v->n_sigs < HYP_VERDICT_SIGS) {
			v->sig_http[v->n_sigs] = http;
			v->sig_tls[v->n_sigs] = tls;
			v->sigs[v->n_sigs++] = slot;
		}
		if (r->action == HYP_RULE_REJECT)
			v->reject |= r->reject_to;
		if (a > v->action) {
			v->action = a;
			v->rule_id = r->sid;
			v->msg = r->msg != NULL ? r->msg : "";
			v->dns_rule = false;
			v->slot = (int)slot;
		}
	}
}

static void
run_sigs(const struct hyp_engine *e, struct hyp_engine_scratch *s, struct hyp_detect_pkt *p,
	 struct hyp_verdict *v)
{
	uint64_t t = cyc_start(s);
	unsigned int i, n;

	p->n_queries = 0;
	for (i = 0; i < s->n_q; i++)
		p->queries[p->n_queries++] = s->qnames[i];
	/* DNS as our app layer knows it: port 53, and it parsed (both ways) */
	p->dns = (p->proto == IPPROTO_UDP || p->proto == IPPROTO_TCP) &&
		 (p->dport == HYP_DNS_PORT || p->sport == HYP_DNS_PORT) && v->dns_err == 0;
	n = hyp_detect_inspect(e->det, s->det, p, s->out, HYP_DIM(s->out));
	apply_sigs(e, s->out, n < HYP_DIM(s->out) ? n : HYP_DIM(s->out), NULL, NULL, v);
	CYC(s, &t, sigs);
}

void
hyp_engine_inspect_segment(const struct hyp_engine *e, struct hyp_engine_scratch *s,
			   struct hyp_detect_pkt *p, struct hyp_verdict *v)
{
	if (e->det == NULL)
		return;
	s->n_q = 0;
	/* a segment without bytes (SYN, ACK, FIN) has nothing in the stream: every rule sees it */
	p->in_stream = p->len > 0;
	p->stream = false;
	run_sigs(e, s, p, v);
}

void
hyp_engine_inspect_pkt(const struct hyp_engine *e, struct hyp_engine_scratch *s,
		       struct hyp_detect_pkt *p, struct hyp_verdict *v)
{
	hyp_engine_inspect(e, s, p->payload, p->len, p->proto, p->dport, v);
	if (e->det != NULL)
		run_sigs(e, s, p, v);
}

/* ---- HTTP ---- */

struct http_cb {
	const struct hyp_engine *e;
	struct hyp_engine_scratch *s;
	const struct hyp_detect_pkt *ctx;	/* the stream window that made the event */
	struct hyp_verdict *v;
};

static const struct hyp_http_meta *
keep_meta(struct hyp_engine_scratch *s, const struct hyp_http_meta *m)
{
	unsigned int k = s->n_http++ % HYP_ENGINE_HTTP_METAS, i;
	struct hyp_http_meta *h = &s->http[k];
	const char *src[5] = { m->method, m->host, m->url, m->user_agent, m->protocol };
	const char **dst[5] = { &h->method, &h->host, &h->url, &h->user_agent, &h->protocol };

	for (i = 0; i < 5; i++) {
		snprintf(s->http_str[k][i], sizeof(s->http_str[k][i]), "%s",
			 src[i] != NULL ? src[i] : "");
		*dst[i] = s->http_str[k][i];
	}
	h->status = m->status;
	h->length = m->length;
	return h;
}

/*
 * An application message's event (HTTP or TLS): the rules of that event
 * over its buffers, once (no part of the window was seen before); the
 * message's meta is copied only when a rule matched.
 */
static const struct hyp_tls_meta *keep_tls_meta(struct hyp_engine_scratch *s,
						const struct hyp_tls_meta *m);

static void
app_event(struct http_cb *c, enum hyp_app_ev ev, const struct hyp_buf_set *b,
	  const struct hyp_http_meta *hm, const struct hyp_tls_meta *tm)
{
	struct hyp_detect_pkt p = *c->ctx;
	unsigned int n;

	p.stream = true;
	p.app_http = hm != NULL;
	p.app_tls = tm != NULL;
	p.app_ev = (uint8_t)ev;
	p.bufs = b;
	p.new_from = 0;
	p.n_queries = 0;
	p.dns = false;
	n = hyp_detect_inspect(c->e->det, c->s->det, &p, c->s->out, HYP_DIM(c->s->out));
	if (n == 0)
		return;
	apply_sigs(c->e, c->s->out, n < HYP_DIM(c->s->out) ? n : HYP_DIM(c->s->out),
		   hm != NULL ? keep_meta(c->s, hm) : NULL,
		   tm != NULL ? keep_tls_meta(c->s, tm) : NULL, c->v);
}

static void
on_http(void *arg, enum hyp_app_ev ev, const struct hyp_buf_set *b, const struct hyp_http_meta *m)
{
	app_event(arg, ev, b, m, NULL);
}

static void
stream_http(const struct hyp_engine *e, struct hyp_engine_scratch *s, struct hyp_engine_stream *st,
	    const uint8_t *data, size_t len, const struct hyp_detect_pkt *ctx,
	    const struct hyp_engine_app *http, struct hyp_verdict *v)
{
	/* callers without counters: see stream_tls() on the thread a stream is freed on */
	static __thread struct hyp_http_stats unused;
	struct hyp_http_stats *hst = http != NULL && http->stats != NULL ? http->stats : &unused;
	struct http_cb cb = { e, s, ctx, v };

	if (st->http_off || hyp_detect_http_rules(e->det) == 0)
		return;
	if (st->http == NULL && hyp_http_dir_new(!ctx->to_server, &st->http) < 0) {
		hst->nomem++;
		return;
	}
	if (hyp_http_feed(st->http, http != NULL && http->peer != NULL ? http->peer->http : NULL,
			  &e->http_lim, data, len, on_http, &cb, hst) < 0) {
		/* not HTTP (or no longer): its parser goes, the stream is inspected as bytes */
		st->http_off = true;
		hyp_http_dir_free(st->http);
		st->http = NULL;
	}
}

/* ---- TLS ---- */

static const struct hyp_tls_meta *
keep_tls_meta(struct hyp_engine_scratch *s, const struct hyp_tls_meta *m)
{
	unsigned int k = s->n_tls++ % HYP_ENGINE_TLS_METAS, i;
	struct hyp_tls_meta *t = &s->tls[k];
	const char *src[TLS_FIELDS] = { m->sni, m->version, m->subject, m->issuer, m->serial,
					m->fingerprint };
	const char **dst[TLS_FIELDS] = { &t->sni, &t->version, &t->subject, &t->issuer,
					 &t->serial, &t->fingerprint };

	for (i = 0; i < TLS_FIELDS; i++) {
		snprintf(s->tls_str[k][i], sizeof(s->tls_str[k][i]), "%s",
			 src[i] != NULL ? src[i] : "");
		*dst[i] = s->tls_str[k][i];
	}
	return t;
}

static void
on_tls(void *arg, enum hyp_app_ev ev, const struct hyp_buf_set *b, const struct hyp_tls_meta *m)
{
	app_event(arg, ev, b, NULL, m);
}

static void
stream_tls(const struct hyp_engine *e, struct hyp_engine_scratch *s, struct hyp_engine_stream *st,
	   const uint8_t *data, size_t len, const struct hyp_detect_pkt *ctx,
	   const struct hyp_engine_app *app, struct hyp_verdict *v)
{
	/*
	 * Callers without counters (tests, benches) count here: a direction
	 * gives its bytes back to the stats it took them from, so it must be
	 * freed on the thread that fed it, as a worker's are.
	 */
	static __thread struct hyp_tls_stats unused;
	struct hyp_tls_stats *tst = app != NULL && app->tls_stats != NULL ? app->tls_stats : &unused;
	struct http_cb cb = { e, s, ctx, v };

	if (st->tls_off || hyp_detect_tls_rules(e->det) == 0)
		return;
	if (st->tls == NULL && hyp_tls_dir_new(!ctx->to_server, e->tls_memcap, &st->tls) < 0) {
		tst->nomem++;
		return;
	}
	if (hyp_tls_feed(st->tls, app != NULL && app->peer != NULL ? app->peer->tls : NULL, data,
			 len, on_tls, &cb, tst) < 0) {
		/*
		 * Not TLS (or no longer): the parser goes, but a stream that was
		 * TLS stays so for protocol tls rules (tls_off with is_tls kept).
		 */
		st->tls_was = hyp_tls_is_tls(st->tls);
		st->tls_off = true;
		hyp_tls_dir_free(st->tls);
		st->tls = NULL;
	}
}

int
hyp_engine_stream_feed(const struct hyp_engine *e, struct hyp_engine_scratch *s,
		       struct hyp_engine_stream **stp, const uint8_t *data, size_t len,
		       uint8_t proto, uint16_t dport, const struct hyp_detect_pkt *ctx,
		       const struct hyp_engine_app *http, struct hyp_verdict *v)
{
	struct hyp_dpi_match m[HYP_ENGINE_MAX_MATCHES];
	struct hyp_engine_stream *st = *stp;
	uint64_t t;
	int n;

	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		if (st == NULL)
			return -ENOMEM;
		*stp = st;
	}
	/* a stream of another generation refers to its database: drop it, start over */
	if (st->dpi != NULL && st->gen != e->gen) {
		hyp_dpi_stream_close(NULL, st->dpi, NULL, proto, dport, NULL, 0);
		st->dpi = NULL;
	}
	if (st->dpi == NULL) {
		if (hyp_dpi_stream_open(e->db, &st->dpi) < 0)
			return -ENOMEM;
		st->gen = e->gen;
	}
	s->n_q = 0;
	t = cyc_start(s);
	if (dport == HYP_DNS_PORT) {
		stream_dns(e, s, st, data, len, v);
		CYC(s, &t, dns);
	}
	if (e->n_dpi > 0 && len > 0) {
		n = hyp_dpi_stream_scan(e->db, st->dpi, s->dpi, data, len, proto, dport, m,
					HYP_ENGINE_MAX_MATCHES);
		consider_dpi(e, m, n, v);
		CYC(s, &t, scan);
	}
	if (e->det != NULL && ctx != NULL && len > 0 && proto == IPPROTO_TCP) {
		stream_http(e, s, st, data, len, ctx, http, v);
		stream_tls(e, s, st, data, len, ctx, http, v);
		CYC(s, &t, app);
	}
	if (e->det != NULL && ctx != NULL && len > 0) {
		struct hyp_detect_pkt p = *ctx;

		p.stream = true;
		p.app_http = hyp_http_is_http(st->http);
		p.app_tls = hyp_engine_stream_is_tls(st);
		run_sigs(e, s, &p, v);
	}
	return 0;
}

void
hyp_engine_stream_end(const struct hyp_engine *e, struct hyp_engine_scratch *s,
		      struct hyp_engine_stream *st, uint8_t proto, uint16_t dport,
		      const struct hyp_detect_pkt *ctx, const struct hyp_engine_app *http,
		      struct hyp_verdict *v)
{
	struct hyp_dpi_match m[HYP_ENGINE_MAX_MATCHES];
	bool mine;
	int n;

	if (st == NULL)
		return;
	mine = e != NULL && st->gen == e->gen;
	n = hyp_dpi_stream_close(mine ? e->db : NULL, st->dpi, mine ? s->dpi : NULL, proto, dport,
				 m, HYP_ENGINE_MAX_MATCHES);
	st->dpi = NULL;
	if (mine && v != NULL)
		consider_dpi(e, m, n, v);
	st->dns_len = 0;
	st->dns_broken = false;
	if (st->http != NULL && mine && e->det != NULL && ctx != NULL && v != NULL) {
		struct http_cb cb = { e, s, ctx, v };

		hyp_http_end(st->http, on_http, &cb);
	}
	hyp_http_dir_free(st->http);
	st->http = NULL;
	st->http_off = false;
	hyp_tls_dir_free(st->tls);
	st->tls = NULL;
	st->tls_off = false;
	st->tls_was = false;
}

bool
hyp_engine_stream_is_http(const struct hyp_engine_stream *st)
{
	return st != NULL && hyp_http_is_http(st->http);
}

bool
hyp_engine_stream_is_tls(const struct hyp_engine_stream *st)
{
	return st != NULL && (hyp_tls_is_tls(st->tls) || st->tls_was);
}

void
hyp_engine_stream_free(struct hyp_engine_stream *st)
{
	if (st == NULL)
		return;
	hyp_dpi_stream_close(NULL, st->dpi, NULL, 0, 0, NULL, 0);
	hyp_http_dir_free(st->http);
	hyp_tls_dir_free(st->tls);
	free(st->dns);
	free(st);
}

size_t
hyp_engine_stream_size(const struct hyp_engine *e)
{
	return sizeof(struct hyp_engine_stream) + hyp_dpi_stream_size(e->db);
}
