/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP reassembly (see hyp_defrag.h for what and why). A datagram is its
 * bytes in one growing buffer, the ranges of it that arrived (sorted and
 * merged, so an overlap is found and compared where it lands), and the
 * first fragment's headers. The table is an rte_hash with a random seed,
 * the datagrams sit in a list by age for the timeout, and the reassembled
 * frame is an mbuf with an external buffer whose free callback also frees
 * what it still holds, so no path that drops it can leak a fragment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "hyp_log.h"
#include "hyp_defrag.h"

HYP_LOG_TYPE(defrag);
#define DF_LOG(level, ...) HYP_LOG(defrag, level, __VA_ARGS__)

#define DG_UNKNOWN	UINT32_MAX	/* total length before the last fragment */
/* L2 and the unfragmentable headers of the first fragment; longer is refused */
#define DG_HDR_MAX	512
#define IP_MAX		65535u
#define IP4_MIN_MTU	68		/* RFC 791: what every link carries */
#define IP6_MIN_MTU	1280		/* RFC 8200 */
#define IP6_HDR_LEN	40
#define IP6_FRAG_LEN	8
#define OUT_MAGIC	0x68796466u

const struct hyp_stat_desc hyp_defrag_stat_descs[] = {
	HYP_STAT(struct hyp_defrag_stats, fragments, COUNTER,
		 "IP fragments taken for reassembly"),
	HYP_STAT(struct hyp_defrag_stats, reassembled, COUNTER,
		 "Datagrams reassembled whole and inspected"),
	HYP_STAT(struct hyp_defrag_stats, timeouts, COUNTER,
		 "Datagrams dropped incomplete when their time was up"),
	HYP_STAT(struct hyp_defrag_stats, timeout_fragments, COUNTER,
		 "Fragments of the datagrams that timed out"),
	HYP_STAT(struct hyp_defrag_stats, table_full, COUNTER,
		 "Fragments of a new datagram dropped: as many datagrams held as allowed"),
	HYP_STAT(struct hyp_defrag_stats, too_many_fragments, COUNTER,
		 "Datagrams dropped whole for more fragments than allowed"),
	HYP_STAT(struct hyp_defrag_stats, memcap, COUNTER,
		 "Datagrams dropped whole: their bytes would pass the memory cap"),
	HYP_STAT(struct hyp_defrag_stats, too_large, COUNTER,
		 "Fragments or datagrams dropped for reaching past 65535 bytes"),
	HYP_STAT(struct hyp_defrag_stats, invalid, COUNTER,
		 "Fragments dropped as impossible (empty, not a multiple of 8 with more to come, "
		 "past the datagram's end, two different ends), with their datagram"),
	HYP_STAT(struct hyp_defrag_stats, overlaps, COUNTER,
		 "Fragments overlapping bytes already held, with the same bytes"),
	HYP_STAT(struct hyp_defrag_stats, conflicts, COUNTER,
		 "Fragments overlapping bytes already held with different ones (an evasion)"),
	HYP_STAT(struct hyp_defrag_stats, tiny, COUNTER,
		 "Fragments with more to come in a packet below the minimum MTU (68, 1280)"),
	HYP_STAT(struct hyp_defrag_stats, no_mbuf, COUNTER,
		 "Complete datagrams dropped: no buffer to deliver them in"),
	HYP_STAT(struct hyp_defrag_stats, datagrams_held, GAUGE,
		 "Datagrams waiting for fragments now"),
	HYP_STAT(struct hyp_defrag_stats, bytes_held, GAUGE,
		 "Bytes of fragment data held now"),
};
const unsigned int hyp_defrag_stat_count = RTE_DIM(hyp_defrag_stat_descs);
_Static_assert(RTE_DIM(hyp_defrag_stat_descs) ==
	       sizeof(struct hyp_defrag_stats) / sizeof(uint64_t),
	       "a counter of struct hyp_defrag_stats without its row");

