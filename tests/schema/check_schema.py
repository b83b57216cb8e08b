#!/usr/bin/python3
"""ciform.schema.json against the examples and against ciform itself.

Every manifest in specs-examples/ must satisfy the schema, each broken
document below must be refused both by the schema and by `ciform validate`,
and each accepted one (mostly as `sem get ... -o yaml` prints it) accepted by
both, so editors and ciform agree on what a valid spec is.
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
with open(os.path.join(examples, "ciform.schema.json")) as f:
    schema = json.load(f)
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)

BROKEN = {
    "agent type name without s1-": "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: linux}\n",
    "release_after of 30": "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-a}\n"
                           "spec: {agent_name_settings: {release_after: 30}}\n",
    "aws_sts without aws": "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-a}\n"
                           "spec: {agent_name_settings: {assignment_origin: assignment_origin_aws_sts}}\n",
    "unknown metadata key": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b, x: 1}\n",
    "project and project_id": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b, "
                              "project_id: 3796efe0-81a0-4157-8774-7ad72d41ac28}\n",
    "unknown subject rule type": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
                                 "spec: {subject_rules: [{type: TEAM}]}\n",
    "env var with value and valueFrom": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
                                        "spec: {env_vars: [{name: A, value: x, valueFrom: {env: HOME}}]}\n",
    "env var name with a dash": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
                                "spec: {env_vars: [{name: A-B, value: x}]}\n",
    "retention age of 13 weeks": "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata: {project: b}\n"
                                 "spec: {job_level_retention_policies: [{selector: /a, age: 13 weeks}]}\n",
    "retention without rules": "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata: {project: b}\n"
                               "spec: {job_level_retention_policies: []}\n",
    "absent retention policy": "apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata: {project: b, ensure: absent}\n"
                               "spec: {job_level_retention_policies: [{selector: /a, age: 1 week}]}\n",
    "unknown kind": "apiVersion: v1alpha\nkind: Secret\nmetadata: {name: a}\n",
    "empty env var value": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
                           "spec: {env_vars: [{name: A, value: ''}]}\n",
    "empty file content": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
                          "spec: {files: [{path: /p, content: ''}]}\n",
    "file with content and a source": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
                                      "spec: {files: [{path: /p, content: YQ==, source: a.pem}]}\n",
    "file with an empty source only": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
                                      "spec: {files: [{path: /p, source: ''}]}\n",
    "PR rule EXACT without pattern": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
                                     "spec: {object_rules: [{type: PR, match_mode: EXACT}]}\n",
    "aws block with assignment_origin_agent": "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-a}\n"
                                              "spec: {agent_name_settings: {aws: {account_id: '1', role_name_patterns: r}}}\n",
}

ACCEPTED = {
    "numeric account_id": "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-a}\n"
                          "spec: {agent_name_settings: {assignment_origin: assignment_origin_aws_sts,\n"
                          "  aws: {account_id: 123456789012, role_name_patterns: 'r-*'}}}\n",
    "aws: null": "apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-a}\n"
                 "spec: {agent_name_settings: {assignment_origin: assignment_origin_agent, aws: null, release_after: 0}}\n",
    "PR rule with any match_mode": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata: {name: a, project: b}\n"
                                   "spec: {object_rules: [{type: PR, match_mode: EXACT, pattern: x},\n"
                                   "  {type: PR, match_mode: REGEX, pattern: '^f'}]}\n",
    "sem get dt -o yaml": "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n"
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
                          "  env_vars:\n  - name: TOKEN\n    value: 9dd4e461268c8034f5c8564e155c67a6 [md5]\n"
                          "  files:\n  - path: /etc/app.conf\n    content: 5d41402abc4b2a76b9719d911017c592 [md5]\n"
                          "    source: ''\n",
}

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

with tempfile.TemporaryDirectory() as tmp:
    for name, text in BROKEN.items():
        check(not validator.is_valid(yaml.safe_load(text)), "schema accepts: " + name)
        spec = os.path.join(tmp, "t.yaml")
        with open(spec, "w") as f:
            f.write(text)
        rc = subprocess.run([ciform, "validate", spec], capture_output=True).returncode
        check(rc == 1, "ciform validate accepts: " + name)
    for name, text in ACCEPTED.items():
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(text))]
        check(not errors, "schema refuses: %s: %s" % (name, errors))
        spec = os.path.join(tmp, "t.yaml")
        with open(spec, "w") as f:
            f.write(text)
        res = subprocess.run([ciform, "validate", "--strict", spec], capture_output=True, text=True)
        check(res.returncode == 0, "ciform validate refuses: %s: %s" % (name, res.stderr))

print("schema: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
