/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classifier and per-worker flow table of the slow path.
 *
 * The parser reads headers byte by byte (no casts to header structs): frames
 * from pcap files have no alignment guarantee, and every read is preceded by
 * a check against the end of what the enclosing header says it covers,
 * itself checked against the captured length.
 *
 * The table is an index of one-cache-line buckets over an array of entries
 * allocated once, so the per-packet path never allocates. A flow costs a
 * packet its bucket's line and its entry's two: rte_hash, which it
 * replaced, read two buckets and a key-store entry besides the entry (its
 * bulk lookup was a quarter of the worker's samples on 64-byte DNS). Only
 * the owning worker writes: no locks, and the counters are plain
 * increments.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_debug.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_memzone.h>

#include "hyp_log.h"
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "hyp_xdp_shared.h"	/* HYP_VLAN_MAX_DEPTH, HYP_IPV6_EXT_MAX */
#include "hyp_addr.h"
#include "hyp_flow.h"

HYP_LOG_TYPE(flow);
#define HYP_FLOW_LOG(level, ...) HYP_LOG(flow, level, __VA_ARGS__)

#define IP4_HDR_MIN	20
#define IP6_HDR_LEN	40
#define IP6_EXT_MIN	8	/* every extension header is at least this long */
#define IP6_FRAG_HDR	8
#define TCP_HDR_MIN	20
#define UDP_HDR_LEN	8
#define IP_MAX_LEN	65535u

#define IPPROTO_HOPOPTS_	0
#define IPPROTO_ROUTING_	43
#define IPPROTO_FRAGMENT_	44
#define IPPROTO_AH_		51
#define IPPROTO_DSTOPTS_	60

/* a table smaller than a bucket is a mistake */
#define HYP_FLOW_MIN_ENTRIES	8
/* so that the buckets' count and every size stay well within 32 bits */
#define FT_MAX_ENTRIES	(1u << 28)

/*
 * The hash picks the worker and the bucket. A secret an attacker knows lets
 * him craft 5-tuples that all land on one worker or one bucket chain, so it
 * is drawn once per process (the rx stage and every table must agree).
 */
static uint64_t flow_key[HYP_FLOW_HASH_WORDS];
static pthread_once_t flow_key_once = PTHREAD_ONCE_INIT;

static void
flow_key_init(void)
{
	unsigned int i;

	if (getrandom(flow_key, sizeof(flow_key), 0) == (ssize_t)sizeof(flow_key))
		return;
	/* no entropy this early is unheard of; say so, go on with the TSC */
	HYP_FLOW_LOG(WARNING, "getrandom failed: flow hash keyed from the clock");
	for (i = 0; i < HYP_FLOW_HASH_WORDS; i++)
		flow_key[i] = rte_get_tsc_cycles() * 0x9e3779b97f4a7c15ull + i;
}

const uint64_t *
hyp_flow_hash_key(void)
{
	pthread_once(&flow_key_once, flow_key_init);
	return flow_key;
}

/* Used slots looked at to pick a flow to evict when the table is full. */
#define HYP_FLOW_EVICT_SAMPLE	32

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline bool
ip6_is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS_ || nh == IPPROTO_ROUTING_ ||
	       nh == IPPROTO_FRAGMENT_ || nh == IPPROTO_DSTOPTS_ ||
	       nh == IPPROTO_AH_;
}

/*
 * Ports and payload of the L4 header at l4, with end the end of the IP
 * packet (already within the frame). first_frag: more fragments follow, so
 * the UDP length may legitimately reach past this packet.
 */
static int
parse_l4(const uint8_t *frame, uint32_t l4, uint32_t end, bool first_frag,
	 struct hyp_pkt_meta *m)
{
	uint32_t avail = end - l4;
	const uint8_t *p = frame + l4;
	uint32_t hl, ulen;

	m->l4_off = (uint16_t)l4;
	m->sport = 0;
	m->dport = 0;

