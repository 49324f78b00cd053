"""Check a Hex package tarball against its lock record and extract it safely.

Used by every layout (mix, rebar3, gleam). Python 3 standard library only: this runs inside
Yocto, where python3 is always there and nothing else is.

A Hex v3 tarball is an uncompressed tar holding exactly VERSION ("3"), CHECKSUM (uppercase
SHA-256 of VERSION || metadata.config || contents.tar.gz, the "inner" checksum),
metadata.config (Erlang terms) and contents.tar.gz (the package files). The lock pins the
SHA-256 of the whole file (the "outer" checksum) and, in mix.lock, the inner one too.

Public API (the rebar3/gleam layouts use it too):
  verify(dep, path, limits=None) -> HexTarball      checks only, nothing written
  extract(tarball, dest_dir, limits=None)           safe extraction of contents.tar.gz
  unpack(dep, path, dest_dir, limits=None) -> HexTarball   verify + extract
Every failure raises HexTarballError whose message starts with `app (name-version): `.
"""

import hashlib
import io
import os
import posixpath
import shutil
import sys
import tarfile
import zlib

from erlang_terms import TermError, metadata_dict
from records import describe

__all__ = ["HexTarballError", "HexTarball", "Limits", "verify", "extract", "unpack"]

_OUTER_MEMBERS = ("VERSION", "CHECKSUM", "metadata.config", "contents.tar.gz")


class HexTarballError(Exception):
    pass


class Limits:
    """Bounds on what one package may unpack to; hex.pm itself caps packages well below these."""

    def __init__(self, max_tarball_bytes=64 << 20, max_unpacked_bytes=256 << 20, max_entries=20000,
                 max_metadata_bytes=1 << 20):
        self.max_tarball_bytes = max_tarball_bytes
        self.max_unpacked_bytes = max_unpacked_bytes
        self.max_entries = max_entries
        self.max_metadata_bytes = max_metadata_bytes


class HexTarball:
    def __init__(self, dep, path, metadata, inner_checksum, outer_checksum, contents):
        self.dep = dep
        self.path = path
        self.metadata = metadata
        #: lowercase hex, computed from the file (equal to the record's by the time we return it)
        self.inner_checksum = inner_checksum
        self.outer_checksum = outer_checksum
        self.contents = contents

    @property
    def build_tools(self):
        tools = self.metadata.get("build_tools") or []
        return sorted({t.decode("utf-8", "replace") for t in tools if isinstance(t, bytes)})


#: Used when a caller passes no limits; `__main__` replaces it from its command line.
default_limits = Limits()


def _fail(dep, what):
    raise HexTarballError("%s: %s" % (describe(dep), what))


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_outer(dep, path, limits):
    members = {}
    try:
        with tarfile.open(path, mode="r:") as outer:
            for member in outer:
                if member.name not in _OUTER_MEMBERS:
                    _fail(dep, "unexpected entry %r in the outer tarball" % member.name)
                if member.name in members:
                    _fail(dep, "entry %r appears twice in the outer tarball" % member.name)
                if not member.isreg():
                    _fail(dep, "outer entry %r is not a regular file" % member.name)
                cap = limits.max_metadata_bytes if member.name != "contents.tar.gz" else limits.max_tarball_bytes
                if member.size > cap:
                    _fail(dep, "outer entry %r is %d bytes, over the %d byte limit" % (member.name, member.size, cap))
                data = outer.extractfile(member).read()
                if len(data) != member.size:
                    _fail(dep, "outer entry %r is truncated" % member.name)
                members[member.name] = data
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        _fail(dep, "not a readable tar archive (%s)" % exc)
    for name in _OUTER_MEMBERS:
        if name not in members:
            _fail(dep, "the outer tarball has no %s" % name)
    return members


