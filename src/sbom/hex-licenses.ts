/**
 * A Hex package's `licenses` list as one licence expression. Hex only asks for
 * "a list of licenses"; the entries are usually SPDX ids, sometimes common
 * names ("Apache 2.0"). The list is read conjunctively (AND): without a
 * statement that the licences are alternatives, a recipient needs all of them.
 */
import { isSpdxExpression } from './writers/licenses.js';

const ALIASES: Record<string, string> = {
  'apache 2': 'Apache-2.0',
  'apache 2.0': 'Apache-2.0',
  'apache-2': 'Apache-2.0',
  'apache license 2.0': 'Apache-2.0',
  'apache license, version 2.0': 'Apache-2.0',
  'apache license version 2.0': 'Apache-2.0',
  'apache v2': 'Apache-2.0',
  'apache v2.0': 'Apache-2.0',
  apache2: 'Apache-2.0',
  'mit license': 'MIT',
  'the mit license': 'MIT',
  'isc license': 'ISC',
  'bsd 3-clause': 'BSD-3-Clause',
  'bsd-3': 'BSD-3-Clause',
  'bsd 2-clause': 'BSD-2-Clause',
  'mozilla public license 2.0': 'MPL-2.0',
  'mpl 2.0': 'MPL-2.0',
  'lgpl-2.1': 'LGPL-2.1-only',
  'gpl-2.0': 'GPL-2.0-only',
  'gpl-3.0': 'GPL-3.0-only',
  'unlicense': 'Unlicense',
  'wtfpl': 'WTFPL',
};

export interface HexLicense {
  expression: string;
  /** True when every entry mapped to SPDX (the expression is valid SPDX). */
  spdx: boolean;
}

export function normalizeHexLicense(text: string): string | undefined {
  const t = text.trim();
  if (isSpdxExpression(t)) return t;
  return ALIASES[t.toLowerCase()];
}

export function hexLicenseExpression(licenses: string[]): HexLicense | undefined {
  const items = [...new Set(licenses.map((l) => l.trim()).filter(Boolean))];
  if (items.length === 0) return undefined;
  const mapped = items.map(normalizeHexLicense);
  if (mapped.every((m): m is string => m !== undefined)) {
    const parts = [...new Set(mapped)].map((m) => (/\s(OR|AND)\s/.test(m) && mapped.length > 1 ? `(${m})` : m));
    return { expression: parts.join(' AND '), spdx: true };
  }
  return { expression: items.join(' AND '), spdx: false };
}
