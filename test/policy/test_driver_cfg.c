/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver presets: every file shipped in drivers-cfg/ parses and says what
 * its driver is known for; hostile and broken presets are refused with
 * file:line:column and the key path. TAP.
 *   usage: test_driver_cfg DRIVERS_CFG_DIR
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "hyp_driver_cfg.h"

static unsigned int test_no, failed;

static void __attribute__((format(printf, 3, 4)))
tap(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - %s\n", ok ? "" : "not ", ++test_no, name);
	if (!ok && fmt != NULL) {
		printf("# ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	failed += !ok;
}

static int
load(const char *dir, const char *file, struct hyp_driver_cfg *d, char *msg, size_t len)
{
	struct hyp_policy_error err;
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ret = hyp_driver_cfg_load(path, d, &err);
	if (ret < 0)
		hyp_policy_error_str(&err, msg, len);
	return ret;
}

static const struct {
	const char *name;
	const char *yaml;
	unsigned int line, col;
	const char *msg;
} bad[] = {
	{ "unknown key", "afxdp:\n  mode: copy\n  zero_copy: 1\n", 3, 3,
	  "afxdp: unknown key 'zero_copy'" },
	{ "bad mode", "afxdp: {mode: turbo}\n", 1, 15, "afxdp.mode: 'turbo' is not auto" },
	{ "ring not a power of 2", "afxdp: {rx_desc: 1000}\n", 1, 18,
	  "afxdp.rx_desc: 1000 is not a power of 2" },
	{ "ring too big", "afxdp: {rx_desc: 32768}\n", 1, 18, "afxdp.rx_desc: '32768' is out of range" },
	{ "busy_budget past the PMD's 65535", "afxdp: {busy_budget: 65536}\n", 1, 22,
	  "afxdp.busy_budget: '65536' is out of range 0..65535" },
	{ "negative knob", "host: {napi_defer_hard_irqs: -1}\n", 1, 30, "host.napi_defer_hard_irqs:" },
	{ "a quirk without its scope", "quirks:\n  - {id: x, text: y}\n", 2, 5, "scope" },
	{ "a quirk's text too long", NULL, 2, 29, "quirks[0].text: expected a text of 1..319 bytes" },
	{ "nine quirks", NULL, 10, 5, "quirks: more than 8 entries" },
	{ "an empty file", "", 1, 1, "an empty preset" },
	{ "a list", "- driver: veth\n", 1, 1, "a preset must be a mapping" },
	{ "two documents", "driver: veth\n---\ndriver: ice\n", 2, 1, "only one YAML document" },
	{ "a driver name too long", "driver: abcdefghijklmnopqrstuvwxyz0123456789\n", 1, 9,
	  "driver: expected a driver name of 1..31 bytes" },
	{ "MTU below IPv4's minimum", "limits: {zerocopy_max_mtu: 67}\n", 1, 28,
	  "limits.zerocopy_max_mtu: '67' is out of range 68..65535" },
};

int
main(int argc, char **argv)
{
	struct hyp_driver_cfg d;
	struct hyp_policy_error err;
	char msg[512], buf[4096];
	static const char *const shipped[] = { "default.yaml", "veth.yaml", "mlx5_core.yaml",
					       "ice.yaml", "i40e.yaml", "ixgbe.yaml" };
	unsigned int i, k;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DRIVERS_CFG_DIR\n", argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
		bool scoped = true;

		ret = load(argv[1], shipped[i], &d, msg, sizeof(msg));
		for (k = 0; ret == 0 && k < d.n_quirks; k++)
			scoped = scoped && d.quirks[k].scope[0] != '\0';
		tap(ret == 0 && scoped, shipped[i], "%s", ret < 0 ? msg : "a quirk without scope");
	}
	ret = load(argv[1], "veth.yaml", &d, msg, sizeof(msg));
	tap(ret == 0 && strcmp(d.driver, "veth") == 0 && d.mode == HYP_DRV_MODE_COPY &&
	    d.has_busy_budget && d.busy_budget == 64 && !d.has_napi_defer && d.rx_desc == 0,
	    "veth: copy mode, the PMD's busy_budget written out, no host knobs", "%s", msg);
	ret = load(argv[1], "mlx5_core.yaml", &d, msg, sizeof(msg));
	tap(ret == 0 && d.mode == HYP_DRV_MODE_ZEROCOPY && d.zerocopy_max_mtu == 3498 &&
	    d.has_napi_defer && d.napi_defer_hard_irqs == 2 && d.has_gro_flush &&
	    d.gro_flush_timeout_ns == 200000 && d.n_quirks == 2 &&
	    strcmp(d.quirks[0].id, "mlx5-xsk-retry-loop") == 0 &&
	    strstr(d.quirks[0].scope, "ConnectX-4 Lx") != NULL &&
	    strstr(d.quirks[0].scope, "Linux 6.8") != NULL &&
	    strcmp(d.quirks[1].id, "mlx5-xsk-queue-ids") == 0,
	    "mlx5_core: zero-copy, MTU 3498, busy-poll knobs, the retry loop and queue-id quirks "
	    "with their scope", "%s", msg);
	ret = load(argv[1], "default.yaml", &d, msg, sizeof(msg));
	tap(ret == 0 && d.driver[0] == '\0' && d.mode == HYP_DRV_MODE_AUTO && !d.has_busy_budget,
	    "default: auto, and nothing else changed", "%s", msg);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *y = bad[i].yaml;
		size_t o = 0;

		if (y == NULL && strstr(bad[i].name, "too long") != NULL) {
			o = (size_t)snprintf(buf, sizeof(buf), "quirks:\n  - {id: a, scope: b, text: ");
			memset(buf + o, 'x', 400);
			o += 400;
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "}\n");
			y = buf;
		} else if (y == NULL) {
			o = (size_t)snprintf(buf, sizeof(buf), "quirks:\n");
			for (k = 0; k < 9; k++)
				o += (size_t)snprintf(buf + o, sizeof(buf) - o,
						      "  - {id: q%u, scope: s, text: t}\n", k);
			y = buf;
		}
		ret = hyp_driver_cfg_parse(y, strlen(y), "p.yaml", &d, &err);
		tap(ret < 0 && err.line == bad[i].line && err.column == bad[i].col &&
		    strstr(err.msg, bad[i].msg) != NULL && d.n_quirks == 0 && d.driver[0] == '\0',
		    bad[i].name, "ret %d at %u:%u (want %u:%u): %s", ret, err.line, err.column,
		    bad[i].line, bad[i].col, err.msg);
	}
	{
		char fifo[] = "/tmp/hyp-drvcfg-fifo-XXXXXX";
		int fd = mkstemp(fifo);

		/* a FIFO named as the preset: refused at once, nothing waits for a writer */
		if (fd >= 0) {
			close(fd);
			unlink(fifo);
		}
		if (fd >= 0 && mkfifo(fifo, 0600) == 0) {
			ret = hyp_driver_cfg_load(fifo, &d, &err);
			tap(ret == -EINVAL && strstr(err.msg, "not a regular file") != NULL,
			    "a FIFO as the preset is refused without blocking", "%d %s", ret, err.msg);
			unlink(fifo);
		} else {
			tap(false, "a FIFO as the preset", "mkfifo: %s", strerror(errno));
		}
	}
	ret = load(argv[1], "no-such-driver.yaml", &d, msg, sizeof(msg));
	tap(ret == -ENOENT && strstr(msg, "cannot open") != NULL, "a missing file", "%d %s", ret,
	    msg);
	{
		char *big = malloc(HYP_DRV_MAX_FILE + 2);

		if (big != NULL) {
			memset(big, '#', HYP_DRV_MAX_FILE + 1);
			ret = hyp_driver_cfg_parse(big, HYP_DRV_MAX_FILE + 1, "big.yaml", &d, &err);
			tap(ret == -EFBIG, "a preset over 64 KiB", "%d %s", ret, err.msg);
			free(big);
		}
	}
	printf("1..%u\n", test_no);
	return failed ? 1 : 0;
}
