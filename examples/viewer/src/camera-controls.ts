/**
 * Mouse / wheel / keyboard controls of an `OrbitCamera` on an element:
 * left drag orbits, right or middle drag (or shift + left drag) pans, the wheel zooms,
 * double-click or `R` resets the view, `U` flips the up axis.
 */
import type { OrbitCamera } from './orbit-camera.js';

export interface ControlCallbacks {
  /** Called after every camera change. */
  changed(): void;
  /** Double-click / `R`. */
  reset(): void;
  /** `U`. */
  flipUp(): void;
}

export function attachCameraControls(element: HTMLElement, camera: OrbitCamera, cb: ControlCallbacks): () => void {
  let drag: { id: number; x: number; y: number; pan: boolean } | undefined;
  const onDown = (e: PointerEvent): void => {
    element.setPointerCapture(e.pointerId);
    drag = { id: e.pointerId, x: e.clientX, y: e.clientY, pan: e.button === 1 || e.button === 2 || e.shiftKey };
    e.preventDefault();
  };
  const onMove = (e: PointerEvent): void => {
    if (!drag || drag.id !== e.pointerId) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    drag.x = e.clientX;
    drag.y = e.clientY;
    if (drag.pan) camera.pan(dx, dy, element.clientHeight || 1);
    else camera.orbit(dx, dy);
    cb.changed();
  };
  const onUp = (e: PointerEvent): void => {
    if (drag?.id === e.pointerId) drag = undefined;
  };
  const onWheel = (e: WheelEvent): void => {
    e.preventDefault();
    // deltaMode 1 = lines (Firefox), 0 = pixels.
    const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    camera.zoom(Math.exp(delta * 0.001));
    cb.changed();
  };
  const onKey = (e: KeyboardEvent): void => {
    if (e.target instanceof HTMLInputElement) return;
    if (e.key === 'r' || e.key === 'R') cb.reset();
    if (e.key === 'u' || e.key === 'U') cb.flipUp();
  };
  const onContext = (e: Event): void => e.preventDefault();
  const onDbl = (): void => cb.reset();
  element.addEventListener('pointerdown', onDown);
  element.addEventListener('pointermove', onMove);
  element.addEventListener('pointerup', onUp);
  element.addEventListener('pointercancel', onUp);
  element.addEventListener('wheel', onWheel, { passive: false });
  element.addEventListener('contextmenu', onContext);
  element.addEventListener('dblclick', onDbl);
  window.addEventListener('keydown', onKey);
  return () => {
    element.removeEventListener('pointerdown', onDown);
    element.removeEventListener('pointermove', onMove);
    element.removeEventListener('pointerup', onUp);
    element.removeEventListener('pointercancel', onUp);
    element.removeEventListener('wheel', onWheel);
    element.removeEventListener('contextmenu', onContext);
    element.removeEventListener('dblclick', onDbl);
    window.removeEventListener('keydown', onKey);
  };
}
