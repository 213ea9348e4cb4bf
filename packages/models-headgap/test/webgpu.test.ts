import { initWebGPU, tidy } from '@headsplat/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { HeadGapModel, frameGeometry, headgapLoss, loadPrior, savePrior } from '../src/index.js';
import { frontCamera, testFlame } from './helpers.js';

// CPU vs WebGPU agreement of the whole model (render and gradients). Without an adapter the
// tests skip with the reason, except under CI=true, where that is a failure.
describe('HeadGapModel on WebGPU', () => {
  let failure: Error | undefined;
  beforeAll(async () => {
    try {
      await initWebGPU();
    } catch (e) {
      failure = e instanceof Error ? e : new Error(String(e));
      if (process.env.CI === 'true') throw new Error(`WebGPU is required under CI=true: ${failure.message}`);
      console.warn(`[webgpu] skipping HeadGapModel on WebGPU: ${failure.message}`);
    }
  }, 60_000);

  it('renders the same image and the same codebook gradient as the CPU', async (c) => {
    if (failure) c.skip();
    const flame = testFlame();
    const config = { uvResolution: 20, identities: 2, hidden: [16], c1: 8, c2: 8, latentChannels: 4, refinerChannels: 4, seed: 3 };
    const cpu = new HeadGapModel(flame, config);
    for (const p of cpu.parameters()) p.assign_(p.add(0.02)); // away from the zero-initialised layers
    const gpu = loadPrior(await savePrior(cpu), flame, { device: 'webgpu' });
    const cam = frontCamera(16);
    const params = { jawPose: [0.2, 0, 0], expression: [0.5] };
    const run = async (m: HeadGapModel, device: 'cpu' | 'webgpu') => {
      const geom = frameGeometry(flame, m.cloud, params, cam, { dynamicScale: m.config.dynamicScale, device });
      const target = { rgb: geom.sigma.mul(0).reshape([1, 1, 1, -1]).sum().add(0.4).reshape([1, 1, 1, 1]).expand([1, 3, 16, 16]), mask: geom.sigma.mul(0).sum().add(1).reshape([1, 1, 1, 1]).expand([1, 1, 16, 16]) };
      const image = tidy(() => {
        const r = m.render(geom, m.identityCode(1), cam);
        headgapLoss(r, target, m.config.loss, m.neighbours, m.cloud.neighbourCount).total.backward();
        return r.image.detach();
      });
      return { image: await image.data(), grad: await m.codebook.grad!.data() };
    };
    const a = await run(cpu, 'cpu');
    const b = await run(gpu, 'webgpu');
    let maxImg = 0;
    for (let i = 0; i < a.image.length; i++) maxImg = Math.max(maxImg, Math.abs(a.image[i] - b.image[i]));
    console.log(`HeadGAP CPU vs WebGPU: max |Δimage| ${maxImg.toExponential(2)}`);
    expect(maxImg).toBeLessThan(1e-4);
    let num = 0, den = 0;
    for (let i = 0; i < a.grad.length; i++) { num += (a.grad[i] - b.grad[i]) ** 2; den += a.grad[i] ** 2; }
    expect(den).toBeGreaterThan(0);
    console.log(`HeadGAP CPU vs WebGPU: relative codebook-gradient error ${Math.sqrt(num / den).toExponential(2)}`);
    expect(Math.sqrt(num / den)).toBeLessThan(1e-3);
  });
});
