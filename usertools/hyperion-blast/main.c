/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hyperion-blast: the benchmarks' packet sender.
 *
 * The kernel does the sending. BPF_PROG_RUN (BPF_PROG_TEST_RUN) of an XDP
 * program with BPF_F_TEST_XDP_LIVE_FRAMES (Linux >= 5.18) copies the frame
 * we give it into page-pool pages, `repeat` times, runs the program on each
 * copy as if it had arrived on ctx.ingress_ifindex, and acts on the verdict:
 * XDP_TX becomes a redirect back out of that interface, flushed every
 * `batch_size` frames through the driver's ndo_xdp_xmit. xdp_tx.bpf.o
 * returns XDP_TX, so every copy leaves IFACE; no socket, no skb.
 *
 * Calls are expensive: with repeat > 1 the kernel installs the program in
 * the XDP dispatcher and removes it again around each call (~0.4 ms here),
 * so repeat per call is sized to last about CALL_SECONDS at the measured
 * rate, never `batch`. As one call sends copies of one frame, xdp_tx.bpf.o
 * itself gives each copy the next UDP source port of --sport-range (its
 * .rodata blast_cfg, set before loading), so flow hashing on the receiver
 * sees many flows.
 *
 * What the receiving end needs (veth): ndo_xdp_xmit on a veth puts frames
 * on its peer's XDP ring, which only exists while the peer runs NAPI, that
 * is while the peer has an XDP program attached (an AF_XDP socket's program
 * counts) or GRO enabled. Otherwise the kernel drops every frame without
 * telling BPF_PROG_RUN; see the xdp_xmit counters this tool prints on
 * stderr, read from the driver's ethtool statistics.
 *
 * Some kernels refuse live frames (EPERM even to root: seen on a 6.18
 * microVM kernel) or predate them. There the packet engine sends instead:
 * the same program, run by a plain BPF_PROG_RUN (repeat 1, data_out), turns
 * each frame into the copy live mode would have sent, so the rewrites stay
 * in one place, and an AF_PACKET socket with PACKET_QDISC_BYPASS sends the
 * result, a batch per sendmmsg. It costs the sender an skb and a syscall
 * share per frame: slower, and said so in the output ("engine"). Where the
 * program's output repeats within bounds (CACHE_FRAMES_MAX), the period is
 * run once and sent from memory, which halves what a frame costs here.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/bpf.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/sockios.h>
#include <linux/udp.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* pcap's classic-BPF header and linux/bpf.h both define struct bpf_insn */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include "xdp_tx_shared.h"

#include <pcap/dlt.h>
#include <pcap/pcap.h>

#ifndef BPF_F_TEST_XDP_LIVE_FRAMES
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#endif

#define PROG_FILE "xdp_tx.bpf.o"
#define FRAME_MIN (ETH_HLEN + 20 + 8)	/* Ethernet + IPv4 + UDP */
#define FRAME_MAX BLAST_FRAME_MAX
#define BATCH_MAX 256			/* the kernel's TEST_XDP_MAX_BATCH */
#define REPEAT_FIRST 4096		/* frames in the first call */
#define REPEAT_MAX (1U << 22)
#define CALL_SECONDS 0.05		/* what later calls are sized to last */
/* a replayed file is held in the program's map: bounded, and said so */
#define PCAP_MAX_FRAMES BLAST_FRAMES_MAX
#define PCAP_REPEAT_MAX 65536

/* who sends: auto tries live frames and falls back to the packet engine */
enum blast_engine { ENGINE_AUTO, ENGINE_XDP, ENGINE_PACKET };

struct blast_opts {
	const char *ifname;
	enum blast_engine engine;
	const char *prog;
	uint64_t packets;		/* 0: no limit */
	double seconds;			/* 0: no limit */
	unsigned int size;
	struct in_addr src, dst;
	uint16_t dport, sport_lo, sport_hi;
	uint32_t src_count;		/* source addresses from --src, in turn */
	bool sport_set;			/* --sport-range given (a replay rotates then) */
	uint32_t client_addr;		/* a replay's first frame's source, network order */
	uint16_t client_port;
	uint8_t smac[ETH_ALEN], dmac[ETH_ALEN];
	bool smac_set, dmac_set;
	unsigned int batch;
	double rate;			/* frames per second; 0: as fast as it goes */
	uint8_t payload[FRAME_MAX];	/* --payload: the UDP payload, repeated */
	size_t payload_len;
	/* --mix-share: a second frame, another payload and/or source */
	double mix_share;
	bool mix_src_set;
	struct in_addr mix_src;
	uint8_t mix_payload[FRAME_MAX];
	size_t mix_payload_len;
	/* --pcap: the file's frames instead of the template */
	const char *pcap;
	uint32_t pcap_repeat;		/* copies of each frame in a row */
	uint32_t pcap_frames;		/* how many the file had */
	const char *template_opt;	/* the first template option given */
};

