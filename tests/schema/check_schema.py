#!/usr/bin/python3
"""`ciform schema` and `ciform validate --strict` give the same verdict.

The schema is generated from the tables validate checks with; this runs a
table of good and bad documents through both and expects, for each, the
verdict the table gives, from both. Every manifest in specs-examples/ must
satisfy the schema too. (That specs-examples/ciform.schema.json is exactly
`ciform schema`'s output is tests/e2e/test_schema.c.)

Left out, because a JSON Schema cannot say it, and why:
- a valueFrom.env variable that is not set, a valueFrom.file or source that
  does not exist or leaves the spec tree, a secrets total over 6 MB: they
  depend on the machine, not the document;
- a REGEX pattern that does not compile: regular expressions cannot be
  checked by one;
- two env vars with one name, two files with one path: uniqueness by a key
  of the items is beyond draft-07 (uniqueItems compares whole items);
- an empty subject_rules or object_rules list: valid, a warning that only
  --strict turns into a failure (a target frozen on purpose);
- a document with a duplicate key: YAML readers other than ciform keep the
  last one, so the schema never sees the first;
- a number where a patterned string is expected (name: 2024): ciform reads
  the text written, a JSON Schema sees a number; quote it;
- a selector over 100 bytes but not 100 characters: ciform counts bytes as
  the API does, JSON Schema counts characters.
Usage: check_schema.py CIFORM_BIN SOURCE_DIR
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ciform, source = sys.argv[1], sys.argv[2]
examples = os.path.join(source, "specs-examples")
schema = json.loads(subprocess.run([ciform, "schema"], capture_output=True, check=True, text=True).stdout)
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)

AT = "apiVersion: v1alpha\nkind: SelfHostedAgentType\n"
DT = "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
DT_META = "apiVersion: v1alpha\nkind: DeploymentTarget\n"
RP = "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata: {project: b}\n"
UUID = "3796efe0-81a0-4157-8774-7ad72d41ac28"
MD5 = "9dd4e461268c8034f5c8564e155c67a6 [md5]"


def rules(level, n):
    return "spec:\n  %s:\n" % level + "".join("    - {selector: /r%d, age: 1 week}\n" % i for i in range(n))


# (what, document, valid?)
CASES = [
    # SelfHostedAgentType
    ("minimal agent type", AT + "metadata: {name: s1-a}\n", True),
    ("agent origin, release_after 0", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: "
     "{assignment_origin: assignment_origin_agent, release_after: 0}}\n", True),
    ("release_after 60", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: {release_after: 60}}\n", True),
    ("aws_sts with its aws block", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: {assignment_origin: "
     "assignment_origin_aws_sts, aws: {account_id: '000123', role_name_patterns: 'r-*'}}}\n", True),
    ("numeric account_id", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: {assignment_origin: "
     "assignment_origin_aws_sts, aws: {account_id: 123456789012, role_name_patterns: 'r-*'}}}\n", True),
    ("aws: null, as the API answers", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: "
     "{assignment_origin: assignment_origin_agent, aws: null, release_after: 0}}\n", True),
    ("agent type to delete", AT + "metadata: {name: s1-old, ensure: absent}\n", True),
    ("output-only keys as sem prints them", AT + "metadata: {name: s1-a, id: x, create_time: 1, update_time: 2}\n"
     "spec: {agent_name_settings: {release_after: 0}, state: x}\nstatus: {total_agent_count: 0}\n", True),
    ("agent type name without s1-", AT + "metadata: {name: linux}\n", False),
    ("release_after of 30", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: {release_after: 30}}\n", False),
    ("release_after below 0", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: {release_after: -1}}\n",
     False),
    ("release_after quoted", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: {release_after: '60'}}\n",
     False),
    ("aws_sts without aws", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: "
     "{assignment_origin: assignment_origin_aws_sts}}\n", False),
    ("aws block with assignment_origin_agent", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: "
     "{aws: {account_id: '1', role_name_patterns: r}}}\n", False),
    ("aws without role_name_patterns", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: "
     "{assignment_origin: assignment_origin_aws_sts, aws: {account_id: '1'}}}\n", False),
    ("unknown key in agent_name_settings", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: {size: 2}}\n",
     False),
    ("unknown assignment_origin", AT + "metadata: {name: s1-a}\nspec: {agent_name_settings: "
     "{assignment_origin: assignment_origin_gcp}}\n", False),
    ("ensure: maybe", AT + "metadata: {name: s1-a, ensure: maybe}\n", False),
    ("no metadata", AT + "spec: {}\n", False),
    ("agent type without a name", AT + "metadata: {ensure: present}\n", False),
    ("apiVersion v1", "apiVersion: v1\nkind: SelfHostedAgentType\nmetadata: {name: s1-a}\n", False),
    ("unknown kind", "apiVersion: v1alpha\nkind: Secret\nmetadata: {name: a}\n", False),
    ("unknown top-level key", AT + "metadata: {name: s1-a}\nlabels: {}\n", False),
    # DeploymentTarget
    ("minimal target", DT, True),
    ("target by project_id", DT_META + "metadata: {name: a, project_id: %s}\n" % UUID, True),
    ("target with every kind of rule and secret", DT_META + "metadata: {name: prod.eu-1, project: b, "
     "description: d, url: 'https://x'}\nspec:\n  active: false\n  bookmark_parameter1: env\n"
     "  subject_rules:\n    - {type: ROLE, subject_id: Admin}\n    - {type: USER, git_login: octocat}\n"
     "    - {type: USER, subject_id: %s}\n    - {type: GROUP, subject_id: ops}\n    - {type: AUTO}\n"
     "    - {type: ANY}\n  object_rules:\n    - {type: BRANCH, match_mode: EXACT, pattern: main}\n"
     "    - {type: TAG, match_mode: REGEX, pattern: '^v[0-9]+'}\n    - {type: PR, match_mode: ALL}\n"
     "    - {type: BRANCH}\n  env_vars:\n    - {name: A, value: x}\n    - {name: B, valueFrom: {env: HOME}}\n"
     "    - {name: C, valueFrom: {file: a.pem}}\n    - {name: D, value: '%s'}\n  files:\n"
     "    - {path: /a, content: YWJj}\n    - {path: /b, source: a.pem}\n    - {path: /c, content: '%s'}\n"
     "    - {path: /d, content: YQ==}\n" % (UUID, MD5, MD5), True),
    ("sem get dt -o yaml", DT_META + "metadata:\n"
     "  id: e79d3d1c-61cc-4e07-ba32-f86694f5e80d\n  name: prod\n"
     "  project_id: a426b4db-1919-483d-926d-06ba1320b209\n"
     "  organization_id: 7304b7f9-7482-46d4-9b95-3cd5a6ef2e6f\n"
     "  created_by: 02984c87-efe8-4ea1-bcac-9511a34a3df3\n  created_at: 2023-06-01T10:07:36Z\n"
     "  updated_by: 02984c87-efe8-4ea1-bcac-9511a34a3df3\n  updated_at: 2023-06-07T09:24:04Z\n"
     "  description: Production\n  url: https://app.example.com\n"
     "spec:\n  state: USABLE\n  state_message: ''\n"
     "  subject_rules:\n  - type: USER\n    subject_id: 02984c87-efe8-4ea1-bcac-9511a34a3df3\n"
     "    git_login: octocat\n"
     "  object_rules:\n  - type: BRANCH\n    match_mode: ALL\n    pattern: ''\n"
     "  last_deployment:\n    id: 5b1d5e4c-3f39-4c1e-8a3a-0f2f4a4d2b11\n    state: STARTED\n"
     "  active: true\n  bookmark_parameter1: ''\n  bookmark_parameter2: ''\n  bookmark_parameter3: ''\n"
     "  env_vars:\n  - name: TOKEN\n    value: %s\n"
     "  files:\n  - path: /etc/app.conf\n    content: 5d41402abc4b2a76b9719d911017c592 [md5]\n"
     "    source: ''\n" % MD5, True),
    ("PR rule with EXACT and a pattern", DT + "spec: {object_rules: [{type: PR, match_mode: EXACT, pattern: x}]}\n",
     True),
    ("nulls for optional keys", DT_META + "metadata: {name: a, project: b, description: null, url: ~}\n"
     "spec: {bookmark_parameter2: null, env_vars: null, active: null}\n", True),
    ("quoted number as a name", DT_META + "metadata: {name: '2024', project: b}\n", True),
    ("numbers and booleans as free text", DT_META + "metadata: {name: a, project: b, description: 42}\n"
     "spec: {bookmark_parameter1: true, env_vars: [{name: N, value: 8080}]}\n", True),
    ("target to delete", DT_META + "metadata: {name: a, project: b, ensure: absent}\n", True),
    ("project and project_id", DT_META + "metadata: {name: a, project: b, project_id: %s}\n" % UUID, False),
    ("neither project nor project_id", DT_META + "metadata: {name: a}\n", False),
    ("project_id that is no UUID", DT_META + "metadata: {name: a, project_id: web}\n", False),
    ("target name with a space", DT_META + "metadata: {name: 'a b', project: b}\n", False),
    ("target name of 256 characters", DT_META + "metadata: {name: %s, project: b}\n" % ("n" * 256), False),
    ("unknown subject rule type", DT + "spec: {subject_rules: [{type: TEAM}]}\n", False),
    ("ROLE rule without subject_id", DT + "spec: {subject_rules: [{type: ROLE}]}\n", False),
    ("ROLE rule with an empty subject_id", DT + "spec: {subject_rules: [{type: ROLE, subject_id: ''}]}\n", False),
    ("USER rule with neither login nor id", DT + "spec: {subject_rules: [{type: USER, git_login: ''}]}\n", False),
    ("ANY rule with a subject_id", DT + "spec: {subject_rules: [{type: ANY, subject_id: Admin}]}\n", False),
    ("AUTO rule with a git_login", DT + "spec: {subject_rules: [{type: AUTO, git_login: octocat}]}\n", False),
    ("subject rule that is no mapping", DT + "spec: {subject_rules: [ROLE]}\n", False),
    ("PR rule EXACT without pattern", DT + "spec: {object_rules: [{type: PR, match_mode: EXACT}]}\n", False),
    ("REGEX rule with an empty pattern", DT + "spec: {object_rules: [{type: TAG, match_mode: REGEX, pattern: ''}]}\n",
     False),
    ("unknown match_mode", DT + "spec: {object_rules: [{type: TAG, match_mode: PREFIX, pattern: v}]}\n", False),
    ("unknown object rule type", DT + "spec: {object_rules: [{type: COMMIT}]}\n", False),
    ("env var name with a dash", DT + "spec: {env_vars: [{name: A-B, value: x}]}\n", False),
    ("env var with value and valueFrom", DT + "spec: {env_vars: [{name: A, value: x, valueFrom: {env: HOME}}]}\n",
     False),
    ("env var with neither value nor valueFrom", DT + "spec: {env_vars: [{name: A}]}\n", False),
    ("empty env var value", DT + "spec: {env_vars: [{name: A, value: ''}]}\n", False),
    ("valueFrom with env and file", DT + "spec: {env_vars: [{name: A, valueFrom: {env: HOME, file: a.pem}}]}\n",
     False),
    ("valueFrom with neither env nor file", DT + "spec: {env_vars: [{name: A, valueFrom: {}}]}\n", False),
    ("env_vars as a mapping", DT + "spec: {env_vars: {A: x}}\n", False),
    ("file with content and a source", DT + "spec: {files: [{path: /p, content: YQ==, source: a.pem}]}\n", False),
    ("file with an empty source only", DT + "spec: {files: [{path: /p, source: ''}]}\n", False),
    ("empty file content", DT + "spec: {files: [{path: /p, content: ''}]}\n", False),
    ("file content that is no base64", DT + "spec: {files: [{path: /p, content: abc}]}\n", False),
    ("base64 padding in the middle", DT + "spec: {files: [{path: /p, content: 'YW=jYWJj'}]}\n", False),
    ("base64 with a space", DT + "spec: {files: [{path: /p, content: 'YWJj YWJj'}]}\n", False),
    ("md5 placeholder that is not one", DT + "spec: {files: [{path: /p, content: 'abc [md5]'}]}\n", False),
    ("file without a path", DT + "spec: {files: [{content: YQ==}]}\n", False),
    ("active as a quoted word", DT + "spec: {active: 'yes'}\n", False),
    ("unknown metadata key", DT_META + "metadata: {name: a, project: b, x: 1}\n", False),
    ("unknown spec key", DT + "spec: {secrets: []}\n", False),
    # ArtifactRetentionPolicy
    ("minimal retention policy", RP + "spec: {job_level_retention_policies: [{selector: /a, age: 2 weeks}]}\n",
     True),
    ("every level and age", RP + "spec:\n  project_level_retention_policies: [{selector: '/**/*', age: 1 year}]\n"
     "  workflow_level_retention_policies: [{selector: /w, age: 12 months}, {selector: /x, age: 1 day}]\n"
     "  job_level_retention_policies: []\n", True),
    ("retention by project_id", "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\n"
     "metadata: {project_id: %s}\n" % UUID + rules("project_level_retention_policies", 1), True),
    ("ten rules in a level", RP + rules("job_level_retention_policies", 10), True),
    ("selector of 100 characters", RP + "spec: {job_level_retention_policies: [{selector: /%s, age: 3 days}]}\n"
     % ("s" * 99), True),
    ("retention without rules", RP + "spec: {job_level_retention_policies: []}\n", False),
    ("retention without spec", RP, False),
    ("retention with spec: null", RP + "spec: null\n", False),
    ("retention age of 13 weeks", RP + "spec: {job_level_retention_policies: [{selector: /a, age: 13 weeks}]}\n",
     False),
    ("retention age of 0 days", RP + "spec: {job_level_retention_policies: [{selector: /a, age: 0 days}]}\n", False),
    ("retention age in fortnights", RP + "spec: {job_level_retention_policies: [{selector: /a, age: 2 fortnights}]}\n",
     False),
    ("eleven rules in a level", RP + rules("workflow_level_retention_policies", 11), False),
    ("empty selector", RP + "spec: {job_level_retention_policies: [{selector: '', age: 1 week}]}\n", False),
    ("selector of 101 characters", RP + "spec: {job_level_retention_policies: [{selector: /%s, age: 3 days}]}\n"
     % ("s" * 100), False),
    ("absent retention policy", "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\n"
     "metadata: {project: b, ensure: absent}\n" + rules("job_level_retention_policies", 1), False),
    ("rule without an age", RP + "spec: {job_level_retention_policies: [{selector: /a}]}\n", False),
    ("unknown key in a rule", RP + "spec: {job_level_retention_policies: [{selector: /a, age: 1 week, x: 1}]}\n",
     False),
    ("retention with project and project_id", "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\n"
     "metadata: {project: b, project_id: %s}\n" % UUID + rules("job_level_retention_policies", 1), False),
]

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


manifests = 0
for path in sorted(glob.glob(os.path.join(examples, "**", "*.y*ml"), recursive=True)):
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if not isinstance(doc, dict) or ("apiVersion" not in doc and "kind" not in doc):
                continue
            manifests += 1
            errors = [e.message for e in validator.iter_errors(doc)]
            check(not errors, "%s (%s): %s" % (path, doc.get("metadata"), errors))
check(manifests >= 10, "found only %d example manifests" % manifests)

check(len(CASES) >= 50, "only %d cases" % len(CASES))
check(len({c[0] for c in CASES}) == len(CASES), "two cases share a name")
env = dict(os.environ, HOME=os.environ.get("HOME", "/root"))
with tempfile.TemporaryDirectory() as tmp:
    with open(os.path.join(tmp, "a.pem"), "w") as f:
        f.write("not empty\n")
    spec = os.path.join(tmp, "t.yaml")
    for what, text, valid in CASES:
        verdict = "valid" if valid else "invalid"
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(text))]
        check((not errors) == valid, "the schema finds '%s' %s: %s" % (what, "invalid" if valid else "valid",
                                                                       errors))
        with open(spec, "w") as f:
            f.write(text)
        res = subprocess.run([ciform, "validate", "--strict", spec], capture_output=True, text=True, env=env)
        check((res.returncode == 0) == valid, "ciform validate --strict does not find '%s' %s (exit %d): %s"
              % (what, verdict, res.returncode, res.stderr.strip()))

print("schema: %d passed, %d failed (%d cases)" % (passed, failed, len(CASES)))
sys.exit(1 if failed else 0)
