/**
 * The rasterizer's ops on @headsplat/core tensors, declared with core's custom-op API
 * (`defineOp`) on top of the float64 CPU reference (float32 inputs are widened, outputs
 * narrowed back; float64 stays float64 so that core's `gradcheck` can check the ops).
 * Double backward (createGraph) is not supported: the backwards are not op graphs.
 * @example
 * const rast = rasterize(positions, faces, camera);
 * const rgb = antialias(interpolate(colors, rast, faces), rast, positions, faces, camera);
 * mean(square(sub(rgb, target))).backward();
 */

import { type OpContext, Tensor, defineOp, isGradEnabled, tensor } from '@headsplat/core';
import { antialiasBackwardCpu, antialiasCpu } from '../cpu/antialias.js';
import { interpolateBackwardCpu, interpolateCpu } from '../cpu/interpolate.js';
import { rasterizeResolved } from '../cpu/rasterize.js';
import { rasterizeBackwardResolved } from '../cpu/rasterize-backward.js';
import { textureBackwardCpu, textureCpu } from '../cpu/texture.js';
import { type EdgeTopology, buildEdgeTopology } from '../topology.js';
import type { Camera, IndexArray, RasterOutput, TextureWrap } from '../types.js';
import { MeshRasterInputError, validateCamera, validateFaces } from '../validate.js';
import { type FloatDType, checkFloat, checkTensor, host64, hostFaces, shapeStr, toTensor } from './util.js';

/** Rasterizer outputs as tensors. `triId` has no gradient; `bary` and `depth` do. */
export interface TensorRaster {
  /** (H, W) int32, -1 = background. */
  triId: Tensor;
  /** (H, W, 2) perspective-correct (u, v). */
  bary: Tensor;
  /** (H, W) camera depth, 0 on background. */
  depth: Tensor;
}

/** Backward closures of live op calls, keyed by context (released with the graph node). */
type Pending = (...grads: (Tensor | null)[]) => (Tensor | null)[];
const pending = new WeakMap<OpContext, Pending>();

function callPending(name: string, ctx: OpContext, ...grads: (Tensor | null)[]): (Tensor | null)[] {
  if (isGradEnabled()) throw new Error(`${name}: double backward (createGraph: true) is not supported`);
  const bw = pending.get(ctx);
  if (!bw) throw new Error(`${name}: backward: the op's state was released (was the graph already used by a backward without retainGraph?)`);
  return bw(...grads);
}

/** Host raster of tensors (triId, bary, depth). */
function hostRaster(fn: string, r: TensorRaster, dtype: FloatDType): RasterOutput {
  if (r === null || typeof r !== 'object') throw new MeshRasterInputError(fn, 'rast', 'a TensorRaster { triId, bary, depth }', String(r));
  checkTensor(fn, 'rast.triId', r.triId, 2);
  if (r.triId.dtype !== 'int32') throw new MeshRasterInputError(fn, 'rast.triId', "dtype 'int32'", `'${r.triId.dtype}'`);
  const [H, W] = r.triId.shape;
  checkTensor(fn, 'rast.bary', r.bary, 3, 2);
  checkTensor(fn, 'rast.depth', r.depth, 2);
  checkFloat(fn, 'rast.bary', r.bary, dtype);
  if (r.bary.shape[0] !== H || r.bary.shape[1] !== W) throw new MeshRasterInputError(fn, 'rast.bary', `shape [${H}, ${W}, 2] (as rast.triId)`, shapeStr(r.bary.shape));
  if (r.depth.shape[0] !== H || r.depth.shape[1] !== W) throw new MeshRasterInputError(fn, 'rast.depth', `shape [${H}, ${W}] (as rast.triId)`, shapeStr(r.depth.shape));
  return { width: W, height: H, triId: r.triId.dataSync() as Int32Array, bary: host64(r.bary), depth: host64(r.depth) };
}

