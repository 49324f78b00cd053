/**
 * Hardware profiles: one JSON file per board in hardware-profiles/, checked
 * against profile.schema.json before anything reads a field, so a malformed
 * profile fails with the file and the field instead of a wrong build.
 */
import { packageRoot } from '../util/package.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { BeambakeError, ioError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';

export type YoctoBranchRelease = 'scarthgap' | 'walnascar' | 'whinlatter' | 'wrynose';

export interface ProfileSource {
  repo: string;
  path: string;
  commit: string;
  /** Repository-relative path of the excerpt kept for the tests. */
  excerpt: string;
}

export interface HardwareProfile {
  name: string;
  description: string;
  machine: string;
  bsp: {
    layer: string;
    collection: string;
    url: string;
    /** Layer directory inside the repository; null when the repository root is the layer. */
    subdir: string | null;
    branches: Record<YoctoBranchRelease, string | null>;
    depends: string[];
  };
  targetArch: 'arm' | 'aarch64' | 'riscv64' | 'x86_64';
  targetOs: 'linux' | 'linux-gnueabi';
  gnuTriplet: string;
  defaultTune: string;
  tuneFeatures: string[];
  /** The tune whose TUNE_FEATURES line in the tune file gives tuneFeatures (null: derived, see notes). */
  tuneFeaturesOf: string | null;
  nifCflags: string[];
  rustTarget: string;
  debianArch: 'armhf' | 'arm64' | 'riscv64' | 'amd64';
  qemuUser: string;
  crossCompiler: string;
  elf: { class: 32 | 64; machine: number; abi: 'eabi5-hard-float' | 'lp64' | 'lp64d' };
  beamJit: boolean;
  sources: ProfileSource[];
  notes: string[];
}


/** hardware-profiles/ of this installation, or BEAMBAKE_PROFILES_DIR. */
export function profilesDir(): string {
  return process.env.BEAMBAKE_PROFILES_DIR ?? join(packageRoot(), 'hardware-profiles');
}

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(schemaPath(), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: false, strict: true });
    validator = ajv.compile(schema);
  }
  return validator;
}

/** The schema file itself, for `profiles show --schema` and the tests. */
export function schemaPath(): string {
  return join(packageRoot(), 'src', 'profiles', 'profile.schema.json');
}

function describe(err: ErrorObject): string {
  if (err.keyword === 'additionalProperties') return `unknown field "${String(err.params.additionalProperty)}"`;
  if (err.keyword === 'required') return `missing field "${String(err.params.missingProperty)}"`;
  if (err.keyword === 'enum') return `must be one of ${(err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return err.message ?? err.keyword;
}

/** Parse and validate one profile file; throws PROFILE_INVALID naming the file and field. */
export function loadProfileFile(file: string): HardwareProfile {
  const data = readJsonFile(file, 'PROFILE_INVALID', 'cannot read profile');
  const check = validate();
  if (!check(data)) {
    const err = check.errors![0]!;
    const field = err.instancePath === '' ? '(top level)' : err.instancePath.slice(1).replace(/\//g, '.');
    throw new BeambakeError('PROFILE_INVALID', describe(err), { file, entry: field });
  }
  const profile = data as HardwareProfile;
  const expected = basename(file).replace(/\.json$/, '');
  if (profile.name !== expected) {
    throw new BeambakeError('PROFILE_INVALID', `name "${profile.name}" does not match the file name (${expected})`, { file, entry: 'name' });
  }
  const triplet = `${profile.targetArch}-poky-${profile.targetOs}`;
  if (profile.gnuTriplet !== triplet) {
    throw new BeambakeError('PROFILE_INVALID', `gnuTriplet "${profile.gnuTriplet}" is not TARGET_ARCH-poky-TARGET_OS (${triplet})`, { file, entry: 'gnuTriplet' });
  }
  return profile;
}

/** Every profile in the directory, sorted by name. */
export function listProfiles(dir = profilesDir()): HardwareProfile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch (e) {
    throw ioError(e, dir, 'cannot read the profiles directory');
  }
  return names.sort().map((n) => loadProfileFile(join(dir, n)));
}

/** A profile by board name, or by path to a profile file (anything containing `/` or ending in .json). */
export function getProfile(nameOrPath: string, dir = profilesDir(), entry = '--profile'): HardwareProfile {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.json')) return loadProfileFile(nameOrPath);
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(nameOrPath) || !existsSync(join(dir, `${nameOrPath}.json`))) {
    const known = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).sort() : [];
    throw new BeambakeError('PROFILE_NOT_FOUND', `no hardware profile named ${JSON.stringify(nameOrPath.slice(0, 64))}; known: ${known.join(', ')}`, {
      ...(entry ? { entry } : {}),
    });
  }
  return loadProfileFile(join(dir, `${nameOrPath}.json`));
}

/** `${TARGET_ARCH}${TARGET_VENDOR}-${TARGET_OS}` for a distro vendor (poky: -poky, nodistro: -oe). */
export function yoctoTriplet(profile: HardwareProfile, vendor = 'poky'): string {
  return `${profile.targetArch}-${vendor}-${profile.targetOs}`;
}

export { recipeLinesForProfile } from './recipe-lines.js';
