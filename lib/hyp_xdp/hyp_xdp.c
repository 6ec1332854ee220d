/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Finding, loading and attaching the hyperion XDP program, and taking its
 * maps (the helpers that use them are in xdp_maps.c).
 *
 * Every instance is reached the same way, whoever loaded it: from the
 * program's kernel id to its map ids, matched by name and checked against
 * the layouts in hyp_xdp_shared.h. So a handle always holds the maps of one
 * program, and two instances on two interfaces never share maps by accident.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include <rte_common.h>
#include <rte_log.h>

#include "hyp_xdp.skel.h"
#include "xdp_private.h"

HYP_LOG_TYPE(xdp);

/* From the one list in hyp_xdp_shared.h. */
const struct hyp_map_desc xdp_map_descs[HYP_MAP_ID_MAX] = {
#define HYP_DESC_KEYED(id, name, type, key_t, value_t, ...) \
	[HYP_MAP_ID_ ## id] = { #name, type, sizeof(key_t), sizeof(value_t) },
#define HYP_DESC_PLAIN(id, name, type, ...) [HYP_MAP_ID_ ## id] = { #name, type, 0, 0 },
	HYP_KEYED_MAPS(HYP_DESC_KEYED)
	HYP_PLAIN_MAPS(HYP_DESC_PLAIN)
#undef HYP_DESC_KEYED
#undef HYP_DESC_PLAIN
};

/* The kernel truncates object names to BPF_OBJ_NAME_LEN - 1 characters. */
#define HYP_NAME_FITS(id, name, ...) \
	_Static_assert(sizeof(#name) <= BPF_OBJ_NAME_LEN, \
		       "map name " #name " is longer than the kernel keeps");
HYP_KEYED_MAPS(HYP_NAME_FITS)
HYP_PLAIN_MAPS(HYP_NAME_FITS)
#undef HYP_NAME_FITS

static const char *const reason_names[HYP_R_MAX] = {
#define HYP_REASON_NAME(id, name) [HYP_R_ ## id] = #name,
	HYP_REASONS(HYP_REASON_NAME)
#undef HYP_REASON_NAME
};

static const char *const aux_names[HYP_AUX_MAX] = {
#define HYP_AUX_NAME(id, name) [HYP_AUX_ ## id] = #name,
	HYP_AUXES(HYP_AUX_NAME)
#undef HYP_AUX_NAME
};

static const char *const cfg_names[HYP_CFG_MAX] = {
#define HYP_CFG_NAME(id, name) [HYP_CFG_ ## id] = #name,
	HYP_CFGS(HYP_CFG_NAME)
#undef HYP_CFG_NAME
};

const char *
hyp_reason_name(unsigned int reason)
{
	if (reason >= HYP_R_MAX || reason_names[reason] == NULL)
		return "unknown";
	return reason_names[reason];
}

const char *
hyp_aux_name(unsigned int aux)
{
	if (aux >= HYP_AUX_MAX || aux_names[aux] == NULL)
		return "unknown";
	return aux_names[aux];
}

const char *
hyp_cfg_name(unsigned int key)
{
	return key < HYP_CFG_MAX ? cfg_names[key] : "unknown";
}

const char *
hyp_xdp_map_name(enum hyp_map_id id)
{
	return (unsigned int)id < HYP_MAP_ID_MAX ? xdp_map_descs[id].name : NULL;
}

uint64_t
hyp_xdp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * HYP_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static struct hyp_xdp *
xdp_alloc(void)
{
	struct hyp_xdp *x = calloc(1, sizeof(*x));
	int i;

	if (x == NULL)
		return NULL;
	x->prog_fd = -1;
	for (i = 0; i < HYP_MAP_ID_MAX; i++)
		x->map_fd[i] = -1;
	x->ncpus = libbpf_num_possible_cpus();
	if (x->ncpus <= 0) {
		HYP_XDP_LOG(ERR, "cannot count possible CPUs: %s",
			    strerror(-x->ncpus));
		free(x);
		return NULL;
	}
	return x;
}

/* Take this map if its name is one of ours and its layout is ours. */
static int
take_map(struct hyp_xdp *x, int fd, const struct bpf_map_info *mi)
{
	int i;

	for (i = 0; i < HYP_MAP_ID_MAX; i++) {
		const struct hyp_map_desc *d = &xdp_map_descs[i];

		if (strcmp(mi->name, d->name) != 0)
			continue;
		if (mi->type != d->type || mi->key_size != d->key_size ||
		    mi->value_size != d->value_size) {
			HYP_XDP_LOG(ERR, "map %s (id %u): type %u key %u value %u, "
				    "expected type %u key %u value %u: "
				    "program built from another hyp_xdp_shared.h?",
				    mi->name, mi->id, mi->type, mi->key_size,
				    mi->value_size, d->type, d->key_size,
				    d->value_size);
			return -EPROTO;
		}
		if (x->map_fd[i] >= 0) {
			HYP_XDP_LOG(ERR, "program has two maps named %s", d->name);
			return -EPROTO;
		}
		x->map_fd[i] = fd;
		return 1;
	}
	return 0;
}

/* From the program's fd to all of its maps, by id. */
static int
bind_maps(struct hyp_xdp *x)
{
	struct bpf_prog_info pi;
	uint32_t ids[64];
	uint32_t len = sizeof(pi);
	unsigned int i;
	int ret;

	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = RTE_DIM(ids);
	pi.map_ids = (uint64_t)(uintptr_t)ids;
	ret = bpf_obj_get_info_by_fd(x->prog_fd, &pi, &len);
	if (ret < 0) {
		ret = -errno;
		HYP_XDP_LOG(ERR, "bpf_obj_get_info_by_fd(prog): %s", strerror(-ret));
		return ret;
	}
	x->prog_id = pi.id;
	if (pi.type != BPF_PROG_TYPE_XDP)
		return -ENOTSUP;
	if (pi.nr_map_ids > RTE_DIM(ids))
		return -ENOTSUP;	/* far more maps than ours: not hyperion */

	for (i = 0; i < pi.nr_map_ids; i++) {
		struct bpf_map_info mi;
		uint32_t mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0) {
			ret = -errno;
			HYP_XDP_LOG(ERR, "bpf_map_get_fd_by_id(%u): %s", ids[i],
				    strerror(-ret));
			return ret;
		}
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(fd, &mi, &mlen) < 0) {
			ret = -errno;
			close(fd);
			HYP_XDP_LOG(ERR, "bpf_obj_get_info_by_fd(map %u): %s",
				    ids[i], strerror(-ret));
			return ret;
		}
		ret = take_map(x, fd, &mi);
		if (ret <= 0)
			close(fd);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < HYP_MAP_ID_MAX; i++)
		if (x->map_fd[i] < 0)
			return -ENOTSUP;	/* a map of ours is missing */
	return 0;
}

int
hyp_xdp_load(struct hyp_xdp **out)
{
	struct hyp_xdp *x = xdp_alloc();
	int ret;

	if (x == NULL)
		return -ENOMEM;
	x->skel = hyp_xdp_bpf__open_and_load();
	if (x->skel == NULL) {
		ret = -errno;
		HYP_XDP_LOG(ERR, "loading the XDP program failed: %s%s",
			    strerror(-ret), ret == -EPERM ?
			    " (needs CAP_BPF and CAP_NET_ADMIN)" : "");
		free(x);
		return ret;
	}
	x->prog_fd = bpf_program__fd(x->skel->progs.hyp_xdp);
	ret = bind_maps(x);
	if (ret < 0) {
		HYP_XDP_LOG(ERR, "the embedded program lacks its own maps: %s",
			    strerror(-ret));
		hyp_xdp_close(x);
		return ret;
	}
	*out = x;
	return 0;
}

int
hyp_xdp_open_prog_id(uint32_t prog_id, struct hyp_xdp **out)
{
	struct hyp_xdp *x = xdp_alloc();
	int ret;

	if (x == NULL)
		return -ENOMEM;
	x->prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (x->prog_fd < 0) {
		ret = -errno;
		HYP_XDP_LOG(ERR, "bpf_prog_get_fd_by_id(%u): %s", prog_id,
			    strerror(-ret));
		hyp_xdp_close(x);
		return ret;
	}
	ret = bind_maps(x);
	if (ret < 0) {
		hyp_xdp_close(x);
		return ret;
	}
	*out = x;
	return 0;
}

/* Behind a libxdp dispatcher our program is one of its components. */
static int
open_multiprog(unsigned int ifindex, struct hyp_xdp **out)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;
	int ret = -ENOTSUP;

	if (libxdp_get_error(mp) || mp == NULL)
		return -ENOTSUP;
	while ((p = xdp_multiprog__next_prog(p, mp)) != NULL) {
		ret = hyp_xdp_open_prog_id(xdp_program__id(p), out);
		if (ret == 0)
			break;
	}
	xdp_multiprog__close(mp);
	return ret;
}

