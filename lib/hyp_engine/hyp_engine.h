/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_ENGINE_H
#define HYP_ENGINE_H

/**
 * @file
 * The slow path's verdict on one packet's payload: DNS rules on the query
 * name of DNS queries, then Hyperscan over the L4 payload; the strongest
 * action wins (drop > alert > pass). Suricata rules (the policy's
 * rule_files, lib/hyp_detect) join in with Suricata's order: a pass rule
 * that matches lets the packet pass and silences every alert; else a
 * drop or reject (dropped; no RST is sent yet) and alert rules each give
 * their own alert, and the strongest action decides.
 *
 * An engine is built from a policy off the data path and is immutable
 * afterwards, so workers read it without locks; a reload builds a new one
 * and swaps the pointer. Each worker owns a scratch.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hyp_detect.h"
#include "hyp_dns.h"
#include "hyp_dpi.h"
#include "hyp_http.h"
#include "hyp_tls.h"
#include "hyp_policy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HYP_DNS_PORT 53
#define HYP_VERDICT_SIGS 8	/**< Suricata alerts per packet (Suricata's packet_alert_max: 15) */

struct hyp_engine;
struct hyp_engine_scratch;

/** What the engine decided, and why. */
struct hyp_verdict {
	enum hyp_action action;
	uint32_t rule_id;		/**< 0: no rule matched */
	const char *msg;		/**< the rule's message; valid while the engine lives */
	bool dns_query;			/**< the payload was a DNS query */
	bool dns_rule;			/**< the deciding rule is a DNS rule */
	int slot;			/**< the deciding rule's slot, -1: none */
	int dns_err;			/**< <0: looked like DNS but did not parse */
	int scan_err;			/**< <0: a Hyperscan scan failed (-errno) */
	char rrname[HYP_DNS_NAME_BUF];	/**< the query name when dns_query */
	uint16_t rrtype;		/**< its question's type */
	uint16_t dns_id;		/**< its message's id */
	bool sig_pass;			/**< a Suricata pass rule matched */
	uint8_t reject;			/**< reject rules matched: whom they answer
					 *   (HYP_REJECT_SRC | HYP_REJECT_DST) */
	unsigned int n_sigs;		/**< Suricata rules that alert, in sigs[] */
	uint32_t sigs[HYP_VERDICT_SIGS];	/**< their slots */
	/**
	 * Each one's HTTP message (EVE's http object), NULL if it alerted on
	 * no HTTP message; valid until the scratch inspects the next packet
	 * (it keeps the last HYP_ENGINE_HTTP_METAS messages that alerted).
	 */
	const struct hyp_http_meta *sig_http[HYP_VERDICT_SIGS];
	/** Likewise its TLS handshake (EVE's tls object), or NULL. */
	const struct hyp_tls_meta *sig_tls[HYP_VERDICT_SIGS];
};

/** Build from a policy; the engine takes ownership of it. */
int hyp_engine_build(struct hyp_policy *p, uint32_t gen, struct hyp_engine **out,
		     char *err, size_t err_len);
void hyp_engine_free(struct hyp_engine *e);

uint32_t hyp_engine_gen(const struct hyp_engine *e);

/**
 * Rules are numbered in slots 0..count-1 (DNS rules, then signatures, then
 * payload rules, then Suricata rules) so that per-rule counters are plain
 * arrays.
 */
unsigned int hyp_engine_rule_count(const struct hyp_engine *e);
/** The policy's id, action and alert text of a slot; -EINVAL if out of range. */
int hyp_engine_rule(const struct hyp_engine *e, unsigned int slot, uint32_t *id,
		    enum hyp_action *action, const char **msg);

/** What an alert of a slot says beyond id, action and text (Suricata's fields). */
struct hyp_engine_rule_info {
	uint32_t gid, rev;
	uint32_t severity;		/**< 1 (high) .. 255 */
	const char *category;		/**< the classtype's text, "" if none */
	bool suricata;			/**< a rule from rule_files */
};

int hyp_engine_rule_info(const struct hyp_engine *e, unsigned int slot,
			 struct hyp_engine_rule_info *info);

/** Words of flowbits a flow needs for this engine's Suricata rules (0: none). */
unsigned int hyp_engine_flowbit_words(const struct hyp_engine *e);

/** The rule files' report (parser and engine), or NULL without rule_files. */
const struct hyp_rules_report *hyp_engine_rules_report(const struct hyp_engine *e);
/** The Suricata engine's build numbers, or NULL without rule_files. */
const struct hyp_detect_info *hyp_engine_detect_info(const struct hyp_engine *e);

/** A slot's alert threshold (type NONE: none), or NULL out of range. */
const struct hyp_threshold_spec *hyp_engine_rule_threshold(const struct hyp_engine *e,
							   unsigned int slot);
const struct hyp_policy *hyp_engine_policy(const struct hyp_engine *e);

/**
 * Cycles a worker's inspection spent, by part, while its scratch has them
 * on (hyp_engine_scratch_cycles): what the pipeline's stage accounting
 * reports as dns, scan, sigs and app. Nothing is counted when off (the
 * default): two clock reads per part are not free.
 */
struct hyp_engine_cycles {
	uint64_t dns;	/**< DNS parsing and the dns_rules */
	uint64_t scan;	/**< the YAML payload rules' Hyperscan scan, block and stream */
	uint64_t sigs;	/**< the Suricata rules on the packet or chunk: prefilter and verify */
	uint64_t app;	/**< HTTP and TLS parsing of a stream, and their events' rules */
};

