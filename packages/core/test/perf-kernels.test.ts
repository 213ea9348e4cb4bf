/**
 * The llvmpipe fast paths (subgroup GEMM of matmul-gemm-sg.ts, subgroup conv of conv-sg.ts)
 * against the CPU oracle, at sizes that select the large register tile, with odd shapes (row,
 * column and K tails, unaligned strides) and the linear-layer Q copy, plus the paths tuned for
 * the MLP step (column-sum Reduce, grid-stride fused elementwise with broadcast operands). On
 * another adapter the same products run the portable kernels, so the assertions hold everywhere.
 */
import { expect, it } from 'vitest';
import { add, conv2d, getBackend, matmul, max, min, mul, rand, relu, sub, sum, type Tensor, type WebGPUBackend } from '../src/index.js';
import { chooseSgTile, sgLanes } from '../src/backends/webgpu/kernels/matmul-gemm-sg.js';
import { chooseConvSgTile } from '../src/backends/webgpu/kernels/conv-sg.js';
import { describeBackends, expectClose, values } from './harness.js';

const r = (shape: number[], seed: number, device: 'cpu' | 'webgpu'): Tensor => rand(shape, { seed, device, low: -1, high: 1 });

/** The same product on the CPU backend (float32 oracle). */
async function onCpu(f: (d: 'cpu') => Tensor): Promise<number[]> {
  return values(f('cpu'));
}

