#!/usr/bin/python3
"""Benchmark of `ciform reconcile`'s memory over many cycles (not a timed test).

A loop meant to run for months must not grow: this runs `ciform reconcile
--interval 0` (cycles back to back) against a local file:// repository and
ciform-sandbox, and prints ciform's resident memory after the 10th cycle and
after the last one, and the growth per cycle between them.

Usage: bench_reconcile_memory.py [--build DIR] [--cycles 1000] [--agent-types 5]
                                 [--interval 0]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import re

# "2026-12-01T07:55:02Z cycle 12 commit abc1234: no changes" (cmd/cmd_reconcile.c)
SUMMARY = re.compile(r"^\S+Z cycle \d+(?: commit \S+)?: (.*)$")

ap = argparse.ArgumentParser()
ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "..", "build"))
ap.add_argument("--cycles", type=int, default=1000)
ap.add_argument("--agent-types", type=int, default=5)
ap.add_argument("--interval", type=int, default=0, help="seconds between cycles (1 for a ciform without 0)")
args = ap.parse_args()
ciform = os.path.join(args.build, "ciform")
sandbox = os.path.join(args.build, "ciform-sandbox")
GIT = ["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench", "-c", "init.defaultBranch=main"]


def make_repo(root):
    """A repository whose specs equal the seed, so every cycle plans no change."""
    specs = os.path.join(root, "remote", "specs")
    os.makedirs(specs)
    seed = {"projects": [], "deployment_targets": [], "retention_policies": [], "agent_types": []}
    docs = []
    for a in range(args.agent_types):
        seed["agent_types"].append({"name": "s1-bench-%02d" % a, "release_after": 60})
        docs.append("apiVersion: v1alpha\nkind: SelfHostedAgentType\nmetadata: {name: s1-bench-%02d}\n"
                    "spec: {agent_name_settings: {release_after: 60}}\n" % a)
    with open(os.path.join(specs, "agent-types.yaml"), "w") as f:
        f.write("---\n".join(docs))
    with open(os.path.join(root, "seed.json"), "w") as f:
        json.dump(seed, f)
    subprocess.run(GIT + ["init", "-q"], cwd=os.path.join(root, "remote"), check=True)
    subprocess.run(GIT + ["add", "-A"], cwd=os.path.join(root, "remote"), check=True)
    subprocess.run(GIT + ["commit", "-qm", "specs"], cwd=os.path.join(root, "remote"), check=True)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    with tempfile.TemporaryDirectory() as root:
        make_repo(root)
        sb = subprocess.Popen([sandbox, "--port", "0", "--token", "bench", "--seed", os.path.join(root, "seed.json"),
                               "--sync-ms", "0"], stdout=subprocess.PIPE)
        url = sb.stdout.readline().decode().strip()
        env = dict(os.environ, SEMAPHORE_ORG_URL=url, SEMAPHORE_API_TOKEN="bench")
        proc = subprocess.Popen([ciform, "reconcile", "--git-url", "file://%s/remote" % root, "--path", "specs",
                                 "--cache-dir", os.path.join(root, "cache"), "--interval", str(args.interval)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        cycles, samples, results = 0, {}, {}
        start = time.monotonic()
        try:
            for line in proc.stdout:
                m = SUMMARY.match(line.decode(errors="replace"))
                if not m:
                    continue
                cycles += 1
                rest = m.group(1)  # "no changes", "2 to create, ... (applied)", "failed: ..."
                result = ("failed" if rest.startswith("failed") else "no changes" if rest == "no changes"
                          else "applied" if rest.endswith("(applied)") else "drift")
                results[result] = results.get(result, 0) + 1
                if cycles in (10, args.cycles):
                    samples[cycles] = rss_kb(proc.pid)
                if cycles >= args.cycles:
                    break
        finally:
            wall = time.monotonic() - start
            proc.terminate()
            proc.wait()
            sb.terminate()
            sb.wait()
    if cycles < args.cycles:
        sys.exit("reconcile stopped after %d cycles" % cycles)
    first, last = samples[10], samples[args.cycles]
    print("benchmark: ciform reconcile --interval %d, %d cycles against a file:// repository and ciform-sandbox "
          "(%d agent types)" % (args.interval, args.cycles, args.agent_types))
    print("  cycle results         %s" % json.dumps(results, sort_keys=True))
    print("  RSS after cycle 10    %.1f MB" % (first / 1024.0))
    print("  RSS after cycle %-5d %.1f MB" % (args.cycles, last / 1024.0))
    print("  growth per cycle      %.2f kB" % ((last - first) / float(args.cycles - 10)))
    print("  wall time             %.1f s (%.1f ms a cycle)" % (wall, 1000.0 * wall / cycles))


main()
