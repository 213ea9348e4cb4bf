/**
 * The FLAME mode of the page: the synthetic FLAME head as bound Gaussians, with sliders for
 * expressions, jaw and head pose (and an idle animation), re-posed on the CPU and uploaded
 * before each frame in which the controls changed.
 */
import { bindFlameGaussians, NEUTRAL_CONTROLS, poseFlameGaussians, type FlameControls } from './flame-scene.js';
import type { SplatViewer } from './splat-viewer.js';

interface SliderSpec {
  key: keyof FlameControls;
  label: string;
  min: number;
  max: number;
}

const SLIDERS: SliderSpec[] = [
  { key: 'jawOpen', label: 'jaw open', min: -1, max: 2 },
  { key: 'smile', label: 'smile', min: -1, max: 2 },
  { key: 'blink', label: 'blink', min: 0, max: 1.5 },
  { key: 'browRaise', label: 'brows', min: -1, max: 2 },
  { key: 'pucker', label: 'pucker', min: -1, max: 2 },
  { key: 'jawPose', label: 'jaw pose', min: -0.1, max: 0.45 },
  { key: 'headYaw', label: 'head yaw', min: -1, max: 1 },
  { key: 'headPitch', label: 'head pitch', min: -0.6, max: 0.6 },
  { key: 'headRoll', label: 'head roll', min: -0.6, max: 0.6 },
];

export interface FlameMode {
  controls: FlameControls;
  /** Sets controls (e.g. from a test) and re-poses on the next frame. */
  set(values: Partial<FlameControls>): void;
  dispose(): void;
}

/** Switches `viewer` to the FLAME head and builds its controls inside `container`. */
export function startFlameMode(viewer: SplatViewer, container: HTMLElement, count = 20_000): FlameMode {
  const bound = bindFlameGaussians(count);
  const controls: FlameControls = { ...NEUTRAL_CONTROLS };
  let changed = false;
  viewer.setScene(poseFlameGaussians(bound, controls), { upSign: 1 });

  container.replaceChildren();
  const inputs = new Map<keyof FlameControls, HTMLInputElement>();
  for (const s of SLIDERS) {
    const label = document.createElement('label');
    const name = document.createElement('span');
    name.textContent = s.label;
    const input = document.createElement('input');
    Object.assign(input, { type: 'range', min: String(s.min), max: String(s.max), step: '0.01', value: '0', id: `flame-${s.key}` });
    const value = document.createElement('span');
    value.textContent = '0.00';
    input.addEventListener('input', () => {
      controls[s.key] = Number(input.value);
      value.textContent = controls[s.key].toFixed(2);
      changed = true;
      viewer.invalidate();
    });
    inputs.set(s.key, input);
    label.append(name, input, value);
    container.append(label);
  }
  const animateLabel = document.createElement('label');
  animateLabel.className = 'row';
  const animate = document.createElement('input');
  animate.type = 'checkbox';
  animate.id = 'flame-animate';
  animateLabel.append(animate, ' animate (talk and look around)');
  container.append(animateLabel);
  animate.addEventListener('change', () => {
    viewer.continuous = animate.checked;
    viewer.invalidate();
  });

  const sync = (): void => {
    for (const [k, input] of inputs) {
      input.value = String(controls[k]);
      (input.nextElementSibling as HTMLElement).textContent = controls[k].toFixed(2);
    }
  };
  viewer.beforeFrame = (time) => {
    if (animate.checked) {
      const t = time / 1000;
      controls.jawOpen = 0.6 + 0.6 * Math.sin(t * 5.1) * Math.max(0, Math.sin(t * 0.9));
      controls.smile = 0.5 + 0.5 * Math.sin(t * 0.7);
      controls.blink = Math.max(0, Math.sin(t * 1.3)) ** 30;
      controls.headYaw = 0.4 * Math.sin(t * 0.5);
      controls.headPitch = 0.12 * Math.sin(t * 0.8);
      sync();
      changed = true;
    }
    if (!changed) return;
    changed = false;
    const posed = poseFlameGaussians(bound, controls);
    viewer.updateScene({ means: posed.means, quats: posed.quats, scales: posed.scales, colors: posed.colors });
  };
  return {
    controls,
    set(values) {
      Object.assign(controls, values);
      sync();
      changed = true;
      viewer.invalidate();
    },
    dispose() {
      viewer.beforeFrame = () => {};
      if (animate.checked) viewer.continuous = false;
      container.replaceChildren();
    },
  };
}
