/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two parsers of a packet, frame by frame: the XDP program's
 * (bpf/hyp_parse.bpf.h, through BPF_PROG_TEST_RUN) and the slow path's
 * (hyp_flow_parse()). What XDP accepts the slow path must parse, to the same
 * 5-tuple (read back from flow_map); what XDP calls non-IP the slow path
 * must too; what XDP finds malformed the slow path must refuse, except the
 * checks only XDP makes (TCP flags, a UDP length short of the IP payload),
 * which the table marks: the slow path never sees those frames, XDP drops
 * them or hands them to the stack. TAP; needs root to load BPF.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hyp_flow.h"
#include "hyp_xdp.h"
#include "frames.h"
#include "pkt_build.h"
#include "tap.h"
#include "test_xdp.h"

/* ---- the two parsers ----------------------------------------------------- */

struct seen {
	unsigned int n;
	struct hyp_flow_key k;
};

static int
flow_seen(const struct hyp_flow_key *k, const struct hyp_flow_val *v, void *arg)
{
	struct seen *s = arg;

	s->k = *k;
	s->n++;
	return 0;
}

static int
forget(const void *key, const void *value, void *arg)
{
	return bpf_map_delete_elem(*(int *)arg, key) < 0 ? -errno : 0;
}

/* The reason XDP counted the frame under, and the flow it accounted, if one. */
static int
xdp_parse(struct hyp_xdp *x, const struct frame *f, struct seen *s)
{
	struct hyp_counter before[HYP_R_MAX], after[HYP_R_MAX];
	uint8_t in[PKT_MAX];
	struct xdp_md ctx = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o);
	int fd = hyp_xdp_map_fd(x, HYP_MAP_ID_FLOW), r, reason = -1;

	if (hyp_xdp_map_walk(x, HYP_MAP_ID_FLOW, false, forget, &fd) < 0)
		return -1;
	/* a runt goes as the short linear part of a longer input (6.18+) */
	memset(in, 0, sizeof(in));
	memcpy(in, f->b, f->len);
	ctx.data_end = f->len;
	o.data_in = in;
	o.data_size_in = f->len < 14 ? 14 : f->len;
	o.ctx_in = &ctx;
	o.ctx_size_in = sizeof(ctx);
	if (hyp_xdp_reason_stats(x, before) < 0 ||
	    bpf_prog_test_run_opts(hyp_xdp_prog_fd(x), &o) < 0 ||
	    hyp_xdp_reason_stats(x, after) < 0)
		return -1;
	for (r = 0; r < HYP_R_MAX; r++)
		if (after[r].packets != before[r].packets)
			reason = reason < 0 ? r : -2;	/* -2: counted twice */
	memset(s, 0, sizeof(*s));
	if (hyp_xdp_flow_foreach(x, flow_seen, s) < 0)
		return -1;
	return reason;
}

static bool
same_tuple(const struct seen *s, const struct hyp_pkt_meta *m)
{
	return s->n == 1 && s->k.family == m->family && s->k.proto == m->proto &&
	       memcmp(s->k.src.a, m->src, 16) == 0 && memcmp(s->k.dst.a, m->dst, 16) == 0 &&
	       ntohs(s->k.sport) == m->sport && ntohs(s->k.dport) == m->dport;
}

int
main(void)
{
	unsigned int i, disagree = 0;
	struct hyp_xdp *x;
	int ret;

	ret = test_xdp_load(&x);
	if (ret != 0)
		return ret;
	if (hyp_xdp_config_defaults(x) < 0 || hyp_xdp_config_set(x, HYP_CFG_EVENT_SAMPLE, 0) < 0 ||
	    hyp_xdp_config_set(x, HYP_CFG_FRAGMENTS, HYP_FRAG_PASS) < 0) {
		printf("Bail out! configuring the XDP program\n");
		return 1;
	}
	for (i = 0; i < n_frame_cases; i++) {
		const struct frame_case *r = &frame_cases[i];
		struct hyp_pkt_meta m;
		struct frame f;
		struct seen s;
		uint8_t *copy;
		int xr, sr, want_slow;
		char name[160];
		bool ok;

		memset(&f, 0, sizeof(f));
		r->build(&f);
		xr = xdp_parse(x, &f, &s);
		/* the slow path's parser reads an exact-size heap copy */
		copy = malloc(f.len ? f.len : 1);
		memcpy(copy, f.b, f.len);
		sr = hyp_flow_parse(copy, f.len, &m);
		free(copy);
		want_slow = frame_slow_want(r);
		ok = xr == (int)r->xdp && sr == want_slow &&
		     (r->xdp != HYP_R_PASS || same_tuple(&s, &m));
		snprintf(name, sizeof(name), "%s: XDP %s, slow path %s%s", r->name,
			 hyp_reason_name(r->xdp), want_slow == 0 ? "parses" :
			 want_slow == -ENOTSUP ? "not IP" : "refuses",
			 r->xdp == HYP_R_PASS ? ", the same 5-tuple" :
			 r->xdp_only ? " (a check only XDP makes)" : "");
		tap(ok, name, "XDP counted %s, slow path returned %d, flows %u",
		    xr >= 0 ? hyp_reason_name(xr) : "(error)", sr, s.n);
		disagree += !ok;
	}
	hyp_xdp_close(x);
	printf("1..%u\n", test_no);
	return failed;
}
