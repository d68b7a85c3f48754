/**
 * The upscale page: pictures are decoded by the browser, enlarged by the worker (onnxruntime-web, the
 * library's tiling), shown in a before/after view and downloaded as PNG or WebP; an animated GIF or WebP is
 * enlarged frame by frame and downloaded as an animated WebP. Nothing leaves the page.
 */
import { sizeSuffix, type SizeRequest } from '../../src/upscale/outputSize.js';
import { openAnimation, type DecodedAnimation } from './animationDecoder.js';
import { muxAnimatedWebp, type AnimatedWebpFrame } from './animatedWebp.js';
import { CompareView } from './compareView.js';
import { setUpSizeControls, sizeRequest, targetSize } from './sizeControls.js';
import { setUpTheme } from './theme.js';
import { encodeWebpFrame } from './webpFrameEncoder.js';
import type { FromWorker, ToWorker } from './workerProtocol.js';

interface ShippedModel {
  name: string;
  scale: number;
  arch: string;
  parameters: number;
  isDefault: boolean;
}

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const scaleSelect = $<HTMLSelectElement>('#scale');
const modelSelect = $<HTMLSelectElement>('#model');
const modelFileLabel = $<HTMLLabelElement>('#model-file-label');
const modelFileInput = $<HTMLInputElement>('#model-file');
const tileSelect = $<HTMLSelectElement>('#tile');
const status = $<HTMLParagraphElement>('#model-status');
const queue = $<HTMLOListElement>('#queue');
const FROM_FILE = 'file';

/** A request before the worker wrapper numbers it (Omit over each member of the union). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** The worker, with replies matched to requests by id. */
class UpscaleWorker {
  private readonly worker = new Worker('/assets/upscaleWorker.js', { type: 'module' });
  private nextId = 1;
  private readonly handlers = new Map<number, (message: FromWorker) => void>();

  constructor() {
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.handlers.get(event.data.id)?.(event.data);
    this.worker.onerror = (event) => {
      for (const handler of this.handlers.values()) handler({ type: 'error', id: 0, message: event.message || 'the worker stopped' });
    };
  }

  /** Send a request; `onMessage` sees every reply until it returns true (the last one). */
  request(message: WithoutId<ToWorker>, onMessage: (reply: FromWorker) => boolean, transfer: Transferable[] = []): number {
    const id = this.nextId++;
    this.handlers.set(id, (reply) => {
      if (onMessage(reply)) this.handlers.delete(id);
    });
    this.worker.postMessage({ ...message, id } as ToWorker, transfer);
    return id;
  }

  cancel(id: number): void {
    this.worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
  }
}

const worker = new UpscaleWorker();
let shipped: ShippedModel[] = [];
/** The model the worker holds, by the key of its menu choice (a file's key includes its name and size). */
let loadedKey: string | undefined;
let loadedScale = 4;
let loading: Promise<void> | undefined;

function modelKey(): string {
  const file = modelFileInput.files?.[0];
  return modelSelect.value === FROM_FILE ? `file:${file?.name}:${file?.size}:${file?.lastModified}` : `shipped:${modelSelect.value}`;
}

function fillModelMenu(): void {
  const scale = Number(scaleSelect.value);
  const choices = shipped.filter((m) => m.scale === scale);
  modelSelect.replaceChildren(
    ...choices.map((m) => new Option(`${m.name}${m.isDefault ? ' (default)' : m.name.endsWith('-gan') ? ' (more texture)' : ''} · ${Math.round(m.parameters / 1000)}K parameters`, m.name)),
    new Option('Your model file…', FROM_FILE),
  );
  onModelChoice();
}

function onModelChoice(): void {
  modelFileLabel.hidden = modelSelect.value !== FROM_FILE;
  loading = undefined;
  void ensureModel().catch(() => {});
}

