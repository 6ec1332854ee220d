/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-only LD_PRELOAD library: DPDK 22.11's af_xdp PMD counts an
 * interface's queues with ETHTOOL_GCHANNELS combined channels, and veth
 * reports only separate rx and tx channels, so --queues N > 1 is refused on
 * veth. DPDK 25.07 falls back to min(rx, tx) in that case; this library
 * makes 22.11 see what 25.07 would, and changes nothing else: an interface
 * that reports combined channels (any NIC), any other ioctl, and an
 * ETHTOOL_GCHANNELS that fails all pass through untouched.
 *
 * Loaded by the multi-queue tests only (LD_PRELOAD), never by the app.
 * HYP_VETH_CHANNELS_LOG=1 prints each answer it changed on stderr, so a
 * test can tell the library was in effect.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);

static unsigned int
min_u(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

/* the ethtool_channels of a GCHANNELS request, or NULL for any other ioctl */
static struct ethtool_channels *
gchannels(unsigned long req, void *arg)
{
	struct ifreq *ifr = arg;
	struct ethtool_channels *ch;

	if (req != SIOCETHTOOL || ifr == NULL || ifr->ifr_data == NULL)
		return NULL;
	ch = (struct ethtool_channels *)(void *)ifr->ifr_data;
	return ch->cmd == ETHTOOL_GCHANNELS ? ch : NULL;
}

int
ioctl(int fd, unsigned long req, ...)
{
	static ioctl_fn real;
	struct ethtool_channels *ch;
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (real == NULL) {
		real = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
		if (real == NULL) {
			errno = ENOSYS;
			return -1;
		}
	}
	ret = real(fd, req, arg);
	ch = ret == 0 ? gchannels(req, arg) : NULL;
	if (ch != NULL && ch->max_combined == 0 && ch->combined_count == 0 &&
	    min_u(ch->max_rx, ch->max_tx) > 0) {
		ch->max_combined = min_u(ch->max_rx, ch->max_tx);
		ch->combined_count = min_u(ch->rx_count, ch->tx_count);
		/* 22.11 reads errno after a success too: no stale EOPNOTSUPP */
		errno = 0;
		if (getenv("HYP_VETH_CHANNELS_LOG") != NULL)
			fprintf(stderr, "veth-channels: %s: combined %u of %u (rx %u, tx %u)\n",
				((struct ifreq *)arg)->ifr_name, ch->combined_count,
				ch->max_combined, ch->rx_count, ch->tx_count);
	}
	return ret;
}
