/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DNS query names and the domain suffix matcher.
 *
 * The decoder trusts nothing: every read is checked against the captured
 * length, and compression pointers must point strictly before the run of
 * labels they were found in. That alone makes loops impossible (the runs'
 * start offsets strictly decrease); the jump bound only caps the work an
 * adversarial message can cause.
 *
 * The matcher hashes names right to left so that one backward pass over a
 * name yields the hash of every suffix that starts at a label: one probe
 * per label, no allocation and no rehashing per packet.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_dns.h"

#define DNS_FLAG_QR		0x80	/* in the third header byte */
#define DNS_LABEL_MAX		63
#define DNS_LABEL_TYPE_MASK	0xC0
#define DNS_LABEL_PTR		0xC0

#define FNV32_OFFSET		2166136261u
#define FNV32_PRIME		16777619u

static inline uint16_t
dns_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline char
dns_lower(char c)
{
	/* not tolower(): the result must not depend on the locale */
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c;
}

static int
dns_decode(const uint8_t *msg, size_t len, size_t off, char *name,
	   size_t name_len, size_t *next)
{
	size_t pos = off;
	size_t run = off;	/* where the current run of labels began */
	size_t out = 0;
	size_t end = 0;
	bool jumped = false;
	unsigned int jumps = 0;

	for (;;) {
		uint8_t c;
		size_t need, i;

		if (pos >= len)
			return HYP_DNS_ETRUNC;
		c = msg[pos];

		if ((c & DNS_LABEL_TYPE_MASK) == DNS_LABEL_PTR) {
			size_t target;

			if (pos + 1 >= len)
				return HYP_DNS_ETRUNC;
			target = ((size_t)(c & 0x3F) << 8) | msg[pos + 1];
			if (!jumped) {
				end = pos + 2;
				jumped = true;
			}
			/* the header holds no names */
			if (target < HYP_DNS_HDR_LEN || target >= len)
				return HYP_DNS_EBADPTR;
			if (target >= run || ++jumps > HYP_DNS_MAX_JUMPS)
				return HYP_DNS_ELOOP;
			pos = target;
			run = target;
			continue;
		}
		/* 0x40 (extended labels) and 0x80 are reserved */
		if ((c & DNS_LABEL_TYPE_MASK) != 0)
			return HYP_DNS_EBADLABEL;

		if (c == 0) {
			if (!jumped)
				end = pos + 1;
			break;
		}
		if (c > len - pos - 1)
			return HYP_DNS_ETRUNC;

		need = out + (out > 0 ? 1 : 0) + c;
		if (need > HYP_DNS_NAME_MAX)
			return HYP_DNS_ETOOLONG;
		if (need >= name_len)
			return HYP_DNS_ENOSPC;
		if (out > 0)
			name[out++] = '.';
		for (i = 0; i < c; i++) {
			char b = (char)msg[pos + 1 + i];

			if (b == '\0' || b == '.')
				return HYP_DNS_EBADLABEL;
			name[out++] = dns_lower(b);
		}
		pos += 1 + (size_t)c;
	}

	name[out] = '\0';
	if (next != NULL)
		*next = end;
	return (int)out;
}

/*
 * The arguments every decoder checks first, and the length it needs at the
 * least; the name is emptied before anything can fail, so a caller never
 * reads a stale one.
 */
static int
dns_args(const void *msg, size_t len, size_t min_len, char *name, size_t name_len)
{
	if (name == NULL || name_len == 0)
		return HYP_DNS_EINVAL;
	name[0] = '\0';
	if (msg == NULL && len > 0)
		return HYP_DNS_EINVAL;
	if (len < min_len)
		return HYP_DNS_ETRUNC;
	return 0;
}

int
hyp_dns_name_decode(const uint8_t *msg, size_t len, size_t off, char *name,
		    size_t name_len, size_t *next)
{
	int ret = dns_args(msg, len, 0, name, name_len);

	if (ret < 0)
		return ret;
	if (off < HYP_DNS_HDR_LEN)
		return HYP_DNS_EINVAL;

	ret = dns_decode(msg, len, off, name, name_len, next);
	if (ret < 0)
		name[0] = '\0';
	return ret;
}

int
hyp_dns_query_name(const uint8_t *msg, size_t len, char *name,
		   size_t name_len, uint16_t *qtype)
{
	size_t next;
	int ret = dns_args(msg, len, HYP_DNS_HDR_LEN, name, name_len);

	if (ret < 0)
		return ret;
	if (msg[2] & DNS_FLAG_QR)
		return HYP_DNS_ENOTQUERY;
	if (dns_be16(msg + 4) == 0)
		return HYP_DNS_ENOQUESTION;

	ret = dns_decode(msg, len, HYP_DNS_HDR_LEN, name, name_len, &next);
	if (ret < 0) {
		name[0] = '\0';
		return ret;
	}
	/* QTYPE and QCLASS complete the question */
	if (len - next < 4) {
		name[0] = '\0';
		return HYP_DNS_ETRUNC;
	}
	if (qtype != NULL)
		*qtype = dns_be16(msg + next);
	return ret;
}

