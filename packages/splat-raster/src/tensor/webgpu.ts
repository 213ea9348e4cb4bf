/**
 * The WebGPU branch of the /tensor `rasterize` op: the rasterizer runs directly on the
 * GPUBuffers of core's WebGPU tensors (same GPUDevice as core's backend), writes its
 * outputs into buffers of core's pool and its gradients likewise; nothing goes through the
 * CPU. Two kernels are registered with core's kernel registry for device 'webgpu' and run
 * through `runKernel`, which wraps the storages they return as tensors.
 *
 * Ordering: core records its own work into a pending command encoder; before the
 * rasterizer submits, the backend is flushed so that the commands writing the inputs (or
 * the upstream gradients) are on the queue first. Later core commands that read the
 * outputs are submitted after ours, so queue order does the rest.
 *
 * The forward uses `Rasterizer.forwardSync` (automatic pair capacity; on overflow the
 * images stay exact, only slower). The backward state is kept per op call (WeakMap on the
 * context) and returned to the pool when core frees the graph node; the Gaussian inputs
 * are saved on the context so that their buffers outlive the caller's handles.
 */

import { type OpContext, type Tensor, type WebGPUBackend, registerKernel, runKernel } from '@headsplat/core';
import { gpuWait } from '@headsplat/gpu';
import type { Camera, RenderOptions } from '../types.js';
import type { ForwardOutputs, ForwardResult, GaussianBuffers, GradientBuffers } from '../webgpu/rasterizer.js';
import { getRasterizer } from '../webgpu/render.js';
import type { CheckedInputs } from './inputs.js';
import type { Means2dGradInfo } from './rasterize-op.js';


type Storage = Parameters<WebGPUBackend['bufferOf']>[0];

interface ForwardAttrs {
  camera: Camera;
  options: RenderOptions;
  checked: CheckedInputs;
  keepState: boolean;
  sink: { result?: ForwardResult };
}

interface BackwardAttrs {
  state: GpuOpState;
  /** Which upstream gradients are present, in the input order [rgb, alpha, depth, means2d, features]. */
  present: boolean[];
}

interface GpuOpState {
  result: ForwardResult;
  /** Copy of the forward's radii (only with onMeans2dGrad; the radii tensor may be gone by the backward). */
  radii?: GPUBuffer;
  shapes: (readonly number[])[];
  checked: CheckedInputs;
  colorStride: number;
  onMeans2dGrad?: (info: Means2dGradInfo) => void;
}

const FWD = 'splatRasterizeForward';
const BWD = 'splatRasterizeBackward';
const states = new WeakMap<OpContext, GpuOpState>();
let registered = false;

function register(): void {
  if (registered) return;
  registered = true;

  registerKernel<ForwardAttrs>('webgpu', FWD, (inputs, attrs, backend) => {
    const be = backend as unknown as WebGPUBackend;
    const { checked, camera } = attrs;
    const { n, featureDim: F } = checked;
    const P = camera.width * camera.height;
    const [means, quats, scales, opacities, colors, features] = inputs.map((t) => be.bufferOf(t.storage as Storage));
    const g: GaussianBuffers = { count: n, means, quats, scales, opacities, colors };
    if (checked.shDegree !== undefined) g.shDegree = checked.shDegree;
    if (F > 0) {
      g.features = features;
      g.featureDim = F;
    }
    const spec: { key: keyof ForwardOutputs; size: number; shape: number[]; dtype: 'float32' | 'int32' }[] = [
      { key: 'rgb', size: 3 * P, shape: [camera.height, camera.width, 3], dtype: 'float32' },
      { key: 'alpha', size: P, shape: [camera.height, camera.width], dtype: 'float32' },
      { key: 'depth', size: P, shape: [camera.height, camera.width], dtype: 'float32' },
      { key: 'radii', size: n, shape: [n], dtype: 'int32' },
      { key: 'means2d', size: 2 * n, shape: [n, 2], dtype: 'float32' },
    ];
    if (F > 0) spec.push({ key: 'features', size: F * P, shape: [camera.height, camera.width, F], dtype: 'float32' });
    const storages = spec.map((s) => be.createOutput(s.dtype, s.size));
    const outputs: Partial<ForwardOutputs> = {};
    spec.forEach((s, i) => (outputs[s.key] = be.bufferOf(storages[i])));
    be.flush();
    let result: ForwardResult;
    try {
      result = getRasterizer(be.device).forwardSync(g, camera, attrs.options, { outputs });
    } catch (e) {
      for (const s of storages) be.free(s);
      throw e;
    }
    if (attrs.keepState) attrs.sink.result = result;
    else result.state.release();
    return spec.map((s, i) => ({ storage: storages[i], shape: s.shape, dtype: s.dtype }));
  });

  registerKernel<BackwardAttrs>('webgpu', BWD, (inputs, attrs, backend) => {
    const be = backend as unknown as WebGPUBackend;
    const { state, present } = attrs;
    const { n, featureDim: F } = state.checked;
    const ups: (GPUBuffer | undefined)[] = [];
    let k = 0;
    for (const p of present) ups.push(p ? be.bufferOf(inputs[k++].storage as Storage) : undefined);
    const [rgb, alpha, depth, means2d, features] = ups;
    const sizes = [3 * n, 4 * n, 3 * n, n, state.colorStride * n];
    if (F > 0) sizes.push(F * n);
    const storages = sizes.map((s) => be.createOutput('float32', s));
    const b = storages.map((s) => be.bufferOf(s));
    const into: Partial<Omit<GradientBuffers, 'destroy'>> = { means: b[0], quats: b[1], scales: b[2], opacities: b[3], colors: b[4] };
    if (F > 0) into.features = b[5];
    be.flush();
    const r = getRasterizer(be.device);
    let grads: GradientBuffers;
    try {
      grads = r.backward(state.result.state, { rgb, alpha, depth, means2d, features }, { into });
    } catch (e) {
      for (const s of storages) be.free(s);
      throw e;
    }
    const cb = state.onMeans2dGrad;
    if (cb) {
      // Densification statistics go to the CPU; the callback runs once the read completes.
      const radii = be.device.createBuffer({ size: Math.max(4, n * 4), usage: 0x80 | 0x4 | 0x8 });
      const enc = be.device.createCommandEncoder();
      if (n > 0) enc.copyBufferToBuffer(state.radii!, 0, radii, 0, n * 4);
      be.device.queue.submit([enc.finish()]);
      void readBack(be.device, [grads.means2d, grads.means2dAbs, radii], 2 * n)
        .then(([m, a, rd]) => {
          cb({ means2d: Float64Array.from(m), means2dAbs: Float64Array.from(a), radii: new Int32Array(rd.buffer, rd.byteOffset, n) });
        })
        .finally(() => {
          grads.destroy();
          radii.destroy();
        });
    } else {
      grads.destroy();
    }
    return storages.map((s, i) => ({ storage: s, shape: state.shapes[i], dtype: 'float32' as const }));
  });
}

