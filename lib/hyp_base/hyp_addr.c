/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "hyp_addr.h"

const uint8_t hyp_v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

bool
hyp_addr_is_v4mapped(const uint8_t a[16])
{
	return memcmp(a, hyp_v4mapped_prefix, sizeof(hyp_v4mapped_prefix)) == 0;
}

const char *
hyp_addr_format(const uint8_t a[16], unsigned int family, char *buf, size_t len)
{
	unsigned int best = 0, best_len = 0, run = 0, i;
	uint16_t w[8];
	size_t n = 0;
	int k;

	if (len == 0)
		return buf;
	if (family == 4 || (family != 6 && hyp_addr_is_v4mapped(a))) {
		snprintf(buf, len, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		return buf;
	}
	if (hyp_addr_is_v4mapped(a)) {
		snprintf(buf, len, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		return buf;
	}
	for (i = 0; i < 8; i++) {
		w[i] = (uint16_t)((a[2 * i] << 8) | a[2 * i + 1]);
		run = w[i] == 0 ? run + 1 : 0;
		if (run > best_len) {
			best_len = run;
			best = i + 1 - run;
		}
	}
	if (best_len < 2)
		best_len = 0;	/* a single zero word is written as 0 */
	buf[0] = '\0';
	for (i = 0; i < 8 && n < len; i++) {
		if (best_len && i == best) {
			k = snprintf(buf + n, len - n, "::");
			i += best_len - 1;
		} else {
			k = snprintf(buf + n, len - n, "%s%x",
				     n > 0 && buf[n - 1] != ':' ? ":" : "", w[i]);
		}
		if (k < 0)
			break;
		n += (size_t)k;
	}
	return buf;
}
