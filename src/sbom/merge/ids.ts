/**
 * Output ids of the merged graph: readable (name and version, slugged to the
 * characters every format accepts) and stable (a hash of the input ids a
 * component stands for), plus names for elements only known by reference.
 */
import { hash } from 'node:crypto';
import type { Component } from '../model.js';
import { flatJoin } from '../../util/flat.js';

// one-shot hash(): a large merge hashes once per component, and a Hash object each cost twice the time
export const sha = (s: string): string => hash('sha256', s, 'hex');

/** Names the rewriting below leaves as they are: safe characters with single hyphens between them (`gcc-runtime`). */
const SLUG_SAFE = /^[A-Za-z0-9.]+(?:-[A-Za-z0-9.]+)*$/;

/** Id characters every output format accepts (SPDX: [A-Za-z0-9.-]). */
export function slug(s: string, max = 40): string {
  // most names need no rewriting: skip the two replacements (a large merge slugs every component)
  if (SLUG_SAFE.test(s)) return s.length > max ? s.slice(0, max) : s;
  return s.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max) || 'x';
}

export function idFor(members: readonly Component[]): string {
  const c = members[0]!;
  const key = members.length === 1 ? c.id : members.map((m) => m.id).sort().join('\n');
  return c.version ? flatJoin(slug(c.name), '-', slug(c.version, 24), '-', sha(key).slice(0, 12)) : flatJoin(slug(c.name), '-', sha(key).slice(0, 12));
}

/** A name for an element only known by reference: `attr/UNIHASH/build/recipe` -> attr, `...#SPDXRef-Recipe-gcc` -> gcc. */
export function nameOfRef(ref: string): string {
  const hash = ref.lastIndexOf('#');
  if (hash >= 0) return ref.slice(hash + 1).replace(/^SPDXRef-(Recipe|Package|Download|Image|Kernel|PackagedFile)-/, '').replace(/^SPDXRef-/, '') || ref;
  if (/^[^/:]+\/UNIHASH\//.test(ref)) return ref.split('/')[0]!;
  return ref.split('/').filter(Boolean).pop() ?? ref;
}