int
hyp_xdp_open_attached(unsigned int ifindex, struct hyp_xdp **out)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t ids[3];
	unsigned int i;
	int ret;

	ret = bpf_xdp_query(ifindex, 0, &q);
	if (ret < 0) {
		HYP_XDP_LOG(ERR, "bpf_xdp_query(ifindex %u): %s", ifindex,
			    strerror(-ret));
		return ret;
	}
	ids[0] = q.prog_id;
	ids[1] = q.drv_prog_id;
	ids[2] = q.skb_prog_id;
	if (ids[0] == 0 && ids[1] == 0 && ids[2] == 0) {
		HYP_XDP_LOG(ERR, "no XDP program attached to ifindex %u", ifindex);
		return -ENOENT;
	}
	for (i = 0; i < RTE_DIM(ids); i++) {
		if (ids[i] == 0)
			continue;
		ret = hyp_xdp_open_prog_id(ids[i], out);
		if (ret != -ENOTSUP)
			return ret;
	}
	ret = open_multiprog(ifindex, out);
	if (ret == -ENOTSUP)
		HYP_XDP_LOG(ERR, "the XDP program on ifindex %u (id %u) is not "
			    "hyperion's", ifindex, ids[0] ? ids[0] :
			    ids[1] ? ids[1] : ids[2]);
	return ret;
}

