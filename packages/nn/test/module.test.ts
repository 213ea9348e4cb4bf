import { describe, expect, it } from 'vitest';
import { liveTensors, readSafetensors, tensor, tidy, writeSafetensors, type Tensor } from '@headsplat/core';
import {
  BatchNorm2d, Conv2d, Linear, LayerNorm, Module, ModuleDict, ModuleList, Parameter, ReLU, Sequential,
  loadCheckpoint, saveCheckpoint, stateDictToArrays,
} from '../src/index.js';

class Block extends Module {
  readonly conv: Conv2d;
  readonly norm: BatchNorm2d;
  constructor(seed: number) {
    super();
    this.conv = this.registerModule('conv', new Conv2d(2, 3, 3, { padding: 1, seed }));
    this.norm = this.registerModule('norm', new BatchNorm2d(3));
  }
  forward(x: Tensor): Tensor {
    return this.norm.forward(this.conv.forward(x));
  }
}

class Net extends Module {
  readonly layers = this.registerModule('layers', new Sequential(new Linear(4, 8, { seed: 1 }), new ReLU(), new Linear(8, 2, { seed: 2 })));
  readonly blocks = this.registerModule('blocks', new ModuleList([new Block(3), new Block(4)]));
  readonly heads = this.registerModule('heads', new ModuleDict({ rgb: new LayerNorm(5) }));
  readonly scale = this.registerParameter('scale', Parameter.from(tensor([1.5])));
}

describe('Module', () => {
  it('names parameters and buffers with PyTorch dotted paths', () => {
    const net = new Net();
    expect(Object.keys(net.stateDict())).toEqual([
      'scale',
      'layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias',
      'blocks.0.conv.weight', 'blocks.0.conv.bias', 'blocks.0.norm.weight', 'blocks.0.norm.bias',
      'blocks.0.norm.running_mean', 'blocks.0.norm.running_var', 'blocks.0.norm.num_batches_tracked',
      'blocks.1.conv.weight', 'blocks.1.conv.bias', 'blocks.1.norm.weight', 'blocks.1.norm.bias',
      'blocks.1.norm.running_mean', 'blocks.1.norm.running_var', 'blocks.1.norm.num_batches_tracked',
      'heads.rgb.weight', 'heads.rgb.bias',
    ]);
    expect(net.parameters().length).toBe(15);
    expect(net.namedParameters()[1][0]).toBe('layers.0.weight');
    expect(net.numParameters()).toBe(1 + 4 * 8 + 8 + 8 * 2 + 2 + 2 * (3 * 2 * 9 + 3 + 3 + 3) + 10);
    expect(net.parameters().every((p) => p.requiresGrad && p.isLeaf)).toBe(true);
  });

  it('propagates train() and eval() to every descendant', () => {
    const net = new Net();
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.blocks.at(1).norm.training).toBe(true);
  });

  it('lists a shared parameter once', () => {
    const lin = new Linear(2, 2);
    const seq = new Sequential(lin, lin);
    expect(seq.parameters().length).toBe(2);
  });

  it('keeps parameters of a module built inside tidy', () => {
    let lin!: Linear;
    tidy(() => {
      lin = new Linear(3, 2, { seed: 0 });
    });
    expect(lin.weight.isDisposed).toBe(false);
    expect(lin.weight.dataSync().length).toBe(6);
  });

  it('loads a state dict and reports missing, unexpected and mis-shaped keys by name', () => {
    const a = new Linear(3, 2, { seed: 1 });
    const b = new Linear(3, 2, { seed: 2 });
    b.loadStateDict(a.stateDict());
    expect(Array.from(b.weight.dataSync())).toEqual(Array.from(a.weight.dataSync()));
    expect(() => b.loadStateDict({ weight: a.weight })).toThrow(/Linear\.loadStateDict: missing keys: 'bias'/);
    expect(() => b.loadStateDict({ ...a.stateDict(), extra: a.bias! })).toThrow(/unexpected keys: 'extra'/);
    const wrong = tensor([[1, 2], [3, 4]]);
    expect(() => b.loadStateDict({ weight: wrong, bias: a.bias! })).toThrow(/size mismatch for 'weight': expected shape \[2, 3\], got \[2, 2\]/);
    const res = b.loadStateDict({ weight: a.weight, extra: a.weight }, { strict: false });
    expect(res).toEqual({ missingKeys: ['bias'], unexpectedKeys: ['extra'] });
  });

  it('updates parameters in place so references stay valid', () => {
    const lin = new Linear(2, 1, { seed: 0 });
    const w = lin.weight;
    lin.loadStateDict({ weight: tensor([[5, 6]]), bias: tensor([7]) });
    expect(lin.weight).toBe(w);
    expect(Array.from(w.dataSync())).toEqual([5, 6]);
  });

  it('round-trips a state dict through safetensors, int64 counters included', async () => {
    const net = new Net();
    const copy = new Net();
    const before = liveTensors();
    const bytes = writeSafetensors(await stateDictToArrays(net.stateDict()));
    const { tensors } = readSafetensors(bytes);
    copy.loadStateDict(tensors);
    for (const [k, t] of Object.entries(net.stateDict())) expect(Array.from(copy.stateDict()[k].dataSync()), k).toEqual(Array.from(t.dataSync()));
    expect(liveTensors()).toBe(before);
    // PyTorch writes num_batches_tracked as int64: it loads into the int32 buffer.
    const asTorch = { ...tensors, 'blocks.0.norm.num_batches_tracked': { dtype: 'int64' as const, shape: [], data: BigInt64Array.from([12n]) } };
    copy.loadStateDict(asTorch);
    expect(copy.blocks.at(0).norm.getBuffer('num_batches_tracked').dataSync()[0]).toBe(12);
  });

  it('saves and loads a checkpoint with config and step metadata', async () => {
    const net = new Net();
    const bytes = await saveCheckpoint(net, { config: { width: 8, act: 'relu' }, step: 1200 });
    const copy = new Net();
    const info = loadCheckpoint<{ width: number }>(copy, bytes);
    expect(info.config).toEqual({ width: 8, act: 'relu' });
    expect(info.step).toBe(1200);
    expect(Array.from(copy.layers.at(0).stateDict().weight.dataSync())).toEqual(Array.from(net.layers.at(0).stateDict().weight.dataSync()));
    expect(() => loadCheckpoint(new Linear(4, 8), bytes)).toThrow(/unexpected keys: .*'scale'/);
  });

  it('rejects a bad registration name', () => {
    const m = new Module();
    expect(() => m.registerParameter('a.b', null)).toThrow(/Module\.registerParameter: name must be a non-empty string without '\.'/);
  });
});
