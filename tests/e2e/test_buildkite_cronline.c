/*
 * The PipelineSchedule cronline check end to end: the real ciform binary's
 * validate, no server needed. Each bad field, the zone and an unknown
 * @ word are refused at the cronline's FILE:LINE:COLUMN with the field and
 * what it takes; the docs' forms (buildkite/docs pages/pipelines/configure/
 * workflows/scheduled_builds.md: predefined intervals, five fields, names,
 * steps, an IANA zone or a UTC offset) pass.
 */
#include "tests/e2e/scene.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SCHEDULE(cron) \
	"apiVersion: buildkite/v1\nkind: PipelineSchedule\nmetadata: {pipeline: web, label: N}\n" \
	"spec: {cronline: \"" cron "\"}\n"
/* the column of the cronline's value in SCHEDULE's last line */
#define AT "s.yaml:4:18: spec.cronline: "
#define TAKES "'*', lists (a,b), ranges (a-b) and steps (/n)\n"

/* validate of SCHEDULE(cron) exits rc with exactly err on stderr. */
static void validate(const char *yaml, int rc, const char *err)
{
	fx_enter_tmpdir();
	fx_write("s.yaml", yaml);
	fx_result r = fx_ciform(ARGS("validate", "s.yaml"), NULL, NULL);
	assert_string_equal(r.err, err);
	assert_int_equal(r.rc, rc);
	if (rc == 0)
		assert_string_equal(r.out, "Valid: 1 resource in 1 file (1 PipelineSchedule).\n");
	fx_result_free(&r);
	fx_leave_tmpdir();
}

static void test_an_hour_of_25_and_an_unknown_zone_are_refused(void **state)
{
	(void)state;
	/* whether a zone exists is asked of the system's zoneinfo, when there is one */
	if (access("/usr/share/zoneinfo", F_OK) != 0)
		skip();
	validate(SCHEDULE("0 25 * * * Mars/Olympus"), 1,
		 AT "the hour field '25' is invalid: it takes 0-23, " TAKES
		 AT "the time zone field 'Mars/Olympus' is not in the IANA database (/usr/share/zoneinfo): "
		    "give a zone such as Europe/Berlin, or an offset such as +09:00\n"
		 "ciform: error: 2 problems in the specs\n");
}

static void test_a_minute_of_61_is_refused(void **state)
{
	(void)state;
	validate(SCHEDULE("61 2 * * *"), 1,
		 AT "the minute field '61' is invalid: it takes 0-59, " TAKES
		 "ciform: error: 1 problem in the specs\n");
}

static void test_day_32_month_13_and_weekday_8_are_each_refused(void **state)
{
	(void)state;
	validate(SCHEDULE("0 2 32 13 8"), 1,
		 AT "the day-of-month field '32' is invalid: it takes 1-31 or L (the last day), " TAKES
		 AT "the day-of-week field '8' is invalid: it takes 0-7 or SUN-SAT (0 and 7 are Sunday), " TAKES
		 AT "the month field '13' is invalid: it takes 1-12 or JAN-DEC, " TAKES
		 "ciform: error: 3 problems in the specs\n");
}

static void test_an_unknown_at_word_lists_the_predefined_intervals(void **state)
{
	(void)state;
	validate(SCHEDULE("@nightly"), 1,
		 AT "'@nightly' is no predefined interval: give @hourly, @daily, @midnight, @weekly, @monthly "
		    "or @yearly, or five cron fields\n"
		 "ciform: error: 1 problem in the specs\n");
}

static void test_a_random_value_is_refused(void **state)
{
	(void)state;
	validate(SCHEDULE("H~ 2 * * *"), 1,
		 AT "'~' (a random value) is not supported; give a fixed value, not 'H~ 2 * * *'\n"
		 "ciform: error: 1 problem in the specs\n");
}

static void test_four_fields_are_refused(void **state)
{
	(void)state;
	validate(SCHEDULE("0 2 * *"), 1,
		 AT "five cron fields (minute hour day-of-month month day-of-week) and an optional time zone, "
		    "or @hourly, @daily, @midnight, @weekly, @monthly or @yearly, not '0 2 * *'\n"
		 "ciform: error: 1 problem in the specs\n");
}

static void test_a_half_written_range_is_refused(void **state)
{
	(void)state;
	validate(SCHEDULE("1-,2 * * * *"), 1,
		 AT "the minute field '1-,2' is invalid: it takes 0-59, " TAKES
		 "ciform: error: 1 problem in the specs\n");
}

static void test_an_offset_off_the_quarter_hour_and_a_path_as_zone_are_refused(void **state)
{
	(void)state;
	validate(SCHEDULE("0 2 * * * +05:31"), 1,
		 AT "the time zone field '+05:31' is no UTC offset: give +HH:MM or -HH:MM "
		    "(minutes 00, 15, 30 or 45)\n"
		 "ciform: error: 1 problem in the specs\n");
	validate(SCHEDULE("0 2 * * * ../../etc/passwd"), 1,
		 AT "the time zone field '../../etc/passwd' is no IANA name: give one such as Europe/Berlin, "
		    "or an offset such as +09:00\n"
		 "ciform: error: 1 problem in the specs\n");
}

static void test_weekdays_in_berlin_every_15_minutes_mondays_daily_and_an_offset_are_valid(void **state)
{
	(void)state;
	validate(SCHEDULE("0 2 * * 1-5 Europe/Berlin"), 0, "");
	validate(SCHEDULE("*/15 * * * *"), 0, "");
	validate(SCHEDULE("0 2 * * MON"), 0, "");
	validate(SCHEDULE("@daily"), 0, "");
	validate(SCHEDULE("0 2 * * * +05:30"), 0, "");
}

/* scheduled_builds.md's extensions and examples; UTC and Etc/ names */
static void test_the_documented_extensions_and_utc_are_valid(void **state)
{
	(void)state;
	validate(SCHEDULE("0 0 -2-L * *"), 0, "");
	validate(SCHEDULE("0 16 L * *"), 0, "");
	validate(SCHEDULE("0 0 * * 2%2+1"), 0, "");
	validate(SCHEDULE("0 0 1 */2 *"), 0, "");
	validate(SCHEDULE("0 9 * JAN-MAR sun,7"), 0, "");
	validate(SCHEDULE("0 2 * * * UTC"), 0, "");
	validate(SCHEDULE("0 2 * * * Etc/GMT+5"), 0, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_hour_of_25_and_an_unknown_zone_are_refused),
		cmocka_unit_test(test_a_minute_of_61_is_refused),
		cmocka_unit_test(test_day_32_month_13_and_weekday_8_are_each_refused),
		cmocka_unit_test(test_an_unknown_at_word_lists_the_predefined_intervals),
		cmocka_unit_test(test_a_random_value_is_refused),
		cmocka_unit_test(test_four_fields_are_refused),
		cmocka_unit_test(test_a_half_written_range_is_refused),
		cmocka_unit_test(test_an_offset_off_the_quarter_hour_and_a_path_as_zone_are_refused),
		cmocka_unit_test(test_weekdays_in_berlin_every_15_minutes_mondays_daily_and_an_offset_are_valid),
		cmocka_unit_test(test_the_documented_extensions_and_utc_are_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
