/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's operations. Nothing here is on the data path: map
 * writes are syscalls, reloads compile, and the pipeline is reached only
 * through its control-plane calls (hyp_pipeline.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "hyp_ctl.h"
#include "hyp_fastpath.h"
#include "hyp_policy.h"

RTE_LOG_REGISTER(hyp_ctl_logtype, hyp.ctl, INFO);
#define CTL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, hyp_ctl_logtype, "hyperion: " fmt "\n", ##__VA_ARGS__)

int
hyp_ctl_autoblock_configure(struct hyp_autoblock *ab, const struct hyp_policy *p)
{
	struct hyp_autoblock_conf conf = {
		.hits = p->auto_block_hits,
		.ttl_s = p->auto_block_ttl_s,
		.udp = p->auto_block_udp,
		.tcp = (enum hyp_autoblock_tcp)p->auto_block_tcp,
		.max_reports_per_source_s = p->auto_block_max_reports,
		.exempt = p->auto_block_exempt,
		.n_exempt = p->n_auto_block_exempt,
	};
	int ret = hyp_autoblock_configure(ab, &conf);

	/* the parser bounds every field: this is a bug, not bad input */
	if (ret < 0)
		CTL_LOG(ERR, "auto-block configuration of %s refused: %s; the previous one stays",
			p->path, strerror(-ret));
	return ret;
}

static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void
hyp_ctl_init(struct hyp_ctl *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->reload_lock, NULL);
}

void
hyp_ctl_started(struct hyp_ctl *c)
{
	const struct hyp_policy *p = c->engine != NULL ? hyp_engine_policy(c->engine) : NULL;

	pthread_mutex_lock(&c->lock);
	c->policy_hash = p != NULL ? p->content_hash : 0;
	c->watchdog_ms = p != NULL ? p->watchdog_ms : 0;
	c->policy_loaded_ns = realtime_ns();
	c->start_ns = c->policy_loaded_ns;
	pthread_mutex_unlock(&c->lock);
}

void
hyp_ctl_stopped(struct hyp_ctl *c, struct hyp_ctl_parts *out)
{
	/* telemetry commands cannot be unregistered: leave them nothing to read */
	pthread_mutex_lock(&c->reload_lock);
	pthread_mutex_lock(&c->lock);
	out->pipe = c->pipe;
	out->engine = c->engine;
	out->eve = c->eve;
	out->autoblock = c->autoblock;
	out->threshold = c->threshold;
	c->n_ports = 0;
	c->pipe = NULL;
	c->engine = NULL;
	c->eve = NULL;
	c->autoblock = NULL;
	c->threshold = NULL;
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_unlock(&c->reload_lock);
}

/* ---- views (caller holds the lock) ----------------------------------------- */

unsigned int
hyp_ctl_xdps(const struct hyp_ctl *c, struct hyp_xdp *x[HYP_PIPE_MAX_PORTS],
	     unsigned int port[HYP_PIPE_MAX_PORTS])
{
	unsigned int i, k, n = 0;

	for (i = 0; i < c->n_ports && i < HYP_PIPE_MAX_PORTS; i++) {
		if (c->ports[i].xdp == NULL)
			continue;
		for (k = 0; k < n && x[k] != c->ports[i].xdp; k++)
			;
		if (k < n)
			continue;
		x[n] = c->ports[i].xdp;
		if (port != NULL)
			port[n] = i;
		n++;
	}
	return n;
}

unsigned int
hyp_ctl_fastpath_totals(const struct hyp_ctl *c, struct hyp_counter sum[HYP_R_MAX],
			uint64_t aux[HYP_AUX_MAX])
{
	struct hyp_xdp *x[HYP_PIPE_MAX_PORTS];
	struct hyp_counter r[HYP_R_MAX];
	uint64_t a[HYP_AUX_MAX];
	unsigned int n, i, k, ok = 0;

	memset(sum, 0, sizeof(r));
	if (aux != NULL)
		memset(aux, 0, sizeof(a));
	n = hyp_ctl_xdps(c, x, NULL);
	for (i = 0; i < n; i++) {
		if (hyp_xdp_reason_stats(x[i], r) != 0)
			continue;
		ok++;
		for (k = 0; k < HYP_R_MAX; k++) {
			sum[k].packets += r[k].packets;
			sum[k].bytes += r[k].bytes;
			sum[k].dropped += r[k].dropped;
		}
		if (aux != NULL && hyp_xdp_aux_stats(x[i], a) == 0)
			for (k = 0; k < HYP_AUX_MAX; k++)
				aux[k] += a[k];
	}
	return ok;
}

unsigned int
hyp_ctl_rules(const struct hyp_ctl *c, struct hyp_ctl_rule *out, unsigned int max)
{
	unsigned int n, k;
	uint64_t *hits;

	if (c->engine == NULL)
		return 0;
	n = hyp_engine_rule_count(c->engine);
	hits = calloc(RTE_MAX(n, 1u), sizeof(*hits));
	if (hits == NULL)
		return 0;
	if (c->pipe != NULL)
		hyp_pipeline_rule_hits(c->pipe, hits, n);
	for (k = 0; k < n && k < max; k++) {
		const struct hyp_threshold_spec *th;

		memset(&out[k], 0, sizeof(out[k]));
		hyp_engine_rule(c->engine, k, &out[k].id, &out[k].action, &out[k].msg);
		out[k].hits = hits[k];
		th = hyp_engine_rule_threshold(c->engine, k);
		if (th != NULL)
			out[k].threshold = *th;
	}
	free(hits);
	return n;
}

