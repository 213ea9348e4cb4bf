/**
 * Prior checkpoints: the model's state dict as safetensors with the HeadGAP config (and the
 * point count and part names, to catch a mismatched FLAME model) and the identities' FLAME
 * shapes (`identityShapes`, null where unknown) as JSON metadata.
 */
import { HeadsplatError, readSafetensors, type Device } from '@headsplat/core';
import type { FlameModel } from '@headsplat/flame';
import { loadCheckpoint, saveCheckpoint } from '@headsplat/nn';
import type { HeadGapConfig } from './config.js';
import { HeadGapModel } from './headgap-model.js';

const FORMAT = 'headgap-prior/1';

interface PriorMeta {
  headgap: HeadGapConfig;
  points: number;
  parts: string[];
  /** Absent in checkpoints written before the field existed. */
  identityShapes?: (number[] | null)[];
}

/** Serialises a prior (or a personalised copy) to safetensors bytes. */
export async function savePrior(model: HeadGapModel, info: { step?: number } = {}): Promise<Uint8Array> {
  const config: PriorMeta = {
    headgap: model.config,
    points: model.cloud.count,
    parts: model.cloud.partNames,
    identityShapes: model.identityShapes.map((s) => (s ? Array.from(s) : null)),
  };
  return saveCheckpoint(model, { config, step: info.step, metadata: { model: FORMAT } });
}

/**
 * Loads a prior saved by `savePrior` onto `flame` (the FLAME model it was trained with; the
 * point cloud is rebuilt from it and must match the stored point count and parts).
 */
export function loadPrior(bytes: Uint8Array, flame: FlameModel, opts: { device?: Device } = {}): HeadGapModel {
  const { metadata } = readSafetensors(bytes);
  if (metadata.model !== FORMAT) throw new HeadsplatError(`loadPrior: bytes must be a '${FORMAT}' checkpoint (metadata 'model'), got ${JSON.stringify(metadata.model ?? null)}`);
  const meta = JSON.parse(metadata.config ?? 'null') as PriorMeta | null;
  if (!meta?.headgap) throw new HeadsplatError("loadPrior: the checkpoint has no 'config' metadata with a HeadGAP config");
  const model = new HeadGapModel(flame, meta.headgap, opts);
  if (model.cloud.count !== meta.points || model.cloud.partNames.join() !== meta.parts.join()) {
    throw new HeadsplatError(`loadPrior: flame must be the FLAME model the prior was trained on: it gives ${model.cloud.count} points and parts [${model.cloud.partNames.join(', ')}], the checkpoint has ${meta.points} and [${meta.parts.join(', ')}]`);
  }
  loadCheckpoint(model, bytes);
  const shapes = meta.identityShapes ?? [];
  if (!Array.isArray(shapes) || shapes.length > model.config.identities) {
    throw new HeadsplatError(`loadPrior: the checkpoint's 'identityShapes' metadata must be an array of at most ${model.config.identities} entries (one per identity), got ${JSON.stringify(shapes).slice(0, 80)}`);
  }
  shapes.forEach((s, i) => {
    if (s !== null && !(Array.isArray(s) && s.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
      throw new HeadsplatError(`loadPrior: the checkpoint's identityShapes[${i}] must be null or an array of finite numbers, got ${JSON.stringify(s).slice(0, 80)}`);
    }
    model.identityShapes[i] = s ? Float32Array.from(s) : null;
  });
  return model;
}

/** A copy of `model` (same config, FLAME model and weights). */
export function cloneModel(model: HeadGapModel): HeadGapModel {
  const copy = new HeadGapModel(model.flame, model.config, { device: model.home });
  // Clones, so the copy never shares storage with the original.
  const dict = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()]));
  copy.loadStateDict(dict);
  for (const t of Object.values(dict)) t.dispose();
  copy.perceptual = model.perceptual; // a frozen loss network, shared
  copy.identityShapes = model.identityShapes.map((s) => (s ? s.slice() : null));
  return copy;
}
