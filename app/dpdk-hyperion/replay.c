/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Offline replay: every packet of the capture first goes through the real
 * XDP program with BPF_PROG_TEST_RUN, with the policy applied to its maps,
 * so a replay gives the verdicts the live system would. Only what the
 * program redirects enters the pipeline, as live.
 *
 * For the program to answer XDP_REDIRECT rather than its fail mode, queue 0
 * of the loopback device must have an AF_XDP socket in xsks_map: one is
 * bound (copy mode, no program of its own) and never read, since test_run
 * does not carry out redirects.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/xsk.h>

#include <rte_mbuf.h>

#include "hyp_fastpath.h"
#include "hyperion.h"

#define REPLAY_UMEM_FRAMES 64
#define REPLAY_UMEM_SIZE (REPLAY_UMEM_FRAMES * XSK_UMEM__DEFAULT_FRAME_SIZE)

struct hyp_replay {
	struct hyp_xdp *x;
	unsigned int lo;
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
};

static int
bind_lo_socket(struct hyp_replay *r)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = XDP_FLAGS_SKB_MODE,
		.bind_flags = XDP_COPY,
	};
	uint32_t q = 0;
	int fd, ret;

	r->lo = if_nametoindex("lo");
	if (r->lo == 0)
		return -ENODEV;
	r->area = mmap(NULL, REPLAY_UMEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->area == MAP_FAILED) {
		r->area = NULL;
		return -errno;
	}
	ret = xsk_umem__create(&r->umem, r->area, REPLAY_UMEM_SIZE, &r->fq, &r->cq, NULL);
	if (ret == 0)
		ret = xsk_socket__create(&r->xsk, "lo", 0, r->umem, &r->rx, &r->tx, &cfg);
	if (ret < 0)
		return ret;
	fd = xsk_socket__fd(r->xsk);
	if (bpf_map_update_elem(hyp_xdp_map_fd(r->x, HYP_MAP_ID_XSKS), &q, &fd, BPF_ANY) < 0)
		return -errno;
	return 0;
}

int
hyp_replay_open(const struct hyp_policy *p, struct hyp_replay **out)
{
	struct hyp_fastpath_stats st;
	struct hyp_replay *r = calloc(1, sizeof(*r));
	int ret;

	if (r == NULL)
		return -ENOMEM;
	ret = hyp_xdp_load(&r->x);
	if (ret == 0)
		ret = hyp_xdp_config_defaults(r->x);
	if (ret == 0)
		ret = hyp_fastpath_apply(r->x, p, &st);
	/* test_run has no live slow path to watch: no watchdog */
	if (ret == 0)
		ret = hyp_xdp_config_set(r->x, HYP_CFG_WATCHDOG_NS, 0);
	if (ret == 0) {
		ret = bind_lo_socket(r);
		if (ret < 0)
			APP_LOG(ERR, "replay: an AF_XDP socket on lo for the program's "
				"redirects: %s", strerror(-ret));
	}
	if (ret < 0) {
		hyp_replay_close(r);
		return ret;
	}
	*out = r;
	return 0;
}

bool
hyp_replay_prefilter(void *arg, struct rte_mbuf *m)
{
	struct hyp_replay *r = arg;
	struct xdp_md ctx = {
		.data_end = rte_pktmbuf_data_len(m),
		.ingress_ifindex = r->lo,
		.rx_queue_index = 0,
	};
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = rte_pktmbuf_mtod(m, void *),
		.data_size_in = rte_pktmbuf_data_len(m),
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 1);

	/* the program counts its own verdict per reason, as live */
	if (bpf_prog_test_run_opts(hyp_xdp_prog_fd(r->x), &o) == 0 &&
	    o.retval == XDP_REDIRECT)
		return true;
	rte_pktmbuf_free(m);
	return false;
}

struct hyp_xdp *
hyp_replay_xdp(struct hyp_replay *r)
{
	return r->x;
}

void
hyp_replay_close(struct hyp_replay *r)
{
	if (r == NULL)
		return;
	if (r->xsk != NULL)
		xsk_socket__delete(r->xsk);
	if (r->umem != NULL)
		xsk_umem__delete(r->umem);
	if (r->area != NULL)
		munmap(r->area, REPLAY_UMEM_SIZE);
	hyp_xdp_close(r->x);
	free(r);
}
