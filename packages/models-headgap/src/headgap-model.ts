/**
 * The HeadGAP network: a learnable per-point feature f (N, c1) shared by all identities, an
 * identity codebook z (k, P, c2), two MLPs per part — M1(f, z) -> offset, rotation, scale,
 * opacity and M2(f, z, e, A_g) -> colour and latent features h — splatting of RGB plus h, and
 * a screen-space U-Net refiner producing the final image.
 * @see Zheng et al., "HeadGAP: Few-shot 3D Head Avatar via Generalizable Gaussian Priors", 2024, Sec. 3
 */
import {
  Generator, HeadsplatError, add, bmm, concat, exp, indexSelect, mul, narrow, permute, reshape, sigmoid, softmax, sum, tanh, tensor,
  unsqueeze, type Device, type Tensor,
} from '@headsplat/core';
import { MLP, Module, ModuleList, Parameter, UNetRefiner, init, type LPIPS } from '@headsplat/nn';
import { rasterize } from '@headsplat/splat-raster/tensor';
import type { Camera } from '@headsplat/splat-raster';
import type { FlameModel } from '@headsplat/flame';
import { resolveConfig, type HeadGapConfig } from './config.js';
import { buildPointCloud, type PointCloud } from './point-cloud.js';
import type { FrameGeometry } from './frame-geometry.js';

/** M1 outputs per point: offset (3), rotation (4), log-scale (3), opacity logit (1). */
export const M1_OUT = 11;

export interface HeadGapGaussians {
  means: Tensor;
  quats: Tensor;
  scales: Tensor;
  opacities: Tensor;
  colors: Tensor;
  /** (N, latentChannels) latent features h, or undefined when latentChannels is 0. */
  latent: Tensor | undefined;
  /** (N, 3) offsets in triangle-local units (for the regularisers). */
  offsets: Tensor;
  /** (N, 3) log of the learned scale multiplier. */
  logScales: Tensor;
}

export interface HeadGapRender {
  /** (1, 3, H, W) refined image (final output). */
  image: Tensor;
  /** (1, 3, H, W) splatted RGB before the refiner. */
  raw: Tensor;
  /** (1, 1, H, W) splatted opacity. */
  alpha: Tensor;
  gaussians: HeadGapGaussians;
}

export interface HeadGapModelOptions {
  device?: Device;
}

/**
 * HeadGAP over a FLAME-format model. `config.identities` sets the codebook size k; the point
 * cloud is rebuilt from `flame` and the config (its UV sampling is deterministic), so a
 * checkpoint loads onto the same FLAME model.
 */
export class HeadGapModel extends Module {
  readonly config: HeadGapConfig;
  readonly cloud: PointCloud;
  readonly features: Parameter;
  readonly codebook: Parameter;
  readonly m1: ModuleList<MLP>;
  readonly m2: ModuleList<MLP>;
  readonly refiner: UNetRefiner;
  /** Device the model's tensors live on. */
  readonly home: Device;
  /**
   * An LPIPS network (`await loadLpips(path)` from @headsplat/nn) for the `loss.lpips` term of
   * training and personalisation; null (the default) leaves the term out. Not part of the
   * state dict or checkpoints.
   */
  perceptual: LPIPS | null = null;
  /**
   * Per codebook row, the FLAME shape coefficients of the identity it was trained on (set by
   * `trainPrior` from the frames' FLAME parameters; null where unknown). Checkpoints store them,
   * so that an application can draw identity i with its own head shape.
   */
  identityShapes: (Float32Array | null)[];
  private readonly partIndex: Tensor;
  private readonly neighbourIndex: Tensor;
  private readonly quatBias: Tensor;

  constructor(readonly flame: FlameModel, config: Partial<HeadGapConfig> = {}, opts: HeadGapModelOptions = {}) {
    super();
    this.config = resolveConfig(config);
    this.home = opts.device ?? 'cpu';
    this.identityShapes = Array.from({ length: this.config.identities }, () => null);
    const c = this.config;
    this.cloud = buildPointCloud(flame, c);
    const N = this.cloud.count, P = this.cloud.partNames.length;
    const gen = new Generator(c.seed);
    const o = { device: this.home, generator: gen };
    // f starts as random Fourier features of the template position (frequencies 10..40 /m),
    // so that neighbouring points start with similar features; it is learned from there.
    const fInit = new Float32Array(N * c.c1);
    const rng = new Generator(c.seed + 1);
    for (let j = 0; j < c.c1; j++) {
      const freq = 10 * 2 ** (j % 3);
      const d = [rng.nextFloat64() - 0.5, rng.nextFloat64() - 0.5, rng.nextFloat64() - 0.5];
      const n = Math.hypot(...d) || 1;
      const phase = rng.nextFloat64();
      for (let i = 0; i < N; i++) {
        const p = this.cloud.templatePositions;
        const t = (d[0] * p[i * 3] + d[1] * p[i * 3 + 1] + d[2] * p[i * 3 + 2]) / n;
        fInit[i * c.c1 + j] = Math.sin(freq * 2 * Math.PI * t + phase * 2 * Math.PI);
      }
    }
    this.features = this.registerParameter('features', new Parameter(tensor(fInit, { shape: [N, c.c1], device: this.home })));
    this.codebook = this.registerParameter('codebook', new Parameter(init.normal([c.identities, P, c.c2], 0, 0.5, o)));
    const m1: MLP[] = [], m2: MLP[] = [];
    for (let p = 0; p < P; p++) {
      // M1 starts at zero output: no offset, the triangle's rotation, the base scale, one opacity.
      m1.push(new MLP({ inFeatures: c.c1 + c.c2, hidden: c.hidden, outFeatures: M1_OUT, init: 'zero', ...o }));
      m2.push(new MLP({ inFeatures: c.c1 + c.c2 + 3 + M1_OUT, hidden: c.hidden, outFeatures: 3 + c.latentChannels, ...o }));
    }
    this.m1 = this.registerModule('m1', new ModuleList(m1));
    this.m2 = this.registerModule('m2', new ModuleList(m2));
    this.refiner = this.registerModule('refiner', new UNetRefiner({ inChannels: 3 + c.latentChannels, outChannels: 3, baseChannels: c.refinerChannels, depth: c.refinerDepth, ...o }));
    // Residual refiner starting as the identity: refined = raw + U-Net(raw, h), last conv zeroed.
    init.zeros_(this.refiner.outc.weight);
    if (this.refiner.outc.bias) init.zeros_(this.refiner.outc.bias);
    this.partIndex = tensor(this.cloud.part, { shape: [N], dtype: 'int32', device: this.home });
    this.neighbourIndex = tensor(this.cloud.neighbours, { shape: [N * this.cloud.neighbourCount], dtype: 'int32', device: this.home });
    this.quatBias = tensor([1, 0, 0, 0], { shape: [1, 4], device: this.home });
  }

