/**
 * VEX statements of the inputs, pointed at the merged components: a product
 * is a merged component by id, alias or CycloneDX BOM-Link (a BOM-Link into an
 * input resolves to that input's component); anything else is a reference
 * into a BOM that is not an input, kept as written (never a placeholder
 * component) and recorded once as an external reference of the device.
 */
import type { Component, VexStatement } from '../model.js';
import type { InputSbom } from '../readers/types.js';
import { cmp } from '../writers/common.js';
import type { Decision } from './merge.js';

export function mergeVex(
  inputs: InputSbom[],
  componentOf: (inputId: string) => Component | undefined,
  aliases: ReadonlyMap<string, string>,
  device: Component,
  decisions: Decision[],
): { vex: VexStatement[]; counts: { resolved: number; external: number } } {
  const bySerial = new Map<string, InputSbom>();
  for (const i of inputs) {
    const sn = i.graph.metadata.serialNumber;
    const m = sn ? /^urn:uuid:([0-9a-f-]{36})$/i.exec(sn) : null;
    if (m) bySerial.set(m[1]!.toLowerCase(), i);
  }
  const externalBoms = new Map<string, Set<string>>();
  const counts = { resolved: 0, external: 0 };
  const resolveVex = (ref: string, file: string): string | undefined => {
    const known = componentOf(ref)?.id;
    if (known && !known.startsWith('unresolved-')) return known;
    const viaAlias = aliases.get(ref);
    const aliased = viaAlias ? componentOf(viaAlias) : undefined;
    if (aliased) return aliased.id;
    const link = /^urn:cdx:([0-9a-f-]{36})(?:\/(\d+))?#(.+)$/i.exec(ref);
    if (link) {
      const target = bySerial.get(link[1]!.toLowerCase());
      const id = target ? componentOf(`${target.key}#${decodeURIComponent(link[3]!)}`)?.id : undefined;
      if (id) {
        decisions.push({ kind: 'vex', text: `${file}: BOM-Link ${ref} resolved to ${id} (component of ${target!.file})` });
        return id;
      }
      const bom = `urn:cdx:${link[1]!.toLowerCase()}${link[2] ? `/${link[2]}` : ''}`;
      let set = externalBoms.get(bom);
      if (!set) externalBoms.set(bom, (set = new Set()));
      set.add(file);
    }
    return undefined;
  };
  const vex: VexStatement[] = [];
  const vexSeen = new Set<string>();
  for (const i of inputs) {
    for (const v of i.graph.vex) {
      const products = new Set<string>();
      const external = new Set<string>(v.externalProducts ?? []);
      for (const p of v.products) {
        const id = resolveVex(p, i.file);
        if (id) (products.add(id), counts.resolved++);
        else (external.add(p.startsWith(`${i.key}#`) ? p.slice(i.key.length + 1) : p), counts.external++);
      }
      const s: VexStatement = { ...v, products: [...products].sort(), ...(external.size > 0 ? { externalProducts: [...external].sort() } : {}) };
      if (external.size > 0 && !/^urn:cdx:/.test([...external][0]!)) {
        decisions.push({ kind: 'vex', text: `${i.file}: ${v.vulnerability} names ${[...external].join(', ')}, which no input holds: kept as an external product reference` });
      }
      const k = JSON.stringify([s.vulnerability, s.status, s.products, s.externalProducts ?? [], s.justification ?? '']);
      if (!vexSeen.has(k)) (vexSeen.add(k), vex.push(s));
    }
  }
  // one named external reference per BOM the VEX points into that is not an input
  for (const [bom, files] of [...externalBoms].sort(([a], [b]) => cmp(a, b))) {
    device.externalRefs.push({ type: 'bom', url: bom, comment: `BOM named by VEX in ${[...files].sort().join(', ')}; not among the merged inputs` });
    decisions.push({ kind: 'vex', text: `VEX products in ${bom} (referenced by ${[...files].sort().join(', ')}) stay references: that BOM is not an input; recorded as one external reference of the device` });
  }
  vex.sort((a, b) => cmp(a.vulnerability, b.vulnerability) || cmp(a.products.join(' '), b.products.join(' ')) || cmp(a.status, b.status));
  return { vex, counts };
}
