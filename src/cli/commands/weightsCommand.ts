import { Command } from 'commander';
import { howToGet, KNOWN_WEIGHTS, listWeights, registerWeights, weightsRegistryPath } from '../../weights/weightsRegistry.js';

function addCommand(): Command {
  return new Command('add')
    .description('check a weights file and register it under a name (its SHA-256 is recorded)')
    .argument('<name>', `which weights: ${Object.keys(KNOWN_WEIGHTS).join(', ')}`)
    .argument('<file>', 'a PyTorch .pth, .safetensors or ONNX file; or random:<seed> for seeded random weights (tests only: no perceptual meaning)')
    .action(async (name: string, file: string) => {
      const entry = await registerWeights(name, file);
      const checksum = entry.sha256 ? `, SHA-256 ${entry.sha256}` : '';
      process.stdout.write(`registered ${entry.name}: ${entry.path} (${entry.format}${checksum})\n`);
    });
}

function listCommand(): Command {
  return new Command('list').description('show registered weights, and how to get the others').action(async () => {
    const registered = new Map((await listWeights()).map((entry) => [entry.name, entry]));
    process.stdout.write(`registry: ${weightsRegistryPath()}\n`);
    for (const name of Object.keys(KNOWN_WEIGHTS)) {
      const entry = registered.get(name);
      const line = entry ? `${entry.path} (${entry.format}${entry.sha256 ? `, SHA-256 ${entry.sha256.slice(0, 16)}...` : ''})` : `not registered: ${howToGet(name)}`;
      process.stdout.write(`${name}  ${line}\n`);
    }
  });
}

export function weightsCommand(): Command {
  const command = new Command('weights').description('register pretrained weights that losses and metrics need (VGG for perceptual losses, AlexNet/VGG16 and LPIPS layer weights for LPIPS); nothing is downloaded');
  for (const subcommand of [addCommand(), listCommand()]) {
    // main() turns usage errors into one line; it configures top-level commands only, so these need it too.
    command.addCommand(subcommand.exitOverride().configureOutput({ outputError: () => {} }));
  }
  return command.addHelpText(
      'after',
      `
Examples:
  enhance weights add vgg19 ~/Downloads/vgg19-dcbb9e9d.pth
  enhance weights add alexnet ~/Downloads/alexnet-owt-7be5be79.pth
  enhance weights add lpips-alex PerceptualSimilarity/lpips/weights/v0.1/alex.pth
  enhance weights list`,
    );
}
