import { abs, add, cross, indexSelect, matmul, mul, normalize, reshape, sqrt, sub, tensor, type Tensor } from '@headsplat/core';
import { flameFail } from '../errors.js';

/**
 * Differentiable per-triangle frames on tensors (the `triangleFrames` convention: R = [a0, a1,
 * a2] with a0 the unit first edge, a1 the unit normal, a2 = a0 × a1, scale the mean of the
 * first edge's length and the height over it) and Gaussians bound to triangles, carried with
 * an animated mesh as GaussianAvatars does: μ = R (s · μ_local) + centroid, scale = s · scale_local.
 * @see Qian et al., "GaussianAvatars", CVPR 2024, Sec. 3.2
 */
export interface TriangleFramesTensor {
  /** (..., F, 3). */
  centroids: Tensor;
  /** (..., F, 3, 3), columns a0, a1, a2. */
  rotations: Tensor;
  /** (..., F, 1). */
  scales: Tensor;
}

/** Frames of every face of `vertices` (..., V, 3); gradients flow to the vertices. */
export function triangleFramesTensor(vertices: Tensor, faces: Int32Array): TriangleFramesTensor {
  const fn = 'triangleFramesTensor';
  if (vertices.rank < 2 || vertices.shape[vertices.rank - 1] !== 3) flameFail(fn, 'vertices', 'a tensor of shape [..., V, 3]', vertices);
  if (faces.length % 3 !== 0) flameFail(fn, 'faces', 'a multiple of 3 long ((F, 3) indices)', faces.length);
  const F = faces.length / 3;
  const lead = vertices.shape.slice(0, -2);
  const corner = (k: number) => gatherRows(vertices, Int32Array.from({ length: F }, (_, f) => faces[f * 3 + k]));
  const v0 = corner(0), v1 = corner(1), v2 = corner(2);
  const e1 = sub(v1, v0), e2 = sub(v2, v0);
  const a0 = normalize(e1);
  const a1 = normalize(cross(a0, e2));
  const a2 = cross(a0, a1);
  const like = { dtype: vertices.dtype, device: vertices.device } as const;
  const ones3 = tensor([1, 1, 1], { shape: [3, 1], ...like });
  const len1 = matmul(mul(e1, e1), ones3); // (..., F, 1) squared length
  const height = matmul(mul(a2, e2), ones3);
  // The first edge and the height are never 0 on a non-degenerate triangle.
  const scales = mul(add(sqrt(len1), abs(height)), 0.5);
  // Columns a0, a1, a2 -> R[i, c] = a_c[i]: place each as a column with a (3, 9) placement.
  const place = (c: number) => tensor(Array.from({ length: 27 }, (_, i) => (i % 9 === Math.floor(i / 9) * 3 + c ? 1 : 0)), { shape: [3, 9], ...like });
  const flat = add(add(matmul(a0, place(0)), matmul(a1, place(1))), matmul(a2, place(2)));
  const rotations = reshape(flat, [...lead, F, 3, 3]);
  const third = tensor([1 / 3], { shape: [1], ...like });
  const centroids = mul(add(add(v0, v1), v2), third);
  return { centroids, rotations, scales };
}

/** x (..., N, C) -> (..., idx.length, C) with out[..., i, :] = x[..., idx[i], :]; differentiable in x. */
function gatherRows(x: Tensor, idx: Int32Array): Tensor {
  return indexSelect(x, x.rank - 2, tensor(idx, { shape: [idx.length], dtype: 'int32', device: x.device }));
}

export interface BoundGaussians {
  /** (..., N, 3) world positions. */
  positions: Tensor;
  /** (..., N, 3, 3) world rotations R_f (times the local rotation when given). */
  rotations: Tensor;
  /** (..., N, 3) world scales (when local scales are given) or (..., N, 1) triangle scales. */
  scales: Tensor;
}

/**
 * Gaussians bound to triangles: `binding` (N,) face per Gaussian, `localPositions` (N, 3),
 * optional `localScales` (N, 3) and `localRotations` (N, 3, 3). Differentiable in the frames'
 * vertices and in the local attributes.
 */
export function bindGaussians(frames: TriangleFramesTensor, binding: Int32Array, localPositions: Tensor, localScales?: Tensor, localRotations?: Tensor): BoundGaussians {
  const fn = 'bindGaussians';
  const N = binding.length;
  if (localPositions.rank !== 2 || localPositions.shape[0] !== N || localPositions.shape[1] !== 3) flameFail(fn, 'localPositions', `a tensor of shape [${N}, 3] (one row per binding)`, localPositions);
  if (localScales && (localScales.rank !== 2 || localScales.shape[0] !== N || localScales.shape[1] !== 3)) flameFail(fn, 'localScales', `a tensor of shape [${N}, 3]`, localScales);
  const F = frames.centroids.shape[frames.centroids.rank - 2];
  for (let i = 0; i < N; i++) if (binding[i] < 0 || binding[i] >= F) flameFail(fn, 'binding', `face indices in [0, ${F})`, binding[i]);
  const lead = frames.centroids.shape.slice(0, -2);
  const R = reshape(gatherRows(reshape(frames.rotations, [...lead, F, 9]), binding), [...lead, N, 3, 3]);
  const s = gatherRows(frames.scales, binding);
  const c = gatherRows(frames.centroids, binding);
  const local = mul(localPositions, s); // (..., N, 3)
  const rotated = reshape(matmul(R, reshape(local, [...lead, N, 3, 1])), [...lead, N, 3]);
  const positions = add(rotated, c);
  const rotations = localRotations ? matmul(R, localRotations) : R;
  const scales = localScales ? mul(localScales, s) : s;
  return { positions, rotations, scales };
}
