/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy file's schema: what each section, list and rule holds, and
 * how a value is checked, over the YAML walker (policy_yaml.c). The policy
 * under construction is freed whole on any error.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <netinet/in.h>

#include <hs.h>
#include <yaml.h>

#include "hyp_hs.h"
#include "hyp_policy.h"
#include "policy_yaml.h"

#define HYP_POLICY_MAX_FILE	(256u << 20)

/* ---- values of more than one section ---- */

int
pol_read_u32(struct pctx *c, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int ret = yw_uint(c, min, max, &v);

	if (ret == 0)
		*out = (uint32_t)v;
	return ret;
}

int
pol_read_proto(struct pctx *c, uint8_t *out)
{
	uint64_t v;
	int ret;

	ret = yw_uint(c, 0, 255, &v);
	if (ret < 0)
		return ret;
	if (v != IPPROTO_TCP && v != IPPROTO_UDP)
		return yw_perr(c, &c->ev.start_mark,
				"protocol must be 6 (TCP) or 17 (UDP), got %" PRIu64, v);
	*out = (uint8_t)v;
	return 0;
}

int
pol_read_port(struct pctx *c, uint16_t *out)
{
	uint64_t v;
	int ret = yw_uint(c, 1, 65535, &v);

	if (ret == 0)
		*out = (uint16_t)v;
	return ret;
}

/* An address or prefix; hyp_cidr_parse() says what is wrong with it. */
int
pol_read_cidr(struct pctx *c, struct hyp_cidr *out)
{
	char sb[HYP_SHOW_BUF], buf[64], why[128];
	const char *s;
	size_t n;
	int ret;

	ret = yw_string(c, "an address or CIDR", &s, &n);
	if (ret < 0)
		return ret;
	yw_show(s, n, sb, sizeof(sb));
	if (n >= sizeof(buf) || memchr(s, '\0', n) != NULL)
		return yw_perr(c, &c->ev.start_mark,
				"'%s': not an IPv4 or IPv6 address", sb);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (hyp_cidr_parse(buf, out, why, sizeof(why)) < 0)
		return yw_perr(c, &c->ev.start_mark, "'%s': %s", sb, why);
	return 0;
}

/* ---- fast_path ---- */

static int
drop_src_item(struct pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_cidr *t;

	t = yw_append(p->drop_ips, p->n_drop_ips, sizeof(*t));
	if (t == NULL)
		return yw_nomem(c);
	p->drop_ips = t;
	p->n_drop_ips++;
	return pol_read_cidr(c, &t[idx]);
}

static int
drop_dst_item(struct pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_cidr *t;

	t = yw_append(p->drop_dst_ips, p->n_drop_dst_ips, sizeof(*t));
	if (t == NULL)
		return yw_nomem(c);
	p->drop_dst_ips = t;
	p->n_drop_dst_ips++;
	return pol_read_cidr(c, &t[idx]);
}

static const char *const port_keys[] = { "protocol", "port", "priority" };
enum { HYP_PK_PROTOCOL, HYP_PK_PORT, HYP_PK_PRIORITY };

static int
port_field(struct pctx *c, unsigned int key, void *arg)
{
	struct hyp_policy_l4port *pp = arg;

	if (key == HYP_PK_PROTOCOL)
		return pol_read_proto(c, &pp->proto);
	if (key == HYP_PK_PRIORITY)
		return pol_read_u32(c, 0, HYP_SHED_PRIORITY_MAX, &pp->priority);
	return pol_read_port(c, &pp->port);
}

static int
port_item(struct pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_policy_l4port *t;

	t = yw_append(p->redirect_ports, p->n_redirect_ports, sizeof(*t));
	if (t == NULL)
		return yw_nomem(c);
	p->redirect_ports = t;
	p->n_redirect_ports++;
	return yw_item_mapping(c, port_keys, HYP_DIM(port_keys),
			    port_field, &t[idx],
			    1u << HYP_PK_PROTOCOL | 1u << HYP_PK_PORT);
}

