import { HeadsplatError, tensor } from '@headsplat/core';
import { loadLpips, type LPIPS, type LpipsNet } from '@headsplat/nn';
import { checkPair, type ImageShape } from './image-args.js';

export interface LpipsOptions extends ImageShape {
  /** A loaded network (from @headsplat/nn's `loadLpips`); or give `weights`. */
  model?: LPIPS;
  /** Safetensors weights of the official `lpips` package's state_dict (path, Node only, or bytes). */
  weights?: string | Uint8Array;
  /** Backbone of `weights` (default 'vgg'). */
  net?: LpipsNet;
}

/**
 * LPIPS distance (Zhang et al. 2018) of two interleaved (H, W, 3) images in [0, 1], on the CPU.
 * headsplat ships no weights: pass a loaded `model` or a `weights` file; without either it
 * fails and says how to make the file.
 */
export async function lpips(a: ArrayLike<number>, b: ArrayLike<number>, options: LpipsOptions): Promise<number> {
  const fn = 'lpips';
  checkPair(fn, a, b, { ...options, channels: 3 });
  let model = options.model;
  if (!model) {
    if (options.weights === undefined) {
      throw new HeadsplatError(
        `${fn}: options.weights must be a safetensors file (path or bytes) of the official LPIPS state_dict, or options.model a loaded LPIPS, got neither. ` +
        `headsplat ships no weights; make the file with: import lpips, safetensors.torch; safetensors.torch.save_file(lpips.LPIPS(net='${options.net ?? 'vgg'}').state_dict(), 'lpips_${options.net ?? 'vgg'}.safetensors')`,
      );
    }
    model = await loadLpips(options.weights, { net: options.net });
  }
  const { width: W, height: H } = options;
  const chw = (x: ArrayLike<number>) => {
    const out = new Float32Array(3 * W * H);
    for (let p = 0; p < W * H; p++) for (let c = 0; c < 3; c++) out[c * W * H + p] = x[p * 3 + c];
    return tensor(out, { shape: [1, 3, H, W] });
  };
  const ta = chw(a), tb = chw(b);
  const d = model.forward(ta, tb, { normalize: true });
  const v = (await d.data())[0];
  ta.dispose(); tb.dispose(); d.dispose();
  return v;
}
