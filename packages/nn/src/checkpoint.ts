/**
 * Checkpoints as safetensors: the model's state dict under its PyTorch key names (so the
 * file is also a plain state dict for other tools), plus a JSON metadata header with the
 * config and the step. Optimiser state goes to a second file (`saveOptimizerState`).
 */
import { HeadsplatError, Tensor, readSafetensors, writeSafetensors, type NamedArray } from '@headsplat/core';
import type { LoadStateDictOptions, LoadStateDictResult, Module } from './module.js';
import type { Optimizer, OptimizerStateDictInput } from './optim/optimizer.js';

const FORMAT = 'headsplat-checkpoint/1';

/** A tensor's values as a host array that writeSafetensors takes. */
export async function toNamedArray(t: Tensor): Promise<NamedArray> {
  const data = await t.data();
  const shape = [...t.shape];
  switch (t.dtype) {
    case 'float32': return { dtype: 'float32', shape, data: data as Float32Array };
    case 'float64': return { dtype: 'float64', shape, data: data as Float64Array };
    case 'int32': return { dtype: 'int32', shape, data: data as Int32Array };
    case 'uint32': return { dtype: 'uint32', shape, data: data as Uint32Array };
    case 'bool': return { dtype: 'bool', shape, data: data as Uint8Array };
  }
}

/** Reads every tensor of a state dict to the host (keys kept). */
export async function stateDictToArrays(dict: Record<string, Tensor>): Promise<Record<string, NamedArray>> {
  const out: Record<string, NamedArray> = {};
  for (const [k, t] of Object.entries(dict)) out[k] = await toNamedArray(t);
  return out;
}

export interface CheckpointInfo<C = unknown> {
  /** Any JSON-serialisable configuration (hyper-parameters, architecture). */
  config?: C;
  step?: number;
  /** Extra string metadata. */
  metadata?: Record<string, string>;
}

/** Serialises a module's state dict and `info` to safetensors bytes. */
export async function saveCheckpoint<C>(model: Module, info: CheckpointInfo<C> = {}): Promise<Uint8Array> {
  const metadata: Record<string, string> = { ...info.metadata, format: FORMAT };
  if (info.config !== undefined) metadata.config = JSON.stringify(info.config);
  if (info.step !== undefined) {
    if (!Number.isInteger(info.step) || info.step < 0) throw new HeadsplatError(`saveCheckpoint: step must be an integer >= 0, got ${info.step}`);
    metadata.step = String(info.step);
  }
  return writeSafetensors(await stateDictToArrays(model.stateDict()), metadata);
}

export interface LoadedCheckpoint<C> extends LoadStateDictResult {
  config: C | undefined;
  step: number | undefined;
  metadata: Record<string, string>;
}

/**
 * Loads safetensors bytes (from `saveCheckpoint`, or a converted PyTorch state dict without
 * metadata) into `model`; strict by default.
 */
export function loadCheckpoint<C = unknown>(model: Module, bytes: Uint8Array | ArrayBuffer, opts: LoadStateDictOptions = {}): LoadedCheckpoint<C> {
  const { tensors, metadata } = readSafetensors(bytes);
  const res = model.loadStateDict(tensors, opts);
  let config: C | undefined;
  if (metadata.config !== undefined) {
    try {
      config = JSON.parse(metadata.config) as C;
    } catch (e) {
      throw new HeadsplatError(`loadCheckpoint: metadata 'config' must be JSON, got ${JSON.stringify(metadata.config.slice(0, 80))} (${(e as Error).message})`);
    }
  }
  const step = metadata.step !== undefined ? Number(metadata.step) : undefined;
  return { ...res, config, step, metadata };
}

/**
 * Serialises an optimiser's state: tensors as `state.<index>.<name>`, numbers (step) and
 * param_groups in the JSON metadata, mirroring PyTorch's optimizer.state_dict().
 */
export async function saveOptimizerState(opt: Optimizer<{ lr: number }>): Promise<Uint8Array> {
  const sd = opt.stateDict();
  const tensors: Record<string, NamedArray> = {};
  const scalars: Record<string, Record<string, number>> = {};
  for (const [i, s] of Object.entries(sd.state)) {
    for (const [name, v] of Object.entries(s)) {
      if (v instanceof Tensor) tensors[`state.${i}.${name}`] = await toNamedArray(v);
      else (scalars[i] ??= {})[name] = v;
    }
  }
  return writeSafetensors(tensors, { format: 'headsplat-optimizer/1', param_groups: JSON.stringify(sd.param_groups), scalars: JSON.stringify(scalars) });
}

export function loadOptimizerState(opt: Optimizer<{ lr: number }>, bytes: Uint8Array | ArrayBuffer): void {
  const { tensors, metadata } = readSafetensors(bytes);
  if (metadata.param_groups === undefined) throw new HeadsplatError("loadOptimizerState: the file has no 'param_groups' metadata (not written by saveOptimizerState)");
  const state: OptimizerStateDictInput['state'] = {};
  const scalars = JSON.parse(metadata.scalars ?? '{}') as Record<string, Record<string, number>>;
  for (const [i, s] of Object.entries(scalars)) state[Number(i)] = { ...s };
  for (const [key, arr] of Object.entries(tensors)) {
    const m = /^state\.(\d+)\.(.+)$/.exec(key);
    if (!m) throw new HeadsplatError(`loadOptimizerState: unexpected key '${key}' (expected state.<index>.<name>)`);
    (state[Number(m[1])] ??= {})[m[2]] = arr;
  }
  opt.loadStateDict({ state, param_groups: JSON.parse(metadata.param_groups) as OptimizerStateDictInput['param_groups'] });
}
