/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_RULES_H
#define HYP_RULES_H

/**
 * @file
 * The Suricata rule language, parsed: a rule's header (action, protocol,
 * address and port expressions with negation, ranges, groups and
 * variables, direction) and its options, in order, as typed values a
 * detection engine can run. No DPDK, no Hyperscan: the parser and its
 * fuzzer link nothing else of ours but lib/hyp_base.
 *
 * A rule is taken whole or not at all. A keyword the engine does not run
 * (TLS buffers, stream_size, ...) skips the rule and names the keyword, so a report can count skips per keyword; a syntax
 * error names the option and why. Nothing is loaded half.
 *
 * Values follow Suricata's quoting: an option ends at the first ';' that
 * is not escaped (\;) and not inside double quotes; inside quotes \" \\
 * \; and \: stand for themselves. content takes |hex| runs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hyp_base.h"	/* struct hyp_threshold_spec */
#include "hyp_buf.h"
#include "hyp_cidr.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Actions, in Suricata's default order of precedence (pass first). */
enum hyp_rule_action {
	HYP_RULE_PASS,
	HYP_RULE_DROP,
	HYP_RULE_REJECT,
	HYP_RULE_ALERT,
	HYP_RULE_ACTION_MAX
};

enum hyp_rule_proto {
	HYP_RP_IP,		/**< any IP packet */
	HYP_RP_TCP,		/**< TCP packets and streams */
	HYP_RP_UDP,
	HYP_RP_ICMP,		/**< ICMP and ICMPv6 */
	HYP_RP_DNS,		/**< the DNS parser's view, UDP and TCP */
	HYP_RP_TCP_PKT,		/**< TCP packets only */
	HYP_RP_TCP_STREAM,	/**< reassembled TCP only */
	HYP_RP_HTTP,		/**< TCP flows our HTTP parser took, on any port */
	HYP_RP_TLS,		/**< TCP flows our TLS parser took, on any port */
	HYP_RP_MAX
};

const char *hyp_rule_action_name(unsigned int a);
const char *hyp_rule_proto_name(unsigned int p);

/*
 * An address or port expression: a tree in one array, node 0 the root,
 * members of a group linked through next. A group matches what one of its
 * positive members matches (every value if it has none) and none of its
 * negated members does, as Suricata reads "[10.0.0.0/8,!10.1.0.0/16]".
 */
enum hyp_rule_node_kind {
	HYP_RN_ANY,
	HYP_RN_CIDR,	/**< addresses */
	HYP_RN_RANGE,	/**< ports lo..hi */
	HYP_RN_GROUP,
};

struct hyp_rule_node {
	uint8_t kind;		/**< enum hyp_rule_node_kind */
	bool neg;
	uint16_t first;		/**< group: its first member; HYP_RN_NONE: empty */
	uint16_t next;		/**< the next member of the same group, or HYP_RN_NONE */
	uint16_t lo, hi;	/**< range */
	struct hyp_cidr cidr;
};

#define HYP_RULE_EXPR_NODES	256	/**< per expression, after variables */
#define HYP_RN_NONE		UINT16_MAX

struct hyp_rule_expr {
	struct hyp_rule_node *nodes;
	unsigned int n;
};

/** Whether an address (16 bytes, IPv4 as ::ffff:a.b.c.d; family 4 or 6) is in it. */
bool hyp_rule_addr_match(const struct hyp_rule_expr *e, unsigned int family, const uint8_t a[16]);
bool hyp_rule_port_match(const struct hyp_rule_expr *e, uint16_t port);

/** dsize, bsize, ttl, itype, icode: N, <N, >N, <=N, >=N, !N, N<>M (exclusive), N-M. */
enum hyp_rule_cmp {
	HYP_CMP_EQ, HYP_CMP_LT, HYP_CMP_GT, HYP_CMP_LE, HYP_CMP_GE, HYP_CMP_NE,
	HYP_CMP_RANGE,		/**< lo < v < hi */
};

struct hyp_rule_num {
	uint8_t cmp;		/**< enum hyp_rule_cmp */
	uint32_t lo, hi;	/**< hi for ranges */
};

bool hyp_rule_num_match(const struct hyp_rule_num *n, uint32_t v);

struct hyp_rule_content {
	uint8_t *pat;
	uint16_t len;
	uint8_t buf;		/**< enum hyp_buf (hyp_buf.h) */
	bool negated, nocase, fast_pattern, startswith, endswith;
	bool has_offset, has_depth, has_distance, has_within;
	int32_t offset, depth, distance, within;
};

#define HYP_PCRE_I	0x01	/* caseless */
#define HYP_PCRE_S	0x02	/* dot matches newline */
#define HYP_PCRE_M	0x04	/* multiline */
#define HYP_PCRE_X	0x08	/* extended */
#define HYP_PCRE_R	0x10	/* relative to the last match */
#define HYP_PCRE_E	0x20	/* $ only at the end */
#define HYP_PCRE_G	0x40	/* ungreedy */
#define HYP_PCRE_A	0x80	/* anchored */

