/**
 * CPU reference renderer of @headsplat/splat-raster: forward and exact backward, float64
 * throughout. The WebGPU implementation is tested against these functions.
 *
 * API
 * - `renderCpu(scene, camera, options?) -> { output: RenderOutput, state: CpuRenderState }`
 *     output: float32 images as in types.ts; state: float64 images (`state.images`) and
 *     everything the backward needs. The state keeps references to the inputs: do not
 *     mutate them before calling the backward.
 * - `renderCpuBackward(state, gradOutputs) -> CpuRenderGradients`
 *     float64 gradients w.r.t. every input (see RenderGradients), plus `means2dAbs`.
 *     Omitted upstream gradients count as zero.
 *
 * Pipeline: project.ts (per Gaussian) -> tiles.ts (depth sort, binning) -> rasterize.ts
 * (per pixel); backward: rasterize-backward.ts -> project-backward.ts.
 *
 * Definitions shared with the WebGPU side:
 * - `radii[i]` = min(2^31 - 1, max(1, ceil(max(ex, ey)))) with ex, ey the half-extents of the 1/255 alpha
 *   ellipse's bounding box in pixels; 0 when culled (near/far, opacity < 1/255, off-screen).
 * - `depth` = sum_i alpha_i T_i z_i with z the camera-space depth (not divided by alpha).
 * - `means2d` = (fx x/z + cx, fy y/z + cy) in pixels, for every Gaussian in the near/far
 *   range (0 for those outside it).
 */

import type { Camera, GaussianScene, RenderGradOutputs, RenderGradients, RenderOptions, RenderOutput } from '../types.js';
import { type CameraInfo, type ResolvedRenderOptions, type SceneInfo, validateGradOutputs, validateRenderInputs } from '../validate.js';
import { mat3Inverse, mat3Vec, packViewMatrixGrad, splitViewMatrix } from './mat3.js';
import { type GaussianInput, type ProjectionCache, type ProjectionParams, projectGaussian, projectionLimits } from './project.js';
import { type InputGradsSink, cameraCenterVjp, projectGaussianVjp } from './project-backward.js';
import { type RasterSplats, type SplatChannels, rasterizeForward } from './rasterize.js';
import { rasterizeBackward } from './rasterize-backward.js';
import { type TileBins, binTiles } from './tiles.js';

export interface CpuImages {
  /** (H, W, 3) */
  rgb: Float64Array;
  /** (H, W, F) */
  features?: Float64Array;
  /** (H, W) */
  alpha: Float64Array;
  /** (H, W) */
  depth: Float64Array;
}

export interface CpuRenderState {
  readonly scene: GaussianScene;
  readonly sceneInfo: SceneInfo;
  readonly camera: CameraInfo;
  readonly options: ResolvedRenderOptions;
  readonly smoothCutoff: boolean;
  readonly params: ProjectionParams;
  /** Per-Gaussian projection intermediates. */
  readonly projections: ProjectionCache[];
  readonly splats: RasterSplats;
  readonly channels: SplatChannels;
  readonly bins: TileBins;
  /** Float64 images (the output's float32 images are copies of these). */
  readonly images: CpuImages;
}

export interface CpuRenderResult {
  output: RenderOutput;
  state: CpuRenderState;
}

export interface CpuRenderGradients extends RenderGradients {
  means: Float64Array;
  quats: Float64Array;
  scales: Float64Array;
  opacities: Float64Array;
  colors: Float64Array;
  features?: Float64Array;
  viewMatrix: Float64Array;
  means2d: Float64Array;
  means2dAbs: Float64Array;
}

function gaussianInput(scene: GaussianScene, info: SceneInfo, i: number): GaussianInput {
  return {
    mean: scene.means.subarray(3 * i, 3 * i + 3),
    quat: scene.quats.subarray(4 * i, 4 * i + 4),
    scale: scene.scales.subarray(3 * i, 3 * i + 3),
    opacity: scene.opacities[i],
    color: scene.colors.subarray(info.colorStride * i, info.colorStride * (i + 1)),
  };
}

/** Channel layout per splat: [r, g, b, features (F), 1 (alpha), z (depth)]. */
function channelCount(info: SceneInfo): number {
  return 3 + info.featureDim + 2;
}

