/**
 * @headsplat/core benchmarks: matmul 512^3 and 1024^3, conv2d 1x64x128x128 3x3 64->64 and
 * one MLP training step, on our WebGPU and CPU backends beside tfjs-cpu, tfjs-wasm and
 * PyTorch CPU (when installed). Run through `pnpm bench` (scripts/bench.ts), which starts
 * this file once per Vulkan driver; alone:
 *   pnpm exec tsx packages/core/bench/index.ts [--quick] [--gpu-only] [--out result.json]
 * --gpu-only runs only the WebGPU rows (the peers do not depend on the driver).
 */
import { writeFileSync } from 'node:fs';
import { getSharedDevice } from '@headsplat/gpu';
import { initWebGPU } from '../src/index.js';
import { benchMatmulConv, benchMlp } from './bench-headsplat.js';
import { benchTfjs } from './bench-tfjs.js';
import { benchTorch } from './torch-runner.js';
import type { BenchRow, MeasureOptions } from './timing.js';
import { sizes } from './workloads.js';

export interface PackageBenchResult {
  package: string;
  driver: string;
  adapter: string;
  quick: boolean;
  /** The implementation ratios are taken against. */
  baseline: string;
  rows: BenchRow[];
  skipped: string[];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const gpuOnly = args.includes('--gpu-only');
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  const s = sizes(quick);
  const fast: MeasureOptions = quick ? { budgetMs: 500, maxRuns: 3, slowMs: 3000 } : { budgetMs: 3000, maxRuns: 7, slowMs: 5000 };
  // Slow peers (pure-JS MLP steps of tens of seconds): a first run that slow counts as measured.
  const slow: MeasureOptions = quick ? { budgetMs: 1, maxRuns: 1, slowMs: 5000 } : { budgetMs: 4000, maxRuns: 3, slowMs: 10000 };
  // WebGPU always warms up first: the first step compiles every pipeline.
  const gpuSlow: MeasureOptions = { ...slow, slowMs: Infinity };
  const rows: BenchRow[] = [];
  const skipped: string[] = [];
  let driver = 'none';
  let adapter = '';
  try {
    const h = await getSharedDevice();
    driver = h.driver;
    adapter = h.description;
    await initWebGPU({ device: h.device });
  } catch (e) {
    skipped.push(`headsplat-webgpu: no adapter (${(e as Error).message.split('\n')[0]})`);
  }
  console.log(`[core bench] driver ${driver} ${adapter}${quick ? ' (quick)' : ''}`);
  if (driver !== 'none') {
    const impl = `headsplat-webgpu-${driver}`;
    rows.push(...(await benchMatmulConv('webgpu', impl, s, fast)));
    rows.push(await benchMlp('webgpu', impl, s, gpuSlow));
  }
  if (!gpuOnly) {
    rows.push(...(await benchMatmulConv('cpu', 'headsplat-cpu', s, fast)));
    rows.push(await benchMlp('cpu', 'headsplat-cpu', s, slow));
    for (const b of ['wasm', 'cpu'] as const) {
      try {
        rows.push(...(await benchTfjs(b, s, fast, slow)));
      } catch (e) {
        skipped.push(`tfjs-${b}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    const torch = benchTorch(s, fast, slow);
    if (typeof torch === 'string') skipped.push(`pytorch: ${torch}`);
    else rows.push(...torch);
  }
  for (const w of skipped) console.log(`  skipped ${w}`);
  const result: PackageBenchResult = { package: 'core', driver, adapter, quick, baseline: 'tfjs-wasm', rows, skipped };
  if (out) writeFileSync(out, JSON.stringify(result, null, 2));
  else console.log(JSON.stringify(result));
  // Dawn keeps the process alive while a device exists.
  process.exit(0);
}

void main();
