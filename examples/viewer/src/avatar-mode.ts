/**
 * The Avatar mode of the page: a HeadGAP checkpoint (@headsplat/models-headgap) driven by
 * identity, FLAME expression, jaw and head-pose controls. The model runs on core's CPU
 * backend in the page; its refined image (the model's resolution, 64x64 for the shipped
 * prior) is upscaled into a 2D canvas laid over the WebGPU view, whose render loop pauses
 * meanwhile. A frame is rendered after the controls change (debounced), never continuously.
 */
import { HeadGapAvatar, MEAN_IDENTITY, NEUTRAL_AVATAR_CONTROLS, type AvatarControls, type AvatarFrame } from './headgap-avatar.js';
import { SHIPPED_PRIOR_URL } from './shipped-prior-url.js';

/** What the Avatar mode reports (for the stats line and the end-to-end test). */
export interface AvatarStatus {
  /** frames drawn since the checkpoint was loaded */
  frames: number;
  /** no render running or due */
  idle: boolean;
  /** time of the last render (model on the CPU) in ms */
  frameMs: number;
  width: number;
  height: number;
  identities: number;
  gaussians: number;
}

export interface AvatarMode {
  readonly status: AvatarStatus;
  readonly controls: AvatarControls;
  /** Sets controls (e.g. from a test) and renders once they settle. */
  set(values: Partial<AvatarControls>): void;
  dispose(): void;
}

interface SliderSpec {
  key: Exclude<keyof AvatarControls, 'identity'>;
  label: string;
  min: number;
  max: number;
}

/** Ranges around those the shipped prior saw (jaw open 1 with jaw pose 0.28, smile 1.6, blink 1, brows 1.2). */
const SLIDERS: SliderSpec[] = [
  { key: 'jawOpen', label: 'jaw open', min: 0, max: 1.5 },
  { key: 'jawPose', label: 'jaw pose', min: 0, max: 0.4 },
  { key: 'smile', label: 'smile', min: -0.5, max: 2 },
  { key: 'blink', label: 'blink', min: 0, max: 1.2 },
  { key: 'browRaise', label: 'brows', min: -0.5, max: 1.5 },
  { key: 'pucker', label: 'pucker', min: 0, max: 1.5 },
  { key: 'headYaw', label: 'head yaw', min: -0.6, max: 0.6 },
  { key: 'headPitch', label: 'head pitch', min: -0.4, max: 0.4 },
  { key: 'headRoll', label: 'head roll', min: -0.4, max: 0.4 },
];

/** Debounce of slider changes, in ms. */
const DEBOUNCE_MS = 60;

