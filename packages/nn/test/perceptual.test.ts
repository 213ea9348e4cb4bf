import { describe, expect, it } from 'vitest';
import { rand, randn, writeSafetensors } from '@headsplat/core';
import { FeatureUpsampler, LPIPS, UNetRefiner, VggPerceptualLoss, loadLpips, stateDictToArrays } from '../src/index.js';

describe('LPIPS, VGG perceptual loss, refiners', () => {
  it('LPIPS-VGG has the official keys and VGG16 feature parameter count', () => {
    const m = new LPIPS({ net: 'vgg', seed: 1 });
    const keys = Object.keys(m.stateDict());
    for (const k of ['scaling_layer.shift', 'scaling_layer.scale', 'net.slice1.0.weight', 'net.slice1.2.bias', 'net.slice2.5.weight', 'net.slice5.28.weight', 'lin0.model.1.weight', 'lin4.model.1.weight']) {
      expect(keys).toContain(k);
    }
    expect(m.net.numParameters()).toBe(14_714_688);
    expect(m.lins[4].stateDict()['model.1.weight'].shape).toEqual([1, 512, 1, 1]);
  });

  it('LPIPS-Alex (random weights) is 0 for equal images and positive otherwise', async () => {
    const m = new LPIPS({ net: 'alex', seed: 1 });
    expect(m.net.numParameters()).toBe(2_469_696);
    const a = rand([2, 3, 64, 64], { seed: 2, low: -1, high: 1 });
    const b = rand([2, 3, 64, 64], { seed: 3, low: -1, high: 1 });
    const same = m.forward(a, a);
    expect(same.shape).toEqual([2, 1, 1, 1]);
    expect(Math.max(...Array.from(same.dataSync()).map(Math.abs))).toBeLessThan(1e-6);
    // lin weights are random (signed); use |.|-positive weights to make the distance positive.
    m.loadStateDict(Object.fromEntries(m.lins.map((l, k) => [`lin${k}.model.1.weight`, rand([...l.stateDict()['model.1.weight'].shape], { seed: k })])), { strict: false });
    expect(Array.from(m.forward(a, b).dataSync()).every((v) => v > 0)).toBe(true);
  });

  it('loadLpips names a missing file and how to make it, and names missing keys', async () => {
    await expect(loadLpips('/nonexistent/lpips_alex.safetensors', { net: 'alex' })).rejects.toThrow(/loadLpips: cannot read LPIPS weights '\/nonexistent\/lpips_alex.safetensors' \(ENOENT\).*lpips\.LPIPS\(net='alex'\)/);
    const src = new LPIPS({ net: 'alex', seed: 4 });
    const arrays = await stateDictToArrays(src.stateDict());
    const loaded = await loadLpips(writeSafetensors(arrays), { net: 'alex' });
    expect(Array.from(loaded.lins[2].stateDict()['model.1.weight'].dataSync())).toEqual(Array.from(src.lins[2].stateDict()['model.1.weight'].dataSync()));
    delete arrays['lin3.model.1.weight'];
    await expect(loadLpips(writeSafetensors(arrays), { net: 'alex' })).rejects.toThrow("LPIPS.loadStateDict: missing keys: 'lin3.model.1.weight'");
  });

  it('VGG perceptual loss is 0 for equal images', () => {
    const vgg = new VggPerceptualLoss({ seed: 1, layerWeights: [1, 1, 0, 0, 0] });
    const a = rand([1, 3, 16, 16], { seed: 1 });
    expect(vgg.forward(a, a).dataSync()[0]).toBe(0);
    expect(vgg.forward(a, rand([1, 3, 16, 16], { seed: 2 })).dataSync()[0]).toBeGreaterThan(0);
  });

  it('the U-Net refiner keeps the resolution; the upsampler doubles it', () => {
    const unet = new UNetRefiner({ inChannels: 8, outChannels: 3, baseChannels: 8, depth: 2, seed: 1 });
    expect(unet.forward(randn([1, 8, 16, 12])).shape).toEqual([1, 3, 16, 12]);
    expect(() => unet.forward(randn([1, 8, 10, 12]))).toThrow('UNetRefiner: input must be (N, 8, H, W) with H and W multiples of 4, got [1, 8, 10, 12]');
    const up = new FeatureUpsampler({ inChannels: 8, outChannels: 4, seed: 1 });
    expect(up.forward(randn([2, 8, 5, 6])).shape).toEqual([2, 4, 10, 12]);
  });
});
