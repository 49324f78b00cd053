/**
 * LICENSE and LIC_FILES_CHKSUM of the application. BitBake's license QA
 * wants every licence file of the source tree listed with its md5, and a
 * LICENSE expression in BitBake syntax (`&`, `|`) rather than SPDX's
 * (`AND`, `OR`).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { BeambakeError } from '../util/errors.js';
import * as v from './validate.js';

export interface LicenseFile {
  /** File name relative to the source directory (S). */
  name: string;
  md5: string;
}

export interface AppLicense {
  /** BitBake LICENSE value (already validated). */
  license: string;
  /** SPDX expression it came from, or undefined when unknown. */
  spdx?: string;
  files: LicenseFile[];
  warnings: string[];
}

const LICENSE_FILE = /^(LICEN[CS]E|COPYING|UNLICEN[CS]E)([-._][A-Za-z0-9._-]+)?$/i;

export function findLicenseFiles(dir: string): LicenseFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => LICENSE_FILE.test(n))
    .filter((n) => statSync(join(dir, n)).isFile())
    .sort()
    .map((name) => ({
      name: v.relativePath(name, { entry: 'project', field: 'licence file' }),
      md5: createHash('md5').update(readFileSync(join(dir, name))).digest('hex'),
    }));
}

type SpdxNode = { license: string; plus?: boolean; exception?: string } | { left: SpdxNode; conjunction: 'and' | 'or'; right: SpdxNode };

function toBitbake(node: SpdxNode, parentOp?: 'and' | 'or'): string {
  if ('license' in node) {
    if (node.exception) {
      throw new BeambakeError('INVALID_ARGUMENT', `licence exceptions (WITH ${node.exception}) have no BitBake form; pass --license with a LicenseRef- for it`, {
        entry: '--license',
      });
    }
    return node.license + (node.plus ? '+' : '');
  }
  const inner = `${toBitbake(node.left, node.conjunction)} ${node.conjunction === 'and' ? '&' : '|'} ${toBitbake(node.right, node.conjunction)}`;
  return parentOp !== undefined && parentOp !== node.conjunction ? `(${inner})` : inner;
}

const SIMPLE_ID = /^[A-Za-z0-9][A-Za-z0-9.-]*\+?$/;

/** An SPDX expression as a BitBake LICENSE value. */
export function spdxToBitbake(expression: string, entry = '--license'): string {
  // A lone identifier is the common case and needs no parser (kept off the start-up path).
  if (SIMPLE_ID.test(expression) && !/^(AND|OR|WITH)$/i.test(expression)) return expression;
  let tree: SpdxNode;
  try {
    const parseSpdx = createRequire(import.meta.url)('spdx-expression-parse') as (s: string) => unknown;
    tree = parseSpdx(expression) as SpdxNode;
  } catch {
    throw new BeambakeError('INVALID_ARGUMENT', `${JSON.stringify(expression.slice(0, 80))} is not an SPDX licence expression`, { entry });
  }
  const value = toBitbake(tree);
  if (!/^[A-Za-z0-9.+\- &|()]+$/.test(value)) {
    throw new BeambakeError('UNSAFE_VALUE', `licence ${JSON.stringify(value)} contains characters BitBake does not allow`, { entry });
  }
  return value;
}

/** Recognise the licences BEAM projects mostly use from unmistakable phrases of their text. */
export function guessSpdx(text: string): string | undefined {
  const t = text.replace(/\s+/g, ' ');
  if (/Apache License,? Version 2\.0/i.test(t) || (/Apache License/i.test(t) && /Version 2\.0, January 2004/.test(t))) return 'Apache-2.0';
  if (/Permission is hereby granted, free of charge, to any person obtaining a copy/i.test(t)) return 'MIT';
  if (/Mozilla Public License,? (v\. |version )?2\.0/i.test(t)) return 'MPL-2.0';
  if (/Permission to use, copy, modify, and(\/or)? distribute this software for any purpose with or without fee/i.test(t)) return 'ISC';
  if (/Redistribution and use in source and binary forms/i.test(t)) {
    return /Neither the name|names of its contributors may be used/i.test(t) ? 'BSD-3-Clause' : 'BSD-2-Clause';
  }
  return undefined;
}

/**
 * The licence: `--license` first, then what the project metadata declares,
 * then a recognisable licence file. Without any licence file the recipe says
 * CLOSED (the only value BitBake accepts without LIC_FILES_CHKSUM), loudly.
 */
export function appLicense(dir: string, opts: { spdx?: string; declared?: string[] }): AppLicense {
  const warnings: string[] = [];
  const files = findLicenseFiles(dir);
  // validate what the user gave even when there is no file to go with it
  if (opts.spdx !== undefined) spdxToBitbake(opts.spdx);
  let spdx = opts.spdx;
  if (spdx === undefined && opts.declared && opts.declared.length > 0) spdx = opts.declared.join(' AND ');
  if (spdx === undefined) {
    for (const f of files) {
      spdx = guessSpdx(readFileSync(join(dir, f.name), 'utf8'));
      if (spdx) break;
    }
  }
  if (files.length === 0) {
    warnings.push(
      `no licence file (LICENSE, COPYING, ...) in ${dir}: the recipe says LICENSE = "CLOSED"` +
        (opts.spdx !== undefined ? ` (--license ${opts.spdx} needs a licence file for LIC_FILES_CHKSUM)` : '') +
        '; add one before distributing the image',
    );
    return { license: 'CLOSED', ...(spdx ? { spdx } : {}), files, warnings };
  }
  if (spdx === undefined) {
    warnings.push(`could not tell which licence ${files.map((f) => f.name).join(', ')} is: the recipe says LICENSE = "Unknown"; pass --license SPDX-EXPRESSION`);
    return { license: 'Unknown', files, warnings };
  }
  return { license: spdxToBitbake(spdx), spdx, files, warnings };
}
