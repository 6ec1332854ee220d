/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the console's files share (private to lib/hyp_console): the session
 * state, the one result struct every command parses into, and the command
 * instances that hyp_console.c puts in its table. console_show.c has the
 * show commands, console_ops.c the ones that change something.
 */
#ifndef CONSOLE_PRIVATE_H
#define CONSOLE_PRIVATE_H

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <bpf/bpf.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "hyp_addr.h"
#include "hyp_console.h"
#include "hyp_ctl.h"
#include "hyp_engine.h"
#include "hyp_flow.h"
#include "hyp_pipeline.h"
#include "hyp_policy.h"
#include "hyp_xdp.h"
#include "hyp_xskdiag.h"

#define MAX_RINGS	((unsigned int)RTE_MAX_LCORE * (1 + HYP_PIPE_MAX_PORTS))
#define MAX_XSKS	64u
#define MAX_FLOWS	64u
#define FLOWS_DEFAULT	10u
#define FLOWS_TIMEOUT_MS 500u
#define BLOCK_LIST_MAX	4096u

/* One console session; the baseline is what `clear stats` saw. */
struct console {
	struct hyp_ctl *ctl;
	struct cmdline *cl;
	bool quit;
	bool cleared;
	uint64_t cleared_ns;			/* CLOCK_REALTIME */
	bool port_ok[RTE_MAX_ETHPORTS];
	struct rte_eth_stats port[RTE_MAX_ETHPORTS];
	uint64_t *xstats[RTE_MAX_ETHPORTS];
	unsigned int n_xstats[RTE_MAX_ETHPORTS];
	bool lcore_ok[RTE_MAX_LCORE];
	struct hyp_lcore_stats lcore[RTE_MAX_LCORE];
	const struct hyp_engine *rule_engine;	/* the hits below are its */
	uint32_t rule_gen;
	uint64_t *rule_hits;
	unsigned int n_rule_hits;
	struct hyp_ring_info rings[MAX_RINGS];
	unsigned int n_rings;
	struct hyp_xsk_diag xsk[MAX_XSKS];
	unsigned int n_xsk;
	uint64_t reloads_ok;
	uint64_t reloads_failed;
};

/* the session this thread runs: cmdline hands its callbacks nothing else */
extern _Thread_local struct console *console_cur;

/* ---- the result every command parses into -------------------------------- */

struct cmd_res {
	cmdline_fixed_string_t kw;	/* every fixed keyword */
	cmdline_fixed_string_t what;	/* stats|xstats, add|del, open|closed */
	cmdline_fixed_string_t arg;	/* "all", a CIDR */
	cmdline_multi_string_t path;
	uint16_t port;
	uint32_t num;
};

_Static_assert(sizeof(struct cmd_res) <= CMDLINE_PARSE_RESULT_BUFSIZE, "cmd_res size");

#define KW(name, word) \
	static cmdline_parse_token_string_t tok_##name = \
		TOKEN_STRING_INITIALIZER(struct cmd_res, kw, word)

/* a counter since the clear; one that went back (a reset) is shown whole */
static inline uint64_t
since(uint64_t now, uint64_t base)
{
	return now >= base ? now - base : now;
}

const char *console_since_note(const struct console *c, char *buf, size_t len);
void console_print_table(struct cmdline *cl, const void *now, const void *base,
		 const struct hyp_stat_desc *d, unsigned int n);

/* One command: callback, its data, the help line, the tokens (TOK(x): tok_x). */
#define CONSOLE_CMD(name, cb, d, help, ...) \
	cmdline_parse_inst_t name = { .f = cb, .data = d, .help_str = help, \
				      .tokens = { __VA_ARGS__, NULL } }
#define TOK(t) (void *)&tok_ ## t

extern cmdline_parse_inst_t cmd_show_port_all;
extern cmdline_parse_inst_t cmd_show_port_id;
extern cmdline_parse_inst_t cmd_show_lcores;
extern cmdline_parse_inst_t cmd_show_rings;
extern cmdline_parse_inst_t cmd_show_xsk;
extern cmdline_parse_inst_t cmd_show_flows;
extern cmdline_parse_inst_t cmd_show_flows_n;
extern cmdline_parse_inst_t cmd_show_rules;
extern cmdline_parse_inst_t cmd_show_policy;
extern cmdline_parse_inst_t cmd_blocklist;
extern cmdline_parse_inst_t cmd_blocklist_list;
extern cmdline_parse_inst_t cmd_policy_reload;
extern cmdline_parse_inst_t cmd_policy_reload_file;
extern cmdline_parse_inst_t cmd_set_fail_mode;
extern cmdline_parse_inst_t cmd_set_watchdog;
extern cmdline_parse_inst_t cmd_clear_stats;
extern cmdline_parse_inst_t cmd_queue;
extern cmdline_parse_inst_t cmd_eve_reopen;
extern cmdline_parse_inst_t cmd_reset_overrides;
extern cmdline_parse_inst_t cmd_show_runtime;

#endif /* CONSOLE_PRIVATE_H */