const rasterizeOp = defineOp({
  name: 'meshRasterize',
  forward(ctx: OpContext, positions: Tensor, faces: IndexArray, camera: Camera) {
    const cam = validateCamera('rasterize', camera);
    const dtype = positions.dtype as FloatDType;
    const pos = host64(positions);
    const mesh = { positions: pos, faces };
    const r = rasterizeResolved(mesh, faces.length / 3, cam);
    const { width: W, height: H } = cam;
    const shape = [...positions.shape];
    pending.set(ctx, (gBary, gDepth) => [
      toTensor(rasterizeBackwardResolved(mesh, cam, r, { bary: gBary ? host64(gBary) : undefined, depth: gDepth ? host64(gDepth) : undefined }), shape, dtype),
    ]);
    ctx.onRelease(() => pending.delete(ctx));
    return [tensor(r.triId, { shape: [H, W], dtype: 'int32', device: 'cpu' }), toTensor(r.bary as Float64Array, [H, W, 2], dtype), toTensor(r.depth as Float64Array, [H, W], dtype)];
  },
  backward(ctx, _gTri, gBary, gDepth) {
    return callPending('rasterize', ctx, gBary, gDepth);
  },
});

/**
 * Rasterizes a mesh: per-pixel face id, perspective-correct barycentrics and depth.
 * Differentiable w.r.t. `positions` through `bary` and `depth`.
 */
export function rasterize(positions: Tensor, faces: Tensor | IndexArray, camera: Camera): TensorRaster {
  const fn = 'rasterize';
  checkTensor(fn, 'positions', positions, 2, 3);
  checkFloat(fn, 'positions', positions);
  const f = hostFaces(fn, faces);
  validateFaces(fn, f, positions.shape[0]);
  const out = rasterizeOp(positions, f, camera);
  if (out instanceof Promise) throw new Error('rasterize: internal: the forward returned a Promise');
  const [triId, bary, depth] = out;
  return { triId, bary, depth };
}

const interpolateOp = defineOp({
  name: 'meshInterpolate',
  forward(ctx: OpContext, attributes: Tensor, bary: Tensor, triId: Tensor, depth: Tensor, faces: IndexArray) {
    const dtype = attributes.dtype as FloatDType;
    const [V, C] = attributes.shape;
    const attr = host64(attributes);
    const r = hostRaster('interpolate', { triId, bary, depth }, dtype);
    const out = interpolateCpu(attr, C, faces, r);
    pending.set(ctx, (g) => {
      if (!g) return [null, null, null, null];
      const gi = interpolateBackwardCpu(attr, C, faces, r, host64(g));
      return [toTensor(gi.attributes, [V, C], dtype), toTensor(gi.bary, [r.height, r.width, 2], dtype), null, null];
    });
    ctx.onRelease(() => pending.delete(ctx));
    return toTensor(out, [r.height, r.width, C], dtype);
  },
  backward(ctx, g) {
    return callPending('interpolate', ctx, g);
  },
});

/**
 * Interpolates per-vertex attributes (V, C) at the rasterised pixels: (H, W, C), 0 on
 * background. Differentiable w.r.t. `attributes` and `rast.bary` (hence positions).
 * `faces` may be a different index buffer with the same face count (e.g. UV faces).
 */
export function interpolate(attributes: Tensor, rast: TensorRaster, faces: Tensor | IndexArray): Tensor {
  const fn = 'interpolate';
  checkTensor(fn, 'attributes', attributes, 2);
  const dtype = checkFloat(fn, 'attributes', attributes);
  hostRaster(fn, rast, dtype);
  const f = hostFaces(fn, faces);
  validateFaces(fn, f, attributes.shape[0]);
  const out = interpolateOp(attributes, rast.bary, rast.triId, rast.depth, f);
  if (out instanceof Promise) throw new Error('interpolate: internal: the forward returned a Promise');
  return out;
}

export interface TensorAntialiasOptions {
  /** Edge adjacency of `faces` (build once with `buildEdgeTopology` for repeated calls). */
  topology?: EdgeTopology;
}

