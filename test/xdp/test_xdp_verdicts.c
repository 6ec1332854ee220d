/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table-driven tests of the XDP program through BPF_PROG_TEST_RUN: no
 * traffic, no attached interface. Each case is a description, the map state
 * it needs, and steps: a frame built field by field (then broken on purpose
 * where the case is about a malformed frame), the expected return code and
 * the one reason counter that must move. Every other reason counter must
 * stay put, so a packet counted twice or under the wrong reason fails.
 *
 * The test runs in a network namespace of its own, with a veth of four
 * queues and AF_XDP sockets on queues 0 and 3, so rx_queue_index and the
 * xsks_map lookups are real. The veth's other end is the IPS cases' peer:
 * test_run returns XDP_REDIRECT for a devmap entry that exists, and that
 * (with the reason) is what they check; nothing is transmitted.
 *
 * Output is TAP. Exit 77 (skip) without the privileges to load BPF.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <xdp/xsk.h>

#include "hyp_xdp.h"
#include "tap.h"
#include "test_xdp.h"
#include "pkt_build.h"

#define VETH "hypt0"
#define VETH_PEER "hypt1"
#define NQUEUES 4
#define MAX_STEPS 8

struct step {
	struct pkt_spec pkt;
	void (*mutate)(struct frame *f);	/* break a field */
	int cut_l4;		/* >0: keep this many L4 bytes, fix IP lengths */
	uint32_t rx_queue;
	unsigned int sleep_ms;	/* before this step */
	/*
	 * >0: the verdict depends on time, and holds only if this step is over
	 * within by_ms of the case's start (just before its setup). A step that
	 * runs later (a stalled machine, a sanitizer) voids the case: it is
	 * skipped, saying so, never passed or failed on a verdict that was
	 * timing's, not the program's.
	 */
	unsigned int by_ms;
	int want_ret;
	enum hyp_reason want_reason;
};

struct tcase;
typedef int (*setup_fn)(struct hyp_xdp *x);
typedef int (*check_fn)(struct hyp_xdp *x, const uint64_t aux_delta[HYP_AUX_MAX]);

struct tcase {
	const char *name;
	setup_fn setup;
	check_fn check;
	struct step steps[MAX_STEPS];
};

static int ifindex;
static int peer_ifindex;
static char fail_msg[4096];
static size_t fail_len;

static void
failf(const char *fmt, ...)
{
	va_list ap;

	if (fail_len >= sizeof(fail_msg) - 2)
		return;
	va_start(ap, fmt);
	fail_len += vsnprintf(fail_msg + fail_len, sizeof(fail_msg) - fail_len,
			      fmt, ap);
	va_end(ap);
	if (fail_len < sizeof(fail_msg) - 1)
		fail_msg[fail_len++] = '\n';
	fail_msg[fail_len] = '\0';
}

#define EXPECT(cond, ...) do { if (!(cond)) { failf(__VA_ARGS__); return -1; } } while (0)

static const char *
act_name(int a)
{
	static const char *const n[] = { "ABORTED", "DROP", "PASS", "TX", "REDIRECT" };

	return a >= 0 && a <= 4 ? n[a] : "?";
}

/* ---- map state helpers, every one checked ------------------------------ */

static int
delete_one(const void *key, const void *value, void *arg)
{
	/* the walk then goes on from the first key: hash and trie maps alike */
	return bpf_map_delete_elem(*(int *)arg, key) < 0 ? -errno : 0;
}

static int
clear_map(struct hyp_xdp *x, enum hyp_map_id id)
{
	int fd = hyp_xdp_map_fd(x, id);

	return hyp_xdp_map_walk(x, id, false, delete_one, &fd);
}

static int
reset_state(struct hyp_xdp *x)
{
	static const enum hyp_map_id m[] = {
		HYP_MAP_ID_BLOCK_SRC_V4, HYP_MAP_ID_BLOCK_DST_V4, HYP_MAP_ID_BLOCK_SRC_V6,
		HYP_MAP_ID_BLOCK_DST_V6, HYP_MAP_ID_RL_RULES_V4, HYP_MAP_ID_RL_RULES_V6,
		HYP_MAP_ID_AUTOBLOCK, HYP_MAP_ID_RL_STATE, HYP_MAP_ID_REDIRECT_PORTS,
		HYP_MAP_ID_FLOW, HYP_MAP_ID_PASS_ETHERTYPES,
	};
	unsigned int i;
	int ret;

	for (i = 0; i < DIM(m); i++) {
		ret = clear_map(x, m[i]);
		if (ret < 0)
			return ret;
	}
	ret = hyp_xdp_config_defaults(x);
	if (ret == 0)	/* the tests ask for events where they check them */
		ret = hyp_xdp_config_set(x, HYP_CFG_EVENT_SAMPLE, 0);
	if (ret == 0)	/* maps are empty again: every case sets its own bits */
		ret = hyp_xdp_config_set(x, HYP_CFG_MAPS_IN_USE, 0);
	if (ret == 0)	/* the defaults leave the deployment mode alone */
		ret = hyp_xdp_config_set(x, HYP_CFG_IPS, HYP_IPS_OFF);
	if (ret == 0)
		ret = hyp_xdp_set_peer(x, 0);
	return ret;
}

static int
block(struct hyp_xdp *x, const char *cidr, bool dst, uint32_t id)
{
	struct hyp_cidr c;
	int ret = hyp_cidr_parse(cidr, &c, NULL, 0);

	return ret < 0 ? ret : hyp_xdp_block_add(x, &c, dst, id);
}

static int
rl(struct hyp_xdp *x, const char *cidr, uint32_t pps, uint32_t burst)
{
	struct hyp_cidr c;
	int ret = hyp_cidr_parse(cidr, &c, NULL, 0);

	return ret < 0 ? ret : hyp_xdp_ratelimit_add(x, &c, pps, burst, 7, HYP_RL_SCOPE_ADDRESS,
						   HYP_RL_IPV6_MASK_DEFAULT);
}

static int
rl_scoped(struct hyp_xdp *x, const char *cidr, uint32_t burst, enum hyp_rl_scope scope,
	  unsigned int mask)
{
	struct hyp_cidr c;
	int ret = hyp_cidr_parse(cidr, &c, NULL, 0);

	return ret < 0 ? ret : hyp_xdp_ratelimit_add(x, &c, 2, burst, 8, scope, mask);
}

static int
autoblock(struct hyp_xdp *x, const char *ip, uint64_t ttl_ms)
{
	struct hyp_cidr c;
	struct hyp_addr a;
	struct hyp_src_key k;
	int ret = hyp_cidr_parse(ip, &c, NULL, 0);

	if (ret < 0)
		return ret;
	hyp_cidr_to_addr(&c, &a);
	/* an IPv6 address written ::ffff:a.b.c.d parses as AF_INET6: family 6 */
	k = hyp_src_key_host(c.family == AF_INET ? 4 : 6, a.a);
	return hyp_xdp_autoblock_add(x, &k, ttl_ms * 1000000ULL);
}

static int
dns_redirect(struct hyp_xdp *x)
{
	return hyp_xdp_redirect_port_add(x, IPPROTO_UDP, 53, 0);
}

/* ---- mutators: one broken field each ----------------------------------- */

static void set16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static uint16_t get16(const uint8_t *p) { return (p[0] << 8) | p[1]; }

static void mut_ip4_version5(struct frame *f) { f->b[f->l3] = 0x55; }
static void mut_ip4_ihl4(struct frame *f) { f->b[f->l3] = 0x44; }
static void mut_ip4_ihl15(struct frame *f) { f->b[f->l3] = 0x4f; }
static void mut_ip4_totlen_big(struct frame *f)
{
	set16(f->b + f->l3 + 2, f->len - f->l3 + 1);
}
static void mut_ip4_totlen_small(struct frame *f) { set16(f->b + f->l3 + 2, 19); }
static void mut_pad60(struct frame *f)
{
	while (f->len < 60)
		f->b[f->len++] = 0;
}
static void mut_tcp_doff4(struct frame *f) { f->b[f->l4 + 12] = 0x40; }
static void mut_tcp_doff15(struct frame *f) { f->b[f->l4 + 12] = 0xf0; }
static void mut_udp_len7(struct frame *f) { set16(f->b + f->l4 + 4, 7); }
static void mut_udp_len_big(struct frame *f)
{
	set16(f->b + f->l4 + 4, get16(f->b + f->l4 + 4) + 1);
}
static void mut_ip6_version4(struct frame *f) { f->b[f->l3] = 0x40; }
static void mut_ip6_plen_big(struct frame *f)
{
	set16(f->b + f->l3 + 4, get16(f->b + f->l3 + 4) + 1);
}
/* keep 4 bytes of the first extension header, and say so in the header */
static void mut_ip6_cut_ext(struct frame *f)
{
	f->len = f->l3 + 44;
	set16(f->b + f->l3 + 4, 4);
}
static void mut_eth_only10(struct frame *f) { f->len = 10; }
static void mut_vlan_cut(struct frame *f) { f->len = 16; }	/* TPID + TCI only */
static void mut_ip4_cut10(struct frame *f) { f->len = f->l3 + 10; }
static void mut_ip6_cut20(struct frame *f) { f->len = f->l3 + 20; }

/* Keep n L4 bytes and make the IP header agree, so only L4 is short. */
static void
cut_l4(struct frame *f, int n)
{
	f->len = f->l4 + n;
	if ((f->b[f->l3] >> 4) == 4) {
		set16(f->b + f->l3 + 2, f->len - f->l3);
		pkt_ip4_csum(f);
	} else {
		set16(f->b + f->l3 + 4, f->len - f->l3 - 40);
	}
}

