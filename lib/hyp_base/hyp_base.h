/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_BASE_H
#define HYP_BASE_H

/**
 * @file
 * What the libraries share and nothing of ours provides: the action of a
 * slow-path rule and the DNS name limit (policy, DNS parser, engine, EVE).
 * Prefixes are in hyp_cidr.h, address formatting in hyp_addr.h, Hyperscan's
 * flags in hyp_hs.h. This library depends on nothing of ours but the header
 * shared with the XDP program.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A counter table, as DPDK's ethdev keeps one for its stats: each uint64_t
 * of a stats struct with its one name, and every renderer (telemetry, the
 * metrics, the console, the statistics the app prints) loops over the
 * table. So a counter is added in one place and is called the same
 * everywhere.
 */
enum hyp_stat_kind {
	HYP_STAT_COUNTER,	/**< only goes up */
	HYP_STAT_GAUGE,		/**< a level now */
};

struct hyp_stat_desc {
	const char *name;	/**< lower_snake: telemetry key, metric suffix, column */
	size_t offset;		/**< of its uint64_t in the stats struct */
	enum hyp_stat_kind kind;
	const char *help;	/**< one line, for HELP texts and the docs */
};

/* the number of elements of an array: the libraries without DPDK have no RTE_DIM */
#define HYP_DIM(a)	(sizeof(a) / sizeof((a)[0]))

