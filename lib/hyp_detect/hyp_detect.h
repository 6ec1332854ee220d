/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_DETECT_H
#define HYP_DETECT_H

/**
 * @file
 * Suricata rules run the way Suricata runs them: a prefilter, then
 * verification of only the candidate rules.
 *
 * Build: each rule's fast pattern (its content marked fast_pattern, else
 * its longest positive content) goes into one Hyperscan literal database
 * per class and buffer (hyp_buf.h). Classes are the packet's protocol
 * (TCP, UDP, ICMP, other IP; a rule of protocol ip goes into each, dns
 * into TCP and UDP) or, for a rule with HTTP or TLS buffers, the message
 * event that has all of them (hyp_app_ev: request or response headers,
 * their bodies, the ClientHello, the server's Certificate; an HTTP rule
 * without a direction whose buffers are either message's goes into both). A rule without a positive content has no fast pattern: it
 * is checked on every packet of its class, or, if it names at most 16
 * ports (its destination, or its source with any destination), on the
 * packets to or from them (port groups; the report counts both).
 *
 * Inspect: one Hyperscan scan per buffer gives the candidates; each is
 * verified in rule order, cheapest checks first: protocol, flow, the
 * packet options, ports, addresses (either way for <>), then its option
 * chain with Suricata's semantics: content
 * positions (offset/depth, distance/within relative to the previous match
 * in the same buffer, startswith/endswith, nocase, negation), and a failed
 * relative match makes the previous content try its next occurrence, to a
 * budget of HYP_DETECT_STEPS steps per rule and packet (counted when
 * spent: the rule does not match); pcre (PCRE2 with its JIT) from the
 * buffer's start or, with /R, from the previous match; byte_extract,
 * byte_test, byte_jump, isdataat, dsize, bsize, ttl, itype, icode, flags.
 *
 * The engine is immutable once built and shared by every worker; each
 * worker has its own scratch.
 *
 * flowbits: every name gets a bit at build; a flow's bits are the caller's
 * (hyp_detect_pkt.flowbits, hyp_detect_flowbit_words() words, zeroed when
 * the flow begins). isset and isnotset are conditions of the match; set,
 * unset and toggle act once the rule matched; a rule with noalert matches
 * (its bits act) but is not returned. In one packet the rules are
 * verified in Suricata's flowbit order: those that only write bits (and
 * those without flowbits), then those that read and write, then those
 * that only read; in rule order within each.
 *
 * detection_filter: a rule that has one and matched asks the caller
 * (hyp_detect_pkt.filter, which counts its matches per track in a shared
 * table); until the filter says yes the rule has not matched: no alert,
 * no action. Its flowbits act on every match, before the filter, as
 * Suricata's postmatch does. Without a filter every match counts.
 */

#include <stdbool.h>
#include <stdint.h>

#include "hyp_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HYP_DETECT_STEPS	3000	/**< verification steps per rule and packet */
#define HYP_DETECT_MAX_QUERIES	8	/**< DNS query names per packet */

struct hyp_detect;
struct hyp_detect_scratch;

/** What the build did beyond the parser's report. */
struct hyp_detect_info {
	unsigned int rules;		/**< in the engine */
	unsigned int no_fast_pattern;	/**< checked on every packet of their class (or ports) */
	unsigned int port_groups;	/**< ports with rules without a fast pattern of their own */
	unsigned int databases;		/**< Hyperscan literal databases */
	unsigned int pcre_jit;		/**< pcre options compiled with the JIT */
	size_t db_bytes;		/**< the databases' size */
	double build_ms;
};

/**
 * The rules of set the engine runs: it takes them (set is left empty; on
 * failure it may hold what was not taken, for the caller to free). A rule
 * with a pcre PCRE2 refuses is counted into rep as an error and freed.
 *
 * @return
 *   0, -ENOMEM, or -EINVAL with err saying which rule (file:line sid) and
 *   why (a pcre PCRE2 refuses, a pattern Hyperscan refuses).
 */
int hyp_detect_build(struct hyp_ruleset *set, struct hyp_rules_report *rep,
		     struct hyp_detect **out, struct hyp_detect_info *info, char *err,
		     size_t err_len);
void hyp_detect_free(struct hyp_detect *d);

int hyp_detect_scratch_alloc(const struct hyp_detect *d, struct hyp_detect_scratch **s);
void hyp_detect_scratch_free(struct hyp_detect_scratch *s);