/* ---- extra checks after the steps --------------------------------------- */

static int
hits_of(struct hyp_xdp *x, const char *cidr, bool dst, uint64_t *hits)
{
	struct hyp_block_val v;
	struct hyp_cidr c;
	int ret = hyp_cidr_parse(cidr, &c, NULL, 0);

	if (ret == 0)
		ret = hyp_xdp_block_get(x, &c, dst, &v);
	*hits = ret == 0 ? v.hits : UINT64_MAX;
	return ret;
}

static int
chk_lpm_longest(struct hyp_xdp *x, const uint64_t *aux)
{
	uint64_t h16, h24;

	EXPECT(hits_of(x, "192.0.2.0/24", false, &h24) == 0, "lookup of /24 failed");
	EXPECT(hits_of(x, "192.0.0.0/16", false, &h16) == 0, "lookup of /16 failed");
	EXPECT(h24 == 1, "hits on 192.0.2.0/24: got %lu want 1", h24);
	EXPECT(h16 == 0, "hits on 192.0.0.0/16: got %lu want 0 (longest prefix must win)", h16);
	return 0;
}

static int
chk_hits_32(struct hyp_xdp *x, const uint64_t *aux)
{
	uint64_t h;

	EXPECT(hits_of(x, "192.0.2.1/32", false, &h) == 0, "lookup of /32 failed");
	EXPECT(h == 1, "hits on 192.0.2.1/32: got %lu want 1", h);
	return 0;
}

static int
chk_autoblock_expired(struct hyp_xdp *x, const uint64_t *aux)
{
	EXPECT(aux[HYP_AUX_AUTOBLOCK_EXPIRED] == 1,
	       "aux autoblock_expired delta: got %lu want 1", aux[HYP_AUX_AUTOBLOCK_EXPIRED]);
	return 0;
}

struct flow_seen {
	int count;
	struct hyp_flow_val *last;
};

static int
flow_one(const struct hyp_flow_key *k, const struct hyp_flow_val *v, void *arg)
{
	struct flow_seen *f = arg;

	*f->last = *v;
	f->count++;
	return 0;
}

static int
flow_count(struct hyp_xdp *x, struct hyp_flow_val *last)
{
	struct flow_seen f = { 0, last };

	return hyp_xdp_flow_foreach(x, flow_one, &f) == 0 ? f.count : -1;
}

static int
chk_flow_two(struct hyp_xdp *x, const uint64_t *aux)
{
	struct hyp_flow_val v;
	int n = flow_count(x, &v);

	EXPECT(n == 1, "flow_map entries: got %d want 1", n);
	EXPECT(v.packets == 2, "flow packets: got %llu want 2", (unsigned long long)v.packets);
	EXPECT(v.bytes == 2 * 60, "flow bytes: got %llu want 120", (unsigned long long)v.bytes);
	EXPECT(v.first_seen != 0 && v.last_seen >= v.first_seen,
	       "flow timestamps: first %llu last %llu", (unsigned long long)v.first_seen,
	       (unsigned long long)v.last_seen);
	return 0;
}

static int
chk_flow_none(struct hyp_xdp *x, const uint64_t *aux)
{
	struct hyp_flow_val v;
	int n = flow_count(x, &v);

	EXPECT(n == 0, "flow_map entries with tracking off: got %d want 0", n);
	return 0;
}

static struct hyp_event last_event;
static int n_events;

static int
on_event(void *ctx, void *data, size_t size)
{
	if (size >= sizeof(last_event))
		memcpy(&last_event, data, sizeof(last_event));
	n_events++;
	return 0;
}

static int
consume_events(struct hyp_xdp *x)
{
	struct ring_buffer *rb;
	int ret;

	n_events = 0;
	rb = ring_buffer__new(hyp_xdp_map_fd(x, HYP_MAP_ID_EVENTS), on_event, NULL, NULL);
	if (rb == NULL)
		return -errno;
	ret = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return ret < 0 ? ret : n_events;
}

static int
chk_event(struct hyp_xdp *x, const uint64_t *aux)
{
	static const uint8_t src[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 };
	int n = consume_events(x);

	EXPECT(n == 1, "events in the ring: got %d want 1", n);
	EXPECT(aux[HYP_AUX_EVENTS_SENT] == 1, "aux events_sent delta: got %lu want 1",
	       aux[HYP_AUX_EVENTS_SENT]);
	EXPECT(last_event.reason == HYP_R_BLOCK_SRC, "event reason: got %s want blocklist_src",
	       hyp_reason_name(last_event.reason));
	EXPECT(last_event.action == HYP_XDP_DROP, "event action: got %u", last_event.action);
	EXPECT(memcmp(last_event.src.a, src, 16) == 0, "event src is not ::ffff:192.0.2.1");
	EXPECT(last_event.family == 4 && last_event.proto == IPPROTO_UDP,
	       "event family/proto: got %u/%u", last_event.family, last_event.proto);
	EXPECT(ntohs(last_event.dport) == 9999, "event dport: got %u", ntohs(last_event.dport));
	EXPECT(last_event.ifindex == (uint32_t)ifindex, "event ifindex: got %u want %d",
	       last_event.ifindex, ifindex);
	EXPECT(last_event.rx_queue == 3, "event rx_queue: got %u want 3", last_event.rx_queue);
	return 0;
}

static int
chk_no_event(struct hyp_xdp *x, const uint64_t *aux)
{
	int n = consume_events(x);

	EXPECT(n == 0, "events with sampling off: got %d want 0", n);
	return 0;
}

/* ---- setups -------------------------------------------------------------- */

static int su_malformed_pass(struct hyp_xdp *x)
{
	return hyp_xdp_config_set(x, HYP_CFG_MALFORMED_ACTION, HYP_XDP_PASS);
}
static int su_blk_32(struct hyp_xdp *x) { return block(x, "192.0.2.1/32", false, 1); }
static int su_blk_24(struct hyp_xdp *x) { return block(x, "192.0.2.0/24", false, 1); }
static int su_blk_0(struct hyp_xdp *x) { return block(x, "0.0.0.0/0", false, 1); }
static int su_blk_16_24(struct hyp_xdp *x)
{
	return block(x, "192.0.0.0/16", false, 1) ?: block(x, "192.0.2.0/24", false, 2);
}
static int su_blk_dst(struct hyp_xdp *x) { return block(x, "203.0.113.0/24", true, 3); }
static int su_blk6_128(struct hyp_xdp *x) { return block(x, "2001:db8:bad::1/128", false, 4); }
static int su_blk6_32(struct hyp_xdp *x) { return block(x, "2001:db8::/32", false, 5); }
static int su_blk6_0(struct hyp_xdp *x) { return block(x, "::/0", false, 6); }
static int su_blk6_dst(struct hyp_xdp *x) { return block(x, "2001:db8:2::/64", true, 7); }
static int su_blk_and_dns(struct hyp_xdp *x) { return su_blk_32(x) ?: dns_redirect(x); }
static int su_blk_event(struct hyp_xdp *x)
{
	return su_blk_32(x) ?: hyp_xdp_config_set(x, HYP_CFG_EVENT_SAMPLE, 1);
}
/* an hour: longer than any case, and a block must expire */
static int su_ab(struct hyp_xdp *x) { return autoblock(x, "198.51.100.7", 3600000); }
static int su_ab6m(struct hyp_xdp *x) { return autoblock(x, "::ffff:198.51.100.7", 3600000); }
static int su_ab_malformed_pass(struct hyp_xdp *x) { return su_ab(x) ?: su_malformed_pass(x); }
#define AB_TTL_MS 300
static int su_ab_ttl(struct hyp_xdp *x) { return autoblock(x, "198.51.100.7", AB_TTL_MS); }
static int su_ab6(struct hyp_xdp *x) { return autoblock(x, "2001:db8:bad::7", 3600000); }
static int su_ab_del(struct hyp_xdp *x)
{
	struct hyp_cidr c;
	struct hyp_addr a;
	struct hyp_src_key k;
	int ret = su_ab(x);

	if (ret == 0)
		ret = hyp_cidr_parse("198.51.100.7", &c, NULL, 0);
	if (ret == 0) {
		hyp_cidr_to_addr(&c, &a);
		k = hyp_src_key_host(4, a.a);
		ret = hyp_xdp_autoblock_del(x, &k);
	}
	return ret;
}
/*
 * 2 pps: one packet per 500 ms. However large the burst, the packet after
 * a back-to-back burst is dropped only if it comes within one interval of
 * the first: that is each drop step's by_ms.
 */
