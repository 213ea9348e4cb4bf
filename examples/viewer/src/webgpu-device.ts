/**
 * Opens a WebGPU device in the page, or says precisely why it cannot: no `navigator.gpu`
 * (browser without WebGPU, or an insecure context), no adapter (WebGPU present but no
 * usable GPU / software fallback), or a failed `requestDevice`.
 */

import { requiredLimits } from '@headsplat/gpu';

export type WebGPUUnavailableReason = 'no-navigator-gpu' | 'no-adapter' | 'device-failed';

export class WebGPUUnavailableError extends Error {
  constructor(
    readonly reason: WebGPUUnavailableReason,
    message: string,
  ) {
    super(message);
    this.name = 'WebGPUUnavailableError';
  }
}

export interface ViewerDevice {
  device: GPUDevice;
  adapter: GPUAdapter;
  /** vendor / architecture / description of the adapter, for the HUD */
  description: string;
}


export async function openWebGPU(): Promise<ViewerDevice> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    const why = window.isSecureContext
      ? 'this browser has no WebGPU (navigator.gpu is undefined)'
      : 'the page is not a secure context (open it over https or from localhost)';
    throw new WebGPUUnavailableError('no-navigator-gpu', `WebGPU is not available: ${why}.`);
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    throw new WebGPUUnavailableError('no-adapter', `WebGPU is present but requesting an adapter failed: ${(e as Error).message}`);
  }
  if (!adapter) {
    throw new WebGPUUnavailableError('no-adapter', 'WebGPU is present but the browser returned no GPU adapter (the GPU may be blocklisted or disabled).');
  }
  let device: GPUDevice;
  try {
    // The rasterizer's large scenes need big storage buffers: ask for what the adapter allows.
    device = await adapter.requestDevice({ requiredLimits: requiredLimits(adapter) });
  } catch (e) {
    throw new WebGPUUnavailableError('device-failed', `WebGPU adapter found but requestDevice failed: ${(e as Error).message}`);
  }
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const description = info ? [info.vendor, info.architecture, info.description].filter((s) => s).join(' ') : '';
  return { device, adapter, description: description || 'unknown adapter' };
}
