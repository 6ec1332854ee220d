/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Suricata rule parser. One pass over the header, then the options
 * split at unescaped ';' outside quotes, each handed to its keyword's
 * reader from one table. Every bound is checked before it is used: a rule
 * is at most HYP_RULE_MAX_LEN bytes, HYP_RULE_MAX_OPTS options, an address
 * or port expression HYP_RULE_EXPR_NODES nodes once variables are in, and
 * variables nest at most VAR_DEPTH deep (a variable naming itself is an
 * error, not a loop).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hyp_rules.h"

#define VAR_DEPTH	8
#define VAR_NAME_MAX	64

static const char *const action_names[HYP_RULE_ACTION_MAX] = {
	[HYP_RULE_PASS] = "pass",
	[HYP_RULE_DROP] = "drop",
	[HYP_RULE_REJECT] = "reject",
	[HYP_RULE_ALERT] = "alert",
};

static const char *const proto_names[HYP_RP_MAX] = {
	[HYP_RP_IP] = "ip",
	[HYP_RP_TCP] = "tcp",
	[HYP_RP_UDP] = "udp",
	[HYP_RP_ICMP] = "icmp",
	[HYP_RP_DNS] = "dns",
	[HYP_RP_TCP_PKT] = "tcp-pkt",
	[HYP_RP_TCP_STREAM] = "tcp-stream",
	[HYP_RP_HTTP] = "http",
	[HYP_RP_TLS] = "tls",
};

const char *
hyp_rule_action_name(unsigned int a)
{
	return a < HYP_RULE_ACTION_MAX ? action_names[a] : "?";
}

const char *
hyp_rule_proto_name(unsigned int p)
{
	return p < HYP_RP_MAX ? proto_names[p] : "?";
}

/* ---- errors ---- */

struct pctx {
	const struct hyp_rule_vars *vars;
	struct hyp_rule *r;
	struct hyp_rule_err *e;
	const char *kw;			/* the option being read, for messages */
	uint8_t buf;			/* the sticky buffer in force */
	int last_content;		/* index in opts of the last content, -1 */
	int last_match;			/* of the last content or pcre (relative anchors) */
	bool file_data;			/* file.data: the body of the rule's direction */
};

