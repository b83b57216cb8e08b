/*
 * ciform-sandbox: options, start, wait for SIGINT/SIGTERM, stop.
 * The URL goes to stdout on its own line as soon as the port is bound, so a
 * test (or a user) can start it on --port 0 and read where it listens.
 */
#include "cmd/sandbox/sandbox.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: ciform-sandbox [--port N] [--token T] [--state FILE] [--seed FILE]\n"
	"                      [--latency-ms N] [--fail-every N] [--throttle-every N] [--sync-ms N]\n"
	"                      [--fault MODE] [--record FILE] [--api NAME]\n"
	"                      [--lose-every N] [--freeze-after-writes N]\n\n"
	"A local stand-in for the Semaphore API (agent types, deployment targets,\n"
	"retention policies, projects, roles, secrets, tasks, notifications, dashboards),\n"
	"or with --api another vendor's, on 127.0.0.1. Prints its URL on stdout.\n\n"
	"  --api NAME          the API to answer: semaphore (default), or another vendor's\n"
	"  --port N            port to listen on; 0 picks a free one (default 0)\n"
	"  --token T           the API token clients must send (default: sandbox-token)\n"
	"  --seed FILE         initial organisation, as JSON (every key: cmd/sandbox/store.c)\n"
	"  --state FILE        keep the organisation in FILE, saved after every change;\n"
	"                      when FILE exists it is loaded instead of --seed\n"
	"  --latency-ms N      delay every request by N ms\n"
	"  --fail-every N      every Nth request answers 503 (before the server sees it)\n"
	"  --lose-every N      every Nth write (not GET) is carried out and saved, then\n"
	"                      answered 503: the answer lost, as when a proxy times out\n"
	"                      after the server committed\n"
	"  --freeze-after-writes N\n"
	"                      once N writes are carried out, hold every later request\n"
	"                      unanswered (a kill point for tests; the stats still answer)\n"
	"  --throttle-every N  every Nth request answers 429 with Retry-After: 1\n"
	"  --sync-ms N         a target stays SYNCING N ms after its secrets change (default 500)\n"
	"  --fault MODE        API requests misbehave: close (the connection, no answer),\n"
	"                      truncate (the body stops short), html (a 200 that is not JSON),\n"
	"                      shape (a 200 with JSON of the wrong shape), endless (a body that\n"
	"                      never ends), slow (a byte every 2 s), endless-pages (project pages\n"
	"                      always say more come), null-lists (target lists answer null),\n"
	"                      not-found-503 (every DELETE, to any --api, answers 503 with\n"
	"                      {\"message\": \"Not Found\"})\n"
	"  --record FILE       append every API request (method, path, query, body) to FILE as\n"
	"                      one JSON line, for tests that check what a client sent\n\n"
	"A target given an env var named SANDBOX_FAIL_SYNC ends its sync UNUSABLE.\n"
	"GET /_sandbox/stats (no token) counts the requests served, per route, and the\n"
	"writes carried out, lost and frozen.\n";

static int int_arg(const char *name, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (*end || n < 0 || n > 1000000000) {
		fprintf(stderr, "ciform-sandbox: error: %s takes a whole number, not '%s'\n", name, v);
		exit(1);
	}
	return (int)n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},       {"token", required_argument, NULL, 't'},
		{"state", required_argument, NULL, 's'},      {"seed", required_argument, NULL, 'S'},
		{"latency-ms", required_argument, NULL, 'l'}, {"fail-every", required_argument, NULL, 'f'},
		{"throttle-every", required_argument, NULL, 'T'}, {"sync-ms", required_argument, NULL, 'y'},
		{"fault", required_argument, NULL, 'F'},      {"record", required_argument, NULL, 'R'},
		{"api", required_argument, NULL, 'a'},        {"lose-every", required_argument, NULL, 'L'},
		{"freeze-after-writes", required_argument, NULL, 'Z'},
		{"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0},
	};
	sbx s = {.token = "sandbox-token", .sync_ms = 500};
	const char *seed = NULL;
	int port = 0, c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': port = int_arg("--port", optarg); break;
		case 't': s.token = optarg; break;
		case 's': s.state_file = optarg; break;
		case 'S': seed = optarg; break;
		case 'l': s.latency_ms = int_arg("--latency-ms", optarg); break;
		case 'f': s.fail_every = int_arg("--fail-every", optarg); break;
		case 'T': s.throttle_every = int_arg("--throttle-every", optarg); break;
		case 'y': s.sync_ms = int_arg("--sync-ms", optarg); break;
		case 'F':
			s.fault = optarg;
			if (!sbx_fault_known(optarg)) {
				fprintf(stderr, "ciform-sandbox: error: unknown --fault '%s' (see --help)\n", optarg);
				return 1;
			}
			break;
		case 'R': s.record_file = optarg; break;
		case 'L': s.lose_every = int_arg("--lose-every", optarg); break;
		case 'Z': s.freeze_after_writes = int_arg("--freeze-after-writes", optarg); break;
		case 'a':
			s.vendor = strcmp(optarg, "semaphore") ? sbx_vendor_named(optarg) : NULL;
			if (strcmp(optarg, "semaphore") && !s.vendor) {
				fprintf(stderr, "ciform-sandbox: error: unknown --api '%s' (see --help)\n", optarg);
				return 1;
			}
			break;
		case 'h': fputs(help, stdout); return 0;
		default: fputs("ciform-sandbox: error: invalid option (see --help)\n", stderr); return 1;
		}
	}
	if (optind < argc || port > 65535) {
		fputs("ciform-sandbox: error: invalid arguments (see --help)\n", stderr);
		return 1;
	}
	pthread_mutex_init(&s.lock, NULL);
	s.route_counts = cJSON_CreateObject();
	s.user_agents = cJSON_CreateObject();
	char *err = NULL;
	if (sbx_load(&s, seed, &err) != 0) {
		fprintf(stderr, "ciform-sandbox: error: %s\n", err ? err : "cannot load state");
		free(err);
		cJSON_Delete(s.route_counts);
		cJSON_Delete(s.user_agents);
		return 1;
	}
	/* block the signals before any thread starts, so only sigwait sees them */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	void *daemon = NULL;
	int bound = 0;
	if (sbx_serve(&s, port, &bound, &daemon) != 0) {
		fprintf(stderr, "ciform-sandbox: error: cannot listen on 127.0.0.1:%d\n", port);
		cJSON_Delete(s.state);
		cJSON_Delete(s.route_counts);
		cJSON_Delete(s.user_agents);
		return 1;
	}
	printf("http://127.0.0.1:%d\n", bound);
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	pthread_mutex_lock(&s.lock);
	s.stopping = true; /* frozen requests (faults.c) end, so the daemon can join them */
	pthread_mutex_unlock(&s.lock);
	sbx_stop(daemon);
	sbx_targets_changed(&s);
	cJSON_Delete(s.state);
	cJSON_Delete(s.route_counts);
	cJSON_Delete(s.user_agents);
	return 0;
}
