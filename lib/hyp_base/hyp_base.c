/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hyp_base.h"
#include "hyp_buf.h"

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

/* ---- inspection buffers ---- */

#define REQ HYP_BUF_SIDE_REQUEST
#define RSP HYP_BUF_SIDE_RESPONSE
#define ANY HYP_BUF_SIDE_EITHER

const struct hyp_buf_desc hyp_buf_descs[HYP_BUF_MAX] = {
	[HYP_BUF_PAYLOAD] = { "pkt_data", NULL, NULL, 0, HYP_BUF_SIDE_NONE, false, NULL },
	[HYP_BUF_DNS_QUERY] = { "dns.query", "dns_query", NULL, 0, HYP_BUF_SIDE_NONE, false, NULL },
	[HYP_BUF_HTTP_URI] = { "http.uri", NULL, "http_uri", 'U', REQ, false, NULL },
	[HYP_BUF_HTTP_URI_RAW] = { "http.uri.raw", NULL, "http_raw_uri", 'I', REQ, false, NULL },
	[HYP_BUF_HTTP_METHOD] = { "http.method", NULL, "http_method", 'M', REQ, false, NULL },
	[HYP_BUF_HTTP_REQUEST_LINE] = { "http.request_line", "http_request_line", NULL, 0, REQ,
					false, NULL },
	[HYP_BUF_HTTP_HOST] = { "http.host", NULL, "http_host", 'W', REQ, false, NULL },
	[HYP_BUF_HTTP_HOST_RAW] = { "http.host.raw", NULL, "http_raw_host", 'Z', REQ, false, NULL },
	[HYP_BUF_HTTP_UA] = { "http.user_agent", NULL, "http_user_agent", 'V', REQ, false,
			      "user-agent" },
	/* Cookie in a request, Set-Cookie in a response (Suricata's) */
	[HYP_BUF_HTTP_COOKIE] = { "http.cookie", NULL, "http_cookie", 'C', ANY, false, "cookie" },
	[HYP_BUF_HTTP_REFERER] = { "http.referer", "http_referer", NULL, 0, REQ, false, "referer" },
	[HYP_BUF_HTTP_ACCEPT] = { "http.accept", "http_accept", NULL, 0, REQ, false, "accept" },
	[HYP_BUF_HTTP_ACCEPT_ENC] = { "http.accept_enc", "http_accept_enc", NULL, 0, REQ, false,
				      "accept-encoding" },
	[HYP_BUF_HTTP_ACCEPT_LANG] = { "http.accept_lang", "http_accept_lang", NULL, 0, REQ, false,
				       "accept-language" },
	[HYP_BUF_HTTP_REQUEST_BODY] = { "http.request_body", NULL, "http_client_body", 'P', REQ,
					true, NULL },
	[HYP_BUF_HTTP_PROTOCOL] = { "http.protocol", "http_protocol", NULL, 0, ANY, false, NULL },
	[HYP_BUF_HTTP_HEADER] = { "http.header", NULL, "http_header", 'H', ANY, false, NULL },
	[HYP_BUF_HTTP_HEADER_RAW] = { "http.header.raw", NULL, "http_raw_header", 'D', ANY, false,
				      NULL },
	[HYP_BUF_HTTP_HEADER_NAMES] = { "http.header_names", "http_header_names", NULL, 0, ANY,
					false, NULL },
	[HYP_BUF_HTTP_CONTENT_TYPE] = { "http.content_type", "http_content_type", NULL, 0, ANY,
					false, "content-type" },
	[HYP_BUF_HTTP_CONTENT_LEN] = { "http.content_len", "http_content_len", NULL, 0, ANY, false,
				       "content-length" },
	[HYP_BUF_HTTP_CONNECTION] = { "http.connection", "http_connection", NULL, 0, ANY, false,
				      "connection" },
	[HYP_BUF_HTTP_START] = { "http.start", "http_start", NULL, 0, ANY, false, NULL },
	[HYP_BUF_HTTP_STAT_CODE] = { "http.stat_code", NULL, "http_stat_code", 'S', RSP, false,
				     NULL },
	[HYP_BUF_HTTP_STAT_MSG] = { "http.stat_msg", NULL, "http_stat_msg", 'Y', RSP, false, NULL },
	[HYP_BUF_HTTP_RESPONSE_LINE] = { "http.response_line", "http_response_line", NULL, 0, RSP,
					 false, NULL },
	[HYP_BUF_HTTP_SERVER] = { "http.server", NULL, NULL, 0, RSP, false, "server" },
	[HYP_BUF_HTTP_LOCATION] = { "http.location", NULL, NULL, 0, RSP, false, "location" },
	[HYP_BUF_HTTP_RESPONSE_BODY] = { "http.response_body", NULL, "http_server_body", 'Q', RSP,
					 true, NULL },
	/* Suricata 5's tls_sni, tls_cert_subject...: the same buffers */
	[HYP_BUF_TLS_SNI] = { "tls.sni", "tls_sni", NULL, 0, HYP_BUF_SIDE_TLS_HELLO, false, NULL },
	[HYP_BUF_TLS_CERT_SUBJECT] = { "tls.cert_subject", "tls_cert_subject", NULL, 0,
				       HYP_BUF_SIDE_TLS_CERT, false, NULL },
	[HYP_BUF_TLS_CERT_ISSUER] = { "tls.cert_issuer", "tls_cert_issuer", NULL, 0,
				      HYP_BUF_SIDE_TLS_CERT, false, NULL },
	[HYP_BUF_TLS_CERT_SERIAL] = { "tls.cert_serial", "tls_cert_serial", NULL, 0,
				      HYP_BUF_SIDE_TLS_CERT, false, NULL },
	[HYP_BUF_TLS_CERT_FINGERPRINT] = { "tls.cert_fingerprint", "tls_cert_fingerprint", NULL, 0,
					   HYP_BUF_SIDE_TLS_CERT, false, NULL },
};

#undef REQ
#undef RSP
#undef ANY

int
hyp_buf_by_sticky(const char *kw)
{
	unsigned int b;

	/* file.data: the HTTP body of the rule's direction (the parser sorts out which) */
	if (strcmp(kw, "file.data") == 0 || strcmp(kw, "file_data") == 0)
		return HYP_BUF_HTTP_RESPONSE_BODY;
	for (b = 0; b < HYP_BUF_MAX; b++)
		if (strcmp(kw, hyp_buf_descs[b].sticky) == 0 ||
		    (hyp_buf_descs[b].sticky_old != NULL && strcmp(kw, hyp_buf_descs[b].sticky_old) == 0))
			return (int)b;
	return -1;
}

int
hyp_buf_by_modifier(const char *kw)
{
	unsigned int b;

	for (b = 0; b < HYP_BUF_MAX; b++)
		if (hyp_buf_descs[b].modifier != NULL && strcmp(kw, hyp_buf_descs[b].modifier) == 0)
			return (int)b;
	return -1;
}

int
hyp_buf_by_pcre_flag(char f)
{
	unsigned int b;

	for (b = 0; f != 0 && b < HYP_BUF_MAX; b++)
		if (hyp_buf_descs[b].pcre_flag == f)
			return (int)b;
	return -1;
}