/** Load the chosen model into the worker, unless it is already there. */
function ensureModel(): Promise<void> {
  const key = modelKey();
  if (key === loadedKey) return Promise.resolve();
  if (loading) return loading;
  loading = (async () => {
    let name: string;
    let bytes: ArrayBuffer;
    if (modelSelect.value === FROM_FILE) {
      const file = modelFileInput.files?.[0];
      if (!file) {
        status.textContent = 'Choose a model file: .onnx, .safetensors (enhance, ESRGAN, Real-ESRGAN) or PyTorch .pth.';
        throw new Error('no model file chosen');
      }
      name = file.name;
      bytes = await file.arrayBuffer();
    } else {
      name = `${modelSelect.value}.safetensors`;
      status.textContent = `Loading ${modelSelect.value}…`;
      const response = await fetch(`/models/${name}`);
      if (!response.ok) throw new Error(`${name}: the server answered ${response.status}`);
      bytes = await response.arrayBuffer();
    }
    status.textContent = `Preparing ${name}…`;
    await new Promise<void>((resolve, reject) => {
      worker.request(
        { type: 'load', name, bytes, preferWebGpu: true },
        (reply) => {
          if (reply.type === 'loaded') {
            loadedKey = key;
            loadedScale = reply.scale;
            status.textContent = `Model: ${reply.description}${reply.description.includes(`x${reply.scale}`) ? '' : `, ×${reply.scale}`}, on ${reply.backend}.`;
            resolve();
          } else if (reply.type === 'error') {
            loadedKey = undefined;
            status.textContent = reply.message;
            status.classList.add('error');
            reject(new Error(reply.message));
          }
          return reply.type === 'loaded' || reply.type === 'error';
        },
        [bytes],
      );
    });
    status.classList.remove('error');
  })().finally(() => {
    loading = undefined;
  });
  return loading;
}

/** Decoded RGBA pixels of a picture file, as the browser decodes it (EXIF orientation applied). */
async function decode(file: File): Promise<{ canvas: HTMLCanvasElement; pixels: ImageData }> {
  const bitmap = await createImageBitmap(file, { premultiplyAlpha: 'none', colorSpaceConversion: 'none', imageOrientation: 'from-image' });
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { canvas, pixels: context.getImageData(0, 0, canvas.width, canvas.height) };
}

function button(text: string, className = ''): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.className = className;
  return b;
}

function baseName(name: string): string {
  return name.replace(/\.[^.]+$/, '') || 'picture';
}

/** What the worker answers for one picture or frame: done, cancelled or failed (progress goes to a callback). */
type FinalReply = Exclude<FromWorker, { type: 'progress' | 'loaded' }>;
type DoneReply = Extract<FromWorker, { type: 'done' }>;

/** Save `blob` as `name` (a link the page clicks for the user). */
function offerDownload(blob: Blob, name: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

function canvasOf(pixels: ImageData): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = pixels.width;
  canvas.height = pixels.height;
  canvas.getContext('2d')!.putImageData(pixels, 0, 0);
  return canvas;
}

/** One picture in the queue: its row in the page, and the work on it. */
class Job {
  readonly item = document.createElement('li');
  private readonly state = document.createElement('span');
  private readonly progress = document.createElement('progress');
  private readonly cancelButton = button('Cancel', 'secondary');
  private readonly result = document.createElement('div');
  private id: number | undefined;
  private cancelled = false;

  constructor(private readonly file: File) {
    this.item.className = 'job panel';
    this.item.dataset.state = 'queued';
    const head = document.createElement('div');
    head.className = 'job-head';
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = file.name;
    this.state.textContent = 'waiting';
    this.state.setAttribute('role', 'status');
    this.progress.max = 1;
    this.progress.value = 0;
    this.progress.setAttribute('aria-label', `Progress of ${file.name}`);
    this.cancelButton.addEventListener('click', () => this.cancel());
    head.append(name, this.state, this.cancelButton);
    this.item.append(head, this.progress, this.result);
  }

  private setState(state: string, text: string): void {
    this.item.dataset.state = state;
    this.state.textContent = text;
  }

