/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_STREAM_H
#define HYP_STREAM_H

/**
 * @file
 * TCP reassembly for the slow path: the bytes of one direction of a
 * connection, in sequence order, handed to a callback as they become
 * contiguous, so an inspector sees what the receiving application reads,
 * whatever the segmentation and the order of arrival.
 *
 * One context per worker, no locks; a direction's state is owned by the
 * worker that owns its flow. From the SYN (the sequence number after it),
 * or from the first segment seen when midstream pickup is on. Segments
 * ahead of the expected byte wait, bounded per direction and by the
 * context's memory cap. Bytes that arrive again are compared with what was
 * delivered (the last `retain` bytes of it): the same bytes are a
 * retransmission; different ones are how an attacker shows the inspector
 * one stream and the host another, and are reported (the bytes delivered
 * first stay). A hole that cannot be waited for (the bounds) is reported
 * as a gap: what comes after it is delivered as new, and the caller must
 * not join the two sides (a match across the gap cannot be seen).
 *
 * No DPDK, no Hyperscan: plain memory (libc), bounded by the memory cap.
 */

#include <stdbool.h>
#include <stdint.h>

#include "hyp_base.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hyp_stream_conf {
	uint32_t max_ooo_bytes;	/**< waiting ahead of the expected byte, per direction */
	uint32_t max_ooo_segs;	/**< segments waiting, per direction */
	uint32_t retain;	/**< delivered bytes kept to compare retransmissions */
	uint64_t memcap;	/**< all of the above, per context */
	bool midstream;		/**< pick up a connection whose SYN was not seen */
	/**
	 * Segments that cannot wait (a bound is reached): true (ips) refuses
	 * them (HYP_STREAM_REFUSED: drop it, its sender will send it again);
	 * false (ids) skips the hole (HYP_STREAM_EV_GAP).
	 */
	bool refuse;
};

/** What a segment showed; set in *events by hyp_stream_segment(). */
#define HYP_STREAM_EV_OVERLAP	(1u << 0)	/**< bytes again, the same */
#define HYP_STREAM_EV_CONFLICT	(1u << 1)	/**< bytes again, different */
#define HYP_STREAM_EV_GAP	(1u << 2)	/**< bytes skipped: do not join across */
#define HYP_STREAM_EV_END	(1u << 3)	/**< FIN reached, or RST: nothing more */
#define HYP_STREAM_EV_START	(1u << 4)	/**< a new connection (SYN) */

enum hyp_stream_result {
	HYP_STREAM_OK,		/**< taken: delivered, waiting, or nothing new */
	HYP_STREAM_UNTRACKED,	/**< no SYN seen and no midstream pickup */
	HYP_STREAM_REFUSED,	/**< refuse: it cannot wait; drop it */
};

/** Counters of a context; names and meaning in hyp_stream_stat_descs[]. */
struct hyp_stream_stats {
	uint64_t segments;
	uint64_t bytes_delivered;
	uint64_t out_of_order;
	uint64_t overlaps;
	uint64_t conflicts;
	uint64_t gaps;
	uint64_t refused;
	uint64_t memcap;
	uint64_t midstream;
	uint64_t untracked;
	uint64_t directions;
	uint64_t bytes_held;
};

extern const struct hyp_stat_desc hyp_stream_stat_descs[];
extern const unsigned int hyp_stream_stat_count;

struct hyp_stream_ctx;
/** One direction of one connection. */
struct hyp_stream_dir;

/**
 * Receives the next contiguous bytes of a direction; data NULL (len 0) is
 * a gap: what follows must not be joined to what came before.
 */
typedef void (*hyp_stream_deliver_t)(void *arg, const uint8_t *data, uint32_t len);

/** @return the context, or NULL (errno EINVAL or ENOMEM). */
struct hyp_stream_ctx *hyp_stream_ctx_create(const struct hyp_stream_conf *c);
void hyp_stream_ctx_free(struct hyp_stream_ctx *c);

/**
 * One segment of a direction. *d is the direction's state: NULL before its
 * first segment (made here, counted against the cap), and kept by the
 * caller with its flow.
 * @param flags
 *   The TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04).
 * @param deliver
 *   Called, in order, with every byte range this segment makes contiguous:
 *   its own new bytes and those that were waiting for them.
 * @param events
 *   Output: HYP_STREAM_EV_*.
 */
enum hyp_stream_result hyp_stream_segment(struct hyp_stream_ctx *c, struct hyp_stream_dir **d,
					  uint32_t seq, uint8_t flags, const uint8_t *payload,
					  uint32_t len, hyp_stream_deliver_t deliver, void *arg,
					  uint32_t *events);

/**
 * True if the direction began at its SYN and no bytes were skipped since:
 * every byte delivered sits where the sender's own sequence space puts it,
 * so a segment forged into it had to hit the window (RFC 5961's bar). It
 * does not prove the peer answered: a one-sided sensor cannot see that.
 */
bool hyp_stream_dir_vouched(const struct hyp_stream_dir *d);

/**
 * The last bytes delivered before the ones being delivered now (call it
 * from the deliver callback), at most max and at most the context's
 * retain, never from before a gap: copied to out, in order. *offset is
 * out[0]'s offset in the direction's bytes (0: the direction's first).
 * @return how many bytes were copied.
 */
uint32_t hyp_stream_dir_recent(const struct hyp_stream_ctx *c, const struct hyp_stream_dir *d,
			       uint8_t *out, uint32_t max, uint64_t *offset);

/** Free a direction's state (NULL is ignored). */
void hyp_stream_dir_free(struct hyp_stream_ctx *c, struct hyp_stream_dir *d);

void hyp_stream_get_stats(const struct hyp_stream_ctx *c, struct hyp_stream_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* HYP_STREAM_H */
