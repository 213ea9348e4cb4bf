/**
 * Where one WebGPU MLP training step spends its time, kernel by kernel (not part of `pnpm bench`):
 *   pnpm exec tsx packages/core/bench/profile-mlp.ts [full] [steps=N] [pool=MiB]
 * Every dispatch gets its own compute pass with timestamp writes (feature `timestamp-query`),
 * so the per-kernel sums are device time as the driver sees it (on lavapipe: the time the
 * queue thread spends on that dispatch, both cores included). Also prints the step's process
 * CPU time / 2 and the backend's counters (submits, buffers created, hazard flushes), which
 * show the costs that are not kernels (buffer creation, zero-fill, read backs).
 */
import { getSharedDevice } from '@headsplat/gpu';
import { initWebGPU } from '../src/index.js';
import { mlpTrainer } from './bench-headsplat.js';
import type { WebGPUBackend } from '../src/backends/webgpu/index.js';
import { sizes } from './workloads.js';

const MAX_QUERIES = 4096;

interface Patched {
  encoder: GPUCommandEncoder | null;
  pass: GPUComputePassEncoder | null;
  getEncoder(): GPUCommandEncoder;
  getPass(): GPUComputePassEncoder;
  endPass(): void;
  submit(): void;
}

/** Wraps the backend so that each dispatch is timed; returns a function that reports and resets. */
function instrument(backend: WebGPUBackend): () => Promise<Map<string, { n: number; ms: number }>> {
  const dev = backend.device;
  const qs = dev.createQuerySet({ type: 'timestamp', count: MAX_QUERIES });
  const b = backend as unknown as Patched;
  let keys: string[] = [];
  const pendingReads: Promise<void>[] = [];
  const totals = new Map<string, { n: number; ms: number }>();
  // A dispatch may materialise lazy inputs (nested dispatches) before it records its own pass.
  const stack: string[] = [];
  const origDispatch = backend.dispatch.bind(backend);
  backend.dispatch = (spec) => {
    const current = spec.key.split('|')[0];
    stack.push(current);
    if (process.env.PROFILE_TRACE) console.log('dispatch', current.slice(0, 60), JSON.stringify(spec.workgroups), spec.inputs.map((s) => s.size).join(','), '->', spec.outputs.map((s) => s.size).join(','));
    origDispatch(spec);
    stack.pop();
    b.endPass();
  };
  b.getPass = () => {
    if (keys.length * 2 + 2 > MAX_QUERIES) b.submit();
    const i = keys.length;
    keys.push(stack[stack.length - 1] ?? '?');
    b.pass = b.getEncoder().beginComputePass({ timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
    return b.pass;
  };
  const origSubmit = b.submit.bind(b);
  b.submit = () => {
    b.endPass();
    if (b.encoder && keys.length) {
      const n = keys.length * 2;
      const resolve = dev.createBuffer({ size: n * 8, usage: 0x200 /* QUERY_RESOLVE */ | 0x4 /* COPY_SRC */ });
      const read = dev.createBuffer({ size: n * 8, usage: 0x1 /* MAP_READ */ | 0x8 /* COPY_DST */ });
      b.encoder.resolveQuerySet(qs, 0, n, resolve, 0);
      b.encoder.copyBufferToBuffer(resolve, 0, read, 0, n * 8);
      const ks = keys;
      keys = [];
      origSubmit();
      pendingReads.push(
        read.mapAsync(0x1).then(() => {
          const t = new BigUint64Array(read.getMappedRange().slice(0));
          for (let i = 0; i < ks.length; i++) {
            const ms = Number(t[2 * i + 1] - t[2 * i]) / 1e6;
            const e = totals.get(ks[i]) ?? { n: 0, ms: 0 };
            e.n++;
            e.ms += ms;
            totals.set(ks[i], e);
          }
          read.destroy();
          resolve.destroy();
        }),
      );
      return;
    }
    origSubmit();
  };
  return async () => {
    backend.flush();
    await dev.queue.onSubmittedWorkDone();
    await Promise.all(pendingReads.splice(0));
    const out = new Map(totals);
    totals.clear();
    return out;
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const h = await getSharedDevice();
  if (!h.device.features.has('timestamp-query')) throw new Error('profile-mlp: the adapter has no timestamp-query');
  const backend = await initWebGPU({ device: h.device });
  const pool = args.find((a) => a.startsWith('pool='));
  if (pool) backend.pool.maxFreeBytes = Number(pool.slice(5)) * 2 ** 20;
  const stepsArg = args.find((a) => a.startsWith('steps='));
  const steps = stepsArg ? Number(stepsArg.slice(6)) : 2;
  const m = sizes(!args.includes('full')).mlp;
  const trainer = mlpTrainer('webgpu', m);
  const report = instrument(backend);
  for (let step = 1; step <= steps; step++) {
    const s0 = backend.stats();
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    await trainer.step().data();
    const wall = performance.now() - w0;
    const c = process.cpuUsage(c0);
    const totals = await report();
    const s1 = backend.stats();
    let sum = 0;
    for (const v of totals.values()) sum += v.ms;
    console.log(`step ${step}: wall ${wall.toFixed(0)} ms, cpu/2 ${((c.user + c.system) / 2000).toFixed(0)} ms (sys ${(c.system / 1000).toFixed(0)} ms), kernels ${sum.toFixed(0)} ms; ` +
      `dispatches ${s1.dispatches - s0.dispatches}, submits ${s1.submits - s0.submits}, buffers created ${s1.created - s0.created}, destroyed ${s1.destroyed - s0.destroyed}, hazard flushes ${s1.hazardFlushes - s0.hazardFlushes}`);
    const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
    for (const [k, v] of rows.slice(0, 25)) console.log(`  ${v.ms.toFixed(1).padStart(9)} ms  ${String(v.n).padStart(4)}x  ${k}`);
  }
  process.exit(0);
}

void main();
