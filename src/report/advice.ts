/**
 * How to close each gap the BSI TR-03183-2 / NTIA check reports, in the
 * terms of the tools that make the device SBOM (beambake for the BEAM side,
 * Yocto for the image).
 */
const ADVICE: Record<string, string> = {
  'SBOM format': 'Write the device SBOM as CycloneDX 1.6 (`-f cyclonedx-json`) or SPDX 3.0.1 (`-f spdx3-json`) with `beambake sbom merge`.',
  'Creator of the SBOM': 'Pass --manufacturer with --contact (e-mail) or --manufacturer-url to `beambake sbom merge`.',
  'SBOM-URI': 'Keep the serial number `beambake sbom merge` writes; publish the SBOM where its URI can be resolved.',
  Timestamp: 'Set SOURCE_DATE_EPOCH when running `beambake sbom merge` (reproducible) so the SBOM carries its creation time.',
  'Component creator': 'BEAM packages: `beambake sbom --vendor DIR` reads the maintainers and links from the Hex tarballs; Yocto recipes: set HOMEPAGE (URL) in the recipe.',
  'Component name': 'The input SBOM lists a component without a name: fix the tool that wrote that input.',
  'Component version': 'Give OTP/ERTS versions with --otp-version/--erts-version (or --otp-from-host) to `beambake sbom`; for Yocto, PV in the recipe.',
  'Version of the component': 'Give OTP/ERTS versions with --otp-version/--erts-version (or --otp-from-host) to `beambake sbom`; for Yocto, PV in the recipe.',
  'Filename of the component': 'Vendored Hex tarballs give the file name (`beambake sbom --vendor DIR`); Yocto SPDX 3 output names package files.',
  'Dependencies on other components': 'Merge the layer SBOM written by `beambake recipe` (its dependency lists are complete for mix.lock and Gleam manifests); for rebar.lock the lock does not say, so completeness stays unknown.',
  'Distribution licences': 'Vendor the Hex tarballs (`beambake recipe --vendor` / `sbom --vendor`) so licences come from their metadata; for Yocto components, LICENSE in the recipe.',
  'Hash value of the deployable component': 'Vendored tarballs give SHA-512 (`--vendor DIR`); the lock only has SHA-256. Yocto: enable SPDX 3 output with package file hashes.',
  'Executable property': 'beambake sets it for BEAM packages; for other inputs, add the bsi:component:executable property in the tool that wrote them.',
  'Archive property': 'beambake sets it for BEAM packages; for other inputs, add the bsi:component:archive property in the tool that wrote them.',
  'Structured property': 'beambake sets it for BEAM packages; for other inputs, add the bsi:component:structured property in the tool that wrote them.',
  'Source code URI': 'Hex packages: vendor the tarballs so the repository link from their metadata is recorded; Yocto: SRC_URI is recorded in SPDX output.',
  'URI of the deployable form': 'Recorded for Hex packages from the lock (repo.hex.pm tarball URL); other inputs need a distribution reference.',
  'Other unique identifiers': 'Give components a purl or CPE: beambake writes purls for BEAM packages; Yocto writes CPEs (CVE_PRODUCT).',
  'Original licences': 'Vendor the Hex tarballs so the declared licence from their metadata is recorded.',
  'Supplier name': 'Hex packages get Hex.pm as supplier; other inputs need a supplier in the tool that wrote them.',
  'Dependency relationship': 'Merge the inputs with `beambake sbom merge`, which hangs every input under the device.',
  'Author of SBOM data': 'Pass --manufacturer with --contact or --manufacturer-url to `beambake sbom merge`.',
};

export function adviceFor(field: string): string {
  return ADVICE[field] ?? 'Add the field in the tool that produced the input SBOM, then merge again.';
}
