/*
 * config: where ciform finds the organisation and the token. Flags, then the
 * environment, then the sem CLI's ~/.sem.yaml, so a user already logged in
 * with `sem connect` needs no setup. The token is read, never printed.
 */
#include "reconciler/providers/semaphore/client.h"
#include "reconciler/urlpolicy.h"

#include "reconciler/fileio.h"

#include <curl/curl.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define API_PATH "/api/v1alpha"


int cf_sem_url_normalize(char **out, const char *org_url, cf_error *err)
{
	*out = NULL;
	if (!org_url || !*org_url)
		return cf_error_set(err, CF_EUSAGE, "no organisation URL (set SEMAPHORE_ORG_URL or --org-url)");
	bool has_scheme = strstr(org_url, "://") != NULL;
	char *full = has_scheme ? cf_xstrdup(org_url) : cf_xasprintf("https://%s", org_url);
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	int rc = CF_OK;
	if (curl_url_set(u, CURLUPART_URL, full, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = cf_error_set(err, CF_EUSAGE, "'%s' is not a URL", org_url);
	} else if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 && cf_host_is_loopback(host))) {
		rc = cf_error_set(err, CF_EUSAGE, "'%s': the organisation URL must use https "
				  "(plain http only for 127.0.0.1, ::1 or localhost)", org_url);
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
	free(full);
	return rc;
}

/* The value under key; with nocase, the key is matched ignoring case and
 * *found (when not NULL) is the key as the file writes it. */
static yaml_node_t *map_find(yaml_document_t *d, yaml_node_t *m, const char *key, bool nocase,
			     const char **found)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);
		if (!k || k->type != YAML_SCALAR_NODE)
			continue;
		const char *name = (const char *)k->data.scalar.value;
		if (nocase ? !strcasecmp(name, key) : !strcmp(name, key)) {
			if (found)
				*found = name;
			return yaml_document_get_node(d, p->value);
		}
	}
	return NULL;
}

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	return map_find(d, m, key, false, NULL);
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* contexts.NAME.host and contexts.NAME.auth.token from ~/.sem.yaml. */
static int from_sem_yaml(cf_sem_config *cfg, const char *home, const char *context, char **url,
			 cf_error *err)
{
	char *path = cf_xasprintf("%s/.sem.yaml", home ? home : "");
	FILE *f = home ? fopen(path, "rb") : NULL;
	if (!f) {
		free(path);
		return cf_error_set(err, CF_EUSAGE, "no connection settings: set SEMAPHORE_ORG_URL and "
				    "SEMAPHORE_API_TOKEN (or --org-url and --token-file), or log in with `sem connect`");
	}
	yaml_parser_t p;
	yaml_document_t d;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	int rc = CF_OK;
	if (!yaml_parser_load(&p, &d)) {
		rc = cf_error_set(err, CF_EUSAGE, "%s: invalid YAML at line %zu", path, p.problem_mark.line + 1);
	} else {
		yaml_node_t *root = yaml_document_get_root_node(&d);
		const char *name = context ? context : scalar(map_get(&d, root, "active-context"));
		/* sem's reader (viper) folds keys to lower case: "Acme" and "acme"
		 * are one context there, so they are here */
		const char *written = NULL;
		yaml_node_t *ctx = name ? map_find(&d, map_get(&d, root, "contexts"), name, true, &written) : NULL;
		const char *host = scalar(map_get(&d, ctx, "host"));
		const char *token = scalar(map_get(&d, map_get(&d, ctx, "auth"), "token"));
		if (!host || !token)
			rc = cf_error_set(err, CF_EUSAGE, "%s: no host and auth.token for context '%s'", path,
					  name ? name : "(no active-context)");
		else {
			*url = cf_xstrdup(host);
			cfg->token = cf_xstrdup(token);
			cfg->context = cf_xstrdup(written);
		}
		yaml_document_delete(&d);
	}
	yaml_parser_delete(&p);
	fclose(f);
	free(path);
	return rc;
}

void cf_sem_config_api(cf_sem_config *cfg)
{
	/* the API reference: a token as "Authorization: Token", and "All API requests
	 * must set the User-Agent to SemaphoreCI v2.0 Client" */
	cfg->auth_prefix = "Authorization: Token ";
	cfg->user_agent = "SemaphoreCI v2.0 Client";
	/* 401 is a bad token, or a good one without permission
	 * (public-api/v1alpha/lib/pipelines_api/deployments/authorize.ex: "Permission denied") */
	cfg->auth_hint = "check SEMAPHORE_API_TOKEN, --token-file or ~/.sem.yaml, and the token owner's role";
	cfg->forbidden_hint = "a feature of the organisation's plan that is not enabled";
}

int cf_sem_config_resolve(cf_sem_config *cfg, const cf_conn_settings *in, cf_error *err)
{
	memset(cfg, 0, sizeof(*cfg));
	cf_sem_config_api(cfg);
	cfg->connect_timeout_ms = 10000;
	cfg->timeout_ms = 60000;
	cfg->parallelism = 8;
	cfg->max_attempts = 5;
	cfg->retry_base_ms = 500;
	cfg->retry_max_ms = 30000;
	const char *url_in = in->org_url ? in->org_url : getenv("SEMAPHORE_ORG_URL");
	const char *env_token = getenv("SEMAPHORE_API_TOKEN");
	char *url = NULL;
	int rc = CF_OK;
	if (in->token_file)
		rc = (cfg->token = cf_token_file_read(in->token_file, "--token-file", err)) ? CF_OK : CF_EUSAGE;
	else if (env_token && *env_token)
		cfg->token = cf_xstrdup(env_token);
	if (rc == CF_OK && !url_in && !cfg->token) {
		rc = from_sem_yaml(cfg, in->home ? in->home : getenv("HOME"), in->context, &url, err);
		url_in = url;
	} else if (rc == CF_OK && !cfg->token) {
		rc = cf_error_set(err, CF_EUSAGE, "no API token: set SEMAPHORE_API_TOKEN or use --token-file");
	}
	if (rc == CF_OK)
		rc = cf_sem_url_normalize(&cfg->base_url, url_in, err);
	free(url);
	if (rc != CF_OK)
		cf_sem_config_clear(cfg);
	return rc;
}

void cf_sem_config_clear(cf_sem_config *cfg)
{
	cf_http_config_clear(cfg);
}