/* the frames of a --pcap file, in file order */
struct pcap_frames {
	uint8_t **data;
	uint16_t *len;
	uint32_t n;
	uint32_t longest;		/* its index */
	/* records not sent, by why */
	uint64_t runt, oversize, truncated;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("hyperion-blast: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* a payload file: at most a frame's worth is read, an empty one is refused */
static void
read_payload(const char *path, uint8_t buf[FRAME_MAX], size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		die("payload %s: %s", path, strerror(errno));
	*len = fread(buf, 1, FRAME_MAX, f);
	if (ferror(f)) {
		fclose(f);
		die("payload %s: read error", path);
	}
	fclose(f);
	if (*len == 0)
		die("payload %s: empty", path);
}

static void
usage(FILE *f)
{
	fputs(
"usage: hyperion-blast -i IFACE [-n PACKETS] [-s SECONDS] [--size BYTES]\n"
"         [--src IP] [--src-count N] [--dst IP] [--dport PORT] [--sport-range LO-HI]\n"
"         [--smac MAC] [--dmac MAC] [--batch N] [--prog FILE]\n"
"         [--rate PPS] [--payload FILE] [--engine auto|xdp|packet]\n"
"         [--mix-share F [--mix-payload FILE] [--mix-src IP]]\n"
"       hyperion-blast -i IFACE --pcap FILE [--pcap-repeat K] [-n|-s|--rate]\n"
"         [--smac MAC] [--dmac MAC] [--batch N] [--prog FILE]\n"
"Sends UDP/IPv4 frames (or a capture's frames) out of IFACE at line rate\n"
"with BPF_PROG_RUN live frames (XDP_TX); stops after PACKETS or SECONDS,\n"
"whichever comes first, or on SIGINT/SIGTERM; prints {\"sent\": N,\n"
"\"mixed\": M, \"seconds\": S, \"pps\": P, \"engine\": E} (with --pcap also\n"
"\"frames\" and \"skipped\").\n"
"  -n, --packets N     frames to send (default: no limit)\n"
"  -s, --seconds S     seconds to send (default: no limit)\n"
"      --size BYTES    frame length without FCS, 42-1514 (default 60)\n"
"      --src IP        IPv4 source (default 198.18.0.1)\n"
"      --dst IP        IPv4 destination (default 198.18.0.2)\n"
"      --dport PORT    UDP destination port (default 53)\n"
"      --sport-range LO-HI  UDP source ports, one per frame, in turn\n"
"                      (default 1024-65535)\n"
"      --src-count N   source addresses from --src, the next one after each\n"
"                      round of ports: ports x N flows (default 1, at most\n"
"                      16,777,216)\n"
"      --smac MAC      Ethernet source (default: IFACE's address)\n"
"      --dmac MAC      Ethernet destination (default: --dst's neighbour\n"
"                      entry on IFACE, else ff:ff:ff:ff:ff:ff)\n"
"      --rate PPS      offered rate, frames per second (default: as fast\n"
"                      as the kernel sends); paced per call of ~10 ms\n"
"      --payload FILE  the UDP payload: FILE's bytes, repeated to fill\n"
"                      --size (default: a DNS query to ports 53/5353,\n"
"                      zeros otherwise)\n"
"      --mix-share F   a share 0..1 of the frames is the mix frame: the\n"
"                      same but --mix-payload's bytes (a malicious payload)\n"
"                      and/or from --mix-src (a blocklisted source); kept\n"
"                      per call of frames, counted as \"mixed\" in the output\n"
"      --pcap FILE     send FILE's frames (pcap or pcapng, Ethernet) in file\n"
"                      order, over and over, instead of the template; their\n"
"                      Ethernet addresses become --smac/--dmac, nothing\n"
"                      else changes. Records cut short by the capture's\n"
"                      snap length, runts and frames over 1514 bytes are\n"
"                      skipped and counted. Up to 65,536 frames, held in\n"
"                      the program's map: each copy the kernel makes is\n"
"                      rewritten into the next frame, at the template's rate\n"
"      --pcap-repeat K copies of each frame back to back, 1-65536 (default\n"
"                      1: the file's order)\n"
"                      With --pcap, --sport-range and --src-count rotate the\n"
"                      client (the first frame's IPv4 source and port) round\n"
"                      by round, in both directions: each round of the file\n"
"                      is a connection of its own (addresses from the\n"
"                      captured one)\n"
"      --batch N       frames per transmit flush (the kernel's\n"
"                      batch_size), 1-256 (default 64)\n"
"      --prog FILE     the XDP_TX program (default: " PROG_FILE " in\n"
"                      ../../bpf/ from this binary, else " HYP_BLAST_DATADIR ")\n"
"      --engine E      xdp: BPF_PROG_RUN live frames, the kernel sends;\n"
"                      packet: the program rewrites each frame (plain\n"
"                      BPF_PROG_RUN) and an AF_PACKET socket sends it,\n"
"                      slower (a repeating period of frames is made once\n"
"                      and sent from memory); auto (default): xdp, and\n"
"                      packet where the kernel refuses live frames (said\n"
"                      on stderr)\n"
"Needs root (CAP_BPF and CAP_NET_ADMIN); the xdp engine Linux >= 5.18.\n", f);
}

static unsigned long
parse_ulong(const char *what, const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
		die("%s: '%s' is not a number in %lu..%lu", what, s, lo, hi);
	return v;
}

static void
parse_mac(const char *what, const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned int b[ETH_ALEN];
	char tail;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != ETH_ALEN)
		die("%s: '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", what, s);
	for (i = 0; i < ETH_ALEN; i++) {
		if (b[i] > 0xff)
			die("%s: '%s' is not a MAC address", what, s);
		mac[i] = (uint8_t)b[i];
	}
}

static void
parse_ip(const char *what, const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) != 1)
		die("%s: '%s' is not an IPv4 address", what, s);
}

