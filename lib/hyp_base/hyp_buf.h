/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HYP_BUF_H
#define HYP_BUF_H

/**
 * @file
 * The inspection buffers: what a rule's content, pcre, bsize, isdataat and
 * byte_* look at. One table names each buffer for the rule language (its
 * sticky buffer, its legacy content modifier, its pcre flag) and says which
 * HTTP message or TLS handshake message fills it, so the parser, the
 * libraries that fill the buffers and the detection engine that reads them
 * agree on one list.
 */

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum hyp_buf {
	HYP_BUF_PAYLOAD,	/**< packet payload, or the stream for tcp-stream */
	HYP_BUF_DNS_QUERY,	/**< each query name, dotted, no trailing dot */
	/* the request */
	HYP_BUF_HTTP_URI,	/**< normalized: %-decoded, dot segments and // removed */
	HYP_BUF_HTTP_URI_RAW,
	HYP_BUF_HTTP_METHOD,
	HYP_BUF_HTTP_REQUEST_LINE,
	HYP_BUF_HTTP_HOST,	/**< the Host header's name, lower case, no port */
	HYP_BUF_HTTP_HOST_RAW,
	HYP_BUF_HTTP_UA,
	HYP_BUF_HTTP_REFERER,
	HYP_BUF_HTTP_ACCEPT,
	HYP_BUF_HTTP_ACCEPT_ENC,
	HYP_BUF_HTTP_ACCEPT_LANG,
	HYP_BUF_HTTP_REQUEST_BODY,	/**< de-chunked, up to the body limit */
	/* either message: the rule's direction says which */
	HYP_BUF_HTTP_PROTOCOL,		/**< "HTTP/1.1" */
	HYP_BUF_HTTP_COOKIE,		/**< Cookie; in a response Set-Cookie */
	HYP_BUF_HTTP_HEADER,		/**< "Name: value\r\n" per header, values trimmed */
	HYP_BUF_HTTP_HEADER_RAW,	/**< the header lines as sent, with the empty line */
	HYP_BUF_HTTP_HEADER_NAMES,	/**< "\r\nName\r\nName\r\n\r\n" */
	HYP_BUF_HTTP_CONTENT_TYPE,
	HYP_BUF_HTTP_CONTENT_LEN,
	HYP_BUF_HTTP_CONNECTION,
	HYP_BUF_HTTP_START,		/**< the first line and the headers as sent */
	/* the response */
	HYP_BUF_HTTP_STAT_CODE,
	HYP_BUF_HTTP_STAT_MSG,
	HYP_BUF_HTTP_RESPONSE_LINE,
	HYP_BUF_HTTP_SERVER,
	HYP_BUF_HTTP_LOCATION,
	HYP_BUF_HTTP_RESPONSE_BODY,	/**< de-chunked, gunzipped, up to the body limit */
	/* TLS: the client's hello */
	HYP_BUF_TLS_SNI,		/**< the ClientHello's server_name (host_name), as sent */
	/* TLS: the server's first certificate */
	HYP_BUF_TLS_CERT_SUBJECT,	/**< "C=US, O=..., CN=...", value bytes as encoded */
	HYP_BUF_TLS_CERT_ISSUER,
	HYP_BUF_TLS_CERT_SERIAL,	/**< "01:AB:..." upper-case hex bytes */
	HYP_BUF_TLS_CERT_FINGERPRINT,	/**< SHA-1 of the DER, "ab:cd:..." lower case */
	HYP_BUF_MAX
};

/* HTTP body inspection limits (policy slow_path.http.*_body_limit): Suricata's defaults */
#define HYP_HTTP_BODY_LIMIT_DEFAULT	(100u * 1024)
#define HYP_HTTP_BODY_LIMIT_MAX		(16u << 20)
/*
 * The bytes a worker holds for all its HTTP directions' buffers and
 * inflate state (slow_path.http.memcap): Suricata's default.
 */
#define HYP_HTTP_MEMCAP_DEFAULT		(64u << 20)
#define HYP_HTTP_MEMCAP_MIN		(1u << 20)
#define HYP_HTTP_MEMCAP_MAX		(2u << 30)