#define RL_PPS		2
#define RL_IV_MS	(1000 / RL_PPS)
static int su_rl_default(struct hyp_xdp *x) { return hyp_xdp_ratelimit_default(x, RL_PPS, 3); }
static int su_rl_24(struct hyp_xdp *x) { return rl(x, "198.18.5.0/24", RL_PPS, 2); }
static int su_rl_exempt(struct hyp_xdp *x)
{
	return rl(x, "198.18.0.0/16", RL_PPS, 1) ?: rl(x, "198.18.7.0/24", 0, 0);
}
static int su_rl6(struct hyp_xdp *x) { return rl(x, "2001:db8:1::/48", RL_PPS, 1); }
static int su_rl_prefix(struct hyp_xdp *x)
{
	return rl_scoped(x, "198.18.5.0/24", 2, HYP_RL_SCOPE_PREFIX, 64);
}
static int su_rl6_mask128(struct hyp_xdp *x)
{
	return rl_scoped(x, "2001:db8:1::/48", 1, HYP_RL_SCOPE_ADDRESS, 128);
}
static int
chk_rl_two_buckets(struct hyp_xdp *x, const uint64_t *aux)
{
	EXPECT(aux[HYP_AUX_RL_INSERTED] == 2, "aux ratelimit_inserted delta: got %lu want 2",
	       aux[HYP_AUX_RL_INSERTED]);
	return 0;
}
static int su_blk_malformed_pass(struct hyp_xdp *x) { return su_blk_32(x) ?: su_malformed_pass(x); }
static int su_dns_malformed_pass(struct hyp_xdp *x) { return dns_redirect(x) ?: su_malformed_pass(x); }
static int su_all_malformed_pass(struct hyp_xdp *x)
{
	return hyp_xdp_config_set(x, HYP_CFG_REDIRECT_ALL, 1) ?: su_malformed_pass(x);
}
/* a fresh budget: the array keeps a queue's last arrival time across cases */
static int
budget(struct hyp_xdp *x, int closed)
{
	struct hyp_rl_state zero = { 0 };
	uint32_t q;

	for (q = 0; q < NQUEUES; q++)
		if (bpf_map_update_elem(hyp_xdp_map_fd(x, HYP_MAP_ID_REDIRECT_BUDGET), &q, &zero,
					BPF_ANY) < 0)
			return -errno;
	return dns_redirect(x) ?: hyp_xdp_redirect_budget(x, RL_PPS, 2) ?:
		hyp_xdp_config_set(x, HYP_CFG_FAIL_MODE, closed ? HYP_FAIL_CLOSED : HYP_FAIL_OPEN);
}
/* classes 0 (53), 3 (6000) and 5 (5000); redirect_ports of priority >= from shed */
static int
shed(struct hyp_xdp *x, uint64_t from, uint64_t mode)
{
	return hyp_xdp_redirect_port_add(x, IPPROTO_UDP, 53, 0) ?:
	       hyp_xdp_redirect_port_add(x, IPPROTO_UDP, 6000, 3) ?:
	       hyp_xdp_redirect_port_add(x, IPPROTO_UDP, 5000, 5) ?:
	       hyp_xdp_config_set(x, HYP_CFG_SHED_FROM, from) ?:
	       hyp_xdp_config_set(x, HYP_CFG_FAIL_MODE, mode);
}
static int su_shed0(struct hyp_xdp *x) { return shed(x, 0, HYP_FAIL_OPEN); }
static int su_shed1(struct hyp_xdp *x) { return shed(x, 1, HYP_FAIL_OPEN); }
static int su_shed5_open(struct hyp_xdp *x) { return shed(x, 5, HYP_FAIL_OPEN); }
static int su_shed3_closed(struct hyp_xdp *x) { return shed(x, 3, HYP_FAIL_CLOSED); }
static int su_shed5_malformed(struct hyp_xdp *x) { return su_shed5_open(x) ?: su_malformed_pass(x); }
static int
chk_shed_range(struct hyp_xdp *x, const uint64_t *aux)
{
	int ret = hyp_xdp_redirect_port_add(x, IPPROTO_UDP, 7000, HYP_SHED_PRIORITY_MAX + 1);

	(void)aux;
	EXPECT(ret == -ERANGE, "priority %u accepted: %d", HYP_SHED_PRIORITY_MAX + 1, ret);
	return 0;
}
static int su_budget_open(struct hyp_xdp *x) { return budget(x, 0); }
static int su_budget_closed(struct hyp_xdp *x) { return budget(x, 1); }
static int su_closed_dns(struct hyp_xdp *x)
{
	return dns_redirect(x) ?: hyp_xdp_config_set(x, HYP_CFG_FAIL_MODE, HYP_FAIL_CLOSED);
}
static int su_https6(struct hyp_xdp *x) { return hyp_xdp_redirect_port_add(x, IPPROTO_TCP, 443, 0); }
static int su_redirect_all(struct hyp_xdp *x)
{
	return hyp_xdp_config_set(x, HYP_CFG_REDIRECT_ALL, 1);
}
/* a stale heartbeat is 10 limits old; a fresh one must be seen within one */
#define WD_LIMIT_MS	1000
#define WD_STALE_MS	(10 * WD_LIMIT_MS)
static int
watchdog(struct hyp_xdp *x, uint64_t age_ms, int closed)
{
	return dns_redirect(x) ?:
		hyp_xdp_config_set(x, HYP_CFG_FAIL_MODE, closed ? HYP_FAIL_CLOSED : HYP_FAIL_OPEN) ?:
		hyp_xdp_config_set(x, HYP_CFG_WATCHDOG_NS, WD_LIMIT_MS * 1000000ULL) ?:
		hyp_xdp_config_set(x, HYP_CFG_HEARTBEAT_NS,
				   hyp_xdp_now_ns() - age_ms * 1000000ULL);
}
static int su_wd_fresh(struct hyp_xdp *x) { return watchdog(x, 0, 0); }
static int su_wd_stale_open(struct hyp_xdp *x) { return watchdog(x, WD_STALE_MS, 0); }
static int su_wd_stale_closed(struct hyp_xdp *x) { return watchdog(x, WD_STALE_MS, 1); }
static int su_wd_off(struct hyp_xdp *x)
{
	return watchdog(x, WD_STALE_MS, 1) ?: hyp_xdp_config_set(x, HYP_CFG_WATCHDOG_NS, 0);
}
static int su_flow_off(struct hyp_xdp *x) { return hyp_xdp_config_set(x, HYP_CFG_FLOW_TRACK, 0); }
static int su_ips_nopeer(struct hyp_xdp *x)
{
	return hyp_xdp_config_set(x, HYP_CFG_IPS, HYP_IPS_ON) ?: hyp_xdp_ethertype_add(x, ETH_P_ARP);
}
static int su_ips_bare(struct hyp_xdp *x)
{
	return su_ips_nopeer(x) ?: hyp_xdp_set_peer(x, peer_ifindex);
}
/* what a policy without pass_ethertypes gives: ARP and LLDP among them */
static int su_ips(struct hyp_xdp *x)
{
	return su_ips_bare(x) ?: hyp_xdp_ethertype_add(x, ETH_P_ARP) ?:
		hyp_xdp_ethertype_add(x, ETH_P_LLDP);
}
static int su_ips_llc(struct hyp_xdp *x)
{
	return su_ips(x) ?: hyp_xdp_ethertype_add(x, HYP_ETHERTYPE_LLC);
}
static int su_ips_blk(struct hyp_xdp *x) { return su_ips(x) ?: su_blk_32(x); }
static int su_ips_drops(struct hyp_xdp *x) { return su_ips(x) ?: su_ab(x) ?: su_rl_24(x); }
static int su_ips_dns(struct hyp_xdp *x) { return su_ips(x) ?: dns_redirect(x); }
static int su_ips_dns_nopeer(struct hyp_xdp *x) { return su_ips_nopeer(x) ?: dns_redirect(x); }
static int su_ips_closed_dns(struct hyp_xdp *x) { return su_ips(x) ?: su_closed_dns(x); }
static int su_ips_wd_open(struct hyp_xdp *x) { return su_ips(x) ?: su_wd_stale_open(x); }
static int su_ips_wd_closed(struct hyp_xdp *x) { return su_ips(x) ?: su_wd_stale_closed(x); }
static int su_ips_malformed_pass(struct hyp_xdp *x) { return su_ips(x) ?: su_malformed_pass(x); }
/* a peer left in tx_port must not matter once the mode is IDS again */
static int su_frag(struct hyp_xdp *x, uint64_t mode)
{
	return hyp_xdp_config_set(x, HYP_CFG_FRAGMENTS, mode);
}
static int su_frag_pass_dns(struct hyp_xdp *x) { return dns_redirect(x) ?: su_frag(x, HYP_FRAG_PASS); }
static int su_frag_drop(struct hyp_xdp *x) { return su_frag(x, HYP_FRAG_DROP); }
static int su_frag_blk(struct hyp_xdp *x) { return su_blk_32(x); }
static int su_frag_closed(struct hyp_xdp *x)
{
	return hyp_xdp_config_set(x, HYP_CFG_FAIL_MODE, HYP_FAIL_CLOSED);
}
static int su_ips_frag(struct hyp_xdp *x) { return su_ips(x) ?: su_frag(x, HYP_FRAG_INSPECT); }
static int su_ids_peer(struct hyp_xdp *x)
{
	return su_ips_dns(x) ?: hyp_xdp_config_set(x, HYP_CFG_IPS, HYP_IPS_OFF);
}
static int
su_ips_peer_cleared(struct hyp_xdp *x)
{
	return su_ips(x) ?: hyp_xdp_set_peer(x, 0);
}

/* ---- the table ------------------------------------------------------------ */

#define V4(...) { .family = 4, __VA_ARGS__ }
#define V6(...) { .family = 6, __VA_ARGS__ }
#define UDP4(s, d, dp) V4(.src = s, .dst = d, .sport = 40000, .dport = dp, .payload = 10)
#define UDP6(s, d, dp) V6(.src = s, .dst = d, .sport = 40000, .dport = dp, .payload = 10)
#define PASS HYP_XDP_PASS
#define DROP HYP_XDP_DROP
#define REDIR 4	/* XDP_REDIRECT */
#define QINQ { 0x88a8, 0x8100 }

