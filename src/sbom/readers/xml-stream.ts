/**
 * Streaming XML for SBOM-shaped documents: the file is parsed in chunks by
 * saxes (a strict, non-validating XML 1.0 parser with namespaces), elements at
 * the paths the caller streams (CycloneDX `bom/components/component`, ...) are
 * handed over one by one as soon as they close and not kept, and everything
 * else becomes one small tree. Memory stays bounded by one streamed element
 * plus what the caller keeps; a whole-document parser held the text, a tree of
 * the whole document and its copy at once.
 *
 * Element values have the shape fast-xml-parser gives with attributes kept
 * unprefixed and values trimmed: an element with neither attributes nor
 * children is its text (a string), any other an object of its attributes, its
 * children by qualified name (a list when repeated or named in `arrays`) and
 * `#text` when it has text.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { BeambakeError, ioError } from '../../util/errors.js';

export type XmlValue = string | XmlObject;
export interface XmlObject {
  [key: string]: XmlValue | XmlValue[];
}

export interface XmlStreamHandlers {
  /** Qualified element names that are always lists. */
  arrays: ReadonlySet<string>;
  /** True when the element at this path of local names (`bom/components/component`) in namespace `uri` is handed over on its own. */
  streamed(path: string, uri: string): boolean;
  onElement(path: string, uri: string, value: XmlValue, index: number): void;
  /** The root element's attributes, as soon as its start tag is read (before any streamed element). */
  onRoot?(attrs: Readonly<XmlObject>): void;
}

export interface XmlDocument {
  /** Qualified name, namespace and value of the root element, without the streamed elements. */
  name: string;
  uri: string;
  value: XmlObject;
}

/** Deeper than any SBOM needs (CycloneDX: about 10); a hostile file cannot grow the element stack without limit. */
export const MAX_XML_DEPTH = 100;

interface Frame {
  name: string;
  /** Local names from the root (`bom/components/component`); '' inside a streamed element, where nothing asks. */
  path: string;
  uri: string;
  /** The attributes, or undefined when the element has none. */
  attrs: XmlObject | undefined;
  children: XmlObject | undefined;
  text: string;
  streamed: boolean;
}

/** A document type declaration can define entities that add, change or drop text; SBOM formats have none, so one is refused where it starts. */
export function refuseDtd(prolog: string, file: string): never {
  const at = Math.max(0, prolog.search(/<!DOCTYPE/i));
  const before = prolog.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  throw new BeambakeError('SBOM_UNSUPPORTED', 'XML with a document type declaration (DTD, entities) is not accepted: CycloneDX XML has none, and entities could change the text', { file, line, column });
}

/** How the reader runs saxes: namespaces resolved, positions kept for error messages. */
export const XML_PARSER_OPTIONS = { xmlns: true, position: true } as const;

