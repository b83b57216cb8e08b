#!/usr/bin/python3
"""Benchmarks of ciform against ciform-sandbox (figures, not timed tests).

An organisation of SCALE x (100 projects x 10 deployment targets with env vars
and a file, 100 retention policies, 20 agent types) = SCALE x 1,120 resources
is generated as specs and as a sandbox seed, and one command is measured:

  plan          live state equals the specs: a plan that finds no changes
  apply         an empty organisation: apply creates everything
  validate-git  validate the specs read from a git commit, beside the same
                validate read from the work tree
  export        export --all of the organisation to a directory

Each prints the requests made against the minimum the API allows, the wall
time against the bound (minimum requests / parallelism x latency), ciform's
CPU time (user + system) and peak RSS, and, for plan, a sequential client
with one kept-alive connection (what a simple integration does) reading the
same minimal set of answers (export too); for apply, the same apply one change
at a time (--parallelism 1).

Usage: bench.py MODE [--build DIR] [--scale 1] [--latency-ms 20]
                [--parallelism 8] [--sync-ms 0] [--no-baseline] [--generate DIR]
"""
import argparse
import base64
import http.client
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import measured  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("mode", choices=["plan", "apply", "validate-git", "export"])
ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "..", "build"))
ap.add_argument("--scale", type=int, default=1)
ap.add_argument("--latency-ms", type=int, default=20)
ap.add_argument("--parallelism", type=int, default=8)
ap.add_argument("--sync-ms", type=int, default=0)
ap.add_argument("--no-baseline", action="store_true")
ap.add_argument("--generate", metavar="DIR", help="only write the specs and seed.json into DIR, for profiling")
args = ap.parse_args()
CIFORM = os.path.join(args.build, "ciform")
SANDBOX = os.path.join(args.build, "ciform-sandbox")
P, T, A = 100 * args.scale, 10, 20 * args.scale


def project_id(i):
    return "00000000-0000-4000-8000-%012d" % (i + 1)


def generate(root, live):
    """Specs under root/specs; a seed whose live state equals them (live) or is empty."""
    seed = {"projects": [], "deployment_targets": [], "retention_policies": [], "agent_types": []}
    os.makedirs(os.path.join(root, "specs"))
    for p in range(P):
        name = "project-%04d" % p
        seed["projects"].append({"name": name, "id": project_id(p)})
        docs = []
        for t in range(T):
            token = "secret-%04d-%02d" % (p, t)
            content = base64.b64encode(("config %d %d\n" % (p, t)).encode()).decode()
            if live:
                seed["deployment_targets"].append({
                    "project": name, "name": "target-%02d" % t, "url": "https://t%02d.%s.example.com" % (t, name),
                    "env_vars": [{"name": "REGION", "value": "eu-west-1"}, {"name": "TOKEN", "value": token}],
                    "files": [{"path": "/etc/app.conf", "content": content}]})
            docs.append("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: target-%02d\n"
                        "  project: %s\n  url: https://t%02d.%s.example.com\nspec:\n  env_vars:\n"
                        "    - {name: REGION, value: eu-west-1}\n    - {name: TOKEN, value: %s}\n"
                        "  files:\n    - {path: /etc/app.conf, content: %s}\n" % (t, name, t, name, token, content))
        if live:
            seed["retention_policies"].append({"project": name, "job_level_retention_policies":
                                               [{"selector": "/**/*", "age": "2 weeks"}]})
        docs.append("apiVersion: v1alpha\nkind: ArtifactRetentionPolicy\nmetadata: {project: %s}\n"
                    "spec:\n  job_level_retention_policies: [{selector: \"/**/*\", age: 2 weeks}]\n" % name)
        with open(os.path.join(root, "specs", name + ".yaml"), "w") as f:
            f.write("---\n".join(docs))
    agents = []
    for a in range(A):
        if live:
            seed["agent_types"].append({"name": "s1-bench-%03d" % a, "release_after": 60})
        agents.append("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-bench-%03d}\n"
                      "spec: {agent_name_settings: {release_after: 60}}\n" % a)
    with open(os.path.join(root, "specs", "agent-types.yaml"), "w") as f:
        f.write("---\n".join(agents))
    with open(os.path.join(root, "seed.json"), "w") as f:
        json.dump(seed, f)


def sandbox(root, extra=()):
    sb = subprocess.Popen([SANDBOX, "--port", "0", "--token", "bench", "--seed", os.path.join(root, "seed.json"),
                           "--latency-ms", str(args.latency_ms), "--sync-ms", str(args.sync_ms)] + list(extra),
                          stdout=subprocess.PIPE)
    return sb, sb.stdout.readline().decode().strip()


