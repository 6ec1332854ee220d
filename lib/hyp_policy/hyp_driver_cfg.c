/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver preset schema (hyp_driver_cfg.h) on the policy's YAML walker:
 * the same strict scalars, unknown keys refused, file:line:column errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp_driver_cfg.h"
#include "policy_yaml.h"

static const char *const mode_names[] = { "auto", "copy", "zerocopy" };

const char *
hyp_drv_mode_name(enum hyp_drv_mode m)
{
	return (unsigned int)m < HYP_DIM(mode_names) ? mode_names[m] : "?";
}

static struct hyp_driver_cfg *
cfg_of(struct pctx *c)
{
	return c->user;
}

/* A string into a fixed buffer: refused (with its place) if it does not fit. */
static int
read_str(struct pctx *c, char *dst, size_t cap, const char *what)
{
	const char *s;
	size_t n;
	int ret = yw_string(c, what, &s, &n);

	if (ret < 0)
		return ret;
	if (n == 0 || n >= cap || memchr(s, '\0', n) != NULL)
		return yw_perr(c, &c->ev.start_mark, "expected %s of 1..%zu bytes", what, cap - 1);
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static int
read_u32(struct pctx *c, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v;
	int ret = yw_uint(c, lo, hi, &v);

	if (ret == 0)
		*out = (uint32_t)v;
	return ret;
}

static const char *const afxdp_keys[] = { "mode", "busy_budget", "rx_desc" };

static int
afxdp_field(struct pctx *c, unsigned int key, void *arg)
{
	struct hyp_driver_cfg *d = arg;
	unsigned int m;
	int ret;

	switch (key) {
	case 0:
		ret = yw_enum(c, mode_names, HYP_DIM(mode_names), "auto, copy or zerocopy", &m);
		if (ret == 0)
			d->mode = (enum hyp_drv_mode)m;
		return ret;
	case 1:
		d->has_busy_budget = true;
		return read_u32(c, 0, 65535, &d->busy_budget);
	default:
		ret = read_u32(c, 64, 16384, &d->rx_desc);
		if (ret == 0 && (d->rx_desc & (d->rx_desc - 1)) != 0)
			return yw_perr(c, &c->ev.start_mark, "%u is not a power of 2",
				       d->rx_desc);
		return ret;
	}
}

static const char *const host_keys[] = { "napi_defer_hard_irqs", "gro_flush_timeout_ns" };

static int
host_field(struct pctx *c, unsigned int key, void *arg)
{
	struct hyp_driver_cfg *d = arg;

	if (key == 0) {
		d->has_napi_defer = true;
		return read_u32(c, 0, INT32_MAX, &d->napi_defer_hard_irqs);
	}
	d->has_gro_flush = true;
	return read_u32(c, 0, UINT32_MAX, &d->gro_flush_timeout_ns);
}

static const char *const channel_keys[] = { "combined" };
static const char *const limit_keys[] = { "zerocopy_max_mtu" };

static int
channel_field(struct pctx *c, unsigned int key, void *arg)
{
	(void)key;
	return read_u32(c, 1, 4096, &((struct hyp_driver_cfg *)arg)->combined_channels);
}

static int
limit_field(struct pctx *c, unsigned int key, void *arg)
{
	(void)key;
	return read_u32(c, 68, 65535, &((struct hyp_driver_cfg *)arg)->zerocopy_max_mtu);
}

static const char *const quirk_keys[] = { "id", "scope", "text" };

static int
quirk_field(struct pctx *c, unsigned int key, void *arg)
{
	struct hyp_drv_quirk *q = arg;

	switch (key) {
	case 0:
		return read_str(c, q->id, sizeof(q->id), "an id");
	case 1:
		return read_str(c, q->scope, sizeof(q->scope), "a scope");
	default:
		return read_str(c, q->text, sizeof(q->text), "a text");
	}
}

static int
quirk_item(struct pctx *c, size_t idx)
{
	struct hyp_driver_cfg *d = cfg_of(c);

	d->n_quirks = (unsigned int)idx + 1;
	/* every quirk says where it was seen: a quirk without scope is a rumour */
	return yw_item_mapping(c, quirk_keys, HYP_DIM(quirk_keys), quirk_field,
			       &d->quirks[idx], 1u << 0 | 1u << 1 | 1u << 2);
}

static const char *const root_keys[] = { "driver", "afxdp", "host", "channels", "limits",
					  "quirks" };

static int
root_field(struct pctx *c, unsigned int key, void *arg)
{
	struct hyp_driver_cfg *d = arg;

	switch (key) {
	case 0:
		return read_str(c, d->driver, sizeof(d->driver), "a driver name");
	case 1:
		return yw_section(c, afxdp_keys, HYP_DIM(afxdp_keys), afxdp_field, d);
	case 2:
		return yw_section(c, host_keys, HYP_DIM(host_keys), host_field, d);
	case 3:
		return yw_section(c, channel_keys, HYP_DIM(channel_keys), channel_field, d);
	case 4:
		return yw_section(c, limit_keys, HYP_DIM(limit_keys), limit_field, d);
	default:
		return yw_list(c, quirk_item, HYP_DRV_MAX_QUIRKS);
	}
}

static int
parse_stream(struct pctx *c)
{
	char kb[HYP_KIND_BUF];
	int ret;

	ret = yw_next(c);	/* STREAM-START */
	if (ret == 0)
		ret = yw_next(c);
	if (ret < 0)
		return ret;
	if (c->ev.type == YAML_STREAM_END_EVENT)
		return yw_perr(c, &c->ev.start_mark, "an empty preset");
	ret = yw_next(c);	/* the root node */
	if (ret < 0)
		return ret;
	if (c->ev.type != YAML_MAPPING_START_EVENT)
		return yw_perr(c, &c->ev.start_mark, "a preset must be a mapping, got %s",
			       yw_kind(c, kb, sizeof(kb)));
	ret = yw_section(c, root_keys, HYP_DIM(root_keys), root_field, c->user);
	if (ret == 0)
		ret = yw_next(c);	/* DOCUMENT-END */
	if (ret == 0)
		ret = yw_next(c);
	if (ret == 0 && c->ev.type != YAML_STREAM_END_EVENT)
		return yw_perr(c, &c->ev.start_mark, "only one YAML document is allowed");
	return ret;
}

int
hyp_driver_cfg_parse(const char *buf, size_t len, const char *name, struct hyp_driver_cfg *out,
		     struct hyp_policy_error *err)
{
	struct hyp_policy_error scratch;
	struct pctx c;
	int ret;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", name != NULL ? name : "<memory>");
	if (out == NULL || buf == NULL) {
		snprintf(err->msg, sizeof(err->msg), "invalid arguments");
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (len > HYP_DRV_MAX_FILE) {
		snprintf(err->msg, sizeof(err->msg), "larger than %u bytes", HYP_DRV_MAX_FILE);
		return -EFBIG;
	}
	memset(&c, 0, sizeof(c));
	c.buf = buf;
	c.len = len;
	c.err = err;
	c.user = out;
	if (yaml_parser_initialize(&c.parser) == 0)
		return yw_nomem(&c);
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&c.parser, YAML_UTF8_ENCODING);
	ret = parse_stream(&c);
	if (c.have_ev)
		yaml_event_delete(&c.ev);
	yaml_parser_delete(&c.parser);
	if (ret < 0)
		memset(out, 0, sizeof(*out));
	return ret;
}

int
hyp_driver_cfg_load(const char *path, struct hyp_driver_cfg *out, struct hyp_policy_error *err)
{
	struct hyp_policy_error scratch;
	char *buf;
	size_t len;
	int fd, ret;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (path == NULL || out == NULL) {
		snprintf(err->msg, sizeof(err->msg), "invalid arguments");
		return -EINVAL;
	}
	snprintf(err->file, sizeof(err->file), "%s", path);
	/* the policy's reader: a FIFO named as the preset must not wedge the start */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "cannot open: %s", strerror(-ret));
		return ret;
	}
	ret = pol_read_fd(fd, HYP_DRV_MAX_FILE, &buf, &len, err);
	close(fd);
	if (ret < 0)
		return ret;
	ret = hyp_driver_cfg_parse(buf, len, path, out, err);
	free(buf);
	return ret;
}
