import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import { loadModel, SHIPPED_MODELS_DIR } from '../../models/modelFile.js';

export function modelsCommand(): Command {
  return new Command('models').description('list the shipped models').action(async () => {
    let files: string[] = [];
    try {
      files = (await readdir(SHIPPED_MODELS_DIR)).filter((f) => f.endsWith('.safetensors')).sort();
    } catch {
      files = [];
    }
    if (files.length === 0) {
      process.stdout.write('no shipped models\n');
      return;
    }
    for (const file of files) {
      const { spec, info, state } = await loadModel(join(SHIPPED_MODELS_DIR, file));
      const parameters = [...state.values()].reduce((n, t) => n + t.data.length, 0);
      const quality = info['val.psnrY'] ? `, Set5 PSNR-Y ${info['val.psnrY']} dB` : '';
      process.stdout.write(`${basename(file, '.safetensors')}  x${spec.scale}  ${spec.arch} ${JSON.stringify(spec.options)}  ${parameters.toLocaleString('en')} parameters${quality}\n`);
    }
  });
}
