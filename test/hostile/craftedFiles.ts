/**
 * The crafted files of ../shared/notes/hostile-inputs.md, written by the tests themselves (small on
 * disk: a bomb is a few megabytes that claim gigabytes). Each builder writes into `dir` and returns
 * the path of the file to hand to enhance.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import onnxProto from 'onnx-proto';
import { repoRoot } from '../helpers.js';

const { onnx } = onnxProto;

// ---- zip (PyTorch .pth) ----------------------------------------------------------------------

interface ZipEntry {
  name: string;
  /** The entry's bytes as stored in the archive (deflated when `method` is 8). */
  stored: Uint8Array;
  method: 0 | 8;
  size: number;
  crc: number;
}

function storedEntry(name: string, data: Uint8Array | string): ZipEntry {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return { name, stored: bytes, method: 0, size: bytes.length, crc: crc32(bytes) };
}

/** A zip archive of the given entries (no zip64: every entry is under 4 GiB). */
function zipArchive(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.stored.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt32LE(entry.crc >>> 0, 16);
    central.writeUInt32LE(entry.stored.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, Buffer.from(entry.stored));
    centrals.push(central, name);
    offset += local.length + name.length + entry.stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A deflate stream of `mebibytes` MiB of zeros without deflating them all: one MiB deflated with a
 * full flush (byte-aligned, independent) repeated, then an empty final block. ~1 KB per MiB.
 */
function deflatedZeros(mebibytes: number): Uint8Array {
  const piece = deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  return Buffer.concat([...Array.from({ length: mebibytes }, () => piece), Buffer.from([0x03, 0x00])]);
}

/** The CRC-32 of `mebibytes` MiB of zeros. */
function zerosCrc(mebibytes: number): number {
  const block = Buffer.alloc(1 << 20);
  let crc = 0;
  for (let i = 0; i < mebibytes; i++) crc = crc32(block, crc);
  return crc;
}

// ---- pickle opcodes (protocol 2), enough for torch.save's records ----------------------------

const pickleGlobal = (module: string, name: string) => Buffer.from(`c${module}\n${name}\n`, 'latin1');
function pickleString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(5);
  length[0] = 0x58; // BINUNICODE
  length.writeUInt32LE(bytes.length, 1);
  return Buffer.concat([length, bytes]);
}
function pickleInt(value: number): Buffer {
  const out = Buffer.alloc(5);
  out[0] = 0x4a; // BININT
  out.writeInt32LE(value, 1);
  return out;
}
const PROTO_2 = Buffer.from([0x80, 0x02]);

/** A .pth whose pickle is an empty dict and whose six storages are 1 GiB of zeros each (6 MB on disk). */
export async function zipBombCheckpoint(dir: string, gibibytes = 6): Promise<string> {
  const stored = deflatedZeros(1024);
  const crc = zerosCrc(1024);
  const bombs = Array.from({ length: gibibytes }, (_, k): ZipEntry => ({ name: `archive/data/${k}`, stored, method: 8, size: 1024 ** 3, crc }));
  const path = join(dir, 'bomb.pth');
  await writeFile(path, zipArchive([storedEntry('archive/data.pkl', Buffer.concat([PROTO_2, Buffer.from('}.')])), ...bombs]));
  return path;
}

/** A state dict with one tensor of shape [40000, 40000] and strides [0, 0] over a single stored float. */
export async function strideBombCheckpoint(dir: string): Promise<string> {
  const tensor = Buffer.concat([
    pickleGlobal('torch._utils', '_rebuild_tensor_v2'),
    Buffer.from('(('),
    pickleString('storage'),
    pickleGlobal('torch', 'FloatStorage'),
    pickleString('0'),
    pickleString('cpu'),
    pickleInt(1),
    Buffer.from('tQ'), // tuple, then BINPERSID
    pickleInt(0),
    Buffer.from('('),
    pickleInt(40000),
    pickleInt(40000),
    Buffer.from('t('),
    pickleInt(0),
    pickleInt(0),
    Buffer.from('t\x89', 'latin1'), // NEWFALSE: requires_grad
    pickleGlobal('collections', 'OrderedDict'),
    Buffer.from(')RtR'),
  ]);
  const pickle = Buffer.concat([PROTO_2, pickleGlobal('collections', 'OrderedDict'), Buffer.from(')R('), pickleString('conv_first.weight'), tensor, Buffer.from('u.')]);
  const path = join(dir, 'stride.pth');
  const one = new Uint8Array(new Float32Array([1]).buffer);
  await writeFile(path, zipArchive([storedEntry('archive/data.pkl', pickle), storedEntry('archive/byteorder', 'little'), storedEntry('archive/data/0', one)]));
  return path;
}

