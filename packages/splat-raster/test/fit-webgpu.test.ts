/**
 * End-to-end fit with every step on the GPU (`fitGaussiansWebGPU`, also reached through
 * `fitGaussians({ backend: 'webgpu' })`): the scene, init and thresholds of
 * fit-cpu.test.ts (40 random Gaussians reproduce a 32x32 image of 20 hidden ones;
 * final PSNR >= 33 dB and >= 20 dB better than the start, in 300 steps). The losses are
 * read back every `lossEvery` steps only. Also: the fit's first Adam step equals the CPU
 * `Adam` step on the WebGPU gradients, and bad options name the argument.
 */

import { webgpuSuite } from '@headsplat/gpu/testing';
import { expect, vi } from 'vitest';
import { renderCpu } from '../src/cpu/index.js';
import { type FitStepInfo, fitGaussians, meanSquaredError, psnrFromMse } from '../src/fit.js';
import { Adam } from '../src/optim/adam.js';
import { fitGaussiansWebGPU, webgpuFitRenderer } from '../src/optim/fit-webgpu.js';
import { activateGaussianParams, paramGradients, toGaussianParams } from '../src/optim/gaussian-params.js';
import { mulberry32, randomGaussiansInView } from '../src/optim/random-init.js';
import type { Camera, GaussianScene } from '../src/types.js';

const IDENTITY = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
const CAMERA: Camera = { viewMatrix: IDENTITY, fx: 32, fy: 32, cx: 16, cy: 16, width: 32, height: 32 };

/** Same hidden scene as fit-cpu.test.ts. */
function hiddenScene(seed: number): GaussianScene {
  const r = mulberry32(seed);
  const n = 20;
  const means = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const z = 2.5 + r();
    means.set([(r() - 0.5) * 0.8 * z, (r() - 0.5) * 0.8 * z, z], 3 * i);
  }
  return {
    means,
    quats: Float64Array.from({ length: 4 * n }, () => r() - 0.5),
    scales: Float64Array.from({ length: 3 * n }, () => 0.1 + 0.3 * r()),
    opacities: Float64Array.from({ length: n }, () => 0.6 + 0.35 * r()),
    colors: Float64Array.from({ length: 3 * n }, () => r()),
  };
}

webgpuSuite('fitGaussiansWebGPU', (ctx, test) => {
  test('fits 40 random Gaussians to a 32x32 image of 20 hidden ones: >= 33 dB PSNR, >= 20 dB gain, in 300 steps', async () => {
    const target = renderCpu(hiddenScene(1), CAMERA).output.rgb;
    const init = randomGaussiansInView(CAMERA, 40, { seed: 101, depth: 3 });
    const steps: FitStepInfo[] = [];
    const res = await fitGaussians({ target, camera: CAMERA, init, iterations: 300, backend: 'webgpu', device: ctx.device, onStep: (s) => void steps.push(s) });
    console.log(`fit-webgpu: PSNR ${res.initialPsnr.toFixed(2)} -> ${res.finalPsnr.toFixed(2)} dB in 300 steps, ${(res.elapsedMs / 1000).toFixed(2)} s`);
    expect(res.lossHistory).toHaveLength(300);
    expect(steps.map((s) => s.iteration)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(res.finalPsnr).toBeGreaterThanOrEqual(33);
    expect(res.finalPsnr - res.initialPsnr).toBeGreaterThanOrEqual(20);
    // The first loss is the MSE of the initial scene (CPU reference, float32 tolerance).
    expect(res.lossHistory[0]).toBeCloseTo(meanSquaredError(renderCpu(init, CAMERA).output.rgb, target), 5);
    // The returned scene renders (on the CPU reference) the returned image.
    const again = renderCpu(res.scene, CAMERA).output.rgb;
    expect(meanSquaredError(again, res.render)).toBeLessThan(1e-8);
    expect(psnrFromMse(meanSquaredError(res.render, target))).toBeCloseTo(res.finalPsnr, 6);
  });

  test("takes the CPU Adam's first step on the WebGPU gradients", async () => {
    const target = renderCpu(hiddenScene(3), CAMERA).output.rgb;
    const init = randomGaussiansInView(CAMERA, 12, { seed: 7, depth: 3 });
    const res = await fitGaussiansWebGPU({ device: ctx.device, target, camera: CAMERA, init, iterations: 1, lr: 0.5 });
    // The same step on the CPU from the typed-array WebGPU renderer's gradients.
    const params = toGaussianParams(init);
    const scene = activateGaussianParams(params);
    const pass = await webgpuFitRenderer(ctx.device).render(scene, CAMERA, {});
    const P3 = 3 * CAMERA.width * CAMERA.height;
    const gradRgb = Float64Array.from(pass.rgb, (v, j) => (2 * (v - target[j])) / P3);
    const grads = paramGradients(scene, await pass.backward(gradRgb));
    // Step 1 moves each entry by lr * sign(g) (bias-corrected Adam); the means rate is scaled by the median depth (3).
    new Adam(params.colors.length, { lr: 0.02 * 0.5 }).step(params.colors, grads.colors!);
    new Adam(params.logScales.length, { lr: 0.03 * 0.5 }).step(params.logScales, grads.logScales!);
    const expectedScales = params.logScales.map(Math.exp);
    let moved = 0;
    for (let j = 0; j < params.colors.length; j++) {
      if (Math.abs(grads.colors![j]) > 1e-6) {
        moved++;
        expect(res.scene.colors[j]).toBeCloseTo(params.colors[j], 5);
      }
    }
    for (let j = 0; j < expectedScales.length; j++) {
      if (Math.abs(grads.logScales![j]) > 1e-6) expect(res.scene.scales[j]).toBeCloseTo(expectedScales[j], 5);
    }
    expect(moved).toBeGreaterThan(10);
  });

  test('reads back only every lossEvery steps (counted mapAsync calls)', async () => {
    const target = renderCpu(hiddenScene(2), CAMERA).output.rgb;
    const proto = (globalThis as unknown as { GPUBuffer: { prototype: GPUBuffer } }).GPUBuffer.prototype;
    const spy = vi.spyOn(proto, 'mapAsync');
    try {
      const res = await fitGaussiansWebGPU({ device: ctx.device, target, camera: CAMERA, count: 20, iterations: 100, lossEvery: 25 });
      expect(res.lossHistory).toHaveLength(100);
      // 4 drains x (losses + intersection count) + the sizing forward + the final render and parameter reads.
      expect(spy.mock.calls.length).toBeGreaterThanOrEqual(4 * 2); // the spy sees the drains
      expect(spy.mock.calls.length).toBeLessThanOrEqual(4 * 2 + 1 + 1 + 6);
    } finally {
      spy.mockRestore();
    }
  });

  test('rejects bad options, naming the argument', async () => {
    const target = new Float32Array(3072);
    await expect(fitGaussiansWebGPU({ device: ctx.device, target: new Float32Array(5), camera: CAMERA, count: 4 })).rejects.toThrow(
      'fitGaussiansWebGPU: options.target: expected length H * W * 3 = 3072, got 5',
    );
    await expect(fitGaussiansWebGPU({ device: ctx.device, target, camera: CAMERA, count: 4, lossEvery: 0 })).rejects.toThrow(/options\.lossEvery: expected a positive integer/);
    await expect(fitGaussians({ target, camera: CAMERA, count: 4, backend: 'webgpu' })).rejects.toThrow(/fitGaussians: options\.device: expected a GPUDevice/);
  });
});
