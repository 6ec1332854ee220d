/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyperion-xdpctl: the fast path on its own, without DPDK. Loads the XDP
 * program on an interface, or finds the one dpdk-hyperion's af_xdp port
 * attached, and reads or changes its maps. Every command works on whatever
 * hyperion program is attached to the interface named with -i.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <rte_common.h>
#include <rte_log.h>

#include "hyp_addr.h"
#include "hyp_xdp.h"

/* what an operator's hand-made auto-block lasts unless told: it must expire */
#define XDPCTL_AUTOBLOCK_TTL_S	3600

static const char usage_text[] =
"usage: hyperion-xdpctl -i IFACE COMMAND [ARGS]\n"
"\n"
"  load [skb|drv]                 load and attach the program (default: kernel picks)\n"
"  unload                         detach it (only if it is hyperion's)\n"
"  status                         program id, maps and runtime config\n"
"  stats [all]                    per-reason counters (all: zeros too)\n"
"  block add|del [dst] CIDR       source (or destination) blocklist\n"
"  autoblock add ADDR [TTL_S] | del ADDR | list   (TTL_S 1.., default 3600)\n"
"  ratelimit add CIDR PPS BURST | del CIDR | default PPS BURST\n"
"  redirect add|del udp|tcp PORT [PRIORITY]  send (protocol, port) to the AF_XDP\n"
"                         sockets; PRIORITY 0..7 its shedding class (0: never shed)\n"
"  set fail-mode open|closed | malformed drop|pass | watchdog-ms N |\n"
"      redirect-all on|off | flow-track on|off | event-sample N |\n"
"      fragments inspect|drop|pass\n"
"  heartbeat                      tell the watchdog userspace is alive, once\n"
"  flows [N]                      the N largest flows by bytes (default 10)\n"
"  events [N]                     print sampled drop events until N seen or ^C\n";

static int
usage(int code)
{
	fputs(usage_text, code ? stderr : stdout);
	return code;
}

static int
fail(const char *what, int err)
{
	fprintf(stderr, "hyperion-xdpctl: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static int
parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || x > UINT32_MAX || *s == '-') {
		fprintf(stderr, "hyperion-xdpctl: '%s' is not a number from 0 to %u\n",
			s, UINT32_MAX);
		return -EINVAL;
	}
	*v = x;
	return 0;
}

static int
cmd_load(unsigned int ifindex, int argc, char **argv)
{
	uint32_t flags = 0;
	struct hyp_xdp *x;
	int ret;

	if (argc > 0 && strcmp(argv[0], "skb") == 0)
		flags = XDP_FLAGS_SKB_MODE;
	else if (argc > 0 && strcmp(argv[0], "drv") == 0)
		flags = XDP_FLAGS_DRV_MODE;
	else if (argc > 0)
		return usage(2);
	ret = hyp_xdp_load(&x);
	if (ret < 0)
		return fail("load", ret);
	ret = hyp_xdp_config_defaults(x);
	if (ret == 0)
		ret = hyp_xdp_attach(x, ifindex, flags);
	if (ret < 0) {
		hyp_xdp_close(x);
		return fail("attach", ret);
	}
	printf("attached program id %u\n", hyp_xdp_prog_id(x));
	/* a netlink attach: the program and its maps outlive this process */
	hyp_xdp_disown(x);
	hyp_xdp_close(x);
	return 0;
}

static int
cmd_unload(unsigned int ifindex)
{
	struct hyp_xdp *x;
	int ret = hyp_xdp_open_attached(ifindex, &x);

	if (ret < 0)
		return fail("unload", ret);
	ret = hyp_xdp_detach_ifindex(x, ifindex);
	hyp_xdp_close(x);
	return ret < 0 ? fail("detach", ret) : 0;
}

