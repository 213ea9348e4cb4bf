"""PyTorch CPU on the core benchmark workloads (a peer for scale). Reads the sizes as JSON
from argv[1]; prints one JSON list of rows on the last stdout line."""
import json
import os
import sys
import time

import torch


def measure(fn, budget_ms, max_runs):
    fn()
    times = []
    spent = 0.0
    while len(times) < max_runs and (not times or spent < budget_ms):
        t0 = time.perf_counter()
        fn()
        dt = (time.perf_counter() - t0) * 1e3
        times.append(dt)
        spent += dt
    times.sort()
    mid = len(times) // 2
    ms = times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2
    return ms, len(times)


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(os.cpu_count() or 1)
    impl = f"pytorch-{torch.__version__.split('+')[0]}-cpu-{torch.get_num_threads()}t"
    budget, max_runs = cfg["budgetMs"], cfg["maxRuns"]
    rows = []
    torch.manual_seed(0)
    for n in cfg["matmul"]:
        a, b = torch.rand(n, n) - 0.5, torch.rand(n, n) - 0.5
        ms, runs = measure(lambda: a @ b, budget, max_runs)
        rows.append({"workload": cfg["names"]["matmul"][str(n)], "impl": impl, "ms": ms, "gflop": 2 * n**3 / 1e9, "runs": runs})
    c = cfg["conv"]
    x = torch.rand(c["n"], c["c"], c["h"], c["w"])
    w = torch.rand(c["o"], c["c"], c["k"], c["k"]) * 0.1
    ms, runs = measure(lambda: torch.nn.functional.conv2d(x, w, padding=c["pad"]), budget, max_runs)
    rows.append({"workload": cfg["names"]["conv"], "impl": impl, "ms": ms, "gflop": cfg["gflop"]["conv"], "runs": runs})
    m = cfg["mlp"]
    layers = []
    for i in range(len(m["dims"]) - 1):
        layers.append(torch.nn.Linear(m["dims"][i], m["dims"][i + 1]))
        if i + 2 < len(m["dims"]):
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(net.parameters(), lr=m["lr"])
    xs, ys = torch.rand(m["rows"], m["dims"][0]), torch.rand(m["rows"], 1)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(xs), ys)
        loss.backward()
        opt.step()

    ms, runs = measure(step, budget, max_runs)
    rows.append({"workload": cfg["names"]["mlp"], "impl": impl, "ms": ms, "gflop": cfg["gflop"]["mlp"], "runs": runs})
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
