import { gradcheckReport, tensor, type Tensor } from '@headsplat/core';
import { describe, expect, it } from 'vitest';
import { bindGaussians, bindPoints, createSyntheticFlame, FlameLayer, triangleFrames, triangleFramesTensor } from '../src/index.js';

const small = { rings: 8, segments: 10, eyeRings: 3, eyeSegments: 5, shapeComponents: 2, expressionComponents: 3 } as const;

describe('triangleFramesTensor / bindGaussians', () => {
  it('matches the typed-array frames and bound points', () => {
    const m = createSyntheticFlame(small);
    const fr = triangleFramesTensor(tensor(m.vTemplate, { shape: [m.numVertices, 3] }), m.faces);
    const ref = triangleFrames(m.vTemplate, m.faces);
    const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol);
    };
    close(fr.centroids.dataSync(), ref.centroids, 1e-7);
    close(fr.rotations.dataSync(), ref.rotations, 1e-5);
    close(fr.scales.dataSync(), ref.scales, 1e-7);
    const binding = Int32Array.from({ length: 20 }, (_, i) => (i * 13) % m.numFaces);
    const local = Float32Array.from({ length: 60 }, (_, i) => Math.cos(i) * 0.4);
    const g = bindGaussians(fr, binding, tensor(local, { shape: [20, 3] }));
    close(g.positions.dataSync(), bindPoints(ref, binding, local), 1e-6);
  });

  it('carries Gaussians with the animated mesh, with gradients to the jaw pose and local offsets', () => {
    const m = createSyntheticFlame(small);
    const layer = new FlameLayer(m, { dtype: 'float64' });
    const jawFaces = Int32Array.from([0, 1, 2, 3].map((k) => m.landmarks!.staticFaces[40 + k])); // lip landmarks' faces
    const fn = (jaw: Tensor, local: Tensor, ls: Tensor) => {
      const verts = layer.forward({ jawPose: jaw }, { dynamicContour: false }).vertices;
      const fr = triangleFramesTensor(verts, m.faces);
      const b = bindGaussians(fr, jawFaces, local, ls);
      return b.positions;
    };
    const jaw = tensor([0.2, 0.05, 0], { shape: [1, 3], dtype: 'float64', requiresGrad: true });
    const local = tensor([0.1, 0.2, 0.3, -0.2, 0.1, 0, 0.3, -0.3, 0.2, 0, 0, 0.5], { shape: [4, 3], dtype: 'float64', requiresGrad: true });
    const ls = tensor(new Float64Array(12).fill(0.5), { shape: [4, 3], dtype: 'float64' });
    const rep = gradcheckReport(fn, [jaw, local, ls], { eps: 1e-6, atol: 1e-8, rtol: 1e-5 });
    expect(rep.ok, rep.message).toBe(true);
  });

  it('rejects local positions that do not match the binding', () => {
    const fr = triangleFramesTensor(tensor([0, 0, 0, 1, 0, 0, 0, 1, 0], { shape: [3, 3] }), Int32Array.of(0, 1, 2));
    expect(() => bindGaussians(fr, Int32Array.of(0, 0), tensor([0, 0, 0], { shape: [1, 3] }))).toThrow(/bindGaussians: localPositions must be a tensor of shape \[2, 3\]/);
    expect(() => bindGaussians(fr, Int32Array.of(3), tensor([0, 0, 0], { shape: [1, 3] }))).toThrow(/binding must be face indices in \[0, 1\)/);
  });
});
