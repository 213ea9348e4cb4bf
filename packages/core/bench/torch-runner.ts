/** Runs torch_bench.py when a Python with PyTorch is installed; otherwise says why it was skipped. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRow, MeasureOptions } from './timing.js';
import { convGflop, convName, matmulName, mlpGflop, mlpName, type Sizes } from './workloads.js';

/** `python3` on PATH first, then Debian's interpreter (where `apt-get install python3-torch` puts torch). */
const PYTHONS = ['python3', '/usr/bin/python3'];

export function findTorchPython(): { python: string | null; why: string } {
  const tried: string[] = [];
  for (const py of PYTHONS) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return { python: py, why: '' };
    tried.push(`${py}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { python: null, why: `PyTorch not importable (${tried.join('; ')}); on Debian: apt-get install python3-torch libopenblas0-pthread` };
}

export function benchTorch(s: Sizes, o: MeasureOptions, mlp: MeasureOptions): BenchRow[] | string {
  const { python, why } = findTorchPython();
  if (!python) return why;
  const cfg = {
    matmul: s.matmul,
    conv: s.conv,
    mlp: s.mlp,
    budgetMs: Math.min(o.budgetMs, mlp.budgetMs * 4),
    maxRuns: o.maxRuns,
    names: { matmul: Object.fromEntries(s.matmul.map((n) => [n, matmulName(n)])), conv: convName(s.conv), mlp: mlpName(s.mlp) },
    gflop: { conv: convGflop(s.conv), mlp: mlpGflop(s.mlp) },
  };
  const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
  const r = spawnSync(python, [script, JSON.stringify(cfg)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return `torch_bench.py failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-1)[0]}`;
  const rows = JSON.parse(r.stdout.trim().split('\n').pop()!) as BenchRow[];
  for (const x of rows) console.log(`  ${x.workload.padEnd(34)} ${x.impl.padEnd(22)} ${x.ms!.toFixed(1).padStart(9)} ms${x.gflop ? `  ${((x.gflop / x.ms!) * 1e3).toFixed(2).padStart(7)} GFLOP/s` : ''}  (${x.runs} runs)`);
  return rows;
}
