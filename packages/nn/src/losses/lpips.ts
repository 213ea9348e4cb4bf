/**
 * LPIPS (Zhang et al. 2018) with the architecture and state-dict names of the official
 * `lpips` package (richzhang/PerceptualSimilarity): `scaling_layer.shift/scale`,
 * `net.slice<k>.<torchvision index>.weight/bias`, `lin<k>.model.1.weight`. No weights ship
 * with headsplat: convert `lpips.LPIPS(net=...)`'s state_dict to safetensors and load it.
 */
import { HeadsplatError, add, div, mean, mul, sqrt, square, sub, sum, tensor, type Tensor } from '@headsplat/core';
import { Sequential } from '../containers.js';
import { generatorOf, type InitOptions } from '../init.js';
import { Module, type TensorModule } from '../module.js';
import { ReLU } from '../layers/activation.js';
import { Conv2d } from '../layers/conv.js';
import { Dropout } from '../layers/dropout.js';
import { MaxPool2d } from '../layers/pool.js';
import { readSafetensors } from '@headsplat/core';

export type LpipsNet = 'vgg' | 'alex';

type Spec = ['conv', number, number, number, number, number] | ['relu'] | ['pool', number, number];

/** torchvision's vgg16().features and alexnet().features, by index. */
const FEATURES: Record<LpipsNet, { layers: Spec[]; slices: number[]; channels: number[] }> = {
  vgg: {
    layers: ([[3, 64], [64, 64], 'M', [64, 128], [128, 128], 'M', [128, 256], [256, 256], [256, 256], 'M', [256, 512], [512, 512], [512, 512], 'M', [512, 512], [512, 512], [512, 512]] as const)
      .flatMap((l): Spec[] => (l === 'M' ? [['pool', 2, 2]] : [['conv', l[0], l[1], 3, 1, 1], ['relu']])),
    slices: [4, 9, 16, 23, 30],
    channels: [64, 128, 256, 512, 512],
  },
  alex: {
    layers: [
      ['conv', 3, 64, 11, 4, 2], ['relu'], ['pool', 3, 2], ['conv', 64, 192, 5, 1, 2], ['relu'], ['pool', 3, 2],
      ['conv', 192, 384, 3, 1, 1], ['relu'], ['conv', 384, 256, 3, 1, 1], ['relu'], ['conv', 256, 256, 3, 1, 1], ['relu'],
    ],
    slices: [2, 5, 8, 10, 12],
    channels: [64, 192, 384, 256, 256],
  },
};

/** The feature extractor split into slice1..slice5 with torchvision's layer indices. */
export class LpipsBackbone extends Module {
  readonly slices: Sequential[] = [];
  constructor(readonly net: LpipsNet, opts: InitOptions = {}) {
    super();
    const spec = FEATURES[net];
    let start = 0;
    spec.slices.forEach((end, k) => {
      const entries: [string, TensorModule][] = [];
      for (let i = start; i < end; i++) {
        const s = spec.layers[i];
        const m = s[0] === 'conv' ? new Conv2d(s[1], s[2], s[3], { ...opts, stride: s[4], padding: s[5] }) : s[0] === 'relu' ? new ReLU() : new MaxPool2d(s[1], { stride: s[2] });
        entries.push([String(i), m]);
      }
      this.slices.push(this.registerModule(`slice${k + 1}`, new Sequential(entries)));
      start = end;
    });
  }

  /** The five ReLU outputs. */
  features(x: Tensor): Tensor[] {
    const out: Tensor[] = [];
    for (const s of this.slices) out.push((x = s.forward(x)));
    return out;
  }
}

/** Dropout + 1x1 conv without bias (lpips.NetLinLayer; key `model.1.weight`). */
class NetLinLayer extends Module {
  readonly model: Sequential;
  constructor(ch: number, opts: InitOptions) {
    super();
    this.model = this.registerModule('model', new Sequential(new Dropout(0.5), new Conv2d(ch, 1, 1, { ...opts, bias: false })));
  }
}