const antialiasOp = defineOp({
  name: 'meshAntialias',
  forward(ctx: OpContext, color: Tensor, positions: Tensor, triId: Tensor, bary: Tensor, depth: Tensor, faces: IndexArray, camera: Camera, topology: EdgeTopology) {
    const dtype = color.dtype as FloatDType;
    const [H, W, C] = color.shape;
    const col = host64(color);
    const r = hostRaster('antialias', { triId, bary, depth }, dtype);
    const mesh = { positions: host64(positions), faces };
    const out = antialiasCpu(col, C, r, mesh, camera, { topology });
    const pshape = [...positions.shape];
    pending.set(ctx, (g) => {
      if (!g) return [null, null, null, null, null];
      const ga = antialiasBackwardCpu(col, C, r, mesh, camera, host64(g), { topology });
      return [toTensor(ga.color, [H, W, C], dtype), toTensor(ga.positions, pshape, dtype), null, null, null];
    });
    ctx.onRelease(() => pending.delete(ctx));
    return toTensor(out, [H, W, C], dtype);
  },
  backward(ctx, g) {
    return callPending('antialias', ctx, g);
  },
});

/**
 * Antialiases silhouette edges of an (H, W, C) image (see cpu/antialias.ts for the
 * formula). Differentiable w.r.t. `color` and `positions` (coverage gradients).
 */
export function antialias(color: Tensor, rast: TensorRaster, positions: Tensor, faces: Tensor | IndexArray, camera: Camera, options: TensorAntialiasOptions = {}): Tensor {
  const fn = 'antialias';
  checkTensor(fn, 'color', color, 3);
  const dtype = checkFloat(fn, 'color', color);
  checkTensor(fn, 'positions', positions, 2, 3);
  checkFloat(fn, 'positions', positions, dtype);
  const r = hostRaster(fn, rast, dtype);
  if (color.shape[0] !== r.height || color.shape[1] !== r.width) throw new MeshRasterInputError(fn, 'color', `shape [${r.height}, ${r.width}, C] (as rast)`, shapeStr(color.shape));
  const f = hostFaces(fn, faces);
  const V = positions.shape[0];
  validateFaces(fn, f, V);
  const topology = options.topology ?? buildEdgeTopology(f, V);
  const out = antialiasOp(color, positions, rast.triId, rast.bary, rast.depth, f, camera, topology);
  if (out instanceof Promise) throw new Error('antialias: internal: the forward returned a Promise');
  return out;
}

const textureOp = defineOp({
  name: 'meshTexture',
  forward(ctx: OpContext, tex: Tensor, uv: Tensor, wrap: TextureWrap) {
    const dtype = tex.dtype as FloatDType;
    const [th, tw, C] = tex.shape;
    const t = { data: host64(tex), width: tw, height: th, channels: C };
    const u = host64(uv);
    const outShape = [...uv.shape.slice(0, -1), C];
    pending.set(ctx, (g) => {
      if (!g) return [null, null];
      const gt = textureBackwardCpu(t, u, host64(g), { wrap });
      return [toTensor(gt.texture, [th, tw, C], dtype), toTensor(gt.uv, uv.shape, dtype)];
    });
    ctx.onRelease(() => pending.delete(ctx));
    return toTensor(textureCpu(t, u, { wrap }), outShape, dtype);
  },
  backward(ctx, g) {
    return callPending('texture', ctx, g);
  },
});

/**
 * Bilinear lookup of a (Ht, Wt, C) texture at UVs (..., 2): (..., C). Differentiable
 * w.r.t. the texture and the UVs. Addressing: 'wrap' (default) or 'clamp'.
 */
export function texture(tex: Tensor, uv: Tensor, options: { wrap?: TextureWrap } = {}): Tensor {
  const fn = 'texture';
  checkTensor(fn, 'tex', tex, 3);
  const dtype = checkFloat(fn, 'tex', tex);
  if (!(uv instanceof Tensor) || uv.shape.length < 1 || uv.shape[uv.shape.length - 1] !== 2) {
    throw new MeshRasterInputError(fn, 'uv', 'shape [..., 2]', uv instanceof Tensor ? shapeStr(uv.shape) : typeof uv);
  }
  checkTensor(fn, 'uv', uv, uv.shape.length, 2);
  checkFloat(fn, 'uv', uv, dtype);
  const wrap = options.wrap ?? 'wrap';
  if (wrap !== 'wrap' && wrap !== 'clamp') throw new MeshRasterInputError(fn, 'options.wrap', "'wrap' or 'clamp'", String(wrap));
  const out = textureOp(tex, uv, wrap);
  if (out instanceof Promise) throw new Error('texture: internal: the forward returned a Promise');
  return out;
}
