/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames built field by field for the XDP tests and benchmarks: a
 * description of the packet in, bytes and header offsets out, so a test can
 * then break one field on purpose.
 */
#ifndef HYP_PKT_BUILD_H
#define HYP_PKT_BUILD_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 1600
#define PKT_MAX_VLANS 3
#define PKT_MAX_EXT 8

struct pkt_spec {
	uint16_t ethertype;		/* 0: from family */
	uint16_t vlan_tpid[PKT_MAX_VLANS];	/* 0 ends the list */
	int family;			/* 4, 6, or 0 for non-IP */
	const char *src;
	const char *dst;
	uint8_t proto;			/* 0: UDP */
	uint16_t sport;
	uint16_t dport;
	uint8_t tcp_flags;		/* 0: SYN|ACK... see pkt_build() */
	uint16_t payload;		/* L4 payload bytes */
	uint8_t ip4_opt_words;		/* IPv4 option words (IHL - 5) */
	uint16_t ip4_frag;		/* frag_off field, host order (MF|offset) */
	uint8_t ext[PKT_MAX_EXT];	/* IPv6 extension headers, in order */
	uint8_t n_ext;			/* how many (0 is HOPOPTS, so no sentinel) */
	uint16_t ext_frag;		/* fragment header's frag_off, host order */
};

struct frame {
	uint8_t b[PKT_MAX];
	size_t len;
	size_t l3;	/* offset of the IP header */
	size_t l4;	/* offset of the L4 header */
};

/* Build; returns 0, or -1 if the spec does not fit or names bad addresses. */
int pkt_build(const struct pkt_spec *s, struct frame *f);

/* Recompute IPv4 header checksum after a mutation (not needed by XDP). */
void pkt_ip4_csum(struct frame *f);

/* .ext and .n_ext from one list */
#define PKT_EXT(...) .ext = { __VA_ARGS__ }, \
	.n_ext = sizeof((uint8_t[]){ __VA_ARGS__ })

#endif
