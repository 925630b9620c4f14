#!/usr/bin/python3
"""Turns bench/run's raw JSON lines into the comparison table and bench/results/<date>.json.

Per case and setting, a round's value is the median of that process's samples; for libtorch and
PyTorch the best thread count is kept per round. Ratios are tapegrad over libtorch per round
(inverted for times, so > 1 always means tapegrad is faster), reported as the median over rounds
with min-max as the spread.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
from collections import defaultdict


def machine():
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    blas = subprocess.run(["sh", "-c", "dpkg-query -W -f '${Version}' libopenblas0 2>/dev/null"], capture_output=True,
                          text=True).stdout
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", ""), "openblas": blas}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("--tuned", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = [json.loads(l) for l in open(a.raw) if l.strip()]

    # (case, setting) -> list over rounds of the best-thread result
    runs = defaultdict(list)
    pending = defaultdict(list)  # best over threads within a round: consecutive lines per setting
    for r in rows:
        pending[(r["case"], r["setting"])].append(r)
    better = lambda x, y: (x["median"] > y["median"]) if x["unit"] != "us" else (x["median"] < y["median"])  # noqa
    for key, lst in pending.items():
        per_round = defaultdict(list)
        th_count = defaultdict(int)
        for r in lst:  # the i-th line with a given thread count belongs to round i
            per_round[th_count[r["threads"]]].append(r)
            th_count[r["threads"]] += 1
        for i in sorted(per_round):
            best = per_round[i][0]
            for r in per_round[i][1:]:
                if better(r, best):
                    best = r
            runs[key].append(best)

    cases = []
    for (case, setting) in runs:
        if case not in cases:
            cases.append(case)

    def ratio(case, other):
        tg, ot = runs.get((case, "tapegrad")), runs.get((case, other))
        if not tg or not ot:
            return None
        rs = []
        for x, y in zip(tg, ot):
            rs.append(y["median"] / x["median"] if x["unit"] == "us" else x["median"] / y["median"])
        return statistics.median(rs), min(rs), max(rs)

    def med(case, setting, field="median"):
        lst = runs.get((case, setting))
        return statistics.median(r[field] for r in lst) if lst else None

    def fmt(v, digits=3):
        return "-" if v is None else f"{v:.{digits}g}"

    head = (f"{'case':<24} {'unit':<8} {'tapegrad':>10} {'libtorch':>10} {'lt tuned':>10} {'pytorch':>10} "
            f"{'x lt (spread)':>20} {'x lt tuned (spread)':>22} {'GEMM bound':>10} {'RSS MiB tg/lt':>14} "
            f"{'faults/step tg/lt':>18}")
    print(head)
    print("-" * len(head))
    summary = []
    for case in cases:
        if case.startswith("gemm_bound"):
            continue
        unit = runs[next(k for k in runs if k[0] == case)][0]["unit"]
        r1, r2 = ratio(case, "libtorch-given"), ratio(case, "libtorch-tuned")
        bound = ""
        if case.startswith("mlp_"):
            gb = med("gemm_bound_" + case[4:], "tapegrad")
            tg = med(case, "tapegrad")
            bound = f"{100 * tg / gb:.0f}%" if gb and tg else "-"
        rss_tg, rss_lt = med(case, "tapegrad", "peak_rss_kib"), med(case, "libtorch-tuned", "peak_rss_kib")
        f_tg, f_lt = med(case, "tapegrad", "minor_faults_per_step"), med(case, "libtorch-tuned", "minor_faults_per_step")
        spread = lambda r: "-" if r is None else f"{r[0]:.2f} ({r[1]:.2f}-{r[2]:.2f})"  # noqa
        print(f"{case:<24} {unit:<8} {fmt(med(case, 'tapegrad')):>10} {fmt(med(case, 'libtorch-given')):>10} "
              f"{fmt(med(case, 'libtorch-tuned')):>10} {fmt(med(case, 'pytorch-given')):>10} {spread(r1):>20} "
              f"{spread(r2):>22} {bound or '':>10} "
              f"{(fmt(rss_tg / 1024) + '/' + fmt(rss_lt / 1024)) if rss_tg and rss_lt else '-':>14} "
              f"{(fmt(f_tg, 2) + '/' + fmt(f_lt, 2)) if case.startswith('mlp_') else '':>18}")
        summary.append({"case": case, "unit": unit, "ratio_vs_libtorch": r1, "ratio_vs_libtorch_tuned": r2,
                        "gemm_bound_fraction": bound})
    print("\nx lt: tapegrad / libtorch (> 1: tapegrad faster), median over rounds (min-max). "
          "GEMM bound: tapegrad's steps/s over the steps/s of the step's GEMMs alone.")
    print(f"libtorch tuned: GLIBC_TUNABLES={a.tuned}; libtorch and PyTorch: best of 1 and 2 threads per round.")

    stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H%M%S")
    out = os.path.join(a.out, f"{stamp}.json")
    with open(out + ".tmp", "w") as f:
        json.dump({"date": stamp, "machine": machine(), "tuned": a.tuned, "summary": summary, "raw": rows}, f, indent=1)
    os.replace(out + ".tmp", out)
    print(f"raw numbers: {os.path.relpath(out)}")


if __name__ == "__main__":
    main()
