/**
 * One output component from a group of input components that are the same
 * thing (identity.ts): the first member's facts win, every other member's
 * differing facts are kept as properties and recorded as decisions.
 */
import type { Component, Party } from '../model.js';
import type { Group } from './identity.js';
import type { Decision } from './merge.js';

export function union<T>(into: T[], from: T[], key: (x: T) => string): void {
  const seen = new Set(into.map(key));
  for (const x of from) if (!seen.has(key(x))) (seen.add(key(x)), into.push(x));
}

function partyText(p: Party): string {
  return [p.name, p.email ? `<${p.email}>` : undefined, ...(p.urls ?? [])].filter(Boolean).join(' ');
}

/** Single-valued facts where a later member may say something else; that value is kept as `beambake:alternative:<field>`. */
const SINGLE_FACTS = ['version', 'purl', 'copyright', 'downloadLocation', 'filename'] as const;

/** A copy of a component whose parts `combine` changes are its own (cheaper than structuredClone on 100,000 components). */
function ownCopy(x: Component): Component {
  const c: Component = {
    ...x,
    cpes: [...x.cpes],
    authors: [...x.authors],
    hashes: [...x.hashes],
    licenses: { ...x.licenses },
    externalRefs: [...x.externalRefs],
    properties: [...x.properties],
    sources: [...x.sources],
  };
  if (x.supplier) c.supplier = { ...x.supplier, ...(x.supplier.urls ? { urls: [...x.supplier.urls] } : {}) };
  if (x.manufacturer) c.manufacturer = { ...x.manufacturer, ...(x.manufacturer.urls ? { urls: [...x.manufacturer.urls] } : {}) };
  return c;
}

/** One output component from a group of same components, first member's facts first, other members' differing facts kept as properties. */
export function combine(g: Group, id: string, decisions: Decision[]): Component {
  const [first, ...rest] = g.members;
  if (rest.length === 0) {
    // nothing to combine: only the id, the origin property and the sorted sources are new
    const sources = first!.sources.length > 1 ? [...first!.sources].sort() : [...first!.sources];
    return { ...first!, id, properties: [...first!.properties, { name: 'beambake:origin', value: first!.id }], sources };
  }
  const c: Component = ownCopy(first!);
  c.id = id;
  const alternative = (field: string, mine: string, theirs: string, from: Component): void => {
    if (c.properties.some((p) => p.name === `beambake:alternative:${field}` && p.value === theirs)) return;
    decisions.push({ kind: 'fact-conflict', text: `${id}: ${field} "${mine}" (${first!.sources[0]}) kept, "${theirs}" (${from.sources[0]}) recorded as beambake:alternative:${field}` });
    c.properties.push({ name: `beambake:alternative:${field}`, value: theirs });
  };
  for (const o of rest) {
    for (const k of SINGLE_FACTS) {
      const mine = c[k];
      const theirs = o[k];
      if (mine === undefined && theirs !== undefined) c[k] = theirs;
      else if (mine !== undefined && theirs !== undefined && mine !== theirs) alternative(k, mine, theirs, o);
    }
    if (c.description === undefined && o.description !== undefined) c.description = o.description;
    for (const k of ['supplier', 'manufacturer'] as const) {
      const mine = c[k];
      const theirs = o[k];
      if (!mine && theirs) c[k] = structuredClone(theirs);
      else if (mine && theirs && partyText(mine) !== partyText(theirs)) {
        // the same party may be spelt with more or less detail: fill in what the first one lacks
        const same = (a?: string, b?: string) => a === undefined || b === undefined || a.toLowerCase() === b.toLowerCase();
        if (same(mine.name, theirs.name) && same(mine.email, theirs.email)) {
          mine.name ??= theirs.name;
          mine.email ??= theirs.email;
          if (theirs.urls) union((mine.urls ??= []), theirs.urls, (u) => u);
        } else alternative(k, partyText(mine), partyText(theirs), o);
      }
    }
    for (const k of ['declared', 'concluded'] as const) {
      const mine = c.licenses[k];
      const theirs = o.licenses[k];
      if (!mine && theirs) c.licenses[k] = theirs;
      else if (mine && theirs && mine !== theirs) {
        decisions.push({ kind: 'fact-conflict', text: `${id}: ${k} licence "${mine}" (${first!.sources[0]}) kept, "${theirs}" (${o.sources[0]}) recorded as property` });
        c.properties.push({ name: `beambake:${k}-license-alternative`, value: theirs });
      }
    }
    if (c.type === 'library' && o.type !== 'library') c.type = o.type;
    union(c.cpes, o.cpes, (x) => x);
    union(c.hashes, o.hashes, (h) => `${h.alg}:${h.value}`);
    union(c.authors, o.authors, (x) => x);
    union(c.externalRefs, o.externalRefs, (r) => `${r.type} ${r.url}`);
    union(c.properties, o.properties, (p) => `${p.name}=${p.value}`);
    union(c.sources, o.sources, (x) => x);
  }
  for (const m of g.members) c.properties.push({ name: 'beambake:origin', value: m.id });
  c.sources.sort();
  return c;
}