static void
parse_args(int argc, char **argv, struct blast_opts *o)
{
	enum { O_SIZE = 256, O_SRC, O_DST, O_DPORT, O_SPORT, O_SMAC, O_DMAC,
		O_BATCH, O_PROG, O_RATE, O_PAYLOAD, O_MIX_SHARE, O_MIX_PAYLOAD, O_MIX_SRC,
		O_PCAP, O_PCAP_REPEAT, O_SRC_COUNT, O_ENGINE };
	static const struct option lopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "packets", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, O_SIZE },
		{ "src", required_argument, NULL, O_SRC },
		{ "dst", required_argument, NULL, O_DST },
		{ "dport", required_argument, NULL, O_DPORT },
		{ "sport-range", required_argument, NULL, O_SPORT },
		{ "smac", required_argument, NULL, O_SMAC },
		{ "dmac", required_argument, NULL, O_DMAC },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "prog", required_argument, NULL, O_PROG },
		{ "rate", required_argument, NULL, O_RATE },
		{ "payload", required_argument, NULL, O_PAYLOAD },
		{ "mix-share", required_argument, NULL, O_MIX_SHARE },
		{ "mix-payload", required_argument, NULL, O_MIX_PAYLOAD },
		{ "mix-src", required_argument, NULL, O_MIX_SRC },
		{ "pcap", required_argument, NULL, O_PCAP },
		{ "pcap-repeat", required_argument, NULL, O_PCAP_REPEAT },
		{ "src-count", required_argument, NULL, O_SRC_COUNT },
		{ "engine", required_argument, NULL, O_ENGINE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long lo, hi;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->size = 60;
	o->dport = 53;
	o->sport_lo = 1024;
	o->sport_hi = 65535;
	o->batch = 64;
	o->pcap_repeat = 1;
	o->src_count = 1;
	parse_ip("--src", "198.18.0.1", &o->src);
	parse_ip("--dst", "198.18.0.2", &o->dst);

	while ((c = getopt_long(argc, argv, "i:n:s:h", lopts, NULL)) != -1) {
		/* what shapes the template: meaningless with --pcap */
		if (o->template_opt == NULL && c >= O_SIZE && c != O_SMAC && c != O_DMAC &&
		    c != O_BATCH && c != O_PROG && c != O_RATE && c != O_PCAP &&
		    c != O_PCAP_REPEAT && c != O_SPORT && c != O_SRC_COUNT && c != O_ENGINE) {
			const struct option *l;

			for (l = lopts; l->name != NULL && l->val != c; l++)
				;
			o->template_opt = l->name;
		}
		switch (c) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'n':
			o->packets = strtoull(optarg, &end, 0);
			if (*end || end == optarg || optarg[0] == '-' || !o->packets)
				die("-n: '%s' is not a positive number", optarg);
			break;
		case 's':
			errno = 0;
			o->seconds = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->seconds > 0))
				die("-s: '%s' is not a positive number of seconds",
				    optarg);
			break;
		case O_SIZE:
			o->size = parse_ulong("--size", optarg, FRAME_MIN, FRAME_MAX);
			break;
		case O_SRC:
			parse_ip("--src", optarg, &o->src);
			break;
		case O_DST:
			parse_ip("--dst", optarg, &o->dst);
			break;
		case O_DPORT:
			o->dport = parse_ulong("--dport", optarg, 0, 65535);
			break;
		case O_SPORT: {
			char buf[32], *dash;

			snprintf(buf, sizeof(buf), "%s", optarg);
			dash = strchr(buf, '-');
			if (dash)
				*dash = '\0';
			lo = parse_ulong("--sport-range", buf, 0, 65535);
			hi = dash ? parse_ulong("--sport-range", dash + 1, 0, 65535) : lo;
			if (hi < lo)
				die("--sport-range: %lu-%lu is empty", lo, hi);
			o->sport_lo = lo;
			o->sport_hi = hi;
			o->sport_set = true;
			break;
		}
		case O_SMAC:
			parse_mac("--smac", optarg, o->smac);
			o->smac_set = true;
			break;
		case O_DMAC:
			parse_mac("--dmac", optarg, o->dmac);
			o->dmac_set = true;
			break;
		case O_BATCH:
			o->batch = parse_ulong("--batch", optarg, 1, BATCH_MAX);
			break;
		case O_PROG:
			o->prog = optarg;
			break;
		case O_RATE:
			errno = 0;
			o->rate = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->rate >= 1 && o->rate <= 1e9))
				die("--rate: '%s' is not a rate of 1 to 1e9 frames per second",
				    optarg);
			break;
		case O_PAYLOAD:
			read_payload(optarg, o->payload, &o->payload_len);
			break;
		case O_MIX_SHARE:
			errno = 0;
			o->mix_share = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->mix_share >= 0 && o->mix_share <= 1))
				die("--mix-share: '%s' is not a share from 0 to 1", optarg);
			break;
		case O_MIX_PAYLOAD:
			read_payload(optarg, o->mix_payload, &o->mix_payload_len);
			break;
		case O_MIX_SRC:
			parse_ip("--mix-src", optarg, &o->mix_src);
			o->mix_src_set = true;
			break;
		case O_PCAP:
			o->pcap = optarg;
			break;
		case O_SRC_COUNT:
			o->src_count = (uint32_t)parse_ulong("--src-count", optarg, 1, 1U << 24);
			break;
		case O_ENGINE:
			if (!strcmp(optarg, "auto"))
				o->engine = ENGINE_AUTO;
			else if (!strcmp(optarg, "xdp"))
				o->engine = ENGINE_XDP;
			else if (!strcmp(optarg, "packet"))
				o->engine = ENGINE_PACKET;
			else
				die("--engine: '%s' is not auto, xdp or packet", optarg);
			break;
		case O_PCAP_REPEAT:
			o->pcap_repeat = (uint32_t)parse_ulong("--pcap-repeat", optarg, 1,
								PCAP_REPEAT_MAX);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see --help)", argv[optind]);
	if (o->pcap == NULL && (uint64_t)ntohl(o->src.s_addr) + o->src_count - 1 > UINT32_MAX)
		die("--src-count %u: past 255.255.255.255 from --src", o->src_count);
	if (o->pcap != NULL && o->template_opt != NULL)
		die("--%s shapes the template frame: it does not apply to --pcap, which sends "
		    "the file's frames as they are", o->template_opt);
	if (o->mix_share > 0 && !o->mix_src_set && o->mix_payload_len == 0)
		die("--mix-share needs --mix-payload or --mix-src: the mix frame would be the same");
	if (!o->ifname)
		die("-i IFACE is required (see --help)");
}

/* ---- the frame ---- */

