/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_POLICY_H
#define HYP_POLICY_H

/**
 * @file
 * The policy file (YAML, libyaml): parsed and validated whole, or refused
 * whole with the file, line and column of the first problem. A policy that
 * was returned is complete and consistent; nothing half-parsed escapes.
 *
 * Keys (all optional unless noted):
 *
 *   fast_path:
 *     drop_ips: [CIDR or address, ...]        # source blocklist, v4 and v6
 *     drop_dst_ips: [CIDR or address, ...]    # destination blocklist
 *     redirect_ports: [{protocol: 6|17, port: 1..65535,
 *                       priority: 0..7}, ...]        # shed from 7 down; 0 never
 *     rate_limits: [{cidr: CIDR, pps: N, burst: N,
 *                    scope: address|prefix, ipv6_mask: 1..128}, ...]
 *     malformed: drop|pass
 *     redirect_all: true|false
 *     fragments: inspect|drop|pass                # TCP/UDP fragments in XDP
 *     redirect_budget_pps: N                      # per rx queue; 0: unlimited
 *     redirect_budget_burst: N                    # 0: a tenth of a second's
 *     pass_ethertypes: [arp, lldp, 0x88f7, ...]   # IPS: non-IP forwarded
 *   slow_path:
 *     dns_rules: [{match: "evil.com", action: drop|alert|pass, id: N,
 *                  threshold: TH}, ...]
 *     payload_signatures: [{match: "literal bytes", action: ..., id: N,
 *                           threshold: TH}, ...]
 *     payload_rules: [{id: N, msg: "...", regex: "...", protocol: 6|17,
 *                      port: N, action: ..., threshold: TH}, ...]
 *                                         # id and regex required
 *       TH: {type: limit|threshold|both, track: by_src|by_dst|by_rule|by_both,
 *            count: 1..1000000, seconds: 1..86400}   # all four; alerts only
 *     auto_block: {hits: N, ttl_s: 1.., udp: bool, tcp: handshake|stream,
 *                  exempt: [CIDR, ...], max_reports_per_source_s: N}
 *     dns_malformed: drop|alert|pass       # DNS to port 53 that does not parse
 *     rule_files: [emerging-dns.rules, ...]  # Suricata rules, relative to the
 *                                          # policy's directory, no ".."
 *     rule_vars: {HOME_NET: "[198.18.0.0/15]", HTTP_PORTS: "[80,8080]", ...}
 *     http: {request_body_limit: 102400, response_body_limit: 102400,
 *            memcap: 67108864}               # bytes a worker holds of HTTP
 *     tls: {memcap: 33554432}            # bytes a worker holds of handshakes
 *   runtime:
 *     fail_mode: open|closed
 *     watchdog_ms: N                                  # 0: no watchdog
 *
 * Rule ids are unique across all slow-path rules. dns_rules and
 * payload_signatures without an id get one from HYP_POLICY_AUTO_ID_BASE up.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hyp_base.h"	/* enum hyp_action, HYP_DNS_NAME_MAX */
#include "hyp_buf.h"	/* HYP_HTTP_BODY_LIMIT_*, HYP_TLS_MEMCAP_* */
#include "hyp_cidr.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HYP_POLICY_AUTO_ID_BASE	1000000u
#define HYP_POLICY_MAX_RULES	200000u	/* per list: refuses absurd files early */

struct hyp_policy_l4port {
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;
	uint32_t priority;	/* shedding class 0..HYP_SHED_PRIORITY_MAX; 0: never shed */
};

struct hyp_policy_ratelimit {
	struct hyp_cidr cidr;
	uint32_t pps;		/* 0 exempts the prefix */
	uint32_t burst;
	uint8_t scope;		/* enum hyp_rl_scope, address by default */
	uint8_t ipv6_mask;	/* HYP_RL_IPV6_MASK_DEFAULT by default */
};

#define HYP_POLICY_AUTOBLOCK_TTL_DEFAULT 600	/* s, when hits is given alone */

struct hyp_policy_dns_rule {
	uint32_t id;
	char *match;		/* lower case, no trailing dot, e.g. "evil.com" */
	enum hyp_action action;
	struct hyp_threshold_spec threshold;	/* type NONE: every match alerts */
};

struct hyp_policy_signature {
	uint32_t id;
	uint8_t *bytes;		/* literal, matched anywhere in the L4 payload */
	size_t len;
	enum hyp_action action;
	struct hyp_threshold_spec threshold;
};