unsigned int
hyp_ctl_xsk_stats(struct hyp_ctl *c, struct hyp_ctl_xsk *out, unsigned int max)
{
	struct hyp_ctl_port ports[HYP_PIPE_MAX_PORTS];
	struct hyp_xsk_diag qs[HYP_PIPE_MAX_QUEUES];
	unsigned int n_ports, pi, q, nq, n = 0, bad;
	int src;

	pthread_mutex_lock(&c->lock);
	n_ports = RTE_MIN(c->n_ports, (unsigned int)HYP_PIPE_MAX_PORTS);
	memcpy(ports, c->ports, sizeof(ports));
	pthread_mutex_unlock(&c->lock);
	for (pi = 0; pi < n_ports; pi++) {
		if (ports[pi].ifindex == 0)
			continue;	/* a replay: no AF_XDP */
		nq = RTE_MIN((unsigned int)ports[pi].nb_queues, (unsigned int)HYP_PIPE_MAX_QUEUES);
		src = hyp_xskdiag_port(ports[pi].ifindex, ports[pi].start_queue, nq,
				       ports[pi].xsk, qs, &bad);
		for (q = 0; q < nq && n < max; q++, n++) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].port = pi;
			out[n].queue = q;
			out[n].source = src;
			out[n].socket = src > 0 && qs[q].queue_id != UINT32_MAX;
			if (out[n].socket) {
				out[n].diag = qs[q];
				out[n].misplaced = qs[q].queue_id != ports[pi].start_queue + q;
			}
		}
	}
	return n;
}

/* ---- the EVE log ------------------------------------------------------------------ */

int
hyp_ctl_eve_reopen(struct hyp_ctl *c, char *err, size_t err_len)
{
	struct hyp_eve *e;
	int ret;

	pthread_mutex_lock(&c->lock);
	e = c->eve;
	pthread_mutex_unlock(&c->lock);
	if (e == NULL) {
		snprintf(err, err_len, "no EVE log (started without --eve)");
		return -ENOENT;
	}
	/* the writer reopens between two bursts; the log pointer lives until exit */
	ret = hyp_eve_reopen(e, 2000);
	if (ret < 0) {
		snprintf(err, err_len, "reopening the EVE log: %s", strerror(-ret));
		CTL_LOG(ERR, "%s", err);
	} else {
		err[0] = '\0';
		CTL_LOG(INFO, "EVE log reopened");
	}
	return ret;
}

/* ---- fencing queues by hand ------------------------------------------------------ */

int
hyp_ctl_queue_fence(struct hyp_ctl *c, unsigned int q, bool fence, char *msg, size_t len)
{
	unsigned int pi, changed = 0, served = 0;
	int ret = 0;

	msg[0] = '\0';
	pthread_mutex_lock(&c->lock);
	if (c->stopping) {
		snprintf(msg, len, "stopping: every queue is being fenced");
		pthread_mutex_unlock(&c->lock);
		return -ESHUTDOWN;
	}
	for (pi = 0; pi < c->n_ports && ret == 0; pi++) {
		struct hyp_ctl_port *pt = &c->ports[pi];
		unsigned int lq;
		struct hyp_xsk_diag d;

		if (pt->ifindex == 0 || pt->xdp == NULL || q < pt->start_queue ||
		    q >= (unsigned int)pt->start_queue + pt->nb_queues)
			continue;
		lq = q - pt->start_queue;
		served++;
		if (pt->fenced[lq] == fence)
			continue;
		if (fence) {
			ret = hyp_xdp_fence(pt->xdp, q, 1);
		} else if (pt->xsk[lq].fd < 0 || hyp_xskdiag_fd(pt->xsk[lq].fd, &d) < 0 ||
			   d.inode != pt->xsk[lq].inode) {
			snprintf(msg, len, "%s queue %u: its socket is not known or was closed; "
				 "the 22.11 PMD cannot make a new one in this process", pt->ifname, q);
			ret = -ENOTSUP;
			break;
		} else {
			ret = hyp_xdp_unfence(pt->xdp, q, pt->xsk[lq].fd);
		}
		if (ret < 0) {
			snprintf(msg, len, "%s queue %u: %s xsks_map: %s", pt->ifname, q,
				 fence ? "deleting from" : "writing", strerror(-ret));
			break;
		}
		pt->fenced[lq] = fence;
		changed++;
		CTL_LOG(WARNING, "%s queue %u %s by hand: its redirect candidates %s", pt->ifname,
			q, fence ? "fenced" : "unfenced", fence ?
			"get the fail mode (redirect_fallback)" : "reach its socket again");
	}
	pthread_mutex_unlock(&c->lock);
	if (ret == 0 && served == 0) {
		snprintf(msg, len, "no af_xdp port serves queue %u", q);
		return -ENOENT;
	}
	if (ret == 0 && changed == 0)
		snprintf(msg, len, "queue %u already %s", q, fence ? "fenced" : "serving");
	return ret < 0 ? ret : (int)changed;
}

