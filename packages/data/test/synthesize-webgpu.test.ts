import { webgpuSuite } from '@headsplat/gpu/testing';
import { createSyntheticFlame } from '@headsplat/flame';
import { expect } from 'vitest';
import { synthesizeCaptures } from '../src/index.js';

webgpuSuite('synthesizeCaptures on WebGPU', (ctx, it) => {
  it('renders the same images and masks as the CPU reference (dome and wild rigs)', async () => {
    const model = createSyntheticFlame();
    for (const rig of ['dome', 'wild'] as const) {
      const opts = { identities: 2, expressions: 2, views: 3, size: 64, rig, model, seed: 5 };
      const cpu = await synthesizeCaptures(opts);
      const gpu = await synthesizeCaptures({ ...opts, device: ctx.device });
      let sum = 0, n = 0, bad = 0, maskSum = 0;
      for (let i = 0; i < cpu.frames.length; i++) {
        const [a, b] = [await cpu.frames[i].rgb(), await gpu.frames[i].rgb()];
        const [ma, mb] = [await cpu.frames[i].mask(), await gpu.frames[i].mask()];
        for (let k = 0; k < a.length; k++) {
          const d = Math.abs(a[k] - b[k]);
          sum += d;
          n++;
          if (d > 0.05) bad++;
        }
        for (let k = 0; k < ma.length; k++) maskSum += Math.abs(ma[k] - mb[k]);
      }
      // float32 vs float64: the same face wins almost everywhere; a few silhouette / edge
      // pixels may pick the neighbouring face.
      console.log(`[data] ${rig}: CPU vs WebGPU mean |d| ${(sum / n).toExponential(2)}, values off by > 0.05: ${bad} of ${n}, mask mean |d| ${(maskSum / (n / 3)).toExponential(2)}`);
      expect(sum / n).toBeLessThan(1e-4);
      expect(bad / n).toBeLessThan(1e-3);
      expect(maskSum / (n / 3)).toBeLessThan(1e-4);
    }
  });
});