static int
cmd_status(struct hyp_xdp *x)
{
	unsigned int i;
	uint64_t v;

	printf("program id %u\n", hyp_xdp_prog_id(x));
	for (i = 0; i < HYP_CFG_MAX; i++) {
		int ret = hyp_xdp_config_get(x, i, &v);

		if (ret < 0)
			return fail("config read", ret);
		printf("  %-24s %" PRIu64, hyp_cfg_name(i), v);
		if (i == HYP_CFG_FAIL_MODE)
			printf(" (%s)", v == HYP_FAIL_CLOSED ? "closed" : "open");
		else if (i == HYP_CFG_MALFORMED_ACTION)
			printf(" (%s)", v == HYP_XDP_PASS ? "pass" : "drop");
		else if (i == HYP_CFG_HEARTBEAT_NS && v)
			printf(" (%.1f s ago)", (double)(hyp_xdp_now_ns() - v) / 1e9);
		printf("\n");
	}
	return 0;
}

static int
cmd_stats(struct hyp_xdp *x, bool all)
{
	struct hyp_counter c[HYP_R_MAX];
	uint64_t aux[HYP_AUX_MAX];
	unsigned int r;

	if (hyp_xdp_reason_stats(x, c) < 0 || hyp_xdp_aux_stats(x, aux) < 0)
		return fail("reading counters", EIO);
	printf("%-24s %14s %14s %14s\n", "reason", "packets", "bytes", "dropped");
	for (r = 0; r < HYP_R_MAX; r++)
		if (all || c[r].packets)
			printf("%-24s %14llu %14llu %14llu\n", hyp_reason_name(r),
			       (unsigned long long)c[r].packets,
			       (unsigned long long)c[r].bytes,
			       (unsigned long long)c[r].dropped);
	for (r = 0; r < HYP_AUX_MAX; r++)
		if (all || aux[r])
			printf("%-24s %14" PRIu64 "\n", hyp_aux_name(r), aux[r]);
	return 0;
}

static int
parse_cidr(const char *s, struct hyp_cidr *c)
{
	char err[128];
	int ret = hyp_cidr_parse(s, c, err, sizeof(err));

	if (ret < 0)
		fprintf(stderr, "hyperion-xdpctl: '%s': %s\n", s, err);
	return ret;
}

static int
cmd_block(struct hyp_xdp *x, int argc, char **argv)
{
	const char *prefix;
	struct hyp_cidr c;
	bool dst = false;
	int ret;

	/* add|del [dst] CIDR: the verb stays argv[0] */
	if (argc == 3 && strcmp(argv[1], "dst") == 0)
		dst = true;
	else if (argc != 2)
		return usage(2);
	prefix = argv[argc - 1];
	if (parse_cidr(prefix, &c) < 0)
		return 1;
	if (strcmp(argv[0], "add") == 0)
		ret = hyp_xdp_block_add_runtime(x, &c, dst);
	else if (strcmp(argv[0], "del") == 0)
		ret = hyp_xdp_block_del(x, &c, dst);
	else
		return usage(2);
	return ret < 0 ? fail(prefix, ret) : 0;
}

static int
ab_print(const struct hyp_src_key *k, const struct hyp_autoblock_val *v, void *arg)
{
	uint64_t now = *(const uint64_t *)arg;
	char a[HYP_ADDR_STRLEN];

	/* the family in the key, so a v4-mapped IPv6 source prints as IPv6 */
	printf("%s expires_in_ms=%" PRIu64 " hits=%" PRIu64 "\n",
	       hyp_addr_format(k->addr.a, k->family, a, sizeof(a)),
	       (uint64_t)(v->expires_ns > now ? (v->expires_ns - now) / 1000000 : 0),
	       (uint64_t)v->hits);
	return 0;
}

