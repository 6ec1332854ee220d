/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one packet builder of the C tests and benchmarks, at two levels:
 *
 * - pkt_build(): a description of the packet in, bytes and header offsets
 *   out, so a test can then break one field on purpose (the XDP tests);
 * - pkt_eth(), pkt_ip4(), pkt_tcp()... : one header at a time, field by
 *   field, for frames no description covers (the classifier's hostile
 *   cases). A write past the buffer is dropped and flagged (overflow).
 */
#ifndef HYP_PKT_BUILD_H
#define HYP_PKT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 4096
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
	uint8_t tcp_flags;		/* 0: SYN */
	uint16_t payload;		/* L4 payload bytes */
	uint8_t ip4_opt_words;		/* IPv4 option words (IHL - 5) */
	uint16_t ip4_frag;		/* frag_off field, host order (MF|offset) */
	uint8_t ext[PKT_MAX_EXT];	/* IPv6 extension headers, in order */
	uint8_t n_ext;			/* how many (0 is HOPOPTS, so no sentinel) */
	uint16_t ext_frag;		/* fragment header's frag_off, host order */
};

struct frame {
	uint8_t b[PKT_MAX];
	uint32_t len;
	uint32_t l3;	/* offset of the IP header (pkt_build) */
	uint32_t l4;	/* offset of the L4 header (pkt_build) */
	bool overflow;	/* a write did not fit */
};

/* Build; returns 0, or -1 if the spec does not fit or names bad addresses. */
int pkt_build(const struct pkt_spec *s, struct frame *f);

/* Recompute IPv4 header checksum after a mutation (not needed by XDP). */
void pkt_ip4_csum(struct frame *f);

/* .ext and .n_ext from one list */
#define PKT_EXT(...) .ext = { __VA_ARGS__ }, \
	.n_ext = sizeof((uint8_t[]){ __VA_ARGS__ })

/* ---- field by field ------------------------------------------------------- */

void pkt_put8(struct frame *f, uint8_t v);
void pkt_put16(struct frame *f, uint16_t v);	/* network order */
void pkt_putn(struct frame *f, const void *p, size_t n);
void pkt_fill(struct frame *f, uint8_t v, size_t n);
void pkt_set16(struct frame *f, uint32_t off, uint16_t v);

/* Start a frame: destination 02:00:00:00:00:02, source ...:01, the type. */
void pkt_eth(struct frame *f, uint16_t type);
/* A tag's TCI and the type after it (its TPID is the type before). */
void pkt_vlan(struct frame *f, uint16_t vid, uint16_t inner_type);
/* IPv4 header of ihl_words, NOP options; returns its offset for pkt_ip4_end(). */
uint32_t pkt_ip4(struct frame *f, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
		 unsigned int ihl_words, uint16_t frag);
/* The total length: from the header at `at` to the end of the frame. */
void pkt_ip4_end(struct frame *f, uint32_t at);
uint32_t pkt_ip6(struct frame *f, uint8_t nh, const uint8_t src[16], const uint8_t dst[16]);
void pkt_ip6_end(struct frame *f, uint32_t at);
/* An extension header of 8 * (units + 1) bytes (hop-by-hop, routing, dest-opts). */
void pkt_ext6(struct frame *f, uint8_t nh, uint8_t units);
/* AH with its length field: (len_field + 2) * 4 bytes. */
void pkt_ah6(struct frame *f, uint8_t nh, uint8_t len_field);
void pkt_frag6(struct frame *f, uint8_t nh, uint16_t offset_units, bool more);
/* TCP with doff_words of header (NOP options) and payload bytes 'T', PSH|ACK. */
void pkt_tcp(struct frame *f, uint16_t sport, uint16_t dport, unsigned int doff_words,
	     size_t payload);
/* UDP; len 0 means header + payload. Payload bytes 'U'. */
void pkt_udp(struct frame *f, uint16_t sport, uint16_t dport, uint16_t len, size_t payload);

#endif
