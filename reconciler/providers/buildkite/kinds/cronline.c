/*
 * cronline: validate's check of a PipelineSchedule's spec.cronline, field
 * by field, so that a schedule Buildkite would refuse (or one that never
 * runs, such as hour 25) stops at FILE:LINE:COLUMN instead of at apply.
 *
 * Evidence: buildkite/docs pages/pipelines/configure/workflows/
 * scheduled_builds.md: six predefined intervals (@hourly, @daily or
 * @midnight, @weekly, @monthly, @yearly); otherwise "a variant of the
 * crontab time syntax": minute (0 - 59), hour (0 - 23), day of month
 * (1 - 31), month (1 - 12), day of week (0 - 6, Sunday to Saturday), then
 * an optional time zone, "an IANA Time Zone name ... like Australia/Melbourne
 * or Europe/Berlin, or ... an offset from UTC like +09:00 or -05:00"; its
 * extensions: the / step, `L` or `last` as the day of month (`0 0 -2-L * *`:
 * the last two days), the day-of-week modulo (`0%3`, `0%3+1`); its examples
 * use names (`0 16 * * SUN`); "The `~` random-value operator ... will be
 * rejected at validation time". The page names fugit as the parser: fugit
 * lib/fugit/cron.rb (floraison/fugit) takes JAN-DEC and SUN-SAT in any
 * case, 7 as Sunday, `#N` (the Nth weekday of the month), steps of one or
 * two digits, and offsets with minutes 00, 15, 30 or 45.
 */
#include "reconciler/providers/buildkite/kinds/schedule.h"
#include "reconciler/kind.h"
#include "reconciler/schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define ZONEINFO "/usr/share/zoneinfo"

typedef struct cron_field {
	const char *name;     /* as messages name it */
	int lo, hi;
	const char *const *names; /* three-letter names for lo, lo+1, ... */
	const char *takes;    /* what the message says the field takes */
	bool last, modulo;    /* L/last and -N (day of month); % and # (day of week) */
} cron_field;

static const char *const months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
				     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
static const char *const days[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};

static const cron_field fields[5] = {
	{.name = "minute", .lo = 0, .hi = 59, .names = NULL, .takes = "0-59", .last = false, .modulo = false},
	{.name = "hour", .lo = 0, .hi = 23, .names = NULL, .takes = "0-23", .last = false, .modulo = false},
	{.name = "day-of-month", .lo = 1, .hi = 31, .names = NULL, .takes = "1-31 or L (the last day)",
	 .last = true, .modulo = false},
	{.name = "month", .lo = 1, .hi = 12, .names = months, .takes = "1-12 or JAN-DEC", .last = false,
	 .modulo = false},
	{.name = "day-of-week", .lo = 0, .hi = 7, .names = days, .takes = "0-7 or SUN-SAT (0 and 7 are Sunday)",
	 .last = false, .modulo = true},
};

/* One or two digits (fugit's numbers never have more). */
static bool number(const char **p, int *out)
{
	const char *s = *p;
	if (!isdigit((unsigned char)s[0]))
		return false;
	int n = s[0] - '0', len = 1;
	if (isdigit((unsigned char)s[1]))
		n = n * 10 + (s[len++] - '0');
	*p = s + len;
	*out = n;
	return true;
}

static bool word(const char **p, const char *w)
{
	size_t n = strlen(w);
	if (strncasecmp(*p, w, n) || isalpha((unsigned char)(*p)[n]))
		return false;
	*p += n;
	return true;
}

/* A single value of the field: a number in range, a name, or (day of
 * month) L, last, or -N counted from the month's end. */
static bool value(const cron_field *f, const char **p)
{
	for (size_t i = 0; f->names && f->names[i]; i++)
		if (word(p, f->names[i]))
			return true;
	if (f->last && (word(p, "last") || word(p, "L")))
		return true;
	if (f->last && **p == '-')
		++*p;
	int n;
	return number(p, &n) && n >= f->lo && n <= f->hi;
}

/* The day of week's N#K: the Kth such weekday of the month, 1-5, or from
 * its end: -1 to -5, L or last. */
static bool nth(const char *s)
{
	int n;
	if (*s == '-')
		s++;
	if (word(&s, "last") || word(&s, "L"))
		return !*s;
	return number(&s, &n) && n >= 1 && n <= 5 && !*s;
}

