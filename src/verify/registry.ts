/**
 * A local snapshot of Hex registry resources (`--registry DIR`, optionally
 * `--registry REPO=DIR`) plus the repository keys that sign them (hex.pm's
 * built in, others from `--repo-key NAME=PEM`). Resources are verified once
 * and cached by path.
 */
import { joinInside } from '../validate/lock.js';
import type { KeyObject } from 'node:crypto';
import { BeambakeError } from '../util/errors.js';
import { isDirectory, isFile, readBytes } from '../util/files.js';
import {
  decodeSignedPackage,
  HEXPM_PUBLIC_KEY,
  keyNameFor,
  parsePublicKey,
  RegistryError,
  resourceCandidates,
  type RegistryPackage,
} from '../hex/registry.js';

export interface RegistryDir {
  /** Only for this lock repository (`hexpm`, `hexpm:acme`, `my_repo`); any when undefined. */
  repository?: string;
  dir: string;
}

export type RegistryLookup =
  | { ok: true; file: string; pkg: RegistryPackage }
  | { ok: false; check: 'registry-signature' | 'registry'; file?: string; reason: string };

/** Parse `--registry` values: `DIR` or `REPO=DIR`. */
export function parseRegistryArgs(values: readonly string[]): RegistryDir[] {
  return values.map((v) => {
    const m = /^([A-Za-z0-9_:.-]+)=(.+)$/.exec(v);
    // A plain directory may itself contain '='; only a repo-looking prefix counts.
    if (m && !isDirectory(v)) return { repository: m[1]!, dir: m[2]! };
    return { dir: v };
  });
}

/** Parse `--repo-key NAME=PEMFILE` values into keys; hex.pm's key is always present. */
export function loadRepoKeys(values: readonly string[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>([['hexpm', parsePublicKey(HEXPM_PUBLIC_KEY, 'built-in hex.pm key')]]);
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new BeambakeError('INVALID_ARGUMENT', `--repo-key expects NAME=PEMFILE, got "${v}"`, { entry: '--repo-key' });
    const name = v.slice(0, eq);
    const file = v.slice(eq + 1);
    keys.set(name, parsePublicKey(readBytes(file, `cannot read the key for repository ${name}`), file));
  }
  return keys;
}

export class RegistrySnapshot {
  private readonly cache = new Map<string, RegistryLookup>();

  constructor(
    readonly dirs: readonly RegistryDir[],
    readonly keys: ReadonlyMap<string, KeyObject>,
  ) {
    for (const d of dirs) {
      if (!isDirectory(d.dir)) throw new BeambakeError('IO', 'registry directory does not exist', { file: d.dir, entry: '--registry' });
    }
  }

  lookup(repository: string, name: string): RegistryLookup {
    const dirs = this.dirs.filter((d) => d.repository === undefined || d.repository === repository);
    const rel = resourceCandidates(repository, name);
    const file = dirs.flatMap((d) => rel.map((r) => joinInside(d.dir, r))).find(isFile);
    if (!file) {
      return {
        ok: false,
        check: 'registry',
        reason: `no registry resource ${rel.join(' or ')} in ${dirs.map((d) => d.dir).join(', ') || '(no --registry for this repository)'}`,
      };
    }
    let hit = this.cache.get(file);
    if (!hit) {
      hit = this.verify(file, repository);
      this.cache.set(file, hit);
    }
    return hit;
  }

  private verify(file: string, repository: string): RegistryLookup {
    const keyName = keyNameFor(repository);
    const key = this.keys.get(keyName);
    if (!key) return { ok: false, check: 'registry-signature', file, reason: `no public key for repository "${keyName}" (pass --repo-key ${keyName}=FILE.pem)` };
    const data = readBytes(file, 'cannot read registry resource');
    try {
      return { ok: true, file, pkg: decodeSignedPackage(data, key, file) };
    } catch (e) {
      if (e instanceof RegistryError) return { ok: false, check: e.check, file, reason: e.message };
      throw e;
    }
  }
}
