/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_DRIVER_CFG_H
#define HYP_DRIVER_CFG_H

/**
 * @file
 * Driver presets (drivers-cfg/<driver>.yaml): how an af_xdp port should be
 * made on an interface of that driver, the host knobs it wants, and the
 * quirks known of it, each with the scope it was seen in. Parsed with the
 * policy's YAML walker, with the same file:line:column errors.
 *
 *   driver: mlx5_core                  # as ETHTOOL_GDRVINFO names it
 *   afxdp:
 *     mode: auto|copy|zerocopy         # copy: force_copy=1; zerocopy: expect it
 *     busy_budget: 0..65535            # the PMD's devarg (its default: 64)
 *     rx_desc: 64..16384, power of 2   # ring size unless --rx-desc is given
 *   host:                              # /sys/class/net/IF/..., put back at exit
 *     napi_defer_hard_irqs: 0..2147483647
 *     gro_flush_timeout_ns: 0..4294967295
 *   channels:
 *     combined: N                      # advice only: checked, never set
 *   limits:
 *     zerocopy_max_mtu: N              # checked against the interface's MTU
 *   quirks: [{id: ..., scope: ..., text: ...}, ...]
 */

#include <stdbool.h>
#include <stdint.h>

#include "hyp_policy.h"	/* struct hyp_policy_error */

#ifdef __cplusplus
extern "C" {
#endif

#define HYP_DRV_NAME_MAX	32
#define HYP_DRV_MAX_QUIRKS	8
#define HYP_DRV_MAX_FILE	(64u << 10)

enum hyp_drv_mode {
	HYP_DRV_MODE_AUTO,	/**< let the kernel choose (zero-copy where the driver has it) */
	HYP_DRV_MODE_COPY,	/**< force_copy=1 */
	HYP_DRV_MODE_ZEROCOPY,	/**< like auto, and a copy-mode bind is warned about */
};

struct hyp_drv_quirk {
	char id[48];
	char scope[160];	/**< where it was seen: hardware, driver, kernel, mode */
	char text[320];
};

struct hyp_driver_cfg {
	char driver[HYP_DRV_NAME_MAX];	/**< "" in the generic default */
	enum hyp_drv_mode mode;
	bool has_busy_budget;
	uint32_t busy_budget;
	uint32_t rx_desc;		/**< 0: not given */
	bool has_napi_defer;
	uint32_t napi_defer_hard_irqs;
	bool has_gro_flush;
	uint32_t gro_flush_timeout_ns;
	uint32_t combined_channels;	/**< 0: no advice */
	uint32_t zerocopy_max_mtu;	/**< 0: not known */
	struct hyp_drv_quirk quirks[HYP_DRV_MAX_QUIRKS];
	unsigned int n_quirks;
};

/** Parse a preset file; on error *out is zeroed and err says where and why. */
int hyp_driver_cfg_load(const char *path, struct hyp_driver_cfg *out,
			struct hyp_policy_error *err);
/** The same from memory; name is used in messages. */
int hyp_driver_cfg_parse(const char *buf, size_t len, const char *name,
			 struct hyp_driver_cfg *out, struct hyp_policy_error *err);
const char *hyp_drv_mode_name(enum hyp_drv_mode m);

#ifdef __cplusplus
}
#endif

#endif /* HYP_DRIVER_CFG_H */