static uint32_t
csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (; len > 1; b += 2, len -= 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (len)
		sum += (uint32_t)b[0] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Ethernet, IPv4 (checksummed, DF, TTL 64), UDP (checksummed) and a payload:
 * for DNS ports, a query for the root name when it fits (it does in 60
 * bytes), zeros otherwise. The source port and checksum: set_sport().
 */
/*
 * The headers are built in structs of their own and copied in: after the
 * 14-byte Ethernet header nothing in the frame is aligned for them.
 */
static void
build_frame(uint8_t *f, const struct blast_opts *o)
{
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;
	uint8_t *pl = f + ETH_HLEN + sizeof(ip) + sizeof(udp);
	size_t plen = o->size - FRAME_MIN;
	static const uint8_t dnsq[] = {
		0x48, 0x59, 0x01, 0x00,	/* id, RD */
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 1 question */
		0x00, 0x00, 0x01, 0x00, 0x01,	/* ".", A, IN */
	};

	memset(f, 0, o->size);
	memset(&eth, 0, sizeof(eth));
	memset(&ip, 0, sizeof(ip));
	memset(&udp, 0, sizeof(udp));
	memcpy(eth.h_dest, o->dmac, ETH_ALEN);
	memcpy(eth.h_source, o->smac, ETH_ALEN);
	eth.h_proto = htons(ETH_P_IP);

	ip.version = 4;
	ip.ihl = 5;
	ip.tot_len = htons(o->size - ETH_HLEN);
	ip.frag_off = htons(0x4000);
	ip.ttl = 64;
	ip.protocol = IPPROTO_UDP;
	ip.saddr = o->src.s_addr;
	ip.daddr = o->dst.s_addr;
	ip.check = htons(csum_fold(csum_add(0, &ip, sizeof(ip))));

	udp.dest = htons(o->dport);
	udp.len = htons(o->size - ETH_HLEN - sizeof(ip));
	memcpy(f, &eth, sizeof(eth));
	memcpy(f + ETH_HLEN, &ip, sizeof(ip));
	memcpy(f + ETH_HLEN + sizeof(ip), &udp, sizeof(udp));
	if (o->payload_len > 0) {
		size_t k;

		for (k = 0; k < plen; k++)
			pl[k] = o->payload[k % o->payload_len];
	} else if ((o->dport == 53 || o->dport == 5353) && plen >= sizeof(dnsq)) {
		memcpy(pl, dnsq, sizeof(dnsq));
	}
}

static void
set_sport(uint8_t *f, size_t size, uint16_t sport)
{
	uint8_t *ip = f + ETH_HLEN;
	uint8_t *udp = ip + sizeof(struct iphdr);
	size_t ulen = size - ETH_HLEN - sizeof(struct iphdr);
	uint16_t v;
	uint32_t sum;
	uint16_t c;

	v = htons(sport);
	memcpy(udp + offsetof(struct udphdr, source), &v, sizeof(v));
	memset(udp + offsetof(struct udphdr, check), 0, sizeof(v));
	/* pseudo header: addresses, protocol, UDP length */
	sum = csum_add(0, ip + offsetof(struct iphdr, saddr), 8);
	sum += IPPROTO_UDP + (uint32_t)ulen;
	c = csum_fold(csum_add(sum, udp, ulen));
	v = htons(c ? c : 0xffff);
	memcpy(udp + offsetof(struct udphdr, check), &v, sizeof(v));
}

/* ---- a capture's frames (--pcap) ---- */

/*
 * Every record of the file into memory, in order: a replay must not wait
 * on the disk. What cannot be sent as it was captured is skipped and
 * counted: a record the snap length cut short (its missing bytes would be
 * made up), a runt without an Ethernet header, a frame over FRAME_MAX.
 */
static void
pcap_load(const char *path, struct pcap_frames *pf)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	uint32_t cap = 0;
	pcap_t *pc;
	int ret;

	memset(pf, 0, sizeof(*pf));
	pc = pcap_open_offline(path, errbuf);
	if (pc == NULL)
		die("--pcap %s: %s", path, errbuf);
	if (pcap_datalink(pc) != DLT_EN10MB)
		die("--pcap %s: link type %s, not Ethernet: nothing to put on IFACE", path,
		    pcap_datalink_val_to_name(pcap_datalink(pc)) ?
		    pcap_datalink_val_to_name(pcap_datalink(pc)) : "unknown");
	while ((ret = pcap_next_ex(pc, &h, &d)) == 1) {
		if (h->caplen < h->len) {
			pf->truncated++;
			continue;
		}
		if (h->caplen < ETH_HLEN) {
			pf->runt++;
			continue;
		}
		if (h->caplen > FRAME_MAX) {
			pf->oversize++;
			continue;
		}
		if (pf->n == PCAP_MAX_FRAMES)
			die("--pcap %s: more than %u frames: replay a part of it (editcap -r)",
			    path, PCAP_MAX_FRAMES);
		if (pf->n == cap) {
			uint32_t ncap = cap ? cap * 2 : 1024;
			uint8_t **nd = realloc(pf->data, ncap * sizeof(*nd));
			uint16_t *nl;

			if (nd == NULL)
				die("--pcap %s: out of memory", path);
			pf->data = nd;
			nl = realloc(pf->len, ncap * sizeof(*nl));
			if (nl == NULL)
				die("--pcap %s: out of memory", path);
			pf->len = nl;
			cap = ncap;
		}
		pf->data[pf->n] = malloc(h->caplen);
		if (pf->data[pf->n] == NULL)
			die("--pcap %s: out of memory", path);
		memcpy(pf->data[pf->n], d, h->caplen);
		if (pf->n == 0 || h->caplen > pf->len[pf->longest])
			pf->longest = pf->n;
		pf->len[pf->n++] = (uint16_t)h->caplen;
	}
	if (ret == PCAP_ERROR)
		die("--pcap %s: %s (after %u frames)", path, pcap_geterr(pc), pf->n);
	pcap_close(pc);
	if (pf->n == 0)
		die("--pcap %s: no frame to send (%" PRIu64 " cut short by the snap length, "
		    "%" PRIu64 " runts, %" PRIu64 " over %u bytes)", path, pf->truncated,
		    pf->runt, pf->oversize, FRAME_MAX);
}

/*
 * The client a replay rotates: the first frame's IPv4 source and TCP/UDP
 * source port. Each round of the file then gets the next (address, port)
 * for it (bpf/xdp_tx.bpf.c, rotate_client), so rounds are connections of
 * their own instead of the same one over and over.
 */
static void
pcap_client(struct blast_opts *o, const struct pcap_frames *pf)
{
	const uint8_t *f = pf->data[0];
	uint16_t type;

	if (pf->len[0] < ETH_HLEN + 20 + 8)
		die("--pcap %s: the first frame is too short to name the client that "
		    "--sport-range/--src-count rotate", o->pcap);
	memcpy(&type, f + 12, sizeof(type));
	if (ntohs(type) != ETH_P_IP || (f[ETH_HLEN] & 0x0f) != 5 ||
	    (f[ETH_HLEN + 9] != IPPROTO_TCP && f[ETH_HLEN + 9] != IPPROTO_UDP))
		die("--pcap %s: --sport-range/--src-count rotate the client of the first frame, "
		    "which must be IPv4 (no options) TCP or UDP", o->pcap);
	memcpy(&o->client_addr, f + ETH_HLEN + 12, sizeof(o->client_addr));
	memcpy(&o->client_port, f + ETH_HLEN + 20, sizeof(o->client_port));
	if ((uint64_t)ntohl(o->client_addr) + o->src_count - 1 > UINT32_MAX)
		die("--src-count %u: past 255.255.255.255 from the client", o->src_count);
}

/* the sender's addresses on every frame: the file's were another network's */
static void
pcap_set_macs(struct pcap_frames *pf, const struct blast_opts *o)
{
	uint32_t i;

	for (i = 0; i < pf->n; i++) {
		memcpy(pf->data[i], o->dmac, ETH_ALEN);
		memcpy(pf->data[i] + ETH_ALEN, o->smac, ETH_ALEN);
	}
}

static void
pcap_free(struct pcap_frames *pf)
{
	uint32_t i;

	for (i = 0; i < pf->n; i++)
		free(pf->data[i]);
	free(pf->data);
	free(pf->len);
}

/* ---- the interface ---- */

