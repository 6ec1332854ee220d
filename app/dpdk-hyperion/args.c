/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "hyp_defrag.h"	/* HYP_DEFRAG_MAX_FRAGS */
#include "hyperion.h"

void
hyp_args_usage(const char *prog)
{
	fprintf(stderr,
"usage: %s [EAL options] -- --iface IFACE [options]\n"
"       %s [EAL options] -- --pcap FILE [options]\n"
"\n"
"  --iface IFACE          interface to defend (an af_xdp port is made on it)\n"
"  --mode ids|ips         ids (default): inspect and consume what the fast path\n"
"                         redirects; ips: bump in the wire towards --peer\n"
"  --peer IFACE           ips: the other side of the wire\n"
"  --queues N             rx queues to serve (default 1)\n"
"  --start-queue Q        first rx queue (default 0)\n"
"  --pcap FILE            replay a capture offline through the same pipeline\n"
"  --policy FILE          YAML policy (see config/policy.example.yaml)\n"
"  --eve FILE             write alerts as EVE JSON to FILE\n"
"  --pipeline staged|rtc  staged (default): rx lcores feed worker lcores by\n"
"                         flow hash; rtc: each lcore runs everything for its queues\n"
"  --io-lcores N          staged: how many worker lcores do rx/tx (default: one\n"
"                         per queue, leaving at least one for inspection)\n"
"  --stats-period S       print statistics every S seconds (0: at exit only)\n"
"  --ring-size N          per-stage ring size, a power of 2 (default 1024)\n"
"  --burst N              packets per burst (default 32)\n"
"  --rx-desc N            af_xdp ring size per queue, a power of 2 (default 2048)\n"
"  --mbufs N              mbufs per port (default 0: enough for every ring full;\n"
"                         fewer can starve the rx path, counted as rx_nombuf)\n"
"  --flows N              flow table entries per worker (default 65536)\n"
"  --xdp-prog FILE        the XDP object (default: the installed hyp_xdp.bpf.o)\n"
"  --reload-dir DIR       allow /hyperion/reload,FILE and the console's policy\n"
"                         reload FILE for regular files under DIR (default: off)\n"
"  --driver-cfg FILE|none the driver preset (default: drivers-cfg/<driver>.yaml\n"
"                         for the interface's driver, else default.yaml)\n"
"  --defrag-datagrams N   IP datagrams each rx lcore reassembles at once\n"
"                         (default 1024; 0: fragments are inspected one by one)\n"
"  --defrag-fragments N   fragments one datagram may have (default 64)\n"
"  --defrag-timeout-ms N  a datagram's time from its first fragment (default 5000)\n"
"  --defrag-memcap-mb N   fragment bytes each rx lcore holds at most (default 16)\n"
"  --stream-memcap-mb N   TCP reassembly memory per worker (default 64; 0: each\n"
"                         segment inspected alone)\n"
"  --stream-window-kb N   bytes a TCP direction keeps waiting ahead (default 64)\n"
"  --stream-midstream 0|1 pick up connections whose SYN was not seen (default 1)\n"
"  --stream-inspect-window N\n"
"                         bytes already inspected that go with each new stream\n"
"                         chunk to the Suricata rules (default 2048, at most\n"
"                         16384; 0: each chunk alone)\n"
"  --rules-report         load --policy's rule_files, print what loaded and what was\n"
"                         skipped (per keyword, per file) and exit; no interface\n"
"  --stage-cycles         count every lcore's busy cycles by stage (rx, parse, flow,\n"
"                         dns, scan, ..., the cyc_* counters); costs a clock read\n"
"                         per stage per packet (default: off)\n"
"  --keep-fastpath        on a graceful stop, leave our XDP program on the interface\n"
"                         (blocklists, rate limits, the fail mode for redirect\n"
"                         candidates); fail_mode: closed always does\n"
"  -i, --interactive      a testpmd-style console (show, blocklist, set, policy reload)\n"
"  --metrics-port P       Prometheus /metrics on this port (default 2112; 0: off)\n"
"  --metrics-addr A       address to serve /metrics on (default 127.0.0.1: this\n"
"                         host only; 0.0.0.0 or :: widens it to every interface)\n"
"  --metrics-auth FILE    user:secret lines (mode 0600; a crypt(3) hash such as\n"
"                         bcrypt $2b$..., or the password): scrapes need basic auth\n"
"  --metrics-tls-cert F, --metrics-tls-key F   serve /metrics over HTTPS (PEM)\n",
		prog, prog);
}

