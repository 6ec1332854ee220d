/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_CONSOLE_H
#define HYP_CONSOLE_H

/**
 * @file
 * A testpmd-style interactive console over struct hyp_ctl, on librte_cmdline
 * (TAB completes, '?' shows the help of what may come next, `help` lists
 * every command). Commands:
 *
 *   show port stats|xstats all|<port_id>   show lcores   show rings
 *   show xsk   show flows [n]   show rules   show policy
 *   blocklist add|del <cidr>   blocklist list
 *   policy reload [file]   set fail-mode open|closed   set watchdog <ms>
 *   clear stats   help   quit
 *
 * `clear stats` only sets a baseline inside this console session: later
 * `show` commands print the counters minus that baseline. Nothing is reset
 * anywhere else, so Prometheus and telemetry counters stay monotonic.
 *
 * Blocklist and `set` commands write every port's XDP program at once; the
 * change is in the kernel maps when the command returns. A later policy
 * reload rewrites the maps from the policy and may undo them.
 */

#ifdef __cplusplus
extern "C" {
#endif

struct hyp_ctl;

/**
 * Run a console session until `quit` or end of input.
 *
 * Reads commands from in_fd and writes to out_fd (they may be the same
 * descriptor: a socket or a pseudo-terminal); neither is closed. A terminal
 * on in_fd is put in non-canonical, no-echo mode for the session and
 * restored afterwards. Every command takes ctl->lock while it reads or
 * writes ctl, except `policy reload`, which calls ctl->reload without it.
 *
 * @return
 *   0 after `quit` or end of input; a negative errno if the console could
 *   not be set up or reading failed.
 */
int hyp_console_run(struct hyp_ctl *ctl, int in_fd, int out_fd, const char *prompt);

#ifdef __cplusplus
}
#endif

#endif /* HYP_CONSOLE_H */
