/*
 * render: text and Markdown. Both walk the plan the same way: a line per
 * change, then a line per field, then the unmanaged resources and the
 * summary. A small growable buffer keeps the formatting readable.
 */
#include "reconciler/render.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
	char *s;
	size_t len, cap;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = cf_xrealloc(b->s, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static const char *const markers[CF_NACTIONS] = {"+", "~", "-", "~", "~"};
static const char *const colors[CF_NACTIONS] = {"\033[32m", "\033[33m", "\033[31m", "\033[36m", "\033[36m"};
#define RESET "\033[0m"

char *cf_render_summary_line(const cf_plan *p)
{
	if (!cf_plan_has_changes(p))
		return cf_xstrdup("No changes. Live state matches the specs.");
	return cf_xasprintf("Plan: %zu to create, %zu to update, %zu to delete, %zu to activate, %zu to deactivate.",
			    p->counts[CF_CREATE], p->counts[CF_UPDATE], p->counts[CF_DELETE],
			    p->counts[CF_ACTIVATE], p->counts[CF_DEACTIVATE]);
}

/* An empty string, list or object after a create is a default: not worth a line. */
static bool empty_value(const cJSON *v)
{
	return !v || (cJSON_IsString(v) && !*v->valuestring) ||
	       ((cJSON_IsArray(v) || cJSON_IsObject(v)) && !v->child);
}

static char *value_text(const cJSON *v)
{
	return v ? cJSON_PrintUnformatted(v) : cf_xstrdup("(none)");
}

/* A string that reads back as itself unquoted in a YAML flow mapping. */
static bool plain_scalar(const cJSON *v)
{
	if (!cJSON_IsString(v) || !*v->valuestring)
		return false;
	const char *s = v->valuestring;
	size_t n = strlen(s);
	return !strpbrk(s, "{}[],:#'\"\\\t\n\r") && !strchr("-?&*!|>%@` ", s[0]) && s[n - 1] != ' ';
}

/* A list item as a reader writes it: {type: ROLE, subject_id: Admin}. */
static char *item_text(const cJSON *it)
{
	if (!cJSON_IsObject(it))
		return value_text(it);
	buf b = {0};
	put(&b, "{");
	for (const cJSON *k = it->child; k; k = k->next) {
		char *v = plain_scalar(k) ? cf_xstrdup(k->valuestring) : value_text(k);
		put(&b, "%s%s: %s", k == it->child ? "" : ", ", k->string, v);
		free(v);
	}
	put(&b, "}");
	return b.s;
}

static bool list_has(const cJSON *list, const cJSON *it)
{
	const cJSON *x;
	cJSON_ArrayForEach(x, list)
		if (cJSON_Compare(x, it, 1))
			return true;
	return false;
}

/* A list shown item by item: what is added (+) and removed (-); a list
 * whose items only moved says so (order matters: first match wins). */
static void text_list(buf *b, const char *indent, const cJSON *before, const cJSON *after)
{
	const cJSON *it;
	bool any = false;
	cJSON_ArrayForEach(it, before)
		if (!list_has(after, it)) {
			char *t = item_text(it);
			put(b, "%s- %s\n", indent, t);
			free(t);
			any = true;
		}
	cJSON_ArrayForEach(it, after)
		if (!list_has(before, it)) {
			char *t = item_text(it);
			put(b, "%s+ %s\n", indent, t);
			free(t);
			any = true;
		}
	if (!any) {
		put(b, "%s(the same rules in a new order:)\n", indent);
		cJSON_ArrayForEach(it, after) {
			char *t = item_text(it);
			put(b, "%s  %s\n", indent, t);
			free(t);
		}
	}
}

static void text_field(buf *b, const cf_change *c, const cf_field_change *f)
{
	if (f->sensitive) {
		if (f->plain) {
			char *v = cJSON_PrintUnformatted(&(cJSON){.type = cJSON_String, .valuestring = f->plain});
			put(b, "      %s: (sensitive) %s -> %s\n", f->path, f->change, v);
			free(v);
		} else {
			put(b, "      %s: (sensitive) %s\n", f->path, f->change);
		}
		return;
	}
	if (c->action == CF_CREATE && empty_value(f->after))
		return;
	if (f->list_items) {
		put(b, "      %s:\n", f->path);
		text_list(b, "        ", c->action == CF_CREATE ? NULL : f->before, f->after);
		return;
	}
	char *after = value_text(f->after);
	if (c->action == CF_CREATE) {
		put(b, "      %s: %s\n", f->path, after);
	} else {
		char *before = value_text(f->before);
		put(b, "      %s: %s -> %s\n", f->path, before, after);
		free(before);
	}
	free(after);
}

char *cf_render_text(const cf_plan *p, const cf_render_opts *o)
{
	buf b = {0};
	bool color = o && o->color;
	if (cf_plan_has_changes(p))
		put(&b, "ciform will make these changes:\n\n");
	for (size_t i = 0; i < p->count; i++) {
		const cf_change *c = &p->changes[i];
		put(&b, "  %s%s %s%s (%s%s)\n", color ? colors[c->action] : "", markers[c->action], c->address,
		    color ? RESET : "", cf_action_names[c->action], c->replace ? ", replace" : "");
		for (size_t j = 0; j < c->fields.count; j++)
			text_field(&b, c, &c->fields.items[j]);
		for (size_t j = 0; j < c->nnotes; j++)
			put(&b, "      # %s\n", c->notes[j]);
	}
	if (p->nunmanaged) {
		put(&b, "%sUnmanaged: live, in scope, and in no spec (--prune deletes them):\n",
		    p->count ? "\n" : "");
		for (size_t i = 0; i < p->nunmanaged; i++)
			put(&b, "  ? %s\n", p->unmanaged[i].address);
	}
	if (p->nunverifiable) {
		put(&b, "%sUnverifiable: the server does not show these values in full, so a changed value "
		    "may not be seen (not drift):\n", p->count || p->nunmanaged ? "\n" : "");
		for (size_t i = 0; i < p->nunverifiable; i++)
			put(&b, "  ~ %s: %s\n", p->unverifiable[i].address, p->unverifiable[i].reason);
	}
	if (p->nnotes) {
		put(&b, "%sNotes:\n", p->count || p->nunmanaged || p->nunverifiable ? "\n" : "");
		for (size_t i = 0; i < p->nnotes; i++)
			put(&b, "  # %s\n", p->notes[i]);
	}
	if (p->count || p->nunmanaged || p->nunverifiable || p->nnotes)
		put(&b, "\n");
	put(&b, "Unchanged: %zu resource%s.\n", p->unchanged, p->unchanged == 1 ? "" : "s");
	char *last = cf_render_summary_line(p);
	put(&b, "%s\n", last);
	free(last);
	return b.s;
}

/* Markdown table cells: no pipes, no line breaks, code spans that close. */
static char *md_cell(const char *s)
{
	buf b = {0};
	put(&b, "%s", "");
	for (; *s; s++) {
		if (*s == '|')
			put(&b, "\\|");
		else if (*s == '\n' || *s == '\r')
			put(&b, " ");
		else if (*s == '`')
			put(&b, "'");
		else
			put(&b, "%c", *s);
	}
	return b.s;
}

static void md_change(buf *b, const cf_change *c)
{
	put(b, "<details><summary><code>%s %s%s %s</code></summary>\n\n", markers[c->action],
	    cf_action_names[c->action], c->replace ? " (replace)" : "", c->address);
	if (c->fields.count) {
		put(b, "| Field | Before | After |\n|---|---|---|\n");
		for (size_t j = 0; j < c->fields.count; j++) {
			const cf_field_change *f = &c->fields.items[j];
			if (f->sensitive) {
				char *pc = f->plain ? md_cell(f->plain) : NULL;
				if (pc)
					put(b, "| `%s` | (sensitive) | %s: `%s` |\n", f->path, f->change, pc);
				else
					put(b, "| `%s` | (sensitive) | %s |\n", f->path, f->change);
				free(pc);
				continue;
			}
			if (c->action == CF_CREATE && empty_value(f->after))
				continue;
			char *bt = value_text(f->before), *at = value_text(f->after);
			char *bc = md_cell(c->action == CF_CREATE ? "" : bt), *ac = md_cell(at);
			put(b, "| `%s` | %s%s%s | `%s` |\n", f->path, *bc ? "`" : "", bc, *bc ? "`" : "", ac);
			free(bt);
			free(at);
			free(bc);
			free(ac);
		}
	} else if (!c->nnotes) {
		put(b, "No field changes: the resource is %s.\n",
		    c->action == CF_DELETE ? "deleted" : c->action == CF_ACTIVATE ? "activated" : "deactivated");
	}
	for (size_t j = 0; j < c->nnotes; j++) {
		char *n = md_cell(c->notes[j]);
		put(b, "%s> %s\n", j ? "" : "\n", n);
		free(n);
	}
	put(b, "\n</details>\n\n");
}

char *cf_render_markdown(const cf_plan *p, const cf_render_opts *o)
{
	(void)o;
	buf b = {0};
	put(&b, "### ciform plan\n\n| Action | Count |\n|---|---|\n");
	for (int a = 0; a < CF_NACTIONS; a++)
		put(&b, "| %s | %zu |\n", cf_action_names[a], p->counts[a]);
	put(&b, "| unchanged | %zu |\n| unmanaged | %zu |\n\n", p->unchanged, p->nunmanaged);
	char *last = cf_render_summary_line(p);
	size_t reserve = 400 + strlen(last);
	size_t shown = 0;
	for (; shown < p->count; shown++) {
		buf one = {0};
		md_change(&one, &p->changes[shown]);
		bool fits = b.len + one.len + reserve <= CF_MARKDOWN_MAX;
		if (fits)
			put(&b, "%s", one.s);
		free(one.s);
		if (!fits)
			break;
	}
	if (shown < p->count)
		put(&b, "_%zu more change%s not shown: the plan is longer than a comment can hold. "
			"Run `ciform plan` to see all of it._\n\n", p->count - shown, p->count - shown == 1 ? " is" : "s are");
	if (p->nunmanaged && b.len + reserve <= CF_MARKDOWN_MAX) {
		put(&b, "Unmanaged (in scope, in no spec; `--prune` deletes them): ");
		for (size_t i = 0; i < p->nunmanaged && b.len + reserve + strlen(p->unmanaged[i].address) + 4 <= CF_MARKDOWN_MAX;
		     i++)
			put(&b, "%s`%s`", i ? ", " : "", p->unmanaged[i].address);
		put(&b, "\n\n");
	}
	if (p->nunverifiable && b.len + reserve <= CF_MARKDOWN_MAX) {
		put(&b, "Unverifiable (the server does not show the values in full): ");
		for (size_t i = 0;
		     i < p->nunverifiable && b.len + reserve + strlen(p->unverifiable[i].address) + 4 <= CF_MARKDOWN_MAX; i++)
			put(&b, "%s`%s`", i ? ", " : "", p->unverifiable[i].address);
		put(&b, "\n\n");
	}
	for (size_t i = 0; i < p->nnotes && b.len + reserve + strlen(p->notes[i]) + 8 <= CF_MARKDOWN_MAX; i++)
		put(&b, "_%s_\n\n", p->notes[i]);
	put(&b, "**%s**\n", last);
	free(last);
	return b.s;
}