static const char *const rl_keys[] = { "cidr", "pps", "burst", "scope", "ipv6_mask" };
enum { HYP_RK_CIDR, HYP_RK_PPS, HYP_RK_BURST, HYP_RK_SCOPE, HYP_RK_IPV6_MASK };

struct hyp_rl_arg {
	struct hyp_policy_ratelimit *rl;
	bool burst_set;
};

static int
rl_field(struct pctx *c, unsigned int key, void *arg)
{
	struct hyp_rl_arg *a = arg;

	switch (key) {
	case HYP_RK_CIDR:
		return pol_read_cidr(c, &a->rl->cidr);
	case HYP_RK_PPS:
		return pol_read_u32(c, 0, UINT32_MAX, &a->rl->pps);
	case HYP_RK_SCOPE: {
		static const char *const scopes[] = {
			[HYP_RL_SCOPE_ADDRESS] = "address",
			[HYP_RL_SCOPE_PREFIX] = "prefix",
		};
		unsigned int v;
		int ret = yw_enum(c, scopes, HYP_DIM(scopes), "address or prefix", &v);

		if (ret == 0)
			a->rl->scope = (uint8_t)v;
		return ret;
	}
	case HYP_RK_IPV6_MASK: {
		uint32_t v;
		int ret = pol_read_u32(c, 1, 128, &v);

		if (ret == 0)
			a->rl->ipv6_mask = (uint8_t)v;
		return ret;
	}
	default:
		a->burst_set = true;
		return pol_read_u32(c, 0, UINT32_MAX, &a->rl->burst);
	}
}

static int
rl_item(struct pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	struct hyp_policy_ratelimit *t;
	struct hyp_rl_arg a;
	yaml_mark_t start;
	int ret;

	t = yw_append(p->rate_limits, p->n_rate_limits, sizeof(*t));
	if (t == NULL)
		return yw_nomem(c);
	p->rate_limits = t;
	p->n_rate_limits++;
	a.rl = &t[idx];
	a.rl->ipv6_mask = HYP_RL_IPV6_MASK_DEFAULT;
	a.burst_set = false;
	start = c->ev.start_mark;	/* the item, for an error about all of it */
	ret = yw_item_mapping(c, rl_keys, HYP_DIM(rl_keys),
			   rl_field, &a, 1u << HYP_RK_CIDR | 1u << HYP_RK_PPS);
	/* one second's worth: the usual token-bucket default */
	if (ret == 0 && !a.burst_set)
		a.rl->burst = a.rl->pps;
	if (ret == 0 && a.rl->pps != 0 && a.rl->burst == 0)
		return yw_perr(c, &start,
				"burst 0 lets nothing through at %u pps: give at least 1 "
				"(or pps 0 to exempt the prefix)", a.rl->pps);
	return ret;
}

/*
 * Non-IP EtherTypes by name. IPv4, IPv6 and VLAN tags are not among them:
 * the fast path parses those, they are never passed by type.
 */
static const struct {
	const char *name;
	uint16_t type;
} ethertype_names[] = {
	{ "llc", HYP_ETHERTYPE_LLC },	/* 802.3 length frames: STP BPDUs, CDP */
	{ "arp", ETH_P_ARP },
	{ "rarp", ETH_P_RARP },
	{ "slow", ETH_P_SLOW },		/* LACP, marker */
	{ "eapol", ETH_P_PAE },		/* 802.1X */
	{ "lldp", ETH_P_LLDP },
	{ "macsec", ETH_P_MACSEC },
	{ "ptp", ETH_P_1588 },
	{ "cfm", ETH_P_CFM },		/* 802.1ag */
};

/* What a bump in the wire forwards when the policy does not say */
static const uint16_t ethertype_defaults[] = {
	HYP_ETHERTYPE_LLC, ETH_P_ARP, ETH_P_SLOW, ETH_P_PAE, ETH_P_LLDP,
};

