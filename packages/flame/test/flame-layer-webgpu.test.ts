import { initWebGPU, mul, sum, tensor, type Tensor } from '@headsplat/core';
import { webgpuSuite } from '@headsplat/gpu/testing';
import { expect } from 'vitest';
import { createSyntheticFlame, FlameLayer, triangleFramesTensor } from '../src/index.js';

const small = { rings: 10, segments: 14, eyeRings: 3, eyeSegments: 5, shapeComponents: 4, expressionComponents: 5 } as const;

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0, s = 0;
  for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return m / Math.max(s, 1e-12);
}

webgpuSuite('FlameLayer on WebGPU', (ctx, it) => {
  it('matches the CPU layer in vertices, landmarks and gradients to every parameter (float32)', async () => {
    await initWebGPU({ device: ctx.device });
    const model = createSyntheticFlame(small);
    const vals: Record<string, number[]> = {
      shape: [1, -0.5, 2, 0.3, 0, 0.2, -1, 0.5], expression: [1, 0.5, 0.2, -1, 0.7, 0, 0, 1, 0, 0.3],
      rotation: [0.1, 0.5, -0.05, 0, -0.4, 0.1], neckPose: [0.2, -0.1, 0.05, 0, 0, 0], jawPose: [0.3, 0.01, 0, 0.1, 0, 0],
      eyesPose: [0.1, 0.2, 0, -0.1, 0.2, 0, 0, 0, 0, 0, 0, 0], translation: [0.01, -0.02, 0.3, 0, 0, 0],
    };
    const upstream = Float32Array.from({ length: 2 * model.numVertices * 3 }, (_, i) => Math.sin(i * 0.37));
    const run = async (device: 'cpu' | 'webgpu') => {
      const layer = new FlameLayer(model, { device });
      const params: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(vals)) params[k] = tensor(v, { shape: [2, v.length / 2], device, requiresGrad: true });
      const out = layer.forward(params, { yawDegrees: [28, -23] });
      const loss = sum(mul(out.vertices, tensor(upstream, { shape: [...out.vertices.shape], device })));
      loss.backward();
      const grads: Record<string, Float32Array> = {};
      for (const [k, t] of Object.entries(params)) grads[k] = (await t.grad!.data()) as Float32Array;
      const frames = triangleFramesTensor(out.vertices, model.faces);
      return { v: await out.vertices.data(), l: await out.landmarks!.data(), r: await frames.rotations.data(), grads };
    };
    const [cpu, gpu] = [await run('cpu'), await run('webgpu')];
    expect(maxRel(gpu.v, cpu.v)).toBeLessThan(1e-5);
    expect(maxRel(gpu.l, cpu.l)).toBeLessThan(1e-5);
    expect(maxRel(gpu.r, cpu.r)).toBeLessThan(1e-4);
    for (const k of Object.keys(vals)) expect(maxRel(gpu.grads[k], cpu.grads[k]), k).toBeLessThan(1e-4);
  }, 120_000);
});
