/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the slow path's classifier. Arbitrary bytes are a frame
 * as captured; hyp_flow_parse() must read nothing past them (libFuzzer's
 * buffer is exactly size bytes, so ASan sees any overread), and what it
 * reports must hold together:
 *  - family 4 or 6; l3_off <= l4_off <= payload_off; the payload lies
 *    within the frame, and all of it is read here so ASan checks it;
 *  - ports only for TCP and UDP, none for later fragments;
 *  - the reverse direction (addresses and ports swapped) gives the same
 *    hyp_flow5 key and hash and the other direction index;
 *  - the key's padding is zero;
 *  - hyp_flow_maybe_fragment() is true for every fragment.
 * EAL is never initialized: the parser and the hash need none of it.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_flow.h"
#include "fuzz.h"


static volatile uint8_t sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hyp_pkt_meta m, r;
	/* the hash reads the key 8 bytes at a time */
	struct hyp_flow5 k __attribute__((aligned(8)));
	struct hyp_flow5 kr __attribute__((aligned(8)));
	uint32_t len = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	uint32_t i;
	uint8_t x = 0;
	int dir, dirr, ret;

	ret = hyp_flow_parse(data, len, &m);
	/* the reassembler's shortcut never passes a fragment by */
	if (ret == 0 && m.frag.is)
		CHECK(hyp_flow_maybe_fragment(data, len));
	if (ret != 0) {
		CHECK(ret == -EINVAL || ret == -ENOTSUP);
		return 0;
	}
	CHECK(m.family == 4 || m.family == 6);
	CHECK(m.l3_off >= 14 && m.l3_off <= m.l4_off &&
	      m.l4_off <= m.payload_off);
	CHECK((uint32_t)m.payload_off + m.payload_len <= len);
	CHECK(m.is_fragment == 0 || m.is_fragment == 1);
	if (m.is_fragment)
		CHECK(m.sport == 0 && m.dport == 0 && m.payload_len == 0);
	if (m.proto != IPPROTO_TCP && m.proto != IPPROTO_UDP)
		CHECK(m.sport == 0 && m.dport == 0 &&
		      m.payload_off == m.l4_off);
	if (m.proto == IPPROTO_UDP && !m.is_fragment)
		CHECK(m.payload_off == m.l4_off + 8);
	for (i = 0; i < m.payload_len; i++)
		x ^= data[m.payload_off + i];
	sink = x;

	dir = hyp_flow5_from_meta(&m, &k);
	CHECK(dir == 0 || dir == 1);
	/* side A is the (address, port) that compares lower, address by memcmp() */
	{
		int c = memcmp(m.src, m.dst, sizeof(m.src));

		CHECK(dir == (c > 0 || (c == 0 && m.sport > m.dport)));
	}
	for (size_t i = 0; i < sizeof(k.pad); i++)
		CHECK(k.pad[i] == 0);
	CHECK(k.family == m.family && k.proto == m.proto);

	r = m;
	memcpy(r.src, m.dst, sizeof(r.src));
	memcpy(r.dst, m.src, sizeof(r.dst));
	r.sport = m.dport;
	r.dport = m.sport;
	dirr = hyp_flow5_from_meta(&r, &kr);
	CHECK(memcmp(&k, &kr, sizeof(k)) == 0);
	CHECK(hyp_flow5_hash(&k) == hyp_flow5_hash(&kr));
	if (memcmp(m.src, m.dst, sizeof(m.src)) != 0 || m.sport != m.dport)
		CHECK(dirr == 1 - dir);
	return 0;
}