/* queue q's packets polled so far, over the ports that serve it; -1: not all fenced */
static int64_t
drain_count(struct hyp_ctl *c, unsigned int q, unsigned int *served)
{
	unsigned int pi;
	uint64_t rx = 0;
	bool all = true;

	*served = 0;
	pthread_mutex_lock(&c->lock);
	for (pi = 0; pi < c->n_ports && c->pipe != NULL; pi++) {
		const struct hyp_ctl_port *pt = &c->ports[pi];
		const struct hyp_queue_stats *qs;

		if (pt->ifindex == 0 || q < pt->start_queue ||
		    q >= (unsigned int)pt->start_queue + pt->nb_queues)
			continue;
		(*served)++;
		all = all && pt->fenced[q - pt->start_queue];
		qs = hyp_pipeline_queue_stats(c->pipe, pi, q - pt->start_queue, NULL);
		if (qs != NULL)
			rx += __atomic_load_n(&qs->rx, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&c->lock);
	return all ? (int64_t)rx : -1;
}

int
hyp_ctl_queue_drain(struct hyp_ctl *c, unsigned int q, unsigned int timeout_ms,
		    struct hyp_ctl_drain *out)
{
	const struct timespec step = { .tv_sec = 0, .tv_nsec = 10 * 1000000L };
	uint64_t t0 = hyp_xdp_now_ns(), quiet_since, now;
	unsigned int served;
	int64_t first, last, cur;

	memset(out, 0, sizeof(*out));
	if (timeout_ms > HYP_DRAIN_MAX_MS)
		timeout_ms = HYP_DRAIN_MAX_MS;
	first = last = drain_count(c, q, &served);
	if (served == 0)
		return -ENOENT;
	if (first < 0)
		return -EBUSY;
	quiet_since = t0;
	for (;;) {
		nanosleep(&step, NULL);
		now = hyp_xdp_now_ns();
		cur = drain_count(c, q, &served);
		if (cur < 0)
			return -EBUSY;	/* unfenced meanwhile */
		if (cur != last) {
			last = cur;
			quiet_since = now;
		}
		out->waited_ms = (now - t0) / 1000000ULL;
		out->drained = (uint64_t)(last - first);
		if (now - quiet_since >= HYP_DRAIN_QUIET_MS * 1000000ULL) {
			out->converged = true;
			return 0;
		}
		if (out->waited_ms >= timeout_ms)
			return 0;
	}
}

/* ---- programming the ports --------------------------------------------------- */

int
hyp_ctl_program_ports(struct hyp_ctl *c, bool ips)
{
	const struct hyp_policy *p = hyp_engine_policy(c->engine);
	unsigned int i;
	int ret = 0;

	for (i = 0; i < c->n_ports && ret == 0; i++) {
		struct hyp_ctl_port *pt = &c->ports[i];
		/* a bump in the wire: each side forwards to the other */
		const struct hyp_ctl_port *peer = ips && c->n_ports == 2 ? &c->ports[1 - i] : NULL;
		struct hyp_xdp *x = pt->xdp;

		ret = hyp_xdp_config_defaults(x);
		if (ret == 0)
			ret = hyp_fastpath_apply(x, p, NULL);
		if (ret == 0 && peer != NULL)
			ret = hyp_xdp_set_peer(x, peer->ifindex);
		if (ret == 0)
			ret = hyp_xdp_config_set(x, HYP_CFG_IPS, peer != NULL ? HYP_IPS_ON :
						 HYP_IPS_OFF);
		if (ret == 0)
			ret = hyp_xdp_heartbeat(x);
		if (ret < 0)
			CTL_LOG(ERR, "%s: applying the policy to the XDP program: %s", pt->ifname,
				strerror(-ret));
		else
			CTL_LOG(INFO, "%s: XDP program id %u, %zu+%zu blocked prefixes, %zu "
				"redirect ports%s", pt->ifname, hyp_xdp_prog_id(x), p->n_drop_ips,
				p->n_drop_dst_ips, p->n_redirect_ports,
				peer != NULL ? ", forwarding to the peer" : "");
	}
	return ret;
}

/* ---- reload ---------------------------------------------------------------------- */

/* Every port's maps to p; on a failure every port back to old (when given). */
static int
apply_all(struct hyp_ctl *c, const struct hyp_policy *p, const struct hyp_policy *old,
	  char *err, size_t err_len)
{
	struct hyp_xdp *xs[HYP_PIPE_MAX_PORTS];
	unsigned int i, n, bad = 0;
	int ret;

	pthread_mutex_lock(&c->lock);
	n = c->n_ports;
	for (i = 0; i < n; i++)
		xs[i] = c->ports[i].xdp;
	pthread_mutex_unlock(&c->lock);
	ret = hyp_fastpath_apply_all(xs, n, p, old, &bad);
	for (i = 0; ret == 0 && i < n; i++)
		if (c->ports[i].offline)
			ret = hyp_xdp_config_set(xs[i], HYP_CFG_WATCHDOG_NS, 0);
	if (ret < 0 && err_len > 0)
		snprintf(err, err_len, "%s: writing the XDP maps: %s", c->ports[bad].ifname,
			 strerror(-ret));
	return ret;
}

static int overrides_apply(struct hyp_ctl *c);

/*
 * A policy someone names at run time (telemetry, the console): only with
 * --reload-dir, and only a regular file under it. O_NOFOLLOW refuses a
 * symbolic link as the last component; the descriptor's own path (which
 * the kernel resolved, every component) must then lie under the directory,
 * so a link or a rename higher up cannot lead out of it either.
 */
static int
open_by_path(struct hyp_ctl *c, const char *path, char *err, size_t err_len)
{
	char link[64], real[PATH_MAX];
	size_t dl = strlen(c->reload_dir);
	ssize_t n;
	int fd, ret;

	if (c->reload_dir[0] == '\0') {
		snprintf(err, err_len, "reloading a policy by path is off (start with "
			 "--reload-dir DIR to allow files under DIR)");
		return -EPERM;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, err_len, "%s: %s", path, ret == -ELOOP ?
			 "a symbolic link: refused" : strerror(-ret));
		return ret;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, real, sizeof(real) - 1);
	if (n < 0) {
		ret = -errno;
		close(fd);
		snprintf(err, err_len, "%s: cannot tell where it is: %s", path, strerror(-ret));
		return ret;
	}
	real[n] = '\0';
	if ((size_t)n <= dl + 1 || strncmp(real, c->reload_dir, dl) != 0 || real[dl] != '/') {
		close(fd);
		snprintf(err, err_len, "%s: not under --reload-dir %s", path, c->reload_dir);
		return -EACCES;
	}
	return fd;
}

