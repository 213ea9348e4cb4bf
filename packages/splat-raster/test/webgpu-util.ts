/**
 * Helpers for the WebGPU tests: upload / read back buffers and compare arrays with
 * stated tolerances.
 */

export function upload(device: GPUDevice, data: Uint32Array | Float32Array | Int32Array): GPUBuffer {
  const buf = device.createBuffer({
    size: Math.max(4, data.byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
  return buf;
}

export async function readU32(device: GPUDevice, buf: GPUBuffer, n: number): Promise<Uint32Array> {
  const read = device.createBuffer({ size: Math.max(4, n * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  if (n > 0) enc.copyBufferToBuffer(buf, 0, read, 0, n * 4);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const out = new Uint32Array(read.getMappedRange().slice(0, n * 4));
  read.unmap();
  read.destroy();
  return out;
}

export async function readF32(device: GPUDevice, buf: GPUBuffer, n: number): Promise<Float32Array> {
  return new Float32Array((await readU32(device, buf, n)).buffer);
}

export interface Mismatch {
  /** max_j |a_j - b_j| */
  maxAbs: number;
  /** max_j |b_j| */
  scale: number;
  /** index of the worst entry */
  at: number;
  /** entries outside atol + rtol |b_j| */
  bad: number;
}

/** Compares `a` (WebGPU) with `b` (reference) entrywise: |a - b| <= atol + rtol |b|. */
export function compare(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol = 0): Mismatch {
  if (a.length !== b.length) throw new Error(`compare: length ${a.length} vs ${b.length}`);
  let maxAbs = 0;
  let scale = 0;
  let at = -1;
  let bad = 0;
  for (let j = 0; j < b.length; j++) {
    const d = Math.abs(a[j] - b[j]);
    if (!(d <= atol + rtol * Math.abs(b[j]))) bad++;
    if (!(d <= maxAbs)) {
      maxAbs = d;
      at = j;
    }
    scale = Math.max(scale, Math.abs(b[j]));
  }
  return { maxAbs, scale, at, bad };
}