static int
ethertype_item(struct pctx *c, size_t idx)
{
	struct hyp_policy *p = c->p;
	char sb[HYP_SHOW_BUF];
	const char *s;
	uint16_t *t, v = 0;
	unsigned int i;
	size_t n;
	int ret;

	ret = yw_string(c, "an EtherType (a name or 0x0600..0xffff)", &s, &n);
	if (ret < 0)
		return ret;
	yw_show(s, n, sb, sizeof(sb));
	for (i = 0; i < HYP_DIM(ethertype_names); i++)
		if (strlen(ethertype_names[i].name) == n &&
		    strncasecmp(s, ethertype_names[i].name, n) == 0)
			break;
	if (i < HYP_DIM(ethertype_names)) {
		v = ethertype_names[i].type;
	} else {
		size_t k;
		unsigned long x = 0;

		if (n != 6 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
			return yw_perr(c, &c->ev.start_mark, "'%s' is not an EtherType: a name "
					"(llc, arp, rarp, slow, eapol, lldp, macsec, ptp, cfm) or "
					"0x followed by 4 hex digits", sb);
		for (k = 2; k < n; k++) {
			int d = isdigit((unsigned char)s[k]) ? s[k] - '0' :
				isxdigit((unsigned char)s[k]) ? tolower((unsigned char)s[k]) - 'a' + 10 : -1;

			if (d < 0)
				return yw_perr(c, &c->ev.start_mark,
						"'%s' is not an EtherType: bad hex digit", sb);
			x = x * 16 + (unsigned long)d;
		}
		if (x < ETH_P_802_3_MIN)
			return yw_perr(c, &c->ev.start_mark, "'%s' is an 802.3 length, not an "
					"EtherType: write llc for those frames", sb);
		if (x == ETH_P_IP || x == ETH_P_IPV6 || x == ETH_P_8021Q || x == ETH_P_8021AD)
			return yw_perr(c, &c->ev.start_mark, "'%s' is IP or a VLAN tag: the fast "
					"path parses those, it does not pass them by type", sb);
		v = (uint16_t)x;
	}
	t = yw_append(p->pass_ethertypes, p->n_pass_ethertypes, sizeof(*t));
	if (t == NULL)
		return yw_nomem(c);
	p->pass_ethertypes = t;
	p->n_pass_ethertypes++;
	t[idx] = v;
	return 0;
}

/* After the parse: the defaults when the file did not list any. */
static int
ethertype_defaults_fill(struct hyp_policy *p)
{
	p->pass_ethertypes = malloc(sizeof(ethertype_defaults));
	if (p->pass_ethertypes == NULL)
		return -ENOMEM;
	memcpy(p->pass_ethertypes, ethertype_defaults, sizeof(ethertype_defaults));
	p->n_pass_ethertypes = HYP_DIM(ethertype_defaults);
	return 0;
}

static const char *const fast_keys[] = {
	"drop_ips", "drop_dst_ips", "redirect_ports", "rate_limits",
	"malformed", "redirect_all", "fragments", "redirect_budget_pps",
	"redirect_budget_burst", "pass_ethertypes",
};
enum {
	HYP_FK_DROP_IPS, HYP_FK_DROP_DST_IPS, HYP_FK_REDIRECT_PORTS,
	HYP_FK_RATE_LIMITS, HYP_FK_MALFORMED, HYP_FK_REDIRECT_ALL, HYP_FK_FRAGMENTS,
	HYP_FK_BUDGET_PPS, HYP_FK_BUDGET_BURST, HYP_FK_ETHERTYPES,
};

static int
fast_field(struct pctx *c, unsigned int key, void *arg)
{
	static const char *const malformed[] = {
		[HYP_XDP_DROP] = "drop",
		[HYP_XDP_PASS] = "pass",
	};
	static const char *const fragments[] = {
		[HYP_FRAG_INSPECT] = "inspect",
		[HYP_FRAG_DROP] = "drop",
		[HYP_FRAG_PASS] = "pass",
	};
	unsigned int v;
	int ret;

	switch (key) {
	case HYP_FK_DROP_IPS:
		return yw_list(c, drop_src_item, HYP_BLOCK_MAX_ENTRIES);
	case HYP_FK_DROP_DST_IPS:
		return yw_list(c, drop_dst_item, HYP_BLOCK_MAX_ENTRIES);
	case HYP_FK_REDIRECT_PORTS:
		return yw_list(c, port_item, HYP_REDIRECT_PORTS_MAX_ENTRIES);
	case HYP_FK_RATE_LIMITS:
		return yw_list(c, rl_item, HYP_RL_RULES_MAX_ENTRIES);
	case HYP_FK_MALFORMED:
		ret = yw_enum(c, malformed, HYP_DIM(malformed),
			       "drop or pass", &v);
		if (ret == 0)
			c->p->malformed_action = (int)v;
		return ret;
	case HYP_FK_FRAGMENTS:
		ret = yw_enum(c, fragments, HYP_DIM(fragments), "inspect, drop or pass", &v);
		if (ret == 0)
			c->p->fragments = (int)v;
		return ret;
	case HYP_FK_BUDGET_PPS:
		return pol_read_u32(c, 0, UINT32_MAX, &c->p->redirect_budget_pps);
	case HYP_FK_BUDGET_BURST:
		return pol_read_u32(c, 0, UINT32_MAX, &c->p->redirect_budget_burst);
	case HYP_FK_ETHERTYPES:
		c->ethertypes_given = true;
		return yw_list(c, ethertype_item, HYP_ETHERTYPES_MAX_ENTRIES);
	default:
		return yw_bool(c, &c->p->redirect_all);
	}
}

/* ---- runtime and root ---- */

static const char *const rt_keys[] = { "fail_mode", "watchdog_ms" };

static int
rt_field(struct pctx *c, unsigned int key, void *arg)
{
	static const char *const modes[] = {
		[HYP_FAIL_OPEN] = "open",
		[HYP_FAIL_CLOSED] = "closed",
	};
	unsigned int v;
	int ret;

	if (key == 1)
		return pol_read_u32(c, 0, UINT32_MAX, &c->p->watchdog_ms);
	ret = yw_enum(c, modes, HYP_DIM(modes), "open or closed", &v);
	if (ret == 0)
		c->p->fail_mode = (int)v;
	return ret;
}

static const char *const root_keys[] = { "fast_path", "slow_path", "runtime" };

static int
root_field(struct pctx *c, unsigned int key, void *arg)
{
	switch (key) {
	case 0:
		return yw_section(c, fast_keys, HYP_DIM(fast_keys),
				   fast_field, NULL);
	case 1:
		return pol_slow_section(c);
	default:
		return yw_section(c, rt_keys, HYP_DIM(rt_keys),
				   rt_field, NULL);
	}
}

static int
parse_stream(struct pctx *c)
{
	char kb[HYP_KIND_BUF];
	int ret;

	ret = yw_next(c);	/* STREAM-START */
	if (ret < 0)
		return ret;
	ret = yw_next(c);
	if (ret < 0)
		return ret;
	/* no document at all: empty, or only comments */
	if (c->ev.type == YAML_STREAM_END_EVENT)
		return 0;
	ret = yw_next(c);	/* the root node */
	if (ret < 0)
		return ret;
	if (c->ev.type == YAML_MAPPING_START_EVENT) {
		ret = yw_section(c, root_keys, HYP_DIM(root_keys),
				  root_field, NULL);
		if (ret < 0)
			return ret;
	} else if (!yw_is_null(&c->ev)) {
		/* a document that is only "---" or "~" is an empty policy */
		return yw_perr(c, &c->ev.start_mark,
				"the policy must be a mapping with fast_path, "
				"slow_path and runtime, got %s",
				yw_kind(c, kb, sizeof(kb)));
	}
	ret = yw_next(c);	/* DOCUMENT-END */
	if (ret < 0)
		return ret;
	ret = yw_next(c);
	if (ret < 0)
		return ret;
	if (c->ev.type != YAML_STREAM_END_EVENT)
		return yw_perr(c, &c->ev.start_mark,
				"only one YAML document is allowed");
	return 0;
}

/* ---- public ---- */

static int policy_parse(const char *buf, size_t len, const char *name, bool redact,
			struct hyp_policy **out, struct hyp_policy_error *err);

int
hyp_policy_parse(const char *buf, size_t len, const char *name,
		 struct hyp_policy **out, struct hyp_policy_error *err)
{
	return policy_parse(buf, len, name, false, out, err);
}

static uint64_t
fnv1a64(const char *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)buf[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
policy_parse(const char *buf, size_t len, const char *name, bool redact,
	     struct hyp_policy **out, struct hyp_policy_error *err)
{
	struct hyp_policy_error scratch;
	struct hyp_policy *p;
	struct pctx c;
	int ret;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (name == NULL)
		name = "<memory>";
	snprintf(err->file, sizeof(err->file), "%s", name);
	if (out == NULL || (buf == NULL && len > 0)) {
		snprintf(err->msg, sizeof(err->msg), "invalid arguments");
		return -EINVAL;
	}
	if (len > HYP_POLICY_MAX_FILE) {
		snprintf(err->msg, sizeof(err->msg),
			 "larger than %u bytes", HYP_POLICY_MAX_FILE);
		return -EFBIG;
	}
	if (buf == NULL)
		buf = "";

	memset(&c, 0, sizeof(c));
	c.buf = buf;
	c.len = len;
	c.err = err;
	c.next_auto_id = HYP_POLICY_AUTO_ID_BASE;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return yw_nomem(&c);
	c.p = p;
	p->path = strdup(name);
	if (p->path == NULL) {
		hyp_policy_free(p);
		return yw_nomem(&c);
	}
	p->content_hash = fnv1a64(buf, len);
	p->malformed_action = HYP_XDP_DROP;
	p->fragments = HYP_FRAG_INSPECT;
	p->dns_malformed = HYP_ACTION_ALERT;
	p->fail_mode = HYP_FAIL_OPEN;
	p->auto_block_ttl_s = HYP_POLICY_AUTOBLOCK_TTL_DEFAULT;
	p->auto_block_max_reports = HYP_AUTOBLOCK_REPORTS_DEFAULT;
	p->http_request_body_limit = HYP_HTTP_BODY_LIMIT_DEFAULT;
	p->http_response_body_limit = HYP_HTTP_BODY_LIMIT_DEFAULT;
	p->http_memcap = HYP_HTTP_MEMCAP_DEFAULT;
	p->tls_memcap = HYP_TLS_MEMCAP_DEFAULT;

	if (yaml_parser_initialize(&c.parser) == 0) {
		hyp_policy_free(p);
		return yw_nomem(&c);
	}
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)buf, len);
	/* no guessing from a BOM: a policy is UTF-8, anything else is refused */
	yaml_parser_set_encoding(&c.parser, YAML_UTF8_ENCODING);

	yw_redact_set(redact);
	ret = parse_stream(&c);
	yw_redact_set(false);

	if (c.have_ev)
		yaml_event_delete(&c.ev);
	yaml_parser_delete(&c.parser);
	free(c.id_seen);
	if (ret == 0 && !c.ethertypes_given && ethertype_defaults_fill(p) < 0)
		ret = yw_nomem(&c);
	if (ret < 0) {
		hyp_policy_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int
pol_read_fd(int fd, size_t max, char **out, size_t *out_len, struct hyp_policy_error *err)
{
	struct stat st;
	size_t len = 0;
	ssize_t got;
	char *buf;
	int ret;

	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "cannot stat: %s", strerror(-ret));
		return ret;
	}
	/* a FIFO or a device would block the reader, or never end */
	if (S_ISDIR(st.st_mode)) {
		snprintf(err->msg, sizeof(err->msg), "a directory, not a file to read");
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err->msg, sizeof(err->msg), "not a regular file");
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err->msg, sizeof(err->msg), "larger than %zu bytes", max);
		return -EFBIG;
	}
	/* one byte more than the size says: a file that grew meanwhile is caught */
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -ENOMEM;
	}
	for (;;) {
		got = read(fd, buf + len, (size_t)st.st_size + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
		if (len > (size_t)st.st_size)
			break;
	}
	if (got < 0) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "cannot read: %s", strerror(-ret));
	} else if (len > (size_t)st.st_size) {
		ret = -EAGAIN;
		snprintf(err->msg, sizeof(err->msg), "the file grew while it was read");
	} else {
		*out = buf;
		*out_len = len;
		return 0;
	}
	free(buf);
	return ret;
}