/** A pickle that would run `touch <canary>` if it were executed (as Python's pickle.loads would). */
export async function codeRunningCheckpoint(dir: string, canary: string): Promise<string> {
  const pickle = Buffer.concat([PROTO_2, pickleGlobal('os', 'system'), Buffer.from('('), pickleString(`touch ${canary}`), Buffer.from('tR.')]);
  const path = join(dir, 'evil.pth');
  await writeFile(path, zipArchive([storedEntry('archive/data.pkl', pickle), storedEntry('archive/byteorder', 'little')]));
  return path;
}

// ---- safetensors -----------------------------------------------------------------------------

/** A safetensors file with any header (objects JSON may hold) followed by `data`. */
export async function craftedSafetensors(dir: string, name: string, header: unknown, data: Uint8Array = new Uint8Array()): Promise<string> {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const path = join(dir, `${name}.safetensors`);
  await writeFile(path, Buffer.concat([length, json, data]));
  return path;
}

/** The shipped x4 model's header and data, to edit (its tensors are all there and right). */
export async function shippedModelParts(): Promise<{ header: Record<string, any>; data: Buffer }> {
  const bytes = await readFile(join(repoRoot, 'models/compact-x4.safetensors'));
  const length = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')), data: bytes.subarray(8 + length) };
}

export const compactMetadata = (options: Record<string, number> = { features: 48, convs: 10 }) => ({
  'enhance.arch': 'srvgg-compact',
  'enhance.scale': '4',
  'enhance.options': JSON.stringify(options),
});

// ---- ONNX ------------------------------------------------------------------------------------

type Dim = number | string;

function valueInfo(name: string, dims: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function onnxModel(graph: onnxProto.onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph }).finish();
}

/** 'input' [1, 3, h, w] resized to a fixed 1x3x<side>x<side>: 170 bytes that ask for 10 GB. */
export async function fixedHugeResizeOnnx(dir: string, side = 30000): Promise<string> {
  const sizes = { name: 'sizes', dims: [4], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(new BigInt64Array([1n, 3n, BigInt(side), BigInt(side)]).buffer) };
  const graph = {
    name: 'g',
    node: [{ opType: 'Resize', input: ['input', '', '', 'sizes'], output: ['output'] }],
    initializer: [sizes],
    input: [valueInfo('input', [1, 3, 'h', 'w'])],
    output: [valueInfo('output', [1, 3, side, side])],
  };
  const path = join(dir, 'resize.onnx');
  await writeFile(path, onnxModel(graph));
  return path;
}

/**
 * A working x2 SR model (nearest Resize by 2, plus a constant W of shape [1]) whose W lives in an
 * external data file named `location`, four bytes from `offset`.
 */
export async function externalDataOnnx(dir: string, location: string, name = 'external.onnx'): Promise<string> {
  const weight = {
    name: 'W',
    dims: [1],
    dataType: onnx.TensorProto.DataType.FLOAT,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: '0' },
      { key: 'length', value: '4' },
    ],
  };
  const scales = { name: 'scales', dims: [4], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [1, 1, 2, 2] };
  const graph = {
    name: 'g',
    node: [
      { opType: 'Resize', input: ['input', '', 'scales'], output: ['big'], attribute: [{ name: 'mode', s: new TextEncoder().encode('nearest'), type: onnx.AttributeProto.AttributeType.STRING }] },
      { opType: 'Add', input: ['big', 'W'], output: ['output'] },
    ],
    initializer: [weight, scales],
    input: [valueInfo('input', [1, 3, 'h', 'w'])],
    output: [valueInfo('output', [1, 3, 'H', 'W'])],
  };
  const path = join(dir, name);
  await writeFile(path, onnxModel(graph));
  return path;
}

