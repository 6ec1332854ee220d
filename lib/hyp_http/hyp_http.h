/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_HTTP_H
#define HYP_HTTP_H

/**
 * @file
 * HTTP/1.x over one direction of a reassembled TCP stream, with
 * nodejs/http-parser (Debian's libhttp-parser): requests one way,
 * responses the other, pipelined, chunked, gzip or deflate bodies
 * decoded with zlib. Each message's inspection buffers (hyp_buf.h) are
 * handed to a callback at its events (hyp_http_ev): line and headers
 * complete, then body complete (or the body limit, or the stream's end).
 * No DPDK; no Hyperscan.
 *
 * Bounded: a message's line and headers at most HYP_HTTP_HEADER_MAX bytes
 * (http-parser refuses more: a parse error), HYP_HTTP_HEADERS headers
 * kept by name (the raw buffers keep all), a body up to its limit (bytes
 * after decoding; the rest counted, not kept). A direction that does not
 * begin as HTTP is left alone (not_http); one that breaks later stops
 * being parsed and is counted (parse_errors): what follows is not HTTP
 * we can read, and the caller may alert on it.
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

#define HYP_HTTP_HEADER_MAX	(80 * 1024)	/**< http-parser's own limit */
#define HYP_HTTP_HEADERS	64		/**< kept by name per message */
#define HYP_HTTP_PENDING	8		/**< requests awaiting their response */

struct hyp_http_limits {
	uint32_t request_body;		/**< bytes of a request body inspected */
	uint32_t response_body;		/**< of a response body, after decoding */
	/**
	 * The most the stats' bytes_held may reach (a context's directions
	 * together: a worker's); 0 for no cap. A direction whose buffers
	 * would pass it is no longer parsed (-ENOSPC, counted memcap).
	 */
	uint64_t memcap;
};

struct hyp_http_stats {
	uint64_t requests;		/**< request headers parsed */
	uint64_t responses;
	uint64_t parse_errors;		/**< a direction that broke after it was HTTP */
	uint64_t not_http;		/**< directions that did not begin as HTTP */
	uint64_t body_truncated;	/**< bodies longer than their limit */
	uint64_t decode_errors;		/**< gzip or deflate bodies that did not inflate */
	uint64_t headers_dropped;	/**< headers past HYP_HTTP_HEADERS (still raw) */
	uint64_t pending_dropped;	/**< requests past HYP_HTTP_PENDING without a response */
	uint64_t nomem;			/**< allocations that failed: buffers cut short */
	uint64_t memcap;		/**< directions stopped at the memcap */
	uint64_t bytes_held;		/**< gauge: buffer and inflate bytes held now */
};

extern const struct hyp_stat_desc hyp_http_stat_descs[];
extern const unsigned int hyp_http_stat_count;

/** A message's request, as an alert reports it (EVE's http object). */
struct hyp_http_meta {
	const char *method, *host, *url, *user_agent, *protocol;	/**< "" when absent */
	uint16_t status;		/**< responses; 0 otherwise */
	uint64_t length;		/**< response body bytes so far */
};

/**
 * At each event of a message. bufs holds the message's buffers; a
 * response's also the method, host, URI and user agent of its request.
 * Both are valid only during the call.
 */
typedef void (*hyp_http_fn)(void *arg, enum hyp_app_ev ev, const struct hyp_buf_set *bufs,
			    const struct hyp_http_meta *meta);

struct hyp_http_dir;

/**
 * A direction of requests (response false) or responses. 0, -ENOMEM.
 * Its bytes are counted in the stats of its first feed and given back to
 * them when it is freed: those must outlive it (one per context).
 */
int hyp_http_dir_new(bool response, struct hyp_http_dir **out);
void hyp_http_dir_free(struct hyp_http_dir *d);

/**
 * The next bytes of the direction, in order.
 *
 * @param peer
 *   The other direction of the flow, or NULL: a response takes its
 *   request's method (HEAD has no body) and fields from there.
 * @return
 *   0, or -EPROTO once the direction is not (or no longer) HTTP, -ENOSPC
 *   once its buffers would pass lim->memcap (the events so far were
 *   raised): the bytes are ignored from then on.
 */
int hyp_http_feed(struct hyp_http_dir *d, struct hyp_http_dir *peer,
		  const struct hyp_http_limits *lim, const uint8_t *data, size_t len,
		  hyp_http_fn fn, void *arg, struct hyp_http_stats *st);

/** The stream ended (or broke): a body not yet inspected is, as far as it came. */
void hyp_http_end(struct hyp_http_dir *d, hyp_http_fn fn, void *arg);

/** Whether the direction parsed as HTTP (a message's headers were complete). */
bool hyp_http_is_http(const struct hyp_http_dir *d);

/**
 * The normalized form of a request target, as http.uri has it: an
 * absolute URI's scheme and authority dropped, %XX decoded, the path's
 * dot segments removed and repeated slashes made one.
 *
 * @return
 *   Bytes written to out (at most cap; the URI is cut there).
 */
size_t hyp_http_normalize_uri(const uint8_t *uri, size_t len, uint8_t *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* HYP_HTTP_H */