	switch (m->proto) {
	case IPPROTO_TCP:
		if (avail < TCP_HDR_MIN)
			return -EINVAL;
		hl = (uint32_t)(p[12] >> 4) * 4;
		if (hl < TCP_HDR_MIN || hl > avail)
			return -EINVAL;
		m->sport = rd16(p);
		m->dport = rd16(p + 2);
		m->tcp_seq = ((uint32_t)rd16(p + 4) << 16) | rd16(p + 6);
		m->tcp_flags = p[13];
		m->payload_off = (uint16_t)(l4 + hl);
		m->payload_len = (uint16_t)(avail - hl);
		return 0;
	case IPPROTO_UDP:
		if (avail < UDP_HDR_LEN)
			return -EINVAL;
		ulen = rd16(p + 4);
		if (ulen < UDP_HDR_LEN)
			return -EINVAL;
		if (ulen > avail) {
			if (!first_frag)
				return -EINVAL;
			ulen = avail;
		}
		m->sport = rd16(p);
		m->dport = rd16(p + 2);
		m->payload_off = (uint16_t)(l4 + UDP_HDR_LEN);
		m->payload_len = (uint16_t)(ulen - UDP_HDR_LEN);
		return 0;
	default:
		m->payload_off = (uint16_t)l4;
		m->payload_len = (uint16_t)avail;
		return 0;
	}
}

/* A fragment that does not start at offset 0: nothing past the IP layer. */
static int
later_fragment(uint32_t l4, struct hyp_pkt_meta *m)
{
	m->is_fragment = 1;
	m->sport = 0;
	m->dport = 0;
	m->l4_off = (uint16_t)l4;
	m->payload_off = (uint16_t)l4;
	m->payload_len = 0;
	return 0;
}

/*
 * ::ffff:a.b.c.d in two 8-byte stores: the key is built from the address
 * in 8-byte loads right after, and a load over the prefix's store and the
 * address's, narrower, cannot be forwarded from the store buffer (it waited
 * for both to commit: 60% of the key builder's time).
 */
static inline void
v4_mapped(uint8_t out[16], const uint8_t *a4)
{
	uint64_t lo = 0, hi;
	uint32_t a;

	memcpy(&a, a4, sizeof(a));
	hi = rte_cpu_to_be_64(0x0000ffff00000000ull | rte_be_to_cpu_32(a));
	memcpy(out, &lo, sizeof(lo));
	memcpy(out + 8, &hi, sizeof(hi));
}

static int
parse_ipv4(const uint8_t *frame, uint32_t len, uint32_t off,
	   struct hyp_pkt_meta *m)
{
	const uint8_t *p = frame + off;
	uint32_t ihl, tot, frag_off;
	uint16_t frag;

	if (len - off < IP4_HDR_MIN || (p[0] >> 4) != 4)
		return -EINVAL;
	ihl = (uint32_t)(p[0] & 0x0f) * 4;
	tot = rd16(p + 2);
	/* the total length bounds everything after: padding is not payload */
	if (ihl < IP4_HDR_MIN || tot < ihl || tot > len - off)
		return -EINVAL;
	frag = rd16(p + 6);
	frag_off = (uint32_t)(frag & 0x1fff) * 8;
	if (frag_off + (tot - ihl) > IP_MAX_LEN)
		return -EINVAL;

	m->family = 4;
	m->proto = p[9];
	if ((frag & 0x3fff) != 0) {
		m->frag.is = 1;
		m->frag.more = (frag & 0x2000) != 0;
		m->frag.nexthdr = p[9];
		m->frag.offset = (uint16_t)frag_off;
		m->frag.id = rd16(p + 4);
		m->frag.unfrag_len = (uint16_t)ihl;
		m->frag.data_off = (uint16_t)(off + ihl);
		m->frag.data_len = (uint16_t)(tot - ihl);
	}
	v4_mapped(m->src, p + 12);
	v4_mapped(m->dst, p + 16);

	if (frag_off != 0)
		return later_fragment(off + ihl, m);
	return parse_l4(frame, off + ihl, off + tot, (frag & 0x2000) != 0, m);
}

static int
parse_ipv6(const uint8_t *frame, uint32_t len, uint32_t off,
	   struct hyp_pkt_meta *m)
{
	const uint8_t *p = frame + off;
	uint32_t end, cur, hl, nh_byte;
	bool first_frag = false;
	unsigned int n;
	uint8_t nh;

	if (len - off < IP6_HDR_LEN || (p[0] >> 4) != 6)
		return -EINVAL;
	if (rd16(p + 4) > len - off - IP6_HDR_LEN)
		return -EINVAL;
	end = off + IP6_HDR_LEN + rd16(p + 4);

	m->family = 6;
	memcpy(m->src, p + 8, 16);
	memcpy(m->dst, p + 24, 16);

