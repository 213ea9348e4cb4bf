import { describe, expect, it } from 'vitest';
import { Generator, manualSeed, rand, randint, randn, randperm } from '../src/index.js';
import { describeBackends, values } from './harness.js';

describe('Generator [cpu]', () => {
  it('is xoshiro128** (reference outputs of the C code from state {1, 2, 3, 4})', () => {
    const g = new Generator();
    (g as unknown as { s: Uint32Array }).s.set([1, 2, 3, 4]);
    expect([0, 1, 2, 3, 4, 5].map(() => g.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('draws host scalars: uniform in range, int in [0, n), permutations, and N(0, 1) normals, per seed', () => {
    const g = new Generator(7);
    const u = Array.from({ length: 4000 }, () => g.uniform(-2, 3));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u)).toBeLessThan(3);
    const ints = Array.from({ length: 4000 }, () => g.int(5));
    for (let k = 0; k < 5; k++) expect(ints.filter((v) => v === k).length).toBeGreaterThan(650); // ~800 each
    const p = g.permutation(50);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    const n = Array.from({ length: 20000 }, () => g.normal());
    const mean = n.reduce((a, b) => a + b, 0) / n.length;
    const variance = n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.03); // 4 standard errors
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const [a, b] = [new Generator(3), new Generator(3)];
    expect([a.normal(), a.int(9), a.uniform()]).toEqual([b.normal(), b.int(9), b.uniform()]);
  });

  it('replays a stream from a seed, a clone, or manualSeed', () => {
    const a = new Generator(42);
    const b = new Generator(42);
    const first = [a.nextUint32(), a.nextUint32()];
    expect([b.nextUint32(), b.nextUint32()]).toEqual(first);
    const c = a.clone();
    expect(c.nextFloat64()).toBe(a.nextFloat64());
    expect(new Generator(43).nextUint32()).not.toBe(first[0]);
    manualSeed(7);
    const x = rand([5]).dataSync();
    manualSeed(7);
    expect(rand([5]).dataSync()).toEqual(x);
  });
});

describeBackends('random', ({ device }) => {
  it('gives bit-identical values for a seed on every backend', async () => {
    const host = new Generator(5);
    const want = Array.from({ length: 7 }, () => host.nextFloat32());
    expect(await values(rand([7], { seed: 5, device }))).toEqual(want);
  });

  it('rand is uniform in [low, high) with the right moments', async () => {
    const v = await values(rand([20000], { seed: 1, device, low: -2, high: 6 }));
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...v)).toBeLessThan(6);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    // mean 2, variance 64/12; standard errors ~0.016 and ~0.03.
    expect(Math.abs(mean - 2)).toBeLessThan(0.08);
    expect(Math.abs(variance - 64 / 12)).toBeLessThan(0.15);
  });

  it('randn has mean/std as asked and normal tails', async () => {
    const v = await values(randn([20001], { seed: 2, device, mean: 1, std: 3 }));
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean - 1)).toBeLessThan(0.1);
    expect(Math.abs(std - 3)).toBeLessThan(0.1);
    // P(|z| > 2) = 4.55%.
    const tail = v.filter((x) => Math.abs(x - 1) > 6).length / v.length;
    expect(Math.abs(tail - 0.0455)).toBeLessThan(0.008);
  });

  it('randint covers [low, high) evenly; randperm is a permutation', async () => {
    const t = randint(-3, 4, [7000], { seed: 3, device });
    expect(t.dtype).toBe('int32');
    const counts = new Map<number, number>();
    for (const x of await values(t)) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
    const p = await values(randperm(50, { seed: 4, device }));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('float64 draws 53 bits; options are validated', () => {
    if (device !== 'cpu') return;
    const v = rand([100], { seed: 6, dtype: 'float64' }).dataSync();
    expect(Array.from(v).some((x) => Math.fround(x) !== x)).toBe(true);
    expect(() => rand([2], { dtype: 'int32' })).toThrow(/rand: options.dtype must be 'float32' or 'float64'/);
    expect(() => randint(3, 3, [2])).toThrow(/randint: low\/high must be integers with low < high/);
    expect(() => randn([2], { std: -1 })).toThrow(/randn: options.mean\/std/);
    expect(() => rand([2], { seed: 1.5 })).toThrow(/seed must be an integer/);
  });
});
