/**
 * Hex registry resources (hexpm/specifications registry-v2.md): `packages/NAME`
 * is gzip(protobuf `Signed{payload, signature}`) where payload is a `Package`
 * message and signature is RSA PKCS#1 v1.5 over SHA-512 of the payload, made
 * with the repository's private key. Decoding uses protobufjs with the
 * published .proto files kept in `./proto/`.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { BeambakeError } from '../util/errors.js';
import { packageRoot } from '../util/package.js';

/** hex.pm's repository key (hex `lib/hex/repo.ex`, hex_core `?HEXPM_PUBLIC_KEY`). */
export const HEXPM_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApqREcFDt5vV21JVe2QNB
Edvzk6w36aNFhVGWN5toNJRjRJ6m4hIuG4KaXtDWVLjnvct6MYMfqhC79HAGwyF+
IqR6Q6a5bbFSsImgBJwz1oadoVKD6ZNetAuCIK84cjMrEFRkELtEIPNHblCzUkkM
3rS9+DPlnfG8hBvGi6tvQIuZmXGCxF/73hU0/MyGhbmEjIKRtG6b0sJYKelRLTPW
XgK7s5pESgiwf2YC/2MGDXjAJfpfCd0RpLdvd4eRiXtVlE9qO9bND94E7PgQ/xqZ
J1i2xWFndWa6nfFnRxZmCStCOZWYYPlaxr+FZceFbpMwzTNs4g3d4tLNUcbKAIH4
0wIDAQAB
-----END PUBLIC KEY-----
`;

/** Largest registry resource accepted after decompression. */
const MAX_RESOURCE = 64 * 1024 * 1024;

export interface RegistryAdvisory {
  id: string;
  summary: string;
  htmlUrl: string;
  severity?: string;
  aliases: string[];
}

export interface RegistryRelease {
  version: string;
  /** Lowercase hex. */
  innerChecksum: string;
  /** Lowercase hex; null for releases published before outer checksums existed. */
  outerChecksum: string | null;
  retired?: { reason: string; message?: string };
  advisories: RegistryAdvisory[];
  dependencies: { package: string; requirement: string; optional: boolean; app?: string; repository?: string }[];
}

export interface RegistryPackage {
  name: string;
  repository: string;
  releases: RegistryRelease[];
}

/** Why a resource was refused: `signature` (cannot be trusted) or `content` (trusted, but says otherwise). */
export class RegistryError extends BeambakeError {
  constructor(
    readonly check: 'registry-signature' | 'registry',
    code: string,
    message: string,
    file: string,
  ) {
    super(code, message, { file });
  }
}

function protoDir(): string {
  // shipped beside the sources (package.json `files`), found from the package root wherever the code runs from
  const dir = join(packageRoot(), 'src', 'hex', 'proto');
  if (existsSync(join(dir, 'package.proto'))) return dir;
  throw new BeambakeError('IO', `Hex registry .proto files not found (expected ${dir})`);
}

let types: { Signed: protobuf.Type; Package: protobuf.Type } | undefined;
function loadTypes(): { Signed: protobuf.Type; Package: protobuf.Type } {
  if (!types) {
    const dir = protoDir();
    const root = protobuf.loadSync([join(dir, 'signed.proto'), join(dir, 'package.proto')]);
    types = { Signed: root.lookupType('Signed'), Package: root.lookupType('Package') };
  }
  return types;
}

/** Parse a PEM public key; `source` names it in errors (a file or `--repo-key NAME`). */
export function parsePublicKey(pem: string | Buffer, source: string): KeyObject {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`expected an RSA key, got ${key.asymmetricKeyType}`);
    return key;
  } catch (e) {
    throw new BeambakeError('KEY_INVALID', `not a usable PEM public key: ${(e as Error).message}`, { file: source });
  }
}

const hex = (b: Uint8Array | undefined | null): string => Buffer.from(b ?? []).toString('hex');

interface SignedMsg {
  payload: Uint8Array;
  signature?: Uint8Array;
}

/**
 * Decompress, check the signature, decode. The payload is only decoded after
 * the signature over it has been verified.
 */
export function decodeSignedPackage(resource: Uint8Array, key: KeyObject, file: string): RegistryPackage {
  const sigErr = (msg: string) => new RegistryError('registry-signature', 'SIGNATURE_INVALID', msg, file);
  let raw: Buffer;
  try {
    raw = gunzipSync(resource, { maxOutputLength: MAX_RESOURCE });
  } catch (e) {
    throw sigErr(`registry resource is not valid gzip: ${(e as Error).message}`);
  }
  const { Signed, Package } = loadTypes();
  let signed: SignedMsg;
  try {
    signed = Signed.decode(raw) as unknown as SignedMsg;
  } catch (e) {
    throw sigErr(`registry resource is not a Signed message: ${(e as Error).message}`);
  }
  if (!signed.signature || signed.signature.length === 0) throw sigErr('registry resource is not signed');
  if (!verify('sha512', signed.payload, key, signed.signature)) {
    throw sigErr('registry signature does not verify against the repository key (RSA PKCS#1 v1.5, SHA-512)');
  }
  let msg;
  try {
    msg = Package.decode(signed.payload);
  } catch (e) {
    throw new RegistryError('registry', 'REGISTRY_MISMATCH', `signed payload is not a Package message: ${(e as Error).message}`, file);
  }
  const p = Package.toObject(msg, { enums: String, longs: String, defaults: false, arrays: true }) as {
    name: string;
    repository: string;
    releases: {
      version: string;
      innerChecksum: Uint8Array;
      outerChecksum?: Uint8Array;
      retired?: { reason: string; message?: string };
      advisoryIndexes: number[];
      dependencies: { package: string; requirement: string; optional?: boolean; app?: string; repository?: string }[];
    }[];
    advisories: { id: string; summary: string; htmlUrl: string; severity?: string; aliases: string[] }[];
  };
  return {
    name: p.name,
    repository: p.repository,
    releases: p.releases.map((r) => ({
      version: r.version,
      innerChecksum: hex(r.innerChecksum),
      outerChecksum: r.outerChecksum && r.outerChecksum.length > 0 ? hex(r.outerChecksum) : null,
      ...(r.retired ? { retired: { reason: r.retired.reason, ...(r.retired.message ? { message: r.retired.message } : {}) } } : {}),
      advisories: (r.advisoryIndexes ?? []).map((i) => {
        const a = p.advisories[i];
        if (!a) return { id: `#${i}`, summary: 'advisory index out of range', htmlUrl: '', aliases: [] };
        return { id: a.id, summary: a.summary, htmlUrl: a.htmlUrl, ...(a.severity ? { severity: a.severity } : {}), aliases: a.aliases ?? [] };
      }),
      dependencies: r.dependencies.map((d) => ({
        package: d.package,
        requirement: d.requirement,
        optional: d.optional ?? false,
        ...(d.app ? { app: d.app } : {}),
        ...(d.repository ? { repository: d.repository } : {}),
      })),
    })),
  };
}

