/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the slow path's DNS parser on arbitrary bytes, read as
 * a UDP payload (hyp_dns_query_name), as a TCP segment
 * (hyp_dns_tcp_query_name) and, from an offset taken from the input, as a
 * name anywhere in a message (hyp_dns_name_decode). Every name that comes
 * out goes through hyp_dns_set_match() against a fixed rule set.
 *
 * Checks, beyond memory errors and undefined behaviour: a returned length
 * is the string's length and at most HYP_DNS_NAME_MAX; names are lower
 * case with no empty label and no trailing dot, so hyp_dns_normalize()
 * leaves them unchanged; an error leaves "" behind; a small output buffer
 * gives -ENOSPC or the same name, never an overflow; a match returns a
 * rule that really is a suffix of the name at a label boundary.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_dns.h"
#include "fuzz.h"


static const struct hyp_policy_dns_rule rules[] = {
	{ 1, (char *)"evil.com", HYP_ACTION_DROP },
	{ 2, (char *)"Ads.Example.ORG.", HYP_ACTION_ALERT },
	{ 3, (char *)"example.org", HYP_ACTION_PASS },
	{ 4, (char *)"a.b.c.d.e.f.g", HYP_ACTION_DROP },
	{ 5, (char *)"evil.com", HYP_ACTION_PASS },	/* duplicate: loses */
	{ 6, (char *)"x", HYP_ACTION_ALERT },
	{ 7, (char *)"xn--bcher-kva.example", HYP_ACTION_DROP },
	{ 8, (char *)"_dmarc.test", HYP_ACTION_ALERT },
};
#define N_RULES (sizeof(rules) / sizeof(rules[0]))

static struct hyp_dns_set *set;
static char norm[N_RULES][HYP_DNS_NAME_BUF];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	set = hyp_dns_set_create(rules, N_RULES);
	CHECK(set != NULL && hyp_dns_set_count(set) == N_RULES);
	for (i = 0; i < N_RULES; i++)
		CHECK(hyp_dns_normalize(rules[i].match, norm[i],
					sizeof(norm[i])) >= 0);
	return 0;
}

/* Is rule r's name the name or one of its parent domains? */
static int
is_suffix(const char *name, size_t len, const char *rule)
{
	size_t rl = strlen(rule);

	if (rl == 0)
		return 1;
	if (rl > len || strcmp(name + len - rl, rule) != 0)
		return 0;
	return rl == len || name[len - rl - 1] == '.';
}

static void
check_name(int ret, const char *name)
{
	char buf[HYP_DNS_NAME_BUF];
	size_t len, i;
	int r, best = -1;
	uint32_t id;
	enum hyp_action action;

	if (ret < 0) {
		CHECK(name[0] == '\0');
		CHECK(hyp_dns_strerror(ret) != NULL);
		return;
	}
	len = strlen(name);
	CHECK((size_t)ret == len && len <= HYP_DNS_NAME_MAX);
	for (i = 0; i < len; i++)
		CHECK(!(name[i] >= 'A' && name[i] <= 'Z'));
	CHECK(hyp_dns_normalize(name, buf, sizeof(buf)) == ret);
	CHECK(strcmp(buf, name) == 0);

	r = hyp_dns_set_match(set, name);
	/* the reference: the longest matching rule name, first rule on ties */
	for (i = 0; i < N_RULES; i++)
		if (is_suffix(name, len, norm[i]) &&
		    (best < 0 || strlen(norm[i]) > strlen(norm[best])))
			best = (int)i;
	CHECK(r == best);
	if (r >= 0) {
		CHECK(hyp_dns_set_rule(set, r, &id, &action) == 0);
		CHECK(id == rules[r].id && action == rules[r].action);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[HYP_DNS_NAME_BUF], small[16];
	uint16_t qtype = 0;
	size_t next = 0, off;
	int ret, ret2;

	ret = hyp_dns_query_name(data, size, name, sizeof(name), &qtype);
	check_name(ret, name);
	/* a small buffer: the same answer, or -ENOSPC, or an error */
	ret2 = hyp_dns_query_name(data, size, small, sizeof(small), NULL);
	if (ret >= 0 && (size_t)ret < sizeof(small))
		CHECK(ret2 == ret && strcmp(small, name) == 0);
	else if (ret >= 0)
		CHECK(ret2 == HYP_DNS_ENOSPC && small[0] == '\0');
	else
		CHECK(ret2 < 0 && small[0] == '\0');

	ret = hyp_dns_tcp_query_name(data, size, name, sizeof(name), &qtype);
	check_name(ret, name);

	/* every question: the first is hyp_dns_query_name()'s; all are names */
	{
		struct hyp_dns_question q[HYP_DNS_MAX_QUESTIONS];
		unsigned int n, i;
		int err;

		n = hyp_dns_questions(data, size, q, HYP_DNS_MAX_QUESTIONS, &err);
		CHECK(n <= HYP_DNS_MAX_QUESTIONS && err <= 0);
		for (i = 0; i < n; i++) {
			check_name((int)strlen(q[i].name), q[i].name);
			/* copies and matches trust the length the decoder gives */
			CHECK(q[i].len == strlen(q[i].name));
		}
		ret = hyp_dns_query_name(data, size, name, sizeof(name), NULL);
		if (n > 0)
			CHECK(ret >= 0 && strcmp(name, q[0].name) == 0);
		if (n == 0)
			CHECK(err < 0);
	}
	/* pipelined TCP messages lie inside the payload, in order */
	{
		uint32_t mo[HYP_DNS_MAX_TCP_MSGS], ml[HYP_DNS_MAX_TCP_MSGS];
		int n = hyp_dns_tcp_messages(data, size, mo, ml), i;

		CHECK(n == HYP_DNS_ETRUNC || (n >= 1 && n <= HYP_DNS_MAX_TCP_MSGS));
		for (i = 0; i < n; i++) {
			CHECK(mo[i] >= 2 && (size_t)mo[i] + ml[i] <= size);
			if (i > 0)
				CHECK(mo[i] == mo[i - 1] + ml[i - 1] + 2);
		}
	}

	/* any name in the message, from an offset the input chooses */
	if (size >= 2) {
		off = (size_t)((data[0] << 8) | data[1]) % (size + 1);
		ret = hyp_dns_name_decode(data, size, off, name, sizeof(name),
					  &next);
		check_name(ret, name);
		if (ret >= 0)
			CHECK(next > off && next <= size);
	}
	return 0;
}
