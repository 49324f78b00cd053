/** XML inputs through fast-xml-parser, with its limits turned into located input errors. */
import type { XMLParser } from 'fast-xml-parser';
import { BeambakeError } from './errors.js';

/** fast-xml-parser stops at 100 nested elements by default (CycloneDX needs about 10): one located line, exit 3. */
export function parseXml(parser: XMLParser, xml: string, file: string): Record<string, unknown> {
  try {
    return parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof Error && /nested tags/i.test(e.message)) {
      throw new BeambakeError('SBOM_PARSE', 'XML elements nested too deeply (more than 100 levels)', { file });
    }
    // Input XMLValidator accepts can still stop the parser ("readTagExp returned undefined ..."): bad input, not a bug.
    if (e instanceof Error) throw new BeambakeError('SBOM_PARSE', `invalid XML: ${e.message.split('\n')[0]!.replace(/\. Context:.*$/, '')}`, { file });
    throw e;
  }
}
