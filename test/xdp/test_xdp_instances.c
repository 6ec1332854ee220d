/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two instances on two interfaces never share maps: each handle found on an
 * interface holds that program's own maps, a change through one is not seen
 * through the other, and a program that is not ours is refused, not
 * half-opened. Runs in a network namespace of its own. TAP; 77 = skip.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <rte_log.h>

#include "hyp_xdp.h"
#include "tap.h"

static int n, failed;

static void
check(int ok, const char *what)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", ++n, what);
	if (!ok)
		failed++;
}

static uint32_t
map_id(struct hyp_xdp *x, enum hyp_map_id id)
{
	struct bpf_map_info mi;
	uint32_t len = sizeof(mi);

	memset(&mi, 0, sizeof(mi));
	if (bpf_obj_get_info_by_fd(hyp_xdp_map_fd(x, id), &mi, &len) < 0)
		return 0;
	return mi.id;
}

int
main(int argc, char **argv)
{
	struct hyp_xdp *a, *b, *fa, *fb, *other;
	struct hyp_block_val v;
	struct hyp_cidr c;
	struct bpf_object *floor;
	unsigned int if1, if2, if3;
	int i, same = 0, ret, floor_fd;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FLOOR_BPF_OBJECT\n", argv[0]);
		return 2;
	}
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		return tap_skip_prereq("needs root and a network namespace");
	}
	if (system("ip link add hypi0 type veth peer name hypi1 && "
		   "ip link add hypi2 type veth peer name hypi3 && "
		   "ip link add hypi4 type veth peer name hypi5") != 0) {
		return tap_skip_prereq("cannot make veths");
	}
	if1 = if_nametoindex("hypi0");
	if2 = if_nametoindex("hypi2");
	if3 = if_nametoindex("hypi4");
	rte_openlog_stream(stderr);

	printf("1..8\n");
	ret = hyp_xdp_load(&a);
	if (ret == -EPERM) {
		printf("# SKIP " TAP_PREREQ "not allowed to load BPF\n");
		return 77;
	}
	if (ret < 0 || hyp_xdp_load(&b) < 0 || hyp_xdp_attach(a, if1, 0) < 0 ||
	    hyp_xdp_attach(b, if2, 0) < 0) {
		printf("Bail out! loading or attaching two instances\n");
		return 1;
	}
	check(hyp_xdp_open_attached(if1, &fa) == 0 && hyp_xdp_open_attached(if2, &fb) == 0,
	      "each interface's program is found");
	if (failed)
		return 1;	/* the handles below would not exist */
	check(hyp_xdp_prog_id(fa) == hyp_xdp_prog_id(a) &&
	      hyp_xdp_prog_id(fb) == hyp_xdp_prog_id(b),
	      "found by id: the program attached there, not another");
	for (i = 0; i < HYP_MAP_ID_MAX; i++)
		same += map_id(fa, i) == map_id(fb, i) || map_id(fa, i) == 0;
	check(same == 0, "no map is shared between the two instances");
	same = 0;
	for (i = 0; i < HYP_MAP_ID_MAX; i++)
		same += map_id(fa, i) == map_id(a, i);
	check(same == HYP_MAP_ID_MAX, "the handle found on hypi0 holds the loader's own maps");

	hyp_cidr_parse("192.0.2.0/24", &c, NULL, 0);
	check(hyp_xdp_block_add(fa, &c, false, 42) == 0 &&
	      hyp_xdp_block_get(a, &c, false, &v) == 0 && v.rule_id == 42,
	      "a prefix added through the found handle is in that program's trie");
	check(hyp_xdp_block_get(fb, &c, false, &v) == -ENOENT,
	      "and not in the other instance's trie");

	check(hyp_xdp_open_attached(if3, &other) == -ENOENT,
	      "an interface with no program: -ENOENT");
	floor = bpf_object__open_file(argv[1], NULL);
	floor_fd = floor && bpf_object__load(floor) == 0 ?
		bpf_program__fd(bpf_object__next_program(floor, NULL)) : -1;
	check(floor_fd >= 0 && bpf_xdp_attach(if3, floor_fd, 0, NULL) == 0 &&
	      hyp_xdp_open_attached(if3, &other) == -ENOTSUP,
	      "another program on the interface: -ENOTSUP, nothing half-opened");

	hyp_xdp_close(fa);
	hyp_xdp_close(fb);
	hyp_xdp_close(a);
	hyp_xdp_close(b);
	bpf_object__close(floor);
	printf("# xdp instances: %d passed, %d failed\n", n - failed, failed);
	return failed != 0;
}
