import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnhanceError } from '../../src/errors.js';
import type { TensorData } from '../../src/graph/tensorData.js';
import { parsePytorchCheckpoint, readPytorchStateDict } from '../../src/weights/pytorchFile.js';
import { repoRoot, temporaryDirectory } from '../helpers.js';

// Every checkpoint here was written by torch.save (test/fixtures/pytorch/make_pytorch_fixtures.py);
// expected.json holds the values torch.load read back from the same files, converted by torch to float32.
const fixtures = join(repoRoot, 'test/fixtures/pytorch');
const fixture = (name: string) => readFileSync(join(fixtures, name));
type Expected = Record<string, { shape: number[]; values: number[] }>;
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as { dtypes: Expected; views: Expected };

const valuesOf = (tensor: TensorData) => Array.from(tensor.data as ArrayLike<number | bigint>, Number);
const arange = (count: number, value: (i: number) => number) => Array.from({ length: count }, (_, i) => value(i));

/** The error a checkpoint's bytes raise, as the CLI would print it. */
function errorOf(bytes: Uint8Array, file: string): EnhanceError {
  try {
    parsePytorchCheckpoint(bytes, file);
  } catch (error) {
    expect(error).toBeInstanceOf(EnhanceError);
    expect((error as Error).message).not.toContain('\n');
    return error as EnhanceError;
  }
  throw new Error(`${file} was read without an error`);
}

describe.each(['zip', 'legacy'])('a %s-format checkpoint', (format) => {
  const dtypes = parsePytorchCheckpoint(fixture(`dtypes_${format}.pt`));
  const views = parsePytorchCheckpoint(fixture(`views_${format}.pt`));

  it.each(['float32', 'float16', 'bfloat16', 'float64'])('reads %s tensors as float32 with the values torch reads', (name) => {
    const tensor = dtypes.get(name)!;
    expect(tensor.dtype).toBe('float32');
    expect(tensor.data).toBeInstanceOf(Float32Array);
    expect(tensor.shape).toEqual(expected.dtypes[name].shape);
    expect(valuesOf(tensor)).toEqual(expected.dtypes[name].values);
  });

  it('reads the float32 tensor the generator made from arange exactly', () => {
    expect(valuesOf(dtypes.get('float32')!)).toEqual(arange(24, (i) => (i - 10) / 4));
  });

  it.each(['int64', 'int32', 'uint8'])('reads %s tensors as int64', (name) => {
    const tensor = dtypes.get(name)!;
    expect(tensor.dtype).toBe('int64');
    expect(tensor.data).toBeInstanceOf(BigInt64Array);
    expect(valuesOf(tensor)).toEqual(expected.dtypes[name].values);
  });

  it('reads bool tensors as bool, one byte per element', () => {
    const tensor = dtypes.get('bool')!;
    expect(tensor.dtype).toBe('bool');
    expect(Array.from(tensor.data as Uint8Array)).toEqual([1, 0, 1]);
  });

  it('reads a 0-d tensor with shape []', () => {
    expect(dtypes.get('scalar')).toEqual({ dtype: 'float32', shape: [], data: Float32Array.of(3.25) });
  });

  it('keeps the tensors in the order they were saved', () => {
    expect([...dtypes.keys()]).toEqual(Object.keys(expected.dtypes));
  });

  it.each(Object.keys(expected.views))('honours the storage offset and strides of the view %s', (name) => {
    expect(views.get(name)!.shape).toEqual(expected.views[name].shape);
    expect(valuesOf(views.get(name)!)).toEqual(expected.views[name].values);
  });

  it('reads a transposed view in its own row-major order', () => {
    // base = arange(20).reshape(4, 5); base.t()[r][c] = base[c][r] = 5c + r
    expect(valuesOf(views.get('transposed')!)).toEqual(arange(20, (i) => 5 * (i % 4) + Math.floor(i / 4)));
  });

  it('gives tensors that share a storage their own arrays', () => {
    const base = views.get('base')!.data as Float32Array;
    const shared = views.get('shared_flat')!.data as Float32Array;
    shared[0] = -1;
    expect(base[3]).toBe(3);
  });
});

