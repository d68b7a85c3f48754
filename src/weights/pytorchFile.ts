import { unzipSync, type Unzipped } from 'fflate';
import { EnhanceError, isEnhanceError } from '../errors.js';
import type { TensorData } from '../graph/tensorData.js';
import type { StateDict } from '../nn/buildContext.js';
import { PythonObject, unpickle, type Unpickled } from './pickle.js';
import { findPythonGlobal } from './pythonGlobals.js';
import { chooseStateDict } from './stateDictWrappers.js';
import { findTorchGlobal, StorageType, StoredTensor, TorchStorage } from './torchTensor.js';
import { readInputFile } from '../io/readInputFile.js';
import { latin1Text } from '../io/latin1.js';

/**
 * PyTorch checkpoints (.pth / .pt), read without Python. torch.save writes one of two layouts:
 * - zip (torch >= 1.6): `<archive>/data.pkl` and one `<archive>/data/<key>` entry of raw bytes per storage;
 * - legacy (`_use_new_zipfile_serialization=False`, and every file before torch 1.6): pickles of a magic
 *   number, the protocol version and sys_info; the main pickle; the sorted list of storage keys; then each
 *   storage as an 8-byte little-endian element count followed by its bytes.
 * In both, the main pickle names storages by persistent id: ('storage', <Type>Storage, key, location, numel),
 * plus view metadata in the legacy layout.
 */

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;
const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04]; // a zip local file header, 'PK\3\4'

function findGlobal(module: string, name: string): unknown {
  return findTorchGlobal(module, name) ?? findPythonGlobal(module, name);
}

function isZip(bytes: Uint8Array): boolean {
  return ZIP_SIGNATURE.every((byte, i) => bytes[i] === byte);
}

/** The parts of a storage's persistent id: ('storage', storage type, key, location, numel[, view]). */
function storageReference(id: unknown): { type: StorageType; key: string; numel: unknown; view: unknown } {
  if (!Array.isArray(id) || id[0] !== 'storage' || !(id[1] instanceof StorageType) || typeof id[2] !== 'string') {
    throw new EnhanceError('is corrupt: a persistent id in its pickle is not a storage');
  }
  return { type: id[1], key: id[2], numel: id[4], view: id[5] ?? null };
}

function bigEndianError(): EnhanceError {
  return new EnhanceError('was saved on a big-endian machine, which is not supported');
}

/** The zip entries `wanted` picks, inflated; declared (uncompressed) sizes are checked before inflating. */
function unzipEntries(bytes: Uint8Array, wanted: (name: string, declaredSize: number) => boolean): Unzipped {
  try {
    return unzipSync(bytes, { filter: (file) => wanted(file.name, file.originalSize) });
  } catch (error) {
    if (isEnhanceError(error)) throw error;
    throw new EnhanceError(`is a truncated or corrupt zip archive (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** A pickle larger than this is no state dict (RealESRGAN_x4plus's data.pkl: 60 KB). */
const MAX_PICKLE_BYTES = 64 * 1024 * 1024;

/**
 * Two passes over the archive, so that nothing is inflated that the checkpoint does not need: first the
 * pickle and the small marker entries, then only the storages the pickle names, each no larger than
 * the element count its persistent id declares (a zip bomb's entries are never inflated).
 */
function readZipCheckpoint(bytes: Uint8Array): unknown {
  const small = new Set(['data.pkl', 'constants.pkl', 'byteorder']);
  const marker = (name: string) => small.has(name.slice(name.lastIndexOf('/') + 1));
  const metadata = unzipEntries(bytes, (name, size) => {
    if (!marker(name)) return false;
    if (size > MAX_PICKLE_BYTES) throw new EnhanceError(`has a ${size}-byte ${name}, too large for a checkpoint's pickle`);
    return true;
  });
  const entry = (name: string): Uint8Array | undefined => (Object.hasOwn(metadata, name) ? metadata[name] : undefined);
  // The archive folder is named after the file torch.save wrote ('archive' for a buffer), so look for it.
  const pickleName = Object.keys(metadata)
    .filter((name) => name === 'data.pkl' || name.endsWith('/data.pkl'))
    .sort((a, b) => a.split('/').length - b.split('/').length)[0];
  if (!pickleName) throw new EnhanceError('is a zip archive without a data.pkl, not a PyTorch checkpoint');
  const folder = pickleName.slice(0, -'data.pkl'.length);
  if (entry(`${folder}constants.pkl`)) {
    throw new EnhanceError('is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save the state dict with torch.save');
  }
  const byteOrder = entry(`${folder}byteorder`);
  if (byteOrder && latin1Text(byteOrder) !== 'little') throw bigEndianError();

  const storages = new Map<string, { storage: TorchStorage; bytes: number }>();
  const persistentLoad = (id: unknown): TorchStorage => {
    const { type, key, numel } = storageReference(id);
    let record = storages.get(key);
    if (!record) {
      if (!Number.isSafeInteger(numel) || (numel as number) < 0) throw new EnhanceError(`is corrupt: storage ${key} declares ${String(numel)} elements`);
      record = { storage: new TorchStorage(type), bytes: (numel as number) * (type.elementBytes ?? 1) };
      storages.set(key, record);
    }
    return record.storage;
  };
  const checkpoint = unpickle(entry(pickleName)!, { findGlobal, persistentLoad }).value;

  const byName = new Map([...storages].map(([key, record]) => [`${folder}data/${key}`, record]));
  const data = unzipEntries(bytes, (name, size) => {
    const record = byName.get(name);
    if (!record) return false;
    if (size > record.bytes) throw new EnhanceError(`is corrupt: entry ${name} is ${size} bytes, but its storage needs ${record.bytes}`);
    return true;
  });
  for (const [name, record] of byName) {
    if (!Object.hasOwn(data, name)) throw new EnhanceError(`has no entry ${name.slice(folder.length)} for one of its storages (the file is truncated or corrupt)`);
    record.storage.bytes = data[name];
  }
  return checkpoint;
}

