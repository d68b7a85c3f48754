import onnxProto from 'onnx-proto';
import { broadcastShapes, normalizeAxis } from './shape.js';

/**
 * The working memory an ONNX model needs per input pixel, read from its graph rather than measured:
 * the shape of every value is inferred for a 1x3xHxW picture at two probe sizes, one execution in
 * topological order is simulated with liveness (a value exists from the node that makes it to its
 * last consumer; the picture and the outputs for the whole run), and the per-pixel slope of the peak
 * of live bytes between the probes is the answer (what does not grow with the picture drops out).
 *
 * The peak, not the sum of all values: onnxruntime's allocation planner gives a buffer back as soon as
 * its last reader has run and reuses it for later values, so a 20-conv network needs two or three
 * feature maps at once, not twenty. The estimate leaves out what the runtime adds on top (its arena,
 * a kernel's scratch space) and what it saves (outputs written in place of an input).
 *
 * Measured on onnxruntime-node 1.30 (CPU, x4 srvgg-compact, RRDBNet, MSRResNet at 256x256 and 512x512):
 * within 2% of what the process grows by with the arena off. With the default arena, which keeps every
 * block it took and cannot reuse one too small or in the wrong region, the process grows 1.4x this
 * (srvgg-compact) to 2x (the others at 256x256; 1.55x at 512x512): sizing tiles needs that on top.
 */

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
type OnnxModel = onnxProto.onnx.IModelProto;
type OnnxNode = onnxProto.onnx.INodeProto;
type OnnxTensor = onnxProto.onnx.ITensorProto;
type OnnxAttribute = onnxProto.onnx.IAttributeProto;

/** One value of the graph, for one input size. */
export interface InferredValue {
  readonly shape: readonly number[];
  /** ONNX element type (TensorProto.DataType). */
  readonly elemType: number;
  /** The contents of a small tensor (a shape, scales, pads, slice bounds): what shape computations read. */
  readonly data?: readonly number[];
  /**
   * Computed from the picture, so allocated while the model runs. Values made of initializers alone are
   * constants onnxruntime folds when it loads the model: no working memory.
   */
  readonly fromInput: boolean;
}

/** A value's shape that the graph does not determine, or an op this inference has no rule for. */
export class ShapeInferenceError extends Error {
  override readonly name = 'ShapeInferenceError';
}

/** The two square picture sides the per-pixel slope is taken between (multiples of every SR model's size multiple). */
const PROBE_SIDES = [64, 128] as const;

/** Tensors up to this many elements keep their contents: shape arithmetic, never feature maps. */
const MAX_FOLDED_ELEMENTS = 1024;

const ELEMENT_BYTES: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.UINT16]: 2,
  [DataType.INT16]: 2,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.BOOL]: 1,
  [DataType.FLOAT16]: 2,
  [DataType.DOUBLE]: 8,
  [DataType.UINT32]: 4,
  [DataType.UINT64]: 8,
  [DataType.BFLOAT16]: 2,
  // The float8 and 4-bit types of opset 19 and 21 are not in onnx-proto's enum; float8 is one byte.
  17: 1,
  18: 1,
  19: 1,
  20: 1,
};

const INTEGER_TYPES = new Set<number>([DataType.UINT8, DataType.INT8, DataType.UINT16, DataType.INT16, DataType.INT32, DataType.INT64, DataType.UINT32, DataType.UINT64, DataType.BOOL]);

function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  return value === null || value === undefined ? 0 : typeof value === 'number' ? value : value.toNumber();
}

const product = (values: readonly number[]): number => values.reduce((a, b) => a * b, 1);

// ---- constant tensors -------------------------------------------------------------------------------

function rawContents(raw: Uint8Array, type: number, count: number): number[] | undefined {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read: Record<number, (i: number) => number> = {
    [DataType.FLOAT]: (i) => view.getFloat32(4 * i, true),
    [DataType.DOUBLE]: (i) => view.getFloat64(8 * i, true),
    [DataType.INT64]: (i) => Number(view.getBigInt64(8 * i, true)),
    [DataType.UINT64]: (i) => Number(view.getBigUint64(8 * i, true)),
    [DataType.INT32]: (i) => view.getInt32(4 * i, true),
    [DataType.UINT32]: (i) => view.getUint32(4 * i, true),
    [DataType.INT16]: (i) => view.getInt16(2 * i, true),
    [DataType.UINT16]: (i) => view.getUint16(2 * i, true),
    [DataType.INT8]: (i) => view.getInt8(i),
    [DataType.UINT8]: (i) => view.getUint8(i),
    [DataType.BOOL]: (i) => view.getUint8(i),
  };
  const reader = read[type];
  if (!reader || raw.byteLength < count * (ELEMENT_BYTES[type] ?? Infinity)) return undefined;
  return Array.from({ length: count }, (_, i) => reader(i));
}