static void
iface_info(const struct blast_opts *o, uint8_t mac[ETH_ALEN])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die("%s: %s", o->ifname, strerror(errno));
	if (!(ifr.ifr_flags & IFF_UP))
		die("interface %s is down (ip link set %s up)", o->ifname,
		    o->ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("%s: no hardware address: %s", o->ifname, strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
}

/* the neighbour entry of --dst on IFACE, from /proc/net/arp */
static bool
neigh_mac(const struct blast_opts *o, uint8_t mac[ETH_ALEN])
{
	char line[256], ip[64], hw[64], dev[IFNAMSIZ + 1], want[INET_ADDRSTRLEN];
	unsigned int type, flags;
	bool found = false;
	FILE *f = fopen("/proc/net/arp", "re");

	if (!f)
		return false;
	inet_ntop(AF_INET, &o->dst, want, sizeof(want));
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s 0x%x 0x%x %63s %*s %16s", ip, &type, &flags,
			   hw, dev) != 5)
			continue;
		if (strcmp(ip, want) || strcmp(dev, o->ifname) || !(flags & 0x2))
			continue;
		found = sscanf(hw, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0],
			       &mac[1], &mac[2], &mac[3], &mac[4],
			       &mac[5]) == ETH_ALEN;
	}
	fclose(f);
	return found;
}

/*
 * The driver's own count of frames it took through ndo_xdp_xmit, and of
 * those it refused: veth calls them tx_queue_N_xdp_xmit[_errors]. Sums over
 * queues; false when the driver has no such statistics.
 */
static bool
xmit_stats(const char *ifname, uint64_t *xmit, uint64_t *errs)
{
	/* one set asked for, so one length follows the header */
	struct ethtool_sset_info *sset =
		calloc(1, sizeof(*sset) + sizeof(sset->data[0]));
	struct ethtool_gstrings *names = NULL;
	struct ethtool_stats *vals = NULL;
	struct ifreq ifr;
	bool any = false;
	uint32_t i, n;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	*xmit = *errs = 0;
	if (fd < 0 || !sset)
		goto out;
	sset->cmd = ETHTOOL_GSSET_INFO;
	sset->sset_mask = 1ULL << ETH_SS_STATS;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)sset;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0 || !sset->sset_mask)
		goto out;
	n = sset->data[0];
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	vals = calloc(1, sizeof(*vals) + (size_t)n * sizeof(uint64_t));
	if (!names || !vals)
		goto out;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = n;
	ifr.ifr_data = (void *)names;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		goto out;
	vals->cmd = ETHTOOL_GSTATS;
	vals->n_stats = n;
	ifr.ifr_data = (void *)vals;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		goto out;
	for (i = 0; i < n && i < names->len && i < vals->n_stats; i++) {
		char name[ETH_GSTRING_LEN + 1] = { 0 };
		size_t l;

		memcpy(name, names->data + (size_t)i * ETH_GSTRING_LEN,
		       ETH_GSTRING_LEN);
		if (strncmp(name, "tx_queue_", 9))
			continue;
		l = strlen(name);
		if (l > 9 && !strcmp(name + l - 9, "_xdp_xmit")) {
			*xmit += vals->data[i];
			any = true;
		} else if (l > 16 && !strcmp(name + l - 16, "_xdp_xmit_errors")) {
			*errs += vals->data[i];
		}
	}
out:
	free(sset);
	free(names);
	free(vals);
	if (fd >= 0)
		close(fd);
	return any;
}

/* ---- the program ---- */

/* CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN) in the effective set */
static void
check_privileges(void)
{
	unsigned long long eff = 0;
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return;	/* let the kernel answer */
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	fclose(f);
	if (found && (!(eff & 1ULL << 12) || !(eff & (1ULL << 39 | 1ULL << 21))))
		die("not enough privileges: run as root (needs CAP_BPF and "
		    "CAP_NET_ADMIN)");
}

static int
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static const char *
find_prog(const struct blast_opts *o, char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (o->prog) {
		if (access(o->prog, R_OK))
			die("--prog %s: %s", o->prog, strerror(errno));
		return o->prog;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		snprintf(buf, len, "%s/../../bpf/" PROG_FILE, dirname(exe));
		if (!access(buf, R_OK))
			return buf;
	}
	snprintf(buf, len, "%s/" PROG_FILE, HYP_BLAST_DATADIR);
	if (!access(buf, R_OK))
		return buf;
	die("cannot find " PROG_FILE " in ../../bpf/ from the binary nor in "
	    HYP_BLAST_DATADIR "; build it (ninja) or pass --prog FILE");
}

/* false when the object has no blast_cfg to set (a foreign --prog) */
static bool
set_cfg(struct bpf_object *obj, const struct blast_opts *o)
{
	/* a capture's frames go out as they are: no source port rewritten */
	struct blast_cfg cfg = {
		.sport_lo = o->sport_lo,
		.sport_n = o->pcap != NULL && !o->sport_set ? 0 :
			   (uint32_t)o->sport_hi - o->sport_lo + 1,
		.src_lo = ntohl(o->src.s_addr),
		.src_n = o->src_count,
		.client_addr = o->client_addr,
		.client_port = o->client_port,
		.frames_n = o->pcap != NULL ? o->pcap_frames : 0,
		.frames_repeat = o->pcap_repeat,
	};
	struct bpf_map *map;
	size_t l;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		l = strlen(name);
		if (bpf_map__is_internal(map) && l >= 7 &&
		    !strcmp(name + l - 7, ".rodata"))
			return !bpf_map__set_initial_value(map, &cfg, sizeof(cfg));
	}
	return false;
}

/* a capture's frames into the program's map, by position */
static void
fill_frames(const char *path, struct bpf_map *map, const struct pcap_frames *pf)
{
	static struct blast_frame f;	/* 1.5 KiB: not on the stack */
	uint32_t i;
	int err;

	for (i = 0; i < pf->n; i++) {
		memset(&f, 0, sizeof(f));
		f.len = pf->len[i];
		memcpy(f.data, pf->data[i], pf->len[i]);
		err = bpf_map__update_elem(map, &i, sizeof(i), &f, sizeof(f), BPF_ANY);
		if (err)
			die("%s: frame %u into blast_frames: %s", path, i, strerror(-err));
	}
}

