/*
 * config: where the Buildkite provider finds its organisation slug, its
 * token and its API URL. The environment first (BUILDKITE_ORGANIZATION_SLUG,
 * BUILDKITE_ORGANIZATION, BUILDKITE_API_TOKEN, BUILDKITE_API_URL), then
 * --token-file and --org (--api-url wins over the variable), and, when neither the organisation nor the token is given,
 * the bk CLI's own user config, so a user logged in with `bk configure`
 * needs no setup. The repository's .bk.yaml is never read: a pull request
 * controls it. The token is read, never printed.
 */
#include "reconciler/providers/buildkite/bk.h"
#include "reconciler/urlpolicy.h"

#include "reconciler/fileio.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#define DEFAULT_URL "https://api.buildkite.com"
#define API_PATH "/v2"

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* https, or http on a loopback host only; /v2 appended unless present. */
int cf_bk_url_normalize(char **out, const char *url, cf_error *err)
{
	*out = NULL;
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	int rc = CF_OK;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = cf_error_set(err, CF_EUSAGE, "the Buildkite API URL '%s' is not a URL", url);
	} else if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 && cf_host_is_loopback(host))) {
		rc = cf_error_set(err, CF_EUSAGE, "the Buildkite API URL '%s' must use https "
				  "(plain http only for 127.0.0.1, ::1 or localhost)", url);
	} else {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		curl_url_get(u, CURLUPART_PATH, &path, 0);
		size_t pl = path ? strlen(path) : 0;
		while (pl > 0 && path[pl - 1] == '/')
			path[--pl] = '\0';
		bool has_api = pl >= strlen(API_PATH) && !strcmp(path + pl - strlen(API_PATH), API_PATH);
		*out = cf_xasprintf("%s://%s%s%s%s%s", scheme, host, port ? ":" : "", port ? port : "",
				    path ? path : "", has_api ? "" : API_PATH);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

static char *read_small(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = cf_xcalloc(max + 1, 1);
	size_t n = fread(buf, 1, max, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);
		if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length ? (const char *)n->data.scalar.value : NULL;
}

/* The CLI's file store (buildkite/cli pkg/keyring/keyring.go shmCredentialPath:
 * BUILDKITE_CREDENTIAL_STORE_PATH, else /dev/shm/buildkite-cli-UID/credentials.json;
 * its JSON is {"services": {"buildkite-cli": {ORG: TOKEN}}}). */
static char *shm_token(const char *org)
{
	char def[96];
	snprintf(def, sizeof(def), "/dev/shm/buildkite-cli-%u/credentials.json", (unsigned)getuid());
	const char *path = env("BUILDKITE_CREDENTIAL_STORE_PATH") ? env("BUILDKITE_CREDENTIAL_STORE_PATH") : def;
	char *text = read_small(path, 1 << 20);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "services"), "buildkite-cli"), org));
	char *out = t && *t ? cf_xstrdup(t) : NULL;
	cJSON_Delete(j);
	free(text);
	return out;
}

/* buildkite/cli internal/config/config.go: configFile ($XDG_CONFIG_HOME/bk.yaml,
 * else ~/.config/bk.yaml), fileConfig.selected_org, and the legacy
 * organizations.ORG.api_token (APITokenForOrg), else the file store. */
static int from_bk_yaml(cf_bk_config *cfg, const char *home, cf_error *err)
{
	char *path = env("XDG_CONFIG_HOME") ? cf_xasprintf("%s/bk.yaml", env("XDG_CONFIG_HOME"))
					    : cf_xasprintf("%s/.config/bk.yaml", home ? home : "");
	char *text = read_small(path, 1 << 20);
	int rc = CF_OK;
	yaml_parser_t p;
	yaml_document_t d;
	yaml_parser_initialize(&p);
	if (!text) {
		rc = cf_error_set(err, CF_EUSAGE, "no Buildkite connection settings: set BUILDKITE_ORGANIZATION_SLUG "
				  "and BUILDKITE_API_TOKEN (or --token-file), or log in with `bk configure`");
	} else {
		yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
		if (!yaml_parser_load(&p, &d)) {
			rc = cf_error_set(err, CF_EUSAGE, "%s: invalid YAML at line %zu", path, p.problem_mark.line + 1);
		} else {
			yaml_node_t *root = yaml_document_get_root_node(&d);
			const char *org = scalar(map_get(&d, root, "selected_org"));
			const char *tok = org ? scalar(map_get(&d, map_get(&d, map_get(&d, root, "organizations"), org),
							       "api_token")) : NULL;
			if (!org)
				rc = cf_error_set(err, CF_EUSAGE, "%s: no selected_org", path);
			else if (!(cfg->http.token = tok ? cf_xstrdup(tok) : shm_token(org)))
				/* the OS keychain is not read: a library cannot unlock it unasked */
				rc = cf_error_set(err, CF_EUSAGE, "%s: no token for organization '%s' in bk.yaml or the "
						  "CLI's file store (ciform does not read the OS keychain): set "
						  "BUILDKITE_API_TOKEN, or log in with BUILDKITE_CREDENTIAL_STORE=shm bk configure",
						  path, org);
			if (org)
				cfg->org = cf_xstrdup(org);
			cfg->source = cf_xstrdup("bk.yaml");
			yaml_document_delete(&d);
		}
	}
	yaml_parser_delete(&p);
	free(text);
	free(path);
	return rc;
}

