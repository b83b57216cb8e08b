/*
 * ciform: the command. A table of verbs; each verb lives in its own
 * cmd_<verb>.c, parses its options, calls the library and returns an exit code.
 */
#include "cmd/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static const cli_verb verbs[] = {
	{"validate", cmd_validate, "parse and check specs, offline"},
	{"plan", cmd_plan, "read live state, print what apply would do"},
	{"apply", cmd_apply, "plan, confirm, then carry it out"},
	{"drift", cmd_drift, "plan whose exit code reports drift (0 none, 2 drift)"},
	{"export", cmd_export, "write manifests for live resources (adopt what exists)"},
	{"reconcile", cmd_reconcile, "GitOps loop: fetch a repository, plan, report or apply, repeat"},
	{"show", cmd_show, "print a plan saved by 'ciform plan --out' (text, json or markdown)"},
	{"schema", cmd_schema, "print the JSON Schema of every manifest kind (for editors)"},
	{"comment", cmd_comment, "post the plan on a pull/merge request, or edit ciform's earlier comment"},
};

static void usage(FILE *to)
{
	fputs("usage: ciform <command> [options]\n\n"
	      "GitOps for Semaphore CI: keep agent types, deployment targets and artifact\n"
	      "retention policies as YAML specs, and make the organisation match them.\n\n"
	      "Commands:\n", to);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(to, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fputs("\nRun 'ciform <command> --help' or 'ciform help <command>' for a command's options.\n"
	      "Exit codes: 0 success, 1 error, 2 changes (plan --detailed-exitcode, drift).\n", to);
}

/* The process holds the API token and the specs' secrets in memory: a core
 * file would write them to disk, and a dumpable process lets any process of
 * the same user read its memory (ptrace, /proc/PID/mem). Done before anything
 * is read; hard limit too, so nothing later can raise it. */
static void keep_memory_private(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
}

int main(int argc, char **argv)
{
	keep_memory_private();
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	const char *verb = argv[1];
	opterr = 0; /* every verb reports a bad option itself, once (cli_bad_option) */
	if (!strcmp(verb, "help") && argc > 2) { /* ciform help plan = ciform plan --help */
		for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
			if (!strcmp(argv[2], verbs[i].name))
				return verbs[i].run(2, (char *[]){argv[2], "--help", NULL});
		return cli_error("unknown command '%s' (see 'ciform --help')", argv[2]);
	}
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h") || !strcmp(verb, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(verb, "--version") || !strcmp(verb, "version")) {
		printf("ciform %s\n", CIFORM_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verb, verbs[i].name))
			return verbs[i].run(argc - 1, argv + 1);
	return cli_error("unknown command '%s' (see 'ciform --help')", verb);
}
