import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { EnhanceError } from '../../src/errors.js';
import { npyValuesAsFloat64, parseNpy, parseNpz, readNpy, readNpz, type NpyArray } from '../../src/io/npy.js';
import { repoRoot } from '../helpers.js';

// Written by NumPy itself: test/fixtures/npy/make_npy_fixtures.py.
const fixture = (name: string) => join(repoRoot, 'test/fixtures/npy', name);
const GRID = [-0.5, 0.5, 1.5, 9.5, 10.5, 11.5]; // 10 i + j - 0.5 over a 2x3 grid, row-major
const valuesOf = (array: NpyArray) => Array.from<number | bigint>(array.data);

describe('readNpy', () => {
  it('reads a row-major float64 array with its shape', async () => {
    const array = await readNpy(fixture('f8_c_2x3.npy'));
    expect(array.dtype).toBe('f8');
    expect(array.shape).toEqual([2, 3]);
    expect(valuesOf(array)).toEqual(GRID);
  });

  it('returns a Fortran-order array in row-major order', async () => {
    const array = await readNpy(fixture('f8_fortran_2x3.npy'));
    expect(array.shape).toEqual([2, 3]);
    expect(valuesOf(array)).toEqual(GRID);
  });

  it('reorders a Fortran-order array of three axes', async () => {
    const array = await readNpy(fixture('f8_fortran_2x3x4.npy'));
    expect(array.shape).toEqual([2, 3, 4]);
    const expected = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) expected.push(100 * i + 10 * j + k);
    expect(valuesOf(array)).toEqual(expected);
  });

  it('reads float32 as float32 and int64 exactly, beyond 2^53', async () => {
    const floats = await readNpy(fixture('f4_vector.npy'));
    expect(floats.dtype).toBe('f4');
    expect(floats.data).toEqual(Float32Array.of(1.5, -2.25, 0.125, 1e30));
    const integers = await readNpy(fixture('i8_2x2.npy'));
    expect(integers.dtype).toBe('i8');
    expect(valuesOf(integers)).toEqual([-3n, 2n ** 40n, 2n ** 60n + 1n, 0n]);
  });

  it('reads a scalar (shape ()) and a version 2.0 file', async () => {
    const scalar = await readNpy(fixture('f8_scalar.npy'));
    expect(scalar.shape).toEqual([]);
    expect(valuesOf(scalar)).toEqual([7.25]);
    expect(valuesOf(await readNpy(fixture('f8_version2.npy')))).toEqual([0.25, 0.5]);
  });

  it('reads from a Buffer that is a slice of a larger one', () => {
    const bytes = readFileSync(fixture('f8_c_2x3.npy'));
    const padded = Buffer.concat([Buffer.alloc(3), bytes]).subarray(3);
    expect(valuesOf(parseNpy(padded))).toEqual(GRID);
  });

  it.each([
    ['truncated.npy', /truncated\.npy: is truncated: shape \(2, 3\) of f8 needs 48 bytes of data, the file has 20/],
    ['not_npy.npy', /not_npy\.npy: is not a NumPy \.npy file/],
    ['big_endian_f8.npy', /big_endian_f8\.npy: has dtype '>f8'; only little-endian/],
    ['u1_vector.npy', /u1_vector\.npy: has dtype '\|u1'/],
  ])('refuses %s with a one-line error naming the file', async (name, message) => {
    const error = await readNpy(fixture(name)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnhanceError);
    expect((error as EnhanceError).message).toMatch(message);
    expect((error as EnhanceError).message).not.toContain('\n');
  });

  it('says when the file does not exist', async () => {
    await expect(readNpy(fixture('absent.npy'))).rejects.toThrow(/absent\.npy: no such file/);
  });
});

describe('readNpz', () => {
  it('reads every array of an np.savez archive by name', async () => {
    const arrays = await readNpz(fixture('stored.npz'));
    expect([...arrays.keys()].sort()).toEqual(['counts', 'weights']);
    expect(valuesOf(arrays.get('weights')!)).toEqual(GRID);
    expect(valuesOf(arrays.get('counts')!)).toEqual([4n, 5n, 6n]);
  });

  it('reads a compressed archive holding a Fortran-order array', async () => {
    const arrays = await readNpz(fixture('compressed.npz'));
    expect(arrays.get('weights')!.shape).toEqual([2, 3]);
    expect(valuesOf(arrays.get('weights')!)).toEqual(GRID);
    expect(arrays.get('scale')!.data).toEqual(Float32Array.of(0.5));
  });

  it('refuses a file that is not a zip archive', async () => {
    await expect(readNpz(fixture('f8_c_2x3.npy'))).rejects.toThrow(/f8_c_2x3\.npy: is not a NumPy \.npz file \(not a zip archive\)/);
  });

  it('refuses a truncated archive', () => {
    const cut = readFileSync(fixture('stored.npz')).subarray(0, 100);
    expect(() => parseNpz(cut, 'cut.npz')).toThrow(/^cut\.npz: is a truncated or corrupt zip archive/);
  });

  it('names the entry that is not an array', () => {
    const archive = zipSync({ 'good.npy': readFileSync(fixture('f8_c_2x3.npy')), 'bad.npy': readFileSync(fixture('not_npy.npy')) });
    expect(() => parseNpz(archive, 'mixed.npz')).toThrow(/^mixed\.npz: entry bad\.npy is not a NumPy \.npy file/);
  });
});

describe('npyValuesAsFloat64', () => {
  it('widens float32 and int64 values', async () => {
    expect(Array.from(npyValuesAsFloat64(await readNpy(fixture('f4_vector.npy'))))).toEqual([1.5, -2.25, 0.125, Math.fround(1e30)]);
    expect(Array.from(npyValuesAsFloat64(await readNpy(fixture('i8_2x2.npy'))))).toEqual([-3, 2 ** 40, 2 ** 60, 0]);
  });
});
