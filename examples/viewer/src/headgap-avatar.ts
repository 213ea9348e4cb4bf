/**
 * The Avatar mode's model side (no DOM): loads a HeadGAP checkpoint (safetensors written by
 * `savePrior` of @headsplat/models-headgap) onto the synthetic FLAME model it was trained with,
 * and renders the model's refined image for an identity and FLAME expression, jaw and head
 * pose controls, on core's CPU backend.
 *
 * Identity i of the codebook is drawn with the FLAME shape its code was learned with: the
 * checkpoint's `identityShapes` (recorded by `trainPrior`), or, for checkpoints without them,
 * subject i of the shipped prior's capture set (`SHIPPED_PRIOR_CAPTURES`). The mean code (the
 * softmax mix with equal weights, where personalisation starts) uses the mean of those shapes.
 * Identities with no known shape are drawn with the template shape.
 */
import { noGrad, tensor, type Tensor } from '@headsplat/core';
import { CaptureSynthesizer, framingCamera, headFrame } from '@headsplat/data';
import { createSyntheticFlame, type FlameFrameParams, type SyntheticFlame } from '@headsplat/flame';
import { disposeGeometry, loadPrior, prepareView, renderImage, SHIPPED_PRIOR_CAPTURES, type HeadGapModel } from '@headsplat/models-headgap';
import type { Camera } from '@headsplat/splat-raster';
import { controlsToParams, NEUTRAL_CONTROLS, type FlameControls } from './flame-scene.js';

/** Identity index of the mean code. */
export const MEAN_IDENTITY = -1;

/** Controls of the Avatar mode: FLAME expression / jaw / head pose plus the identity. */
export interface AvatarControls extends FlameControls {
  /** Codebook row in [0, identities), or `MEAN_IDENTITY` (-1) for the mean code. */
  identity: number;
}

export const NEUTRAL_AVATAR_CONTROLS: AvatarControls = { ...NEUTRAL_CONTROLS, identity: 0 };

/** One rendered frame: (height, width, 3) RGB in [0, 1] plus the projected mouth box. */
export interface AvatarFrame {
  rgb: Float32Array;
  width: number;
  height: number;
  /** (height, width) 1 inside the box around the projected lips (padded 2 px), else 0. */
  mouthBox: Float32Array;
  /** Wall time of the render in ms. */
  ms: number;
}

/** A file that is not a HeadGAP checkpoint (or not one for the synthetic FLAME model). */
export class AvatarCheckpointError extends Error {
  override name = 'AvatarCheckpointError';
}

export interface LoadAvatarOptions {
  /** Rendered image side (default 64, the shipped prior's training resolution; a multiple of 2^refinerDepth). */
  size?: number;
}

/**
 * A frontal camera (azimuth 0, elevation 8 degrees, focal 2 x width) framing the neutral
 * head's bounds as the synthetic capture rig's cameras do (head and upper neck fill 90%).
 */
export function frontalCamera(flame: SyntheticFlame, size: number): Camera {
  return framingCamera(headFrame(flame), 0, (8 * Math.PI) / 180, 2 * size, size, size);
}

/** A HeadGAP model ready to render frames from controls. */
export class HeadGapAvatar {
  /** Number of codebook identities. */
  readonly identities: number;
  readonly camera: Camera;
  private readonly codes = new Map<number, Tensor>();

  private constructor(
    readonly model: HeadGapModel,
    private readonly shapes: Float32Array[],
    size: number,
  ) {
    this.identities = model.config.identities;
    this.camera = frontalCamera(model.flame as SyntheticFlame, size);
  }

  /**
   * Loads checkpoint bytes. Throws `AvatarCheckpointError` naming what was expected when the
   * bytes are not a HeadGAP prior for the synthetic FLAME model.
   */
  static load(bytes: Uint8Array, opts: LoadAvatarOptions = {}): HeadGapAvatar {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`HeadGapAvatar.load: bytes must be a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
    const size = opts.size ?? 64;
    if (!Number.isInteger(size) || size < 8 || size > 1024) throw new RangeError(`HeadGapAvatar.load: options.size must be an integer in [8, 1024], got ${size}`);
    const flame = createSyntheticFlame();
    let model: HeadGapModel;
    try {
      model = loadPrior(bytes, flame);
    } catch (e) {
      throw new AvatarCheckpointError(
        `Not a HeadGAP checkpoint: expected a .safetensors file written by savePrior of @headsplat/models-headgap (metadata model 'headgap-prior/1', trained on the synthetic FLAME model); ${(e as Error).message}`,
      );
    }
    const m = 2 ** model.config.refinerDepth;
    if (size % m !== 0) throw new RangeError(`HeadGapAvatar.load: options.size must be a multiple of ${m} (2^refinerDepth of this checkpoint), got ${size}`);
    let shapes: Float32Array[];
    if (model.identityShapes.some((s) => s !== null)) {
      shapes = model.identityShapes.map((s) => {
        const full = new Float32Array(flame.numShape); // stored shapes may hold fewer coefficients
        if (s) full.set(s.subarray(0, flame.numShape));
        return full;
      });
    } else {
      // Only the plan (shapes come first from the seeded generator); no image is rendered.
      const plan = new CaptureSynthesizer({ ...SHIPPED_PRIOR_CAPTURES, textureSize: 16, model: flame });
      shapes = plan.subjects.map((s) => Float32Array.from(s.shape));
    }
    return new HeadGapAvatar(model, shapes, size);
  }

  /** FLAME shape drawn with identity `id` (see the module comment). */
  shapeOf(id: number): Float32Array {
    const n = this.model.flame.numShape;
    if (id === MEAN_IDENTITY) {
      const k = Math.min(this.identities, this.shapes.length);
      const mean = new Float32Array(n);
      for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) mean[j] += this.shapes[i][j] / k;
      return mean;
    }
    return id < this.shapes.length ? this.shapes[id] : new Float32Array(n);
  }

  private code(id: number): Tensor {
    let c = this.codes.get(id);
    if (!c) {
      c = noGrad(() => (id === MEAN_IDENTITY ? this.model.mixCode(tensor(new Float32Array(this.model.partCount * this.identities), { shape: [this.model.partCount, this.identities] })) : this.model.identityCode(id)));
      this.codes.set(id, c);
    }
    return c;
  }

  /** FLAME parameters of a control setting. */
  params(controls: AvatarControls): FlameFrameParams {
    return { ...controlsToParams(this.model.flame as SyntheticFlame, controls), shape: this.shapeOf(controls.identity) };
  }

  /** Renders the refined image for `controls`. */
  async render(controls: AvatarControls): Promise<AvatarFrame> {
    const id = controls.identity;
    if (!(Number.isInteger(id) && id >= MEAN_IDENTITY && id < this.identities)) {
      throw new RangeError(`HeadGapAvatar.render: controls.identity must be -1 (mean code) or an integer in [0, ${this.identities}), got ${id}`);
    }
    const t0 = performance.now();
    const view = prepareView(this.model, this.params(controls), this.camera);
    try {
      const rgb = await renderImage(this.model, view, this.code(id));
      return { rgb, width: this.camera.width, height: this.camera.height, mouthBox: view.geom.mouthBox, ms: performance.now() - t0 };
    } finally {
      disposeGeometry(view.geom);
    }
  }

  dispose(): void {
    for (const c of this.codes.values()) c.dispose();
    this.codes.clear();
  }
}
