/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_DNS_H
#define HYP_DNS_H

/**
 * @file
 * DNS query names for the slow path: the questions of a query taken from
 * a UDP or TCP payload (every one, and every message of a TCP payload),
 * and a suffix matcher for the policy's dns_rules. No DPDK, no allocation per packet, nothing printed: this code
 * reads attacker-controlled bytes and is also a fuzz target.
 *
 * Names come out in presentation form, lower case (ASCII only), dotted,
 * with no trailing dot; the root name is "". Labels holding a NUL byte or a
 * '.' are refused: they cannot be told apart from real label boundaries
 * without escapes, and escapes would break the 253-character bound.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "hyp_policy.h"	/* struct hyp_policy_dns_rule; HYP_DNS_NAME_MAX (hyp_base.h) */

#ifdef __cplusplus
extern "C" {
#endif

/* Errors, all negative errno values so callers may also use strerror(). */
#define HYP_DNS_ETRUNC		(-ENODATA)	/**< message ends too early */
#define HYP_DNS_EBADLABEL	(-EILSEQ)	/**< label type or bytes invalid */
#define HYP_DNS_ELOOP		(-ELOOP)	/**< pointer loop, not backwards,
						 *   or too many jumps */
#define HYP_DNS_EBADPTR		(-EFAULT)	/**< pointer outside the message */
#define HYP_DNS_ETOOLONG	(-ENAMETOOLONG)	/**< over HYP_DNS_NAME_MAX */
#define HYP_DNS_ENOTQUERY	(-EPROTO)	/**< QR bit set: a response */
#define HYP_DNS_ENOQUESTION	(-ENOMSG)	/**< QDCOUNT is 0 */
#define HYP_DNS_ENOSPC		(-ENOSPC)	/**< output buffer too small */
#define HYP_DNS_EINVAL		(-EINVAL)	/**< bad argument */
#define HYP_DNS_ETOOMANY	(-E2BIG)	/**< more questions than
						 *   HYP_DNS_MAX_QUESTIONS */

#define HYP_DNS_HDR_LEN		12
#define HYP_DNS_MAX_JUMPS	16	/**< compression pointers per name */
/**
 * Questions read from one message. Servers answer one; a message with more
 * is either a probe or an attempt to hide a name behind a benign first one.
 */
#define HYP_DNS_MAX_QUESTIONS	8
/** Messages read from one TCP payload (RFC 7766 pipelining). */
#define HYP_DNS_MAX_TCP_MSGS	16

struct hyp_dns_question {
	char name[HYP_DNS_NAME_BUF];	/**< as hyp_dns_query_name() gives it */
	uint16_t len;			/**< strlen(name): copies and matches need no scan */
	uint16_t qtype;
};

/**
 * The first question's name and type of a DNS query in a UDP payload.
 *
 * @param msg
 *   The message as captured.
 * @param len
 *   Bytes captured; nothing past them is read.
 * @param name
 *   Output, NUL-terminated.
 * @param name_len
 *   Size of name; HYP_DNS_NAME_BUF always suffices.
 * @param qtype
 *   Output, host order; may be NULL.
 * @return
 *   The length of the name (0 for the root), or a negative HYP_DNS_E* code.
 *   On error name is "" if name_len > 0.
 */
int hyp_dns_query_name(const uint8_t *msg, size_t len, char *name,
		       size_t name_len, uint16_t *qtype);

/**
 * The same for a TCP payload: a 2-byte big-endian length, then the message.
 * The announced length must fit in what was captured (HYP_DNS_ETRUNC
 * otherwise); bytes after it (a pipelined query) are ignored.
 */
int hyp_dns_tcp_query_name(const uint8_t *seg, size_t len, char *name,
			   size_t name_len, uint16_t *qtype);

/**
 * The questions of a DNS query, in order (a later one may point into an
 * earlier one), at most max of them. Those that parse before a problem are
 * returned, so that nothing placed after a blocked name hides it.
 * @param err
 *   Output: 0 when all QDCOUNT questions parsed; else a negative
 *   HYP_DNS_E* code: the first problem (HYP_DNS_ETOOMANY for QDCOUNT > max,
 *   after the first max).
 * @return
 *   The number of questions in q[] (0 if none parsed).
 */
unsigned int hyp_dns_questions(const uint8_t *msg, size_t len, struct hyp_dns_question *q,
			       unsigned int max, int *err);

/**
 * The messages of a TCP payload (each a 2-byte big-endian length, then the
 * message), at most HYP_DNS_MAX_TCP_MSGS: offsets and lengths of each
 * message, without its length prefix. A message cut at the payload's end
 * is not counted (its rest is in the next segment).
 * @return
 *   How many whole messages (>= 1), or HYP_DNS_ETRUNC if not even one.
 */
int hyp_dns_tcp_messages(const uint8_t *seg, size_t len, uint32_t off[], uint32_t mlen[]);

/**
 * Decode the (possibly compressed) name at offset off of a message, with
 * the same rules as hyp_dns_query_name(). For answers and later questions.
 *
 * @param next
 *   Output, may be NULL: the offset just past the name where it started
 *   (past its first pointer if it was compressed).
 * @return
 *   The name's length, or a negative HYP_DNS_E* code.
 */
int hyp_dns_name_decode(const uint8_t *msg, size_t len, size_t off,
			char *name, size_t name_len, size_t *next);

/**
 * Bring a name from another source (configuration, logs) to the form the
 * parser produces: ASCII lower case, one trailing dot removed ("." is the
 * root, ""), no empty labels, labels of at most 63 and names of at most
 * HYP_DNS_NAME_MAX characters. in and out may be the same buffer.
 *
 * @return
 *   The length written (without the NUL), or a negative HYP_DNS_E* code.
 */
int hyp_dns_normalize(const char *in, char *out, size_t out_len);

/** A static description of a HYP_DNS_E* code (or any other errno). */
const char *hyp_dns_strerror(int code);

/** A set of domain rules, immutable once built; safe to share for reading. */
struct hyp_dns_set;

/**
 * Build a set from n rules (n may be 0). Each rule's name is normalized and
 * copied, so rules may be freed afterwards. When two rules name the same
 * domain the first one wins.
 *
 * @return
 *   The set, or NULL with errno set (EINVAL for a bad name, ENOMEM).
 */
struct hyp_dns_set *hyp_dns_set_create(const struct hyp_policy_dns_rule *rules,
				       size_t n);

/**
 * The rule that matches name or its nearest parent domain.
 *
 * @param name
 *   As parsed: lower case, no trailing dot (see hyp_dns_normalize()).
 * @return
 *   The index of the most specific matching rule in the array given to
 *   hyp_dns_set_create(), or -1 if none matches (or on NULL arguments).
 */
int hyp_dns_set_match(const struct hyp_dns_set *s, const char *name);

/** hyp_dns_set_match() of a name whose length the caller knows (len = strlen(name)). */
int hyp_dns_set_match_len(const struct hyp_dns_set *s, const char *name, size_t len);

/** Number of rules the set was built from. */
size_t hyp_dns_set_count(const struct hyp_dns_set *s);

/** Id and action of rule idx, copied at creation; -EINVAL if out of range. */
int hyp_dns_set_rule(const struct hyp_dns_set *s, int idx, uint32_t *id,
		     enum hyp_action *action);

void hyp_dns_set_free(struct hyp_dns_set *s);

#ifdef __cplusplus
}
#endif

#endif /* HYP_DNS_H */