/*
 * TLS: a handshake message's bytes kept (a longer one is inspected as far
 * as that), and the bytes a worker holds for all its directions' messages
 * being read (policy slow_path.tls.memcap): 512 directions at once each
 * half way through a 64 KiB message by default.
 */
#define HYP_TLS_MSG_MAX			(64u * 1024)
#define HYP_TLS_MEMCAP_DEFAULT		(32u << 20)
#define HYP_TLS_MEMCAP_MAX		(1u << 30)

/** Which application message a buffer belongs to. */
enum hyp_buf_side {
	HYP_BUF_SIDE_NONE,	/**< the packet's, or a DNS message's */
	HYP_BUF_SIDE_REQUEST,	/**< HTTP */
	HYP_BUF_SIDE_RESPONSE,
	HYP_BUF_SIDE_EITHER,	/**< the request's or the response's, by the rule's direction */
	HYP_BUF_SIDE_TLS_HELLO,	/**< TLS: the ClientHello (to the server) */
	HYP_BUF_SIDE_TLS_CERT,	/**< TLS: the server's Certificate (to the client) */
};

struct hyp_buf_desc {
	const char *sticky;	/**< Suricata 6+ sticky buffer, e.g. "http.uri" */
	const char *sticky_old;	/**< Suricata 5 sticky spelling, or NULL */
	const char *modifier;	/**< legacy content modifier, e.g. "http_uri", or NULL */
	char pcre_flag;		/**< pcre's buffer flag, e.g. 'U', or 0 */
	uint8_t side;		/**< enum hyp_buf_side */
	bool body;		/**< only whole once the message's body is in */
	const char *header;	/**< filled from this header's value, or NULL */
};

extern const struct hyp_buf_desc hyp_buf_descs[HYP_BUF_MAX];

/**
 * When an application message's buffers are inspected, once each. HTTP:
 * its line and headers when they are complete, its body when the message
 * is complete, the body limit is reached or the stream ends (with the
 * headers again). TLS: the ClientHello, the server's Certificate. A rule
 * is inspected at one of them: the last its buffers need.
 */
enum hyp_app_ev {
	HYP_APP_EV_NONE,		/**< a packet or a stream chunk */
	HYP_HTTP_EV_REQUEST,
	HYP_HTTP_EV_REQUEST_BODY,
	HYP_HTTP_EV_RESPONSE,
	HYP_HTTP_EV_RESPONSE_BODY,
	HYP_TLS_EV_HELLO,
	HYP_TLS_EV_CERT,
	HYP_APP_EV_MAX
};

static inline bool
hyp_app_ev_is_tls(unsigned int ev)
{
	return ev == HYP_TLS_EV_HELLO || ev == HYP_TLS_EV_CERT;
}

/** The buffers of one application message; an absent one has len 0. */
struct hyp_buf_set {
	const uint8_t *p[HYP_BUF_MAX];
	uint32_t len[HYP_BUF_MAX];
};

/** The buffer a sticky-buffer keyword names (either spelling), or -1. */
int hyp_buf_by_sticky(const char *kw);
/** The buffer a legacy content modifier names, or -1. */
int hyp_buf_by_modifier(const char *kw);
/** The buffer a pcre flag names, or -1. */
int hyp_buf_by_pcre_flag(char f);

static inline bool
hyp_buf_is_http(unsigned int b)
{
	return b < HYP_BUF_MAX && hyp_buf_descs[b].side >= HYP_BUF_SIDE_REQUEST &&
	       hyp_buf_descs[b].side <= HYP_BUF_SIDE_EITHER;
}

static inline bool
hyp_buf_is_tls(unsigned int b)
{
	return b < HYP_BUF_MAX && (hyp_buf_descs[b].side == HYP_BUF_SIDE_TLS_HELLO ||
				   hyp_buf_descs[b].side == HYP_BUF_SIDE_TLS_CERT);
}

/** A buffer an application message fills (HTTP or TLS), not the packet. */
static inline bool
hyp_buf_is_app(unsigned int b)
{
	return b < HYP_BUF_MAX && hyp_buf_descs[b].side != HYP_BUF_SIDE_NONE;
}

#ifdef __cplusplus
}
#endif

#endif /* HYP_BUF_H */
