#!/usr/bin/python3
"""ciform.schema.json against the examples and against ciform itself.

Every manifest in specs-examples/ must satisfy the schema, and each broken
document below must be refused both by the schema and by `ciform validate`,
so editors and ciform agree on what a valid spec is.
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

print("schema: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
