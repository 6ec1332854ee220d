/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of the fast path per packet, side by side in one run, through
 * BPF_PROG_TEST_RUN with repeat: no NIC, no traffic, the same 60-byte UDP
 * frame (64 bytes on the wire) for every program.
 *
 *   floor       a program that only returns XDP_DROP: test_run's own cost
 *   xdp-filter  xdp-tools' xdpfilt_dny_all.o, the all-features program: Ethernet,
 *               IPv4/6 and port lookups. Its policy is deny: the 10,000
 *               entries are an allowlist, so a miss drops and a hit passes.
 *               xdpfilt_alw_all.o is the same program with a denylist, the
 *               semantics ours has; both are shown, ratios are to dny_all.
 *   hyperion    ours, with 10,000 IPv4 prefixes in the source blocklist
 *
 * "miss": the source is in none of the prefixes; "hit": it is blocked.
 * Rounds are interleaved and the median taken, because this machine is
 * shared: the ratios are the result, not the nanoseconds. Not a test: it
 * asserts only that each program returned what the case expects.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "hyp_xdp.h"
#include "pkt_build.h"

#define N_PREFIXES 10000		/* the default; xdp-filter's table holds no more */
static uint32_t n_prefixes = N_PREFIXES;	/* -p: ours, for the cost-growth figure */
#define XDPFILT_FLAG_SRC 1	/* xdp-filter's MAP_FLAG_SRC */

enum { P_FLOOR, P_XDPFILT, P_XDPFILT_ALW, P_HYP, P_HYP_NOFLOW, P_MAX };
static const char *const pname[P_MAX] = {
	"floor (XDP_DROP only)", "xdp-filter dny_all", "xdp-filter alw_all",
	"hyperion", "hyperion, flow tracking off",
};

static int
quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN && strstr(fmt, "skipping unrecognized") == NULL ?
		vfprintf(stderr, fmt, ap) : 0;
}

