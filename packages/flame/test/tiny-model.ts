import type { FlameModel } from '../src/index.js';

/**
 * A hand-built FLAME-layout model whose LBS result is known in closed form: joint j sits
 * exactly on vertex j (the regressor is one-hot), and extra vertices are skinned one-hot
 * (or half-half) to chosen joints. Faces: two triangles over vertices 5-8.
 */
export function tinyModel(opts: { expression?: number[][]; posedirs?: Float32Array } = {}): FlameModel {
  const joints = [
    [0, -0.1, 0], // global
    [0, -0.05, 0], // neck
    [0, -0.02, 0.01], // jaw
    [0.03, 0.03, 0.07], // left eye
    [-0.03, 0.03, 0.07], // right eye
  ];
  const extra = [
    { p: [0, -0.08, 0.09], w: [0, 0, 1, 0, 0] }, // 5: chin, on the jaw
    { p: [0.05, 0.06, 0.02], w: [0, 1, 0, 0, 0] }, // 6: skull, on the neck
    { p: [0.031, 0.03, 0.082], w: [0, 0, 0, 1, 0] }, // 7: left eye front
    { p: [0.02, -0.06, 0.05], w: [0, 0.5, 0.5, 0, 0] }, // 8: half neck, half jaw
  ];
  const V = 5 + extra.length;
  const vTemplate = new Float32Array(V * 3);
  const weights = new Float32Array(V * 5);
  joints.forEach((p, j) => {
    vTemplate.set(p, j * 3);
    weights[j * 5 + j] = 1;
  });
  extra.forEach((e, i) => {
    vTemplate.set(e.p, (5 + i) * 3);
    weights.set(e.w, (5 + i) * 5);
  });
  const jRegressor = new Float32Array(5 * V);
  for (let j = 0; j < 5; j++) jRegressor[j * V + j] = 1;
  const E = opts.expression?.length ?? 0;
  const exprdirs = new Float32Array(V * 3 * E);
  opts.expression?.forEach((dir, k) => dir.forEach((d, i) => (exprdirs[i * E + k] = d)));
  return {
    numVertices: V, numFaces: 2, numShape: 0, numExpression: E,
    vTemplate, shapedirs: new Float32Array(0), exprdirs, posedirs: opts.posedirs ?? new Float32Array(V * 3 * 36),
    jRegressor, weights, parents: Int32Array.of(-1, 0, 1, 1, 1), faces: Int32Array.of(5, 6, 7, 5, 7, 8),
    landmarks: { staticFaces: Int32Array.of(0, 1), staticBary: Float32Array.of(1, 0, 0, 0.2, 0.3, 0.5) },
  };
}

/** Rotation matrix about a unit axis by angle a (Rodrigues, written out independently). */
export function axisRotation(axis: number[], a: number): number[] {
  const [x, y, z] = axis;
  const c = Math.cos(a), s = Math.sin(a), t = 1 - c;
  return [
    t * x * x + c, t * x * y - s * z, t * x * z + s * y,
    t * x * y + s * z, t * y * y + c, t * y * z - s * x,
    t * x * z - s * y, t * y * z + s * x, t * z * z + c,
  ];
}

export function apply(R: number[], v: number[]): number[] {
  return [0, 1, 2].map((i) => R[i * 3] * v[0] + R[i * 3 + 1] * v[1] + R[i * 3 + 2] * v[2]);
}

/** p rotated by R about the point c. */
export function rotateAbout(R: number[], c: number[], p: number[]): number[] {
  const r = apply(R, [p[0] - c[0], p[1] - c[1], p[2] - c[2]]);
  return [r[0] + c[0], r[1] + c[1], r[2] + c[2]];
}

export function row(a: ArrayLike<number>, i: number): number[] {
  return [a[i * 3], a[i * 3 + 1], a[i * 3 + 2]];
}