export function renderCpu(scene: GaussianScene, camera: Camera, options?: RenderOptions): CpuRenderResult {
  const v = validateRenderInputs('renderCpu', scene, camera, options);
  const { n, featureDim: F } = v.scene;
  const cam = v.camera;
  const smooth = options?.smoothCutoff === true;
  const { R, t } = splitViewMatrix(cam.viewMatrix);
  const Rinv = mat3Inverse(R);
  const ct = mat3Vec(Rinv, t);
  const params: ProjectionParams = {
    R,
    t,
    camPos: [-ct[0], -ct[1], -ct[2]],
    limits: projectionLimits(cam),
    eps2d: v.options.eps2d,
    antialiased: v.options.antialiased,
    smoothCutoff: smooth,
    tileSize: v.options.tileSize,
    shDegree: v.scene.shDegree,
  };

  const C = channelCount(v.scene);
  const splats: RasterSplats = {
    means2d: new Float64Array(2 * n),
    conics: new Float64Array(3 * n),
    opacities: new Float64Array(n),
  };
  const channels: SplatChannels = { count: C, values: new Float64Array(n * C), background: new Float64Array(C) };
  channels.background.set(v.options.background);
  channels.background.set(v.options.featureBackground, 3);
  const radii = new Int32Array(n);
  const projections: ProjectionCache[] = [];
  for (let i = 0; i < n; i++) {
    const p = projectGaussian(gaussianInput(scene, v.scene, i), cam, params);
    projections.push(p);
    if (!p.inDepthRange) continue;
    radii[i] = p.radius;
    splats.means2d.set(p.mean2d, 2 * i);
    splats.conics.set(p.conic, 3 * i);
    splats.opacities[i] = p.opacity;
    const row = i * C;
    channels.values.set(p.rgb, row);
    if (F > 0) channels.values.set(scene.features!.subarray(F * i, F * (i + 1)), row + 3);
    channels.values[row + 3 + F] = 1;
    channels.values[row + 4 + F] = p.pCam[2];
  }

  const bins = binTiles(
    projections.map((p) => p.tileRect),
    projections.map((p) => p.pCam[2]),
    projections.map((p) => p.visible),
    cam.width,
    cam.height,
    v.options.tileSize,
  );
  const blended = rasterizeForward(splats, bins, cam.width, cam.height, channels, smooth);

  const P = cam.width * cam.height;
  const images: CpuImages = {
    rgb: new Float64Array(3 * P),
    features: F > 0 ? new Float64Array(F * P) : undefined,
    alpha: new Float64Array(P),
    depth: new Float64Array(P),
  };
  for (let p = 0; p < P; p++) {
    const b = p * C;
    for (let c = 0; c < 3; c++) images.rgb[3 * p + c] = blended[b + c];
    for (let f = 0; f < F; f++) images.features![F * p + f] = blended[b + 3 + f];
    images.alpha[p] = blended[b + 3 + F];
    images.depth[p] = blended[b + 4 + F];
  }

  const output: RenderOutput = {
    rgb: Float32Array.from(images.rgb),
    alpha: Float32Array.from(images.alpha),
    depth: Float32Array.from(images.depth),
    radii,
    means2d: Float32Array.from(splats.means2d),
  };
  if (images.features) output.features = Float32Array.from(images.features);

  const state: CpuRenderState = {
    scene,
    sceneInfo: v.scene,
    camera: cam,
    options: v.options,
    smoothCutoff: smooth,
    params,
    projections,
    splats,
    channels,
    bins,
    images,
  };
  return { output, state };
}

export function renderCpuBackward(state: CpuRenderState, gradOutputs: RenderGradOutputs): CpuRenderGradients {
  const { scene, sceneInfo: info, camera: cam, params } = state;
  const { n, featureDim: F, colorStride } = info;
  validateGradOutputs('renderCpuBackward', gradOutputs, cam.width, cam.height, F);
  const C = state.channels.count;
  const P = cam.width * cam.height;

  const vOut = new Float64Array(P * C);
  for (let p = 0; p < P; p++) {
    const b = p * C;
    if (gradOutputs.rgb) for (let c = 0; c < 3; c++) vOut[b + c] = gradOutputs.rgb[3 * p + c];
    if (gradOutputs.features) for (let f = 0; f < F; f++) vOut[b + 3 + f] = gradOutputs.features[F * p + f];
    if (gradOutputs.alpha) vOut[b + 3 + F] = gradOutputs.alpha[p];
    if (gradOutputs.depth) vOut[b + 4 + F] = gradOutputs.depth[p];
  }
  const rg = rasterizeBackward(state.splats, state.bins, cam.width, cam.height, state.channels, vOut, state.smoothCutoff);

  const grads: CpuRenderGradients = {
    means: new Float64Array(3 * n),
    quats: new Float64Array(4 * n),
    scales: new Float64Array(3 * n),
    opacities: new Float64Array(n),
    colors: new Float64Array(colorStride * n),
    viewMatrix: new Float64Array(16),
    means2d: rg.means2d,
    means2dAbs: rg.means2dAbs,
  };
  if (F > 0) grads.features = new Float64Array(F * n);

  const sink: InputGradsSink = {
    mean: new Float64Array(3),
    quat: new Float64Array(4),
    scale: new Float64Array(3),
    opacity: 0,
    color: new Float64Array(colorStride),
    viewR: new Array<number>(9).fill(0),
    viewT: [0, 0, 0],
    camPos: [0, 0, 0],
  };
  for (let i = 0; i < n; i++) {
    const proj = state.projections[i];
    if (!proj.visible) continue;
    const row = i * C;
    projectGaussianVjp(
      proj,
      gaussianInput(scene, info, i),
      params,
      cam,
      {
        mean2d: [rg.means2d[2 * i], rg.means2d[2 * i + 1]],
        conic: [rg.conics[3 * i], rg.conics[3 * i + 1], rg.conics[3 * i + 2]],
        opacity: rg.opacities[i],
        rgb: [rg.values[row], rg.values[row + 1], rg.values[row + 2]],
        depth: rg.values[row + 4 + F],
      },
      sink,
    );
    grads.means.set(sink.mean, 3 * i);
    grads.quats.set(sink.quat, 4 * i);
    grads.scales.set(sink.scale, 3 * i);
    grads.opacities[i] = sink.opacity;
    grads.colors.set(sink.color, colorStride * i);
    for (let f = 0; f < F; f++) grads.features![F * i + f] = rg.values[row + 3 + f];
  }
  if (info.shDegree >= 0) {
    const { R } = splitViewMatrix(cam.viewMatrix);
    cameraCenterVjp(mat3Inverse(R), params.camPos, sink.camPos, sink.viewR, sink.viewT);
  }
  grads.viewMatrix = packViewMatrixGrad(sink.viewR, sink.viewT);
  return grads;
}