int
hyp_policy_load_fd(int fd, const char *name, bool redact, struct hyp_policy **out,
		   struct hyp_policy_error *err)
{
	struct hyp_policy_error scratch;
	size_t len;
	char *buf;
	int ret;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", name != NULL ? name : "<fd>");
	if (fd < 0 || out == NULL) {
		snprintf(err->msg, sizeof(err->msg), "invalid arguments");
		return -EINVAL;
	}
	ret = pol_read_fd(fd, HYP_POLICY_MAX_FILE, &buf, &len, err);
	if (ret < 0)
		return ret;
	ret = policy_parse(buf, len, name, redact, out, err);
	free(buf);
	return ret;
}

int
hyp_policy_load(const char *path, struct hyp_policy **out,
		struct hyp_policy_error *err)
{
	struct hyp_policy_error scratch;
	int fd, ret;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (path == NULL || out == NULL) {
		snprintf(err->msg, sizeof(err->msg), "invalid arguments");
		return -EINVAL;
	}
	snprintf(err->file, sizeof(err->file), "%s", path);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "cannot open: %s", strerror(-ret));
		return ret;
	}
	ret = hyp_policy_load_fd(fd, path, false, out, err);
	close(fd);
	return ret;
}

void
hyp_policy_free(struct hyp_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_dns_rules; i++)
		free(p->dns_rules[i].match);
	for (i = 0; i < p->n_signatures; i++)
		free(p->signatures[i].bytes);
	for (i = 0; i < p->n_payload_rules; i++) {
		free(p->payload_rules[i].msg);
		free(p->payload_rules[i].regex);
	}
	free(p->dns_rules);
	free(p->signatures);
	free(p->payload_rules);
	free(p->drop_ips);
	free(p->drop_dst_ips);
	free(p->redirect_ports);
	free(p->rate_limits);
	free(p->pass_ethertypes);
	free(p->auto_block_exempt);
	for (i = 0; i < p->n_rule_files; i++)
		free(p->rule_files[i]);
	free(p->rule_files);
	for (i = 0; i < p->n_rule_vars; i++) {
		free(p->rule_vars[i].name);
		free(p->rule_vars[i].value);
	}
	free(p->rule_vars);
	free(p->path);
	free(p);
}

const char *
hyp_policy_error_str(const struct hyp_policy_error *err, char *buf, size_t len)
{
	if (buf == NULL || len == 0)
		return "";
	if (err == NULL)
		snprintf(buf, len, "no error");
	else if (err->line > 0)
		snprintf(buf, len, "%s:%u:%u: %s", err->file, err->line,
			 err->column, err->msg);
	else if (err->file[0] != '\0')
		snprintf(buf, len, "%s: %s", err->file, err->msg);
	else
		snprintf(buf, len, "%s", err->msg);
	return buf;
}
