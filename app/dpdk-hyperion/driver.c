/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver presets (drivers-cfg/): find the interface's driver
 * (ETHTOOL_GDRVINFO), load its preset (or --driver-cfg), turn it into the
 * af_xdp PMD's devargs and the ring size, set the host knobs it asks for
 * (and put them back at close), and check what can only be checked: the
 * MTU against the zero-copy limit, the channel count, the bind mode the
 * kernel chose. Everything applied or found wrong is logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "hyperion.h"

/* One interface ioctl (SIOCETHTOOL with cmd as ifr_data, or SIOCGIFMTU); -errno. */
static int
if_ioctl(const char *ifname, unsigned long req, void *cmd, struct ifreq *ifr)
{
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	ifr->ifr_data = cmd;
	if (ioctl(fd, req, ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int
ethtool(const char *ifname, void *cmd)
{
	struct ifreq ifr;

	return if_ioctl(ifname, SIOCETHTOOL, cmd, &ifr);
}

static int
if_mtu(const char *ifname, unsigned int *mtu)
{
	struct ifreq ifr;
	int ret = if_ioctl(ifname, SIOCGIFMTU, NULL, &ifr);

	if (ret == 0)
		*mtu = (unsigned int)ifr.ifr_mtu;
	return ret;
}

int
hyp_driver_name(const char *ifname, char *out, size_t len)
{
	struct ethtool_drvinfo di;
	int ret;

	memset(&di, 0, sizeof(di));
	di.cmd = ETHTOOL_GDRVINFO;
	ret = ethtool(ifname, &di);
	if (ret < 0)
		return ret;
	di.driver[sizeof(di.driver) - 1] = '\0';
	snprintf(out, len, "%s", di.driver);
	return 0;
}

/* A knob of /sys/class/net/IF: read into old (if given), write val. -errno. */
static int
sysfs_knob(const char *ifname, const char *knob, char *old, size_t old_len, const char *val)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, knob);
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (old != NULL) {
		n = read(fd, old, old_len - 1);
		if (n < 0) {
			ret = -errno;
			close(fd);
			return ret;
		}
		old[n] = '\0';
		old[strcspn(old, "\n")] = '\0';
	}
	if (lseek(fd, 0, SEEK_SET) < 0 || write(fd, val, strlen(val)) < 0)
		ret = -errno;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

static const char *
preset_path(const struct hyp_args *a, const char *driver, char *buf, size_t len)
{
	const char *dir = access(HYP_DRIVERS_CFG_INSTALLED, R_OK) == 0 ?
		HYP_DRIVERS_CFG_INSTALLED : HYP_DRIVERS_CFG_BUILD;

	if (a->driver_cfg != NULL)
		return a->driver_cfg;
	snprintf(buf, len, "%s/%s.yaml", dir, driver);
	if (access(buf, R_OK) != 0)
		snprintf(buf, len, "%s/default.yaml", dir);
	return buf;
}

int
hyp_driver_prepare(struct hyp_port *pt, const struct hyp_args *a, char *devargs, size_t len)
{
	struct hyp_port_driver *d = &pt->drv;
	const struct hyp_driver_cfg *c = &d->cfg;
	struct hyp_policy_error err;
	char ebuf[640], val[32], applied[512];
	size_t o = 0;
	unsigned int i;
	int ret;

	devargs[0] = '\0';
	pt->nb_desc = a->nb_desc;
	if (hyp_driver_name(pt->ifname, d->driver, sizeof(d->driver)) < 0)
		snprintf(d->driver, sizeof(d->driver), "unknown");
	if (a->driver_cfg != NULL && strcmp(a->driver_cfg, "none") == 0) {
		APP_LOG(INFO, "%s: driver %s, no preset (--driver-cfg none)", pt->ifname,
			d->driver);
		return 0;
	}
	snprintf(d->preset, sizeof(d->preset), "%s",
		 preset_path(a, d->driver, ebuf, sizeof(ebuf)));
	ret = hyp_driver_cfg_load(d->preset, &d->cfg, &err);
	if (ret < 0) {
		APP_LOG(ERR, "driver preset %s", hyp_policy_error_str(&err, ebuf, sizeof(ebuf)));
		return ret;
	}
	d->loaded = true;
	if (c->driver[0] != '\0' && strcmp(c->driver, d->driver) != 0)
		APP_LOG(WARNING, "%s: the preset %s is for driver %s, the interface's is %s",
			pt->ifname, d->preset, c->driver, d->driver);
	if (c->mode == HYP_DRV_MODE_COPY)
		o += snprintf(devargs + o, len - o, ",force_copy=1");
	if (c->has_busy_budget)
		o += snprintf(devargs + o, len - o, ",busy_budget=%u", c->busy_budget);
	if (o >= len)
		return -ENAMETOOLONG;
	if (c->rx_desc != 0 && !a->nb_desc_given)
		pt->nb_desc = c->rx_desc;
	o = (size_t)snprintf(applied, sizeof(applied), "mode %s%s, busy_budget %s, rx_desc %u (%s)",
			     hyp_drv_mode_name(c->mode),
			     c->mode == HYP_DRV_MODE_COPY ? " (force_copy=1)" : "",
			     c->has_busy_budget ? (snprintf(val, sizeof(val), "%u", c->busy_budget),
						   val) : "(the PMD's default)",
			     pt->nb_desc, a->nb_desc_given ? "--rx-desc" :
			     c->rx_desc != 0 ? "preset" : "default");
	for (i = 0; i < RTE_DIM(d->knobs); i++) {
		struct hyp_port_knob *k = &d->knobs[i];
		bool want = i == 0 ? c->has_napi_defer : c->has_gro_flush;

		if (!want)
			continue;
		snprintf(k->name, sizeof(k->name), "%s",
			 i == 0 ? "napi_defer_hard_irqs" : "gro_flush_timeout");
		snprintf(val, sizeof(val), "%u", i == 0 ? c->napi_defer_hard_irqs :
			 c->gro_flush_timeout_ns);
		ret = sysfs_knob(pt->ifname, k->name, k->old, sizeof(k->old), val);
		if (ret < 0) {
			APP_LOG(WARNING, "%s: %s not set to %s: %s", pt->ifname, k->name, val,
				strerror(-ret));
			continue;
		}
		k->saved = true;
		if (o < sizeof(applied))
			o += (size_t)snprintf(applied + o, sizeof(applied) - o, ", %s %s -> %s",
					      k->name, k->old, val);
	}
	APP_LOG(INFO, "%s: driver %s, preset %s: %s", pt->ifname, d->driver, d->preset, applied);
	for (i = 0; i < c->n_quirks; i++)
		APP_LOG(INFO, "%s: known quirk %s (%s): %s", pt->ifname, c->quirks[i].id,
			c->quirks[i].scope, c->quirks[i].text);
	return 0;
}

void
hyp_driver_check(struct hyp_port *pt)
{
	const struct hyp_port_driver *d = &pt->drv;
	const struct hyp_driver_cfg *c = &d->cfg;
	struct ethtool_channels ch;
	struct hyp_xsk_diag x;
	unsigned int mtu = 0, q;

	if (!d->loaded)
		return;
	if (c->zerocopy_max_mtu != 0 && c->mode != HYP_DRV_MODE_COPY &&
	    if_mtu(pt->ifname, &mtu) == 0 && mtu > c->zerocopy_max_mtu)
		APP_LOG(WARNING, "%s: MTU %u is above the preset's limit for linear XDP frames "
			"(%u): expect copy mode or a refused attach", pt->ifname, mtu,
			c->zerocopy_max_mtu);
	memset(&ch, 0, sizeof(ch));
	ch.cmd = ETHTOOL_GCHANNELS;
	if (c->combined_channels != 0 && ethtool(pt->ifname, &ch) == 0 &&
	    ch.combined_count != c->combined_channels)
		APP_LOG(WARNING, "%s: %u combined channels, the preset advises %u (ethtool -L %s "
			"combined %u; not changed here)", pt->ifname, ch.combined_count,
			c->combined_channels, pt->ifname, c->combined_channels);
	for (q = 0; q < pt->nb_queues && q < RTE_DIM(pt->xsk); q++) {
		if (pt->xsk[q].fd < 0 || hyp_xskdiag_fd(pt->xsk[q].fd, &x) < 0 ||
		    !x.options_known)
			continue;
		if (c->mode == HYP_DRV_MODE_ZEROCOPY && !x.zerocopy)
			APP_LOG(WARNING, "%s: queue %u bound in copy mode, the preset expects "
				"zero-copy (driver support, MTU, or XDP mode)", pt->ifname, q);
		if (c->mode == HYP_DRV_MODE_COPY && x.zerocopy)
			APP_LOG(WARNING, "%s: queue %u bound zero-copy though force_copy was "
				"asked", pt->ifname, q);
	}
}

void
hyp_driver_restore(struct hyp_port *pt)
{
	struct hyp_port_driver *d = &pt->drv;
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(d->knobs); i++) {
		struct hyp_port_knob *k = &d->knobs[i];

		if (!k->saved)
			continue;
		ret = sysfs_knob(pt->ifname, k->name, NULL, 0, k->old);
		if (ret < 0)
			APP_LOG(WARNING, "%s: %s not put back to %s: %s", pt->ifname, k->name,
				k->old, strerror(-ret));
		else
			APP_LOG(INFO, "%s: %s put back to %s", pt->ifname, k->name, k->old);
		k->saved = false;
	}
}
