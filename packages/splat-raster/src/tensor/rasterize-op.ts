/**
 * `rasterize`: the splat rasterizer as a differentiable op of @headsplat/core, declared with
 * core's custom-op API (`defineOp`). CPU tensors run the float64 CPU reference (float32
 * inputs are widened, outputs narrowed back); float64 tensors stay float64 end to end so
 * that core's `gradcheck` can check the op. WebGPU tensors go to the WebGPU rasterizer
 * (see ./webgpu.ts).
 *
 * Outputs: rgb (H, W, 3), alpha (H, W), depth (H, W), features (H, W, F) when given,
 * radii (N) int32 (no gradient), means2d (N, 2). Gradients flow to every Gaussian input,
 * including through `means2d` (d means2d / d means of the pinhole projection).
 * `onMeans2dGrad` on WebGPU tensors is called asynchronously, once its read back completes.
 * Double backward (createGraph) is not supported: the backward is not itself an op graph.
 */

import { type OpContext, Tensor, defineOp, isGradEnabled, tensor } from '@headsplat/core';
import { renderCpu, renderCpuBackward } from '../cpu/index.js';
import type { CpuRenderGradients, CpuRenderState } from '../cpu/index.js';
import type { Camera, GaussianScene, RenderOptions } from '../types.js';
import { type CheckedInputs, type GaussianTensors, checkGaussianTensors, hostFloat64 } from './inputs.js';
import { isWebGPUOp, rasterizeWebGPUBackward, rasterizeWebGPUTensors } from './webgpu.js';

/** Per-Gaussian screen-space gradients, for densification (see `accumulateMeans2dGradNorms`). */
export interface Means2dGradInfo {
  /** (N, 2) dL/d means2d from the rasterization (what 3DGS densifies on). */
  means2d: Float64Array;
  /** (N, 2) sums of absolute per-pixel contributions (AbsGS). */
  means2dAbs: Float64Array | undefined;
  /** (N) radii of the forward pass. */
  radii: Int32Array;
}

export interface TensorRasterizeOptions extends RenderOptions {
  /**
   * Called during the backward with the screen-space mean gradients (the role of
   * `viewspace_points.grad` in 3DGS), so that densification statistics need no extra pass.
   */
  onMeans2dGrad?: (info: Means2dGradInfo) => void;
}

export interface RasterizeTensors {
  /** (H, W, 3) */
  rgb: Tensor;
  /** (H, W) accumulated opacity. */
  alpha: Tensor;
  /** (H, W) expected depth sum_i w_i z_i (not divided by alpha). */
  depth: Tensor;
  /** (H, W, F) when features were given. */
  features?: Tensor;
  /** (N) int32 pixel radius; 0 = culled. */
  radii: Tensor;
  /** (N, 2) projected means in pixels. */
  means2d: Tensor;
}

interface CpuOpState {
  render: CpuRenderState;
  checked: CheckedInputs;
  shapes: (readonly number[])[];
  radii: Int32Array;
  onMeans2dGrad?: (info: Means2dGradInfo) => void;
}

/** Render state of each live op call, keyed by its context (released with the graph node). */
const cpuStates = new WeakMap<OpContext, CpuOpState>();

function toTensor(values: Float64Array, shape: number[], dtype: 'float32' | 'float64'): Tensor {
  return tensor(dtype === 'float64' ? values : Float32Array.from(values), { shape, dtype, device: 'cpu' });
}

function cpuForward(ctx: OpContext, inputs: Tensor[], checked: CheckedInputs, camera: Camera, options: TensorRasterizeOptions): Tensor[] {
  const [means, quats, scales, opacities, colors, features] = inputs.map(hostFloat64);
  const scene: GaussianScene = { means, quats, scales, opacities, colors };
  if (checked.shDegree !== undefined) scene.shDegree = checked.shDegree;
  if (features) {
    scene.features = features;
    scene.featureDim = checked.featureDim;
  }
  const { onMeans2dGrad, ...renderOptions } = options;
  const { output, state } = renderCpu(scene, camera, renderOptions);
  const { width: W, height: H } = state.camera;
  const { dtype, n, featureDim: F } = checked;
  const outs = [
    toTensor(state.images.rgb, [H, W, 3], dtype),
    toTensor(state.images.alpha, [H, W], dtype),
    toTensor(state.images.depth, [H, W], dtype),
    tensor(output.radii, { shape: [n], dtype: 'int32', device: 'cpu' }),
    toTensor(state.splats.means2d, [n, 2], dtype),
  ];
  if (F > 0) outs.push(toTensor(state.images.features!, [H, W, F], dtype));
  if (ctx.needsInputGrad) {
    cpuStates.set(ctx, { render: state, checked, shapes: inputs.map((t) => t.shape), radii: output.radii, onMeans2dGrad });
    ctx.onRelease(() => cpuStates.delete(ctx));
  }
  return outs;
}