	nh = p[6];
	nh_byte = off + 6;
	cur = off + IP6_HDR_LEN;
	for (n = 0; ip6_is_ext(nh); n++) {
		const uint8_t *h = frame + cur;

		/* bounded like the XDP program: a long chain is an attack */
		if (n == HYP_IPV6_EXT_MAX || end - cur < IP6_EXT_MIN)
			return -EINVAL;
		switch (nh) {
		case IPPROTO_FRAGMENT_:
			hl = IP6_FRAG_HDR;
			/*
			 * offset 0 and no more: atomic, a whole datagram. A
			 * second fragment header is data of the first's
			 * datagram, as a receiver sees it after reassembly.
			 */
			if ((rd16(h + 2) & 0xfff9) != 0 && !m->frag.is) {
				m->frag.is = 1;
				m->frag.more = h[3] & 0x01;
				m->frag.nexthdr = h[0];
				m->frag.offset = rd16(h + 2) & 0xfff8;
				m->frag.id = ((uint32_t)rd16(h + 4) << 16) | rd16(h + 6);
				m->frag.unfrag_len = (uint16_t)(cur - off);
				m->frag.data_off = (uint16_t)(cur + hl);
				m->frag.data_len = (uint16_t)(end - cur - hl);
				m->frag.nh_byte = (uint16_t)nh_byte;
			}
			if ((rd16(h + 2) & 0xfff8) != 0) {
				m->proto = h[0];
				return later_fragment(cur + hl, m);
			}
			first_frag = (h[3] & 0x01) != 0;
			break;
		case IPPROTO_AH_:
			hl = ((uint32_t)h[1] + 2) * 4;
			break;
		default:
			hl = ((uint32_t)h[1] + 1) * 8;
			break;
		}
		if (hl > end - cur)
			return -EINVAL;
		nh = h[0];
		nh_byte = cur;
		cur += hl;
	}
	m->proto = nh;
	return parse_l4(frame, cur, end, first_frag, m);
}

int
hyp_flow_parse(const uint8_t *frame, uint32_t len, struct hyp_pkt_meta *m)
{
	uint32_t off = RTE_ETHER_HDR_LEN;
	unsigned int depth = 0;
	uint16_t type;

	if (frame == NULL || m == NULL || len < RTE_ETHER_HDR_LEN)
		return -EINVAL;

	memset(m, 0, sizeof(*m));
	type = rd16(frame + 12);
	while (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) {
		if (++depth > HYP_VLAN_MAX_DEPTH || len - off < 4)
			return -EINVAL;
		type = rd16(frame + off + 2);
		off += 4;
	}
	m->l3_off = (uint16_t)off;

	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		return parse_ipv4(frame, len, off, m);
	case RTE_ETHER_TYPE_IPV6:
		return parse_ipv6(frame, len, off, m);
	default:
		return -ENOTSUP;
	}
}

bool
hyp_flow_maybe_fragment(const uint8_t *frame, uint32_t len)
{
	uint16_t type;

	if (frame == NULL || len < RTE_ETHER_HDR_LEN)
		return false;	/* the parse refuses it: not a fragment either way */
	type = rd16(frame + 12);
	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		/* flags and offset: MF or an offset makes a fragment, DF does not */
		return len < RTE_ETHER_HDR_LEN + 20 ||
		       (rd16(frame + RTE_ETHER_HDR_LEN + 6) & 0x3fff) != 0;
	case RTE_ETHER_TYPE_IPV6: {
		uint8_t nh;

		if (len < RTE_ETHER_HDR_LEN + 40)
			return true;
		nh = frame[RTE_ETHER_HDR_LEN + 6];
		return nh != IPPROTO_TCP && nh != IPPROTO_UDP && nh != IPPROTO_ICMPV6;
	}
	case RTE_ETHER_TYPE_VLAN:
	case RTE_ETHER_TYPE_QINQ:
		return true;
	default:
		return false;
	}
}

/* memcmp()'s order on two 16-byte addresses given as their two words each, no call */
static inline int
addr_cmp(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	a0 = rte_be_to_cpu_64(a0);
	b0 = rte_be_to_cpu_64(b0);
	if (a0 != b0)
		return a0 < b0 ? -1 : 1;
	a1 = rte_be_to_cpu_64(a1);
	b1 = rte_be_to_cpu_64(b1);
	return a1 == b1 ? 0 : a1 < b1 ? -1 : 1;
}