int
hyp_ctl_reload(struct hyp_ctl *c, const char *path, char *err, size_t err_len)
{
	const struct hyp_engine *old, *running;
	struct hyp_policy_error perr;
	struct hyp_engine *e = NULL;
	struct hyp_policy *p;
	char file[sizeof(c->policy_path)], kept[96];
	unsigned int n_rt;
	int ret;

	if (err_len > 0)
		err[0] = '\0';
	pthread_mutex_lock(&c->reload_lock);
	pthread_mutex_lock(&c->lock);
	snprintf(file, sizeof(file), "%s", path != NULL ? path : c->policy_path);
	running = c->engine;
	pthread_mutex_unlock(&c->lock);
	if (file[0] == '\0') {
		snprintf(err, err_len, "no policy file to reload (started without --policy)");
		ret = -EINVAL;
		goto out;
	}
	if (path != NULL) {
		int fd = open_by_path(c, path, err, err_len);

		if (fd < 0) {
			ret = fd;
			goto out;
		}
		ret = hyp_policy_load_fd(fd, file, true, &p, &perr);
		close(fd);
	} else {
		ret = hyp_policy_load(file, &p, &perr);
	}
	if (ret < 0) {
		hyp_policy_error_str(&perr, err, err_len);
		goto out;
	}
	/* the engine takes p, also when it fails */
	ret = hyp_engine_build(p, running != NULL ? hyp_engine_gen(running) + 1 : 1, &e, err,
			       err_len);
	if (ret < 0)
		goto out;
	if (running == NULL || c->pipe == NULL) {
		snprintf(err, err_len, "no running pipeline to reload");
		ret = -ENODEV;
		goto out;
	}
	ret = apply_all(c, hyp_engine_policy(e), hyp_engine_policy(running), err, err_len);
	if (ret < 0)
		goto out;
	/*
	 * Readers (telemetry, metrics, console) follow c->engine and the
	 * pipeline's generation under the lock: swap and publish under it, and
	 * free the old engine only once nobody can reach it.
	 */
	pthread_mutex_lock(&c->lock);
	old = hyp_pipeline_swap_engine(c->pipe, e);
	if (old == NULL) {
		pthread_mutex_unlock(&c->lock);
		snprintf(err, err_len, "no memory for the new engine's scratch space");
		apply_all(c, hyp_engine_policy(running), NULL, NULL, 0);
		ret = -ENOMEM;
		goto out;
	}
	c->engine = e;
	snprintf(c->policy_path, sizeof(c->policy_path), "%s", file);
	c->policy_hash = hyp_engine_policy(e)->content_hash;
	c->policy_loaded_ns = realtime_ns();
	c->watchdog_ms = hyp_engine_policy(e)->watchdog_ms;
	c->reloads_ok++;
	c->last_error[0] = '\0';
	/* what was set by hand outlives the file until reset */
	if (overrides_apply(c) < 0)
		CTL_LOG(ERR, "re-applying the run-time overrides after the reload failed");
	kept[0] = '\0';
	if (c->ov_fail)
		snprintf(kept, sizeof(kept), ", fail-mode %s",
			 c->ov_fail_mode == HYP_FAIL_CLOSED ? "closed" : "open");
	if (c->ov_watchdog)
		snprintf(kept + strlen(kept), sizeof(kept) - strlen(kept), ", watchdog (ms) %u",
			 (unsigned int)(c->ov_watchdog_ns / 1000000ULL));
	pthread_mutex_unlock(&c->lock);
	hyp_engine_free((struct hyp_engine *)(uintptr_t)old);
	if (c->autoblock != NULL)
		hyp_ctl_autoblock_configure(c->autoblock, hyp_engine_policy(e));
	n_rt = hyp_ctl_runtime_blocks(c, NULL, 0);
	CTL_LOG(INFO, "policy %s loaded (generation %u); kept %u prefix%s blocked by hand%s%s",
		file, hyp_engine_gen(e), n_rt, n_rt == 1 ? "" : "es",
		kept[0] != '\0' ? ", overrides" : "", kept);
	e = NULL;
out:
	if (ret < 0) {
		hyp_engine_free(e);
		pthread_mutex_lock(&c->lock);
		c->reloads_failed++;
		snprintf(c->last_error, sizeof(c->last_error), "%s", err);
		pthread_mutex_unlock(&c->lock);
		CTL_LOG(ERR, "policy reload refused, the running policy stays: %s", err);
	}
	pthread_mutex_unlock(&c->reload_lock);
	return ret;
}

/* ---- the periodic work ---------------------------------------------------------- */

static uint64_t
delta(uint64_t now, uint64_t *last)
{
	uint64_t d = now >= *last ? now - *last : 0;

	*last = now;
	return d;
}

/* Lock held: every program's HYP_CFG_SHED_FROM. */
static void
shed_write(struct hyp_ctl *c, uint32_t to)
{
	unsigned int i;
	int ret;

	for (i = 0; i < c->n_ports; i++) {
		if (c->ports[i].xdp == NULL || c->ports[i].offline)
			continue;
		ret = hyp_xdp_config_set(c->ports[i].xdp, HYP_CFG_SHED_FROM, to);
		if (ret < 0) {
			c->shed_write_errors++;
			CTL_LOG(ERR, "%s: writing the shedding level %u: %s", c->ports[i].ifname,
				to, strerror(-ret));
		}
	}
}

/* Lock held, after a health sample: shed or give back one class (HYP_SHED_STEP_MS). */
static void
shed_tick(struct hyp_ctl *c, uint64_t now_ms)
{
	const struct hyp_policy *p = c->engine != NULL ? hyp_engine_policy(c->engine) : NULL;
	uint32_t present = 0, to = c->shed_from;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_redirect_ports; i++)
		present |= 1u << p->redirect_ports[i].priority;
	if (c->health.state >= HYP_HEALTH_DEGRADED) {
		if (c->shed_from == 0 || now_ms - c->shed_changed_ms >= HYP_SHED_STEP_MS)
			to = hyp_health_shed_next(c->shed_from, present, true);
	} else if (c->shed_from != 0 && c->health.state == HYP_HEALTH_HEALTHY &&
		   now_ms - c->health.since_ms >= HYP_SHED_RESTORE_MS &&
		   now_ms - c->shed_changed_ms >= HYP_SHED_RESTORE_MS) {
		to = hyp_health_shed_next(c->shed_from, present, false);
	}
	if (to == c->shed_from)
		return;
	if (to != 0 && (c->shed_from == 0 || to < c->shed_from)) {
		c->shed_steps++;
		CTL_LOG(WARNING, "shedding: redirect_ports of priority %u and up go uninspected "
			"(the fail mode; health %s: %s)", to,
			hyp_health_state_name(c->health.state), c->health.last.why);
	} else {
		c->shed_restores++;
		if (to == 0)
			CTL_LOG(WARNING, "shedding over: every redirect_ports class inspected again");
		else
			CTL_LOG(WARNING, "shedding: priority %u given back, %u and up still "
				"uninspected", c->shed_from, to);
	}
	shed_write(c, to);
	c->shed_from = to;
	c->shed_changed_ms = now_ms;
}

