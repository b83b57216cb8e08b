/*
 * config: where the CircleCI connection comes from. The token: --token-file,
 * CIRCLECI_TOKEN, then CIRCLE_TOKEN (the name the official Terraform provider
 * and the v1 CLI read: CircleCI-Public/terraform-provider-circleci
 * internal/provider/provider.go). The host: --circleci-host, CIRCLECI_HOST, then CIRCLE_HOST,
 * default https://circleci.com; the Terraform provider's host carries
 * /api/v2 (its docs/index.md), so a trailing /api/v1.1, /api/v2 or /api/v3 is
 * cut off. With neither host nor token set, the circleci CLI's own files
 * answer, so a user who ran `circleci setup` needs nothing more. Never printed.
 */
#include "reconciler/providers/circleci/client.h"
#include "reconciler/urlpolicy.h"

#include "reconciler/fileio.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define DEFAULT_HOST "https://circleci.com"

static const char *env(const char *a, const char *b)
{
	const char *v = getenv(a);
	if (v && *v)
		return v;
	v = b ? getenv(b) : NULL;
	return v && *v ? v : NULL;
}

/* Cuts a trailing "/", "/api/v1.1", "/api/v2" or "/api/v3" off path. */
static void strip_api(char *path)
{
	static const char *const tails[] = {"/api/v1.1", "/api/v2", "/api/v3", NULL};
	size_t n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		path[--n] = '\0';
	for (size_t i = 0; tails[i]; i++) {
		size_t t = strlen(tails[i]);
		if (n >= t && !strcmp(path + n - t, tails[i])) {
			path[n - t] = '\0';
			return;
		}
	}
}

int cf_cci_host_normalize(char **out, const char *host, cf_error *err)
{
	*out = NULL;
	char *full = strstr(host, "://") ? cf_xstrdup(host) : cf_xasprintf("https://%s", host);
	CURLU *u = curl_url();
	char *scheme = NULL, *name = NULL, *port = NULL, *path = NULL;
	int rc = CF_OK;
	if (curl_url_set(u, CURLUPART_URL, full, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &name, 0) != CURLUE_OK) {
		rc = cf_error_set(err, CF_EUSAGE, "CIRCLECI_HOST '%s' is not a URL", host);
	} else if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 && cf_host_is_loopback(name))) {
		rc = cf_error_set(err, CF_EUSAGE, "CIRCLECI_HOST '%s' must use https (plain http only for "
				  "127.0.0.1, ::1 or localhost)", host);
	} else {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		curl_url_get(u, CURLUPART_PATH, &path, 0);
		char *p = cf_xstrdup(path ? path : "");
		strip_api(p);
		*out = cf_xasprintf("%s://%s%s%s%s", scheme, name, port ? ":" : "", port ? port : "", p);
		free(p);
	}
	curl_free(scheme);
	curl_free(name);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	free(full);
	return rc;
}

/* The top-level scalars of a flat YAML file (the CLI's config files). */
static cJSON *read_flat_yaml(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	yaml_parser_t p;
	yaml_document_t d;
	cJSON *out = NULL;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	if (yaml_parser_load(&p, &d)) {
		out = cJSON_CreateObject();
		yaml_node_t *root = yaml_document_get_root_node(&d);
		for (yaml_node_pair_t *kv = root && root->type == YAML_MAPPING_NODE ? root->data.mapping.pairs.start : NULL;
		     kv && kv < root->data.mapping.pairs.top; kv++) {
			yaml_node_t *k = yaml_document_get_node(&d, kv->key), *v = yaml_document_get_node(&d, kv->value);
			if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE)
				cJSON_AddStringToObject(out, (const char *)k->data.scalar.value,
							(const char *)v->data.scalar.value);
		}
		yaml_document_delete(&d);
	}
	yaml_parser_delete(&p);
	fclose(f);
	return out;
}

/* The circleci CLI's settings: $XDG_CONFIG_HOME/circleci/config.yml (keys
 * host, token: CircleCI-Public/circleci-cli internal/config/config.go), then
 * the legacy ~/.circleci/cli.yml (host, token, rest_endpoint:
 * settings/settings.go); endpoint, tls_cert and tls_insecure are ignored. */