int
hyp_xdp_attach(struct hyp_xdp *x, unsigned int ifindex, uint32_t flags)
{
	int ret;

	if (x->attached_ifindex != 0)
		return -EBUSY;
	ret = bpf_xdp_attach(ifindex, x->prog_fd, flags | XDP_FLAGS_UPDATE_IF_NOEXIST,
			     NULL);
	if (ret < 0) {
		HYP_XDP_LOG(ERR, "attaching to ifindex %u: %s%s", ifindex,
			    strerror(-ret), ret == -EBUSY || ret == -EEXIST ?
			    " (another XDP program is attached)" : "");
		return ret;
	}
	x->attached_ifindex = ifindex;
	x->attached_flags = flags;
	return 0;
}

int
hyp_xdp_detach(struct hyp_xdp *x)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = x->prog_fd);
	int ret;

	if (x->attached_ifindex == 0)
		return -ENOENT;
	/* REPLACE: only remove it if it is still ours */
	ret = bpf_xdp_attach(x->attached_ifindex, -1,
			     x->attached_flags | XDP_FLAGS_REPLACE, &o);
	if (ret < 0 && ret != -ENODEV)
		HYP_XDP_LOG(ERR, "detaching from ifindex %u: %s",
			    x->attached_ifindex, strerror(-ret));
	x->attached_ifindex = 0;
	return ret == -ENODEV ? 0 : ret;
}

int
hyp_xdp_detach_ifindex(struct hyp_xdp *x, unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = x->prog_fd);
	uint32_t flags;
	int ret;

	ret = bpf_xdp_query(ifindex, 0, &q);
	if (ret < 0)
		return ret;
	if (q.attach_mode == XDP_ATTACHED_SKB)
		flags = XDP_FLAGS_SKB_MODE;
	else if (q.attach_mode == XDP_ATTACHED_DRV)
		flags = XDP_FLAGS_DRV_MODE;
	else if (q.attach_mode == XDP_ATTACHED_HW)
		flags = XDP_FLAGS_HW_MODE;
	else
		return -ENOENT;
	ret = bpf_xdp_attach(ifindex, -1, flags | XDP_FLAGS_REPLACE, &o);
	if (ret < 0)
		HYP_XDP_LOG(ERR, "detaching program %u from ifindex %u: %s",
			    x->prog_id, ifindex, strerror(-ret));
	if (ret == 0 && x->attached_ifindex == ifindex)
		x->attached_ifindex = 0;
	return ret;
}

void
hyp_xdp_disown(struct hyp_xdp *x)
{
	x->attached_ifindex = 0;
}

void
hyp_xdp_close(struct hyp_xdp *x)
{
	int i;

	if (x == NULL)
		return;
	if (x->attached_ifindex != 0)
		hyp_xdp_detach(x);
	for (i = 0; i < HYP_MAP_ID_MAX; i++)
		if (x->map_fd[i] >= 0)
			close(x->map_fd[i]);
	if (x->skel != NULL)
		hyp_xdp_bpf__destroy(x->skel);	/* owns prog_fd */
	else if (x->prog_fd >= 0)
		close(x->prog_fd);
	free(x);
}

int
hyp_xdp_prog_fd(const struct hyp_xdp *x)
{
	return x->prog_fd;
}

uint32_t
hyp_xdp_prog_id(const struct hyp_xdp *x)
{
	return x->prog_id;
}

int
hyp_xdp_map_fd(const struct hyp_xdp *x, enum hyp_map_id id)
{
	return (unsigned int)id < HYP_MAP_ID_MAX ? x->map_fd[id] : -EINVAL;
}