int
hyp_flow5_from_meta(const struct hyp_pkt_meta *m, struct hyp_flow5 *k)
{
	uint8_t tail[sizeof(*k) - offsetof(struct hyp_flow5, port_a)] = { 0 };
	uint64_t s0, s1, d0, d1;
	uint16_t pa, pb;
	int c, dir;

	/*
	 * Everything in whole words, loaded once and stored as loaded: the
	 * hash reads the key in 8-byte words right away, and a load over
	 * narrower (or differently split) stores cannot be forwarded from the
	 * store buffer; it waits for them to commit.
	 */
	memcpy(&s0, m->src, 8);
	memcpy(&s1, m->src + 8, 8);
	memcpy(&d0, m->dst, 8);
	memcpy(&d1, m->dst + 8, 8);
	c = addr_cmp(s0, s1, d0, d1);
	dir = c > 0 || (c == 0 && m->sport > m->dport);
	pa = dir ? m->dport : m->sport;
	pb = dir ? m->sport : m->dport;
	memcpy(tail, &pa, sizeof(pa));
	memcpy(tail + 2, &pb, sizeof(pb));
	tail[offsetof(struct hyp_flow5, proto) - offsetof(struct hyp_flow5, port_a)] = m->proto;
	tail[offsetof(struct hyp_flow5, family) - offsetof(struct hyp_flow5, port_a)] = m->family;
	if (dir) {
		memcpy(k->addr_a, &d0, 8);
		memcpy(k->addr_a + 8, &d1, 8);
		memcpy(k->addr_b, &s0, 8);
		memcpy(k->addr_b + 8, &s1, 8);
	} else {
		memcpy(k->addr_a, &s0, 8);
		memcpy(k->addr_a + 8, &s1, 8);
		memcpy(k->addr_b, &d0, 8);
		memcpy(k->addr_b + 8, &d1, 8);
	}
	memcpy(&k->port_a, tail, sizeof(tail));
	return dir;
}

uint32_t
hyp_flow5_hash(const struct hyp_flow5 *k)
{
	return hyp_flow5_hash_with(k, hyp_flow_hash_key());
}

/*
 * The index: FT_SLOTS (signature, entry) pairs per bucket, one cache line,
 * probed linearly from the flow's home bucket. A bucket's over counts the
 * flows stored past it because it was full when they came, so a lookup
 * stops at the first bucket that neither holds the flow nor was passed
 * over: no tombstones, and a removal (which walks the same path back)
 * leaves nothing behind. At most 3/4 of the slots are used at full
 * capacity, so a probe rarely leaves its home bucket; the hash's secret
 * keeps an attacker from choosing which bucket that is.
 */
#define FT_SLOTS	7
#define FT_SIG_USED	0x80000000u	/* a signature is never 0, a free slot's is */

struct ft_bucket {
	uint32_t sig[FT_SLOTS];	/* the flow's hash | FT_SIG_USED; 0: free */
	uint32_t over;
	uint32_t idx[FT_SLOTS];	/* its entry */
	uint32_t pad;
} __rte_cache_aligned;

_Static_assert(sizeof(struct ft_bucket) == RTE_CACHE_LINE_SIZE, "a bucket is one cache line");

struct hyp_flow_table {
	const struct rte_memzone *mz;	/* the buckets; its name is the table's */
	struct ft_bucket *bkt;
	uint32_t bkt_mask;
	struct hyp_flow_entry *entries;	/* [position] */
	uint32_t *hashes;		/* so a removal finds its path without rehashing */
	uint32_t *free_pos;		/* a stack of the positions not in use */
	uint32_t n_free;
	uint8_t *used;			/* which positions hold a flow */
	uint32_t capacity;
	uint32_t count;
	uint32_t cursor;		/* where the next expiry sweep starts */
	uint32_t evict_cursor;		/* where the next eviction sample starts */
	uint64_t sweep_tsc;		/* the sweep has paid for the time up to here */
	uint64_t sweep_period;		/* the period slot_tsc was worked out for */
	uint64_t slot_tsc;		/* one slot's share of it */
	uint64_t removals;		/* the stamp of hyp_flow_prefetch()'s hints */
	struct hyp_flow_table_stats st;
	hyp_flow_release_t release;
	void *release_arg;
};

void
hyp_flow_table_set_release(struct hyp_flow_table *t, hyp_flow_release_t cb, void *arg)
{
	t->release = cb;
	t->release_arg = arg;
}

