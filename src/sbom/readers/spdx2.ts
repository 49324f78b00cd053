/**
 * SPDX 2.2 / 2.3 JSON. One document is read into an `Spdx2Doc` (packages as
 * components, file ids, raw relationships); `assembleSpdx2` (spdx2-assemble.ts)
 * then links one or many documents (a Yocto deploy directory or archive) by
 * namespace, because a relationship may name `DocumentRef-x:SPDXRef-y` in
 * another document.
 */
import { emptyComponent, type Component, type LicenseText } from '../model.js';
import { BeambakeError } from '../../util/errors.js';
import { scanJson } from './json-scan.js';
import {
  arr,
  componentType,
  cvesFixed,
  isObj,
  licenseExpr,
  normCpe,
  normHash,
  parseSpdxParty,
  spdxValue,
  str,
  withHash,
  PROP_CVES_FIXED,
} from './common.js';
import { flatJoin } from '../../util/flat.js';

export interface Spdx2Doc {
  file: string;
  namespace: string;
  name: string;
  spdxVersion: string;
  created?: string;
  creators: string[];
  documentId: string;
  /** DocumentRef-x -> namespace */
  externalRefs: Map<string, string>;
  describes: string[];
  components: Component[];
  /** The SPDXID of each of `components`, as the document writes it. */
  localIds: string[];
  /** local file SPDXIDs -> file name */
  files: Map<string, string>;
  /** package SPDXID -> hasFiles */
  hasFiles: Map<string, string[]>;
  /**
   * The relationships as they are written, three strings each (spdxElementId, relationshipType,
   * relatedSpdxElement): a large document holds hundreds of thousands until they are linked.
   */
  relationships: string[];
  /** hasExtractedLicensingInfos: LicenseRef id -> text and name. */
  licenseTexts: LicenseText[];
}

const STREAMED = new Set(['packages', 'files', 'relationships', 'snippets']);

function packageToComponent(p: Record<string, unknown>, ns: string, where: string, file: string): Component {
  const id = str(p.SPDXID);
  const name = str(p.name);
  if (!id || !name) {
    throw new BeambakeError('SBOM_PARSE', `package without ${id ? 'name' : 'SPDXID'}`, { file, entry: where });
  }
  const c = emptyComponent(flatJoin(ns, '#', id), name, componentType(p.primaryPackagePurpose));
  const kind = /^SPDXRef-(Recipe|Package|Download|Image|Kernel)-/.exec(id)?.[1];
  if (kind === 'Image') c.type = 'operating-system';
  if (kind) c.properties.push({ name: 'yocto:spdx-kind', value: kind.toLowerCase() });
  const version = spdxValue(p.versionInfo);
  if (version) c.version = version;
  const supplier = parseSpdxParty(p.supplier);
  if (supplier) c.supplier = { name: supplier.name, ...(supplier.urls ? { urls: supplier.urls } : {}), ...(supplier.email ? { email: supplier.email } : {}) };
  // the originator is the component's creator (BSI), as the writers map it
  const originator = parseSpdxParty(p.originator);
  if (originator) c.manufacturer = { name: originator.name, ...(originator.urls ? { urls: originator.urls } : {}), ...(originator.email ? { email: originator.email } : {}) };
  const desc = str(p.description) ?? str(p.summary);
  if (desc) c.description = desc;
  for (const h of arr(p.checksums)) if (isObj(h)) c.hashes = withHash(c.hashes, normHash(h.algorithm, h.checksumValue));
  const declared = licenseExpr(p.licenseDeclared);
  const concluded = licenseExpr(p.licenseConcluded);
  if (declared) c.licenses.declared = declared;
  if (concluded) c.licenses.concluded = concluded;
  const copyright = spdxValue(p.copyrightText);
  if (copyright) c.copyright = copyright;
  const dl = spdxValue(p.downloadLocation);
  if (dl) c.downloadLocation = dl;
  const fn = spdxValue(p.packageFileName);
  if (fn) c.filename = fn;
  const home = spdxValue(p.homepage);
  if (home) c.externalRefs.push({ type: 'website', url: home });
  for (const r of arr(p.externalRefs)) {
    if (!isObj(r)) continue;
    const type = String(r.referenceType ?? '');
    const loc = str(r.referenceLocator);
    if (!loc) continue;
    if (/cpe2[23]Type$/.test(type)) {
      const cpe = normCpe(loc);
      if (cpe && !c.cpes.includes(cpe)) c.cpes.push(cpe);
    } else if (/purl$/.test(type)) {
      c.purl ??= loc;
    } else {
      c.externalRefs.push({ type: 'other', url: loc, comment: `${r.referenceCategory ?? ''} ${type}`.trim() });
    }
  }
  const sourceInfo = str(p.sourceInfo);
  const cves = cvesFixed(sourceInfo);
  if (cves.length > 0) c.properties.push({ name: PROP_CVES_FIXED, value: cves.join(' ') });
  else if (sourceInfo) c.properties.push({ name: 'spdx:sourceInfo', value: sourceInfo });
  for (const a of arr(p.annotations)) {
    if (isObj(a) && str(a.comment)) c.properties.push({ name: 'spdx:annotation', value: String(a.comment) });
  }
  const pvc = isObj(p.packageVerificationCode) ? str(p.packageVerificationCode.packageVerificationCodeValue) : undefined;
  if (pvc) c.properties.push({ name: 'spdx:packageVerificationCode', value: pvc });
  return c;
}

