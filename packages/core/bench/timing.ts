/**
 * Timing helpers shared by the core benchmarks: warm up, repeat within a time budget,
 * report the median. One result row per (workload, implementation).
 */
export interface BenchRow {
  workload: string;
  impl: string;
  /** Median wall time of one run, ms; null when skipped. */
  ms: number | null;
  /** GFLOP of one run (for throughput), when it is a FLOP-counted workload. */
  gflop?: number;
  runs?: number;
  /**
   * Median process CPU time of one run, ms (all threads: Dawn, the Vulkan driver's workers,
   * the JS thread). On a shared machine wall time also measures the neighbours; CPU time
   * does not (within cache and SMT effects).
   */
  cpuMs?: number;
  /** Why the row was skipped or failed. */
  note?: string;
}

export interface MeasureOptions {
  /** Stop repeating once this much time (ms) has been spent measuring. */
  budgetMs: number;
  maxRuns: number;
  /** A first run slower than this counts as measured (no separate warm-up). */
  slowMs?: number;
}

/**
 * Runs `fn` once to warm up (JIT, pipeline compilation, buffer pools), then repeats it
 * until the budget or maxRuns is reached; returns the median and the number of runs.
 */
export async function measure(fn: () => Promise<void>, o: MeasureOptions): Promise<{ ms: number; cpuMs: number; runs: number }> {
  const cpuNow = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let t0 = performance.now();
  let c0 = cpuNow();
  await fn();
  const first = performance.now() - t0;
  const firstCpu = cpuNow() - c0;
  const times: number[] = [];
  const cpu: number[] = [];
  let spent = 0;
  if (first > (o.slowMs ?? Infinity)) {
    times.push(first);
    cpu.push(firstCpu);
    spent = first;
  }
  while (times.length < o.maxRuns && (times.length === 0 || spent < o.budgetMs)) {
    t0 = performance.now();
    c0 = cpuNow();
    await fn();
    const dt = performance.now() - t0;
    cpu.push(cpuNow() - c0);
    times.push(dt);
    spent += dt;
  }
  return { ms: median(times), cpuMs: median(cpu), runs: times.length };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs one measurement, turning a thrown error into a row with a note (the bench goes on). */
export async function row(workload: string, impl: string, gflop: number | undefined, fn: () => Promise<void>, o: MeasureOptions): Promise<BenchRow> {
  try {
    const { ms, cpuMs, runs } = await measure(fn, o);
    console.log(`  ${workload.padEnd(34)} ${impl.padEnd(22)} ${ms.toFixed(1).padStart(9)} ms${gflop ? `  ${((gflop / ms) * 1e3).toFixed(2).padStart(7)} GFLOP/s` : ''}  cpu ${cpuMs.toFixed(1)} ms  (${runs} runs)`);
    return { workload, impl, ms, cpuMs, gflop, runs };
  } catch (e) {
    const note = e instanceof Error ? e.message.split('\n')[0] : String(e);
    console.log(`  ${workload.padEnd(34)} ${impl.padEnd(22)} failed: ${note}`);
    return { workload, impl, ms: null, gflop, note: `failed: ${note}` };
  }
}

/** Deterministic pseudo-random floats in [-scale, scale). */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}
