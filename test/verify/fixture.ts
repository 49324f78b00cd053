/**
 * Test fixtures for verification: a mix project whose lock pins given Hex
 * tarballs, and registry resources signed with a throw-away RSA key using the
 * real .proto definitions (the same encoding hex.pm serves).
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { repoRoot } from '../helpers/paths.js';

export interface LockEntry {
  app?: string;
  name: string;
  version: string;
  repository?: string;
  outer: string | null;
  inner: string;
  buildTools?: string[];
}

/** Write mix.exs + mix.lock (8-tuple entries, or 7-tuple when `outer` is null). */
export function writeMixProject(dir: string, entries: LockEntry[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'mix.exs'),
    'defmodule Demo.MixProject do\n  use Mix.Project\n  def project, do: [app: :demo, version: "0.1.0", deps: deps()]\n  defp deps, do: []\nend\n',
  );
  const lines = [...entries]
    .sort((a, b) => ((a.app ?? a.name) < (b.app ?? b.name) ? -1 : 1))
    .map((e) => {
      const tools = (e.buildTools ?? ['mix']).map((t) => `:${t}`).join(', ');
      const tail = e.outer === null ? `"${e.repository ?? 'hexpm'}"` : `"${e.repository ?? 'hexpm'}", "${e.outer}"`;
      return `  "${e.app ?? e.name}": {:hex, :${e.name}, "${e.version}", "${e.inner}", [${tools}], [], ${tail}},`;
    });
  writeFileSync(join(dir, 'mix.lock'), `%{\n${lines.join('\n')}\n}\n`);
}

export interface ReleaseSpec {
  version: string;
  inner: string;
  outer?: string;
  retired?: { reason: number; message?: string };
  advisoryIndexes?: number[];
}

export interface PackageSpec {
  name: string;
  repository: string;
  releases: ReleaseSpec[];
  advisories?: { id: string; summary: string; htmlUrl: string; apiUrl: string; severity?: number }[];
}

const root = protobuf.loadSync([join(repoRoot, 'src/hex/proto/signed.proto'), join(repoRoot, 'src/hex/proto/package.proto')]);
const Signed = root.lookupType('Signed');
const Package = root.lookupType('Package');

export function encodePackage(spec: PackageSpec): Uint8Array {
  return Package.encode(
    Package.fromObject({
      name: spec.name,
      repository: spec.repository,
      releases: spec.releases.map((r) => ({
        version: r.version,
        innerChecksum: Buffer.from(r.inner, 'hex'),
        ...(r.outer ? { outerChecksum: Buffer.from(r.outer, 'hex') } : {}),
        dependencies: [],
        ...(r.retired ? { retired: r.retired } : {}),
        advisoryIndexes: r.advisoryIndexes ?? [],
      })),
      advisories: spec.advisories ?? [],
    }),
  ).finish();
}

/** gzip(Signed{payload, signature}) with RSA PKCS#1 v1.5 / SHA-512, as hex.pm signs. */
export function signedResource(payload: Uint8Array, key: KeyObject): Buffer {
  const signature = sign('sha512', payload, key);
  return gzipSync(Signed.encode(Signed.fromObject({ payload, signature })).finish());
}

export function rawSignedResource(payload: Uint8Array, signature: Uint8Array): Buffer {
  return gzipSync(Signed.encode(Signed.fromObject({ payload, signature })).finish());
}

export function newKeyPair(): { privateKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