struct hyp_policy_payload_rule {
	uint32_t id;
	char *msg;		/* NULL if none given */
	char *regex;		/* PCRE subset that Hyperscan accepts */
	uint8_t proto;		/* 0: any */
	uint16_t port;		/* destination port; 0: any */
	enum hyp_action action;
	struct hyp_threshold_spec threshold;
};

struct hyp_policy_var {
	char *name;		/* [A-Za-z0-9_]{1,64} */
	char *value;		/* e.g. "[198.18.0.0/15]" */
};

#define HYP_POLICY_MAX_RULE_FILES	256
#define HYP_POLICY_MAX_RULE_VARS	256

struct hyp_policy {
	char *path;
	uint64_t content_hash;	/* FNV-1a 64 of the file's bytes */

	/* fast_path */
	struct hyp_cidr *drop_ips;
	size_t n_drop_ips;
	struct hyp_cidr *drop_dst_ips;
	size_t n_drop_dst_ips;
	struct hyp_policy_l4port *redirect_ports;
	size_t n_redirect_ports;
	struct hyp_policy_ratelimit *rate_limits;
	size_t n_rate_limits;
	int malformed_action;	/* HYP_XDP_DROP (default) or HYP_XDP_PASS */
	bool redirect_all;
	int fragments;		/* enum hyp_frag_mode, HYP_FRAG_INSPECT by default */
	uint32_t redirect_budget_pps;	/* 0: unlimited */
	uint32_t redirect_budget_burst;	/* 0: pps / 10 */
	uint16_t *pass_ethertypes;	/* 0 = 802.3 length frames (LLC) */
	size_t n_pass_ethertypes;	/* default list when the key is absent */

	/* slow_path */
	struct hyp_policy_dns_rule *dns_rules;
	size_t n_dns_rules;
	struct hyp_policy_signature *signatures;
	size_t n_signatures;
	struct hyp_policy_payload_rule *payload_rules;
	size_t n_payload_rules;
	enum hyp_action dns_malformed;	/* HYP_ACTION_ALERT by default */
	uint32_t auto_block_hits;	/* 0: no auto-block */
	uint32_t auto_block_ttl_s;	/* 1.., HYP_POLICY_AUTOBLOCK_TTL_DEFAULT */
	bool auto_block_udp;		/* connectionless drops count */
	uint8_t auto_block_tcp;		/* enum hyp_autoblock_tcp */
	uint32_t auto_block_max_reports;	/* per source and second, per worker */
	struct hyp_cidr *auto_block_exempt;
	size_t n_auto_block_exempt;
	char **rule_files;		/* Suricata rule files, relative to the policy's dir */
	size_t n_rule_files;
	struct hyp_policy_var *rule_vars;	/* over Suricata's defaults */
	size_t n_rule_vars;
	uint32_t http_request_body_limit;	/* bytes; HYP_HTTP_BODY_LIMIT_DEFAULT */
	uint32_t http_response_body_limit;
	uint32_t http_memcap;		/* bytes; HYP_HTTP_MEMCAP_DEFAULT */
	uint32_t tls_memcap;		/* bytes; HYP_TLS_MEMCAP_DEFAULT */

	/* runtime */
	int fail_mode;		/* HYP_FAIL_OPEN (default) or HYP_FAIL_CLOSED */
	uint32_t watchdog_ms;	/* 0: no watchdog */
};

/** Where and why a policy was refused. */
struct hyp_policy_error {
	char file[256];
	unsigned int line;	/* 1-based; 0 if not tied to a place */
	unsigned int column;	/* 1-based */
	char msg[256];
};

/** Parse and validate a file. On error *out is untouched and err says why. */
int hyp_policy_load(const char *path, struct hyp_policy **out,
		    struct hyp_policy_error *err);

/**
 * The same from an open descriptor, which must be a regular file (a FIFO or
 * a device is refused without reading). redact: the file came from a path
 * somebody else named (telemetry, the console), so messages give the
 * place, the key path and the reason but never quote the file's content:
 * a secret that is not a policy stays unquoted.
 */
int hyp_policy_load_fd(int fd, const char *name, bool redact, struct hyp_policy **out,
		       struct hyp_policy_error *err);

/** The same from memory; name is used in messages (and as path). */
int hyp_policy_parse(const char *buf, size_t len, const char *name,
		     struct hyp_policy **out, struct hyp_policy_error *err);

void hyp_policy_free(struct hyp_policy *p);

/** "file:line:column: msg" into buf. */
const char *hyp_policy_error_str(const struct hyp_policy_error *err,
				 char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* HYP_POLICY_H */
