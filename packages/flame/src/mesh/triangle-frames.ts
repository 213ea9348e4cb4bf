/**
 * Per-triangle local frames and scales, as GaussianAvatars binds Gaussians to FLAME's
 * triangles: origin at the centroid, rotation R = [a0, a1, a2] with a0 the unit first edge
 * (v1 − v0), a1 the unit normal (a0 × (v2 − v0), normalised) and a2 = a0 × a1 (in the plane,
 * completing a right-handed frame); scale s = (|v1 − v0| + |a2 · (v2 − v0)|) / 2, the mean of
 * the first edge's length and the triangle's height over it.
 * @see Qian et al., "GaussianAvatars", CVPR 2024, Sec. 3.2 (and its compute_face_orientation)
 */
export interface TriangleFrames {
  /** (F, 3) centroids. */
  centroids: Float32Array;
  /** (F, 3, 3) row-major rotations whose columns are a0, a1, a2. */
  rotations: Float32Array;
  /** (F,) scales. */
  scales: Float32Array;
}

export function triangleFrames(positions: ArrayLike<number>, faces: ArrayLike<number>): TriangleFrames {
  const F = faces.length / 3;
  const centroids = new Float32Array(F * 3);
  const rotations = new Float32Array(F * 9);
  const scales = new Float32Array(F);
  const p = positions;
  for (let f = 0; f < F; f++) {
    const a = faces[f * 3] * 3, b = faces[f * 3 + 1] * 3, c = faces[f * 3 + 2] * 3;
    const e1 = [p[b] - p[a], p[b + 1] - p[a + 1], p[b + 2] - p[a + 2]];
    const e2 = [p[c] - p[a], p[c + 1] - p[a + 1], p[c + 2] - p[a + 2]];
    const l1 = Math.hypot(e1[0], e1[1], e1[2]) || 1;
    const a0 = e1.map((x) => x / l1);
    const n = cross(a0, e2);
    const ln = Math.hypot(n[0], n[1], n[2]) || 1;
    const a1 = n.map((x) => x / ln);
    const a2 = cross(a0, a1);
    for (let r = 0; r < 3; r++) {
      centroids[f * 3 + r] = (p[a + r] + p[b + r] + p[c + r]) / 3;
      rotations[f * 9 + r * 3] = a0[r];
      rotations[f * 9 + r * 3 + 1] = a1[r];
      rotations[f * 9 + r * 3 + 2] = a2[r];
    }
    scales[f] = (l1 + Math.abs(a2[0] * e2[0] + a2[1] * e2[1] + a2[2] * e2[2])) / 2;
  }
  return { centroids, rotations, scales };
}

/**
 * World positions of points bound to triangles: x = R_f (s_f · local) + centroid_f
 * (GaussianAvatars Eq. 4). `binding` (N,) gives each point's triangle, `local` (N, 3).
 */
export function bindPoints(frames: TriangleFrames, binding: ArrayLike<number>, local: ArrayLike<number>): Float32Array {
  const N = binding.length;
  const out = new Float32Array(N * 3);
  for (let i = 0; i < N; i++) {
    const f = binding[i];
    const s = frames.scales[f];
    const lx = local[i * 3] * s, ly = local[i * 3 + 1] * s, lz = local[i * 3 + 2] * s;
    for (let r = 0; r < 3; r++) {
      const R = frames.rotations.subarray(f * 9 + r * 3, f * 9 + r * 3 + 3);
      out[i * 3 + r] = R[0] * lx + R[1] * ly + R[2] * lz + frames.centroids[f * 3 + r];
    }
  }
  return out;
}

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