/** The `repository` a registry resource states for a lock's repository: `hexpm:acme` -> `acme`. */
export function registryRepositoryName(lockRepository: string): string {
  return lockRepository.startsWith('hexpm:') ? lockRepository.slice('hexpm:'.length) : lockRepository;
}

/** Which key signs a repository's resources: organisations live on hex.pm and use its key. */
export function keyNameFor(lockRepository: string): string {
  return lockRepository === 'hexpm' || lockRepository.startsWith('hexpm:') ? 'hexpm' : lockRepository;
}

/** Relative paths where a registry snapshot may hold a package's resource, most specific first. */
export function resourceCandidates(lockRepository: string, name: string): string[] {
  const out: string[] = [];
  if (lockRepository.startsWith('hexpm:')) out.push(join('repos', registryRepositoryName(lockRepository), 'packages', name));
  out.push(join('packages', name));
  return out;
}

export interface ReleaseExpectation {
  name: string;
  version: string;
  repository: string;
  outerChecksums: string[];
  innerChecksums: string[];
}

export interface ReleaseFindings {
  errors: string[];
  warnings: string[];
  release?: RegistryRelease;
}

/** Compare a verified registry package with what the lock and the tarball say. */
export function checkRelease(pkg: RegistryPackage, want: ReleaseExpectation): ReleaseFindings {
  const errors: string[] = [];
  const warnings: string[] = [];
  const repo = registryRepositoryName(want.repository);
  if (pkg.repository !== repo) errors.push(`registry resource is for repository "${pkg.repository}", expected "${repo}"`);
  if (pkg.name !== want.name) errors.push(`registry resource is for package "${pkg.name}", expected "${want.name}"`);
  const release = pkg.releases.find((r) => r.version === want.version);
  if (!release) {
    errors.push(`registry lists no release ${want.version} of ${pkg.name}`);
    return { errors, warnings };
  }
  for (const c of new Set(want.innerChecksums)) {
    if (c !== release.innerChecksum) errors.push(`inner checksum ${c} differs from the registry's ${release.innerChecksum}`);
  }
  if (release.outerChecksum === null) {
    if (want.outerChecksums.length > 0) warnings.push('registry release has no outer checksum (published before Hex recorded them)');
  } else {
    for (const c of new Set(want.outerChecksums)) {
      if (c !== release.outerChecksum) errors.push(`outer checksum ${c} differs from the registry's ${release.outerChecksum}`);
    }
  }
  if (release.retired) {
    const reason = release.retired.reason.replace(/^RETIRED_/, '').toLowerCase();
    warnings.push(`release ${want.version} is retired (${reason})${release.retired.message ? `: ${release.retired.message}` : ''}`);
  }
  for (const a of release.advisories) {
    warnings.push(`security advisory ${a.id}${a.severity ? ` (${a.severity.replace(/^SEVERITY_/, '').toLowerCase()})` : ''}: ${a.summary}`);
  }
  return { errors, warnings, release };
}