/** Parse `file`; `onChunk` sees every byte (for hashing). */
export async function readXmlStream(file: string, handlers: XmlStreamHandlers, onChunk?: (b: Buffer) => void): Promise<XmlDocument> {
  const parser = new SaxesParser(XML_PARSER_OPTIONS);
  const stack: Frame[] = [];
  const counts = new Map<string, number>();
  let doc: XmlDocument | undefined;
  let prolog = '';
  let rootSeen = false;
  // streamed elements are handed over after the piece of text that completes them (see `feed`) has parsed
  // without error: saxes closes the open elements of a mis-nested document before it reports the error, and
  // the error comes first. A problem in an element is reported before an XML error in a later piece, as in
  // document order
  let pending: { path: string; uri: string; value: XmlValue; index: number }[] = [];
  const drain = (): void => {
    const list = pending;
    pending = [];
    for (const p of list) handlers.onElement(p.path, p.uri, p.value, p.index);
  };

  const fail = (message: string): never => {
    throw new BeambakeError('SBOM_PARSE', message, { file, line: parser.line, column: parser.column + 1 });
  };
  const attach = (parent: Frame, name: string, value: XmlValue): void => {
    const into = (parent.children ??= {});
    const had = into[name];
    if (had === undefined) into[name] = handlers.arrays.has(name) ? [value] : value;
    else if (Array.isArray(had)) had.push(value);
    else into[name] = [had, value];
  };

  parser.on('doctype', () => refuseDtd(prolog, file));
  parser.on('opentag', (tag: SaxesTagNS) => {
    rootSeen = true;
    if (stack.length >= MAX_XML_DEPTH) fail(`XML elements nested too deeply (more than ${MAX_XML_DEPTH} levels)`);
    const parent = stack[stack.length - 1];
    // below a streamed element the path is never asked for: not built for each of its descendants
    const inStreamed = parent?.streamed ?? false;
    const path = inStreamed ? '' : parent ? `${parent.path}/${tag.local}` : tag.local;
    let attrs: XmlObject | undefined;
    for (const k in tag.attributes) {
      const a = tag.attributes[k]!;
      (attrs ??= {})[a.name] = a.value;
    }
    if (!parent) handlers.onRoot?.(attrs ?? {});
    stack.push({ name: tag.name, path, uri: tag.uri, attrs, children: undefined, text: '', streamed: inStreamed || handlers.streamed(path, tag.uri) });
  });
  const onText = (t: string): void => {
    const top = stack[stack.length - 1];
    // leading white space goes when the text is trimmed: the indentation between the elements of a
    // pretty-printed document is not collected at all
    if (top && (top.text !== '' || t.trim() !== '')) top.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const f = stack.pop()!;
    const text = f.text.trim();
    let value: XmlValue;
    if (f.children === undefined && f.attrs === undefined) value = text;
    else {
      // attributes first, then the children, then the text
      if (f.attrs === undefined) value = f.children!;
      else {
        value = f.attrs;
        if (f.children) for (const k in f.children) value[k] = f.children[k]!;
      }
      if (text !== '') value['#text'] = text;
    }
    const parent = stack[stack.length - 1];
    if (!parent) {
      doc = { name: f.name, uri: f.uri, value: typeof value === 'string' ? (text === '' ? {} : { '#text': text }) : value };
      return;
    }
    if (f.streamed && !parent.streamed) {
      const n = counts.get(f.path) ?? 0;
      counts.set(f.path, n + 1);
      pending.push({ path: f.path, uri: f.uri, value, index: n });
      return;
    }
    attach(parent, f.name, value);
  });

  // saxes reports "LINE:COLUMN: message" with a 0-based column
  const parseError = (e: unknown): BeambakeError => {
    if (e instanceof BeambakeError) return e;
    const m = /^(\d+):(\d+): (.*)$/s.exec((e as Error).message);
    const what = (m ? m[3]! : (e as Error).message).split('\n')[0];
    return new BeambakeError('SBOM_PARSE', `invalid XML: ${what}`, { file, line: m ? Number(m[1]) : parser.line, column: (m ? Number(m[2]) : parser.column) + 1 });
  };
  const decoder = new StringDecoder('utf8');
  // saxes gets the text in pieces, and the elements each piece completes are handed over after it (they
  // wait for their piece to parse, see `pending`): fed a whole 1 MiB chunk at a time, a chunk's worth of
  // parsed components (about 1,600 in a pretty-printed CycloneDX file) outlived every young-generation
  // collection in between and was copied by it, ~200 of the 2,200 ms the reader took on 110,000 components.
  // saxes carries a surrogate pair or CR/LF cut at the end of a piece over to the next.
  const PIECE = 1 << 16;
  const feed = (s: string): void => {
    if (!rootSeen) prolog += s;
    let at = 0;
    do {
      try {
        parser.write(s.slice(at, at + PIECE));
      } catch (e) {
        throw parseError(e);
      }
      drain();
      at += PIECE;
    } while (at < s.length);
  };
  try {
    let first = true;
    for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) {
      const chunk = c as Buffer;
      onChunk?.(chunk);
      let s = decoder.write(chunk);
      if (first) {
        first = false;
        if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      }
      feed(s);
    }
  } catch (e) {
    if (e instanceof BeambakeError) throw e;
    throw ioError(e, file, 'cannot read');
  }
  feed(decoder.end());
  try {
    parser.close();
  } catch (e) {
    throw parseError(e);
  }
  drain();
  if (!doc) throw new BeambakeError('SBOM_PARSE', 'invalid XML: no root element', { file });
  return doc;
}
