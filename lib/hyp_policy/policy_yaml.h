/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The YAML walker the policy schema is written with (private to
 * lib/hyp_policy): libyaml's events one at a time, the key path of the
 * current node, mappings with known keys, lists bounded by what their
 * consumer holds, scalars read strictly (no floats, no leading zeros, no
 * sign), and every refusal with file:line:column and the key path. The
 * schema (hyp_policy.c) says what goes where; this file says how a node is
 * read.
 */
#ifndef POLICY_YAML_H
#define POLICY_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "hyp_policy.h"

/*
 * The schema nests collections four deep (root mapping, section mapping,
 * list, rule mapping). The descent refuses a fifth level by type already;
 * this limit is the backstop that keeps that true should a generic
 * "skip this node" ever be added.
 */
#define HYP_POLICY_MAX_DEPTH	5

#define HYP_PATH_MAX		128
#define HYP_SHOW_MAX		48	/* bytes of a bad value quoted back */
#define HYP_SHOW_BUF		(HYP_SHOW_MAX * 4 + 8)
#define HYP_KIND_BUF		(HYP_SHOW_BUF + 32)
#define HYP_MAX_KEYS		16	/* keys of the widest mapping */

/* One parse: libyaml's state, where we are, what we built so far. */
struct pctx {
	yaml_parser_t parser;
	yaml_event_t ev;	/* the current event, valid if have_ev */
	bool have_ev;
	unsigned int depth;	/* open mappings and sequences */
	const char *buf;
	size_t len;
	struct hyp_policy *p;
	struct hyp_policy_error *err;
	char path[HYP_PATH_MAX];	/* key path of the current node */
	size_t path_len;
	uint8_t *id_seen;	/* bitmap of explicit rule ids, on first use */
	uint32_t next_auto_id;
	bool ethertypes_given;	/* fast_path.pass_ethertypes was in the file */
	void *user;		/* another schema's target (hyp_driver_cfg.c) */
};

/* A mapping's value, by the index of its key; a list's item, by its index. */
typedef int (*yw_field_fn)(struct pctx *c, unsigned int key, void *arg);
typedef int (*yw_item_fn)(struct pctx *c, size_t idx);
/* a free key (its text, and where it is); the value is the next event */
typedef int (*yw_key_fn)(struct pctx *c, const char *key, const yaml_mark_t *at);

int __attribute__((format(printf, 3, 4))) yw_perr(struct pctx *c, const yaml_mark_t *m, const char *fmt, ...);
int yw_nomem(struct pctx *c);
const char *yw_show(const char *s, size_t n, char *buf, size_t len);
/* from now on, on this thread, yw_show() quotes nothing: "<redacted>" */
void yw_redact_set(bool on);
int yw_next(struct pctx *c);
bool yw_is_null(const yaml_event_t *ev);
const char *yw_kind(struct pctx *c, char *buf, size_t len);
int yw_section(struct pctx *c, const char *const *keys, unsigned int nkeys,
	    yw_field_fn fn, void *arg);
int yw_list(struct pctx *c, yw_item_fn fn, size_t max);
int yw_map_any(struct pctx *c, yw_key_fn fn, size_t max);
void *yw_append(void *arr, size_t n, size_t elsz);
int yw_scalar(struct pctx *c, const char *want, const char **s, size_t *n);
int yw_string(struct pctx *c, const char *want, const char **s, size_t *n);
int yw_uint(struct pctx *c, uint64_t min, uint64_t max, uint64_t *out);
int yw_bool(struct pctx *c, bool *out);
int yw_enum(struct pctx *c, const char *const *names, unsigned int nnames,
	 const char *what, unsigned int *out);
int yw_item_mapping(struct pctx *c, const char *const *keys, unsigned int nkeys,
	     yw_field_fn fn, void *arg, uint32_t need);
char *yw_strdup_n(const char *s, size_t n);

/* the schema's readers and sections that its files share */
int pol_read_u32(struct pctx *c, uint32_t min, uint32_t max, uint32_t *out);
int pol_read_proto(struct pctx *c, uint8_t *out);
int pol_read_port(struct pctx *c, uint16_t *out);
int pol_read_cidr(struct pctx *c, struct hyp_cidr *out);
int pol_slow_section(struct pctx *c);
/* a regular file's whole content (max bytes at most; FIFOs and devices refused), or -errno in err */
struct hyp_policy_error;
int pol_read_fd(int fd, size_t max, char **out, size_t *len, struct hyp_policy_error *err);

#endif /* POLICY_YAML_H */