describeBackends('llvmpipe fast kernels', ({ device }) => {
  it('uses the subgroup kernels on lavapipe (the device requests the subgroups feature)', () => {
    const dev = (getBackend('webgpu') as WebGPUBackend).device;
    const info = (dev as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    if (/llvmpipe/i.test(info?.description ?? '')) {
      expect(sgLanes(dev)).toBe(8);
      // The large tile needs a big enough product; the sizes below are chosen to reach it.
      expect(chooseSgTile(70, 130, 517, 8)).toEqual({ TM: 32, C4: 1, S: 8, KB: 2 });
      expect(chooseSgTile(64, 128, 512, 8)).toEqual({ TM: 32, C4: 1, S: 8, KB: 2 });
      expect(chooseSgTile(40, 300, 350, 8)).toEqual({ TM: 16, C4: 1, S: 8 });
      expect(chooseConvSgTile(40, 46 * 46, 63, 8)).toEqual({ TM: 24, C4: 1, S: 8 });
    } else {
      expect(sgLanes(dev)).toBe(0);
    }
  });

  it('multiplies with the large tile at odd M, N, K (row, column and k tails, scalar loads)', async () => {
    const [M, K, N] = [70, 517, 130];
    const want = await onCpu((d) => matmul(r([M, K], 1, d), r([K, N], 2, d)));
    const got = await values(matmul(r([M, K], 1, device), r([K, N], 2, device)));
    expectClose(got, want, 2e-4, 1e-4);
  });

  it('multiplies with the large tile on aligned shapes, transposed A, and a broadcast batch', async () => {
    const [M, K, N] = [64, 512, 128];
    let want = await onCpu((d) => matmul(r([M, K], 3, d), r([K, N], 4, d)));
    expectClose(await values(matmul(r([M, K], 3, device), r([K, N], 4, device))), want, 2e-4, 1e-4);
    want = await onCpu((d) => matmul(r([K, M], 5, d), r([K, N], 6, d), { transposeA: true }));
    expectClose(await values(matmul(r([K, M], 5, device), r([K, N], 6, device), { transposeA: true })), want, 2e-4, 1e-4);
    want = await onCpu((d) => matmul(r([2, M, K], 7, d), r([K, N], 8, d)));
    expectClose(await values(matmul(r([2, M, K], 7, device), r([K, N], 8, device))), want, 2e-4, 1e-4);
  });

  it('multiplies with the 16-row tile (N > 256) at odd M, N, K and with transposed A', async () => {
    const [M, K, N] = [40, 350, 301];
    let want = await onCpu((d) => matmul(r([M, K], 24, d), r([K, N], 25, d)));
    expectClose(await values(matmul(r([M, K], 24, device), r([K, N], 25, device))), want, 2e-4, 1e-4);
    want = await onCpu((d) => matmul(r([K, M], 26, d), r([K, 300], 27, d), { transposeA: true }));
    expectClose(await values(matmul(r([K, M], 26, device), r([K, 300], 27, device), { transposeA: true })), want, 2e-4, 1e-4);
  });

  it('multiplies by a transposed weight (x Wᵀ) through the contiguous copy of Wᵀ', async () => {
    const [M, K, N] = [520, 64, 128];
    const want = await onCpu((d) => matmul(r([M, K], 9, d), r([N, K], 10, d), { transposeB: true }));
    const got = await values(matmul(r([M, K], 9, device), r([N, K], 10, device), { transposeB: true }));
    expectClose(got, want, 1e-4, 1e-4);
  });

  it('convolves with the subgroup kernel: stride, padding, dilation, groups, bias, K tail', async () => {
    // groups 2, 3 input channels per group, 3x3: K = 27 (not a multiple of 4: scalar weight loads + tail).
    const args = { stride: [2, 1] as [number, number], padding: [1, 2] as [number, number], dilation: [1, 2] as [number, number], groups: 2 };
    const x = (d: 'cpu' | 'webgpu') => r([2, 6, 13, 11], 11, d);
    const w = (d: 'cpu' | 'webgpu') => r([10, 3, 3, 3], 12, d);
    const b = (d: 'cpu' | 'webgpu') => r([10], 13, d);
    const want = await onCpu((d) => conv2d(x(d), w(d), { ...args, bias: b(d) }));
    const got = conv2d(x(device), w(device), { ...args, bias: b(device) });
    expectClose(await values(got), want, 1e-4, 1e-4);
  });

  it('convolves with the large tile (K multiple of 4, vec4 weight loads) and matches the CPU', async () => {
    // 16 channels x 3x3 = K 144, 24 output channels, 40x40 pixels: M*N*K above the large-tile cut-off.
    const x = (d: 'cpu' | 'webgpu') => r([1, 16, 40, 40], 14, d);
    const w = (d: 'cpu' | 'webgpu') => r([24, 16, 3, 3], 15, d);
    const want = await onCpu((d) => conv2d(x(d), w(d), { padding: 1 }));
    const got = conv2d(x(device), w(device), { padding: 1 });
    expectClose(await values(got), want, 1e-4, 1e-4);
  });

  it('convolves with the large conv tile (24 rows) at a row tail and a K tail (scalar weight loads)', async () => {
    // 40 output channels (24 + 16 of a second row tile), 7 channels x 3x3 = K 63, 46x46 pixels.
    const x = (d: 'cpu' | 'webgpu') => r([1, 7, 46, 46], 21, d);
    const w = (d: 'cpu' | 'webgpu') => r([40, 7, 3, 3], 22, d);
    const b = (d: 'cpu' | 'webgpu') => r([40], 23, d);
    const want = await onCpu((d) => conv2d(x(d), w(d), { padding: 1, bias: b(d) }));
    const got = conv2d(x(device), w(device), { padding: 1, bias: b(device) });
    expectClose(await values(got), want, 1e-4, 1e-4);
  });

  it('sums, maxes and mins columns of a tall matrix (column-sum reduce: chunks, then a second pass)', async () => {
    // 3,001 x 37 -> 37: R >= 1024 with contiguous outputs; 3,001 rows leave a short last chunk.
    const x = (d: 'cpu' | 'webgpu') => r([3001, 37], 16, d);
    expectClose(await values(sum(x(device), 0)), await onCpu((d) => sum(x(d), 0)), 1e-4, 1e-4);
    expectClose(await values(max(x(device), 0)), await onCpu((d) => max(x(d), 0)), 0, 0);
    expectClose(await values(min(x(device), [0])), await onCpu((d) => min(x(d), [0])), 0, 0);
    // The middle axis of a 3-D tensor: outputs contiguous along the last axis, reduced stride 9.
    const y = (d: 'cpu' | 'webgpu') => r([3, 1100, 9], 17, d);
    expectClose(await values(sum(y(device), 1)), await onCpu((d) => sum(y(d), 1)), 1e-4, 1e-4);
  });

  it('computes a long fused elementwise chain with a broadcast operand (grid-stride kernel)', async () => {
    // 70,001 x 3 elements: several elements per invocation, the last pass partly out of range.
    const x = (d: 'cpu' | 'webgpu') => r([70001, 3], 18, d);
    const b = (d: 'cpu' | 'webgpu') => r([3], 19, d);
    const f = (d: 'cpu' | 'webgpu') => relu(add(mul(x(d), 2), b(d)));
    expectClose(await values(f(device)), await onCpu(f), 1e-6, 1e-6);
    // Row (stride [0, 1]) and column (stride [1, 0]) broadcasts: rank-2 leaves whose (row,
    // column) index is carried across grid-stride steps; 3 does not divide the dispatch width.
    const c = (d: 'cpu' | 'webgpu') => r([70001, 1], 20, d);
    const g = (d: 'cpu' | 'webgpu') => sub(mul(x(d), c(d)), b(d));
    expectClose(await values(g(device)), await onCpu(g), 1e-6, 1e-6);
  });
}, ['webgpu']);