/* The day of week's N%M or N%M+K: every Mth such weekday, offset by K. */
static bool modulo(const char *s)
{
	int n;
	if (!number(&s, &n) || n < 1)
		return false;
	if (*s == '+') {
		s++;
		if (!number(&s, &n))
			return false;
	}
	return !*s;
}

/* One element of a comma list: '*', a value or a range a-b, then an
 * optional /step; on the day of week also N#K and N%M(+K). */
static bool element(const cron_field *f, const char *s)
{
	int n;
	if (*s == '*') {
		s++;
	} else {
		if (!value(f, &s))
			return false;
		if (f->modulo && *s == '#')
			return nth(s + 1);
		if (f->modulo && *s == '%')
			return modulo(s + 1);
		if (*s == '-') {
			s++;
			if (!value(f, &s))
				return false;
		}
	}
	if (*s == '/') {
		s++;
		if (!number(&s, &n) || n < 1)
			return false;
	}
	return !*s;
}

static bool field_ok(const cron_field *f, const char *text)
{
	char *copy = cf_xstrdup(text), *save = NULL;
	bool ok = *text && text[strlen(text) - 1] != ',';
	for (char *e = strtok_r(copy, ",", &save); e && ok; e = strtok_r(NULL, ",", &save))
		ok = element(f, e);
	free(copy);
	return ok && !strstr(text, ",,") && text[0] != ',';
}

/* ±HH:MM (fugit: hours up to 24, minutes 00, 15, 30 or 45), or an IANA
 * name: Area/Location[/More] of letters, digits, _, - and +, or UTC. */
static const char *zone_problem(const char *z)
{
	if (z[0] == '+' || z[0] == '-')
		return cf_schema_matches("[+-]([01][0-9]|2[0-4]):(00|15|30|45)", z) ? NULL :
		       "is no UTC offset: give +HH:MM or -HH:MM (minutes 00, 15, 30 or 45)";
	if (strcmp(z, "UTC") && !cf_schema_matches("[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){1,2}", z))
		return "is no IANA name: give one such as Europe/Berlin, or an offset such as +09:00";
	/* Whether the name exists is asked of the system's time zone database,
	 * and only where there is one: a host without /usr/share/zoneinfo (a
	 * slim container) takes every IANA-shaped name and leaves it to the
	 * server. The pattern above admits no '.', so the path stays inside. */
	struct stat st;
	if (stat(ZONEINFO, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	char path[sizeof(ZONEINFO) + 256];
	snprintf(path, sizeof(path), ZONEINFO "/%s", z);
	if (strlen(z) > 200 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return "is not in the IANA database (" ZONEINFO "): give a zone such as Europe/Berlin, "
		       "or an offset such as +09:00";
	return NULL;
}

void cf_bk_check_cronline(cf_kctx *kc, const char *at, const char *cron)
{
	static const char *const named[] = {"@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", NULL};
	for (size_t i = 0; named[i]; i++)
		if (!strcmp(cron, named[i]))
			return;
	if (cron[0] == '@') {
		cf_kerr(kc, at, "%s: '%s' is no predefined interval: give @hourly, @daily, @midnight, @weekly, "
			"@monthly or @yearly, or five cron fields", at, cron);
		return;
	}
	if (strchr(cron, '~')) {
		cf_kerr(kc, at, "%s: '~' (a random value) is not supported; give a fixed value, not '%s'", at, cron);
		return;
	}
	char *copy = cf_xstrdup(cron), *save = NULL, *w[7] = {NULL};
	int n = 0;
	for (char *t = strtok_r(copy, " \t", &save); t && n < 7; t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	if (n < 5 || n > 6) {
		cf_kerr(kc, at, "%s: five cron fields (minute hour day-of-month month day-of-week) and an optional "
			"time zone, or @hourly, @daily, @midnight, @weekly, @monthly or @yearly, not '%s'", at, cron);
	} else {
		for (int i = 0; i < 5; i++)
			if (!field_ok(&fields[i], w[i]))
				cf_kerr(kc, at, "%s: the %s field '%s' is invalid: it takes %s, '*', lists (a,b), "
					"ranges (a-b) and steps (/n)", at, fields[i].name, w[i], fields[i].takes);
		const char *why = n == 6 ? zone_problem(w[5]) : NULL;
		if (why)
			cf_kerr(kc, at, "%s: the time zone field '%s' %s", at, w[5], why);
	}
	free(copy);
}
