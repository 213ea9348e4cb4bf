/**
 * Entry point of the page: opens WebGPU (or explains why it cannot), builds the viewer,
 * shows the procedural default head, and wires the file pickers (.ply, HeadGAP .safetensors),
 * drag-and-drop, buttons and the stats line. `window.__viewer` exposes the state for the end-to-end test.
 */
import { readPly } from '@headsplat/splat-raster';
import { attachCameraControls } from './camera-controls.js';
import { createDefaultScene } from './default-scene.js';
import type { AvatarMode, AvatarStatus } from './avatar-mode.js';
import type { AvatarControls } from './headgap-avatar.js';
import type { FlameControls } from './flame-scene.js';
import type { FlameMode } from './flame-mode.js';
import { attachPlyInputs } from './ply-drop.js';
import { SplatViewer, type ViewerStats } from './splat-viewer.js';
import { openWebGPU, WebGPUUnavailableError } from './webgpu-device.js';

/** What the page exposes for tests and debugging. */
export interface ViewerHooks {
  status: 'starting' | 'ready' | 'no-webgpu' | 'error';
  /** text of the full-page message, when one is shown */
  message: string;
  sceneName: string;
  adapter: string;
  background: [number, number, number];
  stats?: ViewerStats;
  /** no frame in flight and none due: the canvas shows the current camera and scene */
  idle?: boolean;
  /** last non-fatal error (bad file, failed frame) */
  lastError?: string;
  /** CSS pixel position in the canvas of a world point under the current camera */
  projectToCanvas?: (p: number[]) => { x: number; y: number; depth: number };
  /** Switches to the FLAME head (resolves once it is set up). */
  showFlame?: () => Promise<void>;
  /** Sets FLAME controls (FLAME mode only). */
  setFlameControls?: (values: Partial<FlameControls>) => void;
  /** Loads the shipped HeadGAP prior into the Avatar mode (resolves once it is set up). */
  showShippedAvatar?: () => Promise<void>;
  /** Sets Avatar controls (Avatar mode only). */
  setAvatarControls?: (values: Partial<AvatarControls>) => void;
  /** State of the Avatar mode, when it is on. */
  avatar?: AvatarStatus;
}

declare global {
  interface Window {
    __viewer: ViewerHooks;
  }
}

const BACKGROUND: [number, number, number] = [0.1, 0.1, 0.12];

const hooks: ViewerHooks = { status: 'starting', message: '', sceneName: '', adapter: '', background: BACKGROUND };
window.__viewer = hooks;

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`viewer: #${id} is missing from index.html`);
  return el as T;
};

function showMessage(title: string, detail: string): void {
  const box = $('message');
  box.replaceChildren();
  const h = document.createElement('h2');
  h.textContent = title;
  const p = document.createElement('p');
  p.textContent = detail;
  box.append(h, p);
  box.hidden = false;
  hooks.message = `${title} ${detail}`;
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function showToast(text: string): void {
  const toast = $('toast');
  toast.textContent = text;
  toast.hidden = false;
  hooks.lastError = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.hidden = true), 8000);
}

function formatStats(s: ViewerStats, fps: number, adapter: string): string {
  const rate = fps > 0 ? `${fps} FPS` : 'idle';
  return `${rate} · last frame ${s.frameMs.toFixed(1)} ms · ${s.gaussians.toLocaleString('en-US')} Gaussians · ${s.width}×${s.height} · ${adapter}`;
}