async function readBack(device: GPUDevice, bufs: GPUBuffer[], words: number): Promise<Float32Array[]> {
  const staging = device.createBuffer({ size: Math.max(4, bufs.length * words * 4), usage: 0x1 | 0x8 });
  const enc = device.createCommandEncoder();
  bufs.forEach((b, i) => words > 0 && enc.copyBufferToBuffer(b, 0, staging, i * words * 4, words * 4));
  device.queue.submit([enc.finish()]);
  await gpuWait(device, staging.mapAsync(0x1));
  const all = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return bufs.map((_, i) => all.subarray(i * words, (i + 1) * words));
}

/** Forward of `rasterize` for tensors on device 'webgpu'. */
export function rasterizeWebGPUTensors(
  ctx: OpContext,
  inputs: Tensor[],
  checked: CheckedInputs,
  camera: Camera,
  options: RenderOptions & { onMeans2dGrad?: (info: Means2dGradInfo) => void },
): Tensor[] {
  if (checked.dtype !== 'float32') {
    throw new Error(`rasterize: gaussians.means: expected dtype 'float32' on device 'webgpu', got '${checked.dtype}'`);
  }
  register();
  const { onMeans2dGrad, ...renderOptions } = options;
  const sink: ForwardAttrs['sink'] = {};
  const outs = runKernel<ForwardAttrs>(FWD, inputs, { camera, options: renderOptions, checked, keepState: ctx.needsInputGrad, sink });
  if (sink.result) {
    const result = sink.result;
    const colorStride = checked.shDegree === undefined ? 3 : 3 * (checked.shDegree + 1) ** 2;
    const st: GpuOpState = { result, shapes: inputs.map((t) => t.shape), checked, colorStride, onMeans2dGrad };
    if (onMeans2dGrad) {
      const device = (inputs[0].backend as unknown as WebGPUBackend).device;
      const bytes = Math.max(4, checked.n * 4);
      st.radii = device.createBuffer({ size: bytes, usage: 0x80 | 0x4 | 0x8 });
      const enc = device.createCommandEncoder();
      if (checked.n > 0) enc.copyBufferToBuffer(result.outputs.radii, 0, st.radii, 0, checked.n * 4);
      device.queue.submit([enc.finish()]);
    }
    states.set(ctx, st);
    ctx.save(...inputs);
    ctx.onRelease(() => {
      states.delete(ctx);
      result.state.release();
      st.radii?.destroy();
    });
  }
  return outs;
}

/** Whether the op call of `ctx` ran on the WebGPU rasterizer. */
export function isWebGPUOp(ctx: OpContext): boolean {
  return states.has(ctx);
}

/**
 * Backward of `rasterize` on 'webgpu': grads in the op's output order
 * [rgb, alpha, depth, radii, means2d, features?]; returns the input gradients.
 */
export function rasterizeWebGPUBackward(ctx: OpContext, grads: (Tensor | null)[]): Tensor[] {
  const st = states.get(ctx);
  if (!st) throw new Error('rasterize: backward: the render state was released (was the graph already used by a backward without retainGraph?)');
  const [gRgb, gAlpha, gDepth, , gMeans2d, gFeatures] = grads;
  const list = [gRgb, gAlpha, gDepth, gMeans2d, gFeatures ?? null];
  const present = list.map((t) => t !== null && t !== undefined);
  const ins = list.filter((t): t is Tensor => !!t);
  return runKernel<BackwardAttrs>(BWD, ins, { state: st, present }, 'webgpu');
}