struct hyp_rule_pcre {
	char *re;		/**< the pattern between the slashes */
	uint32_t flags;		/**< HYP_PCRE_* */
	uint8_t buf;
	bool negated;
};

/** byte_test / byte_jump / byte_extract */
#define HYP_BYTE_RELATIVE	0x01
#define HYP_BYTE_LITTLE		0x02	/* else big endian */
#define HYP_BYTE_STRING		0x04
#define HYP_BYTE_ALIGN		0x08	/* byte_jump: the jump rounded up to 4 bytes */
#define HYP_BYTE_FROM_BEGIN	0x10	/* byte_jump */
#define HYP_BYTE_FROM_END	0x20	/* byte_jump */
#define HYP_BYTE_DCE		0x40

#define HYP_BYTE_VARS		4	/**< byte_extract variables per rule */

struct hyp_rule_byte {
	uint8_t nbytes;		/**< 1..8, or 1..10 for strings; byte_jump: 0 too */
	uint8_t base;		/**< strings: 8, 10, 16; 0: binary */
	uint8_t flags;
	uint8_t op;		/**< byte_test: '<' '>' '=' '&' '^' 'l' (<=) 'g' (>=) */
	bool negated;		/**< byte_test: !op */
	int32_t offset;
	uint64_t value;		/**< byte_test: the operand; byte_jump: multiplier */
	int32_t post_offset;	/**< byte_jump */
	uint64_t bitmask;	/**< 0: none */
	int8_t value_var;	/**< byte_test value / offset from byte_extract: index, -1 none */
	int8_t offset_var;
	int8_t nbytes_var;	/**< byte_test, byte_jump: the count from a variable, -1 none */
	int8_t var;		/**< byte_extract: the variable it sets */
};

enum hyp_rule_opt_type {
	HYP_RO_CONTENT,
	HYP_RO_PCRE,
	HYP_RO_DSIZE,
	HYP_RO_BSIZE,
	HYP_RO_ISDATAAT,
	HYP_RO_BYTE_TEST,
	HYP_RO_BYTE_JUMP,
	HYP_RO_BYTE_EXTRACT,
	HYP_RO_TTL,
	HYP_RO_ITYPE,
	HYP_RO_ICODE,
	HYP_RO_FLAGS,
	HYP_RO_URILEN,		/**< num on the length of buf (the URI, normalized or raw) */
};

/** isdataat: N[,relative]; negated: !N */
struct hyp_rule_isdataat {
	uint32_t n;
	bool relative, negated;
};

/** TCP flags: match when (flags & ~ignore) has all of set and, unless any/plus, nothing else. */
struct hyp_rule_flags {
	uint8_t set, ignore;
	char mod;		/**< 0 exact, '+' these and others, '*' any of these, '!' none of these */
};

struct hyp_rule_opt {
	uint8_t type;		/**< enum hyp_rule_opt_type */
	uint8_t buf;		/**< bsize: its buffer */
	union {
		struct hyp_rule_content content;
		struct hyp_rule_pcre pcre;
		struct hyp_rule_num num;	/**< dsize, bsize, ttl, itype, icode, urilen */
		struct hyp_rule_isdataat isdataat;
		struct hyp_rule_byte byte;
		struct hyp_rule_flags flags;
	} u;
};

/* flow: */
#define HYP_FLOW_TO_SERVER	0x01	/* = from_client */
#define HYP_FLOW_TO_CLIENT	0x02	/* = from_server */
#define HYP_FLOW_ESTABLISHED	0x04
#define HYP_FLOW_NOT_ESTAB	0x08
#define HYP_FLOW_STATELESS	0x10
#define HYP_FLOW_ONLY_STREAM	0x20
#define HYP_FLOW_NO_STREAM	0x40

enum hyp_flowbits_cmd {
	HYP_FB_SET, HYP_FB_UNSET, HYP_FB_TOGGLE, HYP_FB_ISSET, HYP_FB_ISNOTSET, HYP_FB_NOALERT,
};

#define HYP_FLOWBITS_NAMES	4	/**< names per flowbits option (a|b or a&b) */

struct hyp_rule_flowbits {
	uint8_t cmd;		/**< enum hyp_flowbits_cmd */
	bool any;		/**< isset a|b: one of them; else all */
	uint8_t n;
	char *names[HYP_FLOWBITS_NAMES];
};