async function main(): Promise<void> {
  let gpu;
  try {
    gpu = await openWebGPU();
  } catch (e) {
    hooks.status = 'no-webgpu';
    const detail = e instanceof WebGPUUnavailableError ? e.message : `Opening WebGPU failed: ${(e as Error).message}`;
    showMessage('This viewer needs WebGPU', `${detail} Try a recent Chrome, Edge or Safari, or Firefox with WebGPU enabled.`);
    $('stats').textContent = 'no WebGPU';
    return;
  }
  hooks.adapter = gpu.description;
  // Small windows start with the controls folded, to leave the view free.
  if (window.innerWidth < 640) $<HTMLDetailsElement>('controls').open = false;
  const canvas = $<HTMLCanvasElement>('view');
  const viewer = new SplatViewer(gpu.device, canvas, { background: BACKGROUND });
  hooks.projectToCanvas = (p) => viewer.projectToCanvas(p);
  Object.defineProperty(hooks, 'stats', { get: () => ({ ...viewer.stats }), enumerable: true });
  let avatar: AvatarMode | undefined;
  Object.defineProperty(hooks, 'idle', { get: () => (avatar ? avatar.status.idle : viewer.idle), enumerable: true });
  Object.defineProperty(hooks, 'avatar', { get: () => (avatar ? { ...avatar.status } : undefined), enumerable: true });
  gpu.device.lost.then((info) => {
    viewer.stop();
    hooks.status = 'error';
    showMessage('The WebGPU device was lost', `${info.message || info.reason}. Reload the page.`);
  });

  const setSceneName = (name: string): void => {
    hooks.sceneName = name;
    $('scene-name').textContent = name;
  };
  let flame: FlameMode | undefined;
  const leaveFlame = (): void => {
    flame?.dispose();
    flame = undefined;
    // Leaving the Avatar mode: its canvas hides, the splat view renders again.
    if (avatar) {
      avatar.dispose();
      avatar = undefined;
      viewer.start();
      viewer.invalidate();
    }
  };
  const showDefault = (): void => {
    leaveFlame();
    viewer.setScene(createDefaultScene(), { upSign: 1 });
    setSceneName('default head (procedural)');
  };
  const showFlame = async (): Promise<void> => {
    leaveFlame();
    // Loaded on demand: the FLAME code (and what it needs of @headsplat/core) is a separate chunk.
    const { startFlameMode } = await import('./flame-mode.js');
    flame = startFlameMode(viewer, $('extra'));
    setSceneName(`synthetic FLAME head (${viewer.stats.gaussians.toLocaleString('en-US')} Gaussians bound to triangles)`);
  };
  hooks.showFlame = showFlame;
  hooks.setFlameControls = (values) => {
    if (!flame) throw new Error('setFlameControls: the viewer is not in FLAME mode (call showFlame first)');
    flame.set(values);
  };
  const formatAvatarStats = (s: AvatarStatus): string =>
    `last frame ${s.frameMs.toFixed(0)} ms (model on the CPU) · ${s.gaussians.toLocaleString('en-US')} Gaussians · ${s.width}×${s.height} upscaled`;
  /** Loads HeadGAP checkpoint bytes and shows them in the Avatar mode; a wrong file gets a toast. */
  const showAvatar = async (load: () => Promise<Uint8Array>, name: string): Promise<void> => {
    // Loaded on demand: the model code (and core's CPU backend) is a separate chunk.
    const mode = await import('./avatar-mode.js');
    let model;
    try {
      model = mode.loadAvatar(await load());
    } catch (e) {
      showToast(`Could not open ${name}: ${(e as Error).message}`);
      return;
    }
    leaveFlame();
    viewer.stop();
    avatar = mode.startAvatarMode(model, $<HTMLCanvasElement>('avatar-view'), $('extra'), {
      onFrame: (s) => (stats.textContent = formatAvatarStats(s)),
      onError: (e) => showToast(`Rendering the avatar failed: ${e.message}`),
    });
    setSceneName(`HeadGAP avatar: ${name} (${model.identities} identities, ${model.model.cloud.count.toLocaleString('en-US')} Gaussians)`);
  };
  hooks.showShippedAvatar = async () => {
    const { fetchShippedPrior } = await import('./avatar-mode.js');
    await showAvatar(fetchShippedPrior, 'shipped prior');
  };
  hooks.setAvatarControls = (values) => {
    if (!avatar) throw new Error('setAvatarControls: the viewer is not in Avatar mode (call showShippedAvatar first)');
    avatar.set(values);
  };
  const openFile = async (file: File): Promise<void> => {
    if (/\.safetensors$/i.test(file.name)) {
      await showAvatar(async () => new Uint8Array(await file.arrayBuffer()), file.name);
      return;
    }
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const { scene } = readPly(bytes);
      leaveFlame();
      viewer.setScene(scene);
      setSceneName(`${file.name} (SH degree ${scene.shDegree})`);
    } catch (e) {
      showToast(`Could not open ${file.name}: ${(e as Error).message}`);
    }
  };

  attachPlyInputs($<HTMLInputElement>('ply-input'), document.body, (f) => void openFile(f));
  const avatarInput = $<HTMLInputElement>('avatar-input');
  avatarInput.addEventListener('change', () => {
    const file = avatarInput.files?.[0];
    avatarInput.value = '';
    if (file) void showAvatar(async () => new Uint8Array(await file.arrayBuffer()), file.name);
  });
  $('avatar-prior').addEventListener('click', () => {
    hooks.showShippedAvatar!().catch((e: unknown) => showToast(`Could not load the HeadGAP prior: ${(e as Error).message}`));
  });
  const flipUp = (): void => {
    viewer.camera.state.upSign = viewer.camera.state.upSign === 1 ? -1 : 1;
    viewer.resetView();
  };
  attachCameraControls(canvas, viewer.camera, { changed: () => viewer.invalidate(), reset: () => viewer.resetView(), flipUp });
  $('reset-view').addEventListener('click', () => viewer.resetView());
  $('flip-up').addEventListener('click', flipUp);
  $('default-scene').addEventListener('click', showDefault);
  $('flame-scene').addEventListener('click', () => {
    showFlame().catch((e: unknown) => showToast(`Could not start the FLAME head: ${(e as Error).message}`));
  });

  const stats = $('stats');
  const continuous = $<HTMLInputElement>('continuous');
  continuous.addEventListener('change', () => {
    viewer.continuous = continuous.checked;
    viewer.invalidate();
  });
  viewer.onFrame = (s) => {
    stats.textContent = formatStats(s, viewer.currentFps(), gpu.description);
  };
  // Refresh the rate when frames stop (the view renders on change only, unless continuous).
  setInterval(() => {
    if (viewer.stats.frames > 0 && !avatar) stats.textContent = formatStats(viewer.stats, viewer.currentFps(), gpu.description);
  }, 500);
  viewer.onError = (e) => showToast(`Rendering failed: ${e.message}`);

  showDefault();
  viewer.start();
  hooks.status = 'ready';
}

main().catch((e: unknown) => {
  hooks.status = 'error';
  showMessage('The viewer failed to start', e instanceof Error ? e.message : String(e));
});
