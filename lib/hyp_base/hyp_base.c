/* SPDX-License-Identifier: BSD-3-Clause */
#include "hyp_base.h"

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