struct hyp_flow_table *
hyp_flow_table_create(const char *name, uint32_t entries, int socket_id)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	struct hyp_flow_table *t;
	uint32_t n_bkt, i;

	if (name == NULL || strnlen(name, HYP_FLOW_NAME_MAX + 1) >
	    HYP_FLOW_NAME_MAX || entries < HYP_FLOW_MIN_ENTRIES ||
	    entries > FT_MAX_ENTRIES) {
		HYP_FLOW_LOG(ERR, "bad name or size (%u entries)", entries);
		rte_errno = EINVAL;
		return NULL;
	}
	/* slots for 4/3 of the capacity, in a power of two of buckets */
	n_bkt = rte_align32pow2((uint32_t)(((uint64_t)entries * 4 + 3 * FT_SLOTS - 1) /
					   (3 * FT_SLOTS)));

	t = rte_zmalloc_socket("hyp_flow_table", sizeof(*t), 0, socket_id);
	if (t == NULL)
		goto nomem;
	t->capacity = entries;
	t->entries = rte_zmalloc_socket("hyp_flow_entries",
					(size_t)entries * sizeof(*t->entries),
					RTE_CACHE_LINE_SIZE, socket_id);
	t->hashes = rte_zmalloc_socket("hyp_flow_hashes",
				       (size_t)entries * sizeof(*t->hashes),
				       0, socket_id);
	t->free_pos = rte_malloc_socket("hyp_flow_free",
					(size_t)entries * sizeof(*t->free_pos), 0, socket_id);
	t->used = rte_zmalloc_socket("hyp_flow_used", entries, 0, socket_id);
	if (t->entries == NULL || t->hashes == NULL || t->free_pos == NULL || t->used == NULL)
		goto nomem;
	/* popped in order: the first flows take the first positions */
	for (i = 0; i < entries; i++)
		t->free_pos[i] = entries - 1 - i;
	t->n_free = entries;

	/* a memzone, so a second table of the same name is refused (EEXIST) */
	snprintf(mz_name, sizeof(mz_name), "hypft_%s", name);
	t->mz = rte_memzone_reserve_aligned(mz_name, (size_t)n_bkt * sizeof(struct ft_bucket),
					    socket_id, 0, RTE_CACHE_LINE_SIZE);
	if (t->mz == NULL) {
		int err = rte_errno;

		HYP_FLOW_LOG(ERR, "buckets of %s (%u): %s", name, n_bkt, rte_strerror(err));
		hyp_flow_table_free(t);
		rte_errno = err;
		return NULL;
	}
	t->bkt = t->mz->addr;
	memset(t->bkt, 0, (size_t)n_bkt * sizeof(struct ft_bucket));
	t->bkt_mask = n_bkt - 1;
	return t;

nomem:
	HYP_FLOW_LOG(ERR, "no memory for %u flows", entries);
	hyp_flow_table_free(t);
	rte_errno = ENOMEM;
	return NULL;
}

void
hyp_flow_table_free(struct hyp_flow_table *t)
{
	if (t == NULL)
		return;
	if (t->release != NULL && t->used != NULL && t->entries != NULL) {
		uint32_t i;

		for (i = 0; i < t->capacity; i++)
			if (t->used[i])
				t->release(t->release_arg, &t->entries[i]);
	}
	rte_memzone_free(t->mz);
	rte_free(t->used);
	rte_free(t->free_pos);
	rte_free(t->hashes);
	rte_free(t->entries);
	rte_free(t);
}

static inline bool
key_eq(const struct hyp_flow5 *a, const struct hyp_flow5 *b)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	uint64_t d = 0, u, v;
	unsigned int i;

	/*
	 * Whole words, no early exit, each through memcpy: a key is not an
	 * array of uint64_t, and read as one in place the compiler may take it
	 * for unwritten (as rte_hash_crc() was seen to at -O2).
	 */
	for (i = 0; i < sizeof(*a); i += sizeof(u)) {
		memcpy(&u, x + i, sizeof(u));
		memcpy(&v, y + i, sizeof(v));
		d |= u ^ v;
	}
	return d == 0;
}

/* The slot of sig in b holding k, or -1. */
static inline int
bucket_find(const struct hyp_flow_table *t, const struct ft_bucket *b, uint32_t sig,
	    const struct hyp_flow5 *k)
{
	unsigned int i;

	for (i = 0; i < FT_SLOTS; i++)
		if (b->sig[i] == sig && key_eq(&t->entries[b->idx[i]].key, k))
			return (int)i;
	return -1;
}

/* The position of flow k, or -ENOENT. */
static int32_t
ft_lookup(const struct hyp_flow_table *t, const struct hyp_flow5 *k, uint32_t hash)
{
	uint32_t sig = hash | FT_SIG_USED, b = hash & t->bkt_mask, n;

	/* every bucket at most once: bounded whatever the counters say */
	for (n = 0; n <= t->bkt_mask; n++) {
		const struct ft_bucket *bk = &t->bkt[b];
		int s = bucket_find(t, bk, sig, k);

		if (s >= 0)
			return (int32_t)bk->idx[s];
		if (bk->over == 0)
			break;
		b = (b + 1) & t->bkt_mask;
	}
	return -ENOENT;
}