static int
num(const char *opt, const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || *out < min ||
	    *out > max) {
		fprintf(stderr, "dpdk-hyperion: %s: '%s' is not a number from %lu to %lu\n",
			opt, s, min, max);
		return -EINVAL;
	}
	return 0;
}

/* Which of two words arg is (0 or 1), or -EINVAL, said on stderr. */
static int
one_of(const char *opt, const char *arg, const char *w0, const char *w1)
{
	if (strcmp(arg, w0) == 0)
		return 0;
	if (strcmp(arg, w1) == 0)
		return 1;
	fprintf(stderr, "dpdk-hyperion: %s is %s or %s, not '%s'\n", opt, w0, w1, arg);
	return -EINVAL;
}

/* long options with no letter */
enum {
	OPT_DEFRAG_DATAGRAMS = 256,
	OPT_DEFRAG_FRAGMENTS,
	OPT_DEFRAG_TIMEOUT,
	OPT_DEFRAG_MEMCAP,
	OPT_STREAM_MEMCAP,
	OPT_STREAM_WINDOW,
	OPT_STREAM_INSPECT_WINDOW,
	OPT_STREAM_MIDSTREAM,
	OPT_KEEP_FASTPATH,
	OPT_RULES_REPORT,
	OPT_DRIVER_CFG,
	OPT_MBUFS,
	OPT_RELOAD_DIR,
	OPT_METRICS_AUTH,
	OPT_METRICS_CERT,
	OPT_METRICS_KEY,
	OPT_STAGE_CYCLES,
};

/* The numeric options: their bounds and the field each sets. */
#define NUM(c, name, lo, hi, field) \
	{ c, name, lo, hi, offsetof(struct hyp_args, field), \
	  sizeof(((struct hyp_args *)NULL)->field) }
static const struct {
	int opt;
	const char *name;
	unsigned long min, max;
	size_t off, size;
} num_opts[] = {
	NUM('q', "--queues", 1, HYP_PIPE_MAX_QUEUES, queues),
	NUM('s', "--start-queue", 0, 1023, start_queue),
	NUM('T', "--stats-period", 0, 86400, stats_period),
	NUM('R', "--ring-size", 64, 1 << 20, ring_size),
	NUM('b', "--burst", 1, 256, burst),
	NUM('d', "--rx-desc", 64, 16384, nb_desc),
	NUM(OPT_MBUFS, "--mbufs", 0, 1 << 24, mbufs),
	NUM('f', "--flows", 1024, 1 << 24, flow_entries),
	NUM('I', "--io-lcores", 1, HYP_PIPE_MAX_QUEUES, io_lcores),
	NUM('M', "--metrics-port", 0, 65535, metrics_port),
	NUM(OPT_DEFRAG_DATAGRAMS, "--defrag-datagrams", 0, 1 << 20, defrag_datagrams),
	NUM(OPT_DEFRAG_FRAGMENTS, "--defrag-fragments", 2, HYP_DEFRAG_MAX_FRAGS, defrag_fragments),
	NUM(OPT_DEFRAG_TIMEOUT, "--defrag-timeout-ms", 1, 600000, defrag_timeout_ms),
	NUM(OPT_DEFRAG_MEMCAP, "--defrag-memcap-mb", 1, 65536, defrag_memcap_mb),
	NUM(OPT_STREAM_MEMCAP, "--stream-memcap-mb", 0, 65536, stream_memcap_mb),
	NUM(OPT_STREAM_WINDOW, "--stream-window-kb", 1, 16384, stream_window_kb),
	NUM(OPT_STREAM_MIDSTREAM, "--stream-midstream", 0, 1, stream_midstream),
	NUM(OPT_STREAM_INSPECT_WINDOW, "--stream-inspect-window", 0, 16384, stream_inspect_window),
};
#undef NUM