  /** Stops the picture or frame being enlarged at its next tile; an animation's later frames are not started. */
  cancel(): void {
    this.cancelled = true;
    if (this.id !== undefined) worker.cancel(this.id);
    else this.setState('cancelled', 'cancelled');
    this.cancelButton.disabled = true;
  }

  async run(): Promise<void> {
    if (this.cancelled) return;
    try {
      this.setState('loading', 'preparing the model');
      await ensureModel();
      if (this.cancelled) return this.setState('cancelled', 'cancelled');
      this.setState('decoding', 'decoding');
      const animation = await openAnimation(this.file);
      if (animation) {
        try {
          return await this.runAnimation(animation);
        } finally {
          animation.close();
        }
      }
      const { canvas: before, pixels } = await decode(this.file);
      const size = sizeRequest();
      const scale = loadedScale;
      this.setState('running', `0 % of ${pixels.width}×${pixels.height}${targetSize(pixels.width, pixels.height, size, scale)}`);
      const reply = await this.enlarge(pixels, size, (done, total) => {
        this.progress.value = done / total;
        this.state.textContent = `${Math.round((100 * done) / total)} % (tile ${done} of ${total})`;
      });
      this.cancelButton.disabled = true;
      if (reply.type === 'cancelled') return this.setState('cancelled', 'cancelled');
      if (reply.type === 'error') return this.setState('failed', reply.message);
      this.show(before, reply, size, scale);
    } catch (error) {
      this.cancelButton.disabled = true;
      this.setState('failed', error instanceof Error ? error.message : String(error));
    }
  }

  /** One picture or frame through the worker, with the page's tile and size settings. */
  private enlarge(pixels: ImageData, size: SizeRequest, onProgress: (done: number, total: number) => void): Promise<FinalReply> {
    const tile = tileSelect.value === 'whole' ? 'whole' : Number(tileSelect.value);
    return new Promise<FinalReply>((resolve) => {
      this.id = worker.request(
        { type: 'upscale', width: pixels.width, height: pixels.height, rgba: pixels.data.buffer as ArrayBuffer, tile, size },
        (message) => {
          if (message.type === 'progress') {
            onProgress(message.done, message.total);
            return false;
          }
          if (message.type !== 'loaded') resolve(message);
          return true;
        },
        [pixels.data.buffer],
      );
    });
  }

  /**
   * An animated GIF/WebP: every frame enlarged with the same settings, encoded as a lossless still
   * WebP as it arrives (so only the first frame is kept as pixels, for the comparison), then muxed.
   */
  private async runAnimation(animation: DecodedAnimation): Promise<void> {
    const size = sizeRequest();
    const scale = loadedScale;
    const count = animation.frameCount;
    const dimensions = `${animation.width}×${animation.height}${targetSize(animation.width, animation.height, size, scale)}`;
    const encoded: AnimatedWebpFrame[] = [];
    let first: { before: HTMLCanvasElement; after: HTMLCanvasElement } | undefined;
    let last: DoneReply | undefined;
    let seconds = 0;
    this.setState('running', `frame 1 of ${count}: 0 % of ${dimensions}`);
    for (let index = 0; index < count; index++) {
      if (this.cancelled) return this.setState('cancelled', 'cancelled');
      const frame = await animation.frame(index);
      const before = index === 0 ? canvasOf(frame.pixels) : undefined;
      const label = `frame ${index + 1} of ${count}`;
      const reply = await this.enlarge(frame.pixels, size, (done, total) => {
        this.progress.value = (index + done / total) / count;
        this.state.textContent = `${label}: ${Math.round((100 * done) / total)} % (tile ${done} of ${total})`;
      });
      if (reply.type === 'cancelled') return this.cancelledNow();
      if (reply.type === 'error') return this.failedNow(`${label}: ${reply.message}`);
      if (before) first = { before, after: canvasOf(new ImageData(new Uint8ClampedArray(reply.rgba), reply.width, reply.height)) };
      encoded.push({ webp: await encodeWebpFrame(reply.rgba, reply.width, reply.height), durationMs: frame.durationMs });
      seconds += reply.seconds;
      last = reply;
    }
    this.cancelButton.disabled = true;
    if (!first || !last) return;
    const webp = muxAnimatedWebp(encoded, animation.loop, last.width, last.height);
    this.progress.value = 1;
    this.item.dataset.seconds = String(seconds);
    this.setState('done', `done: ${count} frames of ${last.width}×${last.height} in ${seconds.toFixed(1)} s`);
    const download = button('Download animated WebP');
    const name = `${baseName(this.file.name)}${sizeSuffix(size, scale)}.webp`;
    download.addEventListener('click', () => offerDownload(new Blob([webp], { type: 'image/webp' }), name));
    const actions = document.createElement('div');
    actions.className = 'job-actions';
    actions.append(download);
    const note = document.createElement('p');
    note.className = 'muted compare-note';
    note.textContent = `The comparison shows the first frame; the download has all ${count} frames (lossless WebP, the original's delays and loop count).`;
    this.result.append(note, new CompareView(first.before, first.after, last.width / animation.width).element, actions);
  }

