/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the Suricata rule parser on arbitrary bytes, one rule
 * (hyp_rule_parse()) and as a file (hyp_rules_load_buf(): comments,
 * continuations, duplicate ids).
 *
 * Besides memory errors, leaks and undefined behaviour it checks what the
 * parser promises: a rule it returns has a sid, at most HYP_RULE_MAX_OPTS
 * options of known types, expressions within HYP_RULE_EXPR_NODES whose
 * links stay inside them, and its matchers answer for any address and
 * port; a skip names its keyword, an error says why; the file loader's
 * counts add up to what it kept.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "hyp_rules.h"
#include "fuzz.h"

static struct hyp_rule_vars vars;
static int vars_ready;

static void
check_expr(const struct hyp_rule_expr *x, const uint8_t *data, size_t size)
{
	uint8_t a[16] = { 0 };
	unsigned int i;

	CHECK(x->n <= HYP_RULE_EXPR_NODES);
	for (i = 0; i < x->n; i++) {
		const struct hyp_rule_node *nd = &x->nodes[i];

		CHECK(nd->kind <= HYP_RN_GROUP);
		CHECK(nd->next == HYP_RN_NONE || nd->next < x->n);
		CHECK(nd->kind != HYP_RN_GROUP || nd->first == HYP_RN_NONE || nd->first < x->n);
		CHECK(nd->kind != HYP_RN_RANGE || nd->lo <= nd->hi);
	}
	memcpy(a, data, size < 16 ? size : 16);
	(void)hyp_rule_addr_match(x, 6, a);
	a[10] = a[11] = 0xff;
	(void)hyp_rule_addr_match(x, 4, a);
	(void)hyp_rule_port_match(x, (uint16_t)(size * 257));
}

static void
check_rule(const struct hyp_rule *r, const uint8_t *data, size_t size)
{
	unsigned int i;

	CHECK(r->sid != 0);
	CHECK(r->action < HYP_RULE_ACTION_MAX && r->proto < HYP_RP_MAX);
	CHECK(r->n_opts <= HYP_RULE_MAX_OPTS && r->n_byte_vars <= HYP_BYTE_VARS);
	for (i = 0; i < r->n_opts; i++) {
		const struct hyp_rule_opt *o = &r->opts[i];

		CHECK(o->type <= HYP_RO_FLAGS);
		if (o->type == HYP_RO_CONTENT)
			CHECK(o->u.content.len > 0 && o->u.content.pat != NULL);
		if (o->type == HYP_RO_PCRE)
			CHECK(o->u.pcre.re != NULL && o->u.pcre.re[0] != '\0');
		if (o->type == HYP_RO_BYTE_TEST || o->type == HYP_RO_BYTE_JUMP ||
		    o->type == HYP_RO_BYTE_EXTRACT)
			CHECK(o->u.byte.nbytes >= 1 && o->u.byte.nbytes <= 10 &&
			      o->u.byte.value_var < (int)r->n_byte_vars &&
			      o->u.byte.offset_var < (int)r->n_byte_vars);
	}
	for (i = 0; i < r->n_flowbits; i++)
		CHECK(r->flowbits[i].n <= HYP_FLOWBITS_NAMES);
	check_expr(&r->src, data, size);
	check_expr(&r->dst, data, size);
	check_expr(&r->sport, data, size);
	check_expr(&r->dport, data, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hyp_rules_report rep;
	struct hyp_ruleset set;
	struct hyp_rule_err e;
	struct hyp_rule r;
	unsigned int i;
	int ret;

	if (!vars_ready) {
		CHECK(hyp_rule_vars_default(&vars) == 0);
		CHECK(hyp_rule_vars_set(&vars, "SELF", "[1.2.3.4,$SELF]") == 0);
		vars_ready = 1;
	}
	ret = hyp_rule_parse((const char *)data, size, &vars, &r, &e);
	if (ret == 0) {
		check_rule(&r, data, size);
		hyp_rule_free(&r);
	} else if (ret == 1) {
		CHECK(e.keyword[0] != '\0');
	} else {
		CHECK(ret == -EINVAL || ret == -ENOMEM);
		CHECK(e.msg[0] != '\0');
	}

	memset(&rep, 0, sizeof(rep));
	memset(&set, 0, sizeof(set));
	ret = hyp_rules_load_buf((const char *)data, size, "fuzz.rules", &vars, &set, &rep);
	if (ret == 0) {
		CHECK(set.n == rep.loaded);
		for (i = 0; i < set.n; i++)
			check_rule(&set.rules[i], data, size);
		CHECK(rep.errors == 0 || rep.first_error[0] != '\0');
	}
	hyp_ruleset_free(&set);
	hyp_rules_report_free(&rep);
	return 0;
}