/**
 * Adds the gradient through means2d = (fx x/z + cx, fy y/z + cy), p = R mean + t, to
 * `gradMeans`; zero for Gaussians outside the depth range (their means2d is 0).
 */
function addMeans2dVjp(state: CpuRenderState, g: Float64Array, gradMeans: Float64Array): void {
  const { fx, fy } = state.camera;
  const R = state.params.R;
  for (let i = 0; i < state.projections.length; i++) {
    const p = state.projections[i];
    if (!p.inDepthRange) continue;
    const [x, y, z] = p.pCam;
    const gu = g[2 * i];
    const gv = g[2 * i + 1];
    const dx = (fx / z) * gu;
    const dy = (fy / z) * gv;
    const dz = -((fx * x * gu + fy * y * gv) / (z * z));
    // d mean = R^T d p (R row-major).
    gradMeans[3 * i] += R[0] * dx + R[3] * dy + R[6] * dz;
    gradMeans[3 * i + 1] += R[1] * dx + R[4] * dy + R[7] * dz;
    gradMeans[3 * i + 2] += R[2] * dx + R[5] * dy + R[8] * dz;
  }
}

function cpuBackward(ctx: OpContext, grads: (Tensor | null)[]): Tensor[] {
  const st = cpuStates.get(ctx);
  if (!st) throw new Error('rasterize: backward: the render state was released (was the graph already used by a backward without retainGraph?)');
  const [gRgb, gAlpha, gDepth, , gMeans2d, gFeatures] = grads;
  const host = (t: Tensor | null | undefined): Float64Array | undefined => (t ? hostFloat64(t) : undefined);
  const g: CpuRenderGradients = renderCpuBackward(st.render, {
    rgb: host(gRgb),
    alpha: host(gAlpha),
    depth: host(gDepth),
    features: host(gFeatures),
  });
  const m2 = host(gMeans2d);
  if (m2) addMeans2dVjp(st.render, m2, g.means);
  st.onMeans2dGrad?.({ means2d: g.means2d, means2dAbs: g.means2dAbs, radii: st.radii });
  const { dtype } = st.checked;
  const list = [g.means, g.quats, g.scales, g.opacities, g.colors];
  if (g.features) list.push(g.features);
  return list.map((a, i) => toTensor(a, [...st.shapes[i]], dtype));
}

const rasterizeOp = defineOp({
  name: 'rasterize',
  forward(ctx, ...args: [...Tensor[], Camera, TensorRasterizeOptions, CheckedInputs]) {
    const checked = args.pop() as CheckedInputs;
    const options = args.pop() as TensorRasterizeOptions;
    const camera = args.pop() as Camera;
    const inputs = args as Tensor[];
    if (inputs[0].device === 'cpu') return cpuForward(ctx, inputs, checked, camera, options);
    return rasterizeWebGPUTensors(ctx, inputs, checked, camera, options);
  },
  backward(ctx, ...grads) {
    if (isGradEnabled()) throw new Error('rasterize: double backward (createGraph: true) is not supported');
    if (isWebGPUOp(ctx)) return rasterizeWebGPUBackward(ctx, grads);
    return cpuBackward(ctx, grads);
  },
});

/**
 * Rasterizes Gaussians given as core tensors; differentiable w.r.t. every Gaussian input.
 * @example
 * const { rgb } = rasterize({ means, quats, scales, opacities, colors }, camera);
 * mean(square(sub(rgb, target))).backward();
 */
export function rasterize(gaussians: GaussianTensors, camera: Camera, options: TensorRasterizeOptions = {}): RasterizeTensors {
  const checked = checkGaussianTensors(gaussians);
  const { means, quats, scales, opacities, colors, features } = gaussians;
  const inputs = features ? [means, quats, scales, opacities, colors, features] : [means, quats, scales, opacities, colors];
  const out = rasterizeOp(...inputs, camera, options, checked);
  if (out instanceof Promise) throw new Error('rasterize: internal: the forward returned a Promise');
  const [rgb, alpha, depth, radii, means2d, feats] = out;
  const result: RasterizeTensors = { rgb, alpha, depth, radii, means2d };
  if (feats) result.features = feats;
  return result;
}
