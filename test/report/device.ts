import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { corpusDir, schemasDir } from '../helpers/paths.js';

const env = { SOURCE_DATE_EPOCH: '1700000000' };

/** The corpus device SBOM: the real Yocto image archive merged with the livebook layer SBOM, and its VEX from `beambake vuln`. */
export function deviceInputs(dir: string): { sbom: string; vuln: string; openvex: string } {
  const app = join(dir, 'app.cdx.json');
  const sbom = join(dir, 'device.cdx.json');
  const image = join(dir, 'image.openvex.json');
  let r = runCli(['sbom', join(corpusDir, 'mix/nerves_livebook'), '-o', app], { env });
  assert.equal(r.status, 0, r.stderr);
  r = runCli(
    ['sbom', 'merge', join(corpusDir, 'spdx/vulnscout/spdx2/example.rootfs.spdx.tar.zst'), app, '--product', 'Demo Gateway', '--product-version', '1.0', '--manufacturer', 'Example GmbH', '--contact', 'sbom@example.com', '--manufacturer-url', 'https://example.com', '-o', sbom, '--vex', image],
    { env },
  );
  assert.equal(r.status, 0, r.stderr);
  const vuln = join(dir, 'device.vuln.json');
  r = runCli(['vuln', sbom, '--osv', join(schemasDir, 'osv'), '--cve-check', join(corpusDir, 'spdx/vulnscout/yocto-cve-check.json'), '--vex', image, '-f', 'json', '-o', vuln], { env });
  assert.equal(r.status, 0, r.stderr);
  const openvex = join(dir, 'device.openvex.json');
  r = runCli(['vuln', sbom, '--osv', join(schemasDir, 'osv'), '-f', 'openvex', '-o', openvex], { env });
  assert.equal(r.status, 0, r.stderr);
  return { sbom, vuln, openvex };
}