static int
cmd_autoblock(struct hyp_xdp *x, int argc, char **argv)
{
	struct hyp_cidr c;
	struct hyp_addr a;
	struct hyp_src_key k;
	uint32_t ttl = XDPCTL_AUTOBLOCK_TTL_S;
	int ret;

	if (argc == 1 && strcmp(argv[0], "list") == 0) {
		uint64_t now = hyp_xdp_now_ns();

		ret = hyp_xdp_autoblock_foreach(x, ab_print, &now);
		return ret < 0 ? fail("autoblock list", ret) : 0;
	}
	if (argc < 2 || parse_cidr(argv[1], &c) < 0)
		return usage(2);
	if (c.prefixlen != (c.family == AF_INET ? 32 : 128)) {
		fprintf(stderr, "hyperion-xdpctl: auto-block takes one address, not a prefix\n");
		return 2;
	}
	hyp_cidr_to_addr(&c, &a);
	k = hyp_src_key_host(c.family == AF_INET ? 4 : 6, a.a);
	if (strcmp(argv[0], "add") == 0 && argc <= 3) {
		if (argc == 3 && parse_u32(argv[2], &ttl) < 0)
			return 2;
		if (ttl == 0) {
			fprintf(stderr, "hyperion-xdpctl: an auto-block expires (ttl 1 s or more); "
				"a permanent block is 'block add %s'\n", argv[1]);
			return 2;
		}
		ret = hyp_xdp_autoblock_add(x, &k, (uint64_t)ttl * HYP_NSEC_PER_SEC);
	} else if (strcmp(argv[0], "del") == 0 && argc == 2) {
		ret = hyp_xdp_autoblock_del(x, &k);
	} else {
		return usage(2);
	}
	return ret < 0 ? fail(argv[1], ret) : 0;
}

static int
cmd_ratelimit(struct hyp_xdp *x, int argc, char **argv)
{
	struct hyp_cidr c;
	uint32_t pps, burst;
	int ret;

	if (argc == 3 && strcmp(argv[0], "default") == 0) {
		if (parse_u32(argv[1], &pps) < 0 || parse_u32(argv[2], &burst) < 0)
			return 2;
		ret = hyp_xdp_ratelimit_default(x, pps, burst);
	} else if (argc == 4 && strcmp(argv[0], "add") == 0) {
		if (parse_cidr(argv[1], &c) < 0 || parse_u32(argv[2], &pps) < 0 ||
		    parse_u32(argv[3], &burst) < 0)
			return 2;
		ret = hyp_xdp_ratelimit_add(x, &c, pps, burst, 0, HYP_RL_SCOPE_ADDRESS,
					    HYP_RL_IPV6_MASK_DEFAULT);
	} else if (argc == 2 && strcmp(argv[0], "del") == 0) {
		if (parse_cidr(argv[1], &c) < 0)
			return 2;
		ret = hyp_xdp_ratelimit_del(x, &c);
	} else {
		return usage(2);
	}
	return ret < 0 ? fail("ratelimit", ret) : 0;
}

static int
cmd_redirect(struct hyp_xdp *x, int argc, char **argv)
{
	uint32_t port, prio = 0;
	uint8_t proto;
	int ret;

	if (argc < 3 || argc > 4 || parse_u32(argv[2], &port) < 0 || port == 0 || port > 65535)
		return usage(2);
	/* add PROTO PORT [PRIORITY]: its shedding class, 0 (never shed) by default */
	if (argc == 4 && (strcmp(argv[0], "add") != 0 || parse_u32(argv[3], &prio) < 0 ||
			  prio > HYP_SHED_PRIORITY_MAX))
		return usage(2);
	if (strcmp(argv[1], "udp") == 0)
		proto = IPPROTO_UDP;
	else if (strcmp(argv[1], "tcp") == 0)
		proto = IPPROTO_TCP;
	else
		return usage(2);
	if (strcmp(argv[0], "add") == 0)
		ret = hyp_xdp_redirect_port_add(x, proto, port, prio);
	else if (strcmp(argv[0], "del") == 0)
		ret = hyp_xdp_redirect_port_del(x, proto, port);
	else
		return usage(2);
	return ret < 0 ? fail("redirect", ret) : 0;
}

/*
 * What `set` can change, and the words it takes: a value from words[]
 * (vals[] in the same order), or with no words a number times scale.
 */
static const struct {
	const char *arg;
	enum hyp_cfg key;
	const char *words[3];
	uint64_t vals[3];
	uint64_t scale;
} settable[] = {
	{ "fail-mode", HYP_CFG_FAIL_MODE, { "open", "closed" },
	  { HYP_FAIL_OPEN, HYP_FAIL_CLOSED }, 0 },
	{ "malformed", HYP_CFG_MALFORMED_ACTION, { "drop", "pass" },
	  { HYP_XDP_DROP, HYP_XDP_PASS }, 0 },
	{ "watchdog-ms", HYP_CFG_WATCHDOG_NS, { NULL }, { 0 }, 1000000ULL },
	{ "redirect-all", HYP_CFG_REDIRECT_ALL, { "off", "on" }, { 0, 1 }, 0 },
	{ "flow-track", HYP_CFG_FLOW_TRACK, { "off", "on" }, { 0, 1 }, 0 },
	{ "event-sample", HYP_CFG_EVENT_SAMPLE, { NULL }, { 0 }, 1 },
	{ "fragments", HYP_CFG_FRAGMENTS, { "inspect", "drop", "pass" },
	  { HYP_FRAG_INSPECT, HYP_FRAG_DROP, HYP_FRAG_PASS }, 0 },
};

