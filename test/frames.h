/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One table of frames for the two parsers of a packet: what the XDP program
 * counts each as (its reason), and from that what hyp_flow_parse() must
 * return. test/xdp/test_parsers.c runs both and compares them frame by
 * frame; test/flow/test_flow.c runs the slow path's half without root.
 */
#ifndef HYP_TEST_FRAMES_H
#define HYP_TEST_FRAMES_H

#include <stdbool.h>

#include "hyp_xdp_shared.h"
#include "pkt_build.h"

struct frame_case {
	const char *name;
	void (*build)(struct frame *f);
	enum hyp_reason xdp;	/* what the program counts it as */
	bool xdp_only;		/* a malformation only XDP checks for: the slow path
				 * never sees it (dropped, or handed to the stack) */
};

extern const struct frame_case frame_cases[];
extern const unsigned int n_frame_cases;

/* What hyp_flow_parse() returns for it: 0, -ENOTSUP (not IP) or -EINVAL. */
int frame_slow_want(const struct frame_case *c);

#endif
