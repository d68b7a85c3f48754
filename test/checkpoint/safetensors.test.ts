import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors } from '../../src/checkpoint/safetensors.js';
import type { TensorData } from '../../src/graph/tensorData.js';
import { temporaryDirectory } from '../helpers.js';

/** A safetensors file assembled byte by byte from the format's specification, independently of our encoder. */
function handMadeFile(header: object, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips float32, int64 and bool tensors and string metadata through a file', async () => {
    const dir = await temporaryDirectory();
    const tensors = new Map<string, TensorData>([
      ['body.0.weight', { dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 4, 5, 6]) }],
      ['step', { dtype: 'int64', shape: [], data: BigInt64Array.from([123n]) }],
      ['mask', { dtype: 'bool', shape: [3], data: Uint8Array.from([1, 0, 1]) }],
    ]);
    await writeSafetensors(join(dir, 'model.safetensors'), tensors, { arch: 'rrdbnet', scale: '4' });
    const back = await readSafetensors(join(dir, 'model.safetensors'));
    expect(back.metadata).toEqual({ arch: 'rrdbnet', scale: '4' });
    expect([...back.tensors.keys()]).toEqual(['body.0.weight', 'step', 'mask']);
    expect(Array.from(back.tensors.get('body.0.weight')!.data as Float32Array)).toEqual([1, -2, 3.5, 4, 5, 6]);
    expect(back.tensors.get('step')!.data[0]).toBe(123n);
    expect(Array.from(back.tensors.get('mask')!.data as Uint8Array)).toEqual([1, 0, 1]);
  });

  it('puts the data 8-byte aligned after the header, as the format requires', () => {
    const bytes = encodeSafetensors(new Map([['a', { dtype: 'float32', shape: [1], data: Float32Array.of(1) }]]));
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
  });

  it('reads a file made from the specification, including float16 and bfloat16 tensors', () => {
    const data = new Uint8Array(4 + 4 + 8);
    const view = new DataView(data.buffer);
    view.setUint16(0, 0x3c00, true); // f16 1.0
    view.setUint16(2, 0xc000, true); // f16 -2.0
    view.setUint16(4, 0x3f80, true); // bf16 1.0
    view.setUint16(6, 0x4040, true); // bf16 3.0
    view.setFloat32(8, 0.5, true);
    view.setFloat32(12, -0.25, true);
    const file = handMadeFile(
      {
        h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
        b: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] },
        f: { dtype: 'F32', shape: [2, 1], data_offsets: [8, 16] },
      },
      data,
    );
    const { tensors } = decodeSafetensors(file);
    expect(Array.from(tensors.get('h')!.data as Float32Array)).toEqual([1, -2]);
    expect(Array.from(tensors.get('b')!.data as Float32Array)).toEqual([1, 3]);
    expect(Array.from(tensors.get('f')!.data as Float32Array)).toEqual([0.5, -0.25]);
    expect(tensors.get('f')!.shape).toEqual([2, 1]);
  });

  it('names the file and the problem when it is truncated or not safetensors', async () => {
    const dir = await temporaryDirectory();
    const good = encodeSafetensors(new Map([['w', { dtype: 'float32', shape: [4], data: new Float32Array(4) }]]));
    await writeFile(join(dir, 'cut.safetensors'), good.subarray(0, good.length - 3));
    await expect(readSafetensors(join(dir, 'cut.safetensors'))).rejects.toThrow(/cut\.safetensors: not a valid safetensors file: tensor 'w'/);
    await writeFile(join(dir, 'text.safetensors'), 'hello, this is text');
    await expect(readSafetensors(join(dir, 'text.safetensors'))).rejects.toThrow(/text\.safetensors: not a valid safetensors file/);
    expect((await readFile(join(dir, 'text.safetensors'))).length).toBeGreaterThan(0);
  });
});