static int
load_file(const char *path, struct bpf_object **obj)
{
	struct bpf_program *prog;
	struct bpf_map *m;

	*obj = bpf_object__open_file(path, NULL);
	if (*obj == NULL) {
		fprintf(stderr, "bench: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* xdp-filter pins its maps by name: keep this run out of bpffs */
	bpf_object__for_each_map(m, *obj)
		bpf_map__set_pin_path(m, NULL);
	if (bpf_object__load(*obj) < 0) {
		fprintf(stderr, "bench: cannot load %s: %s\n", path, strerror(errno));
		return -1;
	}
	prog = bpf_object__next_program(*obj, NULL);
	return prog ? bpf_program__fd(prog) : -1;
}

/* 10,000 prefixes from 240.0.0.0/4 (reserved), /20 to /32, none covering
 * the benchmark's source; the hit case adds the source's own /24. */
static int
fill_hyperion(struct hyp_xdp *x)
{
	struct hyp_cidr c = { .family = AF_INET };
	uint32_t i, a;
	int ret;

	for (i = 0; i < n_prefixes; i++) {
		c.prefixlen = 20 + i % 13;
		a = 0xf0000000u | ((i * 2654435761u) & 0x0fffffffu);
		a &= c.prefixlen ? ~0u << (32 - c.prefixlen) : 0;
		a = htonl(a);
		memcpy(c.addr, &a, 4);
		ret = hyp_xdp_block_add(x, &c, false, i);
		if (ret < 0)
			return ret;
	}
	return hyp_xdp_redirect_port_add(x, IPPROTO_UDP, 53, 0);
}

static int
xdpfilt_set(struct bpf_object *o, uint32_t addr_be, uint64_t flags)
{
	int fd = bpf_object__find_map_fd_by_name(o, "filter_ipv4");
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v = calloc(ncpu, sizeof(*v));
	int i, ret;

	if (fd < 0 || v == NULL)
		return -1;
	for (i = 0; i < ncpu; i++)
		v[i] = flags;
	ret = bpf_map_update_elem(fd, &addr_be, v, BPF_ANY);
	free(v);
	return ret;
}

static int
fill_xdpfilt(struct bpf_object *o)
{
	uint32_t i, a;

	/* its IPv4 table is an exact-match hash of 10,000 entries */
	for (i = 0; i < (n_prefixes < N_PREFIXES ? n_prefixes : N_PREFIXES) - 1; i++) {
		a = htonl(0xf0000000u | ((i * 2654435761u) & 0x0fffffffu));
		if (xdpfilt_set(o, a, XDPFILT_FLAG_SRC) < 0) {
			fprintf(stderr, "bench: filter_ipv4 update: %s\n", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
run(int fd, struct frame *f, uint32_t repeat, uint32_t *retval, uint32_t *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = f->b,
		.data_size_in = f->len,
		.repeat = repeat);
	int ret = bpf_prog_test_run_opts(fd, &o);

	if (ret < 0)
		return ret;
	*retval = o.retval;
	*ns = o.duration;
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

#define MAX_ROUNDS 64

static int
bench_case(const char *title, const int fds[P_MAX], struct hyp_xdp *hyp,
	   const uint32_t want[P_MAX], uint32_t repeat, int rounds)
{
	uint32_t t[P_MAX][MAX_ROUNDS], med[P_MAX], rv;
	struct pkt_spec s = { .family = 4, .src = "198.51.100.10", .dst = "198.18.0.2",
			      .sport = 40000, .dport = 9, .payload = 18 };
	struct frame f;
	int r, p;

	if (pkt_build(&s, &f) < 0)
		return -1;
	for (r = 0; r < rounds; r++) {
		for (p = 0; p < P_MAX; p++) {
			if (hyp_xdp_config_set(hyp, HYP_CFG_FLOW_TRACK, p != P_HYP_NOFLOW) < 0)
				return -1;
			if (run(fds[p], &f, repeat, &rv, &t[p][r]) < 0) {
				fprintf(stderr, "bench: test_run %s: %s\n", pname[p], strerror(errno));
				return -1;
			}
			if (rv != want[p]) {
				fprintf(stderr, "bench: %s returned %u, expected %u: "
					"the case is not set up as described\n", pname[p], rv, want[p]);
				return -1;
			}
		}
	}
	printf("\n%s (%u-byte UDP frame, %u runs x %d rounds, median)\n", title, f.len,
	       repeat, rounds);
	printf("  %-30s %8s %9s %13s\n", "program", "ns/pkt", "x floor", "x xdp-filter");
	for (p = 0; p < P_MAX; p++) {
		qsort(t[p], rounds, sizeof(t[p][0]), cmp_u32);
		med[p] = t[p][rounds / 2];
	}
	for (p = 0; p < P_MAX; p++)
		printf("  %-30s %8u %9.2f %13.2f\n", pname[p], med[p],
		       med[P_FLOOR] ? (double)med[p] / med[P_FLOOR] : 0.0,
		       med[P_XDPFILT] ? (double)med[p] / med[P_XDPFILT] : 0.0);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *floor_path = HYP_FLOOR_OBJ;	/* the build's, from meson */
	const char *filt_path = "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_dny_all.o";
	const char *alw_path = "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o";
	uint32_t repeat = 1000000;
	int rounds = 7, opt, fds[P_MAX];
	struct bpf_object *floor_obj, *filt_obj, *alw_obj;
	struct hyp_xdp *hyp;
	struct hyp_cidr c;
	uint32_t src;

	while ((opt = getopt(argc, argv, "f:x:a:n:r:p:h")) != -1) {
		switch (opt) {
		case 'f': floor_path = optarg; break;
		case 'x': filt_path = optarg; break;
		case 'a': alw_path = optarg; break;
		case 'n': repeat = strtoul(optarg, NULL, 0); break;
		case 'r': rounds = atoi(optarg); break;
		case 'p': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 0);

			if (*end || end == optarg || v < 1 || v > HYP_BLOCK_MAX_ENTRIES) {
				fprintf(stderr, "bench: -p: 1..%u prefixes (the blocklist trie's size)\n",
					HYP_BLOCK_MAX_ENTRIES);
				return 2;
			}
			n_prefixes = (uint32_t)v;
			break;
		}
		default:
			fprintf(stderr, "usage: %s [-f floor.bpf.o] [-x xdpfilt_dny_all.o] "
				"[-n repeat] [-r rounds] [-p prefixes]\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || repeat == 0) {
		fprintf(stderr, "bench: rounds must be 1..%d and repeat > 0\n", MAX_ROUNDS);
		return 2;
	}
	libbpf_set_print(quiet_libbpf);
	fds[P_FLOOR] = load_file(floor_path, &floor_obj);
	fds[P_XDPFILT] = load_file(filt_path, &filt_obj);
	fds[P_XDPFILT_ALW] = load_file(alw_path, &alw_obj);
	if (fds[P_FLOOR] < 0 || fds[P_XDPFILT] < 0 || fds[P_XDPFILT_ALW] < 0)
		return 1;
	if (hyp_xdp_load(&hyp) < 0 || hyp_xdp_config_defaults(hyp) < 0 ||
	    fill_hyperion(hyp) < 0 || fill_xdpfilt(filt_obj) < 0 ||
	    fill_xdpfilt(alw_obj) < 0) {
		fprintf(stderr, "bench: setting up the programs failed\n");
		return 1;
	}
	fds[P_HYP] = fds[P_HYP_NOFLOW] = hyp_xdp_prog_fd(hyp);

	printf("fast-path cost per packet: %u IPv4 prefixes in ours, %u in xdp-filter's table\n\n",
	       n_prefixes, n_prefixes < N_PREFIXES ? n_prefixes : N_PREFIXES);
	{
		/* dny_all drops what its allowlist does not name */
		const uint32_t want[P_MAX] = { XDP_DROP, XDP_DROP, XDP_PASS, XDP_PASS, XDP_PASS };

		if (bench_case("miss: source in no prefix", fds, hyp, want, repeat, rounds) < 0)
			return 1;
	}
	/* now block the source in both */
	inet_pton(AF_INET, "198.51.100.10", &src);
	if (hyp_cidr_parse("198.51.100.0/24", &c, NULL, 0) < 0 ||
	    hyp_xdp_block_add(hyp, &c, false, 99) < 0 ||
	    xdpfilt_set(filt_obj, src, XDPFILT_FLAG_SRC) < 0 ||
	    xdpfilt_set(alw_obj, src, XDPFILT_FLAG_SRC) < 0) {
		fprintf(stderr, "bench: blocking the source failed\n");
		return 1;
	}
	{
		/* dny_all passes what its allowlist names */
		const uint32_t want[P_MAX] = { XDP_DROP, XDP_PASS, XDP_DROP, XDP_DROP, XDP_DROP };

		if (bench_case("hit: source in the list (blocked; dny_all: allowed)", fds, hyp, want, repeat, rounds) < 0)
			return 1;
	}
	printf("\ngoal: hyperion at most 2x the floor and below xdp-filter (miss case)\n");
	hyp_xdp_close(hyp);
	bpf_object__close(floor_obj);
	bpf_object__close(filt_obj);
	bpf_object__close(alw_obj);
	return 0;
}