static int __attribute__((format(printf, 2, 3)))
fail(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	snprintf(c->e->keyword, sizeof(c->e->keyword), "%s", c->kw != NULL ? c->kw : "");
	va_start(ap, fmt);
	vsnprintf(c->e->msg, sizeof(c->e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* a keyword the engine does not run: the rule is skipped, counted under it */
static int
skip(struct pctx *c, const char *keyword)
{
	snprintf(c->e->keyword, sizeof(c->e->keyword), "%s", keyword);
	c->e->msg[0] = '\0';
	return 1;
}

static int
nomem(struct pctx *c)
{
	fail(c, "out of memory");
	return -ENOMEM;
}

/* ---- small text helpers ---- */

static const char *
skip_ws(const char *s, const char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	return s;
}

/* s..end without surrounding white space, as a new string */
static char *
dup_trim(const char *s, const char *end)
{
	char *d;

	s = skip_ws(s, end);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	d = malloc((size_t)(end - s) + 1);
	if (d != NULL) {
		memcpy(d, s, (size_t)(end - s));
		d[end - s] = '\0';
	}
	return d;
}

/* A decimal integer, all of s, in [min, max]. */
static int
parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The next comma-separated field of *p (NUL-terminated, trimmed), or NULL. */
static char *
next_field(char **p)
{
	char *s = *p, *c, *end;

	if (s == NULL)
		return NULL;
	c = strchr(s, ',');
	if (c != NULL) {
		*c = '\0';
		*p = c + 1;
	} else {
		*p = NULL;
	}
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* ---- variables ---- */

static const struct {
	const char *name, *value;
} default_vars[] = {
	/* Suricata's suricata.yaml defaults */
	{ "HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]" },
	{ "EXTERNAL_NET", "!$HOME_NET" },
	{ "HTTP_SERVERS", "$HOME_NET" },
	{ "SMTP_SERVERS", "$HOME_NET" },
	{ "SQL_SERVERS", "$HOME_NET" },
	{ "DNS_SERVERS", "$HOME_NET" },
	{ "TELNET_SERVERS", "$HOME_NET" },
	{ "AIM_SERVERS", "$EXTERNAL_NET" },
	{ "DC_SERVERS", "$HOME_NET" },
	{ "DNP3_SERVER", "$HOME_NET" },
	{ "DNP3_CLIENT", "$HOME_NET" },
	{ "MODBUS_CLIENT", "$HOME_NET" },
	{ "MODBUS_SERVER", "$HOME_NET" },
	{ "ENIP_CLIENT", "$HOME_NET" },
	{ "ENIP_SERVER", "$HOME_NET" },
	{ "HTTP_PORTS", "80" },
	{ "SHELLCODE_PORTS", "!80" },
	{ "ORACLE_PORTS", "1521" },
	{ "SSH_PORTS", "22" },
	{ "DNP3_PORTS", "20000" },
	{ "MODBUS_PORTS", "502" },
	{ "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]" },
	{ "FTP_PORTS", "21" },
	{ "GENEVE_PORTS", "6081" },
	{ "VXLAN_PORTS", "4789" },
	{ "TEREDO_PORTS", "3544" },
};

static bool
var_name_ok(const char *n)
{
	size_t i, len = strlen(n);

	if (len == 0 || len > VAR_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && n[i] != '_')
			return false;
	return true;
}

int
hyp_rule_vars_set(struct hyp_rule_vars *v, const char *name, const char *value)
{
	struct hyp_rule_var *nv;
	char *n, *val;
	unsigned int i;

	if (name == NULL || value == NULL || !var_name_ok(name) ||
	    strlen(value) >= HYP_RULE_MAX_LEN)
		return -EINVAL;
	val = strdup(value);
	if (val == NULL)
		return -ENOMEM;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i].name, name) == 0) {
			free(v->v[i].value);
			v->v[i].value = val;
			return 0;
		}
	n = strdup(name);
	nv = realloc(v->v, (v->n + 1) * sizeof(*nv));
	if (n == NULL || nv == NULL) {
		free(n);
		free(val);
		if (nv != NULL)
			v->v = nv;
		return -ENOMEM;
	}
	v->v = nv;
	v->v[v->n].name = n;
	v->v[v->n].value = val;
	v->n++;
	return 0;
}

int
hyp_rule_vars_default(struct hyp_rule_vars *v)
{
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(default_vars) / sizeof(default_vars[0]); i++) {
		ret = hyp_rule_vars_set(v, default_vars[i].name, default_vars[i].value);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void
hyp_rule_vars_free(struct hyp_rule_vars *v)
{
	unsigned int i;

	for (i = 0; i < v->n; i++) {
		free(v->v[i].name);
		free(v->v[i].value);
	}
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

static const char *
var_get(const struct hyp_rule_vars *v, const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; v != NULL && i < v->n; i++)
		if (strlen(v->v[i].name) == len && memcmp(v->v[i].name, name, len) == 0)
			return v->v[i].value;
	return NULL;
}

/* ---- address and port expressions ---- */

struct xparse {
	struct pctx *c;
	struct hyp_rule_expr *x;
	bool ports;
	const char *what;		/* "source address", ... */
};

static int
node_new(struct xparse *p, uint8_t kind, bool neg)
{
	struct hyp_rule_node *nn;
	unsigned int i = p->x->n;

	if (i >= HYP_RULE_EXPR_NODES)
		return fail(p->c, "%s: more than %u elements once variables are expanded",
			    p->what, HYP_RULE_EXPR_NODES);
	nn = realloc(p->x->nodes, (i + 1) * sizeof(*nn));
	if (nn == NULL)
		return nomem(p->c);
	p->x->nodes = nn;
	memset(&nn[i], 0, sizeof(nn[i]));
	nn[i].kind = kind;
	nn[i].neg = neg;
	nn[i].first = HYP_RN_NONE;
	nn[i].next = HYP_RN_NONE;
	p->x->n++;
	return (int)i;
}

static int parse_xelem(struct xparse *p, const char **s, const char *end, int depth);

/* "[a,b,...]": *s after '[' up to its ']'; the members linked under group */
static int
parse_xgroup(struct xparse *p, const char **s, const char *end, int group, int depth)
{
	int last = -1, m;

	for (;;) {
		*s = skip_ws(*s, end);
		if (*s >= end)
			return fail(p->c, "%s: a group without its ']'", p->what);
		if (**s == ']' && last < 0)
			return fail(p->c, "%s: an empty group", p->what);
		m = parse_xelem(p, s, end, depth);
		if (m < 0)
			return m;
		if (last < 0)
			p->x->nodes[group].first = (uint16_t)m;
		else
			p->x->nodes[last].next = (uint16_t)m;
		last = m;
		*s = skip_ws(*s, end);
		if (*s < end && **s == ',') {
			(*s)++;
			continue;
		}
		if (*s < end && **s == ']') {
			(*s)++;
			return 0;
		}
		return fail(p->c, "%s: expected ',' or ']'", p->what);
	}
}

/* one port, a range "a:b", "a:" or ":b" */
static int
parse_port_atom(struct xparse *p, const char *a, int node)
{
	char buf[32], *colon;
	long long lo = 0, hi = 65535;

	if (strlen(a) >= sizeof(buf))
		return fail(p->c, "%s: '%.20s...' is not a port", p->what, a);
	snprintf(buf, sizeof(buf), "%s", a);
	colon = strchr(buf, ':');
	if (colon != NULL) {
		*colon = '\0';
		if ((buf[0] != '\0' && parse_int(buf, 0, 65535, &lo) < 0) ||
		    (colon[1] != '\0' && parse_int(colon + 1, 0, 65535, &hi) < 0) ||
		    (buf[0] == '\0' && colon[1] == '\0'))
			return fail(p->c, "%s: '%s' is not a port range", p->what, a);
		if (lo > hi)
			return fail(p->c, "%s: range '%s' ends before it starts", p->what, a);
	} else {
		if (parse_int(buf, 0, 65535, &lo) < 0)
			return fail(p->c, "%s: '%s' is not a port (0..65535)", p->what, a);
		hi = lo;
	}
	p->x->nodes[node].lo = (uint16_t)lo;
	p->x->nodes[node].hi = (uint16_t)hi;
	return 0;
}

/* an address or a prefix; host bits beyond it are cleared, as Suricata does */
static int
parse_addr_atom(struct xparse *p, const char *a, int node)
{
	char buf[80], err[96], *slash;
	struct hyp_cidr cidr;
	long long plen = -1;
	unsigned int i, max;

	if (strlen(a) >= sizeof(buf))
		return fail(p->c, "%s: '%.20s...' is not an address", p->what, a);
	snprintf(buf, sizeof(buf), "%s", a);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (strchr(buf, '-') != NULL)
		return fail(p->c, "%s: address ranges ('%s') are not supported; write prefixes",
			    p->what, a);
	if (hyp_cidr_parse(buf, &cidr, err, sizeof(err)) != 0)
		return fail(p->c, "%s: '%s': %s", p->what, a, err);
	max = cidr.family == AF_INET ? 32 : 128;
	if (slash != NULL) {
		/* an IPv4 netmask (a.b.c.d) is Suricata's too; only lengths here */
		if (parse_int(slash + 1, 0, max, &plen) < 0)
			return fail(p->c, "%s: '%s': the prefix length must be 0..%u", p->what, a,
				    max);
		cidr.prefixlen = (uint8_t)plen;
		for (i = 0; i < max / 8; i++) {
			long long bits = plen - 8 * (long long)i;	/* of this byte, kept */

			if (bits <= 0)
				cidr.addr[i] = 0;
			else if (bits < 8)
				cidr.addr[i] &= (uint8_t)(0xffu << (8 - bits));
		}
	}
	p->x->nodes[node].cidr = cidr;
	return 0;
}

static int
parse_xvar(struct xparse *p, const char *name, size_t len, bool neg, int depth)
{
	const char *val = var_get(p->c->vars, name, len), *s;
	int m, g;

	if (val == NULL)
		return fail(p->c, "%s: variable $%.*s is not defined", p->what, (int)len, name);
	if (depth >= VAR_DEPTH)
		return fail(p->c, "%s: variables nest more than %d deep ($%.*s)", p->what,
			    VAR_DEPTH, (int)len, name);
	/* a group of one, so that the variable's own '!' stays inside it */
	g = node_new(p, HYP_RN_GROUP, neg);
	if (g < 0)
		return g;
	s = val;
	m = parse_xelem(p, &s, val + strlen(val), depth + 1);
	if (m < 0)
		return m;
	s = skip_ws(s, val + strlen(val));
	if (*s != '\0')
		return fail(p->c, "%s: $%.*s: text after its value", p->what, (int)len, name);
	p->x->nodes[g].first = (uint16_t)m;
	return g;
}

/* one element: ['!'] (group | any | $VAR | atom); the node's index */
static int
parse_xelem(struct xparse *p, const char **s, const char *end, int depth)
{
	const char *a;
	bool neg = false;
	char atom[96];
	size_t len;
	int node, ret;

	if (depth > VAR_DEPTH * 4)
		return fail(p->c, "%s: groups nest too deep", p->what);
	*s = skip_ws(*s, end);
	while (*s < end && **s == '!') {
		neg = !neg;
		*s = skip_ws(*s + 1, end);
	}
	if (*s >= end)
		return fail(p->c, "%s: missing", p->what);
	if (**s == '[') {
		(*s)++;
		node = node_new(p, HYP_RN_GROUP, neg);
		if (node < 0)
			return node;
		ret = parse_xgroup(p, s, end, node, depth + 1);
		return ret < 0 ? ret : node;
	}
	a = *s;
	while (*s < end && **s != ',' && **s != ']' && **s != '[' &&
	       !isspace((unsigned char)**s))
		(*s)++;
	len = (size_t)(*s - a);
	if (len == 0)
		return fail(p->c, "%s: an empty element", p->what);
	if (a[0] == '$')
		return parse_xvar(p, a + 1, len - 1, neg, depth);
	if (len >= sizeof(atom))
		return fail(p->c, "%s: '%.20s...' is too long", p->what, a);
	memcpy(atom, a, len);
	atom[len] = '\0';
	if (strcmp(atom, "any") == 0) {
		if (neg)
			return fail(p->c, "%s: '!any' matches nothing", p->what);
		return node_new(p, HYP_RN_ANY, false);
	}
	node = node_new(p, p->ports ? HYP_RN_RANGE : HYP_RN_CIDR, neg);
	if (node < 0)
		return node;
	ret = p->ports ? parse_port_atom(p, atom, node) : parse_addr_atom(p, atom, node);
	return ret < 0 ? ret : node;
}

static int
parse_expr(struct pctx *c, const char *text, bool ports, const char *what,
	   struct hyp_rule_expr *x)
{
	struct xparse p = { c, x, ports, what };
	const char *s = text, *end = text + strlen(text), *q;
	char wrapped[4096 + 3];
	int depth = 0, ret;

	/* a list without brackets ("!5800,!445", as ET Open writes) is a group */
	for (q = text; *q != '\0'; q++) {
		depth += *q == '[' ? 1 : *q == ']' ? -1 : 0;
		if (*q == ',' && depth == 0 && strlen(text) + 3 <= sizeof(wrapped)) {
			snprintf(wrapped, sizeof(wrapped), "[%s]", text);
			s = wrapped;
			end = wrapped + strlen(wrapped);
			break;
		}
	}
	ret = parse_xelem(&p, &s, end, 0);
	if (ret < 0)
		return ret;
	s = skip_ws(s, end);
	if (s != end)
		return fail(c, "%s: unexpected '%.20s'", what, s);
	if (ret != 0)	/* the root is the first node parsed */
		return fail(c, "%s: internal: root is not node 0", what);
	return 0;
}

static bool
node_match(const struct hyp_rule_expr *x, unsigned int i, bool ports, unsigned int family,
	   const uint8_t *a, uint16_t port, int depth)
{
	const struct hyp_rule_node *nd = &x->nodes[i];
	bool m = false, has_pos = false, pos = false;
	unsigned int k;

	switch (nd->kind) {
	case HYP_RN_ANY:
		m = true;
		break;
	case HYP_RN_CIDR:
		m = !ports && hyp_cidr_contains(&nd->cidr, family, a);
		break;
	case HYP_RN_RANGE:
		m = ports && port >= nd->lo && port <= nd->hi;
		break;
	default:
		m = true;
		if (depth > HYP_RULE_EXPR_NODES)
			break;
		for (k = nd->first; k != HYP_RN_NONE && k < x->n; k = x->nodes[k].next) {
			bool v = node_match(x, k, ports, family, a, port, depth + 1);

			if (x->nodes[k].neg) {
				if (!v)		/* v is the negation already: in the excluded set */
					m = false;
			} else {
				has_pos = true;
				pos = pos || v;
			}
		}
		if (has_pos && !pos)
			m = false;
		break;
	}
	return nd->neg ? !m : m;
}

bool
hyp_rule_addr_match(const struct hyp_rule_expr *e, unsigned int family, const uint8_t a[16])
{
	return e->n == 0 || node_match(e, 0, false, family, a, 0, 0);
}

bool
hyp_rule_port_match(const struct hyp_rule_expr *e, uint16_t port)
{
	return e->n == 0 || node_match(e, 0, true, 0, NULL, port, 0);
}

bool
hyp_rule_num_match(const struct hyp_rule_num *n, uint32_t v)
{
	switch (n->cmp) {
	case HYP_CMP_EQ: return v == n->lo;
	case HYP_CMP_LT: return v < n->lo;
	case HYP_CMP_GT: return v > n->lo;
	case HYP_CMP_LE: return v <= n->lo;
	case HYP_CMP_GE: return v >= n->lo;
	case HYP_CMP_NE: return v != n->lo;
	default: return v > n->lo && v < n->hi;
	}
}

/* ---- option values ---- */

/*
 * A value that may be quoted: without the quotes, with \" \\ \; \: as
 * the characters. *neg: a '!' before it (only where the keyword allows).
 */
static int
unquote(struct pctx *c, const char *v, bool allow_neg, bool *neg, char **out, size_t *outlen)
{
	const char *s = v, *end = v + strlen(v);
	char *d, *o;

	if (neg != NULL)
		*neg = false;
	s = skip_ws(s, end);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (s < end && *s == '!') {
		if (!allow_neg)
			return fail(c, "'!' is not allowed here");
		*neg = true;
		s = skip_ws(s + 1, end);
	}
	if (end - s >= 2 && *s == '"' && end[-1] == '"') {
		s++;
		end--;
	} else if (s < end && (*s == '"' || end[-1] == '"')) {
		return fail(c, "unbalanced quotes");
	}
	d = malloc((size_t)(end - s) + 1);
	if (d == NULL)
		return nomem(c);
	for (o = d; s < end; s++) {
		if (*s == '\\' && s + 1 < end &&
		    (s[1] == '"' || s[1] == '\\' || s[1] == ';' || s[1] == ':')) {
			*o++ = s[1];
			s++;
		} else if (*s == '"') {
			free(d);
			return fail(c, "a '\"' inside the value must be escaped (\\\")");
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	*out = d;
	if (outlen != NULL)
		*outlen = (size_t)(o - d);
	return 0;
}

/* content's bytes: text with |hh hh| runs (after unquote) */
static int
content_bytes(struct pctx *c, const char *s, size_t len, uint8_t **out, uint16_t *outlen)
{
	uint8_t *d = malloc(len + 1);
	bool hex = false;
	size_t i, o = 0;
	int hi = -1;

	if (d == NULL)
		return nomem(c);
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '|') {
			if (hex && hi >= 0) {
				free(d);
				return fail(c, "an odd number of hex digits in |...|");
			}
			hex = !hex;
			continue;
		}
		if (!hex) {
			d[o++] = (uint8_t)ch;
			continue;
		}
		if (ch == ' ')
			continue;
		if (hyp_hex_digit(ch) < 0) {
			free(d);
			return fail(c, "'%c' is not a hex digit in |...|", ch);
		}
		if (hi < 0) {
			hi = hyp_hex_digit(ch);
		} else {
			d[o++] = (uint8_t)(hi << 4 | hyp_hex_digit(ch));
			hi = -1;
		}
	}
	if (hex) {
		free(d);
		return fail(c, "a '|' without its closing '|'");
	}
	if (o == 0 || o > UINT16_MAX) {
		free(d);
		return fail(c, o == 0 ? "an empty content" : "a content over 65535 bytes");
	}
	*out = d;
	*outlen = (uint16_t)o;
	return 0;
}

static struct hyp_rule_opt *
opt_new(struct pctx *c, uint8_t type)
{
	struct hyp_rule *r = c->r;
	struct hyp_rule_opt *no;

	if (r->n_opts >= HYP_RULE_MAX_OPTS) {
		fail(c, "more than %u detection options", HYP_RULE_MAX_OPTS);
		return NULL;
	}
	no = realloc(r->opts, (r->n_opts + 1) * sizeof(*no));
	if (no == NULL) {
		nomem(c);
		return NULL;
	}
	r->opts = no;
	memset(&no[r->n_opts], 0, sizeof(no[0]));
	no[r->n_opts].type = type;
	no[r->n_opts].buf = c->buf;
	return &no[r->n_opts++];
}

/* ---- keywords ---- */

typedef int (*kw_fn)(struct pctx *c, const char *val);

static int
need_value(struct pctx *c, const char *val)
{
	if (val == NULL || *val == '\0')
		return fail(c, "needs a value");
	return 0;
}

static int
no_value(struct pctx *c, const char *val)
{
	if (val != NULL)
		return fail(c, "takes no value");
	return 0;
}

static int
kw_msg(struct pctx *c, const char *val)
{
	int ret = need_value(c, val);

	if (ret == 0) {
		free(c->r->msg);
		c->r->msg = NULL;
		ret = unquote(c, val, false, NULL, &c->r->msg, NULL);
	}
	return ret;
}

static int
kw_u32(struct pctx *c, const char *val, uint32_t min, uint32_t *out)
{
	long long v;

	if (need_value(c, val) < 0 || parse_int(val, min, UINT32_MAX, &v) < 0)
		return fail(c, "'%.32s' is not an integer %u..4294967295", val ? val : "", min);
	*out = (uint32_t)v;
	return 0;
}

static int kw_sid(struct pctx *c, const char *v) { return kw_u32(c, v, 1, &c->r->sid); }
static int kw_rev(struct pctx *c, const char *v) { return kw_u32(c, v, 0, &c->r->rev); }
static int kw_gid(struct pctx *c, const char *v) { return kw_u32(c, v, 0, &c->r->gid); }

static int
kw_priority(struct pctx *c, const char *val)
{
	long long v;

	if (need_value(c, val) < 0 || parse_int(val, 1, 255, &v) < 0)
		return fail(c, "'%.32s' is not a priority 1..255", val ? val : "");
	c->r->priority = (uint32_t)v;
	return 0;
}

static int
kw_classtype(struct pctx *c, const char *val)
{
	int ret = need_value(c, val);

	if (ret == 0) {
		free(c->r->classtype);
		c->r->classtype = dup_trim(val, val + strlen(val));
		if (c->r->classtype == NULL)
			return nomem(c);
	}
	return ret;
}

/* reference, metadata, target: read and kept out of detection */
static int
kw_ignore_value(struct pctx *c, const char *val)
{
	return need_value(c, val);
}

static int
kw_content(struct pctx *c, const char *val)
{
	struct hyp_rule_opt *o;
	char *raw = NULL;
	size_t rawlen;
	bool neg;
	int ret;

	if (need_value(c, val) < 0)
		return -EINVAL;
	ret = unquote(c, val, true, &neg, &raw, &rawlen);
	if (ret < 0)
		return ret;
	o = opt_new(c, HYP_RO_CONTENT);
	if (o == NULL) {
		free(raw);
		return -EINVAL;
	}
	o->u.content.buf = c->buf;
	o->u.content.negated = neg;
	ret = content_bytes(c, raw, rawlen, &o->u.content.pat, &o->u.content.len);
	free(raw);
	if (ret < 0)
		return ret;
	c->last_content = (int)(c->r->n_opts - 1);
	c->last_match = c->last_content;
	return 0;
}

static struct hyp_rule_content *
last_content(struct pctx *c)
{
	if (c->last_content < 0) {
		fail(c, "needs a content before it");
		return NULL;
	}
	return &c->r->opts[c->last_content].u.content;
}

static int
kw_nocase(struct pctx *c, const char *val)
{
	struct hyp_rule_content *k = last_content(c);

	if (k == NULL || no_value(c, val) < 0)
		return -EINVAL;
	k->nocase = true;
	return 0;
}

static int
kw_rawbytes(struct pctx *c, const char *val)
{
	return last_content(c) == NULL ? -EINVAL : no_value(c, val);
}

static int
kw_fast_pattern(struct pctx *c, const char *val)
{
	struct hyp_rule_content *k = last_content(c);

	if (k == NULL)
		return -EINVAL;
	/* fast_pattern:only and the chop form N,M are Suricata's older spellings */
	if (val != NULL && strcmp(val, "only") != 0) {
		char buf[40], *p = buf, *a, *b;
		long long off, n;

		snprintf(buf, sizeof(buf), "%s", val);
		a = next_field(&p);
		b = next_field(&p);
		if (a == NULL || b == NULL || p != NULL || parse_int(a, 0, 65535, &off) < 0 ||
		    parse_int(b, 1, 65535, &n) < 0 || off + n > k->len)
			return fail(c, "'%.32s' is not 'only' or OFFSET,LENGTH within the content",
				    val);
	}
	if (k->negated)
		return fail(c, "a negated content cannot be the fast pattern");
	k->fast_pattern = true;
	return 0;
}

static int
content_int(struct pctx *c, const char *val, long long min, int32_t *out, bool *has)
{
	struct hyp_rule_content *k = last_content(c);
	long long v;

	if (k == NULL || need_value(c, val) < 0)
		return -EINVAL;
	if (*has)
		return fail(c, "given twice for one content");
	if (isalpha((unsigned char)val[0]) || val[0] == '_')
		return skip(c, "byte_extract variable in content modifiers");
	if (parse_int(val, min, 65535, &v) < 0)
		return fail(c, "'%.32s' is not an integer %lld..65535", val, min);
	*out = (int32_t)v;
	*has = true;
	return 0;
}

static int
kw_depth(struct pctx *c, const char *val)
{
	struct hyp_rule_content *k = last_content(c);
	int ret;

	if (k == NULL)
		return -EINVAL;
	if (k->has_distance || k->has_within)
		return fail(c, "cannot be mixed with distance or within");
	ret = content_int(c, val, 1, &k->depth, &k->has_depth);
	if (ret == 0 && k->depth < k->len)
		return fail(c, "%d is shorter than the content (%u bytes)", k->depth, k->len);
	return ret;
}

static int
kw_offset(struct pctx *c, const char *val)
{
	struct hyp_rule_content *k = last_content(c);

	if (k == NULL)
		return -EINVAL;
	if (k->has_distance || k->has_within)
		return fail(c, "cannot be mixed with distance or within");
	return content_int(c, val, 0, &k->offset, &k->has_offset);
}

static int
kw_distance(struct pctx *c, const char *val)
{
	struct hyp_rule_content *k = last_content(c);

	if (k == NULL)
		return -EINVAL;
	if (k->has_depth || k->has_offset)
		return fail(c, "cannot be mixed with depth or offset");
	return content_int(c, val, -65535, &k->distance, &k->has_distance);
}

static int
kw_within(struct pctx *c, const char *val)
{
	struct hyp_rule_content *k = last_content(c);
	int ret;

	if (k == NULL)
		return -EINVAL;
	if (k->has_depth || k->has_offset)
		return fail(c, "cannot be mixed with depth or offset");
	ret = content_int(c, val, 1, &k->within, &k->has_within);
	if (ret == 0 && k->within < k->len)
		return fail(c, "%d is shorter than the content (%u bytes)", k->within, k->len);
	return ret;
}

static int
kw_startswith(struct pctx *c, const char *val)
{
	struct hyp_rule_content *k = last_content(c);

	if (k == NULL || no_value(c, val) < 0)
		return -EINVAL;
	if (k->has_depth || k->has_offset || k->has_distance || k->has_within)
		return fail(c, "cannot be mixed with depth, offset, distance or within");
	k->startswith = true;
	return 0;
}

static int
kw_endswith(struct pctx *c, const char *val)
{
	struct hyp_rule_content *k = last_content(c);

	if (k == NULL || no_value(c, val) < 0)
		return -EINVAL;
	k->endswith = true;
	return 0;
}

static int
kw_pcre(struct pctx *c, const char *val)
{
	static const char http_flags[] = "KL";	/* Suricata's, for buffers we do not fill */
	struct hyp_rule_opt *o;
	char *raw = NULL, *slash;
	uint32_t flags = 0;
	int pbuf = -1;		/* a buffer flag's buffer */
	bool neg;
	size_t len;
	int ret;

	if (need_value(c, val) < 0)
		return -EINVAL;
	ret = unquote(c, val, true, &neg, &raw, &len);
	if (ret < 0)
		return ret;
	slash = strrchr(raw, '/');
	if (raw[0] != '/' || slash == raw) {
		free(raw);
		return fail(c, "expected /pattern/flags");
	}
	for (const char *f = slash + 1; *f != '\0'; f++) {
		switch (*f) {
		case 'i': flags |= HYP_PCRE_I; break;
		case 's': flags |= HYP_PCRE_S; break;
		case 'm': flags |= HYP_PCRE_M; break;
		case 'x': flags |= HYP_PCRE_X; break;
		case 'A': flags |= HYP_PCRE_A; break;
		case 'E': flags |= HYP_PCRE_E; break;
		case 'G': flags |= HYP_PCRE_G; break;
		case 'R': flags |= HYP_PCRE_R; break;
		case 'O': break;	/* override match limits: ours are fixed */
		case 'B': break;	/* rawbytes: there is no other view */
		default:
			if (hyp_buf_by_pcre_flag(*f) >= 0) {
				if (pbuf >= 0) {
					free(raw);
					return fail(c, "two buffer flags");
				}
				pbuf = hyp_buf_by_pcre_flag(*f);
				break;
			}
			if (strchr(http_flags, *f) != NULL) {
				char kw[16];

				snprintf(kw, sizeof(kw), "pcre/%c", *f);
				free(raw);
				return skip(c, kw);
			}
			{
				char bad = *f;	/* f points into raw */

				free(raw);
				return fail(c, "'%c' is not a pcre flag", bad);
			}
		}
	}
	*slash = '\0';
	if (raw[1] == '\0') {
		free(raw);
		return fail(c, "an empty pattern");
	}
	o = opt_new(c, HYP_RO_PCRE);
	if (o == NULL) {
		free(raw);
		return -EINVAL;
	}
	o->u.pcre.re = strdup(raw + 1);
	free(raw);
	if (o->u.pcre.re == NULL)
		return nomem(c);
	o->u.pcre.flags = flags;
	o->u.pcre.negated = neg;
	o->u.pcre.buf = c->buf;
	if (pbuf >= 0 && pbuf != c->buf) {
		if (c->buf != HYP_BUF_PAYLOAD)
			return fail(c, "a buffer flag after the sticky buffer %s",
				    hyp_buf_descs[c->buf].sticky);
		o->u.pcre.buf = (uint8_t)pbuf;
		o->buf = (uint8_t)pbuf;
	}
	/* in a sticky buffer, relative to nothing yet is relative to its start (Suricata's) */
	if ((flags & HYP_PCRE_R) && c->last_match < 0 && c->buf == HYP_BUF_PAYLOAD)
		return fail(c, "/R needs a content or pcre before it");
	c->last_match = (int)(c->r->n_opts - 1);
	return 0;
}

/* "N", "<N", ">N", "<=N", ">=N", "!N", "N<>M", "N-M" */
static int
parse_num(struct pctx *c, const char *val, uint32_t max, struct hyp_rule_num *n)
{
	char buf[64], *s = buf, *sep;
	long long a, b;

	if (need_value(c, val) < 0)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", val);
	while (isspace((unsigned char)*s))
		s++;
	n->cmp = HYP_CMP_EQ;
	if ((sep = strstr(s, "<>")) != NULL || ((sep = strchr(s + 1, '-')) != NULL)) {
		bool excl = sep[0] == '<';

		*sep = '\0';
		if (parse_int(s, 0, max, &a) < 0 || parse_int(sep + (excl ? 2 : 1), 0, max, &b) < 0 ||
		    a >= b)
			return fail(c, "'%.32s' is not a range N<>M with N < M", val);
		n->cmp = HYP_CMP_RANGE;
		/* N-M includes both ends: as N-1 <> M+1 */
		n->lo = (uint32_t)(excl ? a : a - (a > 0));
		n->hi = (uint32_t)(excl ? b : b + 1);
		if (!excl && a == 0) {
			n->cmp = HYP_CMP_LE;
			n->lo = (uint32_t)b;
		}
		return 0;
	}
	if (s[0] == '<' && s[1] == '=') {
		n->cmp = HYP_CMP_LE;
		s += 2;
	} else if (s[0] == '>' && s[1] == '=') {
		n->cmp = HYP_CMP_GE;
		s += 2;
	} else if (s[0] == '<') {
		n->cmp = HYP_CMP_LT;
		s++;
	} else if (s[0] == '>') {
		n->cmp = HYP_CMP_GT;
		s++;
	} else if (s[0] == '!') {
		n->cmp = HYP_CMP_NE;
		s++;
	}
	if (parse_int(s, 0, max, &a) < 0)
		return fail(c, "'%.32s' is not N, <N, >N, <=N, >=N, !N or N<>M (0..%u)", val, max);
	n->lo = (uint32_t)a;
	return 0;
}

static int
kw_dsize(struct pctx *c, const char *val)
{
	struct hyp_rule_opt *o = opt_new(c, HYP_RO_DSIZE);

	return o == NULL ? -EINVAL : parse_num(c, val, 65535, &o->u.num);
}

static int
kw_bsize(struct pctx *c, const char *val)
{
	struct hyp_rule_opt *o;

	if (c->buf == HYP_BUF_PAYLOAD)
		return fail(c, "needs a sticky buffer (dns.query, http.uri, ...) before it");
	o = opt_new(c, HYP_RO_BSIZE);
	return o == NULL ? -EINVAL : parse_num(c, val, 65535, &o->u.num);
}

static int
kw_ttl(struct pctx *c, const char *val)
{
	struct hyp_rule_opt *o = opt_new(c, HYP_RO_TTL);

	return o == NULL ? -EINVAL : parse_num(c, val, 255, &o->u.num);
}

static int
kw_itype(struct pctx *c, const char *val)
{
	struct hyp_rule_opt *o = opt_new(c, HYP_RO_ITYPE);

	return o == NULL ? -EINVAL : parse_num(c, val, 255, &o->u.num);
}

static int
kw_icode(struct pctx *c, const char *val)
{
	struct hyp_rule_opt *o = opt_new(c, HYP_RO_ICODE);

	return o == NULL ? -EINVAL : parse_num(c, val, 255, &o->u.num);
}

static int
kw_isdataat(struct pctx *c, const char *val)
{
	char buf[64], *p = buf, *a, *b;
	struct hyp_rule_opt *o;
	long long n;
	bool neg = false;

	if (need_value(c, val) < 0)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", val);
	a = next_field(&p);
	b = next_field(&p);
	if (a != NULL && a[0] == '!') {
		neg = true;
		a++;
	}
	if (a == NULL || p != NULL || (b != NULL && strcmp(b, "relative") != 0 &&
				       strcmp(b, "rawbytes") != 0))
		return fail(c, "expected [!]N[,relative]");
	if (isalpha((unsigned char)a[0]))
		return skip(c, "byte_extract variable in isdataat");
	if (parse_int(a, 0, 65535, &n) < 0)
		return fail(c, "'%s' is not 0..65535", a);
	o = opt_new(c, HYP_RO_ISDATAAT);
	if (o == NULL)
		return -EINVAL;
	o->u.isdataat.n = (uint32_t)n;
	o->u.isdataat.negated = neg;
	o->u.isdataat.relative = b != NULL && strcmp(b, "relative") == 0;
	if (o->u.isdataat.relative && c->last_match < 0 && c->buf == HYP_BUF_PAYLOAD)
		return fail(c, "relative needs a content or pcre before it");
	return 0;
}

static int
kw_flow(struct pctx *c, const char *val)
{
	static const struct {
		const char *name;
		uint8_t bit;
	} words[] = {
		{ "to_server", HYP_FLOW_TO_SERVER }, { "from_client", HYP_FLOW_TO_SERVER },
		{ "to_client", HYP_FLOW_TO_CLIENT }, { "from_server", HYP_FLOW_TO_CLIENT },
		{ "established", HYP_FLOW_ESTABLISHED }, { "not_established", HYP_FLOW_NOT_ESTAB },
		{ "stateless", HYP_FLOW_STATELESS }, { "only_stream", HYP_FLOW_ONLY_STREAM },
		{ "no_stream", HYP_FLOW_NO_STREAM },
	};
	char buf[128], *p = buf, *w;
	unsigned int i;

	if (need_value(c, val) < 0)
		return -EINVAL;
	if (strlen(val) >= sizeof(buf))
		return fail(c, "too long");
	snprintf(buf, sizeof(buf), "%s", val);
	while ((w = next_field(&p)) != NULL) {
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strcmp(w, words[i].name) == 0)
				break;
		if (i == sizeof(words) / sizeof(words[0])) {
			if (strcmp(w, "only_frag") == 0 || strcmp(w, "no_frag") == 0)
				return skip(c, "flow:only_frag/no_frag");
			return fail(c, "'%.32s' is not a flow option", w);
		}
		c->r->flow |= words[i].bit;
	}
	if ((c->r->flow & HYP_FLOW_TO_SERVER) && (c->r->flow & HYP_FLOW_TO_CLIENT))
		return fail(c, "to_server and to_client together");
	if ((c->r->flow & HYP_FLOW_ESTABLISHED) && (c->r->flow & HYP_FLOW_NOT_ESTAB))
		return fail(c, "established and not_established together");
	if ((c->r->flow & HYP_FLOW_ONLY_STREAM) && (c->r->flow & HYP_FLOW_NO_STREAM))
		return fail(c, "only_stream and no_stream together");
	return 0;
}

static int
kw_flowbits(struct pctx *c, const char *val)
{
	static const char *const cmds[] = {
		[HYP_FB_SET] = "set", [HYP_FB_UNSET] = "unset", [HYP_FB_TOGGLE] = "toggle",
		[HYP_FB_ISSET] = "isset", [HYP_FB_ISNOTSET] = "isnotset",
		[HYP_FB_NOALERT] = "noalert",
	};
	struct hyp_rule_flowbits fb, *nf;
	char buf[256], *p = buf, *cmd, *names, *save = NULL, *nm;
	unsigned int i;

	if (need_value(c, val) < 0)
		return -EINVAL;
	if (strlen(val) >= sizeof(buf))
		return fail(c, "too long");
	snprintf(buf, sizeof(buf), "%s", val);
	memset(&fb, 0, sizeof(fb));
	cmd = next_field(&p);
	names = p != NULL ? p : NULL;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		return fail(c, "'%.32s' is not set, unset, toggle, isset, isnotset or noalert", cmd);
	fb.cmd = (uint8_t)i;
	if (fb.cmd == HYP_FB_NOALERT) {
		if (names != NULL)
			return fail(c, "noalert takes no name");
	} else {
		if (names == NULL)
			return fail(c, "%s needs a name", cmd);
		fb.any = strchr(names, '|') != NULL;
		if (fb.any && strchr(names, '&') != NULL)
			return fail(c, "'|' and '&' together");
		if ((fb.any || strchr(names, '&') != NULL) && fb.cmd != HYP_FB_ISSET &&
		    fb.cmd != HYP_FB_ISNOTSET && fb.cmd != HYP_FB_SET && fb.cmd != HYP_FB_UNSET &&
		    fb.cmd != HYP_FB_TOGGLE)
			return fail(c, "several names only for isset and isnotset");
		for (nm = strtok_r(names, "|&", &save); nm != NULL; nm = strtok_r(NULL, "|&", &save)) {
			char *t = dup_trim(nm, nm + strlen(nm));

			if (t == NULL) {
				for (i = 0; i < fb.n; i++)
					free(fb.names[i]);
				return nomem(c);
			}
			if (t[0] == '\0' || fb.n == HYP_FLOWBITS_NAMES || strchr(t, ' ') != NULL) {
				bool empty = t[0] == '\0';

				free(t);
				for (i = 0; i < fb.n; i++)
					free(fb.names[i]);
				return fail(c, empty ? "an empty name" :
					    "more than %d names, or a name with a space",
					    HYP_FLOWBITS_NAMES);
			}
			fb.names[fb.n++] = t;
		}
		if (fb.n == 0)
			return fail(c, "%s needs a name", cmd);
	}
	nf = realloc(c->r->flowbits, (c->r->n_flowbits + 1) * sizeof(*nf));
	if (nf == NULL) {
		for (i = 0; i < fb.n; i++)
			free(fb.names[i]);
		return nomem(c);
	}
	c->r->flowbits = nf;
	nf[c->r->n_flowbits++] = fb;
	return 0;
}

static int
byte_var(struct pctx *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->r->n_byte_vars; i++)
		if (strcmp(c->r->byte_vars[i], name) == 0)
			return (int)i;
	return -1;
}

