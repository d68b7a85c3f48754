/**
 * The page's "Output size" controls: the model's own scale, another factor, a width, a height, or a
 * box it fits inside or covers: the CLI's --scale/--width/--height/--fit. The worker checks the
 * request with the CLI's schema (the page stays small: no zod here).
 */
import { outputSize, type SizeRequest } from '../../src/upscale/outputSize.js';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const mode = $<HTMLSelectElement>('#size-mode');
const fields = {
  factor: $<HTMLInputElement>('#factor'),
  width: $<HTMLInputElement>('#out-width'),
  height: $<HTMLInputElement>('#out-height'),
  fit: $<HTMLSelectElement>('#fit'),
};
/** Which fields each mode shows. */
const SHOWN: Record<string, (keyof typeof fields)[]> = { model: [], scale: ['factor'], width: ['width'], height: ['height'], box: ['width', 'height', 'fit'] };

function showFields(): void {
  for (const [name, field] of Object.entries(fields)) (field.closest('label') as HTMLLabelElement).hidden = !SHOWN[mode.value].includes(name as keyof typeof fields);
}

export function setUpSizeControls(): void {
  mode.addEventListener('change', showFields);
  showFields();
}

/** The size asked for, as the controls hold it (a cleared field is NaN, which the worker's check names). */
export function sizeRequest(): SizeRequest {
  const number = (field: HTMLInputElement) => (field.value.trim() === '' ? Number.NaN : Number(field.value));
  const request: SizeRequest = {};
  if (mode.value === 'scale') request.scale = number(fields.factor);
  if (mode.value === 'width' || mode.value === 'box') request.width = number(fields.width);
  if (mode.value === 'height' || mode.value === 'box') request.height = number(fields.height);
  if (mode.value === 'box') request.fit = fields.fit.value === 'cover' ? 'cover' : 'inside';
  return request;
}

/** "→ 690×450", the size a picture becomes, or '' while the request is not a valid one. */
export function targetSize(width: number, height: number, request: SizeRequest, modelScale: number): string {
  if (![request.scale, request.width, request.height].every((n) => n === undefined || (Number.isFinite(n) && n > 0))) return '';
  const size = outputSize({ width, height }, request, modelScale);
  return ` → ${size.width}×${size.height}`;
}
