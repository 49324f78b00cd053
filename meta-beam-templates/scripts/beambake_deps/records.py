"""Parse the BEAM_HEX_DEPS / BEAM_GIT_DEPS values a generated recipe passes to the unpack step.

The renderer already validates every value, but the recipe is a text file users can edit, so
the values are checked again here: each field is matched against the same narrow grammar the
renderer uses, and anything else stops the build before a file is touched.

Format (see /work/notes/contracts.md): records separated by whitespace, fields by ",", each
field "key=value".
"""

import re

__all__ = ["RecordError", "parse_hex_records", "parse_git_records", "describe"]


class RecordError(Exception):
    """A malformed dependency record; the message names the record."""


_APP = re.compile(r"[a-z][a-z0-9_]*\Z")
# SemVer 2.0 (Hex requires it for package versions).
_VERSION = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?\Z"
)
_REPO = re.compile(r"[a-z0-9_]+(:[a-z0-9_-]+)?\Z")
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")
_GIT_REV = re.compile(r"[0-9a-f]{40}\Z")
_FILE = re.compile(r"hex-[A-Za-z0-9_.+-]+\.tar\Z")
_REL_PATH = re.compile(r"[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)*\Z")

_HEX_FIELDS = {
    "app": (_APP, True),
    "name": (_APP, True),
    "version": (_VERSION, True),
    "repo": (_REPO, True),
    # optional only for the apps a recipe generated with --allow-unpinned lists (parse_hex_records)
    "outer": (_SHA256, False),
    "inner": (_SHA256, False),
    "file": (_FILE, True),
}
_GIT_FIELDS = {
    "app": (_APP, True),
    "rev": (_GIT_REV, True),
    "dir": (_REL_PATH, True),
    "subdir": (_REL_PATH, False),
    "sparse": (_REL_PATH, False),
}


def describe(dep):
    """How error messages name a dependency: `app (name-version)` or `app (git rev)`."""
    if "version" in dep:
        return "%s (%s-%s)" % (dep.get("app", "?"), dep.get("name", "?"), dep.get("version", "?"))
    return "%s (git %s)" % (dep.get("app", "?"), dep.get("rev", "?")[:12])


def _parse(text, fields, kind):
    records = []
    seen = set()
    for index, raw in enumerate((text or "").split(), start=1):
        dep = {}
        for part in raw.split(","):
            key, sep, value = part.partition("=")
            if not sep:
                raise RecordError("%s record %d (%r): field %r is not key=value" % (kind, index, raw, part))
            if key not in fields:
                raise RecordError("%s record %d (%r): unknown field %r" % (kind, index, raw, key))
            if key in dep:
                raise RecordError("%s record %d (%r): field %r given twice" % (kind, index, raw, key))
            dep[key] = value
        for key, (pattern, required) in fields.items():
            value = dep.get(key)
            if value is None or value == "":
                if required:
                    raise RecordError("%s record %d (%r): missing field %r" % (kind, index, raw, key))
                dep.pop(key, None)
                continue
            if not pattern.match(value) or ".." in value.split("/"):
                raise RecordError("%s record %d (%r): invalid %s %r" % (kind, index, raw, key, value))
        if dep["app"] in seen:
            raise RecordError("%s record %d: app %r listed twice" % (kind, index, dep["app"]))
        seen.add(dep["app"])
        records.append(dep)
    return records


def parse_hex_records(text, unpinned=()):
    """BEAM_HEX_DEPS -> list of dicts with app, name, version, repo, outer, file and maybe inner.

    A record without `outer` is accepted only for an app in `unpinned` (BEAMBAKE_UNPINNED, written
    by `beambake recipe --allow-unpinned` for lock entries that have no outer checksum), and only
    when it has the inner checksum: the contents are then still checked against the lock.
    """
    deps = _parse(text, _HEX_FIELDS, "BEAM_HEX_DEPS")
    allowed = set(unpinned)
    for index, dep in enumerate(deps, start=1):
        if "outer" in dep:
            continue
        if dep["app"] not in allowed:
            raise RecordError("BEAM_HEX_DEPS record %d (%s): missing field 'outer' (only apps listed in "
                              "BEAMBAKE_UNPINNED may lack it)" % (index, describe(dep)))
        if "inner" not in dep:
            raise RecordError("BEAM_HEX_DEPS record %d (%s): unpinned and without an inner checksum, so "
                              "nothing would verify the tarball" % (index, describe(dep)))
    return deps


def parse_git_records(text):
    """BEAM_GIT_DEPS -> list of dicts with app, rev, dir and maybe subdir, sparse."""
    return _parse(text, _GIT_FIELDS, "BEAM_GIT_DEPS")
