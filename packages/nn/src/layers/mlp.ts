import { HeadsplatError, concat, mul, type Tensor } from '@headsplat/core';
import { ModuleList } from '../containers.js';
import { constant_, generatorOf, normal_, zeros_, type InitOptions } from '../init.js';
import { Module, type TensorModule } from '../module.js';
import { activationFn, type ActivationFn, type ActivationName } from './activation.js';
import { Linear } from './linear.js';

export type MlpInit = 'default' | 'geometric' | 'zero';

export interface MlpOptions extends InitOptions {
  /** Input width. */
  inFeatures: number;
  /** Widths of the hidden layers, e.g. [256, 256, 256]. */
  hidden: number[];
  outFeatures: number;
  /** Hidden activation. Default 'relu'. */
  activation?: ActivationName;
  /** leaky_relu slope / softplus beta of the hidden activation. */
  activationOptions?: { slope?: number; beta?: number };
  /** Applied to the output. Default 'none'. */
  outputActivation?: ActivationName;
  /**
   * Hidden-layer indices whose input is concatenated with the network input (NeRF's skip
   * at layer 4): layer i then takes hidden[i-1] + inFeatures inputs.
   */
  skips?: number[];
  /**
   * 'default': PyTorch's Linear init. 'geometric': the SDF init of Atzmon & Lipman (SAL,
   * CVPR 2020) as IDR uses it, so that the network starts as the SDF of a sphere of radius
   * `geometricRadius`; skip inputs are then scaled by 1/√2. 'zero': default init with the
   * last layer zeroed, so a residual head starts as the identity.
   */
  init?: MlpInit;
  /** Sphere radius of the geometric init. Default 1. */
  geometricRadius?: number;
}

/**
 * A fully connected network: Linear layers in `layers` (state-dict keys `layers.<i>.weight`),
 * with activations between them and optional input skip connections.
 */
export class MLP extends Module implements TensorModule {
  readonly layers: ModuleList<Linear>;
  private readonly act: ActivationFn;
  private readonly outAct: ActivationFn;
  private readonly skips: Set<number>;
  private readonly skipScale: number;

  constructor(readonly opts: MlpOptions) {
    super();
    const { inFeatures, hidden, outFeatures } = opts;
    if (!Number.isInteger(inFeatures) || inFeatures < 1) throw new HeadsplatError(`MLP: inFeatures must be an integer >= 1, got ${inFeatures}`);
    if (!Array.isArray(hidden) || hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new HeadsplatError(`MLP: hidden must be an array of integers >= 1, got ${JSON.stringify(hidden)}`);
    const widths = [inFeatures, ...hidden, outFeatures];
    const nLayers = widths.length - 1;
    this.skips = new Set(opts.skips ?? []);
    for (const s of this.skips) {
      if (!Number.isInteger(s) || s < 1 || s >= nLayers) throw new HeadsplatError(`MLP: skips must hold layer indices in [1, ${nLayers - 1}], got ${s}`);
    }
    const init = opts.init ?? 'default';
    const gen = generatorOf(opts);
    const layerOpts = { device: opts.device, dtype: opts.dtype, generator: gen };
    const layers: Linear[] = [];
    for (let i = 0; i < nLayers; i++) {
      const inW = widths[i] + (this.skips.has(i) ? inFeatures : 0);
      const lin = new Linear(inW, widths[i + 1], layerOpts);
      const last = i === nLayers - 1;
      if (init === 'geometric') {
        if (last) {
          normal_(lin.weight, Math.sqrt(Math.PI) / Math.sqrt(inW), 1e-4, layerOpts);
          constant_(lin.bias!, -(opts.geometricRadius ?? 1));
        } else {
          normal_(lin.weight, 0, Math.SQRT2 / Math.sqrt(widths[i + 1]), layerOpts);
          zeros_(lin.bias!);
        }
      } else if (init === 'zero' && last) {
        zeros_(lin.weight);
        zeros_(lin.bias!);
      }
      layers.push(lin);
    }
    this.layers = this.registerModule('layers', new ModuleList(layers));
    this.act = activationFn(opts.activation ?? 'relu', opts.activationOptions);
    this.outAct = activationFn(opts.outputActivation ?? 'none');
    this.skipScale = init === 'geometric' ? Math.SQRT1_2 : 1;
  }

  forward(x: Tensor): Tensor {
    const input = x;
    let h = x;
    const n = this.layers.length;
    for (let i = 0; i < n; i++) {
      if (this.skips.has(i)) {
        h = concat([h, input], -1);
        if (this.skipScale !== 1) h = mul(h, this.skipScale);
      }
      h = this.layers.at(i).forward(h);
      h = i < n - 1 ? this.act(h) : this.outAct(h);
    }
    return h;
  }
}
