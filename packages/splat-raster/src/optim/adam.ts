/**
 * Adam on flat typed arrays (Kingma & Ba 2015, Algorithm 1, with bias correction), for
 * optimising Gaussian parameters without any tensor library.
 * @see https://arxiv.org/abs/1412.6980
 *
 * API
 * - `new Adam(size, { lr, beta1?, beta2?, eps? })`  moments for one parameter array
 * - `adam.step(param, grad, lr?)`                    one in-place update; `lr` overrides the rate
 * - `adam.reset()`                                   forget the moments (e.g. after resizing)
 */

export interface AdamOptions {
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-15: tiny, as 3DGS uses, so that small gradients still move parameters. */
  eps?: number;
}

export class Adam {
  readonly m: Float64Array;
  readonly v: Float64Array;
  /** Number of steps taken (for the bias correction). */
  t = 0;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;

  constructor(
    readonly size: number,
    opts: AdamOptions,
  ) {
    if (!Number.isInteger(size) || size < 0) throw new Error(`Adam: size: expected a non-negative integer, got ${size}`);
    if (!(opts.lr >= 0)) throw new Error(`Adam: options.lr: expected a learning rate >= 0, got ${opts.lr}`);
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-15;
  }

  /** param -= lr * m_hat / (sqrt(v_hat) + eps), in place. */
  step(param: Float64Array | Float32Array, grad: ArrayLike<number>, lr = this.lr): void {
    if (param.length !== this.size || grad.length !== this.size) {
      throw new Error(`Adam.step: param/grad: expected length ${this.size}, got ${param.length} / ${grad.length}`);
    }
    this.t++;
    const { m, v, beta1: b1, beta2: b2, eps } = this;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (let i = 0; i < this.size; i++) {
      const g = grad[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      param[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
  }

  reset(): void {
    this.m.fill(0);
    this.v.fill(0);
    this.t = 0;
  }
}