/* Each queue's window closes HYP_PRESSURE_WINDOW_MS after it opened. Lock held. */
static void
pressure_tick(struct hyp_ctl *c, const struct hyp_ctl_xsk *xs, unsigned int n,
	      double ring_fill, uint64_t now_ms)
{
	unsigned int pi, q, i, burst = hyp_pipeline_burst(c->pipe);

	for (pi = 0; pi < c->n_ports && pi < HYP_PIPE_MAX_PORTS; pi++)
		for (q = 0; q < c->ports[pi].nb_queues && q < HYP_PIPE_MAX_QUEUES; q++) {
			const struct hyp_queue_stats *qs =
				hyp_pipeline_queue_stats(c->pipe, pi, q, NULL);
			struct hyp_ctl_queue_window *w = &c->qwin[pi][q];
			uint64_t rx, bursts, over = 0, d_over;

			if (qs == NULL)
				continue;
			rx = __atomic_load_n(&qs->rx, __ATOMIC_RELAXED);
			bursts = __atomic_load_n(&qs->bursts, __ATOMIC_RELAXED);
			for (i = 0; i < n; i++)
				if (xs[i].port == pi && xs[i].queue == q && xs[i].socket)
					over = xs[i].diag.rx_ring_full +
					       xs[i].diag.rx_fill_ring_empty_descs;
			if (w->t_ms == 0) {
				*w = (struct hyp_ctl_queue_window){ .t_ms = now_ms, .rx = rx,
					.bursts = bursts, .overflow = over };
				continue;
			}
			if (ring_fill > w->ring_max)
				w->ring_max = ring_fill;
			if (now_ms - w->t_ms < HYP_PRESSURE_WINDOW_MS)
				continue;
			d_over = over >= w->overflow ? over - w->overflow : 0;
			w->fill = hyp_health_queue_pressure(rx - w->rx, bursts - w->bursts, burst, 0, 0.0);
			w->overflowed = d_over != 0;
			w->ring = w->ring_max;
			w->pressure = hyp_health_queue_pressure(rx - w->rx, bursts - w->bursts, burst,
						       d_over, w->ring_max);
			w->ring_max = 0.0;
			w->t_ms = now_ms;
			w->rx = rx;
			w->bursts = bursts;
			w->overflow = over;
		}
}

/* One health sample; the netlink and ethdev reads happen outside the lock. */
static void
health_tick(struct hyp_ctl *c)
{
	struct hyp_ctl_xsk xs[HYP_PIPE_MAX_PORTS * HYP_PIPE_MAX_QUEUES];
	struct hyp_ring_info rings[64];	/* more than the pipeline makes */
	struct hyp_health_signals s;
	struct hyp_lcore_stats t;
	enum hyp_health_state from;
	uint64_t now = hyp_xdp_now_ns(), nombuf = 0, fill = 0, rxfull = 0, hb;
	unsigned int n, i, nr;
	double win_ring = 0.0;
	bool first;

	if (c->pipe == NULL || c->mode == NULL || strcmp(c->mode, "replay") == 0)
		return;
	memset(&s, 0, sizeof(s));
	n = hyp_ctl_xsk_stats(c, xs, RTE_DIM(xs));
	for (i = 0; i < n && i < RTE_DIM(xs); i++)
		if (xs[i].socket) {
			fill += xs[i].diag.rx_fill_ring_empty_descs;
			rxfull += xs[i].diag.rx_ring_full;
		}
	pthread_mutex_lock(&c->lock);
	if (c->pipe == NULL) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	for (i = 0; i < c->n_ports; i++) {
		struct rte_eth_stats es;

		if (rte_eth_stats_get(c->ports[i].port_id, &es) == 0)
			nombuf += es.rx_nombuf;
	}
	hyp_pipeline_totals(c->pipe, &t);
	nr = hyp_pipeline_rings(c->pipe, rings, RTE_DIM(rings));
	for (i = 0; i < nr && i < RTE_DIM(rings); i++) {
		if (rings[i].capacity != 0 &&
		    rings[i].occupancy * 100 / rings[i].capacity > s.ring_pct)
			s.ring_pct = (uint32_t)(rings[i].occupancy * 100 / rings[i].capacity);
		/* the workers' input rings: every queue feeds every one */
		if (rings[i].capacity != 0 && strncmp(rings[i].name, "hyp_w", 5) == 0 &&
		    (double)rings[i].occupancy / rings[i].capacity > win_ring)
			win_ring = (double)rings[i].occupancy / rings[i].capacity;
	}
	pressure_tick(c, xs, n, win_ring, now / 1000000ULL);
	hb = __atomic_load_n(&c->last_heartbeat_ns, __ATOMIC_RELAXED);
	s.heartbeat_age_ms = hb != 0 && now > hb ? (now - hb) / 1000000ULL : 0;
	first = !c->health_on;
	if (first) {
		struct hyp_health_conf hc;

		hyp_health_conf_default(&hc);
		hc.watchdog_ms = c->watchdog_ms;
		hyp_health_init(&c->health, &hc, now / 1000000ULL);
		c->health_on = true;
	}
	c->health.conf.watchdog_ms = c->watchdog_ms;	/* a reload or the console may change it */
	/* without the heartbeat thread (a replay) nobody judges the lcores: they move */
	s.lcores_progress = delta(__atomic_load_n(&c->hb_withheld, __ATOMIC_RELAXED),
				  &c->hs_withheld) == 0;
	s.ring_drops = delta(t.ring_full + t.tx_failed, &c->hs_drops);
	s.mbuf_fail = delta(nombuf, &c->hs_nombuf);
	s.fill_empty = delta(fill, &c->hs_fill);
	s.rx_ring_full = delta(rxfull, &c->hs_rxfull);
	if (first) {
		/* the first look only sets the baselines */
		pthread_mutex_unlock(&c->lock);
		return;
	}
	c->health_sig = s;
	if (hyp_health_sample(&c->health, &s, now / 1000000ULL, &from))
		CTL_LOG(WARNING, "health: %s -> %s (%s)", hyp_health_state_name(from),
			hyp_health_state_name(c->health.state), c->health.last.why);
	shed_tick(c, now / 1000000ULL);
	pthread_mutex_unlock(&c->lock);
}

