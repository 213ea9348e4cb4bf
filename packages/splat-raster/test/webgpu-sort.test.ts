/**
 * GPU radix sort and exclusive scan against Array.prototype.sort / a CPU prefix sum.
 * Exact equality (integers). On a device with subgroups of >= 8 lanes (lavapipe) this runs
 * the subgroup passes; the workgroup-memory passes run on the subgroup-less device of
 * webgpu-default-limits.test.ts (a full render with several radix blocks vs the CPU).
 */

import { webgpuSuite } from '@headsplat/gpu/testing';
import { expect } from 'vitest';
import { Frame, GpuContext } from '../src/webgpu/gpu-context.js';
import { encodeRadixSort } from '../src/webgpu/sort/radix-sort.js';
import { encodeExclusiveScan } from '../src/webgpu/sort/scan.js';
import { makeRng } from './cpu-util.js';
import { readU32, upload } from './webgpu-util.js';

async function gpuSort(device: GPUDevice, keys: Uint32Array, bits: number, gpuCount?: number): Promise<{ keys: Uint32Array; values: Uint32Array }> {
  const frame = new Frame(GpuContext.for(device));
  const k = upload(device, keys);
  const v = upload(device, Uint32Array.from(keys, (_, i) => i));
  const c = gpuCount === undefined ? undefined : upload(device, Uint32Array.of(gpuCount));
  const enc = device.createCommandEncoder();
  const out = encodeRadixSort(frame, enc, { keys: k, values: v, count: keys.length, bits, countBuffer: c });
  device.queue.submit([enc.finish()]);
  const n = Math.min(gpuCount ?? keys.length, keys.length);
  const res = { keys: await readU32(device, out.keys, n), values: await readU32(device, out.values, n) };
  frame.releaseAll();
  k.destroy();
  v.destroy();
  c?.destroy();
  return res;
}

function cpuSort(keys: Uint32Array, bits: number): { keys: Uint32Array; values: Uint32Array } {
  const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  const idx = Array.from(keys, (_, i) => i).sort((a, b) => ((keys[a] & mask) >>> 0) - ((keys[b] & mask) >>> 0) || a - b);
  return { keys: Uint32Array.from(idx, (i) => keys[i]), values: Uint32Array.from(idx) };
}

webgpuSuite('radix sort', (ctx, test) => {
  const cases: [number, number, string][] = [
    [1, 32, 'one key'],
    [7, 32, 'a handful of keys'],
    [2047, 32, 'one block minus one'],
    [2049, 32, 'one block plus one'],
    [100_003, 32, 'many blocks, full 32-bit keys'],
    [50_001, 12, 'tile ids (12 bits) with many duplicates'],
    [30_000, 5, 'keys of 5 bits (odd digit count)'],
  ];
  for (const [n, bits, what] of cases) {
    test(`sorts ${n} keys stably: ${what}`, async () => {
      const rng = makeRng(n * 31 + bits);
      const mod = bits >= 32 ? 2 ** 32 : 2 ** bits;
      // Duplicates: draw from a range smaller than n half of the time.
      const range = Math.max(1, Math.min(mod, rng() < 0.5 ? Math.ceil(n / 8) : mod));
      const keys = Uint32Array.from({ length: n }, () => Math.floor(rng() * range) >>> 0);
      const got = await gpuSort(ctx.device, keys, bits);
      const want = cpuSort(keys, bits);
      expect(got.keys).toEqual(want.keys);
      expect(got.values).toEqual(want.values);
    }, 60_000);
  }

  test('sorts by the low bits only: bits above them are ignored, not sorted on', async () => {
    const rng = makeRng(11);
    // 10 sorted bits (3 digit passes cover 12): bits 10 and up are random.
    const keys = Uint32Array.from({ length: 6000 }, () => Math.floor(rng() * 2 ** 32) >>> 0);
    for (const bits of [10, 13]) {
      const got = await gpuSort(ctx.device, keys, bits);
      const want = cpuSort(keys, bits);
      expect(got.keys).toEqual(want.keys);
      expect(got.values).toEqual(want.values);
    }
  }, 60_000);

  test('sorts only the first countBuffer[0] pairs when the count is on the GPU (capacity mode)', async () => {
    const rng = makeRng(9);
    const keys = Uint32Array.from({ length: 9000 }, () => Math.floor(rng() * 1000));
    for (const count of [0, 1, 2047, 4100, 9000, 20_000]) {
      const got = await gpuSort(ctx.device, keys, 10, count);
      const want = cpuSort(keys.slice(0, Math.min(count, keys.length)), 10);
      expect(got.keys).toEqual(want.keys);
      expect(got.values).toEqual(want.values);
    }
  }, 60_000);

  test('sorts positive float32 depths by their bit patterns', async () => {
    const rng = makeRng(5);
    const depths = Float32Array.from({ length: 5000 }, () => 0.01 + rng() * rng() * 100);
    depths[10] = depths[20];
    const got = await gpuSort(ctx.device, new Uint32Array(depths.buffer.slice(0)), 32);
    const order = Array.from(depths, (_, i) => i).sort((a, b) => depths[a] - depths[b] || a - b);
    expect(Array.from(got.values)).toEqual(order);
  }, 60_000);

  test('scans u32 counts exclusively and reports the total', async () => {
    for (const n of [1, 1023, 1025, 4095, 4097, 300_000]) {
      const rng = makeRng(n);
      const data = Uint32Array.from({ length: n }, () => Math.floor(rng() * 5));
      const device = ctx.device;
      const frame = new Frame(GpuContext.for(device));
      const buf = upload(device, data);
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      const total = encodeExclusiveScan(frame, pass, buf, n);
      pass.end();
      device.queue.submit([enc.finish()]);
      const got = await readU32(device, buf, n);
      const tot = (await readU32(device, total.buffer, total.index + 1))[total.index];
      frame.releaseAll();
      buf.destroy();
      const want = new Uint32Array(n);
      let s = 0;
      for (let i = 0; i < n; i++) {
        want[i] = s;
        s += data[i];
      }
      expect(got).toEqual(want);
      expect(tot).toBe(s);
    }
  }, 60_000);
});