unsigned int
hyp_dns_questions(const uint8_t *msg, size_t len, struct hyp_dns_question *q,
		  unsigned int max, int *err)
{
	unsigned int qd, i;
	size_t off = HYP_DNS_HDR_LEN, next;
	int ret;

	*err = HYP_DNS_EINVAL;
	if (q == NULL || max == 0 || (msg == NULL && len > 0))
		return 0;
	*err = HYP_DNS_ETRUNC;
	if (len < HYP_DNS_HDR_LEN)
		return 0;
	*err = HYP_DNS_ENOTQUERY;
	if (msg[2] & DNS_FLAG_QR)
		return 0;
	*err = HYP_DNS_ENOQUESTION;
	qd = dns_be16(msg + 4);
	if (qd == 0)
		return 0;
	*err = 0;
	for (i = 0; i < qd; i++) {
		if (i == max) {
			*err = HYP_DNS_ETOOMANY;
			return i;
		}
		ret = dns_decode(msg, len, off, q[i].name, sizeof(q[i].name), &next);
		/* QTYPE and QCLASS complete each question */
		if (ret >= 0 && len - next < 4)
			ret = HYP_DNS_ETRUNC;
		if (ret < 0) {
			*err = ret;
			return i;
		}
		q[i].len = (uint16_t)ret;
		q[i].qtype = dns_be16(msg + next);
		off = next + 4;
	}
	return qd;
}

int
hyp_dns_tcp_messages(const uint8_t *seg, size_t len, uint32_t off[], uint32_t mlen[])
{
	size_t pos = 0;
	int n = 0;

	if (seg == NULL && len > 0)
		return HYP_DNS_EINVAL;
	while (n < HYP_DNS_MAX_TCP_MSGS && len - pos >= 2) {
		size_t m = dns_be16(seg + pos);

		if (m > len - pos - 2)
			break;
		off[n] = (uint32_t)(pos + 2);
		mlen[n] = (uint32_t)m;
		n++;
		pos += 2 + m;
	}
	return n > 0 ? n : HYP_DNS_ETRUNC;
}

int
hyp_dns_tcp_query_name(const uint8_t *seg, size_t len, char *name,
		       size_t name_len, uint16_t *qtype)
{
	size_t msg_len;
	int ret = dns_args(seg, len, 2, name, name_len);	/* the length prefix */

	if (ret < 0)
		return ret;
	msg_len = dns_be16(seg);
	if (msg_len > len - 2)
		return HYP_DNS_ETRUNC;
	return hyp_dns_query_name(seg + 2, msg_len, name, name_len, qtype);
}

int
hyp_dns_normalize(const char *in, char *out, size_t out_len)
{
	size_t n, i, label = 0;

	if (in == NULL || out == NULL)
		return HYP_DNS_EINVAL;
	n = strnlen(in, HYP_DNS_NAME_MAX + 2);
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n > HYP_DNS_NAME_MAX)
		return HYP_DNS_ETOOLONG;

	/* validate before writing: in and out may be the same buffer */
	for (i = 0; i < n; i++) {
		if (in[i] == '.') {
			if (label == 0)
				return HYP_DNS_EBADLABEL;
			label = 0;
		} else if (++label > DNS_LABEL_MAX) {
			return HYP_DNS_EBADLABEL;
		}
	}
	if (n > 0 && label == 0)
		return HYP_DNS_EBADLABEL;
	if (n >= out_len)
		return HYP_DNS_ENOSPC;

	for (i = 0; i < n; i++)
		out[i] = dns_lower(in[i]);
	out[n] = '\0';
	return (int)n;
}

const char *
hyp_dns_strerror(int code)
{
	switch (code) {
	case 0:
		return "success";
	case HYP_DNS_ETRUNC:
		return "DNS message truncated";
	case HYP_DNS_EBADLABEL:
		return "bad DNS label";
	case HYP_DNS_ELOOP:
		return "DNS compression pointer loop";
	case HYP_DNS_EBADPTR:
		return "DNS compression pointer outside the message";
	case HYP_DNS_ETOOLONG:
		return "DNS name too long";
	case HYP_DNS_ENOTQUERY:
		return "DNS message is not a query";
	case HYP_DNS_ENOQUESTION:
		return "DNS query has no question";
	case HYP_DNS_ENOSPC:
		return "DNS name buffer too small";
	case HYP_DNS_EINVAL:
		return "invalid argument";
	case HYP_DNS_ETOOMANY:
		return "DNS query has more questions than are read";
	case -ENOMEM:
		return "out of memory";
	default:
		return "unknown DNS error";
	}
}

/* suffix set */

#define DNS_SLOT_EMPTY	UINT32_MAX

struct hyp_dns_slot {
	uint32_t hash;
	uint32_t idx;		/* rule index, DNS_SLOT_EMPTY if free */
	uint32_t off;		/* name in the arena */
	uint32_t len;
};

struct hyp_dns_rule_info {
	uint32_t id;
	enum hyp_action action;
};