/** Count into acc (NULL: stop counting). acc outlives every use of s. */
void hyp_engine_scratch_cycles(struct hyp_engine_scratch *s, struct hyp_engine_cycles *acc);

int hyp_engine_scratch_alloc(const struct hyp_engine *e, struct hyp_engine_scratch **s);
/** Make a worker's scratch fit another engine too (before a swap). */
int hyp_engine_scratch_grow(const struct hyp_engine *e, struct hyp_engine_scratch *s);
void hyp_engine_scratch_free(struct hyp_engine_scratch *s);
/** The Suricata rules' counters of a scratch (zeros without rule_files). */
void hyp_engine_scratch_detect_stats(const struct hyp_engine_scratch *s,
				     struct hyp_detect_stats *st);

/**
 * Inspect one L4 payload. proto is the IP protocol, dport the destination
 * port in host order. Never fails: a payload it cannot read is a pass, with
 * dns_err telling why when it looked like DNS.
 */
void hyp_engine_inspect(const struct hyp_engine *e, struct hyp_engine_scratch *s,
			const uint8_t *payload, size_t len, uint8_t proto,
			uint16_t dport, struct hyp_verdict *v);

/**
 * The same for a whole packet: the YAML rules on p's payload, then the
 * Suricata rules with what they need of the packet (hosts, ports, flow,
 * TTL, flags, ICMP; the DNS query names are filled in here).
 */
void hyp_engine_inspect_pkt(const struct hyp_engine *e, struct hyp_engine_scratch *s,
			    struct hyp_detect_pkt *p, struct hyp_verdict *v);

/**
 * A TCP segment whose bytes went into its stream (fed with
 * hyp_engine_stream_feed()): only the Suricata rules that look at packets
 * (tcp-pkt, ip) see it here, into v as it is; one without payload (a SYN,
 * an ACK, a FIN) reaches no stream, so every TCP rule sees it here.
 */
void hyp_engine_inspect_segment(const struct hyp_engine *e, struct hyp_engine_scratch *s,
				struct hyp_detect_pkt *p, struct hyp_verdict *v);

/**
 * A TCP direction's bytes in order (lib/hyp_stream delivers them),
 * inspected as one stream: the payload rules in Hyperscan stream mode (a
 * match may span segments), and on port 53 every DNS message they complete
 * (a length prefix or a message may span segments). A stream belongs to
 * the engine generation that opened it: fed with another, it starts again
 * (what spans the reload is not joined). Each rule reports once per stream.
 */
struct hyp_engine_stream;

/**
 * HTTP and TLS over a stream: when the engine has rules that need them
 * (hyp_detect_http_rules(), hyp_detect_tls_rules()), each direction of a
 * TCP flow is parsed as HTTP (requests from the initiator, responses
 * back) and as TLS (the ClientHello from the initiator, the server's
 * hello and certificate back) until it is not, and the rules with their
 * buffers are inspected at each message's events (hyp_buf.h), with the
 * body limits of the policy's slow_path.http.
 */
struct hyp_engine_app {
	struct hyp_engine_stream *peer;	/**< the flow's other direction, or NULL */
	struct hyp_http_stats *stats;	/**< the worker's counters */
	struct hyp_tls_stats *tls_stats;
};

/** Start a verdict: a pass, no rule. */
void hyp_engine_verdict_init(struct hyp_verdict *v);

/**
 * The next bytes; *st is NULL before the first (opened here). The
 * strongest rule so far stays in v (initialized by the caller). ctx (may
 * be NULL: no Suricata rules) is the packet that delivered them and what
 * the Suricata rules see as the stream chunk from its hosts: its payload
 * is the window that ends with data (new_from and base say which of it
 * is new and where it sits in the stream; see struct hyp_detect_pkt).
 * @return 0, or -ENOMEM (the bytes went uninspected; v as it was).
 */
int hyp_engine_stream_feed(const struct hyp_engine *e, struct hyp_engine_scratch *s,
			   struct hyp_engine_stream **st, const uint8_t *data, size_t len,
			   uint8_t proto, uint16_t dport, const struct hyp_detect_pkt *ctx,
			   const struct hyp_engine_app *http, struct hyp_verdict *v);

/**
 * The stream ended (FIN, RST) or broke (a gap): what only an end matches
 * goes into v (an HTTP body not yet inspected is, as far as it came, with
 * ctx's hosts); the next feed starts a new stream. e NULL: just reset.
 */
void hyp_engine_stream_end(const struct hyp_engine *e, struct hyp_engine_scratch *s,
			   struct hyp_engine_stream *st, uint8_t proto, uint16_t dport,
			   const struct hyp_detect_pkt *ctx, const struct hyp_engine_app *http,
			   struct hyp_verdict *v);

/** Whether the stream parsed as HTTP (protocol http rules; EVE's app_proto). */
bool hyp_engine_stream_is_http(const struct hyp_engine_stream *st);
/** Whether the stream parsed as TLS (protocol tls rules). */
bool hyp_engine_stream_is_tls(const struct hyp_engine_stream *st);

/** Free it, whatever generation opened it (NULL is ignored). */
void hyp_engine_stream_free(struct hyp_engine_stream *st);

/** Bytes an open stream costs (its Hyperscan state; DNS adds its buffer). */
size_t hyp_engine_stream_size(const struct hyp_engine *e);

#ifdef __cplusplus
}
#endif

#endif /* HYP_ENGINE_H */
