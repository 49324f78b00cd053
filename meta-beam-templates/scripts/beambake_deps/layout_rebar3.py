"""rebar3 layout: Hex tarballs go into rebar3's own package cache, git deps into `_build`.

Why the package cache and not `_checkouts`: rebar3 treats `_checkouts/<app>` as project source
and never checks it against rebar.lock, so every checksum check would be ours alone. From its
package cache (`$REBAR_CACHE_DIR/hex/<repo>/packages/NAME-VSN.tar`) rebar3 unpacks the tarball
itself and, before unpacking, compares the tarball's SHA-256 with the lock's `pkg_hash_ext`
and checks the inner CHECKSUM (rebar_pkg_resource:serve_from_memory/3, r3_hex_tarball:unpack/2).
Two things make that work offline, both read from rebar3 3.19's source:
  * a `NAME-VSN.etag` next to the tarball: when the registry cannot be reached rebar3 only falls
    back to a cached tarball that has an ETag (rebar_pkg_resource:cached_download/7);
  * an entry in the registry index `$REBAR_CACHE_DIR/hex/packages.idx` for each locked package:
    rebar_app_utils:update_source/3 resolves even a locked `{pkg, Name, Vsn}` through that index
    and would otherwise ask hex.pm. The index is written at build time by
    `beambake-rebar3-index.escript` (it needs erl) from the records this module leaves in
    `<cache>/beambake/`.

Git dependencies are copied, with `.git`, to `_build/default/lib/<app>` (rebar3 fetches every
profile's deps there). rebar3 then checks them itself: HEAD against the lock's ref and
`remote.origin.url` against the lock's URL (rebar_git_resource:needs_update_/2); origin is set
to the URL rebar.lock records, as `rebar3 get-deps` would have.
"""

import os
import shutil
import subprocess

import git_deps
import hex_tarball
from erlang_terms import Atom, TermError, parse_terms
from records import describe

__all__ = ["LOCK_FILE", "cache_dir", "deps_dir", "read_lock", "place_hex", "place_git", "check_complete",
           "index_records_dir"]

LOCK_FILE = "rebar.lock"


def cache_dir(project_dir):
    """REBAR_CACHE_DIR when set (the build script sets it), else `<project>/.beambake/rebar3-cache`."""
    configured = os.environ.get("REBAR_CACHE_DIR")
    if configured:
        return os.path.join(project_dir, configured)  # join keeps an absolute value as it is
    return os.path.join(project_dir, ".beambake", "rebar3-cache")


def deps_dir(project_dir):
    base = os.environ.get("REBAR_BASE_DIR") or "_build"
    return os.path.join(project_dir, base, "default", "lib")


def index_records_dir(project_dir):
    return os.path.join(cache_dir(project_dir), "beambake")


def _package_dir(project_dir, repo):
    return os.path.join(cache_dir(project_dir), "hex", repo, "packages")


# --- rebar.lock -----------------------------------------------------------------------------

class LockEntry:
    """One rebar.lock dependency: kind is 'pkg', 'git', 'git_subdir' or another source atom."""

    def __init__(self, app, kind, **fields):
        self.app = app
        self.kind = kind
        self.name = fields.get("name")
        self.version = fields.get("version")
        self.url = fields.get("url")
        self.ref = fields.get("ref")
        self.subdir = fields.get("subdir")
        self.inner = None
        self.outer = None


class LockError(Exception):
    pass


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str) and not isinstance(value, Atom):
        return value
    return None


def _entry(term):
    if not (isinstance(term, tuple) and len(term) >= 2 and isinstance(term[0], bytes)):
        raise LockError("a dependency entry is not {<<\"app\">>, Source, Level}: %r" % (term,))
    app = term[0].decode("utf-8", "replace")
    source = term[1]
    if not (isinstance(source, tuple) and source and isinstance(source[0], Atom)):
        raise LockError("%s: source is not a tuple tagged with an atom" % app)
    kind = str(source[0])
    if kind == "pkg":
        if len(source) < 3 or _text(source[1]) is None or _text(source[2]) is None:
            raise LockError("%s: pkg source is not {pkg, Name, Vsn}" % app)
        return LockEntry(app, kind, name=_text(source[1]), version=_text(source[2]))
    if kind in ("git", "git_subdir"):
        url = _text(source[1]) if len(source) > 1 else None
        checkout = source[2] if len(source) > 2 else None
        ref = None
        if isinstance(checkout, tuple) and len(checkout) == 2 and str(checkout[0]) == "ref":
            ref = _text(checkout[1])
        subdir = _text(source[3]) if kind == "git_subdir" and len(source) > 3 else None
        if url is None:
            raise LockError("%s: %s source has no URL" % (app, kind))
        return LockEntry(app, kind, url=url, ref=ref, subdir=subdir)
    return LockEntry(app, kind)


