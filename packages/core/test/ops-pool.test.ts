import { describe, expect, it } from 'vitest';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, rand, tensor, zeros } from '../src/index.js';
import { gradcheck } from '../src/gradcheck.js';
import { describeBackends, expectClose, values } from './harness.js';

interface P { k: [number, number]; s: [number, number]; p: [number, number]; include?: boolean }

/** Reference: PyTorch's pooling windows, written out per output element. */
function refPool(x: number[], [N, C, H, W]: number[], kind: 'avg' | 'max', { k, s, p, include = true }: P): number[] {
  const Ho = Math.floor((H + 2 * p[0] - k[0]) / s[0]) + 1;
  const Wo = Math.floor((W + 2 * p[1] - k[1]) / s[1]) + 1;
  const out: number[] = [];
  for (let nc = 0; nc < N * C; nc++) for (let i = 0; i < Ho; i++) for (let j = 0; j < Wo; j++) {
    let acc = kind === 'max' ? -Infinity : 0;
    let inside = 0;
    for (let a = 0; a < k[0]; a++) for (let b = 0; b < k[1]; b++) {
      const y = i * s[0] - p[0] + a;
      const xx = j * s[1] - p[1] + b;
      if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
      const v = x[(nc * H + y) * W + xx];
      inside++;
      acc = kind === 'max' ? Math.max(acc, v) : acc + v;
    }
    // Divisor with padding: the window clipped to the padded extent.
    const hs = i * s[0] - p[0], ws = j * s[1] - p[1];
    const padded = (Math.min(hs + k[0], H + p[0]) - hs) * (Math.min(ws + k[1], W + p[1]) - ws);
    out.push(kind === 'max' ? acc : acc / (include ? padded : inside));
  }
  return out;
}

const CASES: { name: string; x: number[]; o: P }[] = [
  { name: '2x2 stride 2', x: [2, 3, 6, 8], o: { k: [2, 2], s: [2, 2], p: [0, 0] } },
  { name: '3x3 stride 2 padding 1', x: [1, 2, 7, 6], o: { k: [3, 3], s: [2, 2], p: [1, 1] } },
  { name: '3x2 stride (1, 2) padding (1, 0), padding excluded', x: [1, 2, 5, 7], o: { k: [3, 2], s: [1, 2], p: [1, 0], include: false } },
];

describeBackends('pool2d', ({ device, tol }) => {
  it('hand-computed 2x2 pools', async () => {
    const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8]]]], { device });
    expect(await values(maxPool2d(x, 2))).toEqual([6, 8]);
    expectClose(await values(avgPool2d(x, 2)), [3.5, 5.5], tol);
    expectClose(await values(adaptiveAvgPool2d(x, [1, 1])), [4.5], tol);
  });

  for (const c of CASES) {
    it(`avg and max match the window loop: ${c.name}`, async () => {
      const x = rand(c.x, { seed: 1, device, low: -1, high: 1 });
      const xv = await values(x);
      const opts = { stride: c.o.s, padding: c.o.p };
      expectClose(await values(avgPool2d(x, c.o.k, { ...opts, countIncludePad: c.o.include })), refPool(xv, c.x, 'avg', c.o), 1e-6, 1e-6);
      expect(await values(maxPool2d(x, c.o.k, opts))).toEqual(refPool(xv, c.x, 'max', c.o).map(Math.fround));
    });
  }

  it('max pool routes the gradient to the first maximum of each window', async () => {
    const x = tensor([[[[1, 3, 3, 0], [2, 0, 9, 9]]]], { device }).requiresGrad_();
    maxPool2d(x, 2).backward(tensor([[[[10, 20]]]], { device }));
    expect(await values(x.grad!)).toEqual([0, 10, 0, 0, 0, 0, 20, 0]);
  });

  it('rejects bad kernels and padding', () => {
    const x = zeros([1, 1, 4, 4], { device });
    expect(() => maxPool2d(x, 2, { padding: 2 })).toThrow(/maxPool2d: options.padding must be at most half the kernel/);
    expect(() => avgPool2d(x, 5)).toThrow(/output would be empty/);
    expect(() => avgPool2d(x, 0)).toThrow(/kernel must be an integer >= 1/);
    expect(() => adaptiveAvgPool2d(x, 3)).toThrow(/size must be a divisor/);
  });
});

describe('pool gradients, float64 finite differences [cpu]', () => {
  for (const c of CASES) {
    it(`avg and max: ${c.name}`, () => {
      const x = rand([1, ...c.x.slice(1)], { seed: 2, dtype: 'float64' }).requiresGrad_();
      const opts = { stride: c.o.s, padding: c.o.p };
      expect(gradcheck((a) => avgPool2d(a, c.o.k, { ...opts, countIncludePad: c.o.include }), [x])).toBe(true);
      expect(gradcheck((a) => maxPool2d(a, c.o.k, opts), [x])).toBe(true);
    });
  }
});