/* 1: c is not a numeric option; 0: set; -EINVAL: said why on stderr. */
static int
set_num(struct hyp_args *a, int c, const char *arg)
{
	unsigned long v;
	unsigned int i;
	char *field;

	for (i = 0; i < RTE_DIM(num_opts); i++)
		if (num_opts[i].opt == c)
			break;
	if (i == RTE_DIM(num_opts))
		return 1;
	if (num(num_opts[i].name, arg, num_opts[i].min, num_opts[i].max, &v) < 0)
		return -EINVAL;
	field = (char *)a + num_opts[i].off;
	if (num_opts[i].size == sizeof(uint16_t)) {
		uint16_t v16 = (uint16_t)v;

		memcpy(field, &v16, sizeof(v16));
	} else if (num_opts[i].size == sizeof(uint32_t)) {
		uint32_t v32 = (uint32_t)v;

		memcpy(field, &v32, sizeof(v32));
	} else {
		fprintf(stderr, "dpdk-hyperion: %s: a field of %zu bytes\n", num_opts[i].name,
			num_opts[i].size);
		return -EINVAL;
	}
	return 0;
}

int
hyp_args_parse(int argc, char **argv, struct hyp_args *a)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'N' },
		{ "peer", required_argument, NULL, 'P' },
		{ "mode", required_argument, NULL, 'm' },
		{ "queues", required_argument, NULL, 'q' },
		{ "start-queue", required_argument, NULL, 's' },
		{ "pcap", required_argument, NULL, 'r' },
		{ "policy", required_argument, NULL, 'p' },
		{ "eve", required_argument, NULL, 'e' },
		{ "pipeline", required_argument, NULL, 'L' },
		{ "stats-period", required_argument, NULL, 'T' },
		{ "ring-size", required_argument, NULL, 'R' },
		{ "burst", required_argument, NULL, 'b' },
		{ "rx-desc", required_argument, NULL, 'd' },
		{ "mbufs", required_argument, NULL, OPT_MBUFS },
		{ "flows", required_argument, NULL, 'f' },
		{ "io-lcores", required_argument, NULL, 'I' },
		{ "metrics-port", required_argument, NULL, 'M' },
		{ "metrics-addr", required_argument, NULL, 'A' },
		{ "metrics-auth", required_argument, NULL, OPT_METRICS_AUTH },
		{ "metrics-tls-cert", required_argument, NULL, OPT_METRICS_CERT },
		{ "metrics-tls-key", required_argument, NULL, OPT_METRICS_KEY },
		{ "xdp-prog", required_argument, NULL, 'x' },
		{ "driver-cfg", required_argument, NULL, OPT_DRIVER_CFG },
		{ "reload-dir", required_argument, NULL, OPT_RELOAD_DIR },
		{ "defrag-datagrams", required_argument, NULL, OPT_DEFRAG_DATAGRAMS },
		{ "defrag-fragments", required_argument, NULL, OPT_DEFRAG_FRAGMENTS },
		{ "defrag-timeout-ms", required_argument, NULL, OPT_DEFRAG_TIMEOUT },
		{ "defrag-memcap-mb", required_argument, NULL, OPT_DEFRAG_MEMCAP },
		{ "stream-memcap-mb", required_argument, NULL, OPT_STREAM_MEMCAP },
		{ "stream-window-kb", required_argument, NULL, OPT_STREAM_WINDOW },
		{ "stream-midstream", required_argument, NULL, OPT_STREAM_MIDSTREAM },
		{ "stream-inspect-window", required_argument, NULL, OPT_STREAM_INSPECT_WINDOW },
		{ "keep-fastpath", no_argument, NULL, OPT_KEEP_FASTPATH },
		{ "stage-cycles", no_argument, NULL, OPT_STAGE_CYCLES },
		{ "rules-report", no_argument, NULL, OPT_RULES_REPORT },
		{ "interactive", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* the defaults the usage text names */
	static const struct hyp_args defaults = {
		.queues = 1,
		.ring_size = 1024,
		.burst = 32,
		.nb_desc = 2048,
		.flow_entries = 65536,
		.metrics_addr = "127.0.0.1",
		.metrics_port = 2112,
		.defrag_datagrams = 1024,
		.defrag_fragments = 64,
		.defrag_timeout_ms = 5000,
		.defrag_memcap_mb = 16,
		.stream_memcap_mb = 64,
		.stream_window_kb = 64,
		.stream_midstream = 1,
		.stream_inspect_window = 2048,
	};
	int c, ret;

	*a = defaults;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hi", opts, NULL)) != -1) {
		if (c == 'd')
			a->nb_desc_given = true;
		ret = set_num(a, c, optarg);
		if (ret < 0)
			return ret;
		if (ret == 0)
			continue;
		switch (c) {
		case 'N': a->iface = optarg; break;
		case 'P': a->peer = optarg; break;
		case 'r': a->pcap = optarg; break;
		case 'p': a->policy = optarg; break;
		case 'e': a->eve = optarg; break;
		case 'x': a->xdp_prog = optarg; break;
		case OPT_DRIVER_CFG: a->driver_cfg = optarg; break;
		case OPT_RELOAD_DIR: a->reload_dir = optarg; break;
		case OPT_METRICS_AUTH: a->metrics_auth = optarg; break;
		case OPT_METRICS_CERT: a->metrics_tls_cert = optarg; break;
		case OPT_METRICS_KEY: a->metrics_tls_key = optarg; break;
		case 'm':
			ret = one_of("--mode", optarg, "ids", "ips");
			if (ret < 0)
				return ret;
			a->mode = ret == 0 ? HYP_MODE_IDS : HYP_MODE_IPS;
			break;
		case 'L':
			ret = one_of("--pipeline", optarg, "staged", "rtc");
			if (ret < 0)
				return ret;
			a->pipeline = ret == 0 ? HYP_PIPE_STAGED : HYP_PIPE_RTC;
			break;
		case 'i':
			a->interactive = true;
			break;
		case OPT_KEEP_FASTPATH:
			a->keep_fastpath = true;
			break;
		case OPT_STAGE_CYCLES:
			a->stage_cycles = true;
			break;
		case OPT_RULES_REPORT:
			a->rules_report = true;
			break;
		case 'A':
			a->metrics_addr = optarg;
			break;
		case 'h':
			hyp_args_usage(argv[0]);
			return 1;
		default:
			hyp_args_usage(argv[0]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dpdk-hyperion: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (a->rules_report) {
		if (a->policy == NULL) {
			fprintf(stderr, "dpdk-hyperion: --rules-report needs --policy\n");
			return -EINVAL;
		}
		return 0;	/* nothing else is used */
	}
	if ((a->iface == NULL) == (a->pcap == NULL)) {
		fprintf(stderr, "dpdk-hyperion: give exactly one of --iface and --pcap\n");
		return -EINVAL;
	}
	if (a->mode == HYP_MODE_IPS && (a->peer == NULL || a->pcap != NULL)) {
		fprintf(stderr, "dpdk-hyperion: --mode ips needs --iface and --peer\n");
		return -EINVAL;
	}
	if (a->peer != NULL && a->mode != HYP_MODE_IPS) {
		fprintf(stderr, "dpdk-hyperion: --peer is for --mode ips\n");
		return -EINVAL;
	}
	if (a->peer != NULL && strcmp(a->peer, a->iface) == 0) {
		fprintf(stderr, "dpdk-hyperion: --peer must differ from --iface\n");
		return -EINVAL;
	}
	if (!rte_is_power_of_2(a->ring_size) || !rte_is_power_of_2(a->nb_desc)) {
		fprintf(stderr, "dpdk-hyperion: --ring-size and --rx-desc must be powers of 2\n");
		return -EINVAL;
	}
	if (a->pcap != NULL && a->queues != 1) {
		fprintf(stderr, "dpdk-hyperion: a pcap replay has one queue\n");
		return -EINVAL;
	}
	return 0;
}