def read_lock(project_dir):
    """rebar.lock -> {app: LockEntry}; the checksums are filled in from pkg_hash(_ext)."""
    path = os.path.join(project_dir, LOCK_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise LockError("cannot read %s (%s)" % (path, exc.strerror or exc))
    try:
        terms = parse_terms(text)
    except TermError as exc:
        raise LockError("%s: %s" % (path, exc))
    if not terms:
        return {}
    first = terms[0]
    # 1.1.0+: {"1.x.y", [Entries]}; the 2015-era format is the bare list.
    deps = first[1] if isinstance(first, tuple) and len(first) == 2 and isinstance(first[1], list) else first
    if not isinstance(deps, list):
        raise LockError("%s: the first term is neither {Version, Deps} nor a list of deps" % path)
    entries = {}
    try:
        for term in deps:
            entry = _entry(term)
            entries[entry.app] = entry
    except LockError as exc:
        raise LockError("%s: %s" % (path, exc))
    for extra in terms[1:2]:
        for item in extra if isinstance(extra, list) else []:
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], list)):
                continue
            field = {"pkg_hash": "inner", "pkg_hash_ext": "outer"}.get(str(item[0]))
            for pair in item[1] if field else []:
                if isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], bytes):
                    entry = entries.get(pair[0].decode("utf-8", "replace"))
                    if entry is not None and isinstance(pair[1], bytes):
                        setattr(entry, field, pair[1].decode("ascii", "replace").lower())
    return entries


def _lock_entry(dep, project_dir, error):
    try:
        entries = read_lock(project_dir)
    except LockError as exc:
        raise error("%s: %s" % (describe(dep), exc))
    entry = entries.get(dep["app"])
    if entry is None:
        raise error("%s: %s has no entry for this app (regenerate the recipe)"
                    % (describe(dep), os.path.join(project_dir, LOCK_FILE)))
    return entry


# --- Hex packages ---------------------------------------------------------------------------

def _check_hex_against_lock(dep, entry, lock_path):
    fail = hex_tarball.HexTarballError
    if entry.kind != "pkg":
        raise fail("%s: %s locks this app as a %s dependency, the recipe fetches a Hex package"
                   % (describe(dep), lock_path, entry.kind))
    if (entry.name, entry.version) != (dep["name"], dep["version"]):
        raise fail("%s: %s locks %s-%s (regenerate the recipe)" % (describe(dep), lock_path, entry.name, entry.version))
    if entry.outer is not None and entry.outer != dep.get("outer"):
        raise fail("%s: %s pins outer checksum %s, the recipe fetched %s (regenerate the recipe or restore the lock)"
                   % (describe(dep), lock_path, entry.outer, dep.get("outer") or "a tarball without one"))
    if entry.inner is not None and dep.get("inner") and entry.inner != dep["inner"]:
        raise fail("%s: %s pins inner checksum %s, the recipe says %s"
                   % (describe(dep), lock_path, entry.inner, dep["inner"]))


def _erl_binary(value):
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return "<<" + ",".join(str(b) for b in data) + ">>"


def _requirements(tarball):
    """metadata.config requirements as [(app, package, requirement, optional)], sorted.

    Hex has written them as [{Name, Props}] and as [Props-with-name]; both are accepted.
    """
    raw = tarball.metadata.get("requirements") or []
    items = []
    if isinstance(raw, dict):
        raw = list(raw.items())
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], bytes):
            name, props = item
        else:
            name, props = None, item
        if isinstance(props, dict):
            props = list(props.items())
        fields = {}
        for pair in props if isinstance(props, list) else []:
            if isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], bytes):
                fields[pair[0].decode("utf-8", "replace")] = pair[1]
        name = name if name is not None else fields.get("name")
        requirement = fields.get("requirement")
        if not isinstance(name, bytes) or not isinstance(requirement, bytes):
            raise hex_tarball.HexTarballError("%s: metadata.config has a requirement without name or version: %r"
                                              % (describe(tarball.dep), item))
        app = fields.get("app") if isinstance(fields.get("app"), bytes) else name
        optional = fields.get("optional") == Atom("true") or fields.get("optional") is True
        items.append((app, name, requirement, optional))
    return sorted(items)


def _write_atomic(path, data):
    tmp = path + ".beambake-tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _record_text(dep, tarball):
    deps = ",".join("{%s,%s,%s,%s}" % (_erl_binary(app), _erl_binary(name), _erl_binary(req),
                                       "true" if optional else "false")
                    for app, name, req, optional in _requirements(tarball))
    return "%% beambake: registry entry for %s, from its verified metadata.config\n" % describe(dep) + \
        "{beambake_package,%s,%s,%s,%s,%s,[%s]}.\n" % (
            _erl_binary(dep["repo"]), _erl_binary(dep["name"]), _erl_binary(dep["version"]),
            _erl_binary(tarball.inner_checksum.upper()), _erl_binary(tarball.outer_checksum.upper()), deps)


