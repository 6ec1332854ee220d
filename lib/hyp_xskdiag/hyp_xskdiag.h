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

#include <stdbool.h>
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
	/* from the socket itself (XDP_OPTIONS), when its descriptor is known */
	bool options_known;
	bool zerocopy;			/**< XDP_OPTIONS_ZEROCOPY: bound in zero-copy mode */
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
 * The descriptors of the calling process's AF_XDP sockets (SO_DOMAIN), in
 * ascending order, up to max of them. Returns how many were found (maybe
 * more than max), or a negative errno. A caller that lists them before and
 * after it makes a socket (the af_xdp PMD's rx_queue_setup) learns which
 * descriptor is that socket's, whatever the PMD's creation order.
 */
int hyp_xskdiag_own_fds(int *fds, unsigned int max);

/**
 * What the AF_XDP socket on descriptor fd says of itself: XDP_STATISTICS,
 * XDP_OPTIONS (zero-copy or copy) and its inode; ifindex and queue_id are
 * left UINT32_MAX and the ring sizes 0 (only sock_diag knows them).
 * -ENOTSOCK (or the getsockopt's errno) if fd is not an AF_XDP socket.
 */
int hyp_xskdiag_fd(int fd, struct hyp_xsk_diag *out);

enum hyp_xskdiag_source {
	HYP_XSKDIAG_SOCK_DIAG = 1,	/**< the kernel's sock_diag answered */
	HYP_XSKDIAG_OWN_FDS,		/**< our own descriptors (no sock_diag) */
};

/** One queue's socket as its owner found it: descriptor and inode, or fd -1. */
struct hyp_xsk_owned {
	int fd;
	uint64_t inode;
};

/**
 * The sockets of queues start_queue..start_queue+nb_queues-1 of an
 * interface, one per queue into out[0..nb_queues-1] (queue_id UINT32_MAX
 * where none was found). With own (the descriptors the caller found each
 * queue's socket on, or NULL): each queue's socket is the one with that
 * inode, read from sock_diag where the kernel has it (ring sizes, the queue
 * the kernel bound it to) and from the descriptor itself otherwise, with
 * XDP_OPTIONS; a descriptor whose inode changed (closed and reused) counts
 * as no socket. Without own, sock_diag's socket on each queue. *mismatch
 * (may be NULL) counts the queues whose socket the kernel reports on
 * another queue than the one it was made for. Returns an enum
 * hyp_xskdiag_source, or a negative errno if neither way works.
 */
int hyp_xskdiag_port(unsigned int ifindex, unsigned int start_queue,
		     unsigned int nb_queues, const struct hyp_xsk_owned *own,
		     struct hyp_xsk_diag *out, unsigned int *mismatch);

#ifdef __cplusplus
}
#endif

#endif /* HYP_XSKDIAG_H */
