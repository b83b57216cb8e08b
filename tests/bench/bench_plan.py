#!/usr/bin/python3
"""Benchmark of `ciform plan` on a large organisation (not a timed test).

Generates specs for P projects x T deployment targets (env vars and a file
each), A agent types and P retention policies, and a ciform-sandbox seed whose
live state equals them; runs `ciform plan` against the sandbox with
--latency-ms; prints the requests made, the wall time, the bound (minimal
requests / parallelism x latency), their ratio and ciform's peak RSS.

Usage: bench_plan.py [--build DIR] [--projects 100] [--targets 10]
                     [--agent-types 20] [--latency-ms 20] [--parallelism 8]
"""
import argparse
import base64
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "..", "build"))
ap.add_argument("--projects", type=int, default=100)
ap.add_argument("--targets", type=int, default=10)
ap.add_argument("--agent-types", type=int, default=20)
ap.add_argument("--latency-ms", type=int, default=20)
ap.add_argument("--parallelism", type=int, default=8)
args = ap.parse_args()
ciform = os.path.join(args.build, "ciform")
sandbox = os.path.join(args.build, "ciform-sandbox")


def project_id(i):
    return "00000000-0000-4000-8000-%012d" % (i + 1)


def generate(root):
    seed = {"projects": [], "deployment_targets": [], "retention_policies": [], "agent_types": []}
    os.makedirs(os.path.join(root, "specs"))
    for p in range(args.projects):
        name = "project-%03d" % p
        seed["projects"].append({"name": name, "id": project_id(p)})
        docs = []
        for t in range(args.targets):
            token = "secret-%03d-%02d" % (p, t)
            content = base64.b64encode(("config %d %d\n" % (p, t)).encode()).decode()
            seed["deployment_targets"].append({
                "project": name, "name": "target-%02d" % t, "url": "https://t%02d.%s.example.com" % (t, name),
                "env_vars": [{"name": "REGION", "value": "eu-west-1"}, {"name": "TOKEN", "value": token}],
                "files": [{"path": "/etc/app.conf", "content": content}]})
            docs.append("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: target-%02d\n"
                        "  project: %s\n  url: https://t%02d.%s.example.com\nspec:\n  env_vars:\n"
                        "    - {name: REGION, value: eu-west-1}\n    - {name: TOKEN, value: %s}\n"
                        "  files:\n    - {path: /etc/app.conf, content: %s}\n" % (t, name, t, name, token, content))
        seed["retention_policies"].append({"project": name, "job_level_retention_policies":
                                           [{"selector": "/**/*", "age": "2 weeks"}]})
        docs.append("apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata: {project: %s}\n"
                    "spec:\n  job_level_retention_policies: [{selector: \"/**/*\", age: 2 weeks}]\n" % name)
        with open(os.path.join(root, "specs", name + ".yaml"), "w") as f:
            f.write("---\n".join(docs))
    agents = []
    for a in range(args.agent_types):
        seed["agent_types"].append({"name": "s1-bench-%02d" % a, "release_after": 60})
        agents.append("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-bench-%02d}\n"
                      "spec: {agent_name_settings: {release_after: 60}}\n" % a)
    with open(os.path.join(root, "specs", "agent-types.yaml"), "w") as f:
        f.write("---\n".join(agents))
    with open(os.path.join(root, "seed.json"), "w") as f:
        json.dump(seed, f)


def main():
    with tempfile.TemporaryDirectory() as root:
        generate(root)
        sb = subprocess.Popen([sandbox, "--port", "0", "--token", "bench", "--seed", os.path.join(root, "seed.json"),
                               "--latency-ms", str(args.latency_ms), "--sync-ms", "0"], stdout=subprocess.PIPE)
        url = sb.stdout.readline().decode().strip()
        try:
            env = dict(os.environ, SEMAPHORE_ORG_URL=url, SEMAPHORE_API_TOKEN="bench")
            start = time.monotonic()
            proc = subprocess.Popen([ciform, "plan", os.path.join(root, "specs"), "--parallelism",
                                     str(args.parallelism)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err = proc.communicate()
            wall = time.monotonic() - start
            peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            stats = json.load(urllib.request.urlopen(url + "/_sandbox/stats"))
        finally:
            sb.terminate()
            sb.wait()
    if proc.returncode != 0 or b"No changes." not in out:
        sys.exit("plan failed or found changes (rc %d):\n%s%s" % (proc.returncode, out.decode()[-2000:], err.decode()))
    P, T = args.projects, args.targets
    minimal = max(1, math.ceil(P / 30)) + 1 + 1 + P + P * T + P  # project pages, roles, agent types, lists, secrets, retention
    bound = minimal / args.parallelism * args.latency_ms / 1000
    resources = P * T + P + args.agent_types
    print("benchmark: ciform plan, %d resources (%d projects x %d targets, %d retention policies, %d agent types)"
          % (resources, P, T, P, args.agent_types))
    print("  latency per request   %d ms, parallelism %d" % (args.latency_ms, args.parallelism))
    print("  requests made         %d (minimum %d, %+.1f%%)" % (stats["requests"], minimal,
                                                             100.0 * (stats["requests"] - minimal) / minimal))
    print("  wall time             %.2f s (bound %.2f s, ratio %.2f)" % (wall, bound, wall / bound))
    print("  peak RSS              %.1f MB" % (peak_kb / 1024.0))
    print("  most in flight        %d" % stats["max_in_flight"])
    print("  per route            ", json.dumps(stats["routes"], sort_keys=True))


main()
