import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { corpusDir } from '../helpers/paths.js';

export const conformanceDir = join(corpusDir, 'sigstore', 'conformance');
export const sigstoreJsDir = join(corpusDir, 'sigstore', 'sigstore-js');
export const defaultArtifact = join(conformanceDir, 'a.txt');

/** Defaults from the conformance suite's README for cases without `identity`/`issuer` files. */
export const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
export const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

/** A fresh temp dir under /tmp, removed when the test file finishes. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-sigstore-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writePolicy(dir: string, policy: unknown, name = 'policy.json'): string {
  const path = join(dir, name);
  writeFileSync(path, typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2));
  return path;
}

/**
 * Make every outgoing socket in this process fail and count the attempts, so
 * a test can assert that verification stayed offline.
 */
export function forbidNetwork(): { attempts: string[] } {
  const attempts: string[] = [];
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    attempts.push(JSON.stringify(args[0]));
    throw new Error('network access attempted during an offline test');
  } as typeof original;
  after(() => {
    net.Socket.prototype.connect = original;
  });
  return { attempts };
}