void
hyp_ctl_tick(struct hyp_ctl *c)
{
	struct hyp_xdp *x[HYP_PIPE_MAX_PORTS];
	unsigned int n, i;

	pthread_mutex_lock(&c->lock);
	n = hyp_ctl_xdps(c, x, NULL);
	/* without the thread (a replay, tests) the tick beats, unconditionally */
	if (!__atomic_load_n(&c->hb_running, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < n; i++)
			hyp_xdp_heartbeat(x[i]);
		__atomic_store_n(&c->last_heartbeat_ns, hyp_xdp_now_ns(), __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&c->lock);
	if (c->autoblock != NULL)
		hyp_autoblock_poll(c->autoblock, x, n, hyp_xdp_now_ns());
	health_tick(c);
}

bool
hyp_ctl_progress_ok(const uint64_t *prev, const uint64_t *cur, const unsigned int *lcores,
		    unsigned int n, unsigned int *stalled)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (cur[i] == prev[i]) {
			*stalled = lcores[i];
			return false;
		}
	return true;
}

struct hb_ctx {
	struct hyp_ctl *c;
	struct hyp_xdp *x[HYP_PIPE_MAX_PORTS];
	unsigned int n_x;
	unsigned int lcores[RTE_MAX_LCORE];
	unsigned int n_lcores;
};

/* one loop turn of an lcore is one poll, empty or not */
static void
hb_progress(const struct hyp_pipeline *p, const struct hb_ctx *h, uint64_t *out)
{
	unsigned int i;

	for (i = 0; i < h->n_lcores; i++) {
		const struct hyp_lcore_stats *st = hyp_pipeline_lcore_stats(p, h->lcores[i]);

		out[i] = __atomic_load_n(&st->bursts, __ATOMIC_RELAXED) +
			 __atomic_load_n(&st->empty_polls, __ATOMIC_RELAXED);
	}
}

static void *
hb_main(void *arg)
{
	struct hb_ctx *h = arg;
	struct hyp_ctl *c = h->c;
	uint64_t prev[RTE_MAX_LCORE], cur[RTE_MAX_LCORE];
	unsigned int i, stalled;

	hb_progress(c->pipe, h, prev);
	while (!__atomic_load_n(&c->hb_stop, __ATOMIC_ACQUIRE)) {
		usleep(HYP_HEARTBEAT_MS * 1000);
		hb_progress(c->pipe, h, cur);
		if (!hyp_ctl_progress_ok(prev, cur, h->lcores, h->n_lcores, &stalled)) {
			if (__atomic_fetch_add(&c->hb_withheld, 1, __ATOMIC_RELAXED) == 0 ||
			    __atomic_load_n(&c->hb_stalled_lcore, __ATOMIC_RELAXED) != stalled)
				CTL_LOG(WARNING, "lcore %u made no progress in %u ms: heartbeat "
					"withheld (the XDP watchdog decides)", stalled,
					HYP_HEARTBEAT_MS);
			__atomic_store_n(&c->hb_stalled_lcore, stalled, __ATOMIC_RELAXED);
			memcpy(prev, cur, sizeof(cur[0]) * h->n_lcores);
			continue;
		}
		for (i = 0; i < h->n_x; i++)
			hyp_xdp_heartbeat(h->x[i]);
		__atomic_store_n(&c->last_heartbeat_ns, hyp_xdp_now_ns(), __ATOMIC_RELAXED);
		__atomic_fetch_add(&c->hb_written, 1, __ATOMIC_RELAXED);
		memcpy(prev, cur, sizeof(cur[0]) * h->n_lcores);
	}
	free(h);
	return NULL;
}

int
hyp_ctl_heartbeat_start(struct hyp_ctl *c)
{
	struct hb_ctx *h = calloc(1, sizeof(*h));
	unsigned int l;
	int ret;

	if (h == NULL)
		return -ENOMEM;
	h->c = c;
	pthread_mutex_lock(&c->lock);
	/* the ports and the pipeline do not change while it runs */
	h->n_x = hyp_ctl_xdps(c, h->x, NULL);
	RTE_LCORE_FOREACH_WORKER(l)
		if (c->pipe != NULL && hyp_pipeline_role(c->pipe, l) != HYP_ROLE_IDLE)
			h->lcores[h->n_lcores++] = l;
	pthread_mutex_unlock(&c->lock);
	__atomic_store_n(&c->hb_stop, 0, __ATOMIC_RELAXED);
	ret = pthread_create(&c->hb_thread, NULL, hb_main, h);
	if (ret != 0) {
		free(h);
		CTL_LOG(ERR, "heartbeat thread: %s", strerror(ret));
		return -ret;
	}
	pthread_setname_np(c->hb_thread, "hyp-heartbeat");
	__atomic_store_n(&c->hb_running, true, __ATOMIC_RELEASE);
	return 0;
}

