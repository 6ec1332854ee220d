/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>

#include "hyp_base.h"

void
hyp_errf(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

static const char *const action_names[] = {
	[HYP_ACTION_PASS] = "pass",
	[HYP_ACTION_ALERT] = "alert",
	[HYP_ACTION_DROP] = "drop",
};

const char *
hyp_action_name(enum hyp_action a)
{
	if ((unsigned int)a >= sizeof(action_names) / sizeof(action_names[0]))
		return "?";
	return action_names[a];
}
