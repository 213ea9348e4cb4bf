/**
 * The same workloads on TensorFlow.js (tfjs-backend-cpu: pure JS; tfjs-backend-wasm: XNNPACK
 * with SIMD, single-threaded in Node), as peers for scale. tfjs convolutions run in its
 * native NHWC layout (the same arithmetic as our NCHW).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { randomArray, row, type BenchRow, type MeasureOptions } from './timing.js';
import { convGflop, convName, matmulGflop, matmulName, mlpGflop, mlpName, type Sizes } from './workloads.js';

export async function benchTfjs(backend: 'cpu' | 'wasm', s: Sizes, o: MeasureOptions, mlpOptions: MeasureOptions): Promise<BenchRow[]> {
  const impl = `tfjs-${backend}`;
  const ok = await tf.setBackend(backend);
  if (!ok) return [{ workload: '*', impl, ms: null, note: `tf.setBackend('${backend}') failed` }];
  await tf.ready();
  const rows: BenchRow[] = [];
  for (const n of s.matmul) {
    const a = tf.tensor2d(randomArray(n * n, 1), [n, n]);
    const b = tf.tensor2d(randomArray(n * n, 2), [n, n]);
    rows.push(await row(matmulName(n), impl, matmulGflop(n), async () => {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    }, o));
    tf.dispose([a, b]);
  }
  const c = s.conv;
  const x = tf.tensor4d(randomArray(c.n * c.c * c.h * c.w, 3), [c.n, c.h, c.w, c.c]);
  const w = tf.tensor4d(randomArray(c.o * c.c * c.k * c.k, 4, 0.1), [c.k, c.k, c.c, c.o]);
  rows.push(await row(convName(c), impl, convGflop(c), async () => {
    const y = tf.conv2d(x, w, 1, 'same');
    await y.data();
    y.dispose();
  }, o));
  tf.dispose([x, w]);
  rows.push(await benchTfjsMlp(impl, s, mlpOptions));
  return rows;
}

async function benchTfjsMlp(impl: string, s: Sizes, o: MeasureOptions): Promise<BenchRow> {
  const m = s.mlp;
  const x = tf.tensor2d(randomArray(m.rows * m.dims[0], 5), [m.rows, m.dims[0]]);
  const y = tf.tensor2d(randomArray(m.rows, 6), [m.rows, 1]);
  const vars: tf.Variable[] = [];
  for (let i = 0; i + 1 < m.dims.length; i++) {
    vars.push(tf.variable(tf.tensor2d(randomArray(m.dims[i] * m.dims[i + 1], 10 + i, Math.sqrt(6 / m.dims[i])), [m.dims[i], m.dims[i + 1]])));
    vars.push(tf.variable(tf.zeros([m.dims[i + 1]])));
  }
  const opt = tf.train.adam(m.lr);
  const r = await row(mlpName(m), impl, mlpGflop(m), async () => {
    const loss = opt.minimize(() => {
      let h: tf.Tensor = x;
      for (let l = 0; l < vars.length / 2; l++) {
        h = tf.add(tf.matMul(h, vars[2 * l]), vars[2 * l + 1]);
        if (l + 1 < vars.length / 2) h = tf.relu(h);
      }
      return tf.mean(tf.square(tf.sub(h, y))) as tf.Scalar;
    }, true);
    await loss!.data();
    await vars[vars.length - 1].data();
    loss!.dispose();
  }, o);
  opt.dispose();
  tf.dispose([x, y, ...vars]);
  return r;
}
