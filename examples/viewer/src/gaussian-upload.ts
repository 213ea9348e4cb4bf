/** Uploads a `GaussianScene` (typed arrays) into the rasterizer's f32 storage buffers. */
import { validateScene, type GaussianBuffers, type GaussianScene } from '@headsplat/splat-raster';

function upload(device: GPUDevice, data: Float32Array | Float64Array, label: string): GPUBuffer {
  const f32 = data instanceof Float32Array ? data : new Float32Array(data);
  const buffer = device.createBuffer({
    size: Math.max(16, Math.ceil(f32.byteLength / 16) * 16),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    label,
  });
  if (f32.byteLength > 0) device.queue.writeBuffer(buffer, 0, f32.buffer, f32.byteOffset, f32.byteLength);
  return buffer;
}

/** GPU copies of a scene; `destroy()` frees them. */
export interface UploadedScene extends GaussianBuffers {
  destroy(): void;
}

/** Validates `scene` (errors name the field) and uploads it. */
export function uploadScene(device: GPUDevice, scene: GaussianScene): UploadedScene {
  const info = validateScene('uploadScene', scene);
  const buffers = {
    count: info.n,
    means: upload(device, scene.means, 'means'),
    quats: upload(device, scene.quats, 'quats'),
    scales: upload(device, scene.scales, 'scales'),
    opacities: upload(device, scene.opacities, 'opacities'),
    colors: upload(device, scene.colors, 'colors'),
    shDegree: scene.shDegree,
  };
  return {
    ...buffers,
    destroy() {
      for (const b of [buffers.means, buffers.quats, buffers.scales, buffers.opacities, buffers.colors]) b.destroy();
    },
  };
}
