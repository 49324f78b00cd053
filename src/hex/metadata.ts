/**
 * Hex package metadata (metadata.config): decoding the Erlang terms into a
 * typed record, and encoding a record the way hex_core does
 * (`hex_tarball:encode_metadata/1`: one pretty-printed `{Key, Value}.` per
 * map entry, keys in Erlang term order, maps turned into lists of pairs).
 * See hexpm/specifications package_metadata.md.
 */
import type { Term } from '../terms/index.js';
import { bin, bool, compareBinaries, int, list, prettyPrint, tuple, type EValue } from './erlang-pretty.js';

export interface HexRequirement {
  /** Hex package name of the dependency. */
  name: string;
  app: string;
  requirement: string;
  optional: boolean;
  repository: string;
}

export interface HexMetadata {
  name: string;
  version: string;
  app?: string;
  description?: string;
  licenses: string[];
  buildTools: string[];
  requirements: HexRequirement[];
  /** Link title -> URL. */
  links: Record<string, string>;
  files: string[];
  elixir?: string;
  maintainers?: string[];
}

export class MetadataError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/**
 * A metadata string. hex_core prints binaries outside the latin1 printable
 * range as byte lists (`<<230,151,165>>`); the term parser already reads
 * those as the UTF-8 text they encode.
 */
function text(t: Term | undefined): string | undefined {
  return t && (t.kind === 'binary' || t.kind === 'charlist') ? t.value : undefined;
}

function fail(t: Term, what: string): never {
  throw new MetadataError(what, t.loc.line, t.loc.column);
}

function stringList(t: Term, key: string): string[] {
  if (t.kind !== 'list') fail(t, `"${key}" must be a list of strings`);
  return t.items.map((i) => text(i) ?? fail(i, `"${key}" must be a list of strings`));
}

/** A proplist `[{K, V}]` or a map `#{K => V}` as ordered pairs. */
function pairs(t: Term, key: string): [string, Term][] {
  if (t.kind === 'map') return t.entries.map(([k, v]) => [text(k) ?? fail(k, `"${key}" keys must be strings`), v]);
  if (t.kind !== 'list') fail(t, `"${key}" must be a list of pairs or a map`);
  return t.items.map((i) => {
    if (i.kind !== 'tuple' || i.items.length !== 2) fail(i, `"${key}" must be a list of pairs`);
    return [text(i.items[0]) ?? fail(i.items[0]!, `"${key}" keys must be strings`), i.items[1]!];
  });
}

function requirementFrom(name: string, fields: [string, Term][], at: Term): HexRequirement {
  const get = (k: string) => fields.find(([fk]) => fk === k)?.[1];
  const requirement = get('requirement');
  const optional = get('optional');
  const req: HexRequirement = {
    name,
    app: text(get('app')) ?? name,
    requirement: requirement ? (text(requirement) ?? fail(requirement, `requirement of ${name} must be a string`)) : '',
    optional: optional?.kind === 'atom' && optional.value === 'true',
    repository: text(get('repository')) ?? 'hexpm',
  };
  if (requirement === undefined) fail(at, `requirement of ${name} has no "requirement"`);
  return req;
}

function requirements(t: Term): HexRequirement[] {
  // Legacy form (hex_core normalize_legacy_requirement): a list of proplists carrying "name".
  if (t.kind === 'list' && t.items.length > 0 && t.items[0]!.kind === 'list') {
    return t.items.map((item) => {
      const fields = pairs(item, 'requirements');
      const name = text(fields.find(([k]) => k === 'name')?.[1]) ?? fail(item, 'legacy requirement without "name"');
      return requirementFrom(name, fields, item);
    });
  }
  return pairs(t, 'requirements').map(([name, v]) => requirementFrom(name, pairs(v, `requirements.${name}`), v));
}