void
hyp_ctl_heartbeat_stop(struct hyp_ctl *c)
{
	if (!__atomic_load_n(&c->hb_running, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&c->hb_stop, 1, __ATOMIC_RELEASE);
	pthread_join(c->hb_thread, NULL);
	__atomic_store_n(&c->hb_running, false, __ATOMIC_RELEASE);
}

/* ---- runtime changes ------------------------------------------------------------- */

int
hyp_ctl_set_config(struct hyp_ctl *c, enum hyp_cfg key, uint64_t val, char *err,
		   size_t err_len)
{
	struct hyp_xdp *x[HYP_PIPE_MAX_PORTS];
	unsigned int pi[HYP_PIPE_MAX_PORTS];
	uint64_t old[HYP_PIPE_MAX_PORTS];
	unsigned int n, i, k;
	int ret = 0;

	pthread_mutex_lock(&c->lock);
	n = hyp_ctl_xdps(c, x, pi);
	if (n == 0) {
		snprintf(err, err_len, "no XDP program to change");
		ret = -ENODEV;
	}
	for (i = 0; i < n && ret == 0; i++) {
		ret = hyp_xdp_config_get(x[i], key, &old[i]);
		if (ret == 0)
			ret = hyp_xdp_config_set(x[i], key, val);
		if (ret != 0) {
			snprintf(err, err_len, "%s: writing the configuration failed: %s",
				 c->ports[pi[i]].name, strerror(-ret));
			for (k = 0; k < i; k++)
				hyp_xdp_config_set(x[k], key, old[k]);
		}
	}
	if (ret == 0 && key == HYP_CFG_WATCHDOG_NS) {
		c->watchdog_ms = (uint32_t)(val / 1000000ULL);
		c->ov_watchdog = true;
		c->ov_watchdog_ns = val;
	}
	if (ret == 0 && key == HYP_CFG_FAIL_MODE) {
		c->ov_fail = true;
		c->ov_fail_mode = val;
	}
	pthread_mutex_unlock(&c->lock);
	return ret < 0 ? ret : (int)n;
}

/* Lock held: the overrides onto every program (after a reload wrote the policy's). */
static int
overrides_apply(struct hyp_ctl *c)
{
	unsigned int i;
	int ret = 0, r;

	for (i = 0; i < c->n_ports; i++) {
		struct hyp_xdp *x = c->ports[i].xdp;

		if (x == NULL || c->ports[i].offline)
			continue;
		if (c->ov_fail && (r = hyp_xdp_config_set(x, HYP_CFG_FAIL_MODE, c->ov_fail_mode)) < 0)
			ret = r;
		if (c->ov_watchdog &&
		    (r = hyp_xdp_config_set(x, HYP_CFG_WATCHDOG_NS, c->ov_watchdog_ns)) < 0)
			ret = r;
	}
	if (c->ov_watchdog)
		c->watchdog_ms = (uint32_t)(c->ov_watchdog_ns / 1000000ULL);
	return ret;
}

int
hyp_ctl_reset_overrides(struct hyp_ctl *c, char *err, size_t err_len)
{
	const struct hyp_policy *p;
	unsigned int i, n;
	int ret = 0;

	pthread_mutex_lock(&c->lock);
	p = c->engine != NULL ? hyp_engine_policy(c->engine) : NULL;
	n = (unsigned int)c->ov_fail + (unsigned int)c->ov_watchdog;
	for (i = 0; p != NULL && i < c->n_ports && ret == 0; i++) {
		struct hyp_xdp *x = c->ports[i].xdp;

		if (x == NULL || c->ports[i].offline)
			continue;
		if (c->ov_fail)
			ret = hyp_xdp_config_set(x, HYP_CFG_FAIL_MODE, (uint64_t)p->fail_mode);
		if (ret == 0 && c->ov_watchdog)
			ret = hyp_xdp_config_set(x, HYP_CFG_WATCHDOG_NS,
						 (uint64_t)p->watchdog_ms * 1000000ULL);
	}
	if (ret < 0) {
		snprintf(err, err_len, "%s: writing the policy's values back failed: %s",
			 c->ports[i > 0 ? i - 1 : 0].name, strerror(-ret));
	} else {
		c->ov_fail = c->ov_watchdog = false;
		if (p != NULL)
			c->watchdog_ms = p->watchdog_ms;
	}
	pthread_mutex_unlock(&c->lock);
	return ret < 0 ? ret : (int)n;
}

struct runtime_walk {
	struct hyp_ctl_runtime_block *out;
	unsigned int max, n;
	bool dst;
};

static int
runtime_one(const struct hyp_cidr *cidr, const struct hyp_block_val *v, void *arg)
{
	struct runtime_walk *w = arg;
	unsigned int i;

	if (!(v->flags & HYP_BLOCK_F_RUNTIME))
		return 0;
	for (i = 0; i < w->n && i < w->max; i++)
		if (w->out[i].dst == w->dst && memcmp(&w->out[i].cidr, cidr, sizeof(*cidr)) == 0) {
			w->out[i].hits += v->hits;
			return 0;
		}
	if (w->n < w->max) {
		w->out[w->n].dst = w->dst;
		w->out[w->n].cidr = *cidr;
		w->out[w->n].hits = v->hits;
	}
	w->n++;
	return 0;
}

unsigned int
hyp_ctl_runtime_blocks(struct hyp_ctl *c, struct hyp_ctl_runtime_block *out, unsigned int max)
{
	struct runtime_walk w = { .out = out, .max = max };
	struct hyp_xdp *x[HYP_PIPE_MAX_PORTS];
	unsigned int n, i, d;

	pthread_mutex_lock(&c->lock);
	n = hyp_ctl_xdps(c, x, NULL);
	for (i = 0; i < n; i++)
		for (d = 0; d < 2; d++) {
			w.dst = d;
			hyp_xdp_block_foreach(x[i], d, runtime_one, &w);
		}
	pthread_mutex_unlock(&c->lock);
	return w.n;
}

int
hyp_ctl_blocklist(struct hyp_ctl *c, bool add, const struct hyp_cidr *cidr,
		  struct hyp_ctl_block_result *r)
{
	struct hyp_xdp *x[HYP_PIPE_MAX_PORTS];
	unsigned int pi[HYP_PIPE_MAX_PORTS];
	unsigned int i, k;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	pthread_mutex_lock(&c->lock);
	r->programs = hyp_ctl_xdps(c, x, pi);
	/* a single address may be an auto-block: del lifts it too */
	if (!add && cidr->prefixlen == (cidr->family == AF_INET ? 32 : 128)) {
		struct hyp_addr a;
		struct hyp_src_key k;

		hyp_cidr_to_addr(cidr, &a);
		k = hyp_src_key_host(cidr->family == AF_INET ? 4 : 6, a.a);
		for (i = 0; i < r->programs; i++)
			r->lifted += hyp_xdp_autoblock_del(x[i], &k) == 0;
		if (c->autoblock != NULL)
			hyp_autoblock_forget(c->autoblock, &k);
	}
	for (i = 0; i < r->programs; i++) {
		ret = add ? hyp_xdp_block_add_runtime(x[i], cidr, false) :
			hyp_xdp_block_del(x[i], cidr, false);
		if (ret == -ENOENT && !add) {
			r->missing++;
			ret = 0;
			continue;
		}
		if (ret != 0) {
			snprintf(r->failed_on, sizeof(r->failed_on), "%s", c->ports[pi[i]].name);
			/* all or nothing: undo an add on the programs already done */
			for (k = 0; add && k < i; k++)
				hyp_xdp_block_del(x[k], cidr, false);
			r->changed = 0;
			break;
		}
		r->changed++;
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* ---- the statistics block ----------------------------------------------------- */

static void
print_table(FILE *f, const char *what, const void *stats, const struct hyp_stat_desc *d,
	    unsigned int n)
{
	unsigned int i;

	fprintf(f, "  %s:", what);
	for (i = 0; i < n; i++)
		fprintf(f, " %s=%" PRIu64, d[i].name, hyp_stat_value(stats, &d[i]));
	fprintf(f, "\n");
}

void
hyp_ctl_print_stats(struct hyp_ctl *c, FILE *f, bool final)
{
	struct hyp_xdp *x[HYP_PIPE_MAX_PORTS];
	unsigned int pi[HYP_PIPE_MAX_PORTS];
	struct hyp_counter r[HYP_R_MAX];
	struct hyp_lcore_stats t;
	unsigned int i, l, k, n;
	char what[64];

	pthread_mutex_lock(&c->lock);
	fprintf(f, "%s\n", final ? "== final statistics" : "== statistics");
	n = hyp_ctl_xdps(c, x, pi);
	for (i = 0; i < n; i++) {
		if (hyp_xdp_reason_stats(x[i], r) < 0)
			continue;
		fprintf(f, "  fast path %s:", c->ports[pi[i]].ifname);
		for (k = 0; k < HYP_R_MAX; k++)
			if (r[k].packets)
				fprintf(f, " %s=%llu%s", hyp_reason_name(k),
					(unsigned long long)r[k].packets,
					r[k].dropped ? "(dropped)" : "");
		fprintf(f, "\n");
	}
	if (c->pipe != NULL) {
		struct hyp_defrag_stats ds;
		struct hyp_stream_stats ss;

		hyp_pipeline_totals(c->pipe, &t);
		print_table(f, "slow path", &t, hyp_lcore_stat_descs, hyp_lcore_stat_count);
		/* the histogram /metrics has, for whoever reads these lines (benchmarks) */
		fprintf(f, "  latency:");
		for (k = 0; k < HYP_LAT_BUCKETS; k++) {
			if (k < HYP_LAT_BUCKETS - 1)
				fprintf(f, " le_%" PRIu32 "ns=%" PRIu64, hyp_lat_bounds_ns[k],
					t.lat_count[k]);
			else
				fprintf(f, " le_inf=%" PRIu64, t.lat_count[k]);
		}
		fprintf(f, " sum_ns=%" PRIu64 "\n", t.lat_sum_ns);
		hyp_pipeline_defrag_stats(c->pipe, &ds);
		print_table(f, "defrag", &ds, hyp_defrag_stat_descs, hyp_defrag_stat_count);
		hyp_pipeline_stream_stats(c->pipe, &ss);
		print_table(f, "stream", &ss, hyp_stream_stat_descs, hyp_stream_stat_count);
		{
			struct hyp_http_stats hs;

			hyp_pipeline_http_stats(c->pipe, &hs);
			print_table(f, "http", &hs, hyp_http_stat_descs, hyp_http_stat_count);
		}
		{
			struct hyp_tls_stats ts;

			hyp_pipeline_tls_stats(c->pipe, &ts);
			print_table(f, "tls", &ts, hyp_tls_stat_descs, hyp_tls_stat_count);
		}
	}
	if (c->autoblock != NULL) {
		struct hyp_autoblock_stats ab;

		hyp_autoblock_get_stats(c->autoblock, &ab);
		print_table(f, "autoblock", &ab, hyp_autoblock_stat_descs,
			    hyp_autoblock_stat_count);
	}
	if (c->threshold != NULL) {
		struct hyp_threshold_stats ts;

		hyp_threshold_get_stats(c->threshold, &ts);
		print_table(f, "threshold", &ts, hyp_threshold_stat_descs,
			    hyp_threshold_stat_count);
	}
	if (c->eve != NULL) {
		struct hyp_eve_stats es;

		hyp_eve_get_stats(c->eve, &es);
		print_table(f, "eve", &es, hyp_eve_stat_descs, hyp_eve_stat_count);
	}
	RTE_LCORE_FOREACH_WORKER(l) {
		const struct hyp_lcore_stats *s;
		enum hyp_role role;

		if (c->pipe == NULL)
			break;
		role = hyp_pipeline_role(c->pipe, l);
		s = hyp_pipeline_lcore_stats(c->pipe, l);
		if (role == HYP_ROLE_IDLE)
			continue;
		snprintf(what, sizeof(what), "lcore %u %s busy=%.1f%%", l, hyp_role_name(role),
			 s->poll_cycles ? 100.0 * s->busy_cycles / s->poll_cycles : 0.0);
		print_table(f, what, s, hyp_lcore_stat_descs, hyp_lcore_stat_count);
	}
	pthread_mutex_unlock(&c->lock);
	fflush(f);
}
