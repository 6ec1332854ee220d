/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Offline replay: every packet of the capture first goes through the real
 * XDP program with BPF_PROG_TEST_RUN, with the policy applied to its maps,
 * so a replay gives the verdicts the live system would. Only what the
 * program redirects enters the pipeline, as live.
 *
 * The program runs with HYP_CFG_OFFLINE: what it would redirect it
 * returns as XDP_REDIRECT with no socket behind it, so a replay needs no
 * interface of the host, and two run side by side.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <rte_mbuf.h>

#include "hyp_fastpath.h"
#include "hyperion.h"

struct hyp_replay {
	struct hyp_xdp *x;
};

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
	if (ret == 0)
		ret = hyp_xdp_config_set(r->x, HYP_CFG_OFFLINE, 1);
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
		/* no device: the kernel then checks no queue either */
		.ingress_ifindex = 0,
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
	hyp_xdp_close(r->x);
	free(r);
}