struct hyp_rule {
	uint8_t action;		/**< enum hyp_rule_action */
	uint8_t reject_to;	/**< reject: HYP_REJECT_SRC | HYP_REJECT_DST */
	uint8_t proto;		/**< enum hyp_rule_proto */
	bool bidir;		/**< <> */
	struct hyp_rule_expr src, dst, sport, dport;
	uint32_t sid, gid, rev;
	uint32_t priority;	/**< the priority keyword's; 0: none (the classtype's, else 3) */
	char *msg, *classtype;
	uint8_t flow;		/**< HYP_FLOW_* */
	struct hyp_rule_opt *opts;	/**< the detection options, in rule order */
	unsigned int n_opts;
	struct hyp_rule_flowbits *flowbits;
	unsigned int n_flowbits;
	struct hyp_threshold_spec threshold;
	struct hyp_threshold_spec detection_filter;	/**< type DETECTION: matches from the count on */
	unsigned int n_byte_vars;
	char *byte_vars[HYP_BYTE_VARS];
	char *file;		/**< set by the loader; may be NULL */
	unsigned int line;
};

void hyp_rule_free(struct hyp_rule *r);

/** Variables: $NAME in address and port fields. */
struct hyp_rule_var {
	char *name;
	char *value;
};

struct hyp_rule_vars {
	struct hyp_rule_var *v;
	unsigned int n;
};

/** Suricata's defaults (HOME_NET, EXTERNAL_NET, HTTP_PORTS, ...). 0 or -ENOMEM. */
int hyp_rule_vars_default(struct hyp_rule_vars *v);
/** Set (or replace) one. 0, -EINVAL (bad name), -ENOMEM. */
int hyp_rule_vars_set(struct hyp_rule_vars *v, const char *name, const char *value);
void hyp_rule_vars_free(struct hyp_rule_vars *v);

/** Why a rule was not taken. */
struct hyp_rule_err {
	char keyword[48];	/**< skipped: the keyword; error: the option, or "" (header) */
	char msg[200];		/**< error: what is wrong */
};

#define HYP_RULE_MAX_LEN	65536	/**< bytes of one rule, continuation lines joined */
#define HYP_RULE_MAX_OPTS	256	/**< options of one rule */

/**
 * Parse one rule (without its line end).
 *
 * @return
 *   0: *r holds it (free with hyp_rule_free()); 1: skipped, the engine
 *   does not run e->keyword; -EINVAL: a syntax error, e says which option
 *   and why; -ENOMEM. *r is empty unless 0.
 */
int hyp_rule_parse(const char *text, size_t len, const struct hyp_rule_vars *vars,
		   struct hyp_rule *r, struct hyp_rule_err *e);

/* ---- files and their report ---- */

struct hyp_rule_count {
	char *key;		/**< a keyword, or an error message's first words */
	unsigned int n;
};

struct hyp_rules_report {
	unsigned int loaded, skipped, errors;
	struct hyp_rule_count *skips;	/**< per keyword, most first after hyp_rules_report_sort() */
	unsigned int n_skips;
	struct hyp_rule_count *files;	/**< per file: loaded */
	unsigned int n_files;
	struct hyp_rule_count *error_opts;	/**< errors per option ("header": none) */
	unsigned int n_error_opts;
	char first_error[320];		/**< file:line: option: why, of the first error */
};

struct hyp_ruleset {
	struct hyp_rule *rules;
	unsigned int n;
};

/**
 * Every rule of a file (comments, blank lines and '\' continuations as
 * Suricata reads them) into set, the counts into rep. A rule that does not
 * parse is counted, never fatal.
 *
 * @return
 *   0, or -errno when the file cannot be read (rep->first_error says so).
 */
int hyp_rules_load_file(const char *path, const struct hyp_rule_vars *vars,
			struct hyp_ruleset *set, struct hyp_rules_report *rep);

/** The same for text in memory (name for messages). */
int hyp_rules_load_buf(const char *buf, size_t len, const char *name,
		       const struct hyp_rule_vars *vars, struct hyp_ruleset *set,
		       struct hyp_rules_report *rep);

/**
 * A loaded rule that a later stage (the detection engine) does not run
 * after all: moved from loaded to skipped under keyword, or to errors with
 * why (keyword NULL). 0 or -ENOMEM.
 */
int hyp_rules_report_unload(struct hyp_rules_report *rep, const struct hyp_rule *r,
			    const char *keyword, const char *why);

void hyp_rules_report_sort(struct hyp_rules_report *rep);

/* ---- classification.config: classtype -> text and priority ---- */

struct hyp_rule_class {
	char *name, *desc;
	uint32_t priority;
};

struct hyp_rule_classes {
	struct hyp_rule_class *c;
	unsigned int n;
};

/**
 * "config classification: NAME,DESCRIPTION,PRIORITY" lines (Suricata's
 * file). 0, or -errno (unreadable), or -EINVAL with the line in err.
 */
int hyp_rule_classes_load(const char *path, struct hyp_rule_classes *cl, char *err,
			  size_t err_len);
const struct hyp_rule_class *hyp_rule_class_find(const struct hyp_rule_classes *cl,
						 const char *name);
void hyp_rule_classes_free(struct hyp_rule_classes *cl);
void hyp_rules_report_free(struct hyp_rules_report *rep);
void hyp_ruleset_free(struct hyp_ruleset *set);

#ifdef __cplusplus
}
#endif

#endif /* HYP_RULES_H */
