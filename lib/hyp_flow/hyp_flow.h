/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_FLOW_H
#define HYP_FLOW_H

/**
 * @file
 * The slow path's packet classifier and flow table.
 *
 * hyp_flow_parse() reads a frame as captured (from the af_xdp PMD or from a
 * pcap file) and trusts none of it: every field is bounds-checked against the
 * captured length and against the lengths the headers themselves claim.
 *
 * Flows are bidirectional: struct hyp_flow5 orders the two endpoints so that
 * both directions of a conversation give the same key and the same hash.
 * The rx stage uses that hash to pick a worker; each worker then owns one
 * struct hyp_flow_table and is the only thread that touches it, so the table
 * has no locks and the per-packet path has no atomic operations.
 */

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "hyp_xdp_shared.h"	/* HYP_TCP_* */

#ifdef __cplusplus
extern "C" {
#endif

/** What the parser found in one frame. All offsets are from the frame start. */
struct hyp_pkt_meta {
	uint8_t family;		/**< 4 or 6 */
	uint8_t proto;		/**< upper-layer protocol (after IPv6 ext headers) */
	uint16_t sport;		/**< host order; 0 when the protocol has no ports */
	uint16_t dport;		/**< host order */
	uint8_t src[16];	/**< IPv4 as ::ffff:a.b.c.d */
	uint8_t dst[16];
	uint16_t l3_off;	/**< IP header */
	uint16_t l4_off;	/**< after IP options / IPv6 extension headers */
	uint16_t payload_off;	/**< after the TCP/UDP header; l4_off otherwise */
	uint16_t payload_len;	/**< bounded by the IP (and UDP) lengths, not
				 *   by the frame: Ethernet padding is excluded */
	uint8_t is_fragment;	/**< not the first fragment: no ports, no payload */
	uint8_t tcp_flags;	/**< TCP: the flags byte */
	uint32_t tcp_seq;	/**< TCP: the sequence number, host order */
	/**
	 * Set for every fragment of a fragmented datagram, first and later
	 * (IPv4: MF or an offset; IPv6: a fragment header that is not atomic),
	 * for the reassembler (lib/hyp_defrag).
	 */
	struct hyp_frag_info {
		uint8_t is;		/**< a fragment; the rest is valid only then */
		uint8_t more;		/**< more fragments follow (MF, M) */
		uint8_t nexthdr;	/**< what the datagram carries: the IPv4
					 *   protocol, or the fragment header's
					 *   next header */
		uint16_t offset;	/**< of this fragment's data, in bytes */
		uint32_t id;		/**< identification (IPv4: 16 bits) */
		uint16_t unfrag_len;	/**< IP header(s) before the fragment data:
					 *   IHL, or IPv6 and its extension
					 *   headers before the fragment header */
		uint16_t data_off;	/**< first byte of the fragment's data */
		uint16_t data_len;	/**< its length, bounded by the IP length */
		uint16_t nh_byte;	/**< IPv6: the byte that says 44 (the
					 *   IPv6 header's or the previous
					 *   extension header's next header) */
	} frag;
};

/**
 * Classify one frame.
 *
 * Ethernet, then up to HYP_VLAN_MAX_DEPTH tags (0x8100 or 0x88a8), then
 * IPv4 or IPv6 (walking at most HYP_IPV6_EXT_MAX extension headers:
 * hop-by-hop, routing, fragment, destination options, AH), then TCP or UDP
 * ports. Other protocols get no ports; their payload is everything after
 * the IP header(s).
 *
 * A first fragment (offset 0, more fragments set) is parsed like a whole
 * packet, except that its UDP length may exceed what this fragment carries;
 * its payload is what it carries. Later fragments have is_fragment set,
 * no ports and an empty payload.
 *
 * @param frame
 *   The frame, from its Ethernet header.
 * @param len
 *   Captured bytes; nothing past them is read.
 * @param m
 *   Output; fully written on success, unspecified on error.
 * @return
 *   0 on success; -ENOTSUP if the frame is not IPv4 or IPv6; -EINVAL if a
 *   header is truncated or inconsistent (including too many VLAN tags or
 *   extension headers).
 */
int hyp_flow_parse(const uint8_t *frame, uint32_t len, struct hyp_pkt_meta *m);

/**
 * Whether a frame may be an IP fragment, from its first bytes: false only
 * when it certainly is none (untagged IPv4 without MF or an offset, untagged
 * IPv6 whose first next header is TCP, UDP or ICMPv6, or not IP at all);
 * true means hyp_flow_parse() decides. Lets the reassembler's callers skip
 * a whole parse of every packet that is not a fragment.
 */
bool hyp_flow_maybe_fragment(const uint8_t *frame, uint32_t len);

/**
 * A normalized bidirectional 5-tuple. Side A is the (address, port) pair
 * that compares lower: memcmp() on the address, then the port. Padding is
 * always zero, so the key may be hashed and compared as bytes.
 */
struct hyp_flow5 {
	uint8_t addr_a[16];
	uint8_t addr_b[16];
	uint16_t port_a;	/**< host order */
	uint16_t port_b;
	uint8_t proto;
	uint8_t family;		/**< 4 or 6: an IPv4 flow never equals an IPv6 one */
	/* to whole words: the compare and the hash read the key 8 bytes at a time */
	uint8_t pad[2];
};

_Static_assert(sizeof(struct hyp_flow5) == 40 && offsetof(struct hyp_flow5, port_b) == 34,
	       "hyp_flow5 layout");

/**
 * Build the normalized key of a parsed packet.
 *
 * @param m
 *   A packet as hyp_flow_parse() described it.
 * @param k
 *   Output, padding zeroed.
 * @return
 *   The packet's direction: 0 if its source is side A, 1 if it is side B.
 *   Index hyp_flow_entry's packets[] and bytes[] with it.
 */
int hyp_flow5_from_meta(const struct hyp_pkt_meta *m, struct hyp_flow5 *k);

/** 8-byte words of a key. */
#define HYP_FLOW_KEY_WORDS	(sizeof(struct hyp_flow5) / sizeof(uint64_t))
/**
 * Words of the secret key of hyp_flow5_hash(): NH multiplies the key's
 * words in pairs, so one per word of the key made even by a zero word.
 */
#define HYP_FLOW_HASH_WORDS	((HYP_FLOW_KEY_WORDS + 1) & ~(size_t)1)

/**
 * Hash of a normalized key, under a secret drawn once per process. Both
 * directions of a flow hash the same since they share one key. The flow
 * table is built on this very function, so the rx stage may compute it once
 * per packet, use it to pick a worker and hand it on to
 * hyp_flow_lookup_or_add().
 *
 * Not a CRC: a CRC is linear, so two keys whose difference has a zero CRC
 * collide under every seed, and an attacker who spoofs source addresses and
 * ports can send 65,536 flows with one hash without knowing the seed. This
 * is NH (UMAC's hash): the sum of products of the key's words plus the
 * secret's, whose collisions depend on the secret; then folded to 32 bits.
 */
uint32_t hyp_flow5_hash(const struct hyp_flow5 *k);

/** The secret of hyp_flow5_hash(): HYP_FLOW_HASH_WORDS random words. */
const uint64_t *hyp_flow_hash_key(void);

/**
 * hyp_flow5_hash() with its secret read once by the caller, for a burst:
 * inline, and without the once-only check each call of the secret makes.
 */
static inline uint32_t
hyp_flow5_hash_with(const struct hyp_flow5 *k, const uint64_t *key)
{
	const uint8_t *b = (const uint8_t *)k;
	uint64_t w0, w1, w2, w3, w4, x;
	unsigned __int128 s;

	_Static_assert(HYP_FLOW_KEY_WORDS == 5 && HYP_FLOW_HASH_WORDS == 6,
		       "three products, the last one's second word zero");
	/* word by word from the key itself: no copy, and the products overlap */
	memcpy(&w0, b, 8);
	memcpy(&w1, b + 8, 8);
	memcpy(&w2, b + 16, 8);
	memcpy(&w3, b + 24, 8);
	memcpy(&w4, b + 32, 8);
	s = (unsigned __int128)(w0 + key[0]) * (w1 + key[1]) +
	    (unsigned __int128)(w2 + key[2]) * (w3 + key[3]) +
	    (unsigned __int128)(w4 + key[4]) * key[5];
	/* every bit of the sum into the 32 the buckets and workers are picked by */
	x = (uint64_t)(s >> 64) ^ (uint64_t)s;
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(x >> 32);
}

/** Longest table name: "hypft_" + name must fit a memzone name. */
#define HYP_FLOW_NAME_MAX	21

/** hyp_flow_entry.verdict before any rule decided on the flow. */
#define HYP_FLOW_VERDICT_NONE	0xFF

/** hyp_flow_entry.initiator before the first hyp_flow_note(). */
#define HYP_FLOW_DIR_UNKNOWN	0xFF

/** hyp_flow_entry.tcp_hs: the three-way handshake, as seen. */
#define HYP_FLOW_HS_SYN		0x1	/**< SYN from the initiator */
#define HYP_FLOW_HS_SYNACK	0x2	/**< then SYN-ACK from the responder */
#define HYP_FLOW_HS_ACK		0x4	/**< then ACK from the initiator */
#define HYP_FLOW_HS_DONE	0x7

/**
 * One flow. Stored in the table, which owns it; the pointer that
 * hyp_flow_lookup_or_add() returns is valid until the flow expires or the
 * table is freed. The worker updates the counters itself (no atomics: only
 * the owning worker writes).
 */
struct hyp_flow_entry {
	/*
	 * Two cache lines, one aligned pair: a table of a million flows is
	 * 128 MB, not the 192 MB three lines made, and every packet's lookup
	 * reads both lines of the pair, which hyp_flow_prefetch() brings in
	 * together. The first: what finds the flow (the key compare) and what
	 * decides on it; the second: the counters and the owner's state.
	 */
	struct hyp_flow5 key;
	uint64_t last_tsc;	/**< refreshed by every hyp_flow_lookup_or_add() */
	uint64_t first_tsc;
	uint32_t verdict_gen;	/**< policy generation the verdict was made under */
	uint8_t verdict;	/**< enum hyp_action or HYP_FLOW_VERDICT_NONE */
	uint8_t initiator;	/**< direction that began the flow (hyp_flow_note) */
	uint8_t tcp_hs;		/**< HYP_FLOW_HS_* seen so far */
	uint64_t packets[2] __rte_cache_aligned;	/**< [direction] as hyp_flow5_from_meta() gives */
	uint64_t bytes[2];
	/** the owner's state per direction (TCP streams), NULL until it adds
	 *  some; released by the table's release callback when the flow goes */
	void *user[2];
	/** the owner's state for the whole flow (Suricata flowbits), likewise */
	void *sigs;
	uint32_t rule_id;	/**< rule behind the verdict; 0 if none */
} __rte_cache_aligned;

_Static_assert(sizeof(struct hyp_flow_entry) == 2 * RTE_CACHE_LINE_SIZE &&
	       offsetof(struct hyp_flow_entry, packets) == RTE_CACHE_LINE_SIZE,
	       "a flow is two cache lines: the key and verdict, then the counters");

/**
 * Learn from one packet of a flow: who began it (the first packet's sender;
 * for TCP the sender of the SYN, so a SYN-ACK seen first names the other
 * side) and how far the TCP handshake got. Owner only.
 */
void hyp_flow_note(struct hyp_flow_entry *e, int dir, uint8_t proto, uint8_t tcp_flags);

/**
 * Both sides took part: TCP, the whole three-way handshake was seen; any
 * other protocol, packets went both ways. A packet with a forged source
 * establishes nothing: its answer goes to the forged address.
 */
static inline bool
hyp_flow_established(const struct hyp_flow_entry *e)
{
	if (e->key.proto == IPPROTO_TCP)
		return e->tcp_hs == HYP_FLOW_HS_DONE;
	return e->packets[0] != 0 && e->packets[1] != 0;
}

/** Counters of one table (owner writes, anyone may read them torn-free per field). */
struct hyp_flow_table_stats {
	uint64_t added;		/**< flows created */
	uint64_t expired;	/**< removed idle by the sweep */
	/**
	 * Removed to make room in a full table, by what they were worth:
	 * [0] no verdict and not established, [1] established, no verdict,
	 * [2] with a verdict.
	 */
	uint64_t evicted[3];
	uint64_t full;		/**< new flows not added even after an eviction */
};

struct hyp_flow_table;

void hyp_flow_table_get_stats(const struct hyp_flow_table *t, struct hyp_flow_table_stats *st);

/** Frees what a flow's owner attached to it (e->user[]), as the flow goes. */
typedef void (*hyp_flow_release_t)(void *arg, struct hyp_flow_entry *e);

struct hyp_flow_table;

/** Call cb for every flow that expires or is freed with the table. */
void hyp_flow_table_set_release(struct hyp_flow_table *t, hyp_flow_release_t cb, void *arg);

/**
 * Create a flow table for one worker.
 *
 * @param name
 *   Unique among the process's rte_hash tables and rings; at most
 *   HYP_FLOW_NAME_MAX characters (rte_hash derives ring names from it).
 * @param entries
 *   Capacity, at least 8. Exactly this many flows fit, whatever their
 *   hashes (the table has rte_hash's extendable buckets).
 * @param socket_id
 *   NUMA socket of the owning worker, or SOCKET_ID_ANY.
 * @return
 *   The table, or NULL with rte_errno set (EINVAL, ENOMEM, EEXIST).
 */
struct hyp_flow_table *hyp_flow_table_create(const char *name,
					     uint32_t entries, int socket_id);

/** Free a table and every entry in it. NULL is ignored. */
void hyp_flow_table_free(struct hyp_flow_table *t);

/**
 * Look n flows up as a burst's worth: one bulk lookup (rte_hash prefetches
 * every key's buckets before it compares any), then a prefetch of each
 * entry found. Changes nothing. Owner only.
 *
 * @param pos
 *   Output, n hints for hyp_flow_lookup_or_add_hinted(): where each flow
 *   is, negative if it was not found (or the lookup failed).
 * @return
 *   The table's stamp the hints are valid under: a removal changes it.
 */
uint64_t hyp_flow_prefetch(struct hyp_flow_table *t, const struct hyp_flow5 *const *keys,
			   const uint32_t *hashes, unsigned int n, int32_t *pos);

/**
 * The entry of a flow, added if new. A new entry has zero counters,
 * first_tsc = last_tsc = now_tsc and verdict HYP_FLOW_VERDICT_NONE; an
 * existing one gets last_tsc = now_tsc. A full table evicts one flow to
 * make room (see hyp_flow_table_stats.evicted): flows without a verdict
 * and not established go first, the longest idle of a sample first. Owner
 * only.
 *
 * @param hash
 *   hyp_flow5_hash(k), computed once by the caller.
 * @return
 *   The entry, or NULL when no room could be made (counted as full).
 */
struct hyp_flow_entry *hyp_flow_lookup_or_add(struct hyp_flow_table *t,
					      const struct hyp_flow5 *k,
					      uint32_t hash, uint64_t now_tsc);

/**
 * hyp_flow_lookup_or_add() that trusts a hint of hyp_flow_prefetch()'s
 * while its stamp holds: a flow found there is taken without a second
 * lookup. After any removal (an eviction to make room, an expiry) or for a
 * flow not found then (an earlier packet of the burst may have added it),
 * it looks up again. Owner only.
 */
struct hyp_flow_entry *hyp_flow_lookup_or_add_hinted(struct hyp_flow_table *t,
						     const struct hyp_flow5 *k, uint32_t hash,
						     int32_t pos, uint64_t stamp,
						     uint64_t now_tsc);

/**
 * Remove idle flows, a little at a time. Examines at most budget slots of
 * the table, starting where the previous call stopped and wrapping around,
 * so a worker can call it every few bursts at a bounded cost. A flow is idle
 * when now_tsc - last_tsc >= idle_tsc. Owner only.
 *
 * @return
 *   The number of flows removed.
 */
unsigned int hyp_flow_table_expire(struct hyp_flow_table *t, uint64_t now_tsc,
				   uint64_t idle_tsc, unsigned int budget);

/**
 * The sweep by time, for a worker's loop: examines as many slots as are
 * owed at capacity slots per period_tsc since the last call (at most
 * max_budget; what is left over is owed to the next call), so the whole
 * table is visited once per period whatever the packet rate. The first
 * call only starts the clock. Owner only.
 *
 * @return
 *   The number of flows removed.
 */
unsigned int hyp_flow_table_sweep(struct hyp_flow_table *t, uint64_t now_tsc,
				  uint64_t idle_tsc, uint64_t period_tsc,
				  unsigned int max_budget);

/** Flows in the table. */
uint32_t hyp_flow_table_count(const struct hyp_flow_table *t);

/** Capacity given to hyp_flow_table_create(). */
uint32_t hyp_flow_table_capacity(const struct hyp_flow_table *t);

/**
 * Copies of the n largest flows by total bytes (both directions), largest
 * first.
 *
 * This walks the whole table (O(capacity x log n)) and reads entries
 * without any synchronization: call it only from the owning worker (e.g.
 * when it sees a telemetry request flag between bursts), or while the owner
 * is stopped. It allocates nothing: out is its working space.
 *
 * @param out
 *   Room for n entries.
 * @return
 *   The number of entries written (min(n, count)), or -EINVAL.
 */
int hyp_flow_table_top(const struct hyp_flow_table *t,
		       struct hyp_flow_entry *out, unsigned int n);

#ifdef __cplusplus
}
#endif

#endif /* HYP_FLOW_H */