struct hyp_dns_set {
	size_t n_rules;
	struct hyp_dns_rule_info *rules;
	size_t mask;		/* slots - 1, slots a power of two */
	struct hyp_dns_slot *slots;
	char *names;
	int root_idx;		/* rule "" matches every name; -1 if none */
};

/* FNV-1a over the bytes last to first: see the file comment */
static inline uint32_t
dns_hash_step(uint32_t h, char c)
{
	return (h ^ (uint8_t)c) * FNV32_PRIME;
}

static uint32_t
dns_hash_rev(const char *s, size_t len)
{
	uint32_t h = FNV32_OFFSET;

	while (len-- > 0)
		h = dns_hash_step(h, s[len]);
	return h;
}

static int
dns_set_lookup(const struct hyp_dns_set *s, uint32_t h, const char *name,
	       size_t len)
{
	size_t j;

	for (j = h & s->mask;; j = (j + 1) & s->mask) {
		const struct hyp_dns_slot *e = &s->slots[j];

		if (e->idx == DNS_SLOT_EMPTY)
			return -1;
		if (e->hash == h && e->len == len &&
		    memcmp(s->names + e->off, name, len) == 0)
			return (int)e->idx;
	}
}

void
hyp_dns_set_free(struct hyp_dns_set *s)
{
	if (s == NULL)
		return;
	free(s->rules);
	free(s->slots);
	free(s->names);
	free(s);
}

struct hyp_dns_set *
hyp_dns_set_create(const struct hyp_policy_dns_rule *rules, size_t n)
{
	struct hyp_dns_set *s;
	size_t arena = 1, used = 0, cap = 16, i;
	char buf[HYP_DNS_NAME_BUF];

	if (rules == NULL && n > 0) {
		errno = EINVAL;
		return NULL;
	}
	/* arena offsets are uint32_t; far above HYP_POLICY_MAX_RULES anyway */
	if (n > UINT32_MAX / HYP_DNS_NAME_BUF) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (rules[i].match == NULL) {
			errno = EINVAL;
			return NULL;
		}
		/* normalized names are never longer than the raw ones */
		arena += strnlen(rules[i].match, HYP_DNS_NAME_MAX + 2) + 1;
	}
	while (cap < 2 * n)
		cap <<= 1;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->root_idx = -1;
	s->n_rules = n;
	s->mask = cap - 1;
	s->rules = calloc(n > 0 ? n : 1, sizeof(*s->rules));
	s->slots = malloc(cap * sizeof(*s->slots));
	s->names = malloc(arena);
	if (s->rules == NULL || s->slots == NULL || s->names == NULL) {
		hyp_dns_set_free(s);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < cap; i++)
		s->slots[i].idx = DNS_SLOT_EMPTY;

	for (i = 0; i < n; i++) {
		uint32_t h;
		size_t j;
		int len;

		s->rules[i].id = rules[i].id;
		s->rules[i].action = rules[i].action;
		len = hyp_dns_normalize(rules[i].match, buf, sizeof(buf));
		if (len < 0) {
			hyp_dns_set_free(s);
			errno = EINVAL;
			return NULL;
		}
		if (len == 0) {
			if (s->root_idx < 0)
				s->root_idx = (int)i;
			continue;
		}
		h = dns_hash_rev(buf, (size_t)len);
		if (dns_set_lookup(s, h, buf, (size_t)len) >= 0)
			continue;	/* the first rule for a name wins */
		for (j = h & s->mask; s->slots[j].idx != DNS_SLOT_EMPTY;
		     j = (j + 1) & s->mask)
			;
		memcpy(s->names + used, buf, (size_t)len + 1);
		s->slots[j].hash = h;
		s->slots[j].idx = (uint32_t)i;
		s->slots[j].off = (uint32_t)used;
		s->slots[j].len = (uint32_t)len;
		used += (size_t)len + 1;
	}
	return s;
}

int
hyp_dns_set_match_len(const struct hyp_dns_set *s, const char *name, size_t len)
{
	uint32_t h = FNV32_OFFSET;
	size_t i;
	int best;

	if (s == NULL || name == NULL)
		return -1;
	best = s->root_idx;
	/* shortest suffix first, so the last hit is the most specific */
	for (i = len; i-- > 0;) {
		h = dns_hash_step(h, name[i]);
		if (i == 0 || name[i - 1] == '.') {
			int r = dns_set_lookup(s, h, name + i, len - i);

			if (r >= 0)
				best = r;
		}
	}
	return best;
}

int
hyp_dns_set_match(const struct hyp_dns_set *s, const char *name)
{
	return name != NULL ? hyp_dns_set_match_len(s, name, strlen(name)) : -1;
}

size_t
hyp_dns_set_count(const struct hyp_dns_set *s)
{
	return s == NULL ? 0 : s->n_rules;
}

int
hyp_dns_set_rule(const struct hyp_dns_set *s, int idx, uint32_t *id,
		 enum hyp_action *action)
{
	if (s == NULL || idx < 0 || (size_t)idx >= s->n_rules)
		return -EINVAL;
	if (id != NULL)
		*id = s->rules[idx].id;
	if (action != NULL)
		*action = s->rules[idx].action;
	return 0;
}