/* byte_test, byte_jump and byte_extract share their trailing words */
static int
byte_words(struct pctx *c, char **p, struct hyp_rule_byte *b, bool jump, bool extract)
{
	char *w;
	long long v;

	while ((w = next_field(p)) != NULL) {
		if (strcmp(w, "relative") == 0) {
			b->flags |= HYP_BYTE_RELATIVE;
		} else if (strcmp(w, "little") == 0) {
			b->flags |= HYP_BYTE_LITTLE;
		} else if (strcmp(w, "big") == 0) {
			b->flags &= (uint8_t)~HYP_BYTE_LITTLE;
		} else if (strcmp(w, "string") == 0) {
			b->flags |= HYP_BYTE_STRING;
			if (b->base == 0)
				b->base = 10;
		} else if (strcmp(w, "hex") == 0 || strcmp(w, "dec") == 0 || strcmp(w, "oct") == 0) {
			b->base = w[0] == 'h' ? 16 : w[0] == 'd' ? 10 : 8;
		} else if (strcmp(w, "dce") == 0) {
			return skip(c, "byte_* dce");
		} else if (jump && strcmp(w, "align") == 0) {
			b->flags |= HYP_BYTE_ALIGN;
		} else if (jump && strcmp(w, "from_beginning") == 0) {
			b->flags |= HYP_BYTE_FROM_BEGIN;
		} else if (jump && strcmp(w, "from_end") == 0) {
			b->flags |= HYP_BYTE_FROM_END;
		} else if (jump && strncmp(w, "post_offset", 11) == 0) {
			if (parse_int(w + 11, -65535, 65535, &v) < 0)
				return fail(c, "'%.32s': post_offset N", w);
			b->post_offset = (int32_t)v;
		} else if ((jump || extract) && strncmp(w, "multiplier", 10) == 0) {
			if (parse_int(w + 10, 1, 65535, &v) < 0)
				return fail(c, "'%.32s': multiplier 1..65535", w);
			b->value = (uint64_t)v;
		} else if (extract && strncmp(w, "align", 5) == 0) {
			if (parse_int(w + 5, 2, 4, &v) < 0 || v == 3)
				return fail(c, "'%.32s': align 2 or 4", w);
		} else if (strncmp(w, "bitmask", 7) == 0) {
			char *end;
			const char *s = w + 7;

			while (isspace((unsigned char)*s))
				s++;
			errno = 0;
			b->bitmask = strtoull(s, &end, 0);
			if (errno != 0 || end == s || *end != '\0' || b->bitmask == 0)
				return fail(c, "'%.32s': bitmask 0xN", w);
		} else {
			return fail(c, "'%.32s' is not a byte_* option", w);
		}
	}
	if (b->flags & HYP_BYTE_STRING) {
		if (b->nbytes > 10)
			return fail(c, "a string of at most 10 digits");
	} else if (b->nbytes > 8) {
		return fail(c, "at most 8 bytes (or string)");
	}
	if ((b->flags & HYP_BYTE_RELATIVE) && c->last_match < 0 && c->buf == HYP_BUF_PAYLOAD)
		return fail(c, "relative needs a content or pcre before it");
	return 0;
}

