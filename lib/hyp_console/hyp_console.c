/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-hyperion's interactive console: a librte_cmdline context with one
 * instance per command, laid out the way dpdk-cmdline-gen.py does it (a
 * result struct, its tokens, a handler, an instance, and the table of
 * instances). Every command shares one result struct: the fixed keywords
 * all land in `kw`, the parameters in their own fields.
 *
 * The session state (the baseline of `clear stats`) lives in a struct
 * console that the handlers find through a thread-local pointer: cmdline
 * gives handlers only the static instance's data, and one thread runs one
 * session at a time.
 */

#include "console_private.h"

_Thread_local struct console *console_cur;

const char *
console_since_note(const struct console *c, char *buf, size_t len)
{
	struct tm tm;
	time_t t;

	if (!c->cleared)
		return "";
	t = (time_t)(c->cleared_ns / 1000000000ull);
	gmtime_r(&t, &tm);
	snprintf(buf, len, " (since clear at ");
	strftime(buf + strlen(buf), len - strlen(buf), "%Y-%m-%dT%H:%M:%SZ)", &tm);
	return buf;
}

/* The counters of a table, three "name value" pairs a line, since the clear. */
void
console_print_table(struct cmdline *cl, const void *now, const void *base,
	    const struct hyp_stat_desc *d, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t v = hyp_stat_value(now, &d[i]);

		if (base != NULL && d[i].kind == HYP_STAT_COUNTER)
			v = since(v, hyp_stat_value(base, &d[i]));
		cmdline_printf(cl, "%s%-14s %14" PRIu64 "%s", i % 3 ? "  " : "  ", d[i].name, v,
			       i % 3 == 2 || i == n - 1 ? "\n" : "");
	}
}

KW(help, "help");
KW(quit, "quit");

/* ---- help, quit ----------------------------------------------------------- */

static cmdline_parse_ctx_t console_ctx[];

static void
cmd_help_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	unsigned int i;

	cmdline_printf(cl, "Commands (TAB completes, '?' shows what may follow):\n");
	for (i = 0; console_ctx[i] != NULL; i++)
		cmdline_printf(cl, "  %s\n", console_ctx[i]->help_str);
}

static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_cb,
	.data = NULL,
	.help_str = "help: this list",
	.tokens = { (void *)&tok_help, NULL },
};

static void
cmd_quit_cb(void *parsed __rte_unused, struct cmdline *cl, void *data __rte_unused)
{
	console_cur->quit = true;
	cmdline_quit(cl);
}

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_cb,
	.data = NULL,
	.help_str = "quit: leave the console (the application keeps running)",
	.tokens = { (void *)&tok_quit, NULL },
};

/* ---- the table ------------------------------------------------------------ */

static cmdline_parse_ctx_t console_ctx[] = {
	&cmd_show_port_all,
	&cmd_show_port_id,
	&cmd_show_lcores,
	&cmd_show_rings,
	&cmd_show_xsk,
	&cmd_show_flows,
	&cmd_show_flows_n,
	&cmd_show_rules,
	&cmd_show_policy,
	&cmd_blocklist,
	&cmd_blocklist_list,
	&cmd_policy_reload,
	&cmd_policy_reload_file,
	&cmd_set_fail_mode,
	&cmd_set_watchdog,
	&cmd_clear_stats,
	&cmd_queue,
	&cmd_eve_reopen,
	&cmd_reset_overrides,
	&cmd_show_runtime,
	&cmd_help,
	&cmd_quit,
	NULL,
};

/* ---- the session ---------------------------------------------------------- */

int
hyp_console_run(struct hyp_ctl *ctl, int in_fd, int out_fd, const char *prompt)
{
	struct termios old_term, term;
	struct console *c, *prev;
	bool tty_set = false;
	int fd_in, fd_out, ret = 0;
	unsigned int i;
	char buf[256];
	ssize_t got;

	if (ctl == NULL || in_fd < 0 || out_fd < 0)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->ctl = ctl;
	/* cmdline_free() closes its descriptors: give it its own */
	fd_in = dup(in_fd);
	fd_out = dup(out_fd);
	if (fd_in < 0 || fd_out < 0) {
		ret = -errno;
		if (fd_in >= 0)
			close(fd_in);
		if (fd_out >= 0)
			close(fd_out);
		free(c);
		return ret;
	}
	if (isatty(in_fd) && tcgetattr(in_fd, &old_term) == 0) {
		term = old_term;
		term.c_lflag &= ~(ICANON | ECHO);
		term.c_cc[VMIN] = 1;
		term.c_cc[VTIME] = 0;
		tty_set = tcsetattr(in_fd, TCSANOW, &term) == 0;
	}
	dprintf(out_fd, "dpdk-hyperion console: 'help' lists the commands, TAB completes.\n");
	c->cl = cmdline_new(console_ctx, prompt != NULL ? prompt : "hyperion> ", fd_in, fd_out);
	if (c->cl == NULL) {
		close(fd_in);
		close(fd_out);
		ret = -ENOMEM;
		goto out;
	}
	prev = console_cur;
	console_cur = c;
	while (!c->quit) {
		got = read(fd_in, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = -errno;
			break;
		}
		if (got == 0)
			break;	/* end of input */
		/* one at a time: nothing after a quit is taken as a command */
		for (i = 0; i < (unsigned int)got && !c->quit; i++)
			if (cmdline_in(c->cl, &buf[i], 1) < 0)
				c->quit = true;	/* ^D on an empty line */
	}
	console_cur = prev;
	cmdline_free(c->cl);
out:
	if (tty_set)
		tcsetattr(in_fd, TCSANOW, &old_term);
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		free(c->xstats[i]);
	free(c->rule_hits);
	free(c);
	return ret;
}