/** The contents of a small constant tensor, or undefined (large, external, or a type shapes never use). */
function tensorContents(tensor: OnnxTensor, count: number): number[] | undefined {
  if (count > MAX_FOLDED_ELEMENTS || tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return undefined;
  const type = tensor.dataType ?? DataType.UNDEFINED;
  if (tensor.rawData && tensor.rawData.length > 0) return rawContents(tensor.rawData, type, count);
  const fields: Record<number, readonly (number | { toNumber(): number })[] | null | undefined> = {
    [DataType.FLOAT]: tensor.floatData,
    [DataType.DOUBLE]: tensor.doubleData,
    [DataType.INT64]: tensor.int64Data,
    [DataType.UINT64]: tensor.uint64Data,
    [DataType.UINT32]: tensor.uint64Data,
    [DataType.INT32]: tensor.int32Data,
    [DataType.INT16]: tensor.int32Data,
    [DataType.UINT16]: tensor.int32Data,
    [DataType.INT8]: tensor.int32Data,
    [DataType.UINT8]: tensor.int32Data,
    [DataType.BOOL]: tensor.int32Data,
  };
  const values = fields[type];
  return values && values.length === count ? values.map(toNumber) : undefined;
}

function constantTensor(tensor: OnnxTensor): InferredValue {
  const shape = (tensor.dims ?? []).map(toNumber);
  const data = tensorContents(tensor, product(shape));
  return { shape, elemType: tensor.dataType ?? DataType.UNDEFINED, ...(data ? { data } : {}), fromInput: false };
}

// ---- one node, as the rules see it ------------------------------------------------------------------

/** What a rule returns for each output; whether it depends on the picture is worked out by the caller. */
type Inferred = Omit<InferredValue, 'fromInput'>;

class Site {
  private readonly attributes: Map<string, OnnxAttribute>;

  constructor(
    readonly node: OnnxNode,
    readonly inputs: readonly (InferredValue | undefined)[],
  ) {
    this.attributes = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
  }

  get op(): string {
    return this.node.opType ?? '';
  }

  get outputCount(): number {
    return (this.node.output ?? []).length;
  }

  fail(problem: string): never {
    return fail(this.node, problem);
  }

  /** Input i, which the op requires. */
  input(i: number): InferredValue {
    return this.inputs[i] ?? this.fail(`input ${i + 1} is missing`);
  }

  /** Input i if given and not empty (ONNX marks an absent optional input by '' or, for scales, by []). */
  optional(i: number): InferredValue | undefined {
    const value = this.inputs[i];
    return value && product(value.shape) > 0 ? value : undefined;
  }

  /** The contents of input i, which must be known before the model runs (a constant, or folded from shapes). */
  constant(i: number): readonly number[] {
    const value = this.input(i);
    return value.data ?? this.fail(`input ${i + 1} ('${this.node.input?.[i]}') is computed at run time; its contents decide the output's shape`);
  }

  optionalConstant(i: number): readonly number[] | undefined {
    return this.optional(i) ? this.constant(i) : undefined;
  }

  int(name: string, fallback: number): number {
    const a = this.attributes.get(name);
    return a ? toNumber(a.i) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.attributes.get(name);
    return a ? (a.ints ?? []).map(toNumber) : undefined;
  }

  float(name: string, fallback: number): number {
    return this.attributes.get(name)?.f ?? fallback;
  }

  floats(name: string): number[] | undefined {
    const a = this.attributes.get(name);
    return a ? [...(a.floats ?? [])] : undefined;
  }

  string(name: string, fallback: string): string {
    const s = this.attributes.get(name)?.s;
    return s ? new TextDecoder().decode(s) : fallback;
  }

  tensor(name: string): OnnxTensor | undefined {
    return this.attributes.get(name)?.t ?? undefined;
  }

  axis(axis: number, rank: number): number {
    try {
      return normalizeAxis(axis, rank, this.op);
    } catch {
      return this.fail(`axis ${axis} is out of range for rank ${rank}`);
    }
  }
}

// ---- rules: one per op, the output shapes from the input shapes -------------------------------------

type Rule = (site: Site) => Inferred[];

const folded = (data: number[] | undefined): { data?: number[] } => (data && data.length <= MAX_FOLDED_ELEMENTS ? { data } : {});

/** Numpy broadcasting of any number of inputs, folding their contents with `f` when all are known. */
function broadcasting(site: Site, inputs: readonly InferredValue[], elemType: number, f?: (values: number[]) => number): Inferred {
  let shape: readonly number[] = [];
  for (const input of inputs) {
    const next = broadcastShapes(shape, input.shape);
    if (!next) site.fail(`shapes [${inputs.map((v) => v.shape.join('x')).join('], [')}] do not broadcast`);
    shape = next as number[];
  }
  if (!f || inputs.some((v) => !v.data) || product(shape) > MAX_FOLDED_ELEMENTS) return { shape, elemType };
  const index = (value: InferredValue, flat: number): number => {
    let at = 0;
    let stride = 1;
    for (let axis = shape.length - 1, rest = flat; axis >= 0; axis--) {
      const coordinate = rest % shape[axis];
      rest = Math.floor(rest / shape[axis]);
      const own = axis - (shape.length - value.shape.length);
      if (own < 0) continue;
      if (value.shape[own] !== 1) at += coordinate * stride;
      stride *= value.shape[own];
    }
    return at;
  };
  const data = Array.from({ length: product(shape) }, (_, flat) => f(inputs.map((v) => v.data![index(v, flat)])));
  return { shape, elemType, data: INTEGER_TYPES.has(elemType) ? data.map(Math.trunc) : data };
}

/** An op whose first output has its first input's shape and type (activations, normalisations). */
const sameAsInput: Rule = (site) => [{ shape: site.input(0).shape, elemType: site.input(0).elemType }];

const unaryFolds: Partial<Record<string, (x: number) => number>> = { Identity: (x) => x, Neg: (x) => -x, Abs: Math.abs, Floor: Math.floor, Ceil: Math.ceil, Round: Math.round, Sqrt: Math.sqrt, Not: (x) => (x ? 0 : 1), Sign: Math.sign };

const unary: Rule = (site) => {
  const x = site.input(0);
  const fold = unaryFolds[site.op];
  return [{ shape: x.shape, elemType: x.elemType, ...folded(fold && x.data ? x.data.map(fold) : undefined) }];
};

const arithmetic: Partial<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Pow: (a, b) => a ** b,
  Mod: (a, b) => a % b,
  Max: Math.max,
  Min: Math.min,
  Sum: (a, b) => a + b,
};

