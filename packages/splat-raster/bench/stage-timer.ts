/**
 * GPU timings per stage: instruments a device so that every compute pass gets
 * `timestamp-query` writes at its start and end, and sums the passes recorded since the last
 * `collect()` by label (the rasterizer labels its passes by stage; the two radix sorts of a
 * forward are told apart as depth-sort and pair-sort). Without the feature `collect()`
 * returns an empty map.
 */
import { gpuWait } from '@headsplat/gpu';

export interface StageTimer {
  readonly enabled: boolean;
  /** Stage name -> summed ms of the passes recorded since the last call. */
  collect(): Promise<Map<string, number>>;
}

export function instrumentStages(device: GPUDevice, maxPasses = 128): StageTimer {
  const enabled = device.features.has('timestamp-query');
  if (!enabled) return { enabled, collect: async () => new Map() };
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * maxPasses });
  const resolveBuf = device.createBuffer({ size: 16 * maxPasses, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const readBuf = device.createBuffer({ size: 16 * maxPasses, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  let labels: string[] = [];
  const origCreate = device.createCommandEncoder.bind(device);
  (device as unknown as { createCommandEncoder: typeof device.createCommandEncoder }).createCommandEncoder = (desc?: GPUCommandEncoderDescriptor) => {
    const enc = origCreate(desc);
    const origBegin = enc.beginComputePass.bind(enc);
    (enc as unknown as { beginComputePass: typeof enc.beginComputePass }).beginComputePass = (d?: GPUComputePassDescriptor) => {
      const i = labels.length;
      if (i >= maxPasses) return origBegin(d);
      labels.push(d?.label ?? 'pass');
      return origBegin({ ...d, timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
    };
    return enc;
  };
  return {
    enabled,
    async collect(): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      const n = labels.length;
      if (n === 0) return out;
      const enc = origCreate();
      enc.resolveQuerySet(querySet, 0, 2 * n, resolveBuf, 0);
      enc.copyBufferToBuffer(resolveBuf, 0, readBuf, 0, 16 * n);
      device.queue.submit([enc.finish()]);
      await gpuWait(device, readBuf.mapAsync(GPUMapMode.READ));
      const t = new BigInt64Array(readBuf.getMappedRange().slice(0, 16 * n));
      readBuf.unmap();
      const seen = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        let name = labels[i];
        const k = (seen.get(name) ?? 0) + 1;
        seen.set(name, k);
        if (name === 'radix-sort') name = k === 1 ? 'depth-sort' : 'pair-sort';
        out.set(name, (out.get(name) ?? 0) + Number(t[2 * i + 1] - t[2 * i]) / 1e6);
      }
      labels = [];
      return out;
    },
  };
}