describe('parsePytorchCheckpoint', () => {
  it('reads a zip whose entries are deflated, under any archive folder name', () => {
    const state = parsePytorchCheckpoint(fixture('deflated_zip.pt'));
    for (const [name, { shape, values }] of Object.entries(expected.views)) {
      expect(state.get(name)!.shape).toEqual(shape);
      expect(valuesOf(state.get(name)!)).toEqual(values);
    }
  });

  it("takes BasicSR's params_ema weights, buffers included, over params", () => {
    const state = parsePytorchCheckpoint(fixture('basicsr_zip.pth'));
    expect([...state.keys()]).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
    // The generator filled params_ema with (arange - 4) / 8 and params with its negation.
    expect(valuesOf(state.get('0.weight')!)).toEqual(arange(54, (i) => (i - 4) / 8));
    expect(state.get('0.weight')!.shape).toEqual([2, 3, 3, 3]);
    expect(valuesOf(state.get('1.running_var')!)).toEqual([-0.5, -0.375]);
    expect(state.get('1.num_batches_tracked')).toEqual({ dtype: 'int64', shape: [], data: BigInt64Array.of(5n) });
  });

  it("reads a legacy DataParallel state dict without the 'module.' prefix", () => {
    const state = parsePytorchCheckpoint(fixture('dataparallel_legacy.pth'));
    expect([...state.keys()]).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
    expect(valuesOf(state.get('0.bias')!)).toEqual([-0.5, -0.375]);
  });

  it('finds the state dict beside training metadata (numpy ints, a Namespace, an optimizer) and flattens it', () => {
    const state = parsePytorchCheckpoint(fixture('training_state_zip.pth'));
    expect([...state.keys()]).toEqual(['conv.weight', 'block.conv.bias']);
    expect(valuesOf(state.get('conv.weight')!)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(valuesOf(state.get('block.conv.bias')!)).toEqual([1, -1]);
  });

  it('converts float16 and bfloat16 subnormals, extremes, infinities, NaN and -0', () => {
    const state = parsePytorchCheckpoint(fixture('special_floats_zip.pt'));
    const half = valuesOf(state.get('float16')!);
    expect(half.slice(0, 5)).toEqual([2 ** -24, -(2 ** -14), 65504, Infinity, -Infinity]);
    expect(half[5]).toBeNaN();
    expect(Object.is(half[6], -0)).toBe(true);
    const brain = valuesOf(state.get('bfloat16')!);
    expect(brain.slice(0, 3)).toEqual([2 ** -133, (2 - 2 ** -7) * 2 ** 127, -Infinity]);
    expect(brain[3]).toBeNaN();
  });

  it('says random bytes are not a PyTorch checkpoint', () => {
    let seed = 12345;
    const random = Uint8Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
    expect(errorOf(random, 'noise.pth').message).toBe('noise.pth: is not a PyTorch checkpoint (neither a zip archive nor a legacy torch.save file)');
    expect(errorOf(new Uint8Array(0), 'empty.pth').message).toBe('empty.pth: is not a PyTorch checkpoint (neither a zip archive nor a legacy torch.save file)');
  });

  it('says a zip checkpoint cut short is truncated', () => {
    const whole = fixture('dtypes_zip.pt');
    expect(errorOf(whole.subarray(0, whole.length >> 1), 'cut.pt').message).toMatch(/^cut\.pt: is a truncated or corrupt zip archive \(.+\)$/);
  });

  it('says a legacy checkpoint cut inside its storages is truncated, naming the storage', () => {
    const whole = fixture('dtypes_legacy.pt');
    const message = errorOf(whole.subarray(0, whole.length - 2), 'cut.pt').message;
    const [, needed, left] = message.match(/^cut\.pt: ends inside storage \d+: it needs (\d+) bytes, the file has (\d+) left \(the file is truncated\)$/) ?? [];
    expect(Number(needed) - Number(left)).toBe(2); // the last storage, 2 bytes short
  });

  it('says a legacy checkpoint cut inside its pickle is truncated', () => {
    expect(errorOf(fixture('dtypes_legacy.pt').subarray(0, 400), 'cut.pt').message).toBe('cut.pt: the pickle ends early at byte 400 (the file is truncated)');
  });

  it('lists the top-level keys of a checkpoint that holds no tensors', () => {
    expect(errorOf(fixture('no_tensors_zip.pth'), 'meta.pth').message).toBe('meta.pth: holds no tensors (top-level keys: epoch, name)');
  });

  it('names the rebuild function of a tensor it cannot read', () => {
    expect(errorOf(fixture('sparse_zip.pt'), 'sparse.pt').message).toBe(
      'sparse.pt: holds a tensor saved with torch._utils._rebuild_sparse_tensor, which cannot be read (only dense tensors can)',
    );
  });

  it('names a pickle opcode it does not support', () => {
    expect(errorOf(fixture('extension_opcode_zip.pt'), 'ext.pt').message).toBe('ext.pt: unsupported pickle opcode EXT1 (a copyreg extension code) at byte 2');
  });
});

describe('readPytorchStateDict', () => {
  it('reads a checkpoint from disk as parsePytorchCheckpoint reads its bytes', async () => {
    const fromDisk = await readPytorchStateDict(join(fixtures, 'views_legacy.pt'));
    expect(fromDisk).toEqual(parsePytorchCheckpoint(fixture('views_legacy.pt')));
  });

  it('names the file in its errors', async () => {
    const dir = await temporaryDirectory();
    await writeFile(join(dir, 'notes.pth'), 'just some text\n');
    await expect(readPytorchStateDict(join(dir, 'notes.pth'))).rejects.toThrow(`${join(dir, 'notes.pth')}: is not a PyTorch checkpoint`);
    await expect(readPytorchStateDict(join(dir, 'missing.pth'))).rejects.toThrow(`${join(dir, 'missing.pth')}: no such file`);
  });
});