def sequential_baseline(url):
    """One kept-alive connection, one request at a time: the minimal reads of a plan."""
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    headers = {"Authorization": "Token bench", "User-Agent": "SemaphoreCI v2.0 Client"}
    count = 0

    def get(path):
        nonlocal count
        conn.request("GET", "/api/v1alpha" + path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        count += 1
        return json.loads(body) if body else None
    start = time.monotonic()
    get("/projects?page=1")
    get("/self_hosted_agent_types")
    for p in range(P):
        for t in get("/deployment_targets?project_id=%s" % project_id(p)) or []:
            get("/deployment_targets/%s?include_secrets=true" % t["id"])
        get("/artifacts_retention_policies/%s" % project_id(p))
    return count, time.monotonic() - start


def report(title, rc, out, err, wall, cpu, rss, requests, minimal, extra=""):
    if rc not in (0, 2):
        sys.exit("%s failed (rc %d):\n%s%s" % (title, rc, out.decode()[-2000:], err.decode()[-2000:]))
    bound = minimal / args.parallelism * args.latency_ms / 1000 if minimal else 0
    resources = P * T + P + A
    print("benchmark: %s, scale %d: %d resources (%d projects x %d targets, %d retention policies, %d agent types)"
          % (title, args.scale, resources, P, T, P, A))
    print("  latency per request   %d ms, parallelism %d" % (args.latency_ms, args.parallelism))
    if minimal:
        print("  requests made         %d (minimum %d, %+.1f%%)" % (requests, minimal, 100.0 * (requests - minimal) / minimal))
        if bound:
            print("  wall time             %.2f s (bound %.2f s, ratio %.2f)" % (wall, bound, wall / bound))
        else:
            print("  wall time             %.2f s (no latency: no bound)" % wall)
    else:
        print("  wall time             %.2f s" % wall)
    print("  cpu time              %.2f s (%.0f%% of wall; %.3f s per 1,000 resources)"
          % (cpu, 100 * cpu / wall if wall else 0, cpu / resources * 1000))
    print("  peak RSS              %.1f MB (%.1f kB per resource)" % (rss, rss * 1024 / resources))
    if extra:
        print(extra)


def stats(url):
    return json.load(urllib.request.urlopen(url + "/_sandbox/stats"))


def main():
    if args.generate:
        generate(args.generate, live=args.mode in ("plan", "export"))
        return
    with tempfile.TemporaryDirectory() as root:
        generate(root, live=args.mode in ("plan", "export"))
        env_base = dict(os.environ, XDG_STATE_HOME=os.path.join(root, "state"))
        if args.mode == "validate-git":
            subprocess.run(["git", "init", "-q", root], check=True)
            subprocess.run(["git", "-C", root, "add", "specs"], check=True)
            subprocess.run(["git", "-C", root, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "specs"],
                           check=True)
            fs = measured([CIFORM, "validate", os.path.join(root, "specs")], env_base)
            git = measured([CIFORM, "validate", "specs", "--git-ref", "HEAD", "--repo", root], env_base)
            report("validate from the work tree", *fs, 0, 0)
            report("validate from git (--git-ref HEAD)", *git, 0, 0,
                   "  git / work tree       wall %.2fx, cpu %.2fx" % (git[3] / fs[3], git[4] / fs[4]))
            return
        sb, url = sandbox(root)
        try:
            env = dict(env_base, SEMAPHORE_ORG_URL=url, SEMAPHORE_API_TOKEN="bench")
            common = ["--parallelism", str(args.parallelism)]
            if args.mode == "plan":
                res = measured([CIFORM, "plan", os.path.join(root, "specs")] + common, env)
                minimal = max(1, math.ceil(P / 500)) + 1 + P + P * T + P
                got = stats(url)["requests"]
                extra = ""
                if not args.no_baseline:
                    n, secs = sequential_baseline(url)
                    extra = ("  sequential client     %d requests in %.2f s on one kept-alive connection "
                             "(ciform %.1fx faster)" % (n, secs, secs / res[3]))
                report("plan (no changes)", *res, got, minimal, extra)
                if b"No changes." not in res[1]:
                    sys.exit("the plan found changes:\n" + res[1].decode()[-2000:])
            elif args.mode == "apply":
                res = measured([CIFORM, "apply", os.path.join(root, "specs"), "--yes"] + common, env)
                # reads: pages, agent types, target lists, retention; writes: creates, syncs polled, policies
                creates = P * T + A + P
                minimal = max(1, math.ceil(P / 500)) + 1 + P + P + creates + P * T
                got = stats(url)["requests"]
                extra = ""
                if not args.no_baseline:  # the same apply one change at a time, on a fresh organisation
                    sb.terminate()
                    sb.wait()
                    sb, url = sandbox(root)
                    env = dict(env, SEMAPHORE_ORG_URL=url)
                    one = measured([CIFORM, "apply", os.path.join(root, "specs"), "--yes", "--parallelism", "1"],
                                   env)
                    extra = ("  one change at a time  %.2f s with --parallelism 1 (parallel apply %.1fx faster)"
                             % (one[3], one[3] / res[3]))
                report("apply from an empty organisation", *res, got, minimal, extra)
            elif args.mode == "export":
                res = measured([CIFORM, "export", "--all", "--dir", os.path.join(root, "out")] + common, env)
                minimal = max(1, math.ceil(P / 500)) + 1 + P + P * T + P
                got = stats(url)["requests"]
                extra = ""
                if not args.no_baseline:
                    n, secs = sequential_baseline(url)
                    extra = ("  sequential client     %d requests in %.2f s on one kept-alive connection "
                             "(ciform %.1fx faster)" % (n, secs, secs / res[3]))
                report("export --all", *res, got, minimal, extra)
        finally:
            sb.terminate()
            sb.wait()


main()