const comparisons: Record<string, (a: number, b: number) => boolean> = {
  Equal: (a, b) => a === b,
  Less: (a, b) => a < b,
  LessOrEqual: (a, b) => a <= b,
  Greater: (a, b) => a > b,
  GreaterOrEqual: (a, b) => a >= b,
  And: (a, b) => Boolean(a && b),
  Or: (a, b) => Boolean(a || b),
  Xor: (a, b) => Boolean(a) !== Boolean(b),
};

const present = (site: Site): InferredValue[] => site.inputs.filter((v): v is InferredValue => v !== undefined);

const elementwise: Rule = (site) => {
  const f = arithmetic[site.op];
  const inputs = present(site);
  return [broadcasting(site, inputs, inputs[0].elemType, f ? (values) => values.reduce(f) : undefined)];
};

const comparison: Rule = (site) => {
  const f = comparisons[site.op];
  return [broadcasting(site, present(site), DataType.BOOL, (values) => (f(values[0], values[1]) ? 1 : 0))];
};

const where: Rule = (site) => [broadcasting(site, [site.input(0), site.input(1), site.input(2)], site.input(1).elemType, ([c, x, y]) => (c ? x : y))];

/** PRelu's slope broadcasts to the input (per channel [C, 1, 1] in SR models). */
const prelu: Rule = (site) => [broadcasting(site, [site.input(0), site.input(1)], site.input(0).elemType)];

/** Output sizes of a sliding window (Conv, pools) along the spatial axes. */
function windowed(site: Site, spatial: readonly number[], kernel: readonly number[], ceilMode = false): number[] {
  const rank = spatial.length;
  const strides = site.ints('strides') ?? Array(rank).fill(1);
  const dilations = site.ints('dilations') ?? Array(rank).fill(1);
  const pads = site.ints('pads') ?? Array(2 * rank).fill(0);
  const autoPad = site.string('auto_pad', 'NOTSET');
  if (kernel.length !== rank) site.fail(`kernel [${kernel.join(', ')}] does not match the input's ${rank} spatial axes`);
  return spatial.map((size, i) => {
    const span = dilations[i] * (kernel[i] - 1) + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(size / strides[i]);
    const padded = autoPad === 'VALID' ? size : size + pads[i] + pads[i + rank];
    const round = ceilMode ? Math.ceil : Math.floor;
    let out = round((padded - span) / strides[i]) + 1;
    // Ceil mode: a last window starting past the padded input is dropped (as onnxruntime does).
    if (ceilMode && (out - 1) * strides[i] >= size + pads[i]) out--;
    if (out < 1) site.fail(`a ${kernel.join('x')} window does not fit an input of [${spatial.join(', ')}]`);
    return out;
  });
}

/** Conv and its quantised forms: input x at `xi`, weight [M, C/group, k...] at `wi`. */
function convolution(xi: number, wi: number, elemType?: (site: Site) => number): Rule {
  return (site) => {
    const x = site.input(xi);
    const w = site.input(wi);
    if (x.shape.length < 3 || w.shape.length !== x.shape.length) site.fail(`input [${x.shape.join(', ')}] and weight [${w.shape.join(', ')}] are not an N-D convolution`);
    const group = site.int('group', 1);
    if (x.shape[1] !== w.shape[1] * group) site.fail(`input has ${x.shape[1]} channels, weight [${w.shape.join(', ')}] with group ${group} expects ${w.shape[1] * group}`);
    const kernel = site.ints('kernel_shape') ?? w.shape.slice(2);
    return [{ shape: [x.shape[0], w.shape[0], ...windowed(site, x.shape.slice(2), kernel)], elemType: elemType ? elemType(site) : x.elemType }];
  };
}

const convTranspose: Rule = (site) => {
  const x = site.input(0);
  const w = site.input(1);
  const rank = x.shape.length - 2;
  const group = site.int('group', 1);
  if (w.shape.length !== x.shape.length || w.shape[0] !== x.shape[1]) site.fail(`input [${x.shape.join(', ')}] does not match weight [${w.shape.join(', ')}]`);
  const spatial = x.shape.slice(2);
  const kernel = site.ints('kernel_shape') ?? w.shape.slice(2);
  const strides = site.ints('strides') ?? Array(rank).fill(1);
  const dilations = site.ints('dilations') ?? Array(rank).fill(1);
  const outputPadding = site.ints('output_padding') ?? Array(rank).fill(0);
  const autoPad = site.string('auto_pad', 'NOTSET');
  const pads = autoPad === 'NOTSET' ? (site.ints('pads') ?? Array(2 * rank).fill(0)) : Array(2 * rank).fill(0);
  const given = site.ints('output_shape');
  const sizes = spatial.map((size, i) => {
    if (given) return given[given.length - rank + i];
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return size * strides[i];
    return strides[i] * (size - 1) + outputPadding[i] + dilations[i] * (kernel[i] - 1) + 1 - pads[i] - pads[i + rank];
  });
  return [{ shape: [x.shape[0], w.shape[1] * group, ...sizes], elemType: x.elemType }];
};

