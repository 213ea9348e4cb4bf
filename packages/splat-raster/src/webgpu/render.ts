/**
 * Typed-array convenience API of the WebGPU rasterizer, mirroring the CPU reference's
 * `renderCpu` / `renderCpuBackward`: uploads a `GaussianScene`, runs the GPU forward /
 * backward and reads the results back as `RenderOutput` / `RenderGradients` (Float32Array).
 *
 * @example
 *   const { output, state } = await renderWebGPU(device, scene, camera, { background: [0, 0, 0] });
 *   const grads = await renderWebGPUBackward(state, { rgb: dLdRgb });
 *   state.release();
 *
 * `state.release()` frees the GPU buffers the backward needs (call it once done, or pass
 * `{ keepState: false }` to the forward when no backward follows).
 */

import { gpuWait } from '@headsplat/gpu';
import type { Camera, GaussianScene, RenderGradOutputs, RenderGradients, RenderOptions, RenderOutput } from '../types.js';
import { validateGradOutputs, validateRenderInputs } from '../validate.js';
import { USAGE } from './gpu-context.js';
import { type GaussianBuffers, type Rasterizer, type RasterizerKernels, type RasterizerState, createRasterizer } from './rasterizer.js';

const rasterizers = new WeakMap<GPUDevice, Map<RasterizerKernels, Rasterizer>>();

/** The device's shared rasterizer for `kernels` (created on first use). */
export function getRasterizer(device: GPUDevice, kernels: RasterizerKernels = 'auto'): Rasterizer {
  let m = rasterizers.get(device);
  if (!m) {
    m = new Map();
    rasterizers.set(device, m);
  }
  let r = m.get(kernels);
  if (!r) {
    r = createRasterizer(device, { kernels });
    m.set(kernels, r);
  }
  return r;
}

export interface WebGPURenderState {
  readonly rasterizer: Rasterizer;
  readonly gpu: RasterizerState;
  readonly width: number;
  readonly height: number;
  readonly count: number;
  readonly featureDim: number;
  readonly colorStride: number;
  /** Frees the uploaded scene and the saved forward buffers. Idempotent. */
  release(): void;
}

export interface WebGPURenderResult {
  output: RenderOutput;
  /** Already released when `keepState` was false (then it cannot run a backward). */
  state: WebGPURenderState;
}

function upload(device: GPUDevice, data: ArrayLike<number>): GPUBuffer {
  const f = data instanceof Float32Array ? data : Float32Array.from(data);
  const buf = device.createBuffer({ size: Math.max(4, f.byteLength), usage: USAGE.storage });
  if (f.byteLength > 0) device.queue.writeBuffer(buf, 0, f.buffer, f.byteOffset, f.byteLength);
  return buf;
}

/** Reads f32 / i32 words of several buffers back in one submit. */
async function readBack(device: GPUDevice, items: { buffer: GPUBuffer; words: number }[]): Promise<ArrayBuffer[]> {
  const total = items.reduce((s, it) => s + it.words * 4, 0);
  const staging = device.createBuffer({ size: Math.max(4, total), usage: 0x1 | 0x8 }); // MAP_READ | COPY_DST
  const enc = device.createCommandEncoder({ label: 'splat-readback' });
  let off = 0;
  for (const it of items) {
    if (it.words > 0) enc.copyBufferToBuffer(it.buffer, 0, staging, off, it.words * 4);
    off += it.words * 4;
  }
  device.queue.submit([enc.finish()]);
  await gpuWait(device, staging.mapAsync(0x1));
  const mapped = staging.getMappedRange();
  const out: ArrayBuffer[] = [];
  off = 0;
  for (const it of items) {
    out.push(mapped.slice(off, off + it.words * 4));
    off += it.words * 4;
  }
  staging.unmap();
  staging.destroy();
  return out;
}

/**
 * Renders `scene` on the GPU; same inputs, defaults and outputs as `renderCpu`.
 * Input values are validated (finite, positive scales, opacities in [0, 1], shapes).
 */