function readLegacyCheckpoint(bytes: Uint8Array): unknown {
  let magic: Unpickled | undefined;
  try {
    magic = unpickle(bytes);
  } catch {
    magic = undefined; // not even one pickle at the start
  }
  if (magic?.value !== LEGACY_MAGIC) throw new EnhanceError('is not a PyTorch checkpoint (neither a zip archive nor a legacy torch.save file)');
  const version = unpickle(bytes, {}, magic.end);
  if (version.value !== LEGACY_PROTOCOL_VERSION) {
    throw new EnhanceError(`uses legacy serialization protocol ${String(version.value)}; only ${LEGACY_PROTOCOL_VERSION} is supported`);
  }
  const systemInfo = unpickle(bytes, {}, version.end);
  if (systemInfo.value instanceof Map && systemInfo.value.get('little_endian') === false) throw bigEndianError();

  const storages = new Map<string, { storage: TorchStorage; numel: unknown }>();
  const persistentLoad = (id: unknown): unknown => {
    if (Array.isArray(id) && id[0] === 'module') return id[1]; // a pickled nn.Module class and its source
    const { type, key, numel, view } = storageReference(id);
    if (view !== null) throw new EnhanceError('uses storage views, a pre-1.0 layout that is not supported');
    if (!storages.has(key)) storages.set(key, { storage: new TorchStorage(type), numel });
    return storages.get(key)!.storage;
  };
  const main = unpickle(bytes, { findGlobal, persistentLoad }, systemInfo.end);
  const keys = unpickle(bytes, {}, main.end);
  if (!Array.isArray(keys.value)) throw new EnhanceError('is corrupt: the list of storage keys after its pickle is missing');

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = keys.end;
  for (const key of keys.value) {
    const record = storages.get(String(key));
    if (!record) throw new EnhanceError(`is corrupt: it lists storage ${String(key)}, which its pickle never uses`);
    const { qualifiedName, elementBytes } = record.storage.type;
    if (elementBytes === undefined) throw new EnhanceError(`holds a ${qualifiedName}, which cannot be read`);
    if (position + 8 > bytes.length) throw new EnhanceError(`ends before storage ${String(key)} (the file is truncated)`);
    const count = Number(view.getBigInt64(position, true));
    if (count !== record.numel) throw new EnhanceError(`is corrupt: storage ${String(key)} should hold ${String(record.numel)} elements, not ${count}`);
    const length = count * elementBytes;
    position += 8;
    if (position + length > bytes.length) {
      throw new EnhanceError(`ends inside storage ${String(key)}: it needs ${length} bytes, the file has ${bytes.length - position} left (the file is truncated)`);
    }
    record.storage.bytes = bytes.subarray(position, position + length);
    position += length;
  }
  return main.value;
}

function describeContents(checkpoint: unknown): string {
  if (checkpoint instanceof Map) return `top-level keys: ${[...checkpoint.keys()].map(String).join(', ') || 'none'}`;
  if (checkpoint instanceof PythonObject) return `it is a pickled ${checkpoint.type.qualifiedName} object, not a state dict`;
  return `it is ${checkpoint === null ? 'None' : Array.isArray(checkpoint) ? 'a list' : `a ${typeof checkpoint}`}`;
}

function tensorValues(name: string, tensor: StoredTensor): TensorData {
  try {
    return tensor.toTensorData();
  } catch (error) {
    throw isEnhanceError(error) ? new EnhanceError(`tensor '${name}' ${error.message}`, { cause: error }) : error;
  }
}

/**
 * The network weights in a PyTorch checkpoint, by state-dict name: float tensors (float32, float16,
 * bfloat16, float64) as float32, integer tensors as int64, bool tensors as bool. Reads both torch.save
 * layouts and finds the weights inside training wrappers (see `chooseStateDict`). Nothing in the file is
 * executed. Throws an `EnhanceError` naming `file` when the bytes are not a readable checkpoint.
 */
export function parsePytorchCheckpoint(bytes: Uint8Array, file?: string): StateDict {
  const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength); // a Buffer's slice() would share memory
  try {
    const checkpoint = isZip(plain) ? readZipCheckpoint(plain) : readLegacyCheckpoint(plain);
    const stored = chooseStateDict(checkpoint, (value): value is StoredTensor => value instanceof StoredTensor);
    if (stored.size === 0) throw new EnhanceError(`holds no tensors (${describeContents(checkpoint)})`);
    return new Map([...stored].map(([name, tensor]) => [name, tensorValues(name, tensor)]));
  } catch (error) {
    throw file !== undefined && isEnhanceError(error) && error.file === undefined ? new EnhanceError(error.message, { file, cause: error }) : error;
  }
}

/** `parsePytorchCheckpoint` of a file on disk. */
export async function readPytorchStateDict(path: string): Promise<StateDict> {
  return parsePytorchCheckpoint(await readInputFile(path, 'checkpoint'), path);
}