#define HYP_STAT(type, field, kind, help) \
	{ #field, offsetof(type, field), HYP_STAT_ ## kind, help }

static inline uint64_t
hyp_stat_value(const void *stats, const struct hyp_stat_desc *d)
{
	return *(const uint64_t *)(const void *)((const char *)stats + d->offset);
}

/** Add every counter and gauge of a table's struct a into sum (totals over instances). */
static inline void
hyp_stat_add(void *sum, const void *a, const struct hyp_stat_desc *d, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		*(uint64_t *)(void *)((char *)sum + d[i].offset) += hyp_stat_value(a, &d[i]);
}

/*
 * The CPU's cycle counter, for the libraries without DPDK: the same counter
 * rte_rdtsc() reads on x86-64 (TSC) and, by DPDK's default, on arm64
 * (CNTVCT), so their counts add up with the pipeline's. Elsewhere
 * nanoseconds, which is what the stage accounting then reports.
 */
#if defined(__x86_64__) || defined(__i386__)
static inline uint64_t
hyp_cycles(void)
{
	return __builtin_ia32_rdtsc();
}
#elif defined(__aarch64__)
static inline uint64_t
hyp_cycles(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
	return v;
}
#else
#include <time.h>
static inline uint64_t
hyp_cycles(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#endif

enum hyp_action {
	HYP_ACTION_PASS,
	HYP_ACTION_ALERT,	/**< count and log, let it pass */
	HYP_ACTION_DROP,
};

/** Whom a reject answers (Suricata's rejectsrc, rejectdst; both for rejectboth). */
#define HYP_REJECT_SRC	1u	/**< the sender: from the destination, out the port it came in */
#define HYP_REJECT_DST	2u	/**< the receiver: from the source, out the port it goes to */

/**
 * printf into an error buffer the caller may not have given (err NULL or
 * err_len 0: nothing is written), for functions that say why they failed.
 */
void hyp_errf(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** A hex digit's value, -1 if ch is none. */
int hyp_hex_digit(char ch);

/** "pass", "alert", "drop"; "?" for anything else. */
const char *hyp_action_name(enum hyp_action a);

/**
 * What the engine alerts on by itself, not by a rule: X(ID, signature id,
 * signature). The ids are above every policy's (user ids stay below
 * 1,000,000, automatic ones count up from there), so an alert's
 * signature_id names one thing.
 */
#define HYP_ENGINE_EVENTS(X) \
	X(FRAG_CONFLICT, 2000001, "HYPERION IP fragments overlap with different bytes") \
	X(FRAG_TOO_LARGE, 2000002, "HYPERION IP fragments reassemble past 65535 bytes") \
	X(DNS_MALFORMED, 2000003, "HYPERION DNS to port 53 that does not parse as a query") \
	X(TCP_CONFLICT, 2000004, "HYPERION TCP segments overlap with different bytes")

enum hyp_engine_event {
#define HYP_EV_ENUM(id, sid, msg) HYP_EV_ ## id,
	HYP_ENGINE_EVENTS(HYP_EV_ENUM)
#undef HYP_EV_ENUM
	HYP_EV_MAX
};

/** Signature id and text of an engine event. */
uint32_t hyp_engine_event_sid(enum hyp_engine_event e);
const char *hyp_engine_event_msg(enum hyp_engine_event e);

/** A DNS name in presentation form, without the trailing dot (RFC 1035 2.3.4). */
#define HYP_DNS_NAME_MAX	253
/** A buffer for one, with its NUL. */
#define HYP_DNS_NAME_BUF	(HYP_DNS_NAME_MAX + 1)

/* Auto-block bounds: the policy parser and lib/hyp_autoblock agree on them. */
#define HYP_AUTOBLOCK_TTL_MAX_S		(7 * 86400)
#define HYP_AUTOBLOCK_EXEMPT_MAX	1024
#define HYP_AUTOBLOCK_REPORTS_DEFAULT	10	/* per source and second, per worker */

/** What a TCP drop needs to count toward an auto-block (slow_path.auto_block.tcp). */
enum hyp_autoblock_tcp {
	HYP_AB_TCP_HANDSHAKE,	/**< the three-way handshake was seen, both ways */
	HYP_AB_TCP_STREAM,	/**< or the stream tracker vouches (one-sided sensors) */
};

/**
 * A rule's alert threshold, Suricata's `threshold` keyword: how many of a
 * rule's matches become EVE alerts, counted per tracked key over a window.
 * It limits alerts, never the verdict: a drop rule drops every match.
 */
#define HYP_THRESHOLD_TYPES(X) \
	X(NONE, "none")		/* every match alerts */ \
	X(LIMIT, "limit")	/* the first count matches of each window */ \
	X(THRESHOLD, "threshold")	/* every count-th match within a window */ \
	X(BOTH, "both")		/* once a window, at the count-th match */ \
	X(DETECTION, "detection_filter")	/* after the first count of a window: the \
						 * rule matches only then (its action too) */

/* the types a threshold keyword names; detection_filter is its own keyword */
#define HYP_THRESHOLD_ALERT_TYPES	HYP_THRESHOLD_DETECTION

enum hyp_threshold_type {
#define HYP_TH_ENUM(id, name) HYP_THRESHOLD_ ## id,
	HYP_THRESHOLD_TYPES(HYP_TH_ENUM)
#undef HYP_TH_ENUM
	HYP_THRESHOLD_TYPE_MAX
};

#define HYP_THRESHOLD_TRACKS(X) \
	X(BY_SRC, "by_src") \
	X(BY_DST, "by_dst") \
	X(BY_RULE, "by_rule")	/* one count for the rule */ \
	X(BY_BOTH, "by_both")	/* the address pair, either direction */

enum hyp_threshold_track {
#define HYP_TH_ENUM(id, name) HYP_TRACK_ ## id,
	HYP_THRESHOLD_TRACKS(HYP_TH_ENUM)
#undef HYP_TH_ENUM
	HYP_TRACK_MAX
};

#define HYP_THRESHOLD_COUNT_MAX		1000000u
#define HYP_THRESHOLD_SECONDS_MAX	86400u

struct hyp_threshold_spec {
	uint8_t type;		/**< enum hyp_threshold_type; NONE: no threshold */
	uint8_t track;		/**< enum hyp_threshold_track */
	uint32_t count;		/**< 1..HYP_THRESHOLD_COUNT_MAX */
	uint32_t seconds;	/**< 1..HYP_THRESHOLD_SECONDS_MAX */
};

/** The names, by enum value, for parsers; and one name, "?" out of range. */
extern const char *const hyp_threshold_type_names[HYP_THRESHOLD_TYPE_MAX];
extern const char *const hyp_threshold_track_names[HYP_TRACK_MAX];
const char *hyp_threshold_type_name(unsigned int type);
const char *hyp_threshold_track_name(unsigned int track);

#ifdef __cplusplus
}
#endif

#endif /* HYP_BASE_H */
