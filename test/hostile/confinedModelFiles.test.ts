import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, runCliMeasured, temporaryDirectory } from '../helpers.js';
import { codeRunningCheckpoint, externalDataOnnx, SHUFFLE3_WEIGHT_BYTES, tfjsModelWithShard } from './craftedFiles.js';
import { expectOneLineRefusal } from './expectations.js';

const picture = join(repoRoot, 'samples/chelsea.png');

/** A file outside the model's folder that a hostile model points at, of exactly the size the weights need. */
async function canaryBeside(dir: string): Promise<{ path: string; bytes: Buffer }> {
  const bytes = Buffer.alloc(SHUFFLE3_WEIGHT_BYTES, 0x41);
  bytes.write('CANARY-SECRET');
  const path = join(dir, 'secret.bin');
  await writeFile(path, bytes);
  return { path, bytes };
}

async function upscaleWith(model: string, dir: string) {
  const output = join(dir, 'out.png');
  return { output, result: await runCliMeasured(['upscale', picture, '--model', model, '-o', output], { timeoutSeconds: 20 }) };
}

describe('a model file never makes enhance read outside its own folder', () => {
  it("refuses a TF.js shard named by absolute path ('/etc/passwd')", async () => {
    const dir = await temporaryDirectory();
    const model = await tfjsModelWithShard(dir, '/etc/passwd');
    const { output, result } = await upscaleWith(model, dir);
    expect(expectOneLineRefusal(result, model, output)).toContain('absolute path');
    expect(result.stderr).not.toContain('root:');
  });

  it("refuses a shard that climbs out with '..' to a canary of the right size, and export writes nothing", async () => {
    const dir = await temporaryDirectory();
    await canaryBeside(dir);
    const model = await tfjsModelWithShard(dir, '../../secret.bin');
    const { output, result } = await upscaleWith(model, dir);
    expect(expectOneLineRefusal(result, model, output)).toContain("leads outside the model's folder");
    const exported = join(dir, 'secret.onnx');
    expectOneLineRefusal(await runCli(['export', '--model', model, '-o', exported]), model, exported);
  });

  it('refuses a shard that is a symbolic link inside the folder pointing at the canary', async () => {
    const dir = await temporaryDirectory();
    const canary = await canaryBeside(dir);
    const model = await tfjsModelWithShard(dir, 'linked.bin');
    await symlink(canary.path, join(dir, 'pkg', 'm', 'linked.bin'));
    const exported = join(dir, 'linked.onnx');
    const result = await runCli(['export', '--model', model, '-o', exported]);
    expect(expectOneLineRefusal(result, model, exported)).toContain("leads outside the model's folder");
  });

  it("refuses '/dev/zero' and a FIFO as shards at once (a FIFO would block a reader for ever)", async () => {
    const dir = await temporaryDirectory();
    const devZero = await tfjsModelWithShard(dir, '/dev/zero', 'zero.json');
    const fifo = await tfjsModelWithShard(dir, 'fifo', 'fifo.json');
    expect(spawnSync('mkfifo', [join(dir, 'pkg', 'm', 'fifo')]).status).toBe(0);
    for (const model of [devZero, fifo]) {
      const { output, result } = await upscaleWith(model, dir);
      expectOneLineRefusal(result, model, output);
      expect(result.seconds).toBeLessThan(3);
    }
    const { result } = await upscaleWith(fifo, dir);
    expect(result.stderr).toContain('not a regular file');
  });

  it('refuses a FIFO and a folder given as the model file', async () => {
    const dir = await temporaryDirectory();
    const fifo = join(dir, 'model.pth');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const fromFifo = await upscaleWith(fifo, dir);
    expect(expectOneLineRefusal(fromFifo.result, fifo, fromFifo.output)).toContain('not a regular file');
    expect(fromFifo.result.seconds).toBeLessThan(3);
    const folder = join(dir, 'models');
    await mkdir(folder);
    const fromFolder = await upscaleWith(folder, dir);
    expect(expectOneLineRefusal(fromFolder.result, folder, fromFolder.output)).toContain('is a folder');
  });

  it('resolves ONNX external data beside the model, never in the current folder', async () => {
    const dir = await temporaryDirectory();
    const modelDir = join(dir, 'model');
    const elsewhere = join(dir, 'cwd');
    await mkdir(modelDir);
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, 'weights.bin'), new Uint8Array(new Float32Array([0.5]).buffer)); // what onnxruntime used to read
    const model = await externalDataOnnx(modelDir, 'weights.bin');
    const missing = await runCli(['upscale', picture, '--model', model, '-o', join(dir, 'a.png')], { cwd: elsewhere });
    expect(expectOneLineRefusal(missing, model, join(dir, 'a.png'))).toContain("'weights.bin' is missing");

    await writeFile(join(modelDir, 'weights.bin'), new Uint8Array(new Float32Array([0]).buffer));
    const works = await runCli(['upscale', picture, '--model', model, '-o', join(dir, 'b.png')], { cwd: elsewhere });
    expect(works.code).toBe(0);
    expect(works.stderr.trim().split('\n')).toHaveLength(1); // the model's card, nothing else
    expect(existsSync(join(dir, 'b.png'))).toBe(true);
  });

  it('refuses ONNX external data that is a link to a file outside the folder', async () => {
    const dir = await temporaryDirectory();
    const modelDir = join(dir, 'model');
    await mkdir(modelDir);
    const canary = await canaryBeside(dir);
    await symlink(canary.path, join(modelDir, 'weights.bin'));
    const model = await externalDataOnnx(modelDir, 'weights.bin');
    const { output, result } = await upscaleWith(model, dir);
    expect(expectOneLineRefusal(result, model, output)).toContain("leads outside the model's folder");
  });

  it('never executes a pickle (a .pth whose pickle calls os.system)', async () => {
    const dir = await temporaryDirectory();
    const canary = join(dir, 'PWNED');
    const model = await codeRunningCheckpoint(dir, canary);
    const { output, result } = await upscaleWith(model, dir);
    expectOneLineRefusal(result, model, output);
    expect(existsSync(canary)).toBe(false);
  });
});

describe('onnxruntime telemetry stays off', () => {
  it('a model run leaves no mat-debug log, session file or telemetry database under a fresh HOME and TMPDIR', async () => {
    const dir = await temporaryDirectory();
    const [home, tmp] = [join(dir, 'home'), join(dir, 'tmp')];
    await mkdir(home);
    await mkdir(tmp);
    const { ORT_DISABLE_TELEMETRY: _, ...environment } = process.env;
    const output = join(dir, 'out.png');
    const result = await runCli(['upscale', picture, '-o', output], { env: { ...environment, HOME: home, TMPDIR: tmp, XDG_CACHE_HOME: join(home, '.cache') } });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(await readdir(tmp)).toEqual([]);
    expect(await readdir(home)).toEqual([]);
    expect((await readFile(output)).length).toBeGreaterThan(0);
  });
});