/** One packet (or stream chunk) as the engine sees it. */
struct hyp_detect_pkt {
	uint8_t family;			/**< 4 or 6 */
	uint8_t proto;			/**< IP protocol */
	const uint8_t *src, *dst;	/**< 16 bytes each, IPv4 as ::ffff:a.b.c.d */
	uint16_t sport, dport;
	uint8_t ttl;
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	bool to_server;			/**< sent by the flow's initiator */
	bool established;		/**< TCP: handshake seen; UDP: both ways seen */
	bool stream;			/**< payload is reassembled TCP, not one segment */
	bool in_stream;			/**< a segment whose bytes a stream chunk carries too:
					 *   tcp rules see them there, tcp-pkt and ip here */
	bool dns;			/**< payload is one DNS message */
	bool app_http;			/**< the flow's TCP stream parsed as HTTP (protocol http) */
	bool app_tls;			/**< ... as TLS (protocol tls) */
	/**
	 * An application event (hyp_app_ev; NONE: a packet or stream chunk):
	 * only the rules with HTTP or TLS buffers of that event are
	 * inspected, over bufs, and payload is the stream window that made it.
	 */
	uint8_t app_ev;
	const struct hyp_buf_set *bufs;
	const uint8_t *payload;
	uint32_t len;
	/**
	 * A stream window (stream): payload[0, new_from) was inspected with
	 * the chunks before, so a rule that reads bytes matches only if its
	 * match reaches past new_from (0: all new); base is payload[0]'s
	 * offset in the stream, so offset, depth, startswith, absolute
	 * isdataat and byte_* and pcre's ^ count from the stream's start.
	 */
	uint32_t new_from;
	uint64_t base;
	uint32_t dsize;			/**< the packet's own payload size */
	const char *queries[HYP_DETECT_MAX_QUERIES];	/**< DNS query names (dns) */
	unsigned int n_queries;
	uint64_t *flowbits;		/**< the flow's bits; NULL: no flow (isset fails) */
	/** detection_filter: does this match of rule r count as one? NULL: yes */
	bool (*filter)(void *arg, const struct hyp_rule *r);
	void *filter_arg;
};

/** 64-bit words a flow's flowbits take (0: no rule uses flowbits). */
unsigned int hyp_detect_flowbit_words(const struct hyp_detect *d);

/**
 * The rules that match and alert (noalert rules act on the flow's bits
 * but are not returned), in rule order, those that test flowbits after
 * the others (their indices, for hyp_detect_rule()); at most max. Returns
 * how many (may be more than max).
 */
unsigned int hyp_detect_inspect(const struct hyp_detect *d, struct hyp_detect_scratch *s,
				const struct hyp_detect_pkt *p, uint32_t *out, unsigned int max);

/**
 * Only the prefilter: the Hyperscan scans of hyp_detect_inspect(), no
 * verification; how many rules they name (the always-checked ones not
 * counted). The floor of this design's cost, for benchmarks.
 */
unsigned int hyp_detect_prefilter(const struct hyp_detect *d, struct hyp_detect_scratch *s,
				  const struct hyp_detect_pkt *p);

unsigned int hyp_detect_rule_count(const struct hyp_detect *d);
/** Rules that need the HTTP parser: HTTP buffers, or protocol http (0: no need to parse). */
unsigned int hyp_detect_http_rules(const struct hyp_detect *d);
/** Rules that need the TLS parser: TLS buffers, or protocol tls (0: no need to parse). */
unsigned int hyp_detect_tls_rules(const struct hyp_detect *d);
const struct hyp_rule *hyp_detect_rule(const struct hyp_detect *d, uint32_t idx);

/** Counters of one scratch (its worker's). */
struct hyp_detect_stats {
	uint64_t packets;
	uint64_t candidates;		/**< rules the prefilter named, or checked always */
	uint64_t matches;
	uint64_t step_limit;		/**< rules given up on, their step budget spent */
	uint64_t filtered;		/**< matches a detection_filter held back */
	uint64_t pcre_errors;		/**< PCRE2 errors other than no match (limits) */
	uint64_t scan_errors;		/**< Hyperscan errors */
};

void hyp_detect_scratch_stats(const struct hyp_detect_scratch *s, struct hyp_detect_stats *st);

extern const struct hyp_stat_desc hyp_detect_stat_descs[];
extern const unsigned int hyp_detect_stat_count;

#ifdef __cplusplus
}
#endif

#endif /* HYP_DETECT_H */
