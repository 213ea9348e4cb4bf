import { gradcheckReport, tensor, type Tensor } from '@headsplat/core';
import { describe, expect, it } from 'vitest';
import { createSyntheticFlame, FlameLayer, flameForwardCpu } from '../src/index.js';
import { tinyModel } from './tiny-model.js';

const small = { rings: 10, segments: 14, eyeRings: 3, eyeSegments: 5, shapeComponents: 4, expressionComponents: 5 } as const;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('FlameLayer (tensors) against the float64 reference', () => {
  const model = createSyntheticFlame(small);
  const frames = [
    { shape: [1, -0.5, 2, 0.3], expression: [1, 0.5, 0.2, -1, 0.7], rotation: [0.1, 0.5, -0.05], neckPose: [0.2, -0.1, 0.05], jawPose: [0.3, 0.01, 0], eyesPose: [0.1, 0.2, 0, -0.1, 0.2, 0], translation: [0.01, -0.02, 0.3] },
    { shape: [0, 0, 0, 0], expression: [0, 0, 1, 0, 0], rotation: [0, -0.9, 0], neckPose: [0, 0, 0], jawPose: [0, 0, 0], eyesPose: [0, 0, 0, 0, 0, 0], translation: [0, 0, 0] },
  ];
  const batch = (k: keyof (typeof frames)[0], dtype: 'float32' | 'float64') =>
    tensor(frames.flatMap((f) => f[k]), { shape: [frames.length, frames[0][k].length], dtype });

  for (const dtype of ['float64', 'float32'] as const) {
    it(`matches flameForwardCpu for a batch of two frames (${dtype})`, () => {
      const layer = new FlameLayer(model, { dtype });
      const keys = ['shape', 'expression', 'rotation', 'neckPose', 'jawPose', 'eyesPose', 'translation'] as const;
      const params = Object.fromEntries(keys.map((k) => [k, batch(k, dtype)]));
      const out = layer.forward(params);
      expect(out.vertices.shape).toEqual([2, model.numVertices, 3]);
      expect(out.joints.shape).toEqual([2, 5, 3]);
      expect(out.landmarks!.shape).toEqual([2, 68, 3]);
      const tol = dtype === 'float64' ? 1e-12 : 2e-6;
      const V3 = model.numVertices * 3;
      const v = out.vertices.dataSync(), j = out.joints.dataSync(), l = out.landmarks!.dataSync();
      frames.forEach((f, b) => {
        const ref = flameForwardCpu(model, f);
        expect(maxDiff(v.subarray(b * V3, (b + 1) * V3), ref.vertices)).toBeLessThan(tol);
        expect(maxDiff(j.subarray(b * 15, (b + 1) * 15), ref.joints)).toBeLessThan(tol);
        // Frame 1 yaws by -52 degrees: the contour comes from a different bin than frame 0's.
        expect(maxDiff(l.subarray(b * 204, (b + 1) * 204), ref.landmarks)).toBeLessThan(tol);
      });
      layer.dispose();
    });
  }

  it('gives the template for a batch with no parameters, and rejects wrongly shaped ones', () => {
    const layer = new FlameLayer(model);
    const out = layer.forward({}, { batchSize: 3 });
    expect(out.vertices.shape).toEqual([3, model.numVertices, 3]);
    expect(maxDiff(out.vertices.dataSync().subarray(0, model.numVertices * 3), model.vTemplate)).toBeLessThan(1e-7);
    expect(() => layer.forward({ jawPose: tensor([0, 0, 0, 0], { shape: [1, 4] }) })).toThrow(/FlameLayer\.forward: params\.jawPose must be of shape \[1, 3\]/);
    expect(() => layer.forward({ expression: tensor([0, 0, 0, 0, 0], { shape: [1, 5], dtype: 'float64' }) })).toThrow(/params\.expression must be of dtype float32/);
    expect(() => new FlameLayer(model, { shapeComponents: 9 })).toThrow(/options\.shapeComponents must be an integer in \[0, 4\]/);
  });
});

describe('FlameLayer gradients (float64 central differences)', () => {
  it('checks d(vertices, landmarks) / d(expression, all poses, translation) on a hand-built model', () => {
    const V = 9;
    const dir = (s: number) => Array.from({ length: V * 3 }, (_, i) => Math.sin(i * s) * 0.01);
    const posedirs = Float32Array.from({ length: V * 3 * 36 }, (_, i) => Math.cos(i * 0.37) * 0.005);
    const m = tinyModel({ expression: [dir(1.3), dir(0.7)], posedirs });
    const layer = new FlameLayer(m, { dtype: 'float64' });
    const p = (vals: number[], n: number) => tensor(vals, { shape: [2, n], dtype: 'float64', requiresGrad: true });
    const inputs = [
      p([0.5, -1, 0.2, 0.3], 2),
      p([0.1, 0.2, -0.3, 0.4, -0.2, 0.1], 3),
      p([0.3, -0.2, 0.1, 0.05, 0.4, -0.3], 3),
      p([0.4, 0.05, -0.1, 0.2, 0.1, 0.02], 3),
      p([0.1, -0.2, 0.05, 0.2, 0.1, 0, -0.1, 0.3, 0.2, 0.1, 0.05, -0.2], 6),
      p([0.01, 0.02, 0.03, -0.01, 0, 0.1], 3),
    ];
    const fn = (expression: Tensor, rotation: Tensor, neckPose: Tensor, jawPose: Tensor, eyesPose: Tensor, translation: Tensor) => {
      const out = layer.forward({ expression, rotation, neckPose, jawPose, eyesPose, translation }, { dynamicContour: false });
      return out.vertices;
    };
    const rep = gradcheckReport(fn, inputs, { eps: 1e-6, atol: 1e-7, rtol: 1e-5 });
    expect(rep.ok, rep.message).toBe(true);
    const lm = (expression: Tensor, jawPose: Tensor) => layer.forward({ expression, jawPose }).landmarks!;
    const rep2 = gradcheckReport(lm, [inputs[0], inputs[3]], { eps: 1e-6, atol: 1e-7, rtol: 1e-5 });
    expect(rep2.ok, rep2.message).toBe(true);
  });

  it('checks d(vertices) / d(shape) on the synthetic model', () => {
    const m = createSyntheticFlame({ ...small, expressionComponents: 0 });
    const layer = new FlameLayer(m, { dtype: 'float64' });
    const shape = tensor([0.5, -1, 0.2, 0.3], { shape: [1, 4], dtype: 'float64', requiresGrad: true });
    const jaw = tensor([0.2, 0.1, 0], { shape: [1, 3], dtype: 'float64', requiresGrad: true });
    const rep = gradcheckReport((s: Tensor, j: Tensor) => layer.forward({ shape: s, jawPose: j }).joints, [shape, jaw], { eps: 1e-6, atol: 1e-8, rtol: 1e-5 });
    expect(rep.ok, rep.message).toBe(true);
  });
});