static int
load_prog(const char *path, const struct blast_opts *o, const struct pcap_frames *pf,
	  struct bpf_object **objp)
{
	struct bpf_map *frames = NULL;
	struct bpf_object *obj;
	struct bpf_program *prog;
	int err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		die("%s: cannot open: %s", path, strerror(errno));
	prog = bpf_object__next_program(obj, NULL);
	if (!prog)
		die("%s: no program in the object", path);
	bpf_program__set_type(prog, BPF_PROG_TYPE_XDP);
	if (!set_cfg(obj, o)) {
		if (o->pcap != NULL)
			die("%s has no blast_cfg: it cannot replay a capture", path);
		if (o->sport_hi != o->sport_lo || o->src_count > 1)
			fprintf(stderr, "hyperion-blast: %s has no blast_cfg: every frame "
				"carries source port %u and the one source\n", path, o->sport_lo);
	}
	if (o->pcap != NULL) {
		frames = bpf_object__find_map_by_name(obj, "blast_frames");
		if (frames == NULL)
			die("%s has no blast_frames map: it cannot replay a capture", path);
		err = bpf_map__set_max_entries(frames, pf->n);
		if (err)
			die("%s: blast_frames of %u frames: %s", path, pf->n, strerror(-err));
	}
	err = bpf_object__load(obj);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			die("cannot load %s: %s: run as root (needs CAP_BPF and "
			    "CAP_NET_ADMIN)", path, strerror(-err));
		die("cannot load %s: %s", path, strerror(-err));
	}
	if (frames != NULL)
		fill_frames(path, frames, pf);
	*objp = obj;
	return bpf_program__fd(prog);
}

/* EINVAL on the first call: tell a kernel without live frames apart */
static void __attribute__((noreturn))
explain_einval(int prog_fd, const uint8_t *frame, size_t size)
{
	LIBBPF_OPTS(bpf_test_run_opts, plain,
		.data_in = frame,
		.data_size_in = size,
		.repeat = 1);

	if (!bpf_prog_test_run_opts(prog_fd, &plain))
		die("this kernel has no BPF_F_TEST_XDP_LIVE_FRAMES for "
		    "BPF_PROG_RUN (needs Linux >= 5.18): cannot send");
	die("the kernel refused the live-frames run (EINVAL): frame size, "
	    "batch or interface not accepted");
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the packet engine ---- */

/*
 * What the program makes of the frame repeats: a template's copies go
 * round ports x addresses, a capture's round its frames (and, rotating its
 * client, the clients too). Up to these bounds the packet engine runs the
 * program once per copy of a period, up front, and sends from that cache:
 * the same frames in the same order, without a BPF_PROG_RUN each.
 */
#define CACHE_FRAMES_MAX	(1U << 18)
#define CACHE_BYTES_MAX		(32U << 20)

struct pkt_tx {
	int fd;
	unsigned int batch;
	uint8_t (*buf)[FRAME_MAX];
	struct iovec *iov;
	struct mmsghdr *msg;
	uint64_t aborted;		/* frames the program would not send */
	uint64_t waits;			/* sendmmsg told to wait (ENOBUFS) */
	/* the period's frames, when it is cached: cache + c_off[i], c_len[i] bytes */
	uint8_t *cache;
	uint32_t *c_off;
	uint16_t *c_len;		/* 0: the program would not send it */
	uint32_t c_n, c_pos;
};

static void
pkt_open(struct pkt_tx *t, int ifindex, unsigned int batch)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
	};
	int one = 1, sndbuf = 4 << 20;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->batch = batch;
	/* protocol 0: a send-only socket, nothing received is queued on it */
	t->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		die("AF_PACKET socket: %s", strerror(errno));
	if (bind(t->fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("AF_PACKET bind to ifindex %d: %s", ifindex, strerror(errno));
	/* past the qdisc, as ndo_xdp_xmit is: the driver drops what it cannot take */
	if (setsockopt(t->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		fprintf(stderr, "hyperion-blast: PACKET_QDISC_BYPASS: %s: through the qdisc\n",
			strerror(errno));
	if (setsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)))
		die("SO_SNDBUF: %s", strerror(errno));
	t->buf = calloc(batch, sizeof(*t->buf));
	t->iov = calloc(batch, sizeof(*t->iov));
	t->msg = calloc(batch, sizeof(*t->msg));
	if (!t->buf || !t->iov || !t->msg)
		die("packet engine: out of memory for a batch of %u", batch);
	for (i = 0; i < batch; i++) {
		t->msg[i].msg_hdr.msg_iov = &t->iov[i];
		t->msg[i].msg_hdr.msg_iovlen = 1;
	}
}

static void
pkt_close(struct pkt_tx *t)
{
	if (t->fd >= 0)
		close(t->fd);
	free(t->buf);
	free(t->iov);
	free(t->msg);
	free(t->cache);
	free(t->c_off);
	free(t->c_len);
}

/* p x f, or CACHE_FRAMES_MAX + 1 once past it: every factor fits 32 bits */
static uint64_t
period_mul(uint64_t p, uint64_t f)
{
	p *= f;
	return p > CACHE_FRAMES_MAX ? CACHE_FRAMES_MAX + 1 : p;
}

/* copies before the program's output repeats (see CACHE_FRAMES_MAX), 0 if past it */
static uint64_t
pkt_period(const struct blast_opts *o)
{
	uint64_t np = o->pcap != NULL && !o->sport_set ? 1 :
		      (uint64_t)o->sport_hi - o->sport_lo + 1;
	uint64_t p = period_mul(np, o->src_count);

	if (o->mix_share > 0)
		return 0;	/* two inputs share one count: no single period */
	if (o->pcap != NULL) {
		/* a file of 65,536 frames x 65,536 copies x 2^40 clients is past 2^64 */
		if (np == 1 && o->src_count == 1)
			p = 1;
		p = period_mul(period_mul(p, o->pcap_frames), o->pcap_repeat);
	}
	return p <= CACHE_FRAMES_MAX ? p : 0;
}

/*
 * One copy as the live run would make it: the program rewrites the frame
 * into out, fl bytes of room (its counters persist between runs, as in live
 * mode). Its length, 0 if the program would not send it (or made it longer
 * than its input: the kernel then says ENOSPC), or libbpf's -errno.
 */
static int
pkt_rewrite(int prog_fd, const uint8_t *fr, uint32_t fl, uint8_t *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, run,
		.data_in = fr,
		.data_size_in = fl,
		.data_out = out,
		.data_size_out = fl,
		.repeat = 1);
	int err = bpf_prog_test_run_opts(prog_fd, &run);

	if (err == -ENOSPC)
		return 0;
	if (err)
		return err;
	/* a capture's frames only shrink from the longest one, the input */
	return run.retval == XDP_TX && run.data_size_out <= fl ? (int)run.data_size_out : 0;
}