// ---- ncnn ------------------------------------------------------------------------------------

/** An ncnn model whose Interp layer makes a fixed <side>x<side> output. */
export async function fixedHugeInterpNcnn(dir: string, side = 30000): Promise<string> {
  const path = join(dir, 'interp.param');
  await writeFile(path, `7767517\n2 2\nInput in 0 1 data 0=0 1=0 2=3\nInterp up 1 1 data output 0=1 3=${side} 4=${side}\n`);
  await writeFile(join(dir, 'interp.bin'), '');
  return path;
}

// ---- TF.js -----------------------------------------------------------------------------------

/**
 * A copy of the shuffle3 fixture (a real UpscalerJS-style model) in `<dir>/pkg/m/`, its one weight
 * shard renamed in the manifest to `shard`; returns the model.json path.
 */
export async function tfjsModelWithShard(dir: string, shard: string, name = 'model.json'): Promise<string> {
  const folder = join(dir, 'pkg', 'm');
  await mkdir(folder, { recursive: true });
  await cp(join(repoRoot, 'test/fixtures/tfjs/shuffle3-float32/group1-shard1of1.bin'), join(folder, 'group1-shard1of1.bin'));
  const json = JSON.parse(await readFile(join(repoRoot, 'test/fixtures/tfjs/shuffle3-float32/model.json'), 'utf8'));
  json.weightsManifest[0].paths = [shard];
  const path = join(folder, name);
  await writeFile(path, JSON.stringify(json));
  return path;
}

/** Bytes the shuffle3 fixture's weights take: a canary file of exactly this size would pass a size check. */
export const SHUFFLE3_WEIGHT_BYTES = 3024;

// ---- pictures --------------------------------------------------------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid all-black PNG of any size in a few hundred KB: its zlib stream is one deflated block of
 * zero rows repeated (a full flush makes each copy independent), then the Adler-32 of all-zero data.
 */
export async function hugeBlackPng(dir: string, name: string, width: number, height: number, bitDepth: 1 | 8): Promise<string> {
  const rowBytes = 1 + Math.ceil((width * bitDepth) / 8);
  const rowsPerPiece = Math.max(1, Math.floor((1 << 20) / rowBytes));
  const piece = deflateRawSync(Buffer.alloc(rowBytes * rowsPerPiece), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const rest = height % rowsPerPiece;
  const parts = [Buffer.from([0x78, 0xda]), ...Array.from({ length: Math.floor(height / rowsPerPiece) }, () => piece)];
  if (rest > 0) parts.push(deflateRawSync(Buffer.alloc(rowBytes * rest), { finishFlush: constants.Z_FULL_FLUSH }));
  parts.push(Buffer.from([0x03, 0x00]));
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((rowBytes * height) % 65521) * 65536 + 1) >>> 0); // a = 1, b = n for n zero bytes
  parts.push(adler);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = 0; // gray
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const path = join(dir, name);
  await writeFile(path, Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', Buffer.concat(parts)), pngChunk('IEND', Buffer.alloc(0))]));
  return path;
}

/** A well-formed ONNX graph onnxruntime refuses when it creates the session (an operator it has no kernel for). */
export async function unknownOperatorOnnx(dir: string): Promise<string> {
  const graph = {
    name: 'g',
    node: [{ opType: 'NoSuchOperator', input: ['input'], output: ['output'] }],
    input: [valueInfo('input', [1, 3, 'h', 'w'])],
    output: [valueInfo('output', [1, 3, 'h', 'w'])],
  };
  const path = join(dir, 'unknown-op.onnx');
  await writeFile(path, onnxModel(graph));
  return path;
}
