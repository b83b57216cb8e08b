#!/usr/bin/python3
"""Benchmarks of ciform's CircleCI and Buildkite providers against
`ciform-sandbox --api circleci|buildkite` (figures, not timed tests).

  buildkite  SCALE x (5 clusters x 4 queues and a secret, 100 pipelines each
             with a schedule) = SCALE x 230 resources
  circleci   SCALE x (20 contexts x 10 variables and a restriction, 50
             projects each with 5 variables, a webhook and a schedule trigger,
             5 runner classes x 2 tokens) = SCALE x 185 resources

For each: `apply` into an empty organisation (everything created), then
`plan` with the live state equal to the specs (no changes), then a second
plan with `--parallelism 1`. Each prints requests made, wall time (every
request delayed by --latency-ms), ciform's CPU time and peak RSS.

Usage: bench_vendors.py buildkite|circleci [--build DIR] [--scale 1]
                        [--latency-ms 20] [--parallelism 8]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import measured  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("vendor", choices=["buildkite", "circleci"])
ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "..", "build"))
ap.add_argument("--scale", type=int, default=1)
ap.add_argument("--latency-ms", type=int, default=20)
ap.add_argument("--parallelism", type=int, default=8)
args = ap.parse_args()
CIFORM = os.path.join(args.build, "ciform")
SANDBOX = os.path.join(args.build, "ciform-sandbox")
ORG_ID = "aaaaaaaa-0000-4000-8000-000000000001"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def buildkite(root):
    """Specs and an empty organisation; returns the number of resources."""
    n = 0
    for c in range(5 * args.scale):
        docs = ["apiVersion: buildkite/v1\nkind: Cluster\nmetadata: {name: c%d}\nspec: {description: fleet %d}\n"
                % (c, c)]
        for q in range(4):
            docs.append("apiVersion: buildkite/v1\nkind: ClusterQueue\nmetadata: {cluster: c%d, key: q%d}\n"
                        "spec: {description: queue %d}\n" % (c, q, q))
        docs.append("apiVersion: buildkite/v1\nkind: ClusterSecret\nmetadata: {cluster: c%d, key: NPM_TOKEN}\n"
                    "spec: {description: npm, value: secret-%d}\n" % (c, c))
        write(os.path.join(root, "specs", "cluster-%d.yaml" % c), "---\n".join(docs))
        n += 6
    for p in range(100 * args.scale):
        write(os.path.join(root, "specs", "pipeline-%d.yaml" % p),
              "apiVersion: buildkite/v1\nkind: Pipeline\nmetadata: {slug: p%d}\nspec:\n  name: P%d\n"
              "  repository: git@github.com:acme/p%d.git\n  cluster: c%d\n  configuration: |\n    steps:\n"
              "      - command: make\n---\napiVersion: buildkite/v1\nkind: PipelineSchedule\n"
              "metadata: {pipeline: p%d, label: Nightly}\nspec: {cronline: \"0 2 * * *\", branch: main}\n"
              % (p, p, p, p % (5 * args.scale), p))
        n += 2
    write(os.path.join(root, "seed.json"), json.dumps({"buildkite": {"organization": "acme"}}))
    env = {"BUILDKITE_API_TOKEN": "bench", "BUILDKITE_ORGANIZATION_SLUG": "acme"}
    return n, env, "BUILDKITE_API_URL"


def circleci(root):
    projects = 50 * args.scale
    seed = {"circleci": {
        "collaborations": [{"id": ORG_ID, "name": "acme", "slug": "gh/acme", "vcs_type": "github"}],
        "projects": [{"id": "bbbbbbbb-0000-4000-8000-%012d" % p, "slug": "gh/acme/p%d" % p, "name": "p%d" % p,
                      "organization_id": ORG_ID, "organization_slug": "gh/acme",
                      "pipeline_definitions": [{"id": "dddddddd-0000-4000-8000-%012d" % p, "name": "main"}],
                      "env": []} for p in range(projects)],
        "contexts": [],
        "runner_namespaces": [{"name": "acme", "org_id": ORG_ID}]}}
    n = 0
    for c in range(20 * args.scale):
        envs = "".join("    - {name: V%d, value: value-%d-%d}\n" % (v, c, v) for v in range(10))
        write(os.path.join(root, "specs", "context-%d.yaml" % c),
              "apiVersion: circleci/v1\nkind: Context\nmetadata: {organization: gh/acme, name: ctx-%d}\nspec:\n"
              "  restrictions:\n    - {expression: 'pipeline.git.branch == \"main\"'}\n  envVars:\n%s" % (c, envs))
        n += 1
    for p in range(projects):
        envs = "".join("    - {name: V%d, value: value-%d-%d}\n" % (v, p, v) for v in range(5))
        write(os.path.join(root, "specs", "project-%d.yaml" % p),
              "apiVersion: circleci/v1\nkind: ProjectEnvironment\nmetadata: {project: gh/acme/p%d}\nspec:\n"
              "  envVars:\n%s---\napiVersion: circleci/v1\nkind: Webhook\nmetadata: {project: gh/acme/p%d, name: relay}\n"
              "spec: {url: 'https://hooks.example.com/ci', events: [workflow-completed], signingSecret: s-%d}\n"
              "---\napiVersion: circleci/v1\nkind: ScheduleTrigger\nmetadata: {project: gh/acme/p%d, name: nightly}\n"
              "spec: {pipelineDefinition: main, cron: '0 2 * * *', checkoutRef: main, configRef: main}\n"
              % (p, envs, p, p, p))
        n += 3
    for r in range(5 * args.scale):
        write(os.path.join(root, "specs", "runner-%d.yaml" % r),
              "apiVersion: circleci/v1\nkind: RunnerResourceClass\nmetadata: {name: acme/r%d}\nspec: {}\n---\n"
              "apiVersion: circleci/v1\nkind: RunnerToken\nmetadata: {resourceClass: acme/r%d, nickname: a}\n---\n"
              "apiVersion: circleci/v1\nkind: RunnerToken\nmetadata: {resourceClass: acme/r%d, nickname: b}\n"
              % (r, r, r))
        n += 3
    write(os.path.join(root, "seed.json"), json.dumps(seed))
    return n, {"CIRCLECI_TOKEN": "bench"}, "CIRCLECI_HOST"


def main():
    with tempfile.TemporaryDirectory() as root:
        resources, env_extra, url_var = (buildkite if args.vendor == "buildkite" else circleci)(root)
        sb = subprocess.Popen([SANDBOX, "--api", args.vendor, "--port", "0", "--token", "bench", "--seed",
                               os.path.join(root, "seed.json"), "--state", os.path.join(root, "state.json"),
                               "--latency-ms", str(args.latency_ms)], stdout=subprocess.PIPE)
        url = sb.stdout.readline().decode().strip()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SEMAPHORE_", "CIRCLE", "BUILDKITE_"))}
        env.update(env_extra, **{url_var: url, "XDG_STATE_HOME": os.path.join(root, "state")})
        try:
            before = 0
            print("benchmark: %s, scale %d: %d resources, latency %d ms per request"
                  % (args.vendor, args.scale, resources, args.latency_ms))
            for title, argv in [("apply (create all)", ["apply", "--yes", "specs"]),
                                ("plan (no changes)", ["plan", "specs"]),
                                ("plan, parallelism 1", ["plan", "--parallelism", "1", "specs"])]:
                if "--parallelism" not in argv:
                    argv = argv[:1] + ["--parallelism", str(args.parallelism)] + argv[1:]
                rc, out, err, wall, cpu, rss = measured([CIFORM] + argv, env=env, cwd=root)
                if rc != 0 or (title.startswith("plan") and b"No changes" not in out):
                    sys.exit("%s failed (rc %d):\n%s%s" % (title, rc, out.decode()[-3000:], err.decode()[-3000:]))
                total = json.load(urllib.request.urlopen(url + "/_sandbox/stats"))["requests"]
                print("  %-22s %5d requests  %6.2f s wall  %5.2f s cpu  %6.1f MB peak RSS"
                      % (title, total - before, wall, cpu, rss))
                before = total
        finally:
            sb.terminate()
            sb.wait()


if __name__ == "__main__":
    main()
