/** The benchmark workloads, their sizes and FLOP counts, shared by every implementation. */
export interface Sizes {
  matmul: number[];
  conv: { n: number; c: number; h: number; w: number; o: number; k: number; pad: number };
  mlp: { rows: number; dims: number[]; lr: number };
}

export function sizes(quick: boolean): Sizes {
  return {
    matmul: [512, 1024],
    conv: { n: 1, c: 64, h: 128, w: 128, o: 64, k: 3, pad: 1 },
    // 64 -> 256 x7 -> 1: eight linear layers, ReLU between, MSE loss, Adam.
    mlp: { rows: quick ? 8192 : 65536, dims: [64, 256, 256, 256, 256, 256, 256, 256, 1], lr: 1e-3 },
  };
}

export const matmulName = (n: number): string => `matmul ${n}^3`;
export const matmulGflop = (n: number): number => (2 * n ** 3) / 1e9;

export function convName(s: Sizes['conv']): string {
  return `conv2d ${s.n}x${s.c}x${s.h}x${s.w} ${s.k}x${s.k} ${s.c}->${s.o}`;
}

export function convGflop(s: Sizes['conv']): number {
  const ho = s.h + 2 * s.pad - s.k + 1;
  const wo = s.w + 2 * s.pad - s.k + 1;
  return (2 * s.n * s.o * ho * wo * s.c * s.k * s.k) / 1e9;
}

export function mlpName(s: Sizes['mlp']): string {
  return `MLP train step 8x256, ${s.rows} rows`;
}

/** Forward 2 FLOP per multiply-add, backward twice that (dx and dw GEMMs). */
export function mlpGflop(s: Sizes['mlp']): number {
  let macs = 0;
  for (let i = 0; i + 1 < s.dims.length; i++) macs += s.dims[i] * s.dims[i + 1];
  return (6 * s.rows * macs) / 1e9;
}
