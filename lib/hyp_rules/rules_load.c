/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule files: lines as Suricata reads them ('#' comments, blank lines, a
 * '\' at the end of a line continues the rule on the next), each rule
 * parsed alone; the counts per keyword and per file for the report. A
 * second rule with a signature id (and gid) already loaded is an error, as
 * in Suricata: the first one stays.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hyp_rules.h"

#define RULE_FILE_MAX	(256u << 20)	/* bytes of one rule file */

static int
count_add(struct hyp_rule_count **arr, unsigned int *n, const char *key, unsigned int by)
{
	struct hyp_rule_count *na;
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (strcmp((*arr)[i].key, key) == 0) {
			(*arr)[i].n += by;
			return 0;
		}
	na = realloc(*arr, (*n + 1) * sizeof(*na));
	if (na == NULL)
		return -ENOMEM;
	*arr = na;
	na[*n].key = strdup(key);
	if (na[*n].key == NULL)
		return -ENOMEM;
	na[*n].n = by;
	(*n)++;
	return 0;
}

static int
cmp_count(const void *a, const void *b)
{
	const struct hyp_rule_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

void
hyp_rules_report_sort(struct hyp_rules_report *rep)
{
	if (rep->n_skips > 1)
		qsort(rep->skips, rep->n_skips, sizeof(*rep->skips), cmp_count);
	if (rep->n_error_opts > 1)
		qsort(rep->error_opts, rep->n_error_opts, sizeof(*rep->error_opts), cmp_count);
}

void
hyp_rules_report_free(struct hyp_rules_report *rep)
{
	unsigned int i;

	for (i = 0; i < rep->n_skips; i++)
		free(rep->skips[i].key);
	for (i = 0; i < rep->n_files; i++)
		free(rep->files[i].key);
	for (i = 0; i < rep->n_error_opts; i++)
		free(rep->error_opts[i].key);
	free(rep->skips);
	free(rep->files);
	free(rep->error_opts);
	memset(rep, 0, sizeof(*rep));
}

void
hyp_ruleset_free(struct hyp_ruleset *set)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		hyp_rule_free(&set->rules[i]);
	free(set->rules);
	set->rules = NULL;
	set->n = 0;
}

static void
first_error(struct hyp_rules_report *rep, const char *name, unsigned int line,
	    const struct hyp_rule_err *e)
{
	/* a count that cannot be kept for want of memory only loses its key */
	(void)count_add(&rep->error_opts, &rep->n_error_opts,
			e->keyword[0] != '\0' ? e->keyword : "header", 1);
	if (rep->first_error[0] != '\0')
		return;
	snprintf(rep->first_error, sizeof(rep->first_error), "%s:%u: %s%s%s", name, line,
		 e->keyword, e->keyword[0] != '\0' ? ": " : "", e->msg);
}

int
hyp_rules_report_unload(struct hyp_rules_report *rep, const struct hyp_rule *r,
			const char *keyword, const char *why)
{
	unsigned int i;

	if (rep->loaded > 0)
		rep->loaded--;
	for (i = 0; r->file != NULL && i < rep->n_files; i++)
		if (strcmp(rep->files[i].key, r->file) == 0 && rep->files[i].n > 0) {
			rep->files[i].n--;
			break;
		}
	if (keyword != NULL) {
		rep->skipped++;
		return count_add(&rep->skips, &rep->n_skips, keyword, 1);
	}
	{
		struct hyp_rule_err e;

		memset(&e, 0, sizeof(e));
		snprintf(e.msg, sizeof(e.msg), "%s", why != NULL ? why : "refused");
		rep->errors++;
		first_error(rep, r->file != NULL ? r->file : "?", r->line, &e);
	}
	return 0;
}

/* (gid, sid, position): the earlier of two equal ids is the one kept */
struct sid_ref {
	uint32_t gid, sid;
	unsigned int idx;
};

static int
cmp_sid(const void *a, const void *b)
{
	const struct sid_ref *x = a, *y = b;

	if (x->gid != y->gid)
		return x->gid < y->gid ? -1 : 1;
	if (x->sid != y->sid)
		return x->sid < y->sid ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Rules from 'from' on whose id an earlier rule has: removed, counted as errors. */
static int
drop_duplicates(struct hyp_ruleset *set, unsigned int from, const char *name,
		struct hyp_rules_report *rep, unsigned int *removed)
{
	struct sid_ref *refs;
	bool *dup;
	unsigned int i, o;

	*removed = 0;
	if (set->n - from == 0)
		return 0;
	refs = malloc(set->n * sizeof(*refs));
	dup = calloc(set->n, sizeof(*dup));
	if (refs == NULL || dup == NULL) {
		free(refs);
		free(dup);
		return -ENOMEM;
	}
	for (i = 0; i < set->n; i++)
		refs[i] = (struct sid_ref){ set->rules[i].gid, set->rules[i].sid, i };
	qsort(refs, set->n, sizeof(*refs), cmp_sid);
	for (i = 1; i < set->n; i++)
		if (refs[i].gid == refs[i - 1].gid && refs[i].sid == refs[i - 1].sid &&
		    refs[i].idx >= from) {
			struct hyp_rule_err e;
			const struct hyp_rule *first = &set->rules[refs[i - 1].idx];

			/* refs[i - 1] is the earliest of the run: the one kept */
			dup[refs[i].idx] = true;
			memset(&e, 0, sizeof(e));
			snprintf(e.keyword, sizeof(e.keyword), "sid");
			snprintf(e.msg, sizeof(e.msg), "duplicate sid %u (also %s:%u)",
				 set->rules[refs[i].idx].sid, first->file ? first->file : "?",
				 first->line);
			first_error(rep, name, set->rules[refs[i].idx].line, &e);
			rep->errors++;
			(*removed)++;
			refs[i].idx = refs[i - 1].idx;	/* the kept one anchors the run */
		}
	for (i = from, o = from; i < set->n; i++) {
		if (dup[i]) {
			hyp_rule_free(&set->rules[i]);
			continue;
		}
		if (o != i)
			set->rules[o] = set->rules[i];
		o++;
	}
	set->n = o;
	free(refs);
	free(dup);
	return 0;
}

static int
take_rule(const char *text, size_t len, const char *name, unsigned int line,
	  const struct hyp_rule_vars *vars, struct hyp_ruleset *set,
	  struct hyp_rules_report *rep, unsigned int *loaded)
{
	struct hyp_rule_err e;
	struct hyp_rule r, *nr;
	int ret;

	ret = hyp_rule_parse(text, len, vars, &r, &e);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0) {
		rep->errors++;
		first_error(rep, name, line, &e);
		return 0;
	}
	if (ret == 1) {
		rep->skipped++;
		return count_add(&rep->skips, &rep->n_skips, e.keyword, 1);
	}
	r.file = strdup(name);
	r.line = line;
	nr = realloc(set->rules, (set->n + 1) * sizeof(*nr));
	if (r.file == NULL || nr == NULL) {
		hyp_rule_free(&r);
		if (nr != NULL)
			set->rules = nr;
		return -ENOMEM;
	}
	set->rules = nr;
	nr[set->n++] = r;
	(*loaded)++;
	return 0;
}

int
hyp_rules_load_buf(const char *buf, size_t len, const char *name,
		   const struct hyp_rule_vars *vars, struct hyp_ruleset *set,
		   struct hyp_rules_report *rep)
{
	const char *p = buf, *end = buf + len;
	unsigned int lineno = 0, first_line = 0, loaded = 0, removed, from = set->n;
	char *acc = NULL;
	size_t acc_len = 0;
	int ret = 0;

	while (p < end && ret == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end, *s = p;
		bool cont;
		char *na;

		lineno++;
		p = nl != NULL ? nl + 1 : end;
		if (le > s && le[-1] == '\r')
			le--;
		if (acc_len == 0) {
			while (s < le && (*s == ' ' || *s == '\t'))
				s++;
			if (s == le || *s == '#')
				continue;
			first_line = lineno;
		}
		cont = le > s && le[-1] == '\\';
		if (cont)
			le--;
		if (acc_len + (size_t)(le - s) > HYP_RULE_MAX_LEN) {
			struct hyp_rule_err e = { "", "a rule longer than 65536 bytes" };

			rep->errors++;
			first_error(rep, name, first_line, &e);
			acc_len = 0;
			/* the rest of the overlong rule is not a rule of its own */
			while (cont && p < end) {
				nl = memchr(p, '\n', (size_t)(end - p));
				le = nl != NULL ? nl : end;
				lineno++;
				cont = le > p && (le[-1] == '\\' ||
						  (le[-1] == '\r' && le - 1 > p && le[-2] == '\\'));
				p = nl != NULL ? nl + 1 : end;
			}
			continue;
		}
		na = realloc(acc, acc_len + (size_t)(le - s) + 1);
		if (na == NULL) {
			ret = -ENOMEM;
			break;
		}
		acc = na;
		memcpy(acc + acc_len, s, (size_t)(le - s));
		acc_len += (size_t)(le - s);
		if (cont && p < end)
			continue;
		ret = take_rule(acc, acc_len, name, first_line, vars, set, rep, &loaded);
		acc_len = 0;
	}
	free(acc);
	if (ret == 0)
		ret = drop_duplicates(set, from, name, rep, &removed);
	if (ret == 0) {
		loaded -= removed;
		rep->loaded += loaded;
		ret = count_add(&rep->files, &rep->n_files, name, loaded);
	}
	return ret;
}

int
hyp_rules_load_file(const char *path, const struct hyp_rule_vars *vars,
		    struct hyp_ruleset *set, struct hyp_rules_report *rep)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd, ret;

	/* no FIFO wedges the load, no link planted at the path is followed */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		snprintf(rep->first_error, sizeof(rep->first_error), "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > RULE_FILE_MAX) {
		ret = !S_ISREG(st.st_mode) ? -EINVAL : -EFBIG;
		snprintf(rep->first_error, sizeof(rep->first_error), "%s: %s", path,
			 ret == -EINVAL ? "not a regular file" : "larger than 256 MiB");
		close(fd);
		return ret;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	ret = hyp_rules_load_buf(buf, len, path, vars, set, rep);
	free(buf);
	return ret;
}

/* ---- classification.config ---- */

void
hyp_rule_classes_free(struct hyp_rule_classes *cl)
{
	unsigned int i;

	for (i = 0; i < cl->n; i++) {
		free(cl->c[i].name);
		free(cl->c[i].desc);
	}
	free(cl->c);
	cl->c = NULL;
	cl->n = 0;
}

const struct hyp_rule_class *
hyp_rule_class_find(const struct hyp_rule_classes *cl, const char *name)
{
	unsigned int i;

	for (i = 0; name != NULL && i < cl->n; i++)
		if (strcmp(cl->c[i].name, name) == 0)
			return &cl->c[i];
	return NULL;
}

static char *
trimmed(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
hyp_rule_classes_load(const char *path, struct hyp_rule_classes *cl, char *err, size_t err_len)
{
	static const char tag[] = "config classification:";
	char line[1024];
	unsigned int lineno = 0;
	int fd, ret = 0;
	FILE *f;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(-ret));
		return ret;
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (ret == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *s = trimmed(line), *name, *desc, *prio, *end;
		struct hyp_rule_class *nc;
		unsigned long p;

		lineno++;
		s[strcspn(s, "\n")] = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if (strncmp(s, tag, sizeof(tag) - 1) != 0)
			continue;	/* other config lines are not ours */
		name = strtok_r(s + sizeof(tag) - 1, ",", &end);
		desc = strtok_r(NULL, ",", &end);
		prio = strtok_r(NULL, ",", &end);
		if (name == NULL || desc == NULL || prio == NULL || cl->n >= 4096) {
			snprintf(err, err_len, "%s:%u: expected NAME,DESCRIPTION,PRIORITY", path,
				 lineno);
			ret = -EINVAL;
			break;
		}
		prio = trimmed(prio);
		errno = 0;
		p = strtoul(prio, &end, 10);
		if (errno != 0 || *end != '\0' || p < 1 || p > 255) {
			snprintf(err, err_len, "%s:%u: priority must be 1..255", path, lineno);
			ret = -EINVAL;
			break;
		}
		nc = realloc(cl->c, (cl->n + 1) * sizeof(*nc));
		if (nc == NULL) {
			ret = -ENOMEM;
			break;
		}
		cl->c = nc;
		nc[cl->n].name = strdup(trimmed(name));
		nc[cl->n].desc = strdup(trimmed(desc));
		nc[cl->n].priority = (uint32_t)p;
		cl->n++;
		if (nc[cl->n - 1].name == NULL || nc[cl->n - 1].desc == NULL)
			ret = -ENOMEM;
	}
	fclose(f);
	return ret;
}