  /** Number of parts P. */
  get partCount(): number {
    return this.cloud.partNames.length;
  }

  /** The (P, c2) code of training identity `id`. */
  identityCode(id: number): Tensor {
    if (!Number.isInteger(id) || id < 0 || id >= this.config.identities) throw new HeadsplatError(`HeadGapModel.identityCode: id must be an integer in [0, ${this.config.identities}), got ${id}`);
    return reshape(narrow(this.codebook, 0, id, 1), [this.partCount, this.config.c2]);
  }

  /**
   * A code mixed from the codebook with part-wise softmax weights: `logits` (P, k) ->
   * z_p = Σ_i softmax(logits_p)_i z_{i,p} (the inversion's parametrisation).
   */
  mixCode(logits: Tensor): Tensor {
    const P = this.partCount, k = this.config.identities;
    if (logits.rank !== 2 || logits.shape[0] !== P || logits.shape[1] !== k) throw new HeadsplatError(`HeadGapModel.mixCode: logits must have shape [${P}, ${k}], got [${logits.shape.join(', ')}]`);
    const w = unsqueeze(softmax(logits, 1), 2); // (P, k, 1)
    return sum(mul(w, permute(this.codebook, [1, 0, 2])), 1); // (P, c2)
  }

  /** Gaussian attributes of one frame for an identity code (P, c2). */
  gaussians(geom: FrameGeometry, code: Tensor): HeadGapGaussians {
    const c = this.config, P = this.partCount;
    if (code.rank !== 2 || code.shape[0] !== P || code.shape[1] !== c.c2) throw new HeadsplatError(`HeadGapModel.gaussians: code must have shape [${P}, ${c.c2}], got [${code.shape.join(', ')}]`);
    const off = this.cloud.partOffsets;
    const x1 = concat([this.features, indexSelect(code, 0, this.partIndex)], 1);
    const perPart = (mlps: ModuleList<MLP>, x: Tensor): Tensor => {
      const outs: Tensor[] = [];
      for (let p = 0; p < P; p++) {
        const n = off[p + 1] - off[p];
        if (n > 0) outs.push(mlps.at(p).forward(narrow(x, 0, off[p], n)));
      }
      return concat(outs, 0);
    };
    const a = perPart(this.m1, x1); // (N, 11)
    const offsets = mul(tanh(narrow(a, 1, 0, 3)), c.maxOffset);
    const qLocal = add(narrow(a, 1, 3, 4), this.quatBias);
    const logScales = narrow(a, 1, 7, 3);
    const opacities = sigmoid(add(narrow(a, 1, 10, 1), 2));
    const b = perPart(this.m2, concat([x1, geom.dynamic, a], 1)); // (N, 3 + L)
    const colors = sigmoid(narrow(b, 1, 0, 3));
    const latent = c.latentChannels > 0 ? narrow(b, 1, 3, c.latentChannels) : undefined;
    const N = this.cloud.count;
    const means = add(geom.surface, reshape(bmm(geom.offsetBasis, reshape(offsets, [N, 3, 1])), [N, 3]));
    const quats = reshape(bmm(geom.quatBasis, reshape(qLocal, [N, 4, 1])), [N, 4]);
    const scales = mul(geom.sigma, exp(logScales));
    return { means, quats, scales, opacities, colors, latent, offsets, logScales };
  }

  /** Renders one frame: splat RGB + latent features, then the refiner. */
  render(geom: FrameGeometry, code: Tensor, camera: Camera): HeadGapRender {
    const g = this.gaussians(geom, code);
    const out = rasterize(
      { means: g.means, quats: g.quats, scales: g.scales, opacities: g.opacities, colors: g.colors, ...(g.latent ? { features: g.latent } : {}) },
      camera,
      { background: this.config.background },
    );
    const H = camera.height, W = camera.width;
    const raw = unsqueeze(permute(out.rgb, [2, 0, 1]), 0);
    const input = out.features ? concat([raw, unsqueeze(permute(out.features, [2, 0, 1]), 0)], 1) : raw;
    const image = add(raw, this.refiner.forward(input));
    const alpha = reshape(out.alpha, [1, 1, H, W]);
    return { image, raw, alpha, gaussians: g };
  }

  /** The (N * K) neighbour index tensor (ARAP). */
  get neighbours(): Tensor {
    return this.neighbourIndex;
  }

  /** Parameters of part `p`'s two MLPs. */
  partParameters(p: number): Parameter[] {
    return [...this.m1.at(p).parameters(), ...this.m2.at(p).parameters()];
  }
}
