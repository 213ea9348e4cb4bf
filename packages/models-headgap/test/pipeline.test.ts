import { synthesizeCaptures } from '@headsplat/data';
import { orbitCamera } from '../src/cameras.js';
import { describe, expect, it } from 'vitest';
import { HeadGapModel, animate, centroid, evaluate, loadPrior, personalize, prepareFrames, savePrior, trainPrior } from '../src/index.js';

// A tiny version of the whole pipeline: prior learning on two identities, few-shot
// personalisation of a third from one image (inversion, then fine-tuning), animation.
describe('HeadGAP pipeline (tiny)', () => {
  it('improves held-out PSNR of an unseen identity by at least 3 dB over the initial state, and animates', async () => {
    const set = await synthesizeCaptures({ identities: 3, expressions: 2, views: 3, size: 32, seed: 3 });
    const config = { identities: 2, uvResolution: 24, hidden: [24], c1: 8, c2: 8, latentChannels: 4, refinerChannels: 4 };
    const model = new HeadGapModel(set.model, config);
    const train = await prepareFrames(model, set.splits.train.map((i) => set.frames[i]), (f) => f.subject);
    const unseen = set.splits.heldOutIdentity.map((i) => set.frames[i]);
    const shot = unseen.find((f) => f.expressionIndex === 0 && f.viewIndex === 0)!;
    const shots = await prepareFrames(model, [shot]);
    const heldOut = await prepareFrames(model, unseen.filter((f) => f !== shot));
    expect(heldOut.length).toBe(5);
    const mean0 = await personalize(model, shots, { inversionSteps: 0, finetuneSteps: 0 });
    const initial = await evaluate(mean0.avatar.model, heldOut, () => mean0.avatar.code);

    const prior = await trainPrior(model, train, { steps: 40, lr: 1e-2 });
    expect(prior.loss.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(prior.loss.slice(0, 5).reduce((a, b) => a + b) / 5);
    // trainPrior records each identity's FLAME shape; the prior survives a checkpoint round
    // trip before personalisation.
    for (const f of train) expect(Array.from(model.identityShapes[f.identity]!)).toEqual(Array.from(f.flame.shape!, Math.fround));
    const reloaded = loadPrior(await savePrior(model), set.model);
    expect(reloaded.identityShapes.map((s) => s && Array.from(s))).toEqual(model.identityShapes.map((s) => s && Array.from(s)));
    const { avatar, history } = await personalize(reloaded, shots, { inversionSteps: 10, finetuneSteps: 20 });
    expect(history.inversion.length).toBe(10);
    expect(history.finetune.length).toBe(20);
    const final = await evaluate(avatar.model, heldOut, () => avatar.code);
    console.log(`tiny pipeline: held-out PSNR ${initial.psnr.toFixed(2)} -> ${final.psnr.toFixed(2)} dB, SSIM ${initial.ssim.toFixed(3)} -> ${final.ssim.toFixed(3)}`);
    expect(final.psnr).toBeGreaterThan(initial.psnr + 3);
    expect(final.ssim).toBeGreaterThan(initial.ssim);

    // Animation: a new expression from a new camera gives a finite, non-constant image that
    // differs from the neutral one.
    const cam = orbitCamera(shot.camera, centroid(shots[0].geom.vertices), 0.4);
    const neutral = await animate(avatar, { shape: shot.flame.shape }, cam);
    const open = await animate(avatar, { shape: shot.flame.shape, jawPose: [0.35, 0, 0], expression: [1, 0.5] }, cam);
    expect(neutral.every(Number.isFinite)).toBe(true);
    expect(Math.max(...neutral) - Math.min(...neutral)).toBeGreaterThan(0.3);
    let diff = 0;
    for (let i = 0; i < open.length; i++) diff += Math.abs(open[i] - neutral[i]);
    expect(diff / open.length).toBeGreaterThan(0.002);
  });
});