const pool: Rule = (site) => {
  const x = site.input(0);
  const kernel = site.ints('kernel_shape') ?? site.fail('has no kernel_shape');
  const shape = [x.shape[0], x.shape[1], ...windowed(site, x.shape.slice(2), kernel, site.int('ceil_mode', 0) === 1)];
  return [{ shape, elemType: x.elemType }, ...(site.outputCount > 1 ? [{ shape, elemType: DataType.INT64 }] : [])];
};

const globalPool: Rule = (site) => {
  const x = site.input(0);
  return [{ shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)], elemType: x.elemType }];
};

/** The normalised input, then any statistics a training-mode node also returns. */
function withStatistics(site: Site, statistics: Inferred): Inferred[] {
  const x = site.input(0);
  return [{ shape: x.shape, elemType: x.elemType }, ...Array<Inferred>(Math.max(0, site.outputCount - 1)).fill(statistics)];
}

const batchNormalization: Rule = (site) => withStatistics(site, { shape: site.input(1).shape, elemType: site.input(0).elemType });

const layerNormalization: Rule = (site) => {
  const x = site.input(0);
  const axis = site.axis(site.int('axis', -1), x.shape.length);
  return withStatistics(site, { shape: x.shape.map((d, i) => (i < axis ? d : 1)), elemType: DataType.FLOAT });
};

const dropout: Rule = (site) => [{ shape: site.input(0).shape, elemType: site.input(0).elemType }, { shape: site.input(0).shape, elemType: DataType.BOOL }];

function blockRearrangement(site: Site, toSpace: boolean): Inferred[] {
  const x = site.input(0);
  const b = site.int('blocksize', 0);
  if (x.shape.length !== 4 || b < 1) site.fail(`needs a 4-D input and a blocksize, got [${x.shape.join(', ')}] and ${b}`);
  const [n, c, h, w] = x.shape;
  if (toSpace ? c % (b * b) !== 0 : h % b !== 0 || w % b !== 0) site.fail(`[${x.shape.join(', ')}] does not divide into blocks of ${b}`);
  return [{ shape: toSpace ? [n, c / (b * b), h * b, w * b] : [n, c * b * b, h / b, w / b], elemType: x.elemType }];
}

/** Resize (opset 10: scales at input 2; 11+: roi, scales, sizes; 18: axes) and the older Upsample. */
const resize: Rule = (site) => {
  const x = site.input(0);
  const rank = x.shape.length;
  const axes = (site.ints('axes') ?? [...x.shape.keys()]).map((a) => site.axis(a, rank));
  const scales = site.op === 'Upsample' ? (site.inputs.length > 1 ? site.constant(1) : site.floats('scales')) : site.inputs.length === 2 ? site.constant(1) : site.optionalConstant(2);
  const sizes = site.op === 'Resize' ? site.optionalConstant(3) : undefined;
  const shape = [...x.shape];
  if (sizes) {
    const policy = site.string('keep_aspect_ratio_policy', 'stretch');
    const ratios = axes.map((a, i) => sizes[i] / x.shape[a]);
    const kept = policy === 'not_larger' ? Math.min(...ratios) : policy === 'not_smaller' ? Math.max(...ratios) : undefined;
    axes.forEach((a, i) => (shape[a] = kept === undefined ? sizes[i] : Math.round(kept * x.shape[a])));
  } else if (scales) {
    axes.forEach((a, i) => (shape[a] = Math.floor(x.shape[a] * scales[i])));
  } else {
    site.fail('has neither scales nor sizes');
  }
  return [{ shape, elemType: x.elemType }];
};

/** Pad (pads as input 2 from opset 11, an attribute before; axes from opset 18). */
const pad: Rule = (site) => {
  const x = site.input(0);
  const rank = x.shape.length;
  const pads = site.inputs.length > 1 ? site.constant(1) : (site.ints('pads') ?? site.fail('has no pads'));
  const axes = (site.optionalConstant(3) ?? [...x.shape.keys()]).map((a) => site.axis(a, rank));
  const shape = [...x.shape];
  axes.forEach((a, i) => (shape[a] += pads[i] + pads[i + axes.length]));
  return [{ shape, elemType: x.elemType }];
};

