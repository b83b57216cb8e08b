/*
 * seed: the organisation every conformance test starts from, and the ids
 * the tests name. Two projects the caller belongs to, one it does not, roles
 * of both scopes, three users (a member with a git login, a member without,
 * and a member of the other project only), two agent types and one target.
 */
#ifndef CF_TEST_CONFORMANCE_SEED_H
#define CF_TEST_CONFORMANCE_SEED_H

#define ORG "99999999-9999-4999-8999-999999999999"
#define P_WEB "11111111-1111-4111-8111-111111111111"
#define P_API "11111111-1111-4111-8111-222222222222"
#define P_HIDDEN "11111111-1111-4111-8111-333333333333"
#define R_ORG_ADMIN "22222222-2222-4222-8222-000000000001"
#define R_PRJ_ADMIN "22222222-2222-4222-8222-000000000002"
#define R_CONTRIB "22222222-2222-4222-8222-000000000003"
#define U_OCTO "44444444-4444-4444-8444-000000000001"
#define U_NOLOGIN "44444444-4444-4444-8444-000000000002"
#define U_OUTSIDER "44444444-4444-4444-8444-000000000003"
#define T_PROD "33333333-3333-4333-8333-000000000001"
#define T_HIDDEN "33333333-3333-4333-8333-000000000002"

#define SEED_BODY(extra)                                                                         \
	"{\"org_id\": \"" ORG "\"," extra                                                        \
	" \"projects\": [{\"name\": \"web\", \"id\": \"" P_WEB "\"},"                            \
	"                {\"name\": \"api\", \"id\": \"" P_API "\"},"                            \
	"                {\"name\": \"hidden\", \"id\": \"" P_HIDDEN "\", \"member\": false}],"  \
	" \"roles\": [{\"name\": \"Admin\", \"id\": \"" R_ORG_ADMIN "\", \"scope\": \"org_scope\"},"   \
	"             {\"name\": \"Admin\", \"id\": \"" R_PRJ_ADMIN "\", \"scope\": \"project_scope\"," \
	"              \"description\": \"Full access\", \"permissions\": [\"project.view\"]},"  \
	"             {\"name\": \"Contributor\", \"id\": \"" R_CONTRIB "\", \"scope\": \"project_scope\"}]," \
	" \"users\": [{\"id\": \"" U_OCTO "\", \"git_login\": \"octocat\", \"projects\": [\"web\"]}," \
	"             {\"id\": \"" U_NOLOGIN "\", \"projects\": [\"" P_WEB "\"]},"              \
	"             {\"id\": \"" U_OUTSIDER "\", \"git_login\": \"outsider\", \"projects\": [\"api\"]}]," \
	" \"agent_types\": [{\"name\": \"s1-busy\", \"agents\": [{\"name\": \"a1\", \"busy\": true}," \
	"                                                     {\"name\": \"a2\", \"busy\": false}]}]," \
	" \"deployment_targets\": ["                                                             \
	"   {\"id\": \"" T_PROD "\", \"project\": \"web\", \"name\": \"prod\", \"url\": \"https://prod.example.com\"," \
	"    \"env_vars\": [{\"name\": \"TOKEN\", \"value\": \"prod-secret\"}],"                 \
	"    \"files\": [{\"path\": \"/etc/a.conf\", \"content\": \"aGVsbG8K\"}]},"              \
	"   {\"id\": \"" T_HIDDEN "\", \"project\": \"hidden\", \"name\": \"secret-place\"}]}"

#define SEED SEED_BODY("")

/* md5("prod-secret"), md5("aGVsbG8K") */
#define MD5_PROD_SECRET "e1dc47353439fcf66c9f05c52d2970f6"
#define MD5_FILE "6b70b3a2e20c0f3fe876d8a107b7753d"

#define TOKEN(n) "aaaaaaaa-0000-4000-8000-00000000000" #n
#define UT(n) "\"unique_token\": \"" TOKEN(n) "\""

#endif
