import { afterEach, describe, expect, it } from 'vitest';
import { webgpuSuite } from '../src/testing.js';
import { gpuWait, gpuWaitMode, isCpuAdapter, setGpuWaitMode } from '../src/index.js';

/**
 * Event-loop turns during `wait`, counted by a callback that re-queues itself with
 * setImmediate, as Dawn's Node binding polls while one of its promises is pending.
 */
async function turnsDuring(wait: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let on = true;
  const poll = (): void => {
    turns++;
    if (on) setImmediate(poll);
  };
  setImmediate(poll);
  try {
    await wait();
  } finally {
    on = false;
  }
  return turns;
}

const after = (ms: number, value: string): Promise<string> => new Promise((r) => setTimeout(() => r(value), ms));

webgpuSuite('gpuWait', (ctx, test) => {
  afterEach(() => setGpuWaitMode('auto'));

  test('isCpuAdapter matches the CPU Vulkan driver the device was opened on', () => {
    const cpuDriver = ctx.handle.driver === 'lavapipe' || ctx.handle.driver === 'swiftshader';
    if (cpuDriver) expect(isCpuAdapter(ctx.device)).toBe(true);
    expect(isCpuAdapter(ctx.device)).toBe(/llvmpipe|lavapipe|swiftshader/i.test(ctx.handle.description));
  });

  test('resolves with the value and rejects with the error of the awaited promise', async () => {
    for (const mode of ['auto', 'sleep', 'spin'] as const) {
      setGpuWaitMode(mode);
      await expect(gpuWait(ctx.device, after(5, 'done'))).resolves.toBe('done');
      await expect(gpuWait(ctx.device, Promise.reject(new Error('lost')))).rejects.toThrow('lost');
      await expect(gpuWait(ctx.device, ctx.device.queue.onSubmittedWorkDone())).resolves.toBeUndefined();
    }
  });

  test("'sleep' runs a polling callback about once per ms slice; 'spin' leaves the promise as it is", async () => {
    setGpuWaitMode('sleep');
    // Slices of 0.05, 0.1, 0.2, 0.4, 0.8 ms, then 1 ms: at most 5 + 50 of them fit in 50 ms,
    // plus the first turn and the one that sees the promise settled.
    const sleeping = await turnsDuring(() => gpuWait(ctx.device, after(50, 'x')));
    expect(sleeping).toBeGreaterThan(0);
    expect(sleeping).toBeLessThanOrEqual(57);
    setGpuWaitMode('spin');
    const p = after(1, 'y');
    expect(gpuWait(ctx.device, p)).toBe(p);
  });

  test("'auto' sleeps on CPU adapters only", async () => {
    expect(gpuWaitMode()).toBe('auto');
    const p = after(20, 'z');
    const same = gpuWait(ctx.device, p) === p;
    expect(same).toBe(!isCpuAdapter(ctx.device));
    await p;
  });
});

describe('setGpuWaitMode', () => {
  it('names the accepted modes for a bad one', () => {
    expect(() => setGpuWaitMode('busy' as never)).toThrow(/setGpuWaitMode: mode: expected 'auto', 'sleep' or 'spin', got "busy"/);
  });
});
