/**
 * Before/after comparison of an upscale: the enlarged picture with the original laid over its left part
 * up to a movable divider, both at the same zoom and position. The original is drawn at its own size
 * and scaled by CSS (no second full-size canvas for big results). Keyboard: the divider and zoom are
 * range inputs; the view pans by dragging and zooms with the wheel.
 */
export class CompareView {
  readonly element: HTMLElement;
  private readonly view: HTMLDivElement;
  private readonly beforeClip: HTMLDivElement;
  private readonly divider: HTMLDivElement;
  private readonly zoomInput: HTMLInputElement;
  private readonly splitInput: HTMLInputElement;
  private zoom = 1;
  private fit = 1;
  private x = 0;
  private y = 0;

  constructor(
    private readonly before: HTMLCanvasElement,
    private readonly after: HTMLCanvasElement,
    private readonly scale: number,
  ) {
    this.element = document.createElement('div');
    this.view = document.createElement('div');
    this.view.className = 'compare';
    this.view.tabIndex = 0;
    this.view.setAttribute('role', 'img');
    // The factor of the result's width (2.99 for a x3 request whose sides round).
    const factor = Number.isInteger(scale) ? String(scale) : scale.toFixed(2);
    this.view.setAttribute('aria-label', `Original (left of the divider) and ×${factor} result (right)`);
    this.beforeClip = document.createElement('div');
    this.beforeClip.className = 'before-clip';
    this.beforeClip.append(before);
    this.divider = document.createElement('div');
    this.divider.className = 'divider';
    const tags = [tag('Original', 'left'), tag(`×${factor}`, 'right')];
    this.view.append(after, this.beforeClip, this.divider, ...tags);

    const controls = document.createElement('div');
    controls.className = 'compare-controls';
    this.splitInput = range('Divider', 0, 100, 1, 50);
    this.zoomInput = range('Zoom', 0, 100, 1, 0);
    controls.append(this.splitInput.parentElement!, this.zoomInput.parentElement!);
    this.element.append(this.view, controls);

    this.splitInput.addEventListener('input', () => this.render());
    this.zoomInput.addEventListener('input', () => this.zoomAt(this.zoomFromSlider(), this.view.clientWidth / 2, this.view.clientHeight / 2));
    this.view.addEventListener('wheel', (event) => {
      event.preventDefault();
      const rect = this.view.getBoundingClientRect();
      this.zoomAt(this.zoom * Math.exp(-event.deltaY / 400), event.clientX - rect.left, event.clientY - rect.top);
    }, { passive: false });
    this.view.addEventListener('keydown', (event) => this.onKey(event));
    this.enablePanning();
    new ResizeObserver(() => this.refit()).observe(this.view);
  }

  /** Zoom from the slider: 0 is "fit", 100 is 8 screen pixels per output pixel, log-spaced. */
  private zoomFromSlider(): number {
    const t = Number(this.zoomInput.value) / 100;
    return this.fit * Math.pow(8 / this.fit, t);
  }

  private refit(): void {
    const width = this.view.clientWidth;
    const height = this.view.clientHeight;
    if (width === 0 || height === 0) return;
    const wasFit = this.zoom === this.fit;
    this.fit = Math.min(1, width / this.after.width, height / this.after.height);
    if (wasFit || this.zoom < this.fit) {
      this.zoom = this.fit;
      this.x = (width - this.after.width * this.zoom) / 2;
      this.y = (height - this.after.height * this.zoom) / 2;
    }
    this.render();
  }

  private zoomAt(zoom: number, cx: number, cy: number): void {
    const next = Math.min(8, Math.max(this.fit, zoom));
    this.x = cx - ((cx - this.x) * next) / this.zoom;
    this.y = cy - ((cy - this.y) * next) / this.zoom;
    this.zoom = next;
    this.zoomInput.value = String(Math.round((100 * Math.log(this.zoom / this.fit)) / Math.log(8 / this.fit || 1)) || 0);
    this.render();
  }

  private onKey(event: KeyboardEvent): void {
    const step = 40;
    const moves: Record<string, [number, number]> = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (event.key in moves) {
      const [dx, dy] = moves[event.key];
      this.x += dx;
      this.y += dy;
      this.render();
    } else if (event.key === '+' || event.key === '=') {
      this.zoomAt(this.zoom * 1.25, this.view.clientWidth / 2, this.view.clientHeight / 2);
    } else if (event.key === '-') {
      this.zoomAt(this.zoom / 1.25, this.view.clientWidth / 2, this.view.clientHeight / 2);
    } else {
      return;
    }
    event.preventDefault();
  }

  private enablePanning(): void {
    let start: { px: number; py: number; x: number; y: number } | undefined;
    this.view.addEventListener('pointerdown', (event) => {
      start = { px: event.clientX, py: event.clientY, x: this.x, y: this.y };
      this.view.setPointerCapture(event.pointerId);
    });
    this.view.addEventListener('pointermove', (event) => {
      if (!start) return;
      this.x = start.x + event.clientX - start.px;
      this.y = start.y + event.clientY - start.py;
      this.render();
    });
    const end = () => (start = undefined);
    this.view.addEventListener('pointerup', end);
    this.view.addEventListener('pointercancel', end);
  }

  private render(): void {
    const smooth = this.zoom < 2 ? 'auto' : 'pixelated';
    this.after.style.transform = `translate(${this.x}px, ${this.y}px) scale(${this.zoom})`;
    this.after.style.imageRendering = smooth;
    this.before.style.transform = `translate(${this.x}px, ${this.y}px) scale(${this.zoom * this.scale})`;
    this.before.style.imageRendering = this.zoom * this.scale < 2 ? 'auto' : 'pixelated';
    const split = (Number(this.splitInput.value) / 100) * this.view.clientWidth;
    this.beforeClip.style.clipPath = `inset(0 ${this.view.clientWidth - split}px 0 0)`;
    this.divider.style.left = `${split - 1}px`;
  }
}

/** A label pinned 8 px from one side; set through the CSSOM, since the CSP refuses style attributes. */
function tag(text: string, side: 'left' | 'right'): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'tag';
  span.textContent = text;
  span.style[side] = '8px';
  span.setAttribute('aria-hidden', 'true');
  return span;
}

function range(label: string, min: number, max: number, step: number, value: number): HTMLInputElement {
  const wrapper = document.createElement('label');
  wrapper.textContent = label;
  const input = document.createElement('input');
  Object.assign(input, { type: 'range', min: String(min), max: String(max), step: String(step), value: String(value) });
  wrapper.append(input);
  return input;
}
