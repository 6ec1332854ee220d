/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What hyp_xdp.c (finding, loading, attaching a program and taking its
 * maps) and xdp_maps.c (every read, write and walk of those maps) share.
 */
#ifndef XDP_PRIVATE_H
#define XDP_PRIVATE_H

#include <stdint.h>

#include <rte_log.h>

#include "hyp_log.h"

#include "hyp_xdp.h"

extern int hyp_xdp_logtype;
#define HYP_XDP_LOG(level, ...) HYP_LOG(xdp, level, __VA_ARGS__)

struct hyp_xdp_bpf;

struct hyp_xdp {
	struct hyp_xdp_bpf *skel;	/* set when this handle loaded it */
	int prog_fd;
	uint32_t prog_id;
	int map_fd[HYP_MAP_ID_MAX];
	unsigned int attached_ifindex;	/* set when this handle attached it */
	uint32_t attached_flags;
	int ncpus;
};

struct hyp_map_desc {
	const char *name;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
};

/* name, type and layout of each map, by enum hyp_map_id */
extern const struct hyp_map_desc xdp_map_descs[HYP_MAP_ID_MAX];

#endif /* XDP_PRIVATE_H */