static int
byte_offset(struct pctx *c, const char *w, struct hyp_rule_byte *b)
{
	long long v;

	if (w != NULL && (isalpha((unsigned char)w[0]) || w[0] == '_')) {
		b->offset_var = (int8_t)byte_var(c, w);
		if (b->offset_var < 0)
			return fail(c, "'%.32s' is not a byte_extract variable of this rule", w);
		return 0;
	}
	if (w == NULL || parse_int(w, -65535, 65535, &v) < 0)
		return fail(c, "'%.32s' is not an offset -65535..65535", w ? w : "");
	b->offset = (int32_t)v;
	return 0;
}

static int
byte_common(struct pctx *c, const char *val, char *buf, size_t size, char **p,
	    struct hyp_rule_byte *b, bool count_var, long long min_count)
{
	long long v;
	char *w;

	if (need_value(c, val) < 0)
		return -EINVAL;
	if (strlen(val) >= size)
		return fail(c, "too long");
	snprintf(buf, size, "%s", val);
	*p = buf;
	memset(b, 0, sizeof(*b));
	b->value_var = b->offset_var = b->nbytes_var = b->var = -1;
	w = next_field(p);
	/* Suricata 7: byte_test and byte_jump may take their count from a byte_extract */
	if (count_var && w != NULL && (isalpha((unsigned char)w[0]) || w[0] == '_')) {
		b->nbytes_var = (int8_t)byte_var(c, w);
		if (b->nbytes_var < 0)
			return fail(c, "'%.32s' is not a byte_extract variable of this rule", w);
		return 0;
	}
	if (w == NULL || parse_int(w, min_count, 10, &v) < 0)
		return fail(c, "'%.32s' is not a byte count %lld..10", w ? w : "", min_count);
	b->nbytes = (uint8_t)v;
	return 0;
}

