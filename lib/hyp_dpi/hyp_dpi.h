/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_DPI_H
#define HYP_DPI_H

/**
 * @file
 * Payload inspection for the slow path: every payload signature (literal
 * bytes) and payload rule (regex) of a policy in one Hyperscan block-mode
 * database, scanned once per L4 payload, and in a stream-mode twin for
 * TCP byte streams. No DPDK, nothing printed.
 *
 * Threading: a database is immutable and may be shared by any number of
 * threads; a scratch belongs to one thread and serves one scan at a time.
 */

#include <stddef.h>
#include <stdint.h>

#include "hyp_policy.h"	/* rule structs, enum hyp_action */

#ifdef __cplusplus
extern "C" {
#endif

/** A compiled database. Opaque. */
struct hyp_dpi_db;

/** Per-thread Hyperscan working memory. Opaque. */
struct hyp_dpi_scratch;

/** One rule that matched a payload. */
struct hyp_dpi_match {
	uint32_t rule_id;	/**< the policy's id */
	enum hyp_action action;
	uint32_t index;		/**< in the db's rule table, see below */
};

/**
 * Compile signatures and payload rules into one database.
 *
 * The rule table holds the signatures in order, then the payload rules:
 * index i < n_sigs is sigs[i], otherwise rules[i - n_sigs]. Signatures match
 * their bytes exactly (case-sensitive, NULs allowed) anywhere in a payload,
 * on any protocol and port; regexes are compiled with '.' matching every
 * byte. Each rule is reported at most once per scan. Zero rules is valid
 * and gives a database that matches nothing.
 *
 * @param err
 *   On failure, why: names the rule id of the expression Hyperscan
 *   refused. May be NULL.
 * @param err_len
 *   Size of err; may be 0.
 * @return
 *   The database, or NULL with errno set (EINVAL: a rule was refused;
 *   ENOMEM).
 */
struct hyp_dpi_db *hyp_dpi_compile(const struct hyp_policy_signature *sigs,
				   size_t n_sigs,
				   const struct hyp_policy_payload_rule *rules,
				   size_t n_rules, char *err, size_t err_len);

void hyp_dpi_free(struct hyp_dpi_db *db);

/** Rules in the table (signatures plus payload rules). */
size_t hyp_dpi_rule_count(const struct hyp_dpi_db *db);

/** Policy id of table entry idx; UINT32_MAX if out of range. */
uint32_t hyp_dpi_rule_id(const struct hyp_dpi_db *db, size_t idx);

/**
 * A scratch that fits db.
 *
 * @return
 *   0, -EINVAL or -ENOMEM.
 */
int hyp_dpi_scratch_alloc(const struct hyp_dpi_db *db,
			  struct hyp_dpi_scratch **s);

/**
 * Make s fit db too, keeping it fit for every database it fitted before:
 * grow each worker's scratch for a new database before publishing it.
 * On failure s is unchanged and still fits what it fitted. Must not run
 * while a scan is using s (call it from the owning thread or while that
 * thread is quiescent): the old memory is released.
 *
 * @return
 *   0, -EINVAL or -ENOMEM.
 */
int hyp_dpi_scratch_grow(const struct hyp_dpi_db *db,
			 struct hyp_dpi_scratch *s);

void hyp_dpi_scratch_free(struct hyp_dpi_scratch *s);

/**
 * Scan one L4 payload.
 *
 * A rule scoped to a protocol or a port (non-zero in the policy) only
 * matches when the packet's proto and destination port equal them.
 *
 * @param out
 *   The matches, in no promised order.
 * @param max_out
 *   Room in out. If more rules match than fit, a weaker match is replaced
 *   by a stronger one, so hyp_dpi_verdict() over out stays right.
 * @return
 *   Matches written to out (0..max_out), or a negative errno: -EINVAL (bad
 *   argument, or s does not fit db), -EBUSY (s is in use), -E2BIG (payload
 *   over 4 GiB), -EIO (other Hyperscan error).
 */
int hyp_dpi_scan(const struct hyp_dpi_db *db, struct hyp_dpi_scratch *s,
		 const uint8_t *payload, size_t len, uint8_t proto,
		 uint16_t dport, struct hyp_dpi_match *out,
		 unsigned int max_out);

/**
 * Streams: the same rules over a TCP direction's bytes in order, fed a
 * piece at a time (Hyperscan stream mode), so a match may span segments,
 * down to one byte each. Each rule is reported at most once per stream.
 * A stream belongs to the database it was opened with and must be scanned
 * with that one only (it refers to it); closing it needs the database only
 * to report end-of-data matches: with db NULL it is just freed, which is
 * how a stream of a database already freed is disposed of.
 */
struct hyp_dpi_stream;

/** Bytes one open stream costs (0 when the database has no rules). */
size_t hyp_dpi_stream_size(const struct hyp_dpi_db *db);

/** @return 0, -EINVAL or -ENOMEM. */
int hyp_dpi_stream_open(const struct hyp_dpi_db *db, struct hyp_dpi_stream **st);

/** The next bytes of the stream; matches as hyp_dpi_scan() gives them. */
int hyp_dpi_stream_scan(const struct hyp_dpi_db *db, struct hyp_dpi_stream *st,
			struct hyp_dpi_scratch *s, const uint8_t *data, size_t len,
			uint8_t proto, uint16_t dport, struct hyp_dpi_match *out,
			unsigned int max_out);

/**
 * End and free the stream (NULL is ignored), reporting the matches that
 * only the end makes ("...$"), unless db or s is NULL.
 * @return
 *   Matches written to out, or a negative errno.
 */
int hyp_dpi_stream_close(const struct hyp_dpi_db *db, struct hyp_dpi_stream *st,
			 struct hyp_dpi_scratch *s, uint8_t proto, uint16_t dport,
			 struct hyp_dpi_match *out, unsigned int max_out);

/**
 * The strongest action of n matches (drop > alert > pass); ties go to the
 * lowest rule id so the answer does not depend on match order.
 *
 * @param which
 *   Output, may be NULL: the deciding match, NULL if n is 0.
 * @return
 *   HYP_ACTION_PASS when n is 0.
 */
enum hyp_action hyp_dpi_verdict(const struct hyp_dpi_match *m, unsigned int n,
				const struct hyp_dpi_match **which);

#ifdef __cplusplus
}
#endif

#endif /* HYP_DPI_H */