def verify(dep, path, limits=None):
    """Check `path` against the lock record `dep`, contents included; nothing is written."""
    limits = limits or default_limits
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        _fail(dep, "cannot read the fetched tarball %s (%s)" % (path, exc.strerror or exc))
    if size > limits.max_tarball_bytes:
        _fail(dep, "tarball is %d bytes, over the %d byte limit" % (size, limits.max_tarball_bytes))

    outer = _sha256_file(path)
    if dep.get("outer") is None:
        # parse_hex_records allows this only for BEAMBAKE_UNPINNED apps that have an inner checksum
        print("beambake-deps: WARNING: UNPINNED %s: the lock has no outer checksum, so only the inner "
              "checksum below vouches for %s (sha256 %s)" % (describe(dep), os.path.basename(path), outer),
              file=sys.stderr)
        if not dep.get("inner"):
            _fail(dep, "no outer and no inner checksum: nothing verifies this tarball")
    elif outer != dep["outer"]:
        _fail(dep, "outer checksum mismatch: the lock pins %s, %s has %s" % (dep["outer"], path, outer))

    members = _read_outer(dep, path, limits)
    if members["VERSION"] != b"3":
        _fail(dep, "unsupported tarball VERSION %r (only Hex v3 tarballs are accepted)" % members["VERSION"][:16])

    inner = hashlib.sha256(members["VERSION"] + members["metadata.config"] + members["contents.tar.gz"]).hexdigest()
    recorded = members["CHECKSUM"]
    try:
        recorded = recorded.decode("ascii")
    except UnicodeDecodeError:
        recorded = ""
    if len(recorded) != 64 or recorded.lower() != inner:
        _fail(dep, "inner checksum mismatch: CHECKSUM says %r, content hashes to %s" % (recorded[:64], inner.upper()))
    if dep.get("inner") and dep["inner"] != inner:
        _fail(dep, "inner checksum mismatch: lock pins %s, tarball has %s" % (dep["inner"], inner))

    raw = members["metadata.config"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # tarballs from very old Hex clients
    try:
        metadata = metadata_dict(text)
    except TermError as exc:
        _fail(dep, "metadata.config %s" % exc)
    for key in ("name", "version"):
        value = metadata.get(key)
        if not isinstance(value, bytes):
            _fail(dep, "metadata.config has no binary %r" % key)
        if value.decode("utf-8", "replace") != dep[key]:
            _fail(dep, "metadata.config %s is %r, the lock says %r" % (key, value.decode("utf-8", "replace"), dep[key]))
    tarball = HexTarball(dep, path, metadata, inner, outer, members["contents.tar.gz"])
    _extract_into(tarball, None, limits)  # every content check, nothing written
    return tarball


def _clean_name(tarball, raw):
    if "\x00" in raw:
        _fail(tarball.dep, "contents entry %r has a NUL byte in its name" % raw)
    if raw.startswith("/"):
        _fail(tarball.dep, "contents entry %r has an absolute path" % raw)
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        _fail(tarball.dep, "contents entry %r leaves the package directory (..)" % raw)
    return "/".join(parts)


def _symlink_stays_inside(name, target, links):
    """True when `target`, read relative to the link's directory, stays in the tree without
    passing through another link (chains are refused: they defeat a lexical check)."""
    if target.startswith("/") or "\x00" in target:
        return False
    stack = name.split("/")[:-1]
    for part in target.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not stack:
                return False
            stack.pop()
            continue
        stack.append(part)
        if "/".join(stack) in links:
            return False
    return True


def extract(tarball, dest_dir, limits=None):
    """Unpack contents.tar.gz into `dest_dir` (replaced atomically; must not be a symlink)."""
    limits = limits or default_limits
    dep = tarball.dep
    parent = os.path.dirname(os.path.abspath(dest_dir))
    os.makedirs(parent, exist_ok=True)
    staging = os.path.join(parent, "." + os.path.basename(dest_dir) + ".beambake-staging")
    if os.path.lexists(staging):
        shutil.rmtree(staging)
    os.mkdir(staging, 0o755)
    try:
        _extract_into(tarball, staging, limits)
        if os.path.islink(dest_dir):
            _fail(dep, "destination %s is a symlink" % dest_dir)
        if os.path.lexists(dest_dir):
            shutil.rmtree(dest_dir)
        os.rename(staging, dest_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _extract_into(tarball, root, limits):
    """Walk contents.tar.gz applying every check; write the tree under `root` unless it is None
    (verify() runs this dry, so a bad package stops the step before any package is placed)."""
    dep = tarball.dep
    seen = {}  # name -> "file" | "dir" | "link"
    sizes = {}  # regular file name -> size, for hard links
    links = []
    total = 0
    count = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball.contents), mode="r|gz") as inner:
            for member in inner:
                count += 1
                if count > limits.max_entries:
                    _fail(dep, "contents.tar.gz has more than %d entries" % limits.max_entries)
                name = _clean_name(tarball, member.name)
                if name == "":
                    if member.isdir():
                        continue
                    _fail(dep, "contents entry %r has an empty path" % member.name)
                if name in seen:
                    _fail(dep, "contents entry %r appears twice" % name)
                parts = name.split("/")
                for i in range(1, len(parts)):
                    ancestor = "/".join(parts[:i])
                    if seen.get(ancestor) in ("file", "link"):
                        _fail(dep, "contents entry %r lies under %s %r" % (name, seen[ancestor], ancestor))
                path = os.path.join(root, *parts) if root is not None else None
                if member.isdir():
                    seen[name] = "dir"
                    if path:
                        os.makedirs(path, 0o755, exist_ok=True)
                elif member.isreg():
                    seen[name] = "file"
                    total += member.size
                    if total > limits.max_unpacked_bytes:
                        _fail(dep, "contents.tar.gz unpacks to more than %d bytes" % limits.max_unpacked_bytes)
                    sizes[name] = member.size
                    if path:
                        _write_file(dep, path, inner.extractfile(member), member)
                elif member.issym():
                    seen[name] = "link"
                    links.append((name, member.linkname))
                elif member.islnk():
                    target = _clean_name(tarball, member.linkname)
                    if target not in sizes:
                        _fail(dep, "hard link %r points to %r, which is not a file earlier in the package"
                              % (name, member.linkname))
                    seen[name] = "file"
                    sizes[name] = sizes[target]
                    total += sizes[target]
                    if total > limits.max_unpacked_bytes:
                        _fail(dep, "contents.tar.gz unpacks to more than %d bytes" % limits.max_unpacked_bytes)
                    if path:
                        # A copy, never a real hard link: the package tree stays self-contained.
                        with open(os.path.join(root, *target.split("/")), "rb") as src:
                            _write_file(dep, path, src, member)
                else:
                    kind = {tarfile.CHRTYPE: "character device", tarfile.BLKTYPE: "block device",
                            tarfile.FIFOTYPE: "fifo", tarfile.CONTTYPE: "contiguous file"}.get(member.type, "special file")
                    _fail(dep, "contents entry %r is a %s" % (name, kind))
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as exc:
        _fail(dep, "cannot unpack contents.tar.gz (%s)" % exc)
    link_names = {name for name, _ in links}
    for name, target in links:
        if not _symlink_stays_inside(name, target, link_names):
            _fail(dep, "symlink %r -> %r points outside the package" % (name, target))
    if root is not None:
        # Links last: no file is ever written through one.
        for name, target in links:
            path = os.path.join(root, *name.split("/"))
            os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
            os.symlink(target, path)


def _write_file(dep, path, src, member):
    parent = os.path.dirname(path)
    os.makedirs(parent, 0o755, exist_ok=True)
    mode = 0o755 if member.mode & 0o111 else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    os.chmod(path, mode)  # umask must not change what the package asked for
    mtime = max(0, int(member.mtime))
    os.utime(path, (mtime, mtime))


def unpack(dep, path, dest_dir, limits=None):
    tarball = verify(dep, path, limits)
    extract(tarball, dest_dir, limits)
    return tarball
