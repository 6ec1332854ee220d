/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the tests that load the XDP program share: loading it (a missing
 * privilege is a prerequisite skip, see tap.h), a network namespace of their
 * own with a multi-queue veth, and AF_XDP sockets bound on its queues.
 * Static functions: each test takes what it uses.
 */
#ifndef HYP_TEST_XDP_H
#define HYP_TEST_XDP_H

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <xdp/xsk.h>

#include "hyp_xdp.h"
#include "tap.h"

/* 0 and *x loaded; else the test's exit status (77: skip, printed; 1: bail out) */
static inline int __attribute__((unused))
test_xdp_load(struct hyp_xdp **x)
{
	int ret;

	if (geteuid() != 0)
		return tap_skip_prereq("needs root to load BPF");
	ret = hyp_xdp_load(x);
	if (ret == -EPERM)
		return tap_skip_prereq("not allowed to load BPF programs");
	if (ret < 0) {
		printf("Bail out! loading the XDP program: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}

/*
 * A network namespace of this process's own, with a veth pair of nq queues
 * each side, up, IPv6 off (its ND and MLD would be counted). Returns 0, or
 * the test's exit status (a prerequisite skip).
 */
static inline int __attribute__((unused))
test_netns_veth(const char *name, const char *peer, unsigned int nq)
{
	char cmd[512];

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
		return tap_skip_prereq("needs root and a network namespace");
	snprintf(cmd, sizeof(cmd),
		 "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"
		 " >/dev/null 2>&1; ip link add %s numtxqueues %u numrxqueues %u type veth peer"
		 " name %s numtxqueues %u numrxqueues %u && ip link set %s up && ip link set %s up",
		 name, nq, nq, peer, nq, nq, name, peer);
	if (system(cmd) != 0 || if_nametoindex(name) == 0)
		return tap_skip_prereq("cannot make a veth in the namespace");
	return 0;
}

/* One AF_XDP socket and its UMEM, copy mode, bound to a queue of a veth. */
struct xsk_slot {
	uint32_t queue;
	uint32_t rx_size;		/* 0: the default */
	uint32_t fill_size;		/* 0: the default */
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	void *area;
	size_t area_len;
	uint64_t inode;			/* the socket's, once open */
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
};

#define TEST_XSK_FRAMES	4096

static inline int __attribute__((unused))
xsk_open(struct xsk_slot *s, const char *ifname)
{
	struct xsk_umem_config ucfg = {
		.fill_size = s->fill_size ? s->fill_size : XSK_RING_PROD__DEFAULT_NUM_DESCS,
		.comp_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.frame_size = XSK_UMEM__DEFAULT_FRAME_SIZE,
	};
	struct xsk_socket_config cfg = {
		.rx_size = s->rx_size ? s->rx_size : XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = XDP_FLAGS_SKB_MODE,
		.bind_flags = XDP_COPY,
	};
	struct stat st;
	int ret;

	s->area_len = (size_t)TEST_XSK_FRAMES * XSK_UMEM__DEFAULT_FRAME_SIZE;
	s->area = mmap(NULL, s->area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (s->area == MAP_FAILED) {
		s->area = NULL;
		return -errno;
	}
	ret = xsk_umem__create(&s->umem, s->area, s->area_len, &s->fq, &s->cq, &ucfg);
	if (ret == 0)
		ret = xsk_socket__create(&s->xsk, ifname, s->queue, s->umem, &s->rx, &s->tx, &cfg);
	if (ret == 0 && fstat(xsk_socket__fd(s->xsk), &st) == 0)
		s->inode = st.st_ino;
	return ret;
}

static inline void __attribute__((unused))
xsk_close(struct xsk_slot *s)
{
	if (s->xsk)
		xsk_socket__delete(s->xsk);
	if (s->umem)
		xsk_umem__delete(s->umem);
	if (s->area)
		munmap(s->area, s->area_len);
	s->xsk = NULL;
	s->umem = NULL;
	s->area = NULL;
}

#endif
