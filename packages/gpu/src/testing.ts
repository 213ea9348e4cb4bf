/**
 * Test harness for WebGPU suites (vitest). Import from '@headsplat/gpu/testing'.
 *
 * `webgpuSuite()` opens one device for a test file. When no adapter can be had the
 * file's tests are skipped with the reason, except under `CI=true`, where that is a
 * failure: WebGPU tests must run in CI, never silently skip.
 */
import { beforeAll, describe, it, type TestAPI } from 'vitest';
import { getSharedDevice, type DeviceHandle } from './get-device.js';

export interface WebGPUContext {
  /** Valid inside tests (after beforeAll). */
  readonly device: GPUDevice;
  readonly handle: DeviceHandle;
}

let probe: Promise<DeviceHandle | Error> | undefined;

function tryDevice(): Promise<DeviceHandle | Error> {
  probe ??= getSharedDevice().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  return probe;
}

/**
 * Declares a describe block whose tests get a WebGPU device.
 * @example webgpuSuite('matmul', (ctx) => { it('multiplies', async () => { ctx.device ... }) })
 */
export function webgpuSuite(name: string, body: (ctx: WebGPUContext, test: TestAPI) => void): void {
  const ci = process.env.CI === 'true';
  let handle: DeviceHandle | undefined;
  let failure: Error | undefined;
  const ctx: WebGPUContext = {
    get device() {
      if (!handle) throw failure ?? new Error('webgpuSuite: device used before beforeAll ran');
      return handle.device;
    },
    get handle() {
      if (!handle) throw failure ?? new Error('webgpuSuite: device used before beforeAll ran');
      return handle;
    },
  };
  describe(`${name} [webgpu]`, () => {
    beforeAll(async () => {
      const r = await tryDevice();
      if (r instanceof Error) {
        failure = r;
        if (ci) throw new Error(`WebGPU is required under CI=true: ${r.message}`);
        console.warn(`[webgpu] skipping '${name}': ${r.message}`);
        return;
      }
      handle = r;
    }, 60_000);
    const guarded = ((title: string, fn: (...a: unknown[]) => unknown, timeout?: number) =>
      it(title, async (c) => {
        if (!handle) {
          if (ci) throw failure;
          c.skip();
        }
        return fn(c);
      }, timeout)) as unknown as TestAPI;
    body(ctx, guarded);
  });
}