static int
kw_byte_test(struct pctx *c, const char *val)
{
	struct hyp_rule_opt *o;
	struct hyp_rule_byte b;
	char buf[256], *p, *op, *vs;
	char *end;
	int ret;

	ret = byte_common(c, val, buf, sizeof(buf), &p, &b, true, 1);
	if (ret < 0)
		return ret;
	op = next_field(&p);
	vs = next_field(&p);
	if (op == NULL || vs == NULL)
		return fail(c, "expected N, OP, VALUE, OFFSET[, ...]");
	if (op[0] == '!') {
		b.negated = true;
		op++;
	}
	if (strcmp(op, "<=") == 0)
		b.op = 'l';
	else if (strcmp(op, ">=") == 0)
		b.op = 'g';
	else if (strlen(op) == 1 && strchr("<>=&^", op[0]) != NULL)
		b.op = (uint8_t)op[0];
	else
		return fail(c, "'%.8s' is not <, >, =, <=, >=, & or ^", op);
	if (isalpha((unsigned char)vs[0]) || vs[0] == '_') {
		b.value_var = (int8_t)byte_var(c, vs);
		if (b.value_var < 0)
			return fail(c, "'%.32s' is not a byte_extract variable of this rule", vs);
	} else {
		errno = 0;
		b.value = strtoull(vs, &end, 0);
		if (errno != 0 || end == vs || *end != '\0' || vs[0] == '-')
			return fail(c, "'%.32s' is not a value", vs);
	}
	ret = byte_offset(c, next_field(&p), &b);
	if (ret == 0)
		ret = byte_words(c, &p, &b, false, false);
	if (ret != 0)
		return ret;
	o = opt_new(c, HYP_RO_BYTE_TEST);
	if (o == NULL)
		return -EINVAL;
	o->u.byte = b;
	return 0;
}

