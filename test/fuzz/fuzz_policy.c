/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the policy parser, hyp_policy_parse(), on arbitrary
 * bytes (YAML via libyaml, CIDRs via hyp_cidr_parse(), regexes via
 * Hyperscan's hs_expression_info()).
 *
 * Besides memory errors, leaks and undefined behaviour it checks what the
 * parser promises about a policy it returns:
 *  - every CIDR formats and parses back to itself;
 *  - every dns_rules match is already normalized (hyp_dns_normalize() leaves
 *    it unchanged) and the rules build a hyp_dns_set;
 *  - slow-path rule ids are unique;
 *  - a refusal comes with a message.
 * A broken promise aborts, so libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_dns.h"
#include "hyp_policy.h"
#include "fuzz.h"


static void
check_cidr(const struct hyp_cidr *c)
{
	char buf[64], err[128];
	struct hyp_cidr back;

	hyp_cidr_format(c, buf, sizeof(buf));
	CHECK(hyp_cidr_parse(buf, &back, err, sizeof(err)) == 0);
	CHECK(back.family == c->family && back.prefixlen == c->prefixlen);
	CHECK(memcmp(back.addr, c->addr, sizeof(c->addr)) == 0);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
check_policy(const struct hyp_policy *p)
{
	char buf[HYP_DNS_NAME_BUF];
	struct hyp_dns_set *set;
	uint32_t *ids;
	size_t i, n = 0;

	for (i = 0; i < p->n_drop_ips; i++)
		check_cidr(&p->drop_ips[i]);
	for (i = 0; i < p->n_drop_dst_ips; i++)
		check_cidr(&p->drop_dst_ips[i]);
	for (i = 0; i < p->n_rate_limits; i++)
		check_cidr(&p->rate_limits[i].cidr);
	for (i = 0; i < p->n_redirect_ports; i++)
		CHECK(p->redirect_ports[i].port != 0);

	for (i = 0; i < p->n_dns_rules; i++) {
		const char *m = p->dns_rules[i].match;
		int len;

		CHECK(m != NULL);
		len = hyp_dns_normalize(m, buf, sizeof(buf));
		CHECK(len >= 0 && (size_t)len == strlen(m) &&
		      strcmp(buf, m) == 0);
		CHECK(hyp_dns_set_match(NULL, m) == -1);
	}
	set = hyp_dns_set_create(p->dns_rules, p->n_dns_rules);
	CHECK(set != NULL);
	CHECK(hyp_dns_set_count(set) == p->n_dns_rules);
	for (i = 0; i < p->n_dns_rules; i++) {
		/* a rule's own name matches it or an earlier rule for it */
		int r = hyp_dns_set_match(set, p->dns_rules[i].match);

		CHECK(r >= 0 && (size_t)r <= i);
	}
	hyp_dns_set_free(set);

	for (i = 0; i < p->n_payload_rules; i++)
		CHECK(p->payload_rules[i].regex != NULL);
	for (i = 0; i < p->n_signatures; i++)
		CHECK(p->signatures[i].len == 0 || p->signatures[i].bytes != NULL);

	ids = malloc((p->n_dns_rules + p->n_signatures + p->n_payload_rules + 1) *
		     sizeof(*ids));
	CHECK(ids != NULL);
	for (i = 0; i < p->n_dns_rules; i++)
		ids[n++] = p->dns_rules[i].id;
	for (i = 0; i < p->n_signatures; i++)
		ids[n++] = p->signatures[i].id;
	for (i = 0; i < p->n_payload_rules; i++)
		ids[n++] = p->payload_rules[i].id;
	qsort(ids, n, sizeof(*ids), cmp_u32);
	for (i = 1; i < n; i++)
		CHECK(ids[i] != ids[i - 1]);
	free(ids);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hyp_policy_error err;
	struct hyp_policy *p = NULL;
	char msg[600];
	int ret;

	/* hyp_policy_load() hands whole files over; no NUL is promised */
	ret = hyp_policy_parse((const char *)data, size, "fuzz.yaml", &p, &err);
	if (ret == 0) {
		CHECK(p != NULL);
		check_policy(p);
		hyp_policy_free(p);
	} else {
		CHECK(ret < 0 && p == NULL);
		CHECK(err.msg[0] != '\0');
		CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
		CHECK(memchr(err.file, '\0', sizeof(err.file)) != NULL);
		hyp_policy_error_str(&err, msg, sizeof(msg));
	}
	return 0;
}