/*
 * The period's frames, the program run on each copy in turn as it would be
 * while sending; false (nothing cached) when they would not fit.
 */
static bool
pkt_cache(struct pkt_tx *t, int prog_fd, const uint8_t *fr, uint32_t fl, uint32_t n)
{
	uint64_t off = 0;
	uint32_t i;
	int len;

	if ((uint64_t)n * fl > CACHE_BYTES_MAX)
		return false;
	/* each copy is written in place, at most fl bytes: the input's length */
	t->cache = malloc((size_t)n * fl);
	t->c_off = calloc(n, sizeof(*t->c_off));
	t->c_len = calloc(n, sizeof(*t->c_len));
	if (!t->cache || !t->c_off || !t->c_len)
		die("packet engine: out of memory for %u frames", n);
	for (i = 0; i < n; i++) {
		len = pkt_rewrite(prog_fd, fr, fl, t->cache + off);
		if (len < 0)
			die("packet engine: BPF_PROG_RUN: %s", strerror(-len));
		t->c_off[i] = (uint32_t)off;
		t->c_len[i] = (uint16_t)len;
		off += (unsigned int)len;
	}
	t->c_n = n;
	return true;
}

/* the frames in 0..n out, every one; 0 or -errno */
static int
pkt_flush(struct pkt_tx *t, unsigned int n)
{
	unsigned int off = 0;
	int rc;

	while (off < n) {
		rc = sendmmsg(t->fd, t->msg + off, n - off, 0);
		if (rc > 0) {
			off += (unsigned int)rc;
			continue;
		}
		if (rc < 0 && errno == EINTR && stop)
			return -EINTR;
		if (rc < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)) {
			/* the send buffer is full of skbs the driver still holds */
			struct timespec d = { 0, 20000 };

			t->waits++;
			nanosleep(&d, NULL);
			continue;
		}
		return rc < 0 ? -errno : -EIO;
	}
	return 0;
}

/*
 * n copies of the frame, as the live run would make them (from the cache,
 * or pkt_rewrite() each), sent. 0 or -errno; frames the program would not
 * send are counted, not retried.
 */
static int
pkt_send(struct pkt_tx *t, int prog_fd, const uint8_t *fr, uint32_t fl, uint32_t n)
{
	unsigned int k, i, m;
	int err;

	while (n > 0) {
		if (stop)
			return -EINTR;
		k = n < t->batch ? n : t->batch;
		for (i = 0, m = 0; i < k && t->c_n != 0; i++) {
			uint32_t c = t->c_pos;

			t->c_pos = c + 1 == t->c_n ? 0 : c + 1;
			if (t->c_len[c] == 0) {
				t->aborted++;
				continue;
			}
			t->iov[m].iov_base = t->cache + t->c_off[c];
			t->iov[m].iov_len = t->c_len[c];
			m++;
		}
		for (i = t->c_n != 0 ? k : 0; i < k; i++) {
			err = pkt_rewrite(prog_fd, fr, fl, t->buf[m]);
			if (err < 0)
				return err;
			if (err == 0) {
				t->aborted++;
				continue;
			}
			t->iov[m].iov_base = t->buf[m];
			t->iov[m].iov_len = (size_t)err;
			m++;
		}
		err = pkt_flush(t, m);
		if (err)
			return err;
		n -= k;
	}
	return 0;
}

/* the socket, and the period's frames when they can be cached */
static void
pkt_start(struct pkt_tx *t, const struct blast_opts *o, int ifindex, int prog_fd,
	  const uint8_t *fr, uint32_t fl)
{
	uint64_t period = pkt_period(o);

	pkt_open(t, ifindex, o->batch);
	if (period != 0 && !pkt_cache(t, prog_fd, fr, fl, (uint32_t)period))
		period = 0;
	fprintf(stderr, "hyperion-blast: packet engine: %s\n", period != 0 ?
		"the program's period of frames cached, sent from there" :
		"the program run on every frame");
}

/* the live run refused for good (not a signal): may the packet engine try? */
static bool
live_refused(int err, bool first)
{
	return first && (err == EPERM || err == EACCES || err == EOPNOTSUPP || err == EINVAL);
}