/** Turn parsed metadata.config terms into a `HexMetadata`. */
export function decodeMetadata(terms: Term[]): HexMetadata {
  const map = new Map<string, Term>();
  for (const t of terms) {
    if (t.kind !== 'tuple' || t.items.length !== 2) fail(t, 'metadata.config must hold {Key, Value} tuples');
    const key = text(t.items[0]) ?? fail(t.items[0]!, 'metadata key must be a string');
    // maps:from_list/1 keeps the last value for a repeated key.
    map.set(key, t.items[1]!);
  }
  const req = (k: string): string => {
    const v = map.get(k);
    if (v === undefined) throw new MetadataError(`metadata.config has no "${k}"`);
    return text(v) ?? fail(v, `"${k}" must be a string`);
  };
  const opt = (k: string): string | undefined => {
    const v = map.get(k);
    return v === undefined ? undefined : (text(v) ?? fail(v, `"${k}" must be a string`));
  };
  const md: HexMetadata = {
    name: req('name'),
    version: req('version'),
    licenses: map.has('licenses') ? stringList(map.get('licenses')!, 'licenses') : [],
    buildTools: map.has('build_tools') ? stringList(map.get('build_tools')!, 'build_tools') : [],
    requirements: map.has('requirements') ? requirements(map.get('requirements')!) : [],
    links: {},
    files: map.has('files') ? stringList(map.get('files')!, 'files') : [],
  };
  const app = opt('app');
  if (app !== undefined) md.app = app;
  const description = opt('description');
  if (description !== undefined) md.description = description;
  const elixir = opt('elixir');
  if (elixir !== undefined) md.elixir = elixir;
  if (map.has('maintainers')) md.maintainers = stringList(map.get('maintainers')!, 'maintainers');
  if (map.has('links')) {
    for (const [k, v] of pairs(map.get('links')!, 'links')) md.links[k] = text(v) ?? fail(v, `link "${k}" must be a string`);
  }
  return md;
}

/** The fields `createHexTarball` accepts, in the shapes Hex's own metadata uses. */
export interface HexMetadataSpec {
  name: string;
  version: string;
  app?: string;
  description?: string;
  licenses?: string[];
  build_tools?: string[];
  requirements?: Record<string, { app?: string; requirement: string; optional?: boolean; repository?: string }>;
  links?: Record<string, string>;
  elixir?: string;
  /** Deprecated by Hex but still present in older packages. */
  maintainers?: string[];
}

const byKey = <T>(entries: [string, T][]): [string, T][] => [...entries].sort((a, b) => compareBinaries(a[0], b[0]));

/** Serialise metadata exactly as hex_core's `encode_metadata/1` would. */
export function encodeMetadata(spec: HexMetadataSpec, files: string[]): string {
  const entries: [string, EValue][] = [
    ['app', bin(spec.app ?? spec.name)],
    ['build_tools', list((spec.build_tools ?? []).map(bin))],
    ['description', bin(spec.description ?? '')],
    ['files', list(files.map(bin))],
    ['licenses', list((spec.licenses ?? []).map(bin))],
    ['links', list(byKey(Object.entries(spec.links ?? {})).map(([k, v]) => tuple(bin(k), bin(v))))],
    ['name', bin(spec.name)],
    [
      'requirements',
      list(
        byKey(Object.entries(spec.requirements ?? {})).map(([name, r]) =>
          tuple(
            bin(name),
            list([
              tuple(bin('app'), bin(r.app ?? name)),
              tuple(bin('optional'), bool(r.optional ?? false)),
              tuple(bin('repository'), bin(r.repository ?? 'hexpm')),
              tuple(bin('requirement'), bin(r.requirement)),
            ]),
          ),
        ),
      ),
    ],
    ['version', bin(spec.version)],
  ];
  if (spec.elixir !== undefined) entries.push(['elixir', bin(spec.elixir)]);
  if (spec.maintainers !== undefined) entries.push(['maintainers', list(spec.maintainers.map(bin))]);
  return byKey(entries)
    .map(([k, v]) => prettyPrint(tuple(bin(k), v)) + '.\n')
    .join('');
}

function termValue(t: Term): EValue {
  switch (t.kind) {
    case 'binary':
      return bin(t.value);
    case 'integer':
      return int(t.value);
    case 'atom':
      if (t.value === 'true' || t.value === 'false' || t.value === 'nil') return { t: 'atom', v: t.value };
      break;
    case 'list':
      return list(t.items.map(termValue));
    case 'tuple':
      return tuple(...t.items.map(termValue));
    default:
      break;
  }
  throw new MetadataError(`cannot re-encode ${t.kind} terms`, t.loc.line, t.loc.column);
}

/** Re-encode parsed metadata terms as hex_core prints them (one `Term.` per line group). */
export function encodeTerms(terms: Term[]): string {
  return terms.map((t) => prettyPrint(termValue(t)) + '.\n').join('');
}
