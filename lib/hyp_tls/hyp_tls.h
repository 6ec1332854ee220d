/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_TLS_H
#define HYP_TLS_H

/**
 * @file
 * The TLS handshake over one direction of a reassembled TCP stream, as
 * far as it is in the clear: the client's ClientHello (its server_name),
 * the server's ServerHello (the version) and Certificate (the first
 * certificate, decoded with OpenSSL's libcrypto: subject, issuer, serial,
 * SHA-1 fingerprint). Each message's inspection buffers (hyp_buf.h) are
 * handed to a callback at its event (HYP_TLS_EV_HELLO, HYP_TLS_EV_CERT).
 * An SSLv2-framed ClientHello (the old compatible hello) is taken as the
 * start of TLS; it carries no server_name. No DPDK; no Hyperscan.
 *
 * What is not in the clear is not seen: after a direction's
 * ChangeCipherSpec (or its first application data) nothing more is
 * parsed, and a TLS 1.3 ServerHello ends its direction at once (the
 * certificate follows encrypted: a TLS 1.3 server's certificate never
 * reaches a rule; counted as hidden_certs).
 *
 * Bounded: records of at most 2^14 + 2048 bytes (the protocol's limit);
 * only the messages a rule reads are kept, each up to HYP_TLS_MSG_MAX
 * (hyp_buf.h: a longer one is inspected as far as that and the rest
 * skipped, counted), and all the directions of a context together hold at
 * most their memcap (a direction that would pass it is no longer read,
 * counted: the bytes of the others stay). A direction
 * that does not begin as TLS is left alone (not_tls); one that breaks
 * later stops being parsed (parse_errors).
 *
 * Threading: a direction belongs to its flow's worker.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hyp_base.h"
#include "hyp_buf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HYP_TLS_RECORD_MAX	(16384 + 2048)	/**< TLSCiphertext's limit */
#define HYP_TLS_SNI_KEEP	256		/**< of the server_name, for the peer's meta */

struct hyp_tls_stats {
	uint64_t client_hellos;		/**< ClientHellos parsed (SSLv2-framed ones too) */
	uint64_t server_hellos;
	uint64_t certificates;		/**< first certificates decoded */
	uint64_t hidden_certs;		/**< TLS 1.3 ServerHellos: the certificate is encrypted */
	uint64_t not_tls;		/**< directions that did not begin as TLS */
	uint64_t parse_errors;		/**< a direction that broke after a TLS record header */
	uint64_t cert_errors;		/**< Certificate messages whose first certificate did not decode */
	uint64_t truncated;		/**< handshake messages over HYP_TLS_MSG_MAX */
	uint64_t nomem;			/**< allocations that failed: the direction stops */
	uint64_t memcap;		/**< directions stopped at the memcap */
	uint64_t bytes_held;		/**< gauge: message bytes held now */
};

extern const struct hyp_stat_desc hyp_tls_stat_descs[];
extern const unsigned int hyp_tls_stat_count;

/** The handshake as an alert reports it (EVE's tls object); "" when absent. */
struct hyp_tls_meta {
	const char *sni;		/**< up to its first NUL, at most HYP_TLS_SNI_KEEP - 1 bytes */
	const char *version;		/**< "TLSv1", "TLS 1.2", ...: the ServerHello's */
	const char *subject, *issuer;	/**< as the buffers (up to a NUL) */
	const char *serial, *fingerprint;
};

/** At each event; bufs and meta are valid only during the call. */
typedef void (*hyp_tls_fn)(void *arg, enum hyp_app_ev ev, const struct hyp_buf_set *bufs,
			   const struct hyp_tls_meta *meta);

struct hyp_tls_dir;

/**
 * A client direction (server false: ClientHello) or a server one.
 *
 * @param memcap
 *   The most the stats' bytes_held may reach by this direction's messages
 *   (the stats given to hyp_tls_feed, one per context: a worker); 0 for
 *   no cap. The direction's bytes are given back to those stats when it
 *   is freed or done, so they must outlive it.
 * @return
 *   0, -ENOMEM.
 */
int hyp_tls_dir_new(bool server, uint64_t memcap, struct hyp_tls_dir **out);
void hyp_tls_dir_free(struct hyp_tls_dir *d);

/**
 * The next bytes of the direction, in order.
 *
 * @param peer
 *   The flow's other direction, or NULL: a certificate's meta takes the
 *   client's server_name from there.
 * @return
 *   0 (also once the handshake went encrypted: the bytes are ignored), or
 *   -EPROTO once the direction is not (or no longer) TLS, -ENOSPC at the
 *   memcap, -ENOMEM: the bytes are ignored from then on.
 */
int hyp_tls_feed(struct hyp_tls_dir *d, const struct hyp_tls_dir *peer, const uint8_t *data,
		 size_t len, hyp_tls_fn fn, void *arg, struct hyp_tls_stats *st);

/** Whether the direction parsed as TLS (its hello did). */
bool hyp_tls_is_tls(const struct hyp_tls_dir *d);

/** EVE's name of a protocol version (0x0303: "TLS 1.2"); "UNDETERMINED" if unknown. */
const char *hyp_tls_version_name(uint16_t v);

#ifdef __cplusplus
}
#endif

#endif /* HYP_TLS_H */
