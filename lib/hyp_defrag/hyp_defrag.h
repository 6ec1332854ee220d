/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_DEFRAG_H
#define HYP_DEFRAG_H

/**
 * @file
 * IP reassembly for the slow path: the fragments of one datagram (IPv4, or
 * IPv6 with any unfragmentable extension headers before the fragment
 * header) become one frame, inspected whole, as the receiving host will see
 * the datagram.
 *
 * One instance per rx lcore, no locks: every fragment of a datagram must
 * reach the same instance (the fast path redirects them all to the queue
 * they arrived on). Each datagram is bounded: a timeout from its first
 * fragment, a number of fragments, and with all the others a number of
 * datagrams and bytes held. A datagram that breaks a bound is dropped whole
 * and counted; nothing half-reassembled is ever delivered.
 *
 * Overlapping fragments are compared byte for byte: the same bytes again (a
 * retransmission) are counted and harmless; different bytes are how an
 * attacker shows an inspector one datagram and the host another, and mark
 * the datagram (HYP_DEFRAG_F_CONFLICT) for the caller to alert on and, in
 * ips mode, to drop. The bytes that arrived first are the ones inspected.
 *
 * Why not librte_ip_frag (DPDK 22.11): it compares no bytes and reports no
 * overlap, drops a datagram silently on a duplicate fragment, cannot
 * reassemble IPv6 with extension headers before the fragment header, holds
 * at most 8 fragments (64 KB at IPv6's minimum MTU needs 53), hashes with a
 * fixed public seed, keeps no statistics in Debian's build, and rewrites the
 * fragments it is given, which ips mode must forward unchanged.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "hyp_base.h"
#include "hyp_flow.h"	/* struct hyp_pkt_meta */

#ifdef __cplusplus
extern "C" {
#endif

/** The most fragments one datagram may have (IPv4 64 KB in 8-byte pieces is 8192). */
#define HYP_DEFRAG_MAX_FRAGS	1024

struct hyp_defrag_conf {
	const char *name;	/**< unique among instances (names DPDK objects) */
	int socket_id;
	uint32_t max_datagrams;	/**< held at once, >= 1 */
	uint32_t max_frags;	/**< per datagram, 2..HYP_DEFRAG_MAX_FRAGS */
	uint32_t timeout_ms;	/**< from a datagram's first fragment, >= 1 */
	uint64_t memcap;	/**< bytes of fragment data held at once */
	uint32_t max_out;	/**< reassembled datagrams out at once (>= 1) */
	/**
	 * ips: keep the fragments as they came and hand them out with the
	 * datagram (hyp_defrag_take_originals), to be forwarded unchanged.
	 * Otherwise each fragment is freed as soon as its bytes are copied.
	 */
	bool keep_originals;
};

/** What a datagram showed on its way; set in *flags by hyp_defrag_push(). */
#define HYP_DEFRAG_F_OVERLAP	(1u << 0)	/**< overlaps with the same bytes */
#define HYP_DEFRAG_F_CONFLICT	(1u << 1)	/**< overlaps with different bytes */
#define HYP_DEFRAG_F_TINY	(1u << 2)	/**< a fragment below the minimum MTU */
#define HYP_DEFRAG_F_TOO_LARGE	(1u << 3)	/**< dropped: past 65535 bytes */

enum hyp_defrag_result {
	HYP_DEFRAG_HELD,	/**< kept (or its bytes copied); nothing to inspect yet */
	HYP_DEFRAG_DONE,	/**< *out is the reassembled datagram */
	HYP_DEFRAG_DROPPED,	/**< freed, and its datagram if it broke a bound; counted */
};

/**
 * Counters of one instance, written by its lcore only; their names and
 * meaning are in hyp_defrag_stat_descs[].
 */
struct hyp_defrag_stats {
	uint64_t fragments;
	uint64_t reassembled;
	uint64_t timeouts;
	uint64_t timeout_fragments;
	uint64_t table_full;
	uint64_t too_many_fragments;
	uint64_t memcap;
	uint64_t too_large;
	uint64_t invalid;
	uint64_t overlaps;
	uint64_t conflicts;
	uint64_t tiny;
	uint64_t no_mbuf;
	uint64_t datagrams_held;
	uint64_t bytes_held;
};

extern const struct hyp_stat_desc hyp_defrag_stat_descs[];
extern const unsigned int hyp_defrag_stat_count;

struct hyp_defrag;

/**
 * @return
 *   The instance, or NULL with rte_errno set (EINVAL for a bad conf,
 *   ENOMEM, or the error of creating its hash or its mbuf pool).
 */
struct hyp_defrag *hyp_defrag_create(const struct hyp_defrag_conf *c);

/** Frees every datagram held (and its fragments). NULL is ignored. */
void hyp_defrag_free(struct hyp_defrag *d);

/**
 * Take one fragment (meta->frag.is set, meta from hyp_flow_parse() of m).
 * The instance owns m from here.
 * @param now
 *   TSC.
 * @param out
 *   On HYP_DEFRAG_DONE: the datagram as one frame, from the first
 *   fragment's L2 header, with the IP lengths and fragment fields of a
 *   whole datagram (IPv4 checksum recomputed; IPv6 without its fragment
 *   header). An mbuf with an external buffer: freeing it frees whatever it
 *   still holds.
 * @param flags
 *   HYP_DEFRAG_F_* of the datagram (DONE), or of what was dropped.
 */
enum hyp_defrag_result hyp_defrag_push(struct hyp_defrag *d, struct rte_mbuf *m,
				       const struct hyp_pkt_meta *meta, uint64_t now,
				       struct rte_mbuf **out, uint32_t *flags);

/**
 * Drop the datagrams whose time is up, oldest first, at most budget of
 * them. @return how many were dropped.
 */
unsigned int hyp_defrag_expire(struct hyp_defrag *d, uint64_t now, unsigned int budget);

/** A copy of the counters (gauges as of now). */
void hyp_defrag_get_stats(const struct hyp_defrag *d, struct hyp_defrag_stats *st);

/** Whether m is a datagram hyp_defrag_push() made. */
bool hyp_defrag_is_reassembled(const struct rte_mbuf *m);

/**
 * ips: move the original fragments out of a reassembled datagram, in the
 * order they arrived; the caller owns them (and still owns m, which no
 * longer frees them). At most max entries; 0 if m holds none.
 */
unsigned int hyp_defrag_take_originals(struct rte_mbuf *m, struct rte_mbuf **v,
				       unsigned int max);

#ifdef __cplusplus
}
#endif

#endif /* HYP_DEFRAG_H */