static int
cmd_set(struct hyp_xdp *x, int argc, char **argv)
{
	unsigned int i, w;
	uint64_t v;
	uint32_t n;
	int ret;

	if (argc != 2)
		return usage(2);
	for (i = 0; i < RTE_DIM(settable); i++)
		if (strcmp(argv[0], settable[i].arg) == 0)
			break;
	if (i == RTE_DIM(settable))
		return usage(2);
	if (settable[i].words[0] == NULL) {
		if (parse_u32(argv[1], &n) < 0)
			return 2;
		v = (uint64_t)n * settable[i].scale;
	} else {
		for (w = 0; w < RTE_DIM(settable[i].words) && settable[i].words[w] != NULL; w++)
			if (strcmp(argv[1], settable[i].words[w]) == 0)
				break;
		if (w == RTE_DIM(settable[i].words) || settable[i].words[w] == NULL)
			return usage(2);
		v = settable[i].vals[w];
	}
	ret = hyp_xdp_config_set(x, settable[i].key, v);
	return ret < 0 ? fail(argv[0], ret) : 0;
}


struct flow_row {
	struct hyp_flow_key k;
	struct hyp_flow_val v;
};

struct flow_rows {
	struct flow_row *rows;
	size_t n;
};

static int
flow_take(const struct hyp_flow_key *k, const struct hyp_flow_val *v, void *arg)
{
	struct flow_rows *fr = arg;

	if (fr->n == HYP_FLOW_MAX_ENTRIES)
		return -ENOSPC;	/* the map holds at most this many: added meanwhile */
	fr->rows[fr->n].k = *k;
	fr->rows[fr->n].v = *v;
	fr->n++;
	return 0;
}

static int
by_bytes(const void *a, const void *b)
{
	const struct flow_row *x = a, *y = b;

	return x->v.bytes < y->v.bytes ? 1 : x->v.bytes > y->v.bytes ? -1 : 0;
}

static int
cmd_flows(struct hyp_xdp *x, int argc, char **argv)
{
	struct flow_rows fr = { calloc(HYP_FLOW_MAX_ENTRIES, sizeof(*fr.rows)), 0 };
	struct flow_row *rows = fr.rows;
	uint32_t top = 10;
	size_t n, i;
	char s[HYP_ADDR_STRLEN], d[HYP_ADDR_STRLEN];
	int ret;

	if (rows == NULL)
		return fail("flows", ENOMEM);
	if (argc > 0 && parse_u32(argv[0], &top) < 0) {
		free(rows);
		return 2;
	}
	ret = hyp_xdp_flow_foreach(x, flow_take, &fr);
	if (ret < 0 && ret != -ENOSPC) {
		free(rows);
		return fail("flows", -ret);
	}
	n = fr.n;
	qsort(rows, n, sizeof(rows[0]), by_bytes);
	printf("%zu flows\n%-6s %-40s %-40s %10s %12s\n", n, "proto", "source", "destination",
	       "packets", "bytes");
	for (i = 0; i < n && i < top; i++) {
		char sp[64], dp[64];

		snprintf(sp, sizeof(sp), "%s:%u", hyp_addr_format(rows[i].k.src.a, rows[i].k.family, s, sizeof(s)),
			 ntohs(rows[i].k.sport));
		snprintf(dp, sizeof(dp), "%s:%u", hyp_addr_format(rows[i].k.dst.a, rows[i].k.family, d, sizeof(d)),
			 ntohs(rows[i].k.dport));
		printf("%-6u %-40s %-40s %10llu %12llu\n", rows[i].k.proto, sp, dp,
		       (unsigned long long)rows[i].v.packets,
		       (unsigned long long)rows[i].v.bytes);
	}
	free(rows);
	return 0;
}

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
print_event(void *ctx, void *data, size_t size)
{
	const struct hyp_event *e = data;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	long *left = ctx;

	if (size < sizeof(*e))
		return 0;
	printf("%llu.%09llu %-22s q%u ", (unsigned long long)(e->ts_ns / HYP_NSEC_PER_SEC),
	       (unsigned long long)(e->ts_ns % HYP_NSEC_PER_SEC),
	       hyp_reason_name(e->reason), e->rx_queue);
	if (e->family == 0)	/* dropped before an IP header was found */
		printf("not IP");
	else
		printf("proto %u %s:%u -> %s:%u", e->proto,
		       hyp_addr_format(e->src.a, e->family, s, sizeof(s)), ntohs(e->sport),
		       hyp_addr_format(e->dst.a, e->family, d, sizeof(d)), ntohs(e->dport));
	printf(" len %u\n", e->pkt_len);
	fflush(stdout);
	if (*left > 0 && --*left == 0)
		stop = 1;
	return 0;
}