/* Index position pos under hash: the first free slot from its home bucket. */
static int
ft_insert(struct hyp_flow_table *t, uint32_t hash, uint32_t pos)
{
	uint32_t b = hash & t->bkt_mask, n, i;

	for (n = 0; n <= t->bkt_mask; n++) {
		struct ft_bucket *bk = &t->bkt[b];

		for (i = 0; i < FT_SLOTS; i++) {
			if (bk->sig[i] == 0) {
				bk->sig[i] = hash | FT_SIG_USED;
				bk->idx[i] = pos;
				return 0;
			}
		}
		bk->over++;
		b = (b + 1) & t->bkt_mask;
	}
	/* cannot happen below capacity (a quarter of the slots stay free): undo */
	for (b = hash & t->bkt_mask, n = 0; n <= t->bkt_mask; n++, b = (b + 1) & t->bkt_mask)
		t->bkt[b].over--;
	return -ENOSPC;
}

/*
 * Take position pos (hash) out of the index, and take back the counts of
 * the buckets it was stored past.
 */
static int
ft_erase(struct hyp_flow_table *t, uint32_t hash, uint32_t pos)
{
	uint32_t sig = hash | FT_SIG_USED, home = hash & t->bkt_mask, b = home, n, i;

	for (n = 0; n <= t->bkt_mask; n++) {
		struct ft_bucket *bk = &t->bkt[b];

		for (i = 0; i < FT_SLOTS; i++) {
			if (bk->sig[i] == sig && bk->idx[i] == pos) {
				bk->sig[i] = 0;
				for (b = home; n-- > 0; b = (b + 1) & t->bkt_mask)
					t->bkt[b].over--;
				return 0;
			}
		}
		if (bk->over == 0)
			break;
		b = (b + 1) & t->bkt_mask;
	}
	return -ENOENT;
}

/* Remove the flow in slot pos (its key and hash are in the table). */
static int
flow_remove(struct hyp_flow_table *t, uint32_t pos)
{
	struct hyp_flow_entry *e = &t->entries[pos];
	uint32_t hash = t->hashes[pos];

	if (unlikely(ft_lookup(t, &e->key, hash) != (int32_t)pos || ft_erase(t, hash, pos) < 0)) {
		/* index and entry disagree: keep the slot, say so */
		HYP_FLOW_LOG(ERR, "slot %u: not where its hash leads", pos);
		return -EINVAL;
	}
	/* the position may now be given to another flow */
	t->removals++;
	if (t->release != NULL)
		t->release(t->release_arg, e);
	t->used[pos] = 0;
	t->free_pos[t->n_free++] = pos;
	t->count--;
	return 0;
}

/*
 * How much a flow is worth keeping: a verdict (a cached drop is what stops
 * a flow's later packets cheaply) over an established flow over one that
 * never got an answer (a spoofed SYN's). Lower goes first.
 */
static inline unsigned int
flow_worth(const struct hyp_flow_entry *e)
{
	return (e->verdict != HYP_FLOW_VERDICT_NONE) * 2 + hyp_flow_established(e);
}

/*
 * A full table makes room: of HYP_FLOW_EVICT_SAMPLE used slots from a
 * rotating cursor, the least worth keeping and, among those, the longest
 * idle. A sample, not an exact LRU: exact order would cost a list update
 * per packet, and a flood of new flows is exactly when that hurts.
 */
static int
flow_evict(struct hyp_flow_table *t)
{
	uint32_t best = UINT32_MAX, seen = 0, looked;
	unsigned int best_worth = UINT_MAX;
	uint64_t best_tsc = UINT64_MAX;

	for (looked = 0; looked < t->capacity && seen < HYP_FLOW_EVICT_SAMPLE; looked++) {
		uint32_t pos = t->evict_cursor;
		const struct hyp_flow_entry *e = &t->entries[pos];
		unsigned int w;

		if (++t->evict_cursor == t->capacity)
			t->evict_cursor = 0;
		if (!t->used[pos])
			continue;
		seen++;
		w = flow_worth(e);
		if (w < best_worth || (w == best_worth && e->last_tsc < best_tsc)) {
			best = pos;
			best_worth = w;
			best_tsc = e->last_tsc;
		}
	}
	if (best == UINT32_MAX || flow_remove(t, best) < 0)
		return -ENOSPC;
	t->st.evicted[best_worth > 1 ? 2 : best_worth]++;
	return 0;
}

