/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/*
 * What hyperion-blast (userspace) and xdp_tx.bpf.c share: the .rodata
 * configuration it sets before loading and the layout of the frames of a
 * replayed capture. One definition, included by both.
 */
#ifndef XDP_TX_SHARED_H
#define XDP_TX_SHARED_H

#include <linux/types.h>

/* the longest frame sent: a 1500-byte MTU's, without FCS */
#define BLAST_FRAME_MAX 1514
/* frames of a capture the program holds (a map of as many) */
#define BLAST_FRAMES_MAX 65536

struct blast_cfg {
	__u16 sport_lo;		/* first source port, host order */
	__u16 pad;
	__u32 sport_n;		/* ports in the range; 0: rewrite nothing */
	__u32 src_lo;		/* first source address, host order */
	__u32 src_n;		/* addresses from it, each for a round of ports */
	__u32 frames_n;		/* frames in blast_frames; 0: send the input frame */
	__u32 frames_repeat;	/* copies of each in a row (at least 1) */
	/*
	 * A replay's client, as captured (network order): with sport_n or
	 * src_n above 1, each round of the file gets the next (address, port)
	 * of ports x addresses from it, in both directions, so that every
	 * round is a connection of its own. IPv4 TCP and UDP only.
	 */
	__u32 client_addr;
	__u16 client_port;
	__u16 pad2;
};

/* one frame of a capture, by position in the file */
struct blast_frame {
	__u32 len;		/* 14 to BLAST_FRAME_MAX */
	__u8 data[BLAST_FRAME_MAX];
	__u8 pad[2];
};

#endif
