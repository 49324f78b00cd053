/**
 * What `beambake vuln` matches: the packages of a project (its lock) or the
 * components of SBOMs (a layer SBOM or the merged device SBOM), found by
 * purl: `pkg:hex/NAME@VERSION`, `pkg:github/OWNER/REPO@COMMIT`,
 * `pkg:generic/...?vcs_url=git+URL@COMMIT`. SBOM inputs also bring their own
 * VEX statements (Yocto SPDX 3 VEX relationships, SPDX 2 "CVEs fixed",
 * CycloneDX analyses).
 */
import { basename, dirname, resolve } from 'node:path';
import { inScopes, type Project, type Scope } from '../model.js';
import type { VexStatement } from '../sbom/model.js';
import { gitLocation, hexPurl, gitPurl } from '../sbom/purls.js';
import type { Subject, Target } from './model.js';

/** `include`: scopes beyond prod (`--include-scope`); production packages that are only needed at build time are left out as the device SBOM leaves them out. */
export function projectTarget(project: Project, include: readonly Scope[] = []): Target {
  const subjects: Subject[] = [];
  const notes: string[] = [];
  let privateHex = 0;
  const scopes = new Set<Scope>(['prod', ...include]);
  const left = new Map<string, number>();
  for (const p of project.packages) {
    if (!inScopes(p, scopes, { build: false })) {
      const k = (p.scope ?? 'prod') === 'prod' ? 'build-only' : p.scope!;
      left.set(k, (left.get(k) ?? 0) + 1);
      continue;
    }
    if (p.source === 'hex') {
      const purl = hexPurl(p.name, p.version, p.repository);
      const s: Subject = { ref: purl, name: p.name, version: p.version, purl };
      // OSV's Hex ecosystem is the public hex.pm repository; organisation and self-hosted packages are other packages
      if (p.repository === 'hexpm') s.hex = { name: p.name, version: p.version };
      else privateHex++;
      subjects.push(s);
    } else if (p.source === 'git') {
      const purl = gitPurl(p.app, p.url, p.rev, p.subdir);
      const web = gitLocation(p.url).web;
      subjects.push({ ref: purl, name: p.app, version: p.rev, purl, ...(web ? { git: { repo: web, rev: p.rev, ...(p.tag ? { tag: p.tag } : {}) } } : {}) });
    }
  }
  if (privateHex > 0) notes.push(`${privateHex} package(s) from private or self-hosted Hex repositories: OSV's Hex ecosystem does not cover them`);
  if (left.size > 0) notes.push(`left out ${[...left].map(([k, n]) => `${n} ${k}`).join(', ')} package(s) that the device does not ship (--include-scope dev,test adds dev/test ones)`);
  if (project.scopeUnknown?.length) notes.push(`scope unknown for ${project.scopeUnknown.join(', ')}: matched as production packages`);
  // a bare lockfile names no project: its directory stands in
  const name = project.name ?? (basename(resolve(project.directory ?? dirname(project.lockfile || '.'))) || 'unknown');
  return { kind: 'project', name, version: project.version, files: [project.lockfile], subjects, notes };
}

interface Purl {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers: Record<string, string>;
}

/** The parts of a purl this matching needs (percent-decoded); undefined when it is not one. */
export function parsePurl(purl: string): Purl | undefined {
  const m = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\/([^?#]+?)(?:@([^?#@]+))?(?:\?([^#]*))?(?:#.*)?$/.exec(purl);
  if (!m) return undefined;
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const parts = m[2]!.split('/').filter((x) => x.length > 0).map(dec);
  const name = parts.pop();
  if (!name) return undefined;
  const qualifiers: Record<string, string> = {};
  for (const kv of (m[4] ?? '').split('&')) {
    const i = kv.indexOf('=');
    if (i > 0) qualifiers[kv.slice(0, i).toLowerCase()] = dec(kv.slice(i + 1));
  }
  return { type: m[1]!.toLowerCase(), ...(parts.length ? { namespace: parts.join('/') } : {}), name, ...(m[3] ? { version: dec(m[3]) } : {}), qualifiers };
}

export interface SbomComponentLike {
  id: string;
  name: string;
  version?: string;
  purl?: string;
  cpes: string[];
}

/** A subject for an SBOM component; Hex and git identities only from a purl that says so. */
export function componentSubject(c: SbomComponentLike, bomRef?: string): Subject {
  const s: Subject = { ref: c.id, name: c.name, ...(c.version ? { version: c.version } : {}), ...(c.purl ? { purl: c.purl } : {}), ...(c.cpes[0] ? { cpe: c.cpes[0] } : {}), ...(bomRef ? { bomRef } : {}) };
  const p = c.purl ? parsePurl(c.purl) : undefined;
  if (!p || !p.version) return s;
  if (p.type === 'hex' && !p.namespace && !p.qualifiers.repository_url) s.hex = { name: p.name, version: p.version };
  else if (p.type === 'github' && p.namespace && /^[0-9a-f]{40}$/i.test(p.version)) s.git = { repo: `https://github.com/${p.namespace}/${p.name}`, rev: p.version };
  else if (p.qualifiers.vcs_url && /^[0-9a-f]{40}$/i.test(p.version)) {
    const url = p.qualifiers.vcs_url.replace(/^git\+/, '').replace(/@[0-9a-f]{40}$/i, '');
    const web = gitLocation(url).web;
    if (web) s.git = { repo: web, rev: p.version };
  }
  return s;
}

export type { VexStatement };
