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

int
hyp_hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
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

static const struct {
	uint32_t sid;
	const char *msg;
} engine_events[HYP_EV_MAX] = {
#define HYP_EV_ROW(id, sid, msg) [HYP_EV_ ## id] = { sid, msg },
	HYP_ENGINE_EVENTS(HYP_EV_ROW)
#undef HYP_EV_ROW
};

uint32_t
hyp_engine_event_sid(enum hyp_engine_event e)
{
	return (unsigned int)e < HYP_EV_MAX ? engine_events[e].sid : 0;
}

const char *
hyp_engine_event_msg(enum hyp_engine_event e)
{
	return (unsigned int)e < HYP_EV_MAX ? engine_events[e].msg : "?";
}

const char *const hyp_threshold_type_names[HYP_THRESHOLD_TYPE_MAX] = {
#define HYP_TH_NAME(id, name) [HYP_THRESHOLD_ ## id] = name,
	HYP_THRESHOLD_TYPES(HYP_TH_NAME)
#undef HYP_TH_NAME
};

const char *const hyp_threshold_track_names[HYP_TRACK_MAX] = {
#define HYP_TH_NAME(id, name) [HYP_TRACK_ ## id] = name,
	HYP_THRESHOLD_TRACKS(HYP_TH_NAME)
#undef HYP_TH_NAME
};

const char *
hyp_threshold_type_name(unsigned int type)
{
	return type < HYP_THRESHOLD_TYPE_MAX ? hyp_threshold_type_names[type] : "?";
}

const char *
hyp_threshold_track_name(unsigned int track)
{
	return track < HYP_TRACK_MAX ? hyp_threshold_track_names[track] : "?";
}