static int
kw_byte_jump(struct pctx *c, const char *val)
{
	struct hyp_rule_opt *o;
	struct hyp_rule_byte b;
	char buf[256], *p;
	int ret;

	ret = byte_common(c, val, buf, sizeof(buf), &p, &b, true, 0);
	if (ret < 0)
		return ret;
	b.value = 1;
	ret = byte_offset(c, next_field(&p), &b);
	if (ret == 0)
		ret = byte_words(c, &p, &b, true, false);
	if (ret != 0)
		return ret;
	if ((b.flags & HYP_BYTE_FROM_BEGIN) && (b.flags & HYP_BYTE_FROM_END))
		return fail(c, "from_beginning and from_end together");
	if (b.nbytes == 0 && b.nbytes_var < 0 && (b.flags & HYP_BYTE_STRING))
		return fail(c, "a string of at least 1 digit");
	o = opt_new(c, HYP_RO_BYTE_JUMP);
	if (o == NULL)
		return -EINVAL;
	o->u.byte = b;
	c->last_match = (int)(c->r->n_opts - 1);	/* relative to where it jumped */
	return 0;
}

static int
kw_byte_extract(struct pctx *c, const char *val)
{
	struct hyp_rule_opt *o;
	struct hyp_rule_byte b;
	char buf[256], *p, *name;
	unsigned int i;
	int ret;

	ret = byte_common(c, val, buf, sizeof(buf), &p, &b, false, 1);
	if (ret < 0)
		return ret;
	b.value = 1;
	ret = byte_offset(c, next_field(&p), &b);
	if (ret < 0)
		return ret;
	name = next_field(&p);
	if (name == NULL || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
		return fail(c, "expected N, OFFSET, NAME[, ...]");
	/* ET Open names them like SSL.Client_Hello.length */
	for (i = 0; name[i] != '\0'; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '.')
			return fail(c, "'%.32s' is not a variable name", name);
	if (byte_var(c, name) >= 0)
		return fail(c, "variable '%.32s' given twice", name);
	if (c->r->n_byte_vars == HYP_BYTE_VARS)
		return fail(c, "more than %d byte_extract variables", HYP_BYTE_VARS);
	ret = byte_words(c, &p, &b, false, true);
	if (ret != 0)
		return ret;
	c->r->byte_vars[c->r->n_byte_vars] = strdup(name);
	if (c->r->byte_vars[c->r->n_byte_vars] == NULL)
		return nomem(c);
	b.var = (int8_t)c->r->n_byte_vars++;
	o = opt_new(c, HYP_RO_BYTE_EXTRACT);
	if (o == NULL)
		return -EINVAL;
	o->u.byte = b;
	c->last_match = (int)(c->r->n_opts - 1);
	return 0;
}

/* "type T, track X, count N, seconds S" in any order; detection_filter has no type */
static int
parse_threshold(struct pctx *c, const char *val, bool has_type, struct hyp_threshold_spec *t)
{
	char buf[160], *p = buf, *w, *sp;
	unsigned int seen = 0, i;
	long long v;

	if (need_value(c, val) < 0)
		return -EINVAL;
	if (c->r->threshold.type != HYP_THRESHOLD_NONE ||
	    c->r->detection_filter.type != HYP_THRESHOLD_NONE)
		return fail(c, "a rule takes one threshold or detection_filter");
	if (strlen(val) >= sizeof(buf))
		return fail(c, "too long");
	snprintf(buf, sizeof(buf), "%s", val);
	t->type = has_type ? HYP_THRESHOLD_NONE : HYP_THRESHOLD_DETECTION;
	while ((w = next_field(&p)) != NULL) {
		sp = strchr(w, ' ');
		if (sp == NULL)
			return fail(c, "'%.32s': expected KEY VALUE", w);
		*sp++ = '\0';
		while (*sp == ' ')
			sp++;
		if (has_type && strcmp(w, "type") == 0) {
			for (i = 1; i < HYP_THRESHOLD_ALERT_TYPES; i++)
				if (strcmp(sp, hyp_threshold_type_names[i]) == 0)
					break;
			if (i == HYP_THRESHOLD_ALERT_TYPES) {
				if (strcmp(sp, "backoff") == 0)
					return skip(c, "threshold:backoff");
				return fail(c, "'%.32s' is not limit, threshold or both", sp);
			}
			t->type = (uint8_t)i;
			seen |= 1;
		} else if (strcmp(w, "track") == 0) {
			for (i = 0; i < HYP_TRACK_MAX; i++)
				if (strcmp(sp, hyp_threshold_track_names[i]) == 0)
					break;
			if (i == HYP_TRACK_MAX) {
				if (strcmp(sp, "by_flow") == 0)
					return skip(c, "threshold:by_flow");
				return fail(c, "'%.32s' is not by_src, by_dst, by_rule or by_both", sp);
			}
			t->track = (uint8_t)i;
			seen |= 2;
		} else if (strcmp(w, "count") == 0) {
			if (parse_int(sp, 1, HYP_THRESHOLD_COUNT_MAX, &v) < 0)
				return fail(c, "count '%.32s' is not 1..%u", sp, HYP_THRESHOLD_COUNT_MAX);
			t->count = (uint32_t)v;
			seen |= 4;
		} else if (strcmp(w, "seconds") == 0) {
			if (parse_int(sp, 1, HYP_THRESHOLD_SECONDS_MAX, &v) < 0)
				return fail(c, "seconds '%.32s' is not 1..%u", sp,
					    HYP_THRESHOLD_SECONDS_MAX);
			t->seconds = (uint32_t)v;
			seen |= 8;
		} else {
			return fail(c, "'%.32s' is not %strack, count or seconds", w,
				    has_type ? "type, " : "");
		}
	}
	if (seen != (has_type ? 15u : 14u))
		return fail(c, "needs %strack, count and seconds", has_type ? "type, " : "");
	return 0;
}

static int
kw_threshold(struct pctx *c, const char *val)
{
	return parse_threshold(c, val, true, &c->r->threshold);
}

static int
kw_detection_filter(struct pctx *c, const char *val)
{
	return parse_threshold(c, val, false, &c->r->detection_filter);
}

static int
kw_flags(struct pctx *c, const char *val)
{
	char buf[64], *p = buf, *set, *ign;
	struct hyp_rule_opt *o;
	struct hyp_rule_flags f;
	const char *s;

	if (need_value(c, val) < 0)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", val);
	set = next_field(&p);
	ign = next_field(&p);
	if (set == NULL || p != NULL)
		return fail(c, "expected [!+*]FLAGS[,IGNORE]");
	memset(&f, 0, sizeof(f));
	for (s = set; *s != '\0'; s++) {
		uint8_t bit;

		switch (*s) {
		case '!': case '+': case '*':
			/* first or last (ET Open writes flags:RSF*), once */
			if ((s != set && s[1] != '\0') || f.mod != 0)
				return fail(c, "a modifier (! + *) only first or last, once");
			f.mod = *s;
			continue;
		case 'F': bit = 0x01; break;
		case 'S': bit = 0x02; break;
		case 'R': bit = 0x04; break;
		case 'P': bit = 0x08; break;
		case 'A': bit = 0x10; break;
		case 'U': bit = 0x20; break;
		case 'E': case '2': bit = 0x40; break;
		case 'C': case '1': bit = 0x80; break;
		case '0': bit = 0; break;
		default:
			return fail(c, "'%c' is not a TCP flag (FSRPAUCE, 0)", *s);
		}
		f.set |= bit;
	}
	for (s = ign != NULL ? ign : ""; *s != '\0'; s++) {
		const char *all = "FSRPAUEC";
		const char *q = strchr(all, *s);

		if (*s == '1')
			q = all + 7;
		else if (*s == '2')
			q = all + 6;
		if (q == NULL)
			return fail(c, "'%c' is not a TCP flag to ignore", *s);
		f.ignore |= (uint8_t)(1u << (q - all));
	}
	o = opt_new(c, HYP_RO_FLAGS);
	if (o == NULL)
		return -EINVAL;
	o->u.flags = f;
	return 0;
}

/* uricontent: content in the normalized URI (Snort's spelling) */
static int
kw_uricontent(struct pctx *c, const char *val)
{
	uint8_t keep = c->buf;
	int ret;

	c->buf = HYP_BUF_HTTP_URI;
	ret = kw_content(c, val);
	c->buf = keep;
	return ret;
}

/* urilen: N, <N, >N, N<>M [,norm|raw] */
static int
kw_urilen(struct pctx *c, const char *val)
{
	char buf[64], *comma;
	struct hyp_rule_opt *o;
	uint8_t b = HYP_BUF_HTTP_URI;

	if (need_value(c, val) < 0)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", val);
	comma = strchr(buf, ',');
	if (comma != NULL) {
		char *mode = comma + 1;

		*comma = '\0';
		while (isspace((unsigned char)*mode))
			mode++;
		if (strcmp(mode, "raw") == 0)
			b = HYP_BUF_HTTP_URI_RAW;
		else if (strcmp(mode, "norm") != 0)
			return fail(c, "'%.32s' is not norm or raw", mode);
	}
	o = opt_new(c, HYP_RO_URILEN);
	if (o == NULL)
		return -EINVAL;
	o->buf = b;
	return parse_num(c, buf, 65535, &o->u.num);
}

/* A sticky buffer: the options after it inspect it. */
static int
sticky(struct pctx *c, const char *name, const char *val, int b)
{
	if (no_value(c, val) < 0)
		return -EINVAL;
	if (strcmp(name, "file.data") == 0 || strcmp(name, "file_data") == 0)
		c->file_data = true;
	c->buf = (uint8_t)b;
	c->last_content = -1;
	c->last_match = -1;
	return 0;
}

/*
 * A legacy content modifier (content:"x"; http_uri;): the content before
 * it, with its positions, moves to that buffer; the buffer in force for
 * what follows does not change.
 */
static int
modifier(struct pctx *c, const char *val, int b)
{
	struct hyp_rule_content *k = last_content(c);

	if (k == NULL || no_value(c, val) < 0)
		return -EINVAL;
	if (k->buf != HYP_BUF_PAYLOAD)
		return fail(c, "the content before it is in %s already", hyp_buf_descs[k->buf].sticky);
	k->buf = (uint8_t)b;
	c->r->opts[c->last_content].buf = (uint8_t)b;
	return 0;
}

static const struct {
	const char *name;
	kw_fn fn;
} keywords[] = {
	{ "uricontent", kw_uricontent }, { "urilen", kw_urilen },
	{ "msg", kw_msg }, { "sid", kw_sid }, { "rev", kw_rev }, { "gid", kw_gid },
	{ "classtype", kw_classtype }, { "priority", kw_priority },
	{ "reference", kw_ignore_value }, { "metadata", kw_ignore_value },
	{ "target", kw_ignore_value },
	{ "content", kw_content }, { "nocase", kw_nocase }, { "rawbytes", kw_rawbytes },
	{ "depth", kw_depth }, { "offset", kw_offset }, { "distance", kw_distance },
	{ "within", kw_within }, { "fast_pattern", kw_fast_pattern },
	{ "startswith", kw_startswith }, { "endswith", kw_endswith },
	{ "pcre", kw_pcre }, { "dsize", kw_dsize }, { "bsize", kw_bsize },
	{ "isdataat", kw_isdataat }, { "flow", kw_flow }, { "flowbits", kw_flowbits },
	{ "byte_test", kw_byte_test }, { "byte_jump", kw_byte_jump },
	{ "byte_extract", kw_byte_extract }, { "threshold", kw_threshold },
	{ "detection_filter", kw_detection_filter }, { "ttl", kw_ttl },
	{ "itype", kw_itype }, { "icode", kw_icode }, { "flags", kw_flags },
};

/* ---- the rule ---- */

static int
parse_options(struct pctx *c, const char *s, const char *end)
{
	const char *kw, *kwend, *v, *vend;
	char name[48], *val;
	unsigned int i;
	bool quoted;
	int ret;

	for (;;) {
		c->kw = NULL;
		s = skip_ws(s, end);
		if (s >= end)
			return fail(c, "the options do not end with ')'");
		if (*s == ')')
			break;
		kw = s;
		while (s < end && (isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == '-'))
			s++;
		kwend = s;
		if (kwend == kw)
			/* the text is not terminated: print only what is inside it */
			return fail(c, "expected a keyword at '%.*s'",
				    (int)(end - kw < 16 ? end - kw : 16), kw);
		if ((size_t)(kwend - kw) >= sizeof(name))
			return fail(c, "a keyword of %zu characters", (size_t)(kwend - kw));
		memcpy(name, kw, (size_t)(kwend - kw));
		name[kwend - kw] = '\0';
		c->kw = name;
		s = skip_ws(s, end);
		val = NULL;
		if (s < end && *s == ':') {
			v = ++s;
			quoted = false;
			while (s < end) {
				if (*s == '\\' && s + 1 < end) {
					s += 2;
					continue;
				}
				if (*s == '"')
					quoted = !quoted;
				else if (*s == ';' && !quoted)
					break;
				s++;
			}
			if (s >= end)
				return fail(c, quoted ? "an unterminated quoted value" :
					    "the value does not end with ';'");
			vend = s;
			val = dup_trim(v, vend);
			if (val == NULL)
				return nomem(c);
		} else if (s >= end || *s != ';') {
			return fail(c, "expected ':' or ';' after the keyword");
		}
		s++;	/* the ';' */
		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (strcmp(keywords[i].name, name) == 0)
				break;
		if (i < sizeof(keywords) / sizeof(keywords[0]))
			ret = keywords[i].fn(c, val);
		else if (hyp_buf_by_sticky(name) >= 0)
			ret = sticky(c, name, val, hyp_buf_by_sticky(name));
		else if (hyp_buf_by_modifier(name) >= 0)
			ret = modifier(c, val, hyp_buf_by_modifier(name));
		else
			ret = skip(c, name);
		free(val);
		if (ret != 0)
			return ret;
	}
	c->kw = NULL;
	s = skip_ws(s + 1, end);
	if (s != end)
		return fail(c, "text after the closing ')'");
	return 0;
}

/* the next white-space-delimited header field; a group may hold spaces */
static int
header_field(struct pctx *c, const char **s, const char *end, char *out, size_t size,
	     const char *what)
{
	const char *a;
	int depth = 0;
	size_t n;

	*s = skip_ws(*s, end);
	a = *s;
	while (*s < end && (depth > 0 || !isspace((unsigned char)**s)) && **s != '(') {
		if (**s == '[')
			depth++;
		else if (**s == ']')
			depth--;
		(*s)++;
	}
	n = (size_t)(*s - a);
	if (depth > 0)
		return fail(c, "%s: a group without its ']'", what);
	if (n == 0)
		return fail(c, "the header has no %s", what);
	if (n >= size)
		return fail(c, "the %s is longer than %zu characters", what, size - 1);
	memcpy(out, a, n);
	out[n] = '\0';
	return 0;
}

static int
parse_header(struct pctx *c, const char **s, const char *end)
{
	char f[7][4096];
	static const char *const what[7] = {
		"action", "protocol", "source address", "source port", "direction",
		"destination address", "destination port",
	};
	unsigned int i;
	int ret;

	for (i = 0; i < 7; i++) {
		ret = header_field(c, s, end, f[i], sizeof(f[i]), what[i]);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < HYP_RULE_ACTION_MAX; i++)
		if (strcmp(f[0], action_names[i]) == 0)
			break;
	c->r->reject_to = HYP_REJECT_SRC;
	if (i == HYP_RULE_ACTION_MAX) {
		if (strcmp(f[0], "rejectsrc") == 0)
			c->r->reject_to = HYP_REJECT_SRC;
		else if (strcmp(f[0], "rejectdst") == 0)
			c->r->reject_to = HYP_REJECT_DST;
		else if (strcmp(f[0], "rejectboth") == 0)
			c->r->reject_to = HYP_REJECT_SRC | HYP_REJECT_DST;
		else
			return fail(c, "'%.32s' is not an action (alert, drop, pass, reject)", f[0]);
		i = HYP_RULE_REJECT;
	}
	c->r->action = (uint8_t)i;
	for (i = 0; i < HYP_RP_MAX; i++)
		if (strcmp(f[1], proto_names[i]) == 0)
			break;
	if (i == HYP_RP_MAX) {
		char kw[48];

		/* an application protocol we do not parse: counted by its name */
		snprintf(kw, sizeof(kw), "protocol %.32s", f[1]);
		for (const char *p = f[1]; *p != '\0'; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
				return fail(c, "'%.32s' is not a protocol", f[1]);
		return skip(c, kw);
	}
	c->r->proto = (uint8_t)i;
	if (strcmp(f[4], "->") == 0)
		c->r->bidir = false;
	else if (strcmp(f[4], "<>") == 0)
		c->r->bidir = true;
	else
		return fail(c, "'%.8s' is not a direction (-> or <>)", f[4]);
	ret = parse_expr(c, f[2], false, what[2], &c->r->src);
	if (ret == 0)
		ret = parse_expr(c, f[3], true, what[3], &c->r->sport);
	if (ret == 0)
		ret = parse_expr(c, f[5], false, what[5], &c->r->dst);
	if (ret == 0)
		ret = parse_expr(c, f[6], true, what[6], &c->r->dport);
	if (ret < 0)
		return ret;
	*s = skip_ws(*s, end);
	if (*s >= end || **s != '(')
		return fail(c, "the options must start with '('");
	(*s)++;
	return 0;
}

/*
 * What the buffers of a whole rule allow: one HTTP message's buffers per
 * rule (the engine inspects a request and a response apart) and a
 * direction that can see them. Payload options beside HTTP buffers read
 * the stream window that completed the message (Suricata: the packet).
 */
static int
check_buffers(struct pctx *c)
{
	struct hyp_rule *r = c->r;
	bool req = false, rsp = false, http = false, hello = false, cert = false;
	unsigned int i;

	for (i = 0; i < r->n_opts; i++) {
		struct hyp_rule_opt *o = &r->opts[i];
		uint8_t *b = o->type == HYP_RO_CONTENT ? &o->u.content.buf :
			     o->type == HYP_RO_PCRE ? &o->u.pcre.buf : &o->buf;

		/* file.data in a to_server rule is the request's body */
		if (c->file_data && (r->flow & HYP_FLOW_TO_SERVER) &&
		    *b == HYP_BUF_HTTP_RESPONSE_BODY) {
			*b = HYP_BUF_HTTP_REQUEST_BODY;
			o->buf = HYP_BUF_HTTP_REQUEST_BODY;
		}
		switch (o->type) {
		case HYP_RO_CONTENT: case HYP_RO_PCRE: case HYP_RO_BSIZE: case HYP_RO_ISDATAAT:
		case HYP_RO_BYTE_TEST: case HYP_RO_BYTE_JUMP: case HYP_RO_BYTE_EXTRACT:
		case HYP_RO_URILEN:
			break;
		default:
			continue;	/* packet options */
		}
		hello |= hyp_buf_descs[*b].side == HYP_BUF_SIDE_TLS_HELLO;
		cert |= hyp_buf_descs[*b].side == HYP_BUF_SIDE_TLS_CERT;
		if (!hyp_buf_is_http(*b))
			continue;
		http = true;
		req |= hyp_buf_descs[*b].side == HYP_BUF_SIDE_REQUEST;
		rsp |= hyp_buf_descs[*b].side == HYP_BUF_SIDE_RESPONSE;
	}
	c->kw = NULL;
	if (http && (hello || cert))
		return skip(c, "http and tls buffers in one rule");
	if (hello || cert) {
		/* each message is inspected alone: no event has both */
		if (r->proto != HYP_RP_TCP && r->proto != HYP_RP_TLS && r->proto != HYP_RP_IP)
			return fail(c, "TLS buffers in a %s rule", proto_names[r->proto]);
		if (hello && cert)
			return skip(c, "tls hello and certificate buffers in one rule");
		if (hello && (r->flow & HYP_FLOW_TO_CLIENT))
			return fail(c, "tls.sni with flow:to_client");
		if (cert && (r->flow & HYP_FLOW_TO_SERVER))
			return fail(c, "certificate buffers with flow:to_server");
		return 0;
	}
	if (!http)
		return 0;
	if (r->proto != HYP_RP_TCP && r->proto != HYP_RP_HTTP && r->proto != HYP_RP_IP)
		return fail(c, "HTTP buffers in a %s rule", proto_names[r->proto]);
	if (req && rsp)
		return skip(c, "http request and response buffers in one rule");
	if (req && (r->flow & HYP_FLOW_TO_CLIENT))
		return fail(c, "request buffers with flow:to_client");
	if (rsp && (r->flow & HYP_FLOW_TO_SERVER))
		return fail(c, "response buffers with flow:to_server");
	return 0;
}

void
hyp_rule_free(struct hyp_rule *r)
{
	unsigned int i, k;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_opts; i++) {
		if (r->opts[i].type == HYP_RO_CONTENT)
			free(r->opts[i].u.content.pat);
		else if (r->opts[i].type == HYP_RO_PCRE)
			free(r->opts[i].u.pcre.re);
	}
	for (i = 0; i < r->n_flowbits; i++)
		for (k = 0; k < r->flowbits[i].n; k++)
			free(r->flowbits[i].names[k]);
	for (i = 0; i < r->n_byte_vars; i++)
		free(r->byte_vars[i]);
	free(r->opts);
	free(r->flowbits);
	free(r->src.nodes);
	free(r->dst.nodes);
	free(r->sport.nodes);
	free(r->dport.nodes);
	free(r->msg);
	free(r->classtype);
	free(r->file);
	memset(r, 0, sizeof(*r));
}

int
hyp_rule_parse(const char *text, size_t len, const struct hyp_rule_vars *vars,
	       struct hyp_rule *r, struct hyp_rule_err *e)
{
	struct pctx c = { vars, r, e, NULL, HYP_BUF_PAYLOAD, -1, -1 };
	const char *s = text, *end = text + len;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(e, 0, sizeof(*e));
	if (len > HYP_RULE_MAX_LEN) {
		ret = fail(&c, "a rule of %zu bytes (at most %u)", len, HYP_RULE_MAX_LEN);
		goto out;
	}
	if (memchr(text, '\0', len) != NULL) {
		ret = fail(&c, "a NUL byte in the rule");
		goto out;
	}
	r->gid = 1;
	ret = parse_header(&c, &s, end);
	if (ret == 0)
		ret = parse_options(&c, s, end);
	if (ret == 0 && r->sid == 0) {
		c.kw = NULL;
		ret = fail(&c, "no sid");
	}
	if (ret == 0)
		ret = check_buffers(&c);
out:
	if (ret != 0)
		hyp_rule_free(r);
	return ret;
}
