/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_EVE_H
#define HYP_EVE_H

/**
 * @file
 * Alerts as Suricata EVE-JSON lines, written off the data path.
 *
 * Data-path lcores hand alerts over with hyp_eve_post(), which copies the
 * alert into a preallocated slot and queues it: no blocking, no allocation,
 * no system call. A control thread formats the queued alerts with jansson
 * (so every string is escaped by a JSON library, never by hand) and appends
 * one line per alert to the file, one write() per burst: a reader such as
 * `tail -f` sees each burst as soon as it is written.
 *
 * One line looks like (wrapped here):
 *
 *   {"timestamp":"2026-11-24T21:10:26.123456+0000","flow_id":7,
 *    "event_type":"alert","src_ip":"198.18.0.1","src_port":43000,
 *    "dest_ip":"198.18.0.2","dest_port":53,"proto":"UDP",
 *    "alert":{"action":"blocked","gid":1,"signature_id":10,"rev":1,
 *             "signature":"evil","category":"","severity":2},
 *    "app_proto":"dns","dns":{"version":3,"type":"request","id":4660,
 *                             "queries":[{"rrname":"www.evil.com","rrtype":"A"}]}}
 *
 * The layout is Suricata 8's (EVE DNS v3, as its alerts log a query), and
 * every line validates against Suricata's own etc/schema.json (tested).
 *
 * - timestamp: UTC, microseconds.
 * - flow_id: masked to 63 bits, since JSON readers take it as a signed
 *   integer.
 * - src_port/dest_port: only for TCP, UDP and SCTP (as Suricata does).
 * - proto: "TCP", "UDP", "ICMP", "IPv6-ICMP", else the number as a
 *   three-digit string ("047"), as Suricata writes unknown protocols.
 * - IPv4 addresses dotted, IPv6 in RFC 5952 form (::ffff:a.b.c.d mixed).
 * - action: "blocked" for HYP_ACTION_DROP, "allowed" otherwise.
 * - app_proto and dns: only when rrname is not empty; rrtype by its
 *   mnemonic (A, AAAA, ...), else the number as a string, as Suricata.
 * - signature and rrname: kept as they are if valid UTF-8; otherwise each
 *   byte above 0x7f is written as the four characters \xNN (Suricata's
 *   convention), so the line is always valid JSON and nothing is lost.
 */

#include <stdint.h>

#include "hyp_base.h"	/* enum hyp_action, HYP_DNS_NAME_MAX */