static void defaults(cf_bk_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->http.auth_prefix = "Authorization: Bearer "; /* docs pages/apis/rest_api.md; tf client.go NewClient */
	cfg->http.auth_hint = "check BUILDKITE_API_TOKEN, --token-file or the bk CLI's login";
	/* docs organizations/pipeline_settings.md: 403 is a missing scope or a non-admin */
	cfg->http.forbidden_hint = "the token's scopes, and whether its user is an organization admin";
	cfg->http.connect_timeout_ms = 10000;
	cfg->http.timeout_ms = 60000;
	cfg->http.parallelism = 8;
	cfg->http.max_attempts = 5; /* at most 5 attempts (docs/buildkite.md) */
	/* docs rate_limits.md: RateLimit-* and RateLimit-User-* on every answer;
	 * a 429 is retried for any method, after the longest reset (gob
	 * buildkite.go retryDelay, capped at 120 s) */
	cfg->http.rate_limit_headers = true;
	cfg->http.retry_429_writes = true;
	cfg->http.retry_base_ms = 500;
	cfg->http.retry_max_ms = 120000; /* gob buildkite.go retryDelay caps at 120 s */
}

int cf_bk_config_resolve(cf_bk_config *cfg, const cf_conn_settings *in, cf_error *err)
{
	defaults(cfg);
	const char *org = env("BUILDKITE_ORGANIZATION_SLUG") ? env("BUILDKITE_ORGANIZATION_SLUG")
							     : env("BUILDKITE_ORGANIZATION"); /* tf util.go getenv */
	if (!org && in)
		org = cf_conn_option(in, "org"); /* --org SLUG */
	const char *url = in && cf_conn_option(in, "api-url") ? cf_conn_option(in, "api-url") /* --api-url */
			  : env("BUILDKITE_API_URL") ? env("BUILDKITE_API_URL") : DEFAULT_URL;
	int rc = CF_OK;
	/* a file named on the command line wins over the environment, as for
	 * every vendor: --buildkite-token-file, else --token-file (docs/commands.md) */
	const char *file = in ? cf_conn_option(in, "buildkite-token-file") : NULL, *flag = "--buildkite-token-file";
	if (!file && in) {
		file = in->token_file;
		flag = "--token-file";
	}
	if (file)
		rc = (cfg->http.token = cf_token_file_read(file, flag, err)) ? CF_OK : CF_EUSAGE;
	else if (env("BUILDKITE_API_TOKEN"))
		cfg->http.token = cf_xstrdup(env("BUILDKITE_API_TOKEN"));
	if (org)
		cfg->org = cf_xstrdup(org);
	if (rc == CF_OK && !org && !cfg->http.token)
		rc = from_bk_yaml(cfg, in && in->home ? in->home : getenv("HOME"), err);
	else if (rc == CF_OK && !cfg->http.token)
		rc = cf_error_set(err, CF_EUSAGE, "no Buildkite API token: set BUILDKITE_API_TOKEN or use --token-file");
	else if (rc == CF_OK && !org)
		rc = cf_error_set(err, CF_EUSAGE, "no Buildkite organization: set BUILDKITE_ORGANIZATION_SLUG or use --org");
	if (rc == CF_OK)
		rc = cf_bk_url_normalize(&cfg->http.base_url, url, err);
	if (rc != CF_OK)
		cf_bk_config_clear(cfg);
	return rc;
}

void cf_bk_config_clear(cf_bk_config *cfg)
{
	cf_http_config_clear(&cfg->http);
	free(cfg->org);
	free(cfg->source);
	cfg->org = cfg->source = NULL;
}