/** Slice (bounds as inputs from opset 10, attributes before), clamped as the ONNX spec says. */
const slice: Rule = (site) => {
  const x = site.input(0);
  const fromInputs = site.inputs.length > 1;
  const starts = fromInputs ? site.constant(1) : (site.ints('starts') ?? site.fail('has no starts'));
  const ends = fromInputs ? site.constant(2) : (site.ints('ends') ?? site.fail('has no ends'));
  const axes = ((fromInputs ? site.optionalConstant(3) : site.ints('axes')) ?? starts.map((_, i) => i)).map((a) => site.axis(a, x.shape.length));
  const steps = (fromInputs ? site.optionalConstant(4) : undefined) ?? starts.map(() => 1);
  const shape = [...x.shape];
  const ranges = x.shape.map((d) => ({ start: 0, step: 1, length: d }));
  axes.forEach((a, i) => {
    const d = x.shape[a];
    const step = steps[i];
    if (step === 0) site.fail('a step is 0');
    const clamp = (v: number, low: number, high: number) => Math.min(Math.max(v < 0 ? v + d : v, low), high);
    const start = step > 0 ? clamp(starts[i], 0, d) : clamp(starts[i], 0, d - 1);
    const end = step > 0 ? clamp(ends[i], 0, d) : clamp(ends[i], -1, d - 1);
    shape[a] = Math.max(0, Math.ceil((end - start) / step));
    ranges[a] = { start, step, length: shape[a] };
  });
  const data = x.data && x.shape.length === 1 ? Array.from({ length: shape[0] }, (_, i) => x.data![ranges[0].start + i * ranges[0].step]) : undefined;
  return [{ shape, elemType: x.elemType, ...folded(data) }];
};

const reshape: Rule = (site) => {
  const x = site.input(0);
  const target = site.constant(1);
  const allowZero = site.int('allowzero', 0) === 1;
  const shape = target.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  const unknown = shape.indexOf(-1);
  if (unknown >= 0) {
    const rest = product(shape.filter((_, i) => i !== unknown));
    if (rest === 0 || product(x.shape) % rest !== 0) site.fail(`[${x.shape.join(', ')}] cannot take the shape [${target.join(', ')}]`);
    shape[unknown] = product(x.shape) / rest;
  }
  if (product(shape) !== product(x.shape)) site.fail(`[${x.shape.join(', ')}] cannot take the shape [${target.join(', ')}]`);
  return [{ shape, elemType: x.elemType, ...(x.data ? { data: x.data } : {}) }];
};

const flatten: Rule = (site) => {
  const x = site.input(0);
  const axis = site.int('axis', 1);
  const at = axis < 0 ? axis + x.shape.length : axis;
  return [{ shape: [product(x.shape.slice(0, at)), product(x.shape.slice(at))], elemType: x.elemType, ...(x.data ? { data: x.data } : {}) }];
};

/** Squeeze and Unsqueeze: axes as input 2 from opset 13, an attribute before. */
const squeeze: Rule = (site) => {
  const x = site.input(0);
  const given = site.optionalConstant(1) ?? site.ints('axes');
  const axes = new Set((given ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => site.axis(a, x.shape.length)));
  return [{ shape: x.shape.filter((_, i) => !axes.has(i)), elemType: x.elemType, ...(x.data ? { data: x.data } : {}) }];
};

const unsqueeze: Rule = (site) => {
  const x = site.input(0);
  const given = site.optionalConstant(1) ?? site.ints('axes') ?? site.fail('has no axes');
  const rank = x.shape.length + given.length;
  const axes = new Set(given.map((a) => site.axis(a, rank)));
  const rest = [...x.shape];
  return [{ shape: Array.from({ length: rank }, (_, i) => (axes.has(i) ? 1 : rest.shift()!)), elemType: x.elemType, ...(x.data ? { data: x.data } : {}) }];
};

const transpose: Rule = (site) => {
  const x = site.input(0);
  const perm = site.ints('perm') ?? [...x.shape.keys()].reverse();
  return [{ shape: perm.map((p) => x.shape[p]), elemType: x.elemType }];
};

const expand: Rule = (site) => [broadcasting(site, [site.input(0), { shape: site.constant(1), elemType: site.input(0).elemType, fromInput: false }], site.input(0).elemType)];

const tile: Rule = (site) => {
  const x = site.input(0);
  const repeats = site.constant(1);
  return [{ shape: x.shape.map((d, i) => d * repeats[i]), elemType: x.elemType }];
};

const concat: Rule = (site) => {
  const inputs = present(site);
  const rank = inputs[0].shape.length;
  const axis = site.axis(site.int('axis', 0), rank);
  for (const v of inputs) {
    if (v.shape.length !== rank || v.shape.some((d, i) => i !== axis && d !== inputs[0].shape[i])) site.fail(`inputs [${inputs.map((u) => u.shape.join(', ')).join('], [')}] differ off axis ${axis}`);
  }
  const shape = inputs[0].shape.map((d, i) => (i === axis ? inputs.reduce((sum, v) => sum + v.shape[axis], 0) : d));
  const data = rank === 1 && inputs.every((v) => v.data) ? inputs.flatMap((v) => [...v.data!]) : undefined;
  return [{ shape, elemType: inputs[0].elemType, ...folded(data) }];
};

/** Split: sizes as input 2 (opset 13), an attribute (before), or equal parts (num_outputs from opset 18). */
const split: Rule = (site) => {
  const x = site.input(0);
  const axis = site.axis(site.int('axis', 0), x.shape.length);
  const parts = site.outputCount;
  const equal = Math.ceil(x.shape[axis] / parts);
  const sizes = site.optionalConstant(1) ?? site.ints('split') ?? Array.from({ length: parts }, (_, i) => Math.min(equal, x.shape[axis] - i * equal));
  return sizes.map((size) => ({ shape: x.shape.map((d, i) => (i === axis ? size : d)), elemType: x.elemType }));
};