/** Read one SPDX 2 JSON document from byte chunks (`chunksAreFile`: they are the file `file`, whole, see scanJson). */
export async function readSpdx2Doc(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, file: string, chunksAreFile = false): Promise<Spdx2Doc> {
  const top: Record<string, unknown> = {};
  const rawPackages: [Record<string, unknown>, number][] = [];
  const doc: Spdx2Doc = {
    file,
    namespace: '',
    name: '',
    spdxVersion: '',
    creators: [],
    documentId: 'SPDXRef-DOCUMENT',
    externalRefs: new Map(),
    describes: [],
    components: [],
    localIds: [],
    files: new Map(),
    hasFiles: new Map(),
    relationships: [],
    licenseTexts: [],
  };
  // where each SPDXID was seen: a package by its index (no text made per package unless one is used twice)
  const idWhere = new Map<string, string | number>();
  const claim = (id: string, where: string | number): void => {
    const before = idWhere.get(id);
    const at = (w: string | number) => (typeof w === 'number' ? `packages[${w}]` : w);
    if (before !== undefined) throw new BeambakeError('SBOM_DUPLICATE_ID', `SPDXID "${id}" is used twice (first at ${at(before)})`, { file, entry: at(where) });
    idWhere.set(id, where);
  };
  // packages are made components as they are read when the namespace came first (it usually does): the
  // parsed package then dies young instead of being kept, and copied by the GC, until the end
  let earlyNs: string | undefined;
  const addPackage = (p: Record<string, unknown>, i: number, ns: string): void => {
    const c = packageToComponent(p, ns, `packages[${i}]`, file);
    doc.components.push(c);
    doc.localIds.push(String(p.SPDXID));
    const hf = arr(p.hasFiles).filter((x): x is string => typeof x === 'string');
    if (hf.length > 0) doc.hasFiles.set(String(p.SPDXID), hf);
  };
  await scanJson(chunks, file, {
    streamed: (k) => STREAMED.has(k),
    onValue(k, v) {
      if (k === 'documentNamespace' && earlyNs !== undefined && v !== earlyNs) {
        throw new BeambakeError('SBOM_PARSE', `documentNamespace is given twice (${earlyNs}, then ${JSON.stringify(v)})`, { file, entry: 'documentNamespace' });
      }
      top[k] = v;
    },
    onElement(k, v, i) {
      if (!isObj(v)) throw new BeambakeError('SBOM_PARSE', 'expected an object', { file, entry: `${k}[${i}]` });
      if (k === 'packages') {
        if (str(v.SPDXID)) claim(String(v.SPDXID), i);
        if (earlyNs === undefined && rawPackages.length === 0 && str(top.documentNamespace)) earlyNs = String(top.documentNamespace);
        if (earlyNs !== undefined) addPackage(v, i, earlyNs);
        else rawPackages.push([v, i]);
      } else if (k === 'files' || k === 'snippets') {
        const id = str(v.SPDXID);
        if (!id) throw new BeambakeError('SBOM_PARSE', 'element without SPDXID', { file, entry: `${k}[${i}]` });
        claim(id, `${k}[${i}]`);
        doc.files.set(id, String(v.fileName ?? v.name ?? id));
      } else if (k === 'relationships') {
        const from = str(v.spdxElementId);
        const to = str(v.relatedSpdxElement);
        const type = str(v.relationshipType);
        if (!from || !to || !type) {
          throw new BeambakeError('SBOM_PARSE', 'relationship needs spdxElementId, relationshipType and relatedSpdxElement', {
            file,
            entry: `relationships[${i}]`,
          });
        }
        doc.relationships.push(from, type, to);
      }
    },
  }, chunksAreFile);
  const version = str(top.spdxVersion);
  if (!version || !/^SPDX-2\.\d$/.test(version)) {
    throw new BeambakeError('SBOM_UNSUPPORTED', `not an SPDX 2 document (spdxVersion ${JSON.stringify(top.spdxVersion)})`, { file });
  }
  const ns = str(top.documentNamespace);
  if (!ns) throw new BeambakeError('SBOM_PARSE', 'documentNamespace is missing', { file, entry: 'documentNamespace' });
  doc.namespace = ns;
  doc.spdxVersion = version;
  doc.name = str(top.name) ?? ns;
  doc.documentId = str(top.SPDXID) ?? 'SPDXRef-DOCUMENT';
  if (isObj(top.creationInfo)) {
    doc.created = str(top.creationInfo.created);
    doc.creators = arr(top.creationInfo.creators).filter((x): x is string => typeof x === 'string');
  }
  for (const [i, r] of arr(top.externalDocumentRefs).entries()) {
    if (!isObj(r) || !str(r.externalDocumentId) || !str(r.spdxDocument)) {
      throw new BeambakeError('SBOM_PARSE', 'externalDocumentRef needs externalDocumentId and spdxDocument', {
        file,
        entry: `externalDocumentRefs[${i}]`,
      });
    }
    doc.externalRefs.set(String(r.externalDocumentId), String(r.spdxDocument));
  }
  doc.describes = arr(top.documentDescribes).filter((x): x is string => typeof x === 'string');
  for (const l of arr(top.hasExtractedLicensingInfos)) {
    if (!isObj(l) || !str(l.licenseId) || typeof l.extractedText !== 'string') continue;
    doc.licenseTexts.push({ id: String(l.licenseId), text: l.extractedText, ...(str(l.name) && l.name !== 'NOASSERTION' ? { name: String(l.name) } : {}) });
  }
  for (const [p, i] of rawPackages) addPackage(p, i, ns);
  return doc;
}