#ifdef __cplusplus
extern "C" {
#endif

/** One alert as the data path knows it. Strings need not be terminated. */
struct hyp_eve_alert {
	uint64_t ts_ns;		/**< CLOCK_REALTIME */
	uint64_t flow_id;
	uint8_t family;		/**< 4 or 6 */
	uint8_t proto;
	uint8_t src[16];	/**< IPv4 as ::ffff:a.b.c.d */
	uint8_t dst[16];
	uint16_t sport;		/**< host order */
	uint16_t dport;
	uint32_t signature_id;
	uint8_t action;		/**< enum hyp_action */
	char signature[128];
	char rrname[HYP_DNS_NAME_MAX + 1];	/**< "" when not DNS */
	uint16_t rrtype;	/**< the query's type (with rrname) */
	uint16_t dns_id;	/**< the query's message id (with rrname) */
	uint32_t gid;		/**< 0: 1 */
	uint32_t rev;		/**< 0: 1 (YAML rules have no revision) */
	uint32_t severity;	/**< 0: 2 */
	char category[64];	/**< the classtype's text; "" if none */
	/* an HTTP message's rule: EVE's http object (app_proto http) */
	bool http;
	uint16_t http_status;	/**< 0: none (the alert is on a request) */
	uint64_t http_length;	/**< response body bytes */
	char http_method[24];
	char http_protocol[16];
	char http_host[256];
	char http_user_agent[256];
	char http_url[1024];
	/* a TLS handshake's rule: EVE's tls object (app_proto tls); "" when absent */
	bool tls;
	char tls_sni[256];
	char tls_version[16];
	char tls_subject[512];
	char tls_issuer[512];
	char tls_serial[64];
	char tls_fingerprint[60];
};

struct hyp_eve;

/**
 * Open (or create, mode 0640; never through a symbolic link) a log for
 * appending and start its writer.
 * Needs the EAL; works before any worker lcore is launched.
 *
 * A write that fails (disk full, I/O error) is retried, with a pause that
 * grows from 10 ms to 1 s, until it succeeds, the log is reopened or
 * closed; meanwhile the writer takes no new alerts, so the queue fills and
 * posts are counted lost. Nothing already queued is lost to a full disk
 * that gets room again.
 *
 * @param path
 *   The log file.
 * @param capacity
 *   Alerts that may wait for the writer at once (>= 1); more are lost.
 * @param drop_reserve
 *   Of the capacity, slots only drop alerts (HYP_ACTION_DROP) may take,
 *   once the others are gone (< capacity; 0: none).
 * @return
 *   The log, or NULL with rte_errno set (EINVAL, ENOMEM, or the errno of
 *   open(2) or of the thread creation).
 */
struct hyp_eve *hyp_eve_open(const char *path, unsigned int capacity,
			     unsigned int drop_reserve);

/**
 * Queue one alert. For data-path lcores (any thread may call it): never
 * blocks, never allocates. Must not race with hyp_eve_close().
 *
 * @return
 *   0, or -ENOBUFS when no slot was free: the alert is counted as lost.
 */
int hyp_eve_post(struct hyp_eve *e, const struct hyp_eve_alert *a);

/**
 * Wait until every alert posted before the call has been written (or
 * counted lost). For control threads, e.g. before reading the counters.
 *
 * @param timeout_ms
 *   Give up after this long; 0 waits as long as it takes.
 * @return
 *   0, or -ETIMEDOUT.
 */
int hyp_eve_flush(struct hyp_eve *e, unsigned int timeout_ms);

/**
 * Open the log's path again (after logrotate renamed the file): the writer
 * does it between two bursts, so each alert lands in exactly one of the
 * two files. With timeout_ms 0 only asks; otherwise waits for it.
 *
 * @return
 *   0 (done, or asked), -ETIMEDOUT, or the -errno of the open (the writer
 *   then goes on with the file it had).
 */
int hyp_eve_reopen(struct hyp_eve *e, unsigned int timeout_ms);

/** Reopens done; *failures (may be NULL): reopens that failed. */
uint64_t hyp_eve_reopens(const struct hyp_eve *e, uint64_t *failures);

/**
 * Write out everything still queued, stop the writer, close the file and
 * free the log. Posting must have stopped. NULL is ignored.
 */
void hyp_eve_close(struct hyp_eve *e);

/** Alerts written to the file so far. */
uint64_t hyp_eve_written(const struct hyp_eve *e);

/**
 * Alerts that will never reach the file: no free slot when posted, or the
 * writer could not format or write them. Once the queue is drained
 * (hyp_eve_flush() returned 0), every posted alert is either written or
 * lost; while a failed write is retried, the flush waits for it.
 */
uint64_t hyp_eve_lost(const struct hyp_eve *e);

/**
 * Of the lost alerts, those the writer failed to format, or gave up
 * writing: at close, or the half-written line a reopen left behind.
 */
uint64_t hyp_eve_errors(const struct hyp_eve *e);

/** Of the lost alerts, drop alerts. */
uint64_t hyp_eve_lost_drops(const struct hyp_eve *e);

/** All at once; their names and meaning are in hyp_eve_stat_descs[]. */
struct hyp_eve_stats {
	uint64_t written;
	uint64_t lost;
	uint64_t errors;
	uint64_t lost_drops;
	uint64_t write_errors;
	uint64_t retrying;
};

void hyp_eve_get_stats(const struct hyp_eve *e, struct hyp_eve_stats *st);

extern const struct hyp_stat_desc hyp_eve_stat_descs[];
extern const unsigned int hyp_eve_stat_count;

#ifdef __cplusplus
}
#endif

#endif /* HYP_EVE_H */