uint64_t
hyp_flow_prefetch(struct hyp_flow_table *t, const struct hyp_flow5 *const *keys,
		  const uint32_t *hashes, unsigned int n, int32_t *pos)
{
	unsigned int i, k;

	/*
	 * Three passes, so that each one's cache misses overlap across the
	 * burst: every home bucket; then each bucket's first candidate's
	 * entry (both lines: the key, then the counters); then the compares.
	 */
	for (i = 0; i < n; i++)
		rte_prefetch0(&t->bkt[hashes[i] & t->bkt_mask]);
	for (i = 0; i < n; i++) {
		const struct ft_bucket *bk = &t->bkt[hashes[i] & t->bkt_mask];
		uint32_t sig = hashes[i] | FT_SIG_USED;

		pos[i] = -ENOENT;
		for (k = 0; k < FT_SLOTS; k++) {
			if (bk->sig[k] == sig) {
				const struct hyp_flow_entry *e = &t->entries[bk->idx[k]];

				rte_prefetch0(e);
				rte_prefetch0(&e->packets);
				pos[i] = (int32_t)bk->idx[k];
				break;
			}
		}
	}
	for (i = 0; i < n; i++)
		if (pos[i] < 0 || !key_eq(&t->entries[pos[i]].key, keys[i]))
			/* no candidate, or a signature's collision: the whole probe */
			pos[i] = ft_lookup(t, keys[i], hashes[i]);
	return t->removals;
}

struct hyp_flow_entry *
hyp_flow_lookup_or_add(struct hyp_flow_table *t, const struct hyp_flow5 *k,
		       uint32_t hash, uint64_t now_tsc)
{
	struct hyp_flow_entry *e;
	int32_t pos;

	pos = ft_lookup(t, k, hash);
	if (likely(pos >= 0)) {
		e = &t->entries[pos];
		e->last_tsc = now_tsc;
		return e;
	}

	if (t->n_free == 0 && flow_evict(t) < 0) {
		t->st.full++;
		return NULL;
	}
	pos = (int32_t)t->free_pos[t->n_free - 1];
	if (ft_insert(t, hash, (uint32_t)pos) < 0) {
		t->st.full++;
		return NULL;
	}
	t->n_free--;
	RTE_ASSERT((uint32_t)pos < t->capacity);
	e = &t->entries[pos];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->first_tsc = now_tsc;
	e->last_tsc = now_tsc;
	e->verdict = HYP_FLOW_VERDICT_NONE;
	e->initiator = HYP_FLOW_DIR_UNKNOWN;
	t->hashes[pos] = hash;
	t->used[pos] = 1;
	t->count++;
	t->st.added++;
	return e;
}

struct hyp_flow_entry *
hyp_flow_lookup_or_add_hinted(struct hyp_flow_table *t, const struct hyp_flow5 *k,
			      uint32_t hash, int32_t pos, uint64_t stamp, uint64_t now_tsc)
{
	struct hyp_flow_entry *e;

	if (pos < 0 || stamp != t->removals)
		return hyp_flow_lookup_or_add(t, k, hash, now_tsc);
	RTE_ASSERT((uint32_t)pos < t->capacity && t->used[pos]);
	e = &t->entries[pos];
	e->last_tsc = now_tsc;
	return e;
}

void
hyp_flow_note(struct hyp_flow_entry *e, int dir, uint8_t proto, uint8_t tcp_flags)
{
	uint8_t syn = tcp_flags & HYP_TCP_SYN, ack = tcp_flags & HYP_TCP_ACK;

	if (e->initiator == HYP_FLOW_DIR_UNKNOWN)
		/* a SYN-ACK first: the side that sent the SYN we missed began */
		e->initiator = (uint8_t)(proto == IPPROTO_TCP && syn && ack ? !dir : dir);
	if (proto != IPPROTO_TCP)
		return;
	if (dir == e->initiator) {
		if (syn && !ack)
			e->tcp_hs |= HYP_FLOW_HS_SYN;
		else if (!syn && ack && (e->tcp_hs & HYP_FLOW_HS_SYNACK))
			e->tcp_hs |= HYP_FLOW_HS_ACK;
	} else if (syn && ack && (e->tcp_hs & HYP_FLOW_HS_SYN)) {
		e->tcp_hs |= HYP_FLOW_HS_SYNACK;
	}
}