def _record_path(project_dir, dep):
    return os.path.join(index_records_dir(project_dir), "%s--%s-%s.config" % (
        dep["repo"].replace(":", "_"), dep["name"], dep["version"]))


def place_hex(dep, tarball_path, project_dir, limits=None):
    """Copy the verified tarball into rebar3's package cache; rebar3 unpacks (and re-checks) it."""
    entry = _lock_entry(dep, project_dir, hex_tarball.HexTarballError)
    _check_hex_against_lock(dep, entry, os.path.join(project_dir, LOCK_FILE))
    tarball = hex_tarball.verify(dep, tarball_path, limits)
    # Reading the requirements also proves metadata.config is usable before anything is written.
    record = _record_text(dep, tarball).encode("utf-8")
    packages = _package_dir(project_dir, dep["repo"])
    os.makedirs(packages, exist_ok=True)
    os.makedirs(index_records_dir(project_dir), exist_ok=True)
    dest = os.path.join(packages, "%s-%s.tar" % (dep["name"], dep["version"]))
    tmp = dest + ".beambake-tmp"
    shutil.copyfile(tarball_path, tmp)
    os.replace(tmp, dest)
    # Any non-empty ETag will do: it is only sent to a registry that cannot be reached.
    _write_atomic(os.path.join(packages, "%s-%s.etag" % (dep["name"], dep["version"])),
                  (dep.get("outer") or tarball.outer_checksum).encode("ascii"))
    _write_atomic(_record_path(project_dir, dep), record)
    return dest


# --- git dependencies -----------------------------------------------------------------------

def place_git(dep, checkout_dir, project_dir):
    fail = git_deps.GitPlacementError
    entry = _lock_entry(dep, project_dir, fail)
    lock_path = os.path.join(project_dir, LOCK_FILE)
    if entry.kind not in ("git", "git_subdir"):
        raise fail("%s: %s locks this app as a %s dependency, the recipe fetches git" % (describe(dep), lock_path, entry.kind))
    if entry.ref != dep["rev"]:
        raise fail("%s: %s pins %s, the recipe fetched %s (only {ref, Sha} locks can be built offline)"
                   % (describe(dep), lock_path, entry.ref, dep["rev"]))
    if (entry.subdir or None) != (dep.get("subdir") or None):
        raise fail("%s: %s gives subdir %r, the recipe %r" % (describe(dep), lock_path, entry.subdir, dep.get("subdir")))
    dest = os.path.join(deps_dir(project_dir), dep["app"])
    rev = git_deps.copy_checkout(dep, checkout_dir, dest, keep_git=True)
    if rev is None:
        raise fail("%s: the checkout in %s has no .git; rebar3 reads HEAD from it to check rebar.lock"
                   % (describe(dep), checkout_dir))
    try:
        subprocess.run(["git", "--git-dir=" + os.path.join(dest, ".git"), "config", "remote.origin.url", entry.url],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise fail("%s: cannot set origin of %s (%s)" % (describe(dep), dest, exc))
    return dest


# --- before the build -----------------------------------------------------------------------

def check_complete(project_dir):
    """Every rebar.lock dependency must have been placed; returns (hex apps, git apps).

    Run by the build script before rebar3 starts, so a lock the recipe does not match stops the
    build with the app's name instead of rebar3 trying the network.
    """
    try:
        entries = read_lock(project_dir)
    except LockError as exc:
        raise hex_tarball.HexTarballError(str(exc))
    lock_path = os.path.join(project_dir, LOCK_FILE)
    hex_apps, git_apps = [], []
    for app in sorted(entries):
        entry = entries[app]
        if entry.kind == "pkg":
            records = [n for n in _listdir(index_records_dir(project_dir))
                       if n.endswith("--%s-%s.config" % (entry.name, entry.version))]
            if not records:
                raise hex_tarball.HexTarballError(
                    "%s (%s-%s): %s locks this package but it was not unpacked (is it in BEAM_HEX_DEPS?)"
                    % (app, entry.name, entry.version, lock_path))
            hex_apps.append(app)
        elif entry.kind in ("git", "git_subdir"):
            dest = os.path.join(deps_dir(project_dir), app)
            dep = {"app": app, "rev": entry.ref or "?"}
            rev = git_deps.checkout_rev(dep, dest) if os.path.isdir(dest) else None
            if rev is None or rev != entry.ref:
                raise git_deps.GitPlacementError(
                    "%s: %s locks %s at %s but %s does not hold that checkout (is it in BEAM_GIT_DEPS?)"
                    % (describe(dep), lock_path, entry.url, entry.ref, dest))
            git_apps.append(app)
        else:
            raise git_deps.GitPlacementError("%s: %s uses a %s source, which beambake cannot build offline"
                                             % (app, lock_path, entry.kind))
    return hex_apps, git_apps


def _listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []
