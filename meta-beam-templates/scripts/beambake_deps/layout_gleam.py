"""Gleam layout: every dependency goes to `build/packages/<name>`, recorded in packages.toml.

This is what `gleam deps download` leaves behind (compiler-cli/src/dependencies.rs): each Hex
package's contents.tar.gz unpacked in build/packages/<package name> (the Hex name, not the OTP
app), git packages checked out there, and build/packages/packages.toml listing
`name = "version"` under [packages]. `gleam build` downloads nothing when manifest.toml's
[requirements] equal gleam.toml's dependencies and packages.toml already has every manifest
package at its version. Gleam does not re-check checksums of packages it finds there (nor of
tarballs in its own cache), so beambake's checks (hex_tarball.verify, and the manifest checks
below) are the ones that count.

manifest.toml is read with gleam_toml (both the current format, `{ version = "..." }`
requirements, and the 0.19-era bare strings).
"""

import os

import git_deps
import hex_tarball
from gleam_toml import TomlError, parse
from records import describe

__all__ = ["MANIFEST", "CONFIG", "ManifestError", "packages_dir", "read_manifest", "place_hex", "place_git",
           "config_requirements", "check_requirements", "check_placed", "check_manifest", "read_packages_toml"]

MANIFEST = "manifest.toml"
CONFIG = "gleam.toml"


class ManifestError(hex_tarball.HexTarballError):
    """A manifest.toml/gleam.toml problem (a HexTarballError so the unpack step reports it)."""


def packages_dir(project_dir):
    return os.path.join(project_dir, "build", "packages")


def _read_toml(path):
    try:
        with open(path, encoding="utf-8") as f:
            return parse(f.read(), path)
    except OSError as exc:
        raise ManifestError("cannot read %s (%s)" % (path, exc.strerror or exc))
    except TomlError as exc:
        raise ManifestError(str(exc))


def _requirement(value, where):
    """A gleam.toml / manifest.toml requirement as a comparable dict."""
    if isinstance(value, str):
        return {"version": value.strip()}
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        out = dict(value)
        if "version" in out:
            out["version"] = out["version"].strip()
        if "path" in out:
            out["path"] = os.path.normpath(out["path"])
        return out
    raise ManifestError("%s: requirement %r is neither a version string nor a table of strings" % (where, value))


def read_manifest(project_dir):
    """manifest.toml -> {'packages': {name: dict}, 'requirements': {name: dict}}, checked for shape."""
    path = os.path.join(project_dir, MANIFEST)
    data = _read_toml(path)
    packages = {}
    raw = data.get("packages", [])
    if not isinstance(raw, list):
        raise ManifestError("%s: packages is not an array" % path)
    for index, pkg in enumerate(raw, start=1):
        where = "%s: packages[%d]" % (path, index)
        if not isinstance(pkg, dict):
            raise ManifestError("%s is not a table" % where)
        for key in ("name", "version", "source"):
            if not isinstance(pkg.get(key), str) or not pkg[key]:
                raise ManifestError("%s has no %s" % (where, key))
        name = pkg["name"]
        if name in packages:
            raise ManifestError("%s: package %s is listed twice" % (path, name))
        source = pkg["source"]
        needed = {"hex": ("outer_checksum",), "git": ("repo", "commit"), "local": ("path",)}.get(source)
        if needed is None:
            raise ManifestError("%s (%s): unknown source %r" % (where, name, source))
        for key in needed:
            if not isinstance(pkg.get(key), str) or not pkg[key]:
                raise ManifestError("%s (%s): %s package without %s" % (where, name, source, key))
        if not isinstance(pkg.get("requirements", []), list):
            raise ManifestError("%s (%s): requirements is not an array" % (where, name))
        packages[name] = pkg
    for name, pkg in sorted(packages.items()):
        for req in pkg.get("requirements", []):
            if req not in packages:
                raise ManifestError("%s: %s requires %s, which the manifest does not list" % (path, name, req))
    requirements = {}
    raw_req = data.get("requirements", {})
    if not isinstance(raw_req, dict):
        raise ManifestError("%s: [requirements] is not a table" % path)
    for name, value in sorted(raw_req.items()):
        requirements[name] = _requirement(value, "%s [requirements] %s" % (path, name))
    return {"path": path, "packages": packages, "requirements": requirements}


def _manifest(dep, project_dir):
    try:
        return read_manifest(project_dir)
    except ManifestError as exc:
        raise ManifestError("%s: %s" % (describe(dep), exc))


def _check_hex(dep, manifest):
    pkg = manifest["packages"].get(dep["name"])
    path = manifest["path"]
    if pkg is None:
        raise ManifestError("%s: %s has no package %s (regenerate the recipe)" % (describe(dep), path, dep["name"]))
    if pkg["source"] != "hex":
        raise ManifestError("%s: %s has %s as a %s package" % (describe(dep), path, dep["name"], pkg["source"]))
    if pkg["version"] != dep["version"]:
        raise ManifestError("%s: %s locks version %s" % (describe(dep), path, pkg["version"]))
    if pkg["outer_checksum"].lower() != dep.get("outer"):
        raise ManifestError("%s: %s pins outer_checksum %s, the recipe fetched %s"
                            % (describe(dep), path, pkg["outer_checksum"], (dep.get("outer") or "no checksum").upper()))
    otp_app = pkg.get("otp_app") or pkg["name"]
    if otp_app != dep["app"]:
        raise ManifestError("%s: %s gives otp_app %s" % (describe(dep), path, otp_app))


def _check_git(dep, manifest, error):
    pkg = manifest["packages"].get(dep["app"])
    path = manifest["path"]
    if pkg is None or pkg["source"] != "git":
        raise error("%s: %s has no git package %s (regenerate the recipe)" % (describe(dep), path, dep["app"]))
    if pkg["commit"] != dep["rev"]:
        raise error("%s: %s pins commit %s, the recipe fetched %s" % (describe(dep), path, pkg["commit"], dep["rev"]))
    return pkg


def read_packages_toml(project_dir):
    path = os.path.join(packages_dir(project_dir), "packages.toml")
    if not os.path.exists(path):
        return {}
    data = _read_toml(path)
    packages = data.get("packages", {})
    if not isinstance(packages, dict) or not all(isinstance(v, str) for v in packages.values()):
        raise ManifestError("%s: [packages] must map names to version strings" % path)
    return packages


def _record_package(project_dir, name, version):
    """Add `name = "version"` to packages.toml (sorted, rewritten whole, atomically)."""
    packages = read_packages_toml(project_dir)
    packages[name] = version
    lines = ["[packages]"] + ['%s = "%s"' % (n, packages[n]) for n in sorted(packages)]
    path = os.path.join(packages_dir(project_dir), "packages.toml")
    tmp = path + ".beambake-tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def place_hex(dep, tarball_path, project_dir, limits=None):
    manifest = _manifest(dep, project_dir)
    _check_hex(dep, manifest)
    dest = os.path.join(packages_dir(project_dir), dep["name"])
    hex_tarball.unpack(dep, tarball_path, dest, limits)
    _record_package(project_dir, dep["name"], dep["version"])
    return dest


def place_git(dep, checkout_dir, project_dir):
    try:
        manifest = read_manifest(project_dir)
    except ManifestError as exc:
        raise git_deps.GitPlacementError("%s: %s" % (describe(dep), exc))
    pkg = _check_git(dep, manifest, git_deps.GitPlacementError)
    dest = os.path.join(packages_dir(project_dir), dep["app"])
    git_deps.copy_checkout(dep, checkout_dir, dest, subdir=dep.get("subdir"), keep_git=False)
    _record_package(project_dir, dep["app"], pkg["version"])
    return dest


def config_requirements(project_dir):
    """gleam.toml [dependencies] and [dev-dependencies], normalised like manifest requirements.

    Gleam also accepts the spelling [dev_dependencies] (a serde alias in its config.rs).
    """
    path = os.path.join(project_dir, CONFIG)
    data = _read_toml(path)
    out = {}
    for table in ("dependencies", "dev-dependencies", "dev_dependencies"):
        section = data.get(table, {})
        if not isinstance(section, dict):
            raise ManifestError("%s: [%s] is not a table" % (path, table))
        for name, value in section.items():
            if name in out:
                raise ManifestError("%s: %s is listed twice ([%s] and another dependency table)" % (path, name, table))
            out[name] = _requirement(value, "%s [%s] %s" % (path, table, name))
    return path, out


def check_requirements(project_dir, manifest):
    """gleam.toml's dependencies must equal manifest.toml's [requirements]: otherwise Gleam
    resolves versions again (compiler-cli dependencies.rs is_same_requirements), on the network."""
    config_path, wanted = config_requirements(project_dir)
    locked = manifest["requirements"]
    for name in sorted(set(wanted) | set(locked)):
        if wanted.get(name) != locked.get(name):
            raise ManifestError(
                "%s: %s asks for %s but %s [requirements] has %s: gleam would resolve versions again, "
                "which needs the network (run `gleam deps download` and commit manifest.toml)"
                % (name, config_path, _show(wanted.get(name)), manifest["path"], _show(locked.get(name))))


def _show(requirement):
    if requirement is None:
        return "nothing"
    return "{%s}" % ", ".join('%s = "%s"' % (k, requirement[k]) for k in sorted(requirement))


def check_placed(project_dir, manifest):
    """Every hex/git manifest package must be in build/packages/<name> and in packages.toml at the
    manifest's version: otherwise Gleam downloads it."""
    present = read_packages_toml(project_dir)
    for name, pkg in sorted(manifest["packages"].items()):
        if pkg["source"] == "local":
            continue
        where = os.path.join(packages_dir(project_dir), name)
        if present.get(name) != pkg["version"] or not os.path.isdir(where):
            hint = "BEAM_HEX_DEPS" if pkg["source"] == "hex" else "BEAM_GIT_DEPS"
            raise ManifestError("%s %s (%s): %s lists it but it is not in %s (is it in %s?)"
                                % (name, pkg["version"], pkg["source"], manifest["path"], where, hint))


def check_manifest(project_dir, hex_records=(), git_records=()):
    """Everything `gleam build` needs to run offline; returns the manifest: the requirements
    (check_requirements), the given BEAM_HEX_DEPS / BEAM_GIT_DEPS records against the manifest,
    and the unpacked packages (check_placed)."""
    manifest = read_manifest(project_dir)
    check_requirements(project_dir, manifest)
    for dep in hex_records:
        _check_hex(dep, manifest)
    for dep in git_records:
        _check_git(dep, manifest, ManifestError)
    check_placed(project_dir, manifest)
    return manifest
