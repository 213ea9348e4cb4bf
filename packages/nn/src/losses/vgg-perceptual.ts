import { HeadsplatError, abs, add, div, mean, mul, sub, tensor, type Tensor } from '@headsplat/core';
import type { InitOptions } from '../init.js';
import { Module } from '../module.js';
import { LpipsBackbone } from './lpips.js';

export interface VggPerceptualOptions extends InitOptions {
  /** Weight of each of the five VGG16 stages (relu1_2 ... relu5_3). Default all 1. */
  layerWeights?: number[];
}

/**
 * VGG perceptual loss (Johnson et al. 2016): Σ_k w_k · mean|φ_k(a) - φ_k(b)| over torchvision
 * VGG16 stages, inputs in [0, 1] normalised with the ImageNet mean/std. The backbone's keys
 * are `net.slice<k>.<index>.*` (the torchvision `features.<index>` weights, re-keyed).
 */
export class VggPerceptualLoss extends Module {
  readonly net: LpipsBackbone;
  readonly layerWeights: number[];

  constructor(opts: VggPerceptualOptions = {}) {
    super();
    this.net = this.registerModule('net', new LpipsBackbone('vgg', opts));
    this.layerWeights = opts.layerWeights ?? [1, 1, 1, 1, 1];
    if (this.layerWeights.length !== 5) throw new HeadsplatError(`VggPerceptualLoss: layerWeights must have 5 entries, got ${this.layerWeights.length}`);
    this.registerBuffer('mean', tensor([0.485, 0.456, 0.406], { shape: [1, 3, 1, 1], device: opts.device, dtype: opts.dtype }));
    this.registerBuffer('std', tensor([0.229, 0.224, 0.225], { shape: [1, 3, 1, 1], device: opts.device, dtype: opts.dtype }));
    this.eval();
    for (const p of this.parameters()) p.requiresGrad_(false);
  }

  forward(a: Tensor, b: Tensor): Tensor {
    if (a.rank !== 4 || a.shape[1] !== 3 || a.shape.join() !== b.shape.join()) {
      throw new HeadsplatError(`VggPerceptualLoss: inputs must be two (N, 3, H, W) images of equal shape, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
    }
    const prep = (x: Tensor): Tensor => div(sub(x, this.getBuffer('mean')), this.getBuffer('std'));
    const fa = this.net.features(prep(a));
    const fb = this.net.features(prep(b));
    let total: Tensor | null = null;
    fa.forEach((f, k) => {
      if (this.layerWeights[k] === 0) return;
      const v = mul(mean(abs(sub(f, fb[k]))), this.layerWeights[k]);
      total = total ? add(total, v) : v;
    });
    if (!total) throw new HeadsplatError('VggPerceptualLoss: every layer weight is 0');
    return total;
  }
}