  private cancelledNow(): void {
    this.cancelButton.disabled = true;
    this.setState('cancelled', 'cancelled');
  }

  private failedNow(message: string): void {
    this.cancelButton.disabled = true;
    this.setState('failed', message);
  }

  private show(before: HTMLCanvasElement, reply: DoneReply, size: SizeRequest, modelScale: number): void {
    const after = canvasOf(new ImageData(new Uint8ClampedArray(reply.rgba), reply.width, reply.height));
    this.progress.value = 1;
    this.item.dataset.seconds = String(reply.seconds); // the worker's time for the picture (read by `npm run bench -- web`)
    this.setState('done', `done: ${reply.width}×${reply.height} in ${reply.seconds.toFixed(1)} s`);
    const actions = document.createElement('div');
    actions.className = 'job-actions';
    for (const [label, type, extension] of [['Download PNG', 'image/png', 'png'], ['Download WebP', 'image/webp', 'webp']] as const) {
      const download = button(label);
      download.addEventListener('click', () => {
        after.toBlob((blob) => {
          if (blob) offerDownload(blob, `${baseName(this.file.name)}${sizeSuffix(size, modelScale)}.${extension}`);
        }, type, type === 'image/webp' ? 0.95 : undefined);
      });
      actions.append(download);
    }
    this.result.append(new CompareView(before, after, reply.width / before.width).element, actions);
  }
}

let chain: Promise<void> = Promise.resolve();

function addPictures(files: Iterable<File>): void {
  for (const file of files) {
    if (!file.type.startsWith('image/') && !/\.(png|jpe?g|webp|gif|bmp|avif)$/i.test(file.name)) continue;
    const job = new Job(file);
    queue.append(job.item);
    chain = chain.then(() => job.run());
  }
}

function setUpDropZone(): void {
  const zone = $<HTMLElement>('#drop-zone');
  const input = $<HTMLInputElement>('#file-input');
  // A real button opens the (hidden) file input: focusable and labelled like every other control.
  $<HTMLButtonElement>('#choose-pictures').addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    addPictures(input.files ?? []);
    input.value = '';
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    addPictures(event.dataTransfer?.files ?? []);
  });
}

async function start(): Promise<void> {
  setUpTheme();
  setUpDropZone();
  setUpSizeControls();
  scaleSelect.addEventListener('change', fillModelMenu);
  modelSelect.addEventListener('change', onModelChoice);
  modelFileInput.addEventListener('change', onModelChoice);
  // The settings are a form for its semantics only; it is never sent (and the CSP forbids inline handlers).
  $<HTMLFormElement>('#controls').addEventListener('submit', (event) => event.preventDefault());
  try {
    const response = await fetch('/api/models');
    shipped = response.ok ? ((await response.json()) as ShippedModel[]) : [];
  } catch {
    shipped = [];
  }
  fillModelMenu();
}

void start();