/* Which datagram: RFC 791 (with the protocol) and RFC 8200, and the port. */
struct dg_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	uint16_t port;
	uint8_t proto;		/* IPv4 only */
	uint8_t family;
};

struct dg_range {
	uint32_t lo, hi;
};

struct dg {
	struct dg_key key;
	TAILQ_ENTRY(dg) lru;
	uint64_t start;
	uint8_t *buf;		/* the datagram's data, [0, cap) */
	uint32_t cap;
	uint32_t total;		/* DG_UNKNOWN until the last fragment */
	uint32_t flags;		/* HYP_DEFRAG_F_* so far */
	uint16_t n_frags;
	uint16_t n_ranges;
	uint16_t hdr_len;	/* 0: the first fragment not seen yet */
	uint16_t l3_off;
	uint16_t unfrag_len;
	uint16_t nh_byte;
	uint8_t nexthdr;
	uint8_t in_use;
	struct dg_range *ranges;	/* max_frags */
	struct rte_mbuf **orig;		/* max_frags, keep_originals only */
	uint8_t hdr[DG_HDR_MAX];
};

TAILQ_HEAD(dg_list, dg);

struct hyp_defrag {
	struct hyp_defrag_conf c;
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_hash *h;
	struct rte_mempool *out_pool;
	struct dg *dgs;
	struct dg **free_dgs;
	uint32_t n_free;
	void *arrays;
	struct dg_list lru;
	uint64_t timeout_tsc;
	struct hyp_defrag_stats st;
};

/* What a reassembled frame's external buffer starts with. */
struct out_ctx {
	struct rte_mbuf_ext_shared_info shinfo;
	uint32_t magic;
	uint32_t n_orig;
	struct rte_mbuf *orig[];
};

static void
out_free(void *addr __rte_unused, void *opaque)
{
	struct out_ctx *x = opaque;
	uint32_t i;

	for (i = 0; i < x->n_orig; i++)
		rte_pktmbuf_free(x->orig[i]);
	free(x);
}

