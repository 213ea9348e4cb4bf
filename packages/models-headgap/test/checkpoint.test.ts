import { readSafetensors, writeSafetensors } from '@headsplat/core';
import { createSyntheticFlame } from '@headsplat/flame';
import { describe, expect, it } from 'vitest';
import { HeadGapModel, animate, frameGeometry, loadPrior, savePrior } from '../src/index.js';
import { frontCamera, testFlame } from './helpers.js';

const small = { uvResolution: 20, identities: 2, hidden: [8], c1: 4, c2: 4, latentChannels: 2, refinerChannels: 4, seed: 5 };

describe('prior checkpoints', () => {
  it('round-trips weights and config through safetensors: identical renders after loading', async () => {
    const flame = testFlame();
    const model = new HeadGapModel(flame, small);
    // Move the weights away from their initial values so the test is not passed by the seed alone.
    for (const p of model.parameters()) p.assign_(p.add(0.01));
    model.identityShapes[1] = Float32Array.from([0.5, -1.25, 2]);
    const bytes = await savePrior(model, { step: 7 });
    const loaded = loadPrior(bytes, flame);
    expect(loaded.config).toEqual(model.config);
    expect(loaded.identityShapes[0]).toBeNull();
    expect(Array.from(loaded.identityShapes[1]!)).toEqual([0.5, -1.25, 2]);
    expect(loaded.cloud.count).toBe(model.cloud.count);
    const cam = frontCamera(16);
    const a = await animate({ model, code: model.identityCode(1) }, { jawPose: [0.1, 0, 0] }, cam);
    const b = await animate({ model: loaded, code: loaded.identityCode(1) }, { jawPose: [0.1, 0, 0] }, cam);
    expect(Array.from(b)).toEqual(Array.from(a));
    const g = frameGeometry(flame, model.cloud, {}, cam, { dynamicScale: 1 });
    expect(g.surface.shape).toEqual([model.cloud.count, 3]);
  });

  it('refuses a checkpoint of another kind and a mismatched FLAME model, saying what was expected', async () => {
    const flame = testFlame();
    expect(() => loadPrior(writeSafetensors({}, { format: 'x' }), flame)).toThrow(/loadPrior: bytes must be a 'headgap-prior\/1' checkpoint/);
    const bytes = await savePrior(new HeadGapModel(flame, small));
    // A malformed identityShapes entry is named in the error.
    const { tensors, metadata } = readSafetensors(bytes);
    const config = JSON.parse(metadata.config!);
    config.identityShapes = [null, ['x']];
    const bad = writeSafetensors(tensors, { ...metadata, config: JSON.stringify(config) });
    expect(() => loadPrior(bad, flame)).toThrow(/loadPrior: the checkpoint's identityShapes\[1\] must be null or an array of finite numbers, got \[\"x\"\]/);
    const other = createSyntheticFlame({ rings: 24, segments: 36 });
    expect(() => loadPrior(bytes, other)).toThrow(/loadPrior: flame must be the FLAME model the prior was trained on/);
  });
});

describe('argument errors', () => {
  it('names the argument and the expected value', async () => {
    const { trainPrior, evaluate, personalize } = await import('../src/index.js');
    const model = new HeadGapModel(testFlame(), small);
    await expect(trainPrior(model, [], { steps: 1 })).rejects.toThrow(/trainPrior: frames must hold at least one prepared frame, got 0/);
    await expect(evaluate(model, [], () => model.identityCode(0))).rejects.toThrow(/evaluate: frames must hold at least one prepared frame/);
    await expect(personalize(model, [], { inversionSteps: 1, finetuneSteps: 1 })).rejects.toThrow(/personalize: frames must hold at least one image, got 0/);
    expect(() => model.identityCode(5)).toThrow(/identityCode: id must be an integer in \[0, 2\), got 5/);
  });
});