export async function renderWebGPU(
  device: GPUDevice,
  scene: GaussianScene,
  camera: Camera,
  options?: RenderOptions & { keepState?: boolean; kernels?: RasterizerKernels },
): Promise<WebGPURenderResult> {
  const v = validateRenderInputs('renderWebGPU', scene, camera, options);
  const r = getRasterizer(device, options?.kernels);
  const { n, featureDim: F } = v.scene;
  const g: GaussianBuffers = {
    count: n,
    means: upload(device, scene.means),
    quats: upload(device, scene.quats),
    scales: upload(device, scene.scales),
    opacities: upload(device, scene.opacities),
    colors: upload(device, scene.colors),
  };
  if (scene.shDegree !== undefined) g.shDegree = scene.shDegree;
  if (F > 0) {
    g.features = upload(device, scene.features!);
    g.featureDim = F;
  }
  const uploaded = [g.means, g.quats, g.scales, g.opacities, g.colors, g.features].filter((b): b is GPUBuffer => !!b);
  let fwd;
  try {
    fwd = await r.forward(g, camera, options);
  } catch (e) {
    for (const b of uploaded) b.destroy();
    throw e;
  }
  const o = fwd.outputs;
  const P = camera.width * camera.height;
  const items = [
    { buffer: o.rgb, words: 3 * P },
    { buffer: o.alpha, words: P },
    { buffer: o.depth, words: P },
    { buffer: o.radii, words: n },
    { buffer: o.means2d, words: 2 * n },
  ];
  if (o.features) items.push({ buffer: o.features, words: F * P });
  const data = await readBack(device, items);
  for (const b of Object.values(o)) b.destroy();
  const output: RenderOutput = {
    rgb: new Float32Array(data[0]),
    alpha: new Float32Array(data[1]),
    depth: new Float32Array(data[2]),
    radii: new Int32Array(data[3]),
    means2d: new Float32Array(data[4]),
  };
  if (o.features) output.features = new Float32Array(data[5]);

  let released = false;
  const state: WebGPURenderState = {
    rasterizer: r,
    gpu: fwd.state,
    width: camera.width,
    height: camera.height,
    count: n,
    featureDim: F,
    colorStride: v.scene.colorStride,
    release() {
      if (released) return;
      released = true;
      fwd.state.release();
      for (const b of uploaded) b.destroy();
    },
  };
  if (options?.keepState === false) state.release();
  return { output, state };
}

/** Gradients of the forward of `state` for upstream image gradients; same as `renderCpuBackward` (float32). */
export async function renderWebGPUBackward(state: WebGPURenderState, gradOutputs: RenderGradOutputs): Promise<RenderGradients> {
  const { width: w, height: h, featureDim: F, count: n, colorStride } = state;
  validateGradOutputs('renderWebGPUBackward', gradOutputs, w, h, F);
  const device = state.rasterizer.device;
  const ups: GPUBuffer[] = [];
  const up = (a: ArrayLike<number> | undefined): GPUBuffer | undefined => {
    if (!a) return undefined;
    const b = upload(device, a);
    ups.push(b);
    return b;
  };
  let grads;
  try {
    grads = state.rasterizer.backward(state.gpu, {
      rgb: up(gradOutputs.rgb),
      features: up(gradOutputs.features),
      alpha: up(gradOutputs.alpha),
      depth: up(gradOutputs.depth),
    });
  } finally {
    for (const b of ups) b.destroy();
  }
  try {
    await state.rasterizer.checkErrors();
  } catch (e) {
    grads.destroy();
    throw e;
  }
  const items = [
    { buffer: grads.means, words: 3 * n },
    { buffer: grads.quats, words: 4 * n },
    { buffer: grads.scales, words: 3 * n },
    { buffer: grads.opacities, words: n },
    { buffer: grads.colors, words: colorStride * n },
    { buffer: grads.viewMatrix, words: 16 },
    { buffer: grads.means2d, words: 2 * n },
    { buffer: grads.means2dAbs, words: 2 * n },
  ];
  if (grads.features) items.push({ buffer: grads.features, words: F * n });
  const d = await readBack(device, items);
  grads.destroy();
  const out: RenderGradients = {
    means: new Float32Array(d[0]),
    quats: new Float32Array(d[1]),
    scales: new Float32Array(d[2]),
    opacities: new Float32Array(d[3]),
    colors: new Float32Array(d[4]),
    viewMatrix: new Float32Array(d[5]),
    means2d: new Float32Array(d[6]),
    means2dAbs: new Float32Array(d[7]),
  };
  if (F > 0) out.features = new Float32Array(d[8]);
  return out;
}