static int from_cli(cf_http_config *cfg, char **host, const char *home, cf_error *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	char *modern = xdg && *xdg ? cf_xasprintf("%s/circleci/config.yml", xdg)
				   : cf_xasprintf("%s/.config/circleci/config.yml", home ? home : "");
	char *legacy = cf_xasprintf("%s/.circleci/cli.yml", home ? home : "");
	const char *used = modern;
	cJSON *y = read_flat_yaml(modern);
	if (!y) {
		y = read_flat_yaml(legacy);
		used = legacy;
	}
	int rc = CF_OK;
	const char *rest = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(y, "rest_endpoint"));
	const char *tok = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(y, "token"));
	const char *h = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(y, "host"));
	if (!y)
		rc = cf_error_set(err, CF_EUSAGE, "no CircleCI connection settings: set CIRCLECI_TOKEN (or "
				  "--token-file) and CIRCLECI_HOST, or run `circleci setup`");
	else if (rest && *rest && strcmp(rest, "api/v2") && strcmp(rest, "/api/v2"))
		rc = cf_error_set(err, CF_EUSAGE, "%s: rest_endpoint '%s' is not api/v2, the only API ciform "
				  "speaks", used, rest);
	else if (!tok || !*tok)
		rc = cf_error_set(err, CF_EUSAGE, "%s holds no token (a CLI that keeps it in the OS keyring "
				  "leaves none there): set CIRCLECI_TOKEN", used);
	else {
		cfg->token = cf_xstrdup(tok);
		*host = cf_xstrdup(h && *h ? h : DEFAULT_HOST);
	}
	cJSON_Delete(y);
	free(modern);
	free(legacy);
	return rc;
}

int cf_cci_config_resolve(cf_http_config *cfg, char **host, const cf_conn_settings *in, cf_error *err)
{
	memset(cfg, 0, sizeof(*cfg));
	*host = NULL;
	cfg->auth_prefix = "Circle-Token: "; /* PUB internal/circleci/client/client.go */
	cfg->auth_hint = "check CIRCLECI_TOKEN or --token-file: a personal API token";
	cfg->forbidden_hint = "the token's user lacks a role here; for a context, it may also be gone";
	cfg->connect_timeout_ms = 10000;
	cfg->timeout_ms = 60000;
	cfg->parallelism = 8;
	cfg->max_attempts = 5;
	cfg->retry_429_writes = true; /* a 429 did nothing: a POST may go again (docs/circleci.md) */
	cfg->retry_base_ms = 500;
	cfg->retry_max_ms = 30000;
	/* --circleci-host wins over CIRCLECI_HOST and CIRCLE_HOST */
	const char *h = in ? cf_conn_option(in, "circleci-host") : NULL;
	if (!h)
		h = env("CIRCLECI_HOST", "CIRCLE_HOST");
	const char *t = env("CIRCLECI_TOKEN", "CIRCLE_TOKEN");
	char *origin_in = NULL;
	int rc = CF_OK;
	/* --circleci-token-file, else --token-file, else the environment */
	const char *file = in ? cf_conn_option(in, "circleci-token-file") : NULL, *flag = "--circleci-token-file";
	if (!file && in) {
		file = in->token_file;
		flag = "--token-file";
	}
	if (file)
		rc = (cfg->token = cf_token_file_read(file, flag, err)) ? CF_OK : CF_EUSAGE;
	else if (t)
		cfg->token = cf_xstrdup(t);
	if (rc == CF_OK && !cfg->token && !h)
		rc = from_cli(cfg, &origin_in, in && in->home ? in->home : getenv("HOME"), err);
	else if (rc == CF_OK && !cfg->token)
		rc = cf_error_set(err, CF_EUSAGE, "no CircleCI token: set CIRCLECI_TOKEN or use --token-file");
	else if (rc == CF_OK)
		origin_in = cf_xstrdup(h ? h : DEFAULT_HOST);
	if (rc == CF_OK)
		rc = cf_cci_host_normalize(host, origin_in, err);
	if (rc == CF_OK)
		cfg->base_url = cf_xasprintf("%s/api/v2", *host);
	free(origin_in);
	if (rc != CF_OK) {
		cf_http_config_clear(cfg);
		free(*host);
		*host = NULL;
	}
	return rc;
}