struct hyp_defrag *
hyp_defrag_create(const struct hyp_defrag_conf *c)
{
	struct rte_hash_parameters hp = { 0 };
	struct hyp_defrag *d;
	char hname[RTE_HASH_NAMESIZE];
	size_t per;
	uint32_t i;

	if (c == NULL || c->name == NULL || c->max_datagrams == 0 || c->max_frags < 2 ||
	    c->max_frags > HYP_DEFRAG_MAX_FRAGS || c->timeout_ms == 0 || c->max_out == 0) {
		DF_LOG(ERR, "bad configuration");
		rte_errno = EINVAL;
		return NULL;
	}
	d = rte_zmalloc_socket("hyp_defrag", sizeof(*d), RTE_CACHE_LINE_SIZE, c->socket_id);
	if (d == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	d->c = *c;
	snprintf(d->name, sizeof(d->name), "%s", c->name);
	d->c.name = d->name;
	TAILQ_INIT(&d->lru);
	d->timeout_tsc = rte_get_tsc_hz() / 1000 * c->timeout_ms;

	snprintf(hname, sizeof(hname), "hdf_%s", c->name);
	hp.name = hname;
	hp.entries = RTE_MAX(c->max_datagrams, 8u);
	hp.key_len = sizeof(struct dg_key);
	hp.hash_func = rte_jhash;
	/* a seed nobody knows: the buckets cannot be aimed at */
	hp.hash_func_init_val = (uint32_t)rte_rand();
	hp.socket_id = c->socket_id;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	d->h = rte_hash_create(&hp);

	snprintf(hname, sizeof(hname), "hdo_%s", c->name);
	/* headers only: the data of each is an external buffer */
	d->out_pool = rte_pktmbuf_pool_create(hname, c->max_out, 0, 0, 0, c->socket_id);

	per = c->max_frags * (sizeof(struct dg_range) +
			      (c->keep_originals ? sizeof(struct rte_mbuf *) : 0));
	d->dgs = rte_zmalloc_socket("hyp_defrag_dgs", (size_t)c->max_datagrams * sizeof(*d->dgs),
				    RTE_CACHE_LINE_SIZE, c->socket_id);
	d->free_dgs = rte_zmalloc_socket("hyp_defrag_free",
					 (size_t)c->max_datagrams * sizeof(*d->free_dgs), 0,
					 c->socket_id);
	d->arrays = rte_zmalloc_socket("hyp_defrag_arrays", (size_t)c->max_datagrams * per,
				       RTE_CACHE_LINE_SIZE, c->socket_id);
	if (d->h == NULL || d->out_pool == NULL || d->dgs == NULL || d->free_dgs == NULL ||
	    d->arrays == NULL) {
		int err = rte_errno != 0 ? rte_errno : ENOMEM;

		DF_LOG(ERR, "%s: %u datagrams of %u fragments, %u out: %s", c->name,
		       c->max_datagrams, c->max_frags, c->max_out, rte_strerror(err));
		hyp_defrag_free(d);
		rte_errno = err;
		return NULL;
	}
	for (i = 0; i < c->max_datagrams; i++) {
		struct dg *g = &d->dgs[i];
		uint8_t *a = (uint8_t *)d->arrays + (size_t)i * per;

		g->ranges = (struct dg_range *)a;
		if (c->keep_originals)
			g->orig = (struct rte_mbuf **)(a + c->max_frags * sizeof(struct dg_range));
		d->free_dgs[d->n_free++] = &d->dgs[c->max_datagrams - 1 - i];
	}
	return d;
}

/* Forget a datagram: its buffer, and its fragments unless they moved on. */
static void
dg_release(struct hyp_defrag *d, struct dg *g)
{
	uint16_t i;

	if (rte_hash_del_key(d->h, &g->key) < 0)
		DF_LOG(ERR, "%s: a held datagram was not in the table", d->name);
	TAILQ_REMOVE(&d->lru, g, lru);
	if (d->c.keep_originals)
		for (i = 0; i < g->n_frags; i++)
			rte_pktmbuf_free(g->orig[i]);
	free(g->buf);
	d->st.bytes_held -= g->cap;
	d->st.datagrams_held--;
	g->buf = NULL;
	g->cap = 0;
	g->in_use = 0;
	d->free_dgs[d->n_free++] = g;
}

static bool
dg_expired(const struct hyp_defrag *d, const struct dg *g, uint64_t now)
{
	return now - g->start > d->timeout_tsc;
}

static void
dg_time_out(struct hyp_defrag *d, struct dg *g)
{
	d->st.timeouts++;
	d->st.timeout_fragments += g->n_frags;
	dg_release(d, g);
}

void
hyp_defrag_free(struct hyp_defrag *d)
{
	struct dg *g;

	if (d == NULL)
		return;
	while ((g = TAILQ_FIRST(&d->lru)) != NULL)
		dg_release(d, g);
	rte_hash_free(d->h);
	rte_mempool_free(d->out_pool);
	rte_free(d->dgs);
	rte_free(d->free_dgs);
	rte_free(d->arrays);
	rte_free(d);
}

/* The datagram of a key, a new one if none; NULL (counted) if no room. */
static struct dg *
dg_get(struct hyp_defrag *d, const struct dg_key *k, uint64_t now)
{
	struct dg *g = NULL, *old;

	if (rte_hash_lookup_data(d->h, k, (void **)&g) >= 0) {
		if (!dg_expired(d, g, now))
			return g;
		/* a late fragment starts the datagram again, as the host would */
		dg_time_out(d, g);
	}
	if (d->n_free == 0) {
		old = TAILQ_FIRST(&d->lru);
		if (old == NULL || !dg_expired(d, old, now)) {
			d->st.table_full++;
			return NULL;
		}
		dg_time_out(d, old);
	}
	g = d->free_dgs[--d->n_free];
	g->key = *k;
	if (rte_hash_add_key_data(d->h, k, g) < 0) {
		d->free_dgs[d->n_free++] = g;
		d->st.table_full++;
		return NULL;
	}
	g->start = now;
	g->total = DG_UNKNOWN;
	g->flags = 0;
	g->n_frags = 0;
	g->n_ranges = 0;
	g->hdr_len = 0;
	g->in_use = 1;
	TAILQ_INSERT_TAIL(&d->lru, g, lru);
	d->st.datagrams_held++;
	return g;
}

/* Room for [0, need): the whole datagram once its length is known. */
static int
dg_grow(struct hyp_defrag *d, struct dg *g, uint32_t need)
{
	uint32_t cap;
	uint8_t *b;

	if (need <= g->cap)
		return 0;
	if (g->total != DG_UNKNOWN)
		cap = g->total;
	else
		cap = RTE_MIN(RTE_MAX(rte_align32pow2(need), 2048u), IP_MAX);
	if (d->st.bytes_held - g->cap + cap > d->c.memcap)
		return -ENOSPC;
	b = realloc(g->buf, cap);
	if (b == NULL)
		return -ENOMEM;
	d->st.bytes_held += cap - g->cap;
	g->buf = b;
	g->cap = cap;
	return 0;
}

/*
 * Put [lo, hi) of the datagram in place: where bytes are already held they
 * are compared, not replaced (the first to arrive stays); the ranges that
 * touch or overlap it merge with it. Returns HYP_DEFRAG_F_OVERLAP or _CONFLICT.
 */
static uint32_t
dg_place(struct dg *g, uint32_t lo, uint32_t hi, const uint8_t *data)
{
	struct dg_range *r = g->ranges;
	uint32_t i = 0, j, pos = lo, nlo = lo, nhi = hi, flags = 0;

	while (i < g->n_ranges && r[i].hi < lo)
		i++;
	for (j = i; j < g->n_ranges && r[j].lo <= hi; j++) {
		uint32_t olo = RTE_MAX(r[j].lo, lo), ohi = RTE_MIN(r[j].hi, hi);

		if (r[j].lo > pos)
			memcpy(g->buf + pos, data + (pos - lo), r[j].lo - pos);
		if (olo < ohi)
			flags |= memcmp(g->buf + olo, data + (olo - lo), ohi - olo) != 0 ?
				HYP_DEFRAG_F_CONFLICT : HYP_DEFRAG_F_OVERLAP;
		pos = RTE_MAX(pos, r[j].hi);
		nlo = RTE_MIN(nlo, r[j].lo);
		nhi = RTE_MAX(nhi, r[j].hi);
	}
	if (pos < hi)
		memcpy(g->buf + pos, data + (pos - lo), hi - pos);
	/* ranges i..j-1 (maybe none) become one */
	if (j == i) {
		memmove(&r[i + 1], &r[i], (g->n_ranges - i) * sizeof(*r));
		g->n_ranges++;
	} else if (j > i + 1) {
		memmove(&r[i + 1], &r[j], (g->n_ranges - j) * sizeof(*r));
		g->n_ranges -= j - i - 1;
	}
	r[i].lo = nlo;
	r[i].hi = nhi;
	return flags;
}

/* The datagram as one frame, in an mbuf that frees what it holds. */
static struct rte_mbuf *
dg_build(struct hyp_defrag *d, struct dg *g, uint16_t port)
{
	uint32_t frame_len = g->hdr_len + g->total, n_orig = d->c.keep_originals ? g->n_frags : 0;
	size_t head = RTE_ALIGN_CEIL(sizeof(struct out_ctx) + n_orig * sizeof(struct rte_mbuf *),
				     sizeof(uint64_t));
	struct out_ctx *x;
	struct rte_mbuf *m;
	uint8_t *f, *ip;

	m = rte_pktmbuf_alloc(d->out_pool);
	if (m == NULL)
		return NULL;
	/* libc, as the datagrams' buffers: no heap lock on the data path */
	x = malloc(head + frame_len);
	if (x == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	f = (uint8_t *)x + head;
	memcpy(f, g->hdr, g->hdr_len);
	memcpy(f + g->hdr_len, g->buf, g->total);
	ip = f + g->l3_off;
	if (g->key.family == 4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		h->total_length = rte_cpu_to_be_16((uint16_t)(g->unfrag_len + g->total));
		/* a whole datagram: no offset, no more fragments; DF as it was */
		h->fragment_offset &= rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		uint16_t plen = (uint16_t)(g->unfrag_len - IP6_HDR_LEN + g->total);

		ip[4] = (uint8_t)(plen >> 8);
		ip[5] = (uint8_t)plen;
		/* the header before the fragment header now says what it carried */
		f[g->nh_byte] = g->nexthdr;
	}
	x->shinfo.free_cb = out_free;
	x->shinfo.fcb_opaque = x;
	rte_mbuf_ext_refcnt_set(&x->shinfo, 1);
	x->magic = OUT_MAGIC;
	x->n_orig = n_orig;
	if (n_orig != 0) {
		memcpy(x->orig, g->orig, n_orig * sizeof(*g->orig));
		g->n_frags = 0;		/* they moved on with the datagram */
	}
	/* never given to a device: ips sends the original fragments */
	rte_pktmbuf_attach_extbuf(m, f, RTE_BAD_IOVA, (uint16_t)frame_len, &x->shinfo);
	m->data_off = 0;
	m->data_len = (uint16_t)frame_len;
	m->pkt_len = frame_len;
	m->port = port;
	return m;
}

/* Drop a fragment, and with it its datagram if it has one. */
static enum hyp_defrag_result
drop(struct hyp_defrag *d, struct dg *g, struct rte_mbuf *m, uint64_t *counter)
{
	(*counter)++;
	if (g != NULL)
		dg_release(d, g);
	rte_pktmbuf_free(m);
	return HYP_DEFRAG_DROPPED;
}

enum hyp_defrag_result
hyp_defrag_push(struct hyp_defrag *d, struct rte_mbuf *m, const struct hyp_pkt_meta *meta,
		uint64_t now, struct rte_mbuf **out, uint32_t *flags)
{
	const struct hyp_frag_info *f = &meta->frag;
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t lo = f->offset, hi = lo + f->data_len, fl = 0, min_mtu, pkt_len;
	struct dg_key k;
	struct dg *g;

	*out = NULL;
	*flags = 0;
	d->st.fragments++;
	/* offset and lengths came from hyp_flow_parse(): inside this frame */
	if (f->data_len == 0 || (f->more && f->data_len % 8 != 0))
		return drop(d, NULL, m, &d->st.invalid);
	if ((meta->family == 4 ? f->unfrag_len : 0) + hi > IP_MAX) {
		*flags = HYP_DEFRAG_F_TOO_LARGE;
		return drop(d, NULL, m, &d->st.too_large);
	}
	min_mtu = meta->family == 4 ? IP4_MIN_MTU : IP6_MIN_MTU;
	pkt_len = f->unfrag_len + (meta->family == 6 ? IP6_FRAG_LEN : 0) + f->data_len;
	if (f->more && pkt_len < min_mtu) {
		fl |= HYP_DEFRAG_F_TINY;
		d->st.tiny++;
	}

	memset(&k, 0, sizeof(k));
	memcpy(k.src, meta->src, sizeof(k.src));
	memcpy(k.dst, meta->dst, sizeof(k.dst));
	k.id = f->id;
	k.port = m->port;
	k.proto = meta->family == 4 ? f->nexthdr : 0;
	k.family = meta->family;
	g = dg_get(d, &k, now);
	if (g == NULL) {
		rte_pktmbuf_free(m);
		return HYP_DEFRAG_DROPPED;
	}
	if (g->n_frags >= d->c.max_frags)
		return drop(d, g, m, &d->st.too_many_fragments);
	if (!f->more) {
		/* the end: once, and nothing held beyond it */
		if ((g->total != DG_UNKNOWN && g->total != hi) ||
		    (g->n_ranges != 0 && g->ranges[g->n_ranges - 1].hi > hi))
			return drop(d, g, m, &d->st.invalid);
		g->total = hi;
	} else if (g->total != DG_UNKNOWN && hi > g->total) {
		return drop(d, g, m, &d->st.invalid);
	}
	if (lo == 0 && g->hdr_len == 0) {
		uint32_t hl = f->data_off - (meta->family == 6 ? IP6_FRAG_LEN : 0);

		if (hl > DG_HDR_MAX)
			return drop(d, g, m, &d->st.invalid);
		memcpy(g->hdr, frame, hl);
		g->hdr_len = (uint16_t)hl;
		g->l3_off = meta->l3_off;
		g->unfrag_len = f->unfrag_len;
		g->nh_byte = f->nh_byte;
		g->nexthdr = f->nexthdr;
	}
	if (dg_grow(d, g, hi) < 0)
		return drop(d, g, m, &d->st.memcap);
	fl |= dg_place(g, lo, hi, frame + f->data_off);
	if (fl & HYP_DEFRAG_F_CONFLICT)
		d->st.conflicts++;
	else if (fl & HYP_DEFRAG_F_OVERLAP)
		d->st.overlaps++;
	g->flags |= fl;
	if (d->c.keep_originals)
		g->orig[g->n_frags] = m;
	else
		rte_pktmbuf_free(m);
	g->n_frags++;
	*flags = g->flags;

	if (g->total == DG_UNKNOWN || g->hdr_len == 0 || g->n_ranges != 1 ||
	    g->ranges[0].lo != 0 || g->ranges[0].hi != g->total)
		return HYP_DEFRAG_HELD;
	/* whole: within what IP and an mbuf can say? */
	if (g->hdr_len + g->total > UINT16_MAX ||
	    (g->key.family == 4 ? g->unfrag_len : g->unfrag_len - IP6_HDR_LEN) + g->total >
	    IP_MAX) {
		*flags |= HYP_DEFRAG_F_TOO_LARGE;
		d->st.too_large++;
		dg_release(d, g);
		return HYP_DEFRAG_DROPPED;
	}
	*out = dg_build(d, g, k.port);
	if (*out == NULL) {
		d->st.no_mbuf++;
		dg_release(d, g);
		return HYP_DEFRAG_DROPPED;
	}
	d->st.reassembled++;
	dg_release(d, g);
	return HYP_DEFRAG_DONE;
}

unsigned int
hyp_defrag_expire(struct hyp_defrag *d, uint64_t now, unsigned int budget)
{
	unsigned int n = 0;
	struct dg *g;

	while (n < budget && (g = TAILQ_FIRST(&d->lru)) != NULL && dg_expired(d, g, now)) {
		dg_time_out(d, g);
		n++;
	}
	return n;
}

void
hyp_defrag_get_stats(const struct hyp_defrag *d, struct hyp_defrag_stats *st)
{
	*st = d->st;
}

bool
hyp_defrag_is_reassembled(const struct rte_mbuf *m)
{
	return RTE_MBUF_HAS_EXTBUF(m) && m->shinfo != NULL && m->shinfo->free_cb == out_free;
}

unsigned int
hyp_defrag_take_originals(struct rte_mbuf *m, struct rte_mbuf **v, unsigned int max)
{
	struct out_ctx *x;
	unsigned int n;

	if (!hyp_defrag_is_reassembled(m))
		return 0;
	x = m->shinfo->fcb_opaque;
	if (x->magic != OUT_MAGIC || x->n_orig > max)
		return 0;
	n = x->n_orig;
	memcpy(v, x->orig, n * sizeof(*v));
	x->n_orig = 0;
	return n;
}
