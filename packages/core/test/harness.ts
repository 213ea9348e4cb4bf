/**
 * The op test-suite harness (tfjs's describeWithFlags, made small): `describeBackends`
 * runs one body on every backend. CPU is the oracle; on WebGPU the same assertions run
 * with float32 tolerances. Under CI=true a missing WebGPU adapter fails every WebGPU
 * test (`requireWebGPU`); elsewhere those tests are skipped with the reason.
 */
import { beforeAll, beforeEach, describe, expect } from 'vitest';
import type { Device, Tensor } from '../src/index.js';

export interface BackendCtx {
  device: Device;
  /** Absolute/relative tolerance for float32 results on this backend. */
  tol: number;
}

let webgpuReady: Promise<Error | null> | undefined;

async function initGpu(): Promise<Error | null> {
  try {
    const mod = await import('../src/backends/webgpu/index.js');
    await mod.initWebGPU();
    return null;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/**
 * Declares the WebGPU prerequisite of the enclosing describe block (or file, at top
 * level): the backend is initialised once in beforeAll; without an adapter every test
 * FAILS under CI=true (WebGPU tests must run in CI) and is skipped, with the reason,
 * elsewhere. A failing beforeAll alone would only mark the tests skipped.
 */
export function requireWebGPU(label: string): void {
  let err: Error | null = null;
  beforeAll(async () => {
    webgpuReady ??= initGpu();
    err = await webgpuReady;
    if (err && process.env.CI !== 'true') console.warn(`[webgpu] skipping '${label}': ${err.message}`);
  }, 120_000);
  beforeEach((ctx) => {
    if (!err) return;
    if (process.env.CI === 'true') throw new Error(`WebGPU is required under CI=true ('${label}'): ${err.message}`);
    ctx.skip();
  });
}

export function describeBackends(name: string, body: (ctx: BackendCtx) => void, only?: Device[]): void {
  const devices: Device[] = only ?? ['cpu', 'webgpu'];
  for (const device of devices) {
    describe(`${name} [${device}]`, () => {
      const ctx: BackendCtx = { device, tol: device === 'cpu' ? 1e-6 : 2e-5 };
      if (device === 'webgpu') requireWebGPU(name);
      body(ctx);
    });
  }
}

/** Asserts that two flat arrays are equal within |a-b| <= atol + rtol*|b|, reporting the first failure. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = atol): void {
  expect(actual.length, 'length').toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const b = Number(expected[i]);
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    if (a === b) continue;
    const ok = Math.abs(a - b) <= atol + rtol * Math.abs(b);
    if (!ok) expect.fail(`element ${i}: got ${a}, expected ${b} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Reads a tensor's values as a plain number array. */
export async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.data(), Number);
}
