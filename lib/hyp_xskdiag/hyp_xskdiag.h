/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_XSKDIAG_H
#define HYP_XSKDIAG_H

/**
 * @file
 * The kernel's own statistics of the AF_XDP sockets bound to an interface,
 * read with sock_diag (NETLINK_SOCK_DIAG, AF_XDP, XDP_SHOW_INFO |
 * XDP_SHOW_RING_CFG | XDP_SHOW_STATS | XDP_SHOW_UMEM), the way `ss --xdp`
 * does: the af_xdp PMD of DPDK 22.11 keeps its sockets private and exposes
 * only rx_dropped, so this reads the rest from the kernel without touching
 * the PMD's sockets. Works from any thread; does not need the EAL.
 */

#include <stdint.h>

#include "hyp_base.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hyp_xsk_diag {
	uint32_t ifindex;
	uint32_t queue_id;
	uint64_t inode;			/**< the socket's inode */
	uint32_t rx_ring_entries;	/**< 0 if the socket has no rx ring */
	uint32_t fill_ring_entries;
	/* struct xdp_diag_stats */
	uint64_t rx_dropped;
	uint64_t rx_invalid_descs;
	uint64_t tx_invalid_descs;
	uint64_t rx_ring_full;
	uint64_t rx_fill_ring_empty_descs;
	uint64_t tx_ring_empty_descs;
};

/**
 * The AF_XDP sockets of the calling thread's network namespace bound to
 * ifindex (0: all), up to max of them, ordered by queue. Returns how many
 * were found (maybe more than max), or a negative errno.
 */
/** The six counters of struct xdp_diag_stats in struct hyp_xsk_diag, by name. */
extern const struct hyp_stat_desc hyp_xsk_stat_descs[];
extern const unsigned int hyp_xsk_stat_count;

int hyp_xskdiag_query(unsigned int ifindex, struct hyp_xsk_diag *out, unsigned int max);

/**
 * For kernels without CONFIG_XDP_SOCKETS_DIAG (hyp_xskdiag_query() then
 * fails with -ENOENT): the AF_XDP sockets of the calling process, found by
 * asking each of its descriptors for XDP_STATISTICS (what the af_xdp PMD
 * itself does for rx_dropped), in descriptor order, which is the order they
 * were created in. ifindex, queue_id and the ring sizes are unknown there
 * (UINT32_MAX, 0): the caller maps the order to its queues. Returns how many
 * were found, or a negative errno.
 */
int hyp_xskdiag_self(struct hyp_xsk_diag *out, unsigned int max);

enum hyp_xskdiag_source {
	HYP_XSKDIAG_SOCK_DIAG = 1,	/**< the kernel's sock_diag answered */
	HYP_XSKDIAG_OWN_FDS,		/**< our own sockets, matched by creation order */
};

/**
 * The sockets of queues start_queue..start_queue+nb_queues-1 of an
 * interface, one per queue into out[0..nb_queues-1] (queue_id UINT32_MAX
 * where none was found): from sock_diag, or else from this process's own
 * AF_XDP sockets, of which the port's are own_first.. (the sockets of the
 * ports set up before it come first: one per queue, port by port). Returns
 * an enum hyp_xskdiag_source, or a negative errno if neither way works.
 */
int hyp_xskdiag_port(unsigned int ifindex, unsigned int start_queue,
		     unsigned int nb_queues, unsigned int own_first,
		     struct hyp_xsk_diag *out);

#ifdef __cplusplus
}
#endif

#endif /* HYP_XSKDIAG_H */