unsigned int
hyp_flow_table_expire(struct hyp_flow_table *t, uint64_t now_tsc,
		      uint64_t idle_tsc, unsigned int budget)
{
	unsigned int removed = 0;
	unsigned int i;

	if (budget > t->capacity)
		budget = t->capacity;
	for (i = 0; i < budget; i++) {
		uint32_t pos = t->cursor;
		struct hyp_flow_entry *e = &t->entries[pos];

		if (++t->cursor == t->capacity)
			t->cursor = 0;
		if (!t->used[pos])
			continue;
		/* a TSC read on another core may be slightly ahead: not idle */
		if (now_tsc < e->last_tsc || now_tsc - e->last_tsc < idle_tsc)
			continue;
		if (flow_remove(t, pos) == 0)
			removed++;
	}
	t->st.expired += removed;
	return removed;
}

unsigned int
hyp_flow_table_sweep(struct hyp_flow_table *t, uint64_t now_tsc, uint64_t idle_tsc,
		     uint64_t period_tsc, unsigned int max_budget)
{
	uint64_t owed, elapsed;

	if (t->sweep_tsc == 0 || now_tsc < t->sweep_tsc || period_tsc == 0) {
		t->sweep_tsc = now_tsc;
		return 0;
	}
	/* called every loop turn: one division per period change, none per turn */
	if (period_tsc != t->sweep_period) {
		t->sweep_period = period_tsc;
		t->slot_tsc = period_tsc / t->capacity ? period_tsc / t->capacity : 1;
	}
	elapsed = now_tsc - t->sweep_tsc;
	if (elapsed < t->slot_tsc)
		return 0;
	/* slots owed, at capacity slots per period; what is not paid stays owed */
	owed = elapsed / t->slot_tsc;
	if (owed > max_budget)
		owed = max_budget;
	t->sweep_tsc += owed * t->slot_tsc;
	return hyp_flow_table_expire(t, now_tsc, idle_tsc, (unsigned int)owed);
}

void
hyp_flow_table_get_stats(const struct hyp_flow_table *t, struct hyp_flow_table_stats *st)
{
	*st = t->st;
}

uint32_t
hyp_flow_table_count(const struct hyp_flow_table *t)
{
	return t->count;
}

uint32_t
hyp_flow_table_capacity(const struct hyp_flow_table *t)
{
	return t->capacity;
}

static inline uint64_t
flow_total(const struct hyp_flow_entry *e)
{
	return e->bytes[0] + e->bytes[1];
}

static inline void
entry_swap(struct hyp_flow_entry *a, struct hyp_flow_entry *b)
{
	struct hyp_flow_entry tmp = *a;

	*a = *b;
	*b = tmp;
}

/* Min-heap by total bytes over h[0..n): the root is the smallest kept. */
static void
heap_down(struct hyp_flow_entry *h, unsigned int n, unsigned int i)
{
	for (;;) {
		unsigned int l = 2 * i + 1, r = l + 1, min = i;

		if (l < n && flow_total(&h[l]) < flow_total(&h[min]))
			min = l;
		if (r < n && flow_total(&h[r]) < flow_total(&h[min]))
			min = r;
		if (min == i)
			return;
		entry_swap(&h[i], &h[min]);
		i = min;
	}
}

static void
heap_up(struct hyp_flow_entry *h, unsigned int i)
{
	while (i > 0) {
		unsigned int parent = (i - 1) / 2;

		if (flow_total(&h[parent]) <= flow_total(&h[i]))
			return;
		entry_swap(&h[parent], &h[i]);
		i = parent;
	}
}

int
hyp_flow_table_top(const struct hyp_flow_table *t, struct hyp_flow_entry *out,
		   unsigned int n)
{
	unsigned int k = 0;
	uint32_t pos;

	if (t == NULL || (out == NULL && n > 0))
		return -EINVAL;
	if (n == 0)
		return 0;

	for (pos = 0; pos < t->capacity; pos++) {
		const struct hyp_flow_entry *e = &t->entries[pos];

		if (!t->used[pos])
			continue;
		if (k < n) {
			out[k] = *e;
			heap_up(out, k);
			k++;
		} else if (flow_total(e) > flow_total(&out[0])) {
			out[0] = *e;
			heap_down(out, k, 0);
		}
	}

	/* heap sort: the smallest goes last each round, so largest first */
	for (pos = k; pos > 1; pos--) {
		entry_swap(&out[0], &out[pos - 1]);
		heap_down(out, pos - 1, 0);
	}
	return (int)k;
}