static int
cmd_events(struct hyp_xdp *x, int argc, char **argv)
{
	struct ring_buffer *rb;
	uint32_t n = 0;
	long left;

	if (argc > 0 && parse_u32(argv[0], &n) < 0)
		return 2;
	left = n;
	rb = ring_buffer__new(hyp_xdp_map_fd(x, HYP_MAP_ID_EVENTS), print_event, &left, NULL);
	if (rb == NULL)
		return fail("ring buffer", errno);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop) {
		int ret = ring_buffer__poll(rb, 200);

		if (ret < 0 && ret != -EINTR) {
			ring_buffer__free(rb);
			return fail("ring buffer poll", ret);
		}
	}
	ring_buffer__free(rb);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *ifname = NULL;
	unsigned int ifindex;
	struct hyp_xdp *x;
	const char *cmd;
	int opt, ret;

	/* library errors are for the user's terminal, not for piped output */
	rte_openlog_stream(stderr);
	while ((opt = getopt(argc, argv, "+i:h")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'h':
			return usage(0);
		default:
			return usage(2);
		}
	}
	if (ifname == NULL || optind >= argc)
		return usage(2);
	ifindex = if_nametoindex(ifname);
	if (ifindex == 0) {
		fprintf(stderr, "hyperion-xdpctl: no interface '%s'\n", ifname);
		return 1;
	}
	cmd = argv[optind];
	argc -= optind + 1;
	argv += optind + 1;

	if (strcmp(cmd, "load") == 0)
		return cmd_load(ifindex, argc, argv);
	if (strcmp(cmd, "unload") == 0)
		return cmd_unload(ifindex);

	ret = hyp_xdp_open_attached(ifindex, &x);
	if (ret < 0)
		return fail(ifname, ret);
	if (strcmp(cmd, "status") == 0)
		ret = cmd_status(x);
	else if (strcmp(cmd, "stats") == 0)
		ret = cmd_stats(x, argc > 0 && strcmp(argv[0], "all") == 0);
	else if (strcmp(cmd, "block") == 0 && argc >= 1)
		ret = cmd_block(x, argc, argv);
	else if (strcmp(cmd, "autoblock") == 0)
		ret = cmd_autoblock(x, argc, argv);
	else if (strcmp(cmd, "ratelimit") == 0)
		ret = cmd_ratelimit(x, argc, argv);
	else if (strcmp(cmd, "redirect") == 0)
		ret = cmd_redirect(x, argc, argv);
	else if (strcmp(cmd, "set") == 0)
		ret = cmd_set(x, argc, argv);
	else if (strcmp(cmd, "heartbeat") == 0)
		ret = hyp_xdp_heartbeat(x) < 0 ? 1 : 0;
	else if (strcmp(cmd, "flows") == 0)
		ret = cmd_flows(x, argc, argv);
	else if (strcmp(cmd, "events") == 0)
		ret = cmd_events(x, argc, argv);
	else
		ret = usage(2);
	hyp_xdp_close(x);
	return ret;
}