int
main(int argc, char **argv)
{
	struct blast_opts o;
	struct pcap_frames pf = { 0 };
	struct pkt_tx pkt = { .fd = -1 };
	struct bpf_object *obj = NULL;
	struct sigaction sa;
	char pathbuf[PATH_MAX + 64];
	uint8_t frame[FRAME_MAX], mix[FRAME_MAX], ifmac[ETH_ALEN];
	uint64_t sent = 0, mixed = 0, x0 = 0, e0 = 0, x1, e1;
	uint32_t repeat = REPEAT_FIRST;
	const char *path;
	double t0, t1, deadline;
	bool have_stats;
	int prog_fd, ifindex, err;

	parse_args(argc, argv, &o);
	if (o.pcap != NULL) {
		pcap_load(o.pcap, &pf);
		if (o.sport_set || o.src_count > 1)
			pcap_client(&o, &pf);
	}
	check_privileges();

	ifindex = (int)if_nametoindex(o.ifname);
	if (!ifindex)
		die("interface %s not found in this network namespace",
		    o.ifname);
	iface_info(&o, ifmac);
	if (!o.smac_set)
		memcpy(o.smac, ifmac, ETH_ALEN);
	if (!o.dmac_set && !neigh_mac(&o, o.dmac)) {
		memset(o.dmac, 0xff, ETH_ALEN);
		fprintf(stderr, "hyperion-blast: no neighbour entry for --dst "
			"on %s: sending to ff:ff:ff:ff:ff:ff (use --dmac)\n",
			o.ifname);
	}

	libbpf_set_print(libbpf_print);
	path = find_prog(&o, pathbuf, sizeof(pathbuf));
	if (o.pcap != NULL) {
		o.pcap_frames = pf.n;
		pcap_set_macs(&pf, &o);
	}
	prog_fd = load_prog(path, &o, &pf, &obj);

	build_frame(frame, &o);
	set_sport(frame, o.size, o.sport_lo);

	if (o.mix_share > 0) {
		static struct blast_opts mo;	/* three frames' worth: not on the stack */

		mo = o;
		if (o.mix_src_set)
			mo.src = o.mix_src;
		if (o.mix_payload_len > 0) {
			memcpy(mo.payload, o.mix_payload, o.mix_payload_len);
			mo.payload_len = o.mix_payload_len;
		}
		build_frame(mix, &mo);
		set_sport(mix, o.size, o.sport_lo);
	}
	if (o.rate > 0)
		repeat = (uint32_t)(o.rate * CALL_SECONDS < 1 ? 1 : o.rate * CALL_SECONDS);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (o.engine == ENGINE_PACKET)
		pkt_start(&pkt, &o, ifindex, prog_fd, o.pcap != NULL ? pf.data[pf.longest] : frame,
			  o.pcap != NULL ? pf.len[pf.longest] : o.size);
	have_stats = o.engine != ENGINE_PACKET && xmit_stats(o.ifname, &x0, &e0);
	t0 = now();
	deadline = o.seconds > 0 ? t0 + o.seconds : 0;
	while (!stop) {
		/* a capture: its longest frame, the program makes each copy the next one */
		const uint8_t *fr = o.pcap != NULL ? pf.data[pf.longest] : frame;
		uint32_t fl = o.pcap != NULL ? pf.len[pf.longest] : o.size;
		struct xdp_md ctx = {
			.data_end = fl,
			.ingress_ifindex = ifindex,
		};
		LIBBPF_OPTS(bpf_test_run_opts, run,
			.data_in = fr,
			.data_size_in = fl,
			.ctx_in = &ctx,
			.ctx_size_in = sizeof(ctx),
			.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			.batch_size = o.batch);
		double tc = now(), te;
		bool use_mix;

		if (o.packets && o.packets - sent < repeat)
			repeat = (uint32_t)(o.packets - sent);
		/* a call is one frame's copies: the share is kept call by call */
		use_mix = o.mix_share > 0 &&
			  (double)mixed + repeat / 2.0 <= o.mix_share * (double)(sent + repeat);
		if (use_mix)
			run.data_in = mix;
		run.repeat = repeat;
		if (o.engine == ENGINE_PACKET) {
			err = pkt_send(&pkt, prog_fd, run.data_in, fl, repeat);
			if (err == -EINTR)
				break;	/* a signal: this call's count is unknown */
			if (err)
				die("packet engine: %s", strerror(-err));
		} else if ((err = bpf_prog_test_run_opts(prog_fd, &run))) {
			err = -err;
			if (err == EINTR)
				break;	/* a signal: this call's count is unknown */
			if (o.engine == ENGINE_AUTO && live_refused(err, !sent)) {
				/* nothing was sent: this call again, by the packet engine */
				fprintf(stderr, "hyperion-blast: this kernel refused live frames "
					"(BPF_PROG_RUN: %s): the packet engine sends instead "
					"(AF_PACKET; slower)\n", strerror(err));
				o.engine = ENGINE_PACKET;
				pkt_start(&pkt, &o, ifindex, prog_fd, fr, fl);
				have_stats = false;
				t0 = now();
				deadline = o.seconds > 0 ? t0 + o.seconds : 0;
				continue;
			}
			if (err == EINVAL && !sent)
				explain_einval(prog_fd, fr, fl);
			if (err == EPERM || err == EACCES)
				die("BPF_PROG_RUN: %s: live frames refused (root is needed; where "
				    "the kernel refuses even root, --engine packet)", strerror(err));
			die("BPF_PROG_RUN: %s", strerror(err));
		}
		sent += repeat;
		mixed += use_mix ? repeat : 0;
		if (o.packets && sent >= o.packets)
			break;
		te = now();
		if (deadline && te >= deadline)
			break;
		if (o.rate > 0) {
			/*
			 * Paced: calls of CALL_SECONDS of frames (a call costs the
			 * kernel a dispatcher update, milliseconds here), each
			 * sent when the rate allows it; below the kernel's rate the
			 * offered rate is this one, measured as the others are.
			 */
			double due = t0 + sent / o.rate;

			repeat = (uint32_t)(o.rate * CALL_SECONDS < 1 ? 1 : o.rate * CALL_SECONDS);
			while (!stop && (te = now()) < due && (!deadline || te < deadline)) {
				/* at most 0.1 s a sleep: tv_nsec stays below a second */
				struct timespec d = { 0, (long)((due - te > 0.1 ? 0.1 : due - te) * 1e9) };

				nanosleep(&d, NULL);
			}
			if (deadline && te >= deadline)
				break;
			continue;
		}
		/* size the next call to CALL_SECONDS, or to what time is left */
		if (te > tc) {
			double rate = repeat / (te - tc), want = rate * CALL_SECONDS;

			if (deadline && rate * (deadline - te) < want)
				want = rate * (deadline - te);
			repeat = want < o.batch ? o.batch :
				 want > REPEAT_MAX ? REPEAT_MAX : (uint32_t)want;
		}
	}
	t1 = now();
	bpf_object__close(obj);
	if (o.engine != ENGINE_PACKET)
		o.engine = ENGINE_XDP;

	if (have_stats && xmit_stats(o.ifname, &x1, &e1))
		fprintf(stderr, "hyperion-blast: %s driver: xdp_xmit %" PRIu64
			", xdp_xmit_errors %" PRIu64 "%s\n", o.ifname, x1 - x0,
			e1 - e0, x1 - x0 ? "" :
			" (nothing transmitted: on veth the peer needs an XDP "
			"program or GRO on)");
	printf("{\"sent\": %" PRIu64 ", \"mixed\": %" PRIu64 ", \"seconds\": %.3f, \"pps\": %.0f"
	       ", \"engine\": \"%s\"",
	       sent, mixed, t1 - t0, t1 > t0 ? sent / (t1 - t0) : 0.0,
	       o.engine == ENGINE_PACKET ? "packet" : "xdp");
	if (o.engine == ENGINE_PACKET) {
		printf(", \"aborted\": %" PRIu64 ", \"waits\": %" PRIu64, pkt.aborted, pkt.waits);
		pkt_close(&pkt);
	}
	if (o.pcap != NULL)
		printf(", \"frames\": %u, \"skipped\": %" PRIu64 ", \"truncated\": %" PRIu64
		       ", \"runts\": %" PRIu64 ", \"oversize\": %" PRIu64, pf.n,
		       pf.truncated + pf.runt + pf.oversize, pf.truncated, pf.runt, pf.oversize);
	printf("}\n");
	pcap_free(&pf);
	return 0;
}