const shapeOf: Rule = (site) => {
  const dims = site.input(0).shape;
  const start = site.int('start', 0);
  const end = site.int('end', dims.length);
  const data = dims.slice(start < 0 ? start + dims.length : start, end < 0 ? end + dims.length : end);
  return [{ shape: [data.length], elemType: DataType.INT64, data }];
};

const size: Rule = (site) => [{ shape: [], elemType: DataType.INT64, data: [product(site.input(0).shape)] }];

const gather: Rule = (site) => {
  const x = site.input(0);
  const indices = site.input(1);
  const axis = site.axis(site.int('axis', 0), x.shape.length);
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const data = x.data && indices.data && x.shape.length === 1 ? indices.data.map((i) => x.data![i < 0 ? i + x.shape[0] : i]) : undefined;
  return [{ shape, elemType: x.elemType, ...folded(data) }];
};

const constant: Rule = (site) => {
  const tensor = site.tensor('value');
  if (tensor) return [constantTensor(tensor)];
  const float = site.floats('value_floats');
  const ints = site.ints('value_ints');
  if (float) return [{ shape: [float.length], elemType: DataType.FLOAT, data: float }];
  if (ints) return [{ shape: [ints.length], elemType: DataType.INT64, data: ints }];
  if (site.node.attribute?.some((a) => a.name === 'value_float')) return [{ shape: [], elemType: DataType.FLOAT, data: [site.float('value_float', 0)] }];
  if (site.node.attribute?.some((a) => a.name === 'value_int')) return [{ shape: [], elemType: DataType.INT64, data: [site.int('value_int', 0)] }];
  return site.fail('has no value this inference reads (value, value_float(s), value_int(s))');
};

const constantOfShape: Rule = (site) => {
  const shape = site.constant(0);
  const value = site.tensor('value');
  const fill = value ? (constantTensor(value).data?.[0] ?? 0) : 0;
  return [{ shape, elemType: value?.dataType ?? DataType.FLOAT, ...folded(product(shape) <= MAX_FOLDED_ELEMENTS ? Array(product(shape)).fill(fill) : undefined) }];
};

const range: Rule = (site) => {
  const [start, limit, delta] = [site.constant(0)[0], site.constant(1)[0], site.constant(2)[0]];
  const length = Math.max(0, Math.ceil((limit - start) / delta));
  return [{ shape: [length], elemType: site.input(0).elemType, ...folded(length <= MAX_FOLDED_ELEMENTS ? Array.from({ length }, (_, i) => start + i * delta) : undefined) }];
};

function castTo(elemType: number, data: readonly number[] | undefined): number[] | undefined {
  if (!data) return undefined;
  if (elemType === DataType.BOOL) return data.map((v) => (v ? 1 : 0));
  return data.map(INTEGER_TYPES.has(elemType) ? Math.trunc : Math.fround);
}

const cast: Rule = (site) => {
  const x = site.input(0);
  const to = site.op === 'CastLike' ? site.input(1).elemType : site.int('to', x.elemType);
  return [{ shape: x.shape, elemType: to, ...folded(castTo(to, x.data)) }];
};

