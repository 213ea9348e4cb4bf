import { expect, it } from 'vitest';
import { conv2d, cos, keep, mul, rand, relu, sin, sum, tidy, type Device, type Tensor } from '@headsplat/core';
import { liveTensors } from '@headsplat/core';
import { Adam, BatchNorm2d, Conv2d, Linear, MLP, ReLU, Sequential, mseLoss, ssim, type Module } from '../src/index.js';
import { expectClose } from '../../core/test/harness.js';
import { describeBackends } from '../../core/test/harness.js';

/** Runs `steps` Adam steps of `lossFn`; returns the first and last loss. */
async function train(model: Module, lossFn: () => Tensor, steps: number, lr: number): Promise<[number, number]> {
  const opt = new Adam(model.parameters(), { lr });
  let first = NaN;
  let last = NaN;
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const loss = tidy(() => {
      const l = lossFn();
      l.backward();
      return l.detach();
    });
    opt.step();
    if (i === 0) first = await loss.item();
    if (i === steps - 1) last = await loss.item();
    loss.dispose();
  }
  opt.dispose();
  return [first, last];
}

describeBackends('training', ({ device }) => {
  it('an MLP fits sin(3x)cos(2y) to MSE < 2e-3 in 300 Adam steps', async () => {
    const x = keep(rand([256, 2], { seed: 1, low: -1, high: 1, device }));
    const [x0, x1] = [x.narrow(1, 0, 1), x.narrow(1, 1, 1)];
    const y = keep(mul(sin(mul(x0, 3)), cos(mul(x1, 2))));
    const mlp = new MLP({ inFeatures: 2, hidden: [32, 32], outFeatures: 1, activation: 'tanh', seed: 2, device });
    const [first, last] = await train(mlp, () => mseLoss(mlp.forward(x), y), 300, 1e-2);
    console.log(`[${device}] MLP loss ${first.toFixed(4)} -> ${last.toExponential(3)}`);
    expect(first).toBeGreaterThan(0.1);
    expect(last).toBeLessThan(2e-3);
  }, 60_000);

  it('a small CNN (conv-BN-ReLU-conv) learns a fixed 3x3 filter + ReLU to MSE < 5e-3 in 100 steps', async () => {
    const x = keep(rand([8, 1, 12, 12], { seed: 3, device }));
    const k = rand([1, 1, 3, 3], { seed: 4, low: -1, high: 1, device });
    const y = keep(relu(conv2d(x, k, { padding: 1 })));
    const cnn = new Sequential(new Conv2d(1, 8, 3, { padding: 1, seed: 5, device }), new BatchNorm2d(8, { device }), new ReLU(), new Conv2d(8, 1, 3, { padding: 1, seed: 6, device }));
    const [first, last] = await train(cnn, () => mseLoss(cnn.forward(x), y), 100, 3e-2);
    console.log(`[${device}] CNN loss ${first.toFixed(4)} -> ${last.toExponential(3)}`);
    expect(first).toBeGreaterThan(0.05);
    expect(last).toBeLessThan(5e-3);
    expect(await (cnn.at(1) as BatchNorm2d).getBuffer('num_batches_tracked').item()).toBe(100);
  }, 60_000);

  it('an Adam step leaks no tensors', async () => {
    const lin = new Linear(8, 4, { seed: 0, device });
    const opt = new Adam(lin.parameters(), { lr: 1e-2 });
    const x = keep(rand([16, 8], { seed: 1, device }));
    const step = (): void => {
      opt.zeroGrad();
      tidy(() => { mseLoss(lin.forward(x), lin.forward(x).detach().mul(0)).backward(); });
      opt.step();
    };
    step();
    const before = liveTensors();
    for (let i = 0; i < 3; i++) step();
    await lin.weight.data();
    expect(liveTensors()).toBe(before);
  }, 90_000);

  it('SSIM and Module.to agree with the CPU', async () => {
    const a = rand([1, 3, 16, 16], { seed: 1 });
    const b = rand([1, 3, 16, 16], { seed: 2 });
    const ref = ssim(a, b).dataSync()[0];
    const got = await ssim(await a.to(device), await b.to(device)).item();
    expectClose([got], [ref], 1e-5);
    const mlp = new MLP({ inFeatures: 3, hidden: [8], outFeatures: 2, seed: 1 });
    const x = rand([4, 3], { seed: 3 });
    const y = Array.from(mlp.forward(x).dataSync());
    await mlp.to(device);
    expect(mlp.device).toBe(device);
    expectClose(Array.from(await mlp.forward(await x.to(device)).data()), y, 1e-5);
  }, 90_000);
});
