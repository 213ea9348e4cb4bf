/**
 * Waiting for the GPU without taking a CPU core from a CPU implementation of WebGPU.
 *
 * Dawn's Node binding (the `webgpu` package) settles its promises (`mapAsync`,
 * `onSubmittedWorkDone`, `popErrorScope`, ...) from a callback that re-queues itself with
 * `setImmediate` for as long as any of them is pending: while one is awaited, the main thread
 * runs at 100%. On a CPU adapter (lavapipe / llvmpipe, SwiftShader) the "GPU" is a pool of
 * threads on the same cores, and the polling thread takes its share of them. On a 2-core
 * machine, lavapipe's forward rasterize kernel of @headsplat/splat-raster (100k Gaussians,
 * 512x512) took 254-278 ms of GPU time with the plain `await`, 183-199 ms with the waits
 * below (minimum of 5 interleaved runs each, two runs of its wait benchmark).
 *
 * `gpuWait` instead sleeps the thread (`Atomics.wait`) between turns of the event loop: each
 * turn runs Dawn's polling callback once, and the slices grow from 0.05 ms to 1 ms, so a wait
 * ends at most ~1 ms after the work does. The event loop is blocked for at most one slice at a
 * time. It applies in Node on CPU adapters (`waitMode` 'auto'); a real GPU does not share the
 * cores, and browsers do not poll.
 *
 * API
 * - `isCpuAdapter(device)`
 * - `gpuWait(device, promise)`
 * - `setGpuWaitMode(mode)`, `gpuWaitMode()`
 */

/** 'auto': sleep-polling in Node on CPU adapters; 'sleep': in Node on every adapter; 'spin': plain await. */
export type GpuWaitMode = 'auto' | 'sleep' | 'spin';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
let mode: GpuWaitMode = 'auto';

/** Sets how `gpuWait` waits, for the whole process (default 'auto'). */
export function setGpuWaitMode(m: GpuWaitMode): void {
  if (m !== 'auto' && m !== 'sleep' && m !== 'spin') {
    throw new Error(`setGpuWaitMode: mode: expected 'auto', 'sleep' or 'spin', got ${JSON.stringify(m)}`);
  }
  mode = m;
}

/** The current wait mode. */
export function gpuWaitMode(): GpuWaitMode {
  return mode;
}

const cpuAdapters = new WeakMap<GPUDevice, boolean>();

/**
 * Whether `device` runs on a CPU implementation of WebGPU (llvmpipe / lavapipe,
 * SwiftShader), from the adapter information the device reports.
 */
export function isCpuAdapter(device: GPUDevice): boolean {
  let cpu = cpuAdapters.get(device);
  if (cpu === undefined) {
    const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    const text = info ? `${info.vendor} ${info.architecture} ${info.device} ${info.description}` : '';
    cpu = /llvmpipe|lavapipe|swiftshader/i.test(text);
    cpuAdapters.set(device, cpu);
  }
  return cpu;
}

let sleepCell: Int32Array | undefined;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Awaits `promise`, a WebGPU promise of `device` (or anything that settles when GPU work
 * does), without keeping a CPU core busy where that core is the GPU's: see the module
 * comment. Resolves or rejects as `promise` does; where the mode does not apply it returns
 * `promise` itself.
 */
export function gpuWait<T>(device: GPUDevice, promise: Promise<T>): Promise<T> {
  if (!isNode || mode === 'spin' || (mode === 'auto' && !isCpuAdapter(device))) return promise;
  return sleepUntilSettled(promise);
}

async function sleepUntilSettled<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const done = (): void => {
    settled = true;
  };
  promise.then(done, done);
  // Already settled (or settling with Dawn's next callback): no sleep at all.
  await nextTurn();
  sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
  let slice = 0.05;
  while (!settled) {
    Atomics.wait(sleepCell, 0, 0, slice);
    slice = Math.min(1, slice * 2);
    await nextTurn();
  }
  return promise;
}