static const struct tcase cases[] = {
	/* -- non-IP and Ethernet/VLAN ------------------------------------------ */
	{ "arp frame passes untouched", NULL, NULL,
	  { { .pkt = { .family = 0 }, .want_ret = PASS, .want_reason = HYP_R_PASS_NON_IP } } },
	{ "unknown ethertype (LLDP) passes", NULL, NULL,
	  { { .pkt = { .ethertype = 0x88cc }, .want_ret = PASS, .want_reason = HYP_R_PASS_NON_IP } } },
	{ "runt frame (10 bytes): truncated Ethernet is dropped", NULL, NULL,
	  { { .pkt = UDP4(0, 0, 9999), .mutate = mut_eth_only10, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_ETH_TRUNC } } },
	{ "malformed action pass: IPv4 version 5 passes but is counted", su_malformed_pass, NULL,
	  { { .pkt = UDP4(0, 0, 1), .mutate = mut_ip4_version5, .want_ret = PASS,
	      .want_reason = HYP_R_MAL_IP4_VERSION } } },
	{ "malformed action pass: bad TCP flags pass but are counted", su_malformed_pass, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .tcp_flags = 0x03, .dport = 80), .want_ret = PASS,
	      .want_reason = HYP_R_MAL_TCP_FLAGS } } },
	{ "802.1Q tagged UDP passes", NULL, NULL,
	  { { .pkt = V4(.vlan_tpid = { 0x8100 }, .dport = 9999, .payload = 4), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "QinQ (802.1ad + 802.1Q) UDP passes", NULL, NULL,
	  { { .pkt = V4(.vlan_tpid = QINQ, .dport = 9999, .payload = 4), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "QinQ DNS query is redirected: ports found under two tags", dns_redirect, NULL,
	  { { .pkt = V4(.vlan_tpid = QINQ, .dport = 53, .payload = 30), .want_ret = REDIR,
	      .want_reason = HYP_R_REDIRECT } } },
	{ "three VLAN tags exceed the parser's depth", NULL, NULL,
	  { { .pkt = V4(.vlan_tpid = { 0x88a8, 0x8100, 0x8100 }, .dport = 1), .want_ret = DROP,
	      .want_reason = HYP_R_MAL_VLAN_DEPTH } } },
	{ "VLAN tag cut short", NULL, NULL,
	  { { .pkt = V4(.vlan_tpid = { 0x8100 }), .mutate = mut_vlan_cut, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_VLAN_TRUNC } } },
	{ "blocklisted source behind a VLAN tag is dropped", su_blk_32, NULL,
	  { { .pkt = V4(.vlan_tpid = { 0x8100 }, .src = "192.0.2.1", .dport = 1), .want_ret = DROP,
	      .want_reason = HYP_R_BLOCK_SRC } } },

	/* -- IPv4 malformed ------------------------------------------------------ */
	{ "IPv4 header cut at 10 bytes", NULL, NULL,
	  { { .pkt = UDP4(0, 0, 1), .mutate = mut_ip4_cut10, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP4_TRUNC } } },
	{ "IPv4 version field 5", NULL, NULL,
	  { { .pkt = UDP4(0, 0, 1), .mutate = mut_ip4_version5, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP4_VERSION } } },
	{ "IPv4 IHL 4 (< 5)", NULL, NULL,
	  { { .pkt = UDP4(0, 0, 1), .mutate = mut_ip4_ihl4, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP4_IHL } } },
	{ "IPv4 IHL 15 reaches past the frame", NULL, NULL,
	  { { .pkt = UDP4(0, 0, 1), .mutate = mut_ip4_ihl15, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP4_IHL } } },
	{ "IPv4 with options (IHL 6) is well formed", NULL, NULL,
	  { { .pkt = V4(.ip4_opt_words = 1, .dport = 1, .payload = 4), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "IPv4 options are skipped to find the ports", dns_redirect, NULL,
	  { { .pkt = V4(.ip4_opt_words = 3, .dport = 53, .payload = 4), .want_ret = REDIR,
	      .want_reason = HYP_R_REDIRECT } } },
	{ "IPv4 total length one byte beyond the frame", NULL, NULL,
	  { { .pkt = UDP4(0, 0, 1), .mutate = mut_ip4_totlen_big, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP4_TOTLEN } } },
	{ "IPv4 total length below the header length", NULL, NULL,
	  { { .pkt = UDP4(0, 0, 1), .mutate = mut_ip4_totlen_small, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP4_TOTLEN } } },
	{ "Ethernet padding after a short IPv4 packet is fine", NULL, NULL,
	  { { .pkt = V4(.dport = 1, .payload = 0), .mutate = mut_pad60, .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "IPv4 fragment reassembling past 64K (ping of death)", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_ICMP, .ip4_frag = 8189, .payload = 100), .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP4_FRAG } } },
	{ "fragments pass: IPv4 first fragment, its UDP length the datagram's, not checked",
	  su_frag_pass_dns, NULL,
	  { { .pkt = V4(.ip4_frag = 0x2000, .dport = 53, .payload = 16), .mutate = mut_udp_len_big,
	      .want_ret = REDIR, .want_reason = HYP_R_REDIRECT } } },
	{ "fragments pass: IPv4 later fragment has no ports, not redirected", su_frag_pass_dns,
	  NULL,
	  { { .pkt = V4(.ip4_frag = 0x0010, .dport = 53, .payload = 16), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },

	/* -- L4 malformed -------------------------------------------------------- */
	{ "TCP header cut at 10 bytes", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .dport = 80), .cut_l4 = 10, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_L4_TRUNC } } },
	{ "TCP data offset 4", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .dport = 80), .mutate = mut_tcp_doff4,
	      .want_ret = DROP, .want_reason = HYP_R_MAL_TCP_DOFF } } },
	{ "TCP data offset 15 beyond the segment", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .dport = 80), .mutate = mut_tcp_doff15,
	      .want_ret = DROP, .want_reason = HYP_R_MAL_TCP_DOFF } } },
	{ "TCP SYN+FIN", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .tcp_flags = 0x03, .dport = 80), .want_ret = DROP,
	      .want_reason = HYP_R_MAL_TCP_FLAGS } } },
	{ "TCP SYN+RST", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .tcp_flags = 0x06, .dport = 80), .want_ret = DROP,
	      .want_reason = HYP_R_MAL_TCP_FLAGS } } },
	{ "TCP with no flags (null scan)", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .tcp_flags = 0x40 /* ECE only */, .dport = 80),
	      .want_ret = DROP, .want_reason = HYP_R_MAL_TCP_FLAGS } } },
	{ "TCP SYN is well formed", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .dport = 80), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "UDP header cut at 6 bytes", NULL, NULL,
	  { { .pkt = UDP4(0, 0, 1), .cut_l4 = 6, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_L4_TRUNC } } },
	{ "UDP length 7", NULL, NULL,
	  { { .pkt = UDP4(0, 0, 1), .mutate = mut_udp_len7, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_UDP_LEN } } },
	{ "UDP length one more than the IP payload", NULL, NULL,
	  { { .pkt = UDP4(0, 0, 1), .mutate = mut_udp_len_big, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_UDP_LEN } } },
	{ "ICMP echo passes", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_ICMP, .payload = 8), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "ICMP header cut at 4 bytes", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_ICMP), .cut_l4 = 4, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_L4_TRUNC } } },

	/* -- IPv6 ----------------------------------------------------------------- */
	{ "IPv6 header cut at 20 bytes", NULL, NULL,
	  { { .pkt = UDP6(0, 0, 1), .mutate = mut_ip6_cut20, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP6_TRUNC } } },
	{ "IPv6 ethertype with a version-4 header", NULL, NULL,
	  { { .pkt = UDP6(0, 0, 1), .mutate = mut_ip6_version4, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP6_VERSION } } },
	{ "IPv6 payload length beyond the frame", NULL, NULL,
	  { { .pkt = UDP6(0, 0, 1), .mutate = mut_ip6_plen_big, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP6_PLEN } } },
	{ "IPv6 UDP passes", NULL, NULL,
	  { { .pkt = UDP6(0, 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "IPv6 hop-by-hop then UDP passes", NULL, NULL,
	  { { .pkt = V6(PKT_EXT(IPPROTO_HOPOPTS), .dport = 1, .payload = 4), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "IPv6 HBH+routing+dstopts: walk reaches the DNS port", dns_redirect, NULL,
	  { { .pkt = V6(PKT_EXT(IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS), .dport = 53,
		       .payload = 20), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT } } },
	{ "fragments pass: IPv6 first fragment carries ports, redirected", su_frag_pass_dns, NULL,
	  { { .pkt = V6(PKT_EXT(IPPROTO_FRAGMENT), .ext_frag = 0x0001, .dport = 53, .payload = 20),
	      .mutate = mut_udp_len_big, .want_ret = REDIR, .want_reason = HYP_R_REDIRECT } } },
	{ "fragments pass: IPv6 later fragment has no ports, not redirected", su_frag_pass_dns,
	  NULL,
	  { { .pkt = V6(PKT_EXT(IPPROTO_FRAGMENT), .ext_frag = 0x0100, .dport = 53, .payload = 20),
	      .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	/* -- fragments: inspect (the default), drop ------------------------------- */
	{ "fragments inspect: an IPv4 later fragment is redirected, with no redirect port", NULL,
	  NULL, { { .pkt = V4(.ip4_frag = 0x0010, .dport = 9, .payload = 16), .want_ret = REDIR,
		    .want_reason = HYP_R_FRAG_REDIRECT } } },
	{ "fragments inspect: an IPv4 first fragment (MF) is redirected", NULL, NULL,
	  { { .pkt = V4(.ip4_frag = 0x2000, .dport = 9, .payload = 16), .mutate = mut_udp_len_big,
	      .want_ret = REDIR, .want_reason = HYP_R_FRAG_REDIRECT } } },
	{ "fragments inspect: a TCP later fragment is redirected", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .ip4_frag = 0x0020, .dport = 80), .want_ret = REDIR,
	      .want_reason = HYP_R_FRAG_REDIRECT } } },
	{ "fragments inspect: an IPv6 later fragment is redirected", NULL, NULL,
	  { { .pkt = V6(PKT_EXT(IPPROTO_FRAGMENT), .ext_frag = 0x0100, .dport = 9, .payload = 20),
	      .want_ret = REDIR, .want_reason = HYP_R_FRAG_REDIRECT } } },
	{ "fragments inspect: an IPv6 first fragment is redirected", NULL, NULL,
	  { { .pkt = V6(PKT_EXT(IPPROTO_FRAGMENT), .ext_frag = 0x0001, .dport = 9, .payload = 20),
	      .mutate = mut_udp_len_big, .want_ret = REDIR, .want_reason = HYP_R_FRAG_REDIRECT } } },
	{ "fragments inspect: an IPv6 atomic fragment is a whole datagram, not redirected", NULL,
	  NULL, { { .pkt = V6(PKT_EXT(IPPROTO_FRAGMENT), .ext_frag = 0, .dport = 9, .payload = 20),
		    .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "fragments inspect: an ICMP fragment is not (only TCP and UDP are)", NULL, NULL,
	  { { .pkt = V4(.proto = IPPROTO_ICMP, .ip4_frag = 0x2000, .payload = 40), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "fragments inspect: DF alone is not a fragment", NULL, NULL,
	  { { .pkt = V4(.ip4_frag = 0x4000, .dport = 9, .payload = 16), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "fragments inspect: a blocklisted source's fragment is dropped first", su_frag_blk, NULL,
	  { { .pkt = V4(.src = "192.0.2.1", .ip4_frag = 0x0010, .dport = 9, .payload = 16),
	      .want_ret = DROP, .want_reason = HYP_R_BLOCK_SRC } } },
	{ "fragments inspect, no socket, fail-closed: dropped as redirect_fallback", su_frag_closed,
	  NULL, { { .pkt = V4(.ip4_frag = 0x0010, .dport = 9, .payload = 16), .rx_queue = 1,
		    .want_ret = DROP, .want_reason = HYP_R_REDIRECT_FALLBACK } } },
	{ "fragments inspect, IPS: a later fragment goes to the slow path, not the peer",
	  su_ips_frag, NULL,
	  { { .pkt = V4(.ip4_frag = 0x0010, .dport = 9, .payload = 16), .want_ret = REDIR,
	      .want_reason = HYP_R_FRAG_REDIRECT } } },
	{ "fragments drop: an IPv4 later fragment is dropped", su_frag_drop, NULL,
	  { { .pkt = V4(.ip4_frag = 0x0010, .dport = 9, .payload = 16), .want_ret = DROP,
	      .want_reason = HYP_R_FRAG_DROP } } },
	{ "fragments drop: an IPv6 first fragment is dropped", su_frag_drop, NULL,
	  { { .pkt = V6(PKT_EXT(IPPROTO_FRAGMENT), .ext_frag = 0x0001, .dport = 53, .payload = 20),
	      .mutate = mut_udp_len_big, .want_ret = DROP, .want_reason = HYP_R_FRAG_DROP } } },
	{ "fragments drop: a whole datagram is not touched", su_frag_drop, NULL,
	  { { .pkt = V4(.dport = 9, .payload = 16), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "IPv6 extension header cut short", NULL, NULL,
	  { { .pkt = V6(PKT_EXT(IPPROTO_HOPOPTS), .dport = 1), .mutate = mut_ip6_cut_ext,
	      .want_ret = DROP, .want_reason = HYP_R_MAL_IP6_EXT } } },
	{ "IPv6 with seven extension headers: more than the bounded walk", NULL, NULL,
	  { { .pkt = V6(PKT_EXT(60, 60, 60, 60, 60, 60, 60), .dport = 1), .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP6_EXT } } },
	{ "IPv6 with six extension headers: exactly the bound is walked", dns_redirect, NULL,
	  { { .pkt = V6(PKT_EXT(60, 60, 60, 60, 60, 60), .dport = 53, .payload = 4),
	      .want_ret = REDIR, .want_reason = HYP_R_REDIRECT } } },
	{ "IPv6 AH then TCP passes", NULL, NULL,
	  { { .pkt = V6(PKT_EXT(IPPROTO_AH), .proto = IPPROTO_TCP, .dport = 22), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "ICMPv6 echo passes", NULL, NULL,
	  { { .pkt = V6(.proto = IPPROTO_ICMPV6, .payload = 8), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "IPv6 TCP cut at 12 bytes", NULL, NULL,
	  { { .pkt = V6(.proto = IPPROTO_TCP, .dport = 80), .cut_l4 = 12, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_L4_TRUNC } } },

	/* -- CIDR blocklist -------------------------------------------------------- */
	{ "source /32 exact match is dropped and the prefix counts a hit", su_blk_32, chk_hits_32,
	  { { .pkt = UDP4("192.0.2.1", 0, 1), .want_ret = DROP, .want_reason = HYP_R_BLOCK_SRC } } },
	{ "neighbour of a /32 passes", su_blk_32, NULL,
	  { { .pkt = UDP4("192.0.2.2", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "/24 covers its first and last address, not the next", su_blk_24, NULL,
	  { { .pkt = UDP4("192.0.2.0", 0, 1), .want_ret = DROP, .want_reason = HYP_R_BLOCK_SRC },
	    { .pkt = UDP4("192.0.2.255", 0, 1), .want_ret = DROP, .want_reason = HYP_R_BLOCK_SRC },
	    { .pkt = UDP4("192.0.3.0", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "0.0.0.0/0 drops all IPv4 and no IPv6", su_blk_0, NULL,
	  { { .pkt = UDP4("198.18.9.9", 0, 1), .want_ret = DROP, .want_reason = HYP_R_BLOCK_SRC },
	    { .pkt = UDP6(0, 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "longest prefix wins: the /24 inside a /16 takes the hit", su_blk_16_24, chk_lpm_longest,
	  { { .pkt = UDP4("192.0.2.9", 0, 1), .want_ret = DROP, .want_reason = HYP_R_BLOCK_SRC } } },
	{ "destination /24 is dropped as blocklist_dst", su_blk_dst, NULL,
	  { { .pkt = UDP4(0, "203.0.113.50", 1), .want_ret = DROP, .want_reason = HYP_R_BLOCK_DST },
	    { .pkt = UDP4("203.0.113.50", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "IPv6 source /128 exact", su_blk6_128, NULL,
	  { { .pkt = UDP6("2001:db8:bad::1", 0, 1), .want_ret = DROP, .want_reason = HYP_R_BLOCK_SRC },
	    { .pkt = UDP6("2001:db8:bad::2", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "IPv6 2001:db8::/32 covers its range only", su_blk6_32, NULL,
	  { { .pkt = UDP6("2001:db8:ffff::1", 0, 1), .want_ret = DROP, .want_reason = HYP_R_BLOCK_SRC },
	    { .pkt = UDP6("2001:db9::1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "::/0 drops all IPv6 and no IPv4", su_blk6_0, NULL,
	  { { .pkt = UDP6("fd00::1", 0, 1), .want_ret = DROP, .want_reason = HYP_R_BLOCK_SRC },
	    { .pkt = UDP4(0, 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "IPv6 destination /64", su_blk6_dst, NULL,
	  { { .pkt = UDP6(0, "2001:db8:2::99", 1), .want_ret = DROP, .want_reason = HYP_R_BLOCK_DST } } },
	{ "blocklist beats redirect", su_blk_and_dns, NULL,
	  { { .pkt = UDP4("192.0.2.1", 0, 53), .want_ret = DROP, .want_reason = HYP_R_BLOCK_SRC } } },

	/* -- auto-block ------------------------------------------------------------- */
	{ "auto-blocked address is dropped, its neighbour not", su_ab, NULL,
	  { { .pkt = UDP4("198.51.100.7", 0, 1), .want_ret = DROP, .want_reason = HYP_R_AUTOBLOCK },
	    { .pkt = UDP4("198.51.100.8", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "auto-block expires after its TTL and the entry is removed", su_ab_ttl, chk_autoblock_expired,
	  { { .pkt = UDP4("198.51.100.7", 0, 1), .by_ms = AB_TTL_MS, .want_ret = DROP,
	      .want_reason = HYP_R_AUTOBLOCK },
	    /* the program's clock is the coarse one: a tick (<= 10 ms) behind */
	    { .pkt = UDP4("198.51.100.7", 0, 1), .sleep_ms = AB_TTL_MS + 50, .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "auto-blocked IPv6 address", su_ab6, NULL,
	  { { .pkt = UDP6("2001:db8:bad::7", 0, 1), .want_ret = DROP, .want_reason = HYP_R_AUTOBLOCK } } },
	{ "auto-block removed by userspace passes again", su_ab_del, NULL,
	  { { .pkt = UDP4("198.51.100.7", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },

	/* -- rate limit --------------------------------------------------------------- */
	{ "default limit 2 pps burst 3: the 4th back-to-back packet is dropped", su_rl_default, NULL,
	  { { .pkt = UDP4(0, 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4(0, 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4(0, 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4(0, 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT } } },
	/*
	 * After 3 back-to-back packets the next one is due 3 intervals after
	 * the first; 2 intervals of tolerance let packets in from 1 interval
	 * on, 2 of them from 2 intervals on, and the third after those only
	 * from 3 intervals on: sleeping 2.4 intervals buys exactly two.
	 */
	{ "bucket refills over time: 1.2 s at 2 pps buys two more packets", su_rl_default, NULL,
	  { { .pkt = UDP4(0, 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4(0, 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4(0, 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4(0, 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT },
	    { .pkt = UDP4(0, 0, 1), .sleep_ms = 12 * RL_IV_MS / 5, .want_ret = PASS,
	      .want_reason = HYP_R_PASS },
	    { .pkt = UDP4(0, 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4(0, 0, 1), .by_ms = 3 * RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT } } },
	{ "each source has its own bucket", su_rl_default, NULL,
	  { { .pkt = UDP4("198.18.1.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.1.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.1.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.1.1", 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT },
	    { .pkt = UDP4("198.18.1.2", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "CIDR rule limits only its prefix", su_rl_24, NULL,
	  { { .pkt = UDP4("198.18.5.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.5.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.5.1", 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT },
	    { .pkt = UDP4("198.18.6.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.6.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.6.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "a longer prefix with pps 0 exempts sources inside a limited one", su_rl_exempt, NULL,
	  { { .pkt = UDP4("198.18.7.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.7.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.8.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.8.1", 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT } } },
	{ "IPv6 CIDR rate limit", su_rl6, NULL,
	  { { .pkt = UDP6("2001:db8:1::5", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP6("2001:db8:1::5", 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT } } },

	/* -- redirect, fail modes, watchdog ------------------------------------------- */
	{ "UDP/53 is redirected to the socket of queue 0", dns_redirect, NULL,
	  { { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT } } },
	{ "UDP/53 on queue 3 goes to queue 3's socket", dns_redirect, NULL,
	  { { .pkt = UDP4(0, 0, 53), .rx_queue = 3, .want_ret = REDIR,
	      .want_reason = HYP_R_REDIRECT } } },
	{ "no socket on queue 1, fail-open: passes as redirect_fallback", dns_redirect, NULL,
	  { { .pkt = UDP4(0, 0, 53), .rx_queue = 1, .want_ret = PASS,
	      .want_reason = HYP_R_REDIRECT_FALLBACK } } },
	{ "no socket on queue 1, fail-closed: dropped as redirect_fallback", su_closed_dns, NULL,
	  { { .pkt = UDP4(0, 0, 53), .rx_queue = 1, .want_ret = DROP,
	      .want_reason = HYP_R_REDIRECT_FALLBACK } } },
	{ "fail-closed touches only redirect candidates", su_closed_dns, NULL,
	  { { .pkt = UDP4(0, 0, 80), .rx_queue = 1, .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "TCP/53 is not UDP/53", dns_redirect, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .dport = 53), .want_ret = PASS,
	      .want_reason = HYP_R_PASS } } },
	{ "UDP/54 is not UDP/53; a source port of 53 is not a destination", dns_redirect, NULL,
	  { { .pkt = UDP4(0, 0, 54), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = V4(.sport = 53, .dport = 40000), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "IPv6 TCP/443 redirected", su_https6, NULL,
	  { { .pkt = V6(.proto = IPPROTO_TCP, .dport = 443), .want_ret = REDIR,
	      .want_reason = HYP_R_REDIRECT } } },
	{ "redirect-all takes TCP, UDP and ICMP", su_redirect_all, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .dport = 80), .want_ret = REDIR,
	      .want_reason = HYP_R_REDIRECT },
	    { .pkt = UDP6(0, 0, 1234), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT },
	    { .pkt = V4(.proto = IPPROTO_ICMP, .payload = 8), .want_ret = REDIR,
	      .want_reason = HYP_R_REDIRECT } } },
	{ "redirect-all leaves non-IP alone", su_redirect_all, NULL,
	  { { .pkt = { .family = 0 }, .want_ret = PASS, .want_reason = HYP_R_PASS_NON_IP } } },
	{ "watchdog fresh heartbeat: redirect as usual", su_wd_fresh, NULL,
	  { { .pkt = UDP4(0, 0, 53), .by_ms = WD_LIMIT_MS, .want_ret = REDIR,
	      .want_reason = HYP_R_REDIRECT } } },
	{ "watchdog stale, fail-open: candidates pass", su_wd_stale_open, NULL,
	  { { .pkt = UDP4(0, 0, 53), .want_ret = PASS, .want_reason = HYP_R_WATCHDOG } } },
	{ "watchdog stale, fail-closed: candidates dropped", su_wd_stale_closed, NULL,
	  { { .pkt = UDP4(0, 0, 53), .want_ret = DROP, .want_reason = HYP_R_WATCHDOG } } },
	{ "watchdog stale leaves other traffic alone", su_wd_stale_closed, NULL,
	  { { .pkt = UDP4(0, 0, 80), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "watchdog off (0 ms): a stale heartbeat does not matter", su_wd_off, NULL,
	  { { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT } } },

	/* -- flows and events -------------------------------------------------------- */
	{ "flow_map counts a flow's packets and bytes", NULL, chk_flow_two,
	  { { .pkt = V4(.dport = 7, .payload = 18), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = V4(.dport = 7, .payload = 18), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "flow tracking off leaves flow_map empty", su_flow_off, chk_flow_none,
	  { { .pkt = V4(.dport = 7, .payload = 18), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "a sampled drop becomes one ring buffer event with its 5-tuple", su_blk_event, chk_event,
	  { { .pkt = UDP4("192.0.2.1", 0, 9999), .rx_queue = 3, .want_ret = DROP,
	      .want_reason = HYP_R_BLOCK_SRC } } },
	{ "sampling off: a drop writes no event", su_blk_32, chk_no_event,
	  { { .pkt = UDP4("192.0.2.1", 0, 9999), .want_ret = DROP,
	      .want_reason = HYP_R_BLOCK_SRC } } },

	/* -- IPS: bump in the wire, peer in tx_port ---------------------------------- */
	{ "IPS: benign IPv4 goes to the peer as forward", su_ips, NULL,
	  { { .pkt = UDP4(0, 0, 80), .want_ret = REDIR, .want_reason = HYP_R_FORWARD },
	    { .pkt = V4(.proto = IPPROTO_TCP, .dport = 443), .rx_queue = 1, .want_ret = REDIR,
	      .want_reason = HYP_R_FORWARD } } },
	{ "IPS: benign IPv6 goes to the peer as forward", su_ips, NULL,
	  { { .pkt = UDP6(0, 0, 80), .want_ret = REDIR, .want_reason = HYP_R_FORWARD },
	    { .pkt = V6(.proto = IPPROTO_ICMPV6, .payload = 8), .want_ret = REDIR,
	      .want_reason = HYP_R_FORWARD } } },
	{ "IPS: ARP and LLDP cross the bump as forward", su_ips, NULL,
	  { { .pkt = { .family = 0 }, .want_ret = REDIR, .want_reason = HYP_R_FORWARD },
	    { .pkt = { .ethertype = 0x88cc }, .want_ret = REDIR, .want_reason = HYP_R_FORWARD } } },
	{ "IPS without a peer: IP and ARP dropped as forward_fail", su_ips_nopeer, NULL,
	  { { .pkt = UDP4(0, 0, 80), .want_ret = DROP, .want_reason = HYP_R_FORWARD_FAIL },
	    { .pkt = { .family = 0 }, .want_ret = DROP, .want_reason = HYP_R_FORWARD_FAIL } } },
	{ "IPS: a peer set and then cleared leaves no peer", su_ips_peer_cleared, NULL,
	  { { .pkt = UDP6(0, 0, 80), .want_ret = DROP, .want_reason = HYP_R_FORWARD_FAIL } } },
	{ "IPS: blocklisted source still dropped, its neighbour forwarded", su_ips_blk, NULL,
	  { { .pkt = UDP4("192.0.2.1", 0, 80), .want_ret = DROP, .want_reason = HYP_R_BLOCK_SRC },
	    { .pkt = UDP4("192.0.2.2", 0, 80), .want_ret = REDIR, .want_reason = HYP_R_FORWARD } } },
	{ "IPS: auto-block and rate limit still drop", su_ips_drops, NULL,
	  { { .pkt = UDP4("198.51.100.7", 0, 1), .want_ret = DROP, .want_reason = HYP_R_AUTOBLOCK },
	    { .pkt = UDP4("198.18.5.1", 0, 1), .want_ret = REDIR, .want_reason = HYP_R_FORWARD },
	    { .pkt = UDP4("198.18.5.1", 0, 1), .want_ret = REDIR, .want_reason = HYP_R_FORWARD },
	    { .pkt = UDP4("198.18.5.1", 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT } } },
	{ "IPS: redirect candidate with a socket goes to the socket", su_ips_dns, NULL,
	  { { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT },
	    { .pkt = UDP4(0, 0, 53), .rx_queue = 3, .want_ret = REDIR,
	      .want_reason = HYP_R_REDIRECT } } },
	{ "IPS: no socket on queue 1, fail-open: forwarded as redirect_fallback", su_ips_dns, NULL,
	  { { .pkt = UDP4(0, 0, 53), .rx_queue = 1, .want_ret = REDIR,
	      .want_reason = HYP_R_REDIRECT_FALLBACK } } },
	{ "IPS: no socket on queue 1, fail-closed: dropped as redirect_fallback",
	  su_ips_closed_dns, NULL,
	  { { .pkt = UDP4(0, 0, 53), .rx_queue = 1, .want_ret = DROP,
	      .want_reason = HYP_R_REDIRECT_FALLBACK },
	    { .pkt = UDP4(0, 0, 80), .rx_queue = 1, .want_ret = REDIR,
	      .want_reason = HYP_R_FORWARD } } },
	{ "IPS: fail-open fallback without a peer: dropped as forward_fail", su_ips_dns_nopeer, NULL,
	  { { .pkt = UDP4(0, 0, 53), .rx_queue = 1, .want_ret = DROP,
	      .want_reason = HYP_R_FORWARD_FAIL } } },
	{ "IPS: watchdog stale, fail-open: candidates forwarded as watchdog", su_ips_wd_open, NULL,
	  { { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_WATCHDOG } } },
	{ "IPS: watchdog stale, fail-closed: candidates dropped", su_ips_wd_closed, NULL,
	  { { .pkt = UDP4(0, 0, 53), .want_ret = DROP, .want_reason = HYP_R_WATCHDOG },
	    { .pkt = UDP4(0, 0, 80), .want_ret = REDIR, .want_reason = HYP_R_FORWARD } } },
	{ "IPS: malformed in pass mode forwarded, counted as malformed", su_ips_malformed_pass,
	  NULL,
	  { { .pkt = UDP4(0, 0, 1), .mutate = mut_ip4_version5, .want_ret = REDIR,
	      .want_reason = HYP_R_MAL_IP4_VERSION },
	    { .pkt = V4(.proto = IPPROTO_TCP, .tcp_flags = 0x03, .dport = 80), .want_ret = REDIR,
	      .want_reason = HYP_R_MAL_TCP_FLAGS } } },
	{ "IPS: malformed in drop mode still dropped", su_ips, NULL,
	  { { .pkt = UDP6(0, 0, 1), .mutate = mut_ip6_plen_big, .want_ret = DROP,
	      .want_reason = HYP_R_MAL_IP6_PLEN } } },
	{ "IDS mode ignores a peer left in tx_port", su_ids_peer, NULL,
	  { { .pkt = UDP4(0, 0, 80), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = { .family = 0 }, .want_ret = PASS, .want_reason = HYP_R_PASS_NON_IP },
	    { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT },
	    { .pkt = UDP4(0, 0, 53), .rx_queue = 1, .want_ret = PASS,
	      .want_reason = HYP_R_REDIRECT_FALLBACK } } },
	/* -- abuse: the check order, families, buckets, budget, EtherTypes ------- */
	{ "malformed: pass, a blocklisted source's bad UDP length is dropped as blocklist_src",
	  su_blk_malformed_pass, NULL,
	  { { .pkt = UDP4("192.0.2.1", 0, 1), .mutate = mut_udp_len7, .want_ret = DROP,
	      .want_reason = HYP_R_BLOCK_SRC },
	    { .pkt = UDP4("192.0.2.2", 0, 1), .mutate = mut_udp_len7, .want_ret = PASS,
	      .want_reason = HYP_R_MAL_UDP_LEN } } },
	{ "malformed: drop, a blocklisted source's bad IP version counts as blocklist_src",
	  su_blk_32, NULL,
	  { { .pkt = UDP4("192.0.2.1", 0, 1), .mutate = mut_ip4_version5, .want_ret = DROP,
	      .want_reason = HYP_R_BLOCK_SRC } } },
	{ "malformed: pass, an auto-blocked source's SYN+FIN is dropped as autoblock",
	  su_ab_malformed_pass, NULL,
	  { { .pkt = V4(.src = "198.51.100.7", .proto = IPPROTO_TCP, .tcp_flags = 0x03,
		       .dport = 80), .want_ret = DROP, .want_reason = HYP_R_AUTOBLOCK } } },
	{ "malformed: pass, aimed at a redirected port: inward as malformed_redirect",
	  su_dns_malformed_pass, NULL,
	  { { .pkt = UDP4(0, 0, 53), .mutate = mut_udp_len_big, .want_ret = REDIR,
	      .want_reason = HYP_R_MAL_REDIRECT },
	    { .pkt = UDP4(0, 0, 54), .mutate = mut_udp_len_big, .want_ret = PASS,
	      .want_reason = HYP_R_MAL_UDP_LEN } } },
	{ "malformed: pass with redirect_all: inward, but a cut Ethernet header has nothing to "
	  "inspect", su_all_malformed_pass, NULL,
	  { { .pkt = V4(.proto = IPPROTO_TCP, .tcp_flags = 0x03, .dport = 80), .want_ret = REDIR,
	      .want_reason = HYP_R_MAL_REDIRECT },
	    { .pkt = UDP4(0, 0, 1), .mutate = mut_eth_only10, .want_ret = PASS,
	      .want_reason = HYP_R_MAL_ETH_TRUNC } } },
	{ "an auto-blocked IPv4 source does not block ::ffff: of it over IPv6", su_ab, NULL,
	  { { .pkt = UDP6("::ffff:198.51.100.7", 0, 1), .want_ret = PASS,
	      .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.51.100.7", 0, 1), .want_ret = DROP, .want_reason = HYP_R_AUTOBLOCK } } },
	{ "an auto-blocked v4-mapped IPv6 source does not block the IPv4 address", su_ab6m, NULL,
	  { { .pkt = UDP4("198.51.100.7", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP6("::ffff:198.51.100.7", 0, 1), .want_ret = DROP,
	      .want_reason = HYP_R_AUTOBLOCK } } },
	{ "IPv6 sources share a bucket per /64: rotating inside it buys nothing", su_rl6,
	  chk_rl_two_buckets,
	  { { .pkt = UDP6("2001:db8:1::5", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP6("2001:db8:1::6", 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT },
	    { .pkt = UDP6("2001:db8:1:0:ffff::1", 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT },
	    { .pkt = UDP6("2001:db8:1:1::5", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "ipv6_mask 128: each IPv6 address its own bucket", su_rl6_mask128, NULL,
	  { { .pkt = UDP6("2001:db8:1::5", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP6("2001:db8:1::6", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP6("2001:db8:1::6", 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT } } },
	{ "the default limit masks IPv6 at /64 too", su_rl_default, NULL,
	  { { .pkt = UDP6("2001:db8:9::1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP6("2001:db8:9::2", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP6("2001:db8:9::3", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP6("2001:db8:9::4", 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT } } },
	{ "scope prefix: one bucket for the whole /24", su_rl_prefix, NULL,
	  { { .pkt = UDP4("198.18.5.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.5.2", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4("198.18.5.3", 0, 1), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_RATELIMIT },
	    { .pkt = UDP4("198.18.6.1", 0, 1), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "redirect budget 2 pps burst 2, fail-open: the 3rd candidate passes as redirect_overload",
	  su_budget_open, NULL,
	  { { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT },
	    { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT },
	    { .pkt = UDP4(0, 0, 53), .by_ms = RL_IV_MS, .want_ret = PASS,
	      .want_reason = HYP_R_REDIRECT_OVERLOAD },
	    { .pkt = UDP4(0, 0, 80), .want_ret = PASS, .want_reason = HYP_R_PASS },
	    { .pkt = UDP4(0, 0, 53), .rx_queue = 3, .by_ms = RL_IV_MS, .want_ret = REDIR,
	      .want_reason = HYP_R_REDIRECT } } },
	{ "redirect budget, fail-closed: over it, candidates are dropped", su_budget_closed, NULL,
	  { { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT },
	    { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT },
	    { .pkt = UDP4(0, 0, 53), .by_ms = RL_IV_MS, .want_ret = DROP,
	      .want_reason = HYP_R_REDIRECT_OVERLOAD } } },
	{ "shedding off (shed_from 0): every class redirected", su_shed0, chk_shed_range,
	  { { .pkt = UDP4(0, 0, 5000), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT },
	    { .pkt = UDP4(0, 0, 6000), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT } } },
	{ "shed from 5, fail-open: class 5 passes as redirect_shed, 3 and 0 redirected",
	  su_shed5_open, NULL,
	  { { .pkt = UDP4(0, 0, 5000), .want_ret = PASS, .want_reason = HYP_R_REDIRECT_SHED },
	    { .pkt = UDP4(0, 0, 6000), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT },
	    { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT },
	    { .pkt = UDP4(0, 0, 80), .want_ret = PASS, .want_reason = HYP_R_PASS } } },
	{ "shed from 3, fail-closed: classes 3 and 5 dropped as redirect_shed, 0 redirected",
	  su_shed3_closed, NULL,
	  { { .pkt = UDP4(0, 0, 5000), .want_ret = DROP, .want_reason = HYP_R_REDIRECT_SHED },
	    { .pkt = UDP4(0, 0, 6000), .want_ret = DROP, .want_reason = HYP_R_REDIRECT_SHED },
	    { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT } } },
	{ "shed from 1: priority 0 is never shed", su_shed1, NULL,
	  { { .pkt = UDP4(0, 0, 53), .want_ret = REDIR, .want_reason = HYP_R_REDIRECT },
	    { .pkt = UDP4(0, 0, 6000), .want_ret = PASS, .want_reason = HYP_R_REDIRECT_SHED } } },
	{ "malformed: pass to a shed class: redirect_shed, not malformed_redirect",
	  su_shed5_malformed, NULL,
	  { { .pkt = UDP4(0, 0, 5000), .mutate = mut_udp_len7, .want_ret = PASS,
	      .want_reason = HYP_R_REDIRECT_SHED },
	    { .pkt = UDP4(0, 0, 6000), .mutate = mut_udp_len7, .want_ret = REDIR,
	      .want_reason = HYP_R_MAL_REDIRECT } } },
	{ "IPS: an EtherType not in pass_ethertypes is dropped as non_ip_drop", su_ips, NULL,
	  { { .pkt = { .ethertype = 0x88b5 }, .want_ret = DROP, .want_reason = HYP_R_NON_IP_DROP },
	    { .pkt = { .ethertype = 0x0026 }, .want_ret = DROP, .want_reason = HYP_R_NON_IP_DROP },
	    { .pkt = { .family = 0 }, .want_ret = REDIR, .want_reason = HYP_R_FORWARD } } },
	{ "IPS: llc listed: 802.3 length frames (STP) cross", su_ips_llc, NULL,
	  { { .pkt = { .ethertype = 0x0026 }, .want_ret = REDIR, .want_reason = HYP_R_FORWARD } } },
	{ "IDS: any non-IP EtherType still passes to the stack", NULL, NULL,
	  { { .pkt = { .ethertype = 0x88b5 }, .want_ret = PASS,
	      .want_reason = HYP_R_PASS_NON_IP } } },
};

/* ---- runner ------------------------------------------------------------------ */

static uint64_t case_start_ns;

/* 0 when the step's verdict was right, -1 when not, 1 when timing voided it */
static int
run_step(struct hyp_xdp *x, const struct step *s, int idx)
{
	struct hyp_counter before[HYP_R_MAX], after[HYP_R_MAX];
	struct xdp_md ctx = { 0 };
	struct frame f;
	uint8_t in[PKT_MAX + 32];
	LIBBPF_OPTS(bpf_test_run_opts, o);
	unsigned int r, meta, size;
	int ret;

	if (s->sleep_ms)
		usleep(s->sleep_ms * 1000);
	EXPECT(pkt_build(&s->pkt, &f) == 0, "step %d: frame does not build", idx);
	if (s->mutate)
		s->mutate(&f);
	if (s->cut_l4)
		cut_l4(&f, s->cut_l4);

	/*
	 * test_run takes no less than ETH_HLEN bytes of input. A runt frame
	 * still reaches the program: since Linux 6.18 (and its stable
	 * backports) as the short linear part of a multi-buffer frame
	 * (ctx.data_end below the input's size, the rest in a fragment: what a
	 * driver may build); before that as input that starts with metadata
	 * (ctx.data bytes before the frame). Either way the program sees
	 * data_end - data == f.len.
	 */
	meta = 0;
	memcpy(in, f.b, f.len);
	size = f.len;
	if (f.len < ETH_HLEN) {
		memset(in + f.len, 0, ETH_HLEN - f.len);
		size = ETH_HLEN;
	}
again:
	ctx.data = meta;
	ctx.data_end = meta + f.len;
	ctx.ingress_ifindex = ifindex;
	ctx.rx_queue_index = s->rx_queue;
	o.data_in = in;
	o.data_size_in = size;
	o.ctx_in = &ctx;
	o.ctx_size_in = sizeof(ctx);
	o.repeat = 1;

	EXPECT(hyp_xdp_reason_stats(x, before) == 0, "step %d: reading stats failed", idx);
	ret = bpf_prog_test_run_opts(hyp_xdp_prog_fd(x), &o);
	if (ret == -EINVAL && f.len < ETH_HLEN && meta == 0) {
		/* an older kernel: the frame after metadata instead */
		meta = (ETH_HLEN - f.len + 3) & ~3u;
		memset(in, 0, meta);
		memcpy(in + meta, f.b, f.len);
		size = meta + f.len;
		goto again;
	}
	EXPECT(ret == 0, "step %d: BPF_PROG_TEST_RUN failed: %s", idx, strerror(-ret));
	EXPECT(hyp_xdp_reason_stats(x, after) == 0, "step %d: reading stats failed", idx);
	if (s->by_ms) {
		uint64_t ms = (hyp_xdp_now_ns() - case_start_ns) / 1000000;

		if (ms >= s->by_ms) {
			failf("timing: step %d was over %llu ms into the case; its verdict "
			      "holds only within %u ms (the machine stalled)", idx,
			      (unsigned long long)ms, s->by_ms);
			return 1;
		}
	}

	EXPECT((int)o.retval == s->want_ret, "step %d: return code: got %s want %s", idx,
	       act_name(o.retval), act_name(s->want_ret));
	/* report every counter that moved wrongly, not just the first */
	ret = 0;
	for (r = 0; r < HYP_R_MAX; r++) {
		uint64_t dp = after[r].packets - before[r].packets;
		uint64_t dd = after[r].dropped - before[r].dropped;
		uint64_t db = after[r].bytes - before[r].bytes;
		uint64_t wp = r == s->want_reason;
		uint64_t wd = wp && s->want_ret == DROP;
		uint64_t wb = wp * f.len;

		if (dp != wp) {
			failf("step %d: reason_stats[%s].packets delta: got %lu want %lu",
			      idx, hyp_reason_name(r), dp, wp);
			ret = -1;
		}
		if (dd != wd) {
			failf("step %d: reason_stats[%s].dropped delta: got %lu want %lu",
			      idx, hyp_reason_name(r), dd, wd);
			ret = -1;
		}
		if (db != wb) {
			failf("step %d: reason_stats[%s].bytes delta: got %lu want %lu",
			      idx, hyp_reason_name(r), db, wb);
			ret = -1;
		}
	}
	return ret;
}

static int
run_case(struct hyp_xdp *x, const struct tcase *c)
{
	uint64_t aux0[HYP_AUX_MAX], aux1[HYP_AUX_MAX];
	int i, ret;

	ret = reset_state(x);
	EXPECT(ret == 0, "resetting maps failed: %s", strerror(-ret));
	if (consume_events(x) < 0)
		failf("draining events failed");
	case_start_ns = hyp_xdp_now_ns();
	if (c->setup) {
		ret = c->setup(x);
		EXPECT(ret == 0, "setup failed: %s", strerror(-ret));
	}
	EXPECT(hyp_xdp_aux_stats(x, aux0) == 0, "reading aux stats failed");
	for (i = 0; i < MAX_STEPS && (c->steps[i].want_ret || c->steps[i].want_reason); i++) {
		ret = run_step(x, &c->steps[i], i + 1);
		if (ret != 0)
			return ret;
	}
	EXPECT(hyp_xdp_aux_stats(x, aux1) == 0, "reading aux stats failed");
	for (i = 0; i < HYP_AUX_MAX; i++)
		aux1[i] -= aux0[i];
	return c->check ? c->check(x, aux1) : 0;
}

/* ---- environment: own netns, a 4-queue veth, AF_XDP sockets on 0 and 3 ------ */

/* AF_XDP sockets on queues 0 and 3, in xsks_map */
static int
xsks_open(struct hyp_xdp *x, struct xsk_slot xs[2])
{
	unsigned int i;
	int ret, fd;

	for (i = 0; i < 2; i++) {
		xs[i].queue = i == 0 ? 0 : 3;
		ret = xsk_open(&xs[i], VETH);
		if (ret < 0)
			return ret;
		fd = xsk_socket__fd(xs[i].xsk);
		if (bpf_map_update_elem(hyp_xdp_map_fd(x, HYP_MAP_ID_XSKS), &xs[i].queue, &fd,
					BPF_ANY) < 0)
			return -errno;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct xsk_slot xs[2] = { 0 };
	struct hyp_xdp *x = NULL;
	const char *only = argc > 1 ? argv[1] : NULL;
	int ncases = (int)DIM(cases);
	int i, ret, failed = 0, passed = 0;

	ret = test_netns_veth(VETH, VETH_PEER, NQUEUES);
	if (ret == 0)
		ret = test_xdp_load(&x);
	if (ret != 0)
		return ret;
	ifindex = if_nametoindex(VETH);
	peer_ifindex = if_nametoindex(VETH_PEER);
	if ((ret = xsks_open(x, xs)) < 0) {
		printf("Bail out! AF_XDP sockets on " VETH ": %s\n", strerror(-ret));
		return 1;
	}

	printf("1..%d\n", ncases);
	for (i = 0; i < ncases; i++) {
		if (only && strstr(cases[i].name, only) == NULL) {
			printf("ok %d - %s # SKIP not selected\n", i + 1, cases[i].name);
			continue;
		}
		fail_len = 0;
		fail_msg[0] = '\0';
		ret = run_case(x, &cases[i]);
		if (ret > 0) {
			/* the first line of the message says why */
			printf("ok %d - %s # SKIP %.*s\n", i + 1, cases[i].name,
			       (int)strcspn(fail_msg, "\n"), fail_msg);
		} else if (ret == 0) {
			printf("ok %d - %s\n", i + 1, cases[i].name);
			passed++;
		} else {
			printf("not ok %d - %s\n", i + 1, cases[i].name);
			printf("# %s", fail_msg);
			failed++;
		}
	}
	printf("# xdp verdicts: %d passed, %d failed\n", passed, failed);
	xsk_close(&xs[0]);
	xsk_close(&xs[1]);
	hyp_xdp_close(x);
	return failed ? 1 : 0;
}