/** Reads the shipped prior (a Vite asset of the built app). */
export async function fetchShippedPrior(): Promise<Uint8Array> {
  const res = await fetch(SHIPPED_PRIOR_URL);
  if (!res.ok) throw new Error(`fetching the shipped HeadGAP prior (${SHIPPED_PRIOR_URL.href}) failed: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Loads checkpoint bytes (throws `AvatarCheckpointError` for a wrong file). */
export function loadAvatar(bytes: Uint8Array): HeadGapAvatar {
  return HeadGapAvatar.load(bytes);
}

/** Draws `frame` into `canvas` (sized to its CSS box), upscaled to fit, on the model's background. */
function drawFrame(canvas: HTMLCanvasElement, frame: AvatarFrame, background: readonly number[]): void {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr)), h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) Object.assign(canvas, { width: w, height: h });
  const small = document.createElement('canvas');
  Object.assign(small, { width: frame.width, height: frame.height });
  const img = new ImageData(frame.width, frame.height);
  for (let i = 0; i < frame.width * frame.height; i++) {
    for (let k = 0; k < 3; k++) img.data[i * 4 + k] = Math.round(255 * frame.rgb[i * 3 + k]);
    img.data[i * 4 + 3] = 255;
  }
  small.getContext('2d')!.putImageData(img, 0, 0);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('Avatar mode: canvas.getContext("2d") returned null');
  ctx.fillStyle = `rgb(${background.map((c) => Math.round(255 * c)).join(', ')})`;
  ctx.fillRect(0, 0, w, h);
  const side = Math.min(w / frame.width, h / frame.height);
  const dw = frame.width * side, dh = frame.height * side;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(small, (w - dw) / 2, (h - dh) / 2, dw, dh);
}

/**
 * Shows `avatar` in `canvas` and builds its controls inside `container`. `onFrame` runs after
 * each drawn frame, `onError` when a render fails.
 */
export function startAvatarMode(
  avatar: HeadGapAvatar,
  canvas: HTMLCanvasElement,
  container: HTMLElement,
  hooks: { onFrame?: (s: AvatarStatus) => void; onError?: (e: Error) => void } = {},
): AvatarMode {
  const controls: AvatarControls = { ...NEUTRAL_AVATAR_CONTROLS };
  const status: AvatarStatus = {
    frames: 0, idle: false, frameMs: 0, width: avatar.camera.width, height: avatar.camera.height,
    identities: avatar.identities, gaussians: avatar.model.cloud.count,
  };
  const background = avatar.model.config.background;
  let disposed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let rendering = false;
  let again = false;
  let last: AvatarFrame | undefined;

  const render = async (): Promise<void> => {
    if (rendering) {
      again = true;
      return;
    }
    rendering = true;
    status.idle = false;
    try {
      do {
        again = false;
        const frame = await avatar.render({ ...controls });
        if (disposed) return;
        last = frame;
        drawFrame(canvas, frame, background);
        status.frames++;
        status.frameMs = frame.ms;
        hooks.onFrame?.(status);
      } while (again && !disposed);
    } catch (e) {
      if (!disposed) hooks.onError?.(e instanceof Error ? e : new Error(String(e)));
    } finally {
      rendering = false;
      status.idle = timer === undefined;
    }
  };
  const schedule = (): void => {
    status.idle = false;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void render();
    }, DEBOUNCE_MS);
  };
  const onResize = (): void => {
    if (last) drawFrame(canvas, last, background);
  };
  window.addEventListener('resize', onResize);

  container.replaceChildren();
  const idLabel = document.createElement('label');
  const idName = document.createElement('span');
  idName.textContent = 'identity';
  const select = document.createElement('select');
  select.id = 'avatar-identity';
  for (let i = 0; i < avatar.identities; i++) select.append(new Option(`codebook ${i}`, String(i)));
  select.append(new Option('mean code', String(MEAN_IDENTITY)));
  select.value = String(controls.identity);
  select.addEventListener('change', () => {
    controls.identity = Number(select.value);
    schedule();
  });
  idLabel.append(idName, select, document.createElement('span'));
  container.append(idLabel);

  const inputs = new Map<SliderSpec['key'], HTMLInputElement>();
  for (const s of SLIDERS) {
    const label = document.createElement('label');
    const name = document.createElement('span');
    name.textContent = s.label;
    const input = document.createElement('input');
    Object.assign(input, { type: 'range', min: String(s.min), max: String(s.max), step: '0.01', value: String(controls[s.key]), id: `avatar-${s.key}` });
    const value = document.createElement('span');
    value.textContent = controls[s.key].toFixed(2);
    input.addEventListener('input', () => {
      controls[s.key] = Number(input.value);
      value.textContent = controls[s.key].toFixed(2);
      schedule();
    });
    inputs.set(s.key, input);
    label.append(name, input, value);
    container.append(label);
  }
  const sync = (): void => {
    select.value = String(controls.identity);
    for (const [k, input] of inputs) {
      input.value = String(controls[k]);
      (input.nextElementSibling as HTMLElement).textContent = controls[k].toFixed(2);
    }
  };

  canvas.hidden = false;
  void render();
  return {
    status,
    controls,
    set(values) {
      if (values.identity !== undefined && !(Number.isInteger(values.identity) && values.identity >= MEAN_IDENTITY && values.identity < avatar.identities)) {
        throw new RangeError(`AvatarMode.set: identity must be -1 (mean code) or an integer in [0, ${avatar.identities}), got ${values.identity}`);
      }
      Object.assign(controls, values);
      sync();
      schedule();
    },
    dispose() {
      disposed = true;
      clearTimeout(timer);
      window.removeEventListener('resize', onResize);
      canvas.hidden = true;
      container.replaceChildren();
      avatar.dispose();
    },
  };
}
