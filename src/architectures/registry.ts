import type { Dim } from '../graph/shape.js';
import type { Value } from '../graph/value.js';
import type { BuildContext } from '../nn/buildContext.js';
import type { Architecture, ModelSpec, TilingTraits } from './architecture.js';
import { autoencoderArchitecture } from './autoencoder/descriptor.js';
import { datArchitecture } from './dat/descriptor.js';
import { edsrArchitecture } from './edsr/descriptor.js';
import { hatArchitecture } from './hat/descriptor.js';
import { msrresnetArchitecture } from './msrresnet/descriptor.js';
import { omnisrArchitecture } from './omnisr/descriptor.js';
import { plksrArchitecture } from './plksr/descriptor.js';
import { realplksrArchitecture } from './realplksr/descriptor.js';
import { rrdbnetArchitecture } from './rrdbnet/descriptor.js';
import { spanArchitecture } from './span/descriptor.js';
import { srcnnArchitecture } from './srcnn/descriptor.js';
import { swinirArchitecture } from './swinir/descriptor.js';
import { srresnetArchitecture } from './srresnet/descriptor.js';
import { srvggCompactArchitecture } from './srvggCompact/descriptor.js';
import { unetArchitecture } from './unet/descriptor.js';
import type { WeightLayout } from './weightLayout.js';

/**
 * Every architecture enhance builds, trains and reads weights of. The order is the order weight
 * layouts are tried in (an architecture whose keys are a superset of another's comes first, as
 * spandrel tries HAT before SwinIR). Adding an architecture = its folder + one line here.
 */
export const ARCHITECTURES = [
  rrdbnetArchitecture,
  srvggCompactArchitecture,
  spanArchitecture,
  hatArchitecture,
  swinirArchitecture,
  datArchitecture,
  omnisrArchitecture,
  realplksrArchitecture,
  plksrArchitecture,
  msrresnetArchitecture,
  edsrArchitecture,
  srresnetArchitecture,
  srcnnArchitecture,
  autoencoderArchitecture,
  unetArchitecture,
] as const;

export type ArchitectureName = (typeof ARCHITECTURES)[number]['name'];
export const ARCHITECTURE_NAMES = ARCHITECTURES.map((a) => a.name) as [ArchitectureName, ...ArchitectureName[]];

/** Any architecture of the list, its options seen as a plain record (they are checked by its schema first). */
export type AnyArchitecture = Architecture<ArchitectureName, Record<string, number | string>>;

/** The architecture of that name, or undefined (a name such as '__proto__' finds nothing). */
export function architectureNamed(name: string): AnyArchitecture | undefined {
  return (ARCHITECTURES as unknown as readonly AnyArchitecture[]).find((a) => a.name === name);
}

export function isArchitectureName(name: string): name is ArchitectureName {
  return architectureNamed(name) !== undefined;
}

/** Every weight layout, in the order they are tried. */
export const WEIGHT_LAYOUTS: readonly WeightLayout[] = ARCHITECTURES.flatMap((a) => a.layouts);

/** The architecture of a spec and its options checked, defaults filled in; throws for a spec no reader should have made. */
export function resolveSpec(spec: ModelSpec): { architecture: AnyArchitecture; options: Record<string, number | string> } {
  const architecture = architectureNamed(spec.arch);
  if (!architecture) throw new Error(`unknown architecture '${spec.arch}' (known: ${ARCHITECTURE_NAMES.join(', ')})`);
  return { architecture, options: architecture.options.parse(spec.options) };
}

/** Build the network a spec describes on input `x` (NCHW in [0, 1]). */
export function buildNetwork(spec: ModelSpec, ctx: BuildContext, x: Value): Value {
  const { architecture, options } = resolveSpec(spec);
  return architecture.build(ctx, x, spec.scale, options);
}

/** What tiling needs to know about a network, and one line for people: "srvgg-compact x4 (features 48, convs 10)". */
export function traitsOf(spec: ModelSpec): TilingTraits & { description: string } {
  const { architecture, options } = resolveSpec(spec);
  const description = `${spec.arch} x${spec.scale} (${Object.entries(spec.options).map(([k, v]) => `${k} ${v}`).join(', ') || 'defaults'})`;
  return { ...architecture.traits(options, spec.scale), description };
}
export type { ModelSpec } from './architecture.js';

/**
 * The input a spec's network is built on when only its weights matter (checking a file, counting):
 * any size, unless the network is built for one size; then the smallest it takes.
 */
export function probeInputDims(spec: ModelSpec): [Dim, Dim] {
  const traits = traitsOf(spec);
  if (!traits.perShapeGraph) return ['height', 'width'];
  const side = Math.ceil(traits.minimumSize / traits.sizeMultiple) * traits.sizeMultiple;
  return [side, side];
}