/** Numpy matmul: 1-D operands promoted, batch axes broadcast. */
function matmulShape(site: Site, a: readonly number[], b: readonly number[]): number[] {
  const left = a.length === 1 ? [1, a[0]] : a;
  const right = b.length === 1 ? [b[0], 1] : b;
  if (left[left.length - 1] !== right[right.length - 2]) site.fail(`[${a.join(', ')}] and [${b.join(', ')}] do not multiply`);
  const batch = broadcastShapes(left.slice(0, -2), right.slice(0, -2)) ?? site.fail(`batch axes of [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
  return [...(batch as number[]), ...(a.length === 1 ? [] : [left[left.length - 2]]), ...(b.length === 1 ? [] : [right[right.length - 1]])];
}

function matmul(ai: number, bi: number, elemType?: (site: Site) => number): Rule {
  return (site) => [{ shape: matmulShape(site, site.input(ai).shape, site.input(bi).shape), elemType: elemType ? elemType(site) : site.input(ai).elemType }];
}

const gemm: Rule = (site) => {
  const [a, b] = [site.input(0).shape, site.input(1).shape];
  const [m, k] = site.int('transA', 0) ? [a[1], a[0]] : [a[0], a[1]];
  const [k2, n] = site.int('transB', 0) ? [b[1], b[0]] : [b[0], b[1]];
  if (k !== k2) site.fail(`[${a.join(', ')}] and [${b.join(', ')}] do not multiply`);
  return [{ shape: [m, n], elemType: site.input(0).elemType }];
};

/** The Reduce ops: axes as an attribute, or (ReduceSum from opset 13, all from 18) as input 2. */
const reduce: Rule = (site) => {
  const x = site.input(0);
  const given = site.optionalConstant(1) ?? site.ints('axes');
  const noop = site.int('noop_with_empty_axes', 0) === 1 && !given;
  const axes = new Set((given ?? (noop ? [] : [...x.shape.keys()])).map((a) => site.axis(a, x.shape.length)));
  const keep = site.int('keepdims', 1) === 1;
  const shape = x.shape.flatMap((d, i) => (axes.has(i) ? (keep ? [1] : []) : [d]));
  return [{ shape, elemType: x.elemType }];
};

const argReduce: Rule = (site) => {
  const x = site.input(0);
  const axis = site.axis(site.int('axis', 0), x.shape.length);
  const keep = site.int('keepdims', 1) === 1;
  return [{ shape: x.shape.flatMap((d, i) => (i === axis ? (keep ? [1] : []) : [d])), elemType: DataType.INT64 }];
};

/** QuantizeLinear: the zero point's type (int8 or uint8, one byte an element), else output_dtype, else uint8. */
const quantize: Rule = (site) => {
  const x = site.input(0);
  return [{ shape: x.shape, elemType: site.inputs[2]?.elemType ?? (site.int('output_dtype', 0) || DataType.UINT8) }];
};

const dequantize: Rule = (site) => [{ shape: site.input(0).shape, elemType: site.input(1).elemType }];

const dynamicQuantize: Rule = (site) => [
  { shape: site.input(0).shape, elemType: DataType.UINT8 },
  { shape: [], elemType: DataType.FLOAT },
  { shape: [], elemType: DataType.UINT8 },
];

const outputTypeOf = (i: number, fallback: number) => (site: Site) => site.inputs[i]?.elemType ?? fallback;

const RULES: Record<string, Rule> = {
  Conv: convolution(0, 1),
  ConvInteger: convolution(0, 1, () => DataType.INT32),
  QLinearConv: convolution(0, 3, outputTypeOf(7, DataType.UINT8)),
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  BatchNormalization: batchNormalization,
  InstanceNormalization: sameAsInput,
  LayerNormalization: layerNormalization,
  GroupNormalization: sameAsInput,
  LRN: sameAsInput,
  Dropout: dropout,
  ...Object.fromEntries(
    ['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'Elu', 'Selu', 'Celu', 'HardSigmoid', 'HardSwish', 'Softplus', 'Softsign', 'Mish', 'Gelu', 'ThresholdedRelu', 'Erf', 'Exp', 'Log', 'Reciprocal', 'Sin', 'Cos', 'Softmax', 'LogSoftmax', 'Hardmax'].map((op) => [op, sameAsInput]),
  ),
  ...Object.fromEntries(Object.keys(unaryFolds).map((op) => [op, unary])),
  PRelu: prelu,
  ...Object.fromEntries([...Object.keys(arithmetic), 'Mean'].map((op) => [op, elementwise])),
  ...Object.fromEntries(Object.keys(comparisons).map((op) => [op, comparison])),
  Where: where,
  DepthToSpace: (site) => blockRearrangement(site, true),
  SpaceToDepth: (site) => blockRearrangement(site, false),
  Resize: resize,
  Upsample: resize,
  Pad: pad,
  Slice: slice,
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  Expand: expand,
  Tile: tile,
  Concat: concat,
  Split: split,
  Shape: shapeOf,
  Size: size,
  Gather: gather,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Range: range,
  Cast: cast,
  CastLike: cast,
  Gemm: gemm,
  MatMul: matmul(0, 1),
  MatMulInteger: matmul(0, 1, () => DataType.INT32),
  QLinearMatMul: matmul(0, 3, outputTypeOf(7, DataType.UINT8)),
  ...Object.fromEntries(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp'].map((op) => [op, reduce])),
  ArgMax: argReduce,
  ArgMin: argReduce,
  QuantizeLinear: quantize,
  DequantizeLinear: dequantize,
  DynamicQuantizeLinear: dynamicQuantize,
};

// ---- the whole graph --------------------------------------------------------------------------------

function decode(model: Uint8Array | OnnxModel): OnnxModel {
  if (!(model instanceof Uint8Array)) return model;
  try {
    return onnx.ModelProto.decode(model);
  } catch (error) {
    throw new ShapeInferenceError(`not an ONNX model (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * The order onnxruntime runs nodes in (its default GraphViewer order): a depth-first walk up from the
 * nodes nobody reads, entering a node's producers from the last-defined one, each node placed once
 * its producers are. A branch off the picture alone, such as the upsampled input an SR model adds at
 * its end, is visited first and so runs first: its output is alive the whole run.
 */
function executionOrder(nodes: readonly OnnxNode[]): OnnxNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => (node.output ?? []).forEach((name) => name && producer.set(name, i)));
  const producers = nodes.map((node) => [...new Set((node.input ?? []).flatMap((name) => (producer.has(name) ? [producer.get(name)!] : [])))].sort((a, b) => a - b));
  const read = new Set(producers.flat());
  const stack: [number, boolean][] = nodes.flatMap((_, i) => (read.has(i) ? [] : [[i, false] as [number, boolean]]));
  const visited = new Set<number>();
  const order: OnnxNode[] = [];
  while (stack.length > 0) {
    const [i, leaving] = stack.pop()!;
    if (leaving) order.push(nodes[i]);
    else if (!visited.has(i)) {
      visited.add(i);
      stack.push([i, true]);
      for (const p of producers[i]) if (!visited.has(p)) stack.push([p, false]);
    }
  }
  return order;
}

/** The one picture input, fed as [1, 3, height, width]: what else the graph's inputs are, it is not an SR model. */
function pictureInput(model: OnnxModel, height: number, width: number): { name: string; value: InferredValue } {
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  const inputs = (model.graph?.input ?? []).filter((input) => !initializers.has(input.name));
  if (inputs.length !== 1) throw new ShapeInferenceError(`the graph has ${inputs.length} inputs; an SR model takes one picture`);
  const tensorType = inputs[0].type?.tensorType;
  const dims = tensorType?.shape?.dim ?? [];
  if (dims.length !== 4) throw new ShapeInferenceError(`input '${inputs[0].name}' has rank ${dims.length}; an SR model takes [N, C, H, W]`);
  const fixed = dims.map((d) => (d.dimValue === null || d.dimValue === undefined ? undefined : toNumber(d.dimValue)));
  if ((fixed[2] !== undefined && fixed[2] > 0) || (fixed[3] !== undefined && fixed[3] > 0)) {
    throw new ShapeInferenceError(`input '${inputs[0].name}' has the fixed size ${fixed[2]}x${fixed[3]}: its memory does not follow the picture's`);
  }
  return { name: inputs[0].name ?? '', value: { shape: [1, fixed[1] || 3, height, width], elemType: tensorType?.elemType ?? DataType.FLOAT, fromInput: true } };
}

/** Every value of the graph (picture, initializers, node outputs) for a [1, C, height, width] picture. */
export function inferValues(model: Uint8Array | OnnxModel, height: number, width: number): Map<string, InferredValue> {
  const decoded = decode(model);
  const values = new Map<string, InferredValue>();
  for (const tensor of decoded.graph?.initializer ?? []) values.set(tensor.name ?? '', constantTensor(tensor));
  const picture = pictureInput(decoded, height, width);
  values.set(picture.name, picture.value);
  for (const node of executionOrder(decoded.graph?.node ?? [])) {
    const inputs = (node.input ?? []).map((name) => (name ? (values.get(name) ?? fail(node, `input '${name}' is produced by no node`)) : undefined));
    const site = new Site(node, inputs);
    const standard = (node.domain ?? '') === '' || node.domain === 'ai.onnx';
    const rule = (standard ? RULES[site.op] : undefined) ?? site.fail(`no shape rule for this op${standard ? '' : ` of domain '${node.domain}'`}`);
    const outputs = rule(site);
    const fromInput = inputs.some((v) => v?.fromInput);
    (node.output ?? []).forEach((name, i) => {
      if (!name) return;
      const output = outputs[i] ?? site.fail(`output ${i + 1} has no inferred shape`);
      if (output.shape.some((d) => !Number.isInteger(d) || d < 0)) site.fail(`output '${name}' would have the shape [${output.shape.join(', ')}]`);
      values.set(name, { ...output, fromInput });
    });
  }
  return values;
}

function fail(node: OnnxNode, problem: string): never {
  throw new ShapeInferenceError(`node '${node.name || node.output?.[0] || '?'}' (${node.opType}): ${problem}`);
}

function bytesOf(value: InferredValue): number {
  const element = ELEMENT_BYTES[value.elemType];
  if (element === undefined) throw new ShapeInferenceError(`element type ${value.elemType} has no known size`);
  return product(value.shape) * element;
}

/**
 * The most bytes of picture-dependent values alive at once while the graph runs on a [1, C, height,
 * width] picture: each node's outputs are allocated when it runs, its inputs freed after their last
 * consumer; the picture and the graph's outputs stay to the end.
 */
export function peakActivationBytes(model: Uint8Array | OnnxModel, height: number, width: number): number {
  const decoded = decode(model);
  const values = inferValues(decoded, height, width);
  const order = executionOrder(decoded.graph?.node ?? []);
  const kept = new Set([pictureInput(decoded, height, width).name, ...(decoded.graph?.output ?? []).map((o) => o.name ?? '')]);
  const lastUse = new Map<string, number>();
  order.forEach((node, step) => (node.input ?? []).forEach((name) => lastUse.set(name, step)));
  const activation = (name: string) => (name ? values.get(name)?.fromInput === true : false);
  let live = bytesOf(values.get(pictureInput(decoded, height, width).name)!);
  let peak = live;
  order.forEach((node, step) => {
    const outputs = (node.output ?? []).filter(activation);
    for (const name of outputs) live += bytesOf(values.get(name)!);
    peak = Math.max(peak, live);
    const released = new Set([...(node.input ?? []), ...outputs].filter((name) => activation(name) && !kept.has(name) && (lastUse.get(name) ?? step) <= step));
    for (const name of released) live -= bytesOf(values.get(name)!);
  });
  return peak;
}

/**
 * Working memory per input pixel of one run of an ONNX SR model, bytes: the growth of the peak of live
 * values from a 64x64 to a 128x128 picture, divided by the pixels added. Throws `ShapeInferenceError`
 * when the graph does not determine its shapes (an op without a rule, a shape computed from data);
 * callers then measure instead.
 */
export function activationBytesPerPixel(model: Uint8Array | OnnxModel): number {
  const decoded = decode(model);
  const [small, large] = PROBE_SIDES;
  return (peakActivationBytes(decoded, large, large) - peakActivationBytes(decoded, small, small)) / (large * large - small * small);
}