export interface LpipsOptions extends InitOptions {
  net?: LpipsNet;
}

/**
 * The LPIPS distance: per layer, unit-normalise channels, squared difference, learned 1x1
 * weighting, spatial mean; summed over the five layers. Inputs (N, 3, H, W) in [-1, 1]
 * (`normalize: true` maps [0, 1] inputs). Returns (N, 1, 1, 1) like the reference.
 * Always runs in eval mode (Dropout off); built with random weights until `loadStateDict`.
 */
export class LPIPS extends Module {
  readonly net: LpipsBackbone;
  readonly lins: NetLinLayer[] = [];

  constructor(opts: LpipsOptions = {}) {
    super();
    const kind = opts.net ?? 'vgg';
    const o = { device: opts.device, dtype: opts.dtype, generator: generatorOf(opts) };
    const sl = new Module();
    // lpips.ScalingLayer's constants (ImageNet statistics rescaled to [-1, 1]).
    sl.registerBuffer('shift', tensor([-0.03, -0.088, -0.188], { shape: [1, 3, 1, 1], device: o.device, dtype: o.dtype }));
    sl.registerBuffer('scale', tensor([0.458, 0.448, 0.45], { shape: [1, 3, 1, 1], device: o.device, dtype: o.dtype }));
    this.registerModule('scaling_layer', sl);
    this.net = this.registerModule('net', new LpipsBackbone(kind, o));
    FEATURES[kind].channels.forEach((c, k) => this.lins.push(this.registerModule(`lin${k}`, new NetLinLayer(c, o))));
    this.eval();
    for (const p of this.parameters()) p.requiresGrad_(false);
  }

  forward(a: Tensor, b: Tensor, opts: { normalize?: boolean } = {}): Tensor {
    if (a.rank !== 4 || a.shape[1] !== 3 || b.shape.join() !== a.shape.join()) {
      throw new HeadsplatError(`LPIPS: inputs must be two (N, 3, H, W) images of equal shape, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
    }
    const sl = [...this.namedChildren()][0][1];
    const prep = (x: Tensor): Tensor => {
      const y = opts.normalize ? sub(mul(x, 2), 1) : x;
      return div(sub(y, sl.getBuffer('shift')), sl.getBuffer('scale'));
    };
    const fa = this.net.features(prep(a));
    const fb = this.net.features(prep(b));
    const unit = (f: Tensor): Tensor => div(f, add(sqrt(sum(square(f), 1, true)), 1e-10));
    let total: Tensor | null = null;
    fa.forEach((f, k) => {
      const d = square(sub(unit(f), unit(fb[k])));
      const conv = this.lins[k].model.at(1);
      const v = mean(conv.forward(d), [2, 3], true);
      total = total ? add(total, v) : v;
    });
    return total!;
  }
}

/**
 * Builds an LPIPS network and loads its weights from a safetensors file (path, Node only)
 * or bytes holding the official state-dict keys. A missing file is a clear error that says
 * how to make one.
 */
export async function loadLpips(source: string | Uint8Array, opts: LpipsOptions = {}): Promise<LPIPS> {
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    const fs = await import('node:fs/promises');
    try {
      bytes = await fs.readFile(source);
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new HeadsplatError(
        `loadLpips: cannot read LPIPS weights '${source}' (${code ?? (e as Error).message}). headsplat ships no weights; make the file with: ` +
        `import lpips, safetensors.torch; safetensors.torch.save_file(lpips.LPIPS(net='${opts.net ?? 'vgg'}').state_dict(), 'lpips_${opts.net ?? 'vgg'}.safetensors')`,
      );
    }
  } else bytes = source;
  const m = new LPIPS(opts);
  m.loadStateDict(readSafetensors(bytes).tensors);
  return m;
}

