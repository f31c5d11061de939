#!/usr/bin/env python3
"""DJL step time vs PyTorch eager step time, same model sizes, measured in one run (bench/plpp).

Alternates rounds of the DJL benchmark (io.trainledger.bench.plpp.PlppStepBench, a child JVM) and
the PyTorch eager reference (reference.py, in this process), so both see the same machine load,
then prints the median of each figure over the rounds and the ratios:
  DJL / PyTorch for the pretraining step, the CoOp step and the PLPP step (thread-CPU and wall ms),
  PLPP / CoOp for each engine.
CPU ms = CPU time of the calling thread per step (1 intra-op thread on both sides, so the step's
compute runs on that thread); on a shared machine it is the meaningful figure, wall ms is not.

Prepare (from the repository root):
  ./mvnw -B -q -pl libs/plpp install -DskipTests
  ./mvnw -B -q -pl bench/plpp package dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt
Run:
  OMP_NUM_THREADS=1 /usr/bin/python3 bench/plpp/compare.py --rounds 3 --steps 100
PyTorch: Debian's python3-torch (apt-get install -y --no-install-recommends python3-torch).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import reference  # noqa: E402  (the PyTorch eager reference next to this file)


def djl_round(java, classpath, threads, steps):
    cmd = [java, "-Dai.djl.offline=true", f"-Dai.djl.pytorch.num_threads={threads}",
           "-Dai.djl.pytorch.num_interop_threads=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
           "-cp", classpath, "io.trainledger.bench.plpp.PlppStepBench", "--steps", str(steps), "--reps", "1"]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("{")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=100, help="measured prompt-learning steps per round")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--java", default="java")
    ap.add_argument("--classpath-file", default=os.path.join(HERE, "target", "bench-cp.txt"))
    a = ap.parse_args()
    if not os.path.isfile(a.classpath_file):
        sys.exit(f"missing {a.classpath_file}: run the 'Prepare' commands in this script's docstring first")
    with open(a.classpath_file) as f:
        classpath = os.path.join(HERE, "target", "classes") + os.pathsep + f.read().strip()

    djl, pt = [], []
    for r in range(a.rounds):
        djl.append(djl_round(a.java, classpath, a.threads, a.steps))
        print(f"round {r + 1} DJL     {json.dumps(djl[-1])}", file=sys.stderr, flush=True)
        pt.append(reference.measure(a.threads, a.steps, 20))
        print(f"round {r + 1} PyTorch {json.dumps(pt[-1])}", file=sys.stderr, flush=True)

    def med(rows, key):
        return statistics.median(row[key] for row in rows)

    steps = [("pretraining (batch 128)", "pretrain_cpu_ms", "pretrain_ms", "pretrain_cpu_ms", "pretrain_ms"),
             ("CoOp prompt step", "coop_cpu_ms", "coop_ms", "coop_cpu_ms", "coop_ms"),
             ("PLPP prompt step", "plpp_cpu_ms", "plpp_ms", "plpp_cpu_ms", "plpp_ms")]
    print(f"{djl[0]['engine']} vs PyTorch {pt[0]['torch']} eager; {a.threads} thread(s); "
          f"median of {a.rounds} alternating rounds, {a.steps} measured prompt steps each")
    print("| step | DJL CPU ms | PyTorch CPU ms | DJL / PyTorch (CPU) | DJL wall ms | PyTorch wall ms | DJL / PyTorch (wall) |")
    print("|---|---|---|---|---|---|---|")
    summary = {}
    for label, dc, dw, pc, pw in steps:
        d_cpu, d_wall, p_cpu, p_wall = med(djl, dc), med(djl, dw), med(pt, pc), med(pt, pw)
        summary[dc] = {"djl": d_cpu, "torch": p_cpu, "ratio": d_cpu / p_cpu}
        print(f"| {label} | {d_cpu:.2f} | {p_cpu:.2f} | {d_cpu / p_cpu:.2f} | {d_wall:.2f} | {p_wall:.2f} | "
              f"{d_wall / p_wall:.2f} |")
    d_ratio = med(djl, "plpp_cpu_ms") / med(djl, "coop_cpu_ms")
    p_ratio = med(pt, "plpp_cpu_ms") / med(pt, "coop_cpu_ms")
    print(f"| PLPP / CoOp (CPU, ratio of the medians) | {d_ratio:.2f} | {p_ratio:.2f} | | | | |")
    # Rounds are paired in time, so the per-round ratio cancels slow load swings better.
    d_rounds = [row["plpp_cpu_ms"] / row["coop_cpu_ms"] for row in djl]
    p_rounds = [row["plpp_cpu_ms"] / row["coop_cpu_ms"] for row in pt]
    print(f"| PLPP / CoOp (CPU, median of per-round ratios) | {statistics.median(d_rounds):.2f} | "
          f"{statistics.median(p_rounds):.2f} | | | | |")
    print("per-round PLPP / CoOp (CPU): DJL " + ", ".join(f"{r:.2f}" for r in d_rounds)
          + "; PyTorch " + ", ".join(f"{r:.2f}" for r in p_rounds))
    print(f"DJL KgCoOp {med(djl, 'kgcoop_cpu_ms'):.2f} CPU ms, PLPP + KgCoOp {med(djl, 'plpp_kgcoop_cpu_ms'):.2f} CPU ms")
    print(json.dumps({"summary": summary, "plpp_over_coop_cpu": {"djl": d_ratio, "torch": p_ratio}}))


if __name__ == "__main__":
    main()
