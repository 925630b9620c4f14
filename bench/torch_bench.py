#!/usr/bin/python3
"""PyTorch (Python) side of bench/run: the same cases and flags as tg_bench.cpp, one JSON line.

Run with Debian's python3-torch:  /usr/bin/python3 bench/torch_bench.py --case mlp --config small
"""
import argparse
import json
import resource
import statistics
import time

import torch


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def time_it(fn, iters, samples, warmup=None):
    for _ in range(iters if warmup is None else warmup):
        fn()
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(iters):
            fn()
        out.append((time.perf_counter() - start) / iters)
    return out


def calibrate(fn, target=0.05):
    iters = 1
    while True:
        t = time_it(fn, iters, 1, 0)[0] * iters
        if t > target / 4 or iters > 1 << 30:
            return max(1, int(iters * target / t))
        iters *= 4


CONFIGS = {
    "tiny": ([2, 16, 16, 1], 32, False),
    "small": ([784, 128, 10], 64, True),
    "medium": ([784, 512, 512, 10], 256, True),
    "large": ([1024, 4096, 4096, 1024], 512, True),
}


def mlp_step(config):
    widths, batch, classify = CONFIGS[config]
    torch.manual_seed(0)
    layers = []
    for i in range(len(widths) - 1):
        if i > 0:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, widths[0])
    y = torch.randint(0, widths[-1], (batch,)) if classify else torch.randn(batch, 1)
    loss_fn = torch.nn.functional.cross_entropy if classify else torch.nn.functional.mse_loss

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", required=True)
    ap.add_argument("--config", default="small")
    ap.add_argument("--shape", default="64,784,128")
    ap.add_argument("--samples", type=int, default=9)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    p = torch.tensor([1.5], requires_grad=True)
    q = torch.tensor([2.5], requires_grad=True)
    c = torch.tensor([0.5])
    faults = -1
    if a.case in ("add_fwd", "add_fwd_bwd", "chain100"):
        def chain():
            y = p
            for _ in range(100):
                y = y + c
            y.backward()
        fn = {"add_fwd": lambda: p + q, "add_fwd_bwd": lambda: (p + q).backward(), "chain100": chain}[a.case]
        times = time_it(fn, calibrate(fn), a.samples)
        name, unit, values = a.case, "us", [t * 1e6 for t in times]
    elif a.case in ("add_1m", "exp_1m", "relu_1m"):
        u, v = torch.randn(1 << 20), torch.randn(1 << 20)
        fn = {"add_1m": lambda: u + v, "exp_1m": lambda: torch.exp(u), "relu_1m": lambda: torch.relu(u)}[a.case]
        gb = (3.0 if a.case == "add_1m" else 2.0) * 4.0 * (1 << 20) * 1e-9
        name, unit, values = a.case, "GB/s", [gb / t for t in time_it(fn, calibrate(fn), a.samples)]
    elif a.case == "matmul":
        m, k, n = (int(s) for s in a.shape.split(","))
        x, w = torch.randn(m, k), torch.randn(k, n)
        fn = lambda: torch.mm(x, w)  # noqa: E731
        name, unit = f"matmul_{m}x{k}x{n}", "GFLOP/s"
        values = [2e-9 * m * k * n / t for t in time_it(fn, calibrate(fn), a.samples)]
    elif a.case == "mlp":
        step = mlp_step(a.config)
        iters = calibrate(step, 0.2)
        for _ in range(3):
            step()
        before = minor_faults()
        times = time_it(step, iters, a.samples, 0)
        faults = (minor_faults() - before) / (iters * a.samples)
        name, unit, values = "mlp_" + a.config, "steps/s", [1.0 / t for t in times]
    else:
        raise SystemExit(f"torch_bench.py: unknown --case {a.case}")
    print(json.dumps({
        "impl": "pytorch", "case": name, "unit": unit, "threads": a.threads,
        "median": statistics.median(values), "min": min(values), "max": max(values), "samples": values,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "minor_faults_per_step": faults,
    }))


if __name__ == "__main__":
    main()
