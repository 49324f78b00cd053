"""beambake_deps: offline dependency steps shared by the beambake build classes.

Run as `python3 ${BEAMBAKE_SCRIPTS}/beambake_deps <command> ...` (the directory is the program;
its modules import each other flat, so layouts can `import hex_tarball`).

  unpack --layout mix|rebar3|gleam --hex "<BEAM_HEX_DEPS>" --git "<BEAM_GIT_DEPS>"
         --src-dir <BEAM_UNPACKDIR> --project <S>
      Verifies EVERY Hex tarball and git checkout first, then hands each to
      layout_<layout>.place_hex(dep, tarball_path, project_dir) /
      place_git(dep, checkout_dir, project_dir). Nothing is placed if anything is wrong.
  verify --hex "<BEAM_HEX_DEPS>" --src-dir <dir>
      The checks alone.
  scan-buildpaths --forbid PATH [--forbid PATH...] [--beams-only] DIR
      Fails when a forbidden path appears in a file (BEAM chunks decompressed first).
  release-erts --release DIR --target-root DIR --host-root DIR
      Replaces the native ERTS/OTP files of a release with the target sysroot's.

Errors are one line, `beambake-deps: error: app (name-version): what`, exit status 1.
"""

import argparse
import importlib
import os
import sys

# The layer directory may be read-only or shared between builds (and is copied into generated
# layers): never leave __pycache__ in it.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import buildpaths  # noqa: E402
import emu_flavor  # noqa: E402
import git_deps  # noqa: E402
import hex_tarball  # noqa: E402
import records  # noqa: E402
import release_erts  # noqa: E402

LAYOUTS = ("mix", "rebar3", "gleam")
HEX_SUBDIR = "beam-deps/hex"  # src/bitbake/names.ts HEX_SUBDIR


class UsageError(Exception):
    pass


def _tarball_path(src_dir, dep):
    return os.path.join(src_dir, *HEX_SUBDIR.split("/"), dep["file"])


def _limits(args):
    return hex_tarball.Limits(max_tarball_bytes=args.max_tarball_bytes,
                              max_unpacked_bytes=args.max_unpacked_bytes,
                              max_entries=args.max_entries)


def _check_all(args):
    hex_deps = records.parse_hex_records(args.hex, args.unpinned.split())
    git_records = records.parse_git_records(getattr(args, "git", ""))
    for dep in hex_deps:
        hex_tarball.verify(dep, _tarball_path(args.src_dir, dep))
    for dep in git_records:
        checkout = os.path.join(args.src_dir, *dep["dir"].split("/"))
        if not os.path.isdir(checkout):
            raise git_deps.GitPlacementError("%s: the fetched checkout %s is missing" % (records.describe(dep), checkout))
        rev = git_deps.checkout_rev(dep, checkout)
        if rev is not None and rev != dep["rev"]:
            raise git_deps.GitPlacementError(
                "%s: the checkout in %s is at %s, the lock pins %s" % (records.describe(dep), checkout, rev, dep["rev"]))
    return hex_deps, git_records


def cmd_verify(args):
    hex_deps, git_records = _check_all(args)
    print("beambake-deps: %d Hex tarball(s) and %d git checkout(s) match the lock" % (len(hex_deps), len(git_records)))


def cmd_unpack(args):
    if args.layout not in LAYOUTS:
        raise UsageError("unknown layout %r (expected one of %s)" % (args.layout, ", ".join(LAYOUTS)))
    layout = importlib.import_module("layout_" + args.layout)
    hex_deps, git_records = _check_all(args)
    project = os.path.abspath(args.project)
    for dep in hex_deps:
        where = _guard(dep, layout.place_hex, dep, _tarball_path(args.src_dir, dep), project)
        print("beambake-deps: %s -> %s" % (records.describe(dep), _rel(where, project)))
    for dep in git_records:
        checkout = os.path.join(args.src_dir, *dep["dir"].split("/"))
        where = _guard(dep, layout.place_git, dep, checkout, project)
        print("beambake-deps: %s -> %s" % (records.describe(dep), _rel(where, project)))


def _rel(path, project):
    return os.path.relpath(path, project) if isinstance(path, str) else "placed"


def _guard(dep, fn, *fn_args):
    """Unexpected filesystem errors still name the package."""
    try:
        return fn(*fn_args)
    except OSError as exc:
        raise git_deps.GitPlacementError("%s: %s" % (records.describe(dep), exc))


def cmd_scan_buildpaths(args):
    needles = sorted({os.path.normpath(p).encode("utf-8") for p in args.forbid if p and p != "/"})
    if not needles:
        raise UsageError("scan-buildpaths needs at least one --forbid path")
    hits = buildpaths.scan_tree(args.dir, needles)
    beam_hits = [h for h in hits if h[0].endswith(".beam")]
    other_hits = [h for h in hits if not h[0].endswith(".beam")]
    for rel, found in other_hits:
        print("beambake-deps: note: %s contains %s" % (rel, ", ".join(found)), file=sys.stderr)
    bad = beam_hits if args.beams_only else hits
    if bad:
        listing = "; ".join("%s (%s)" % (rel, ", ".join(found)) for rel, found in bad[:20])
        raise UsageError("build paths found in %d file(s) under %s: %s" % (len(bad), args.dir, listing))
    print("beambake-deps: no build paths in %s" % args.dir)


def cmd_release_erts(args):
    for note in release_erts.use_target_erts(args.release, args.target_root, args.host_root, erl=args.erl):
        print("beambake-deps: note: %s" % note, file=sys.stderr)
    print("beambake-deps: ERTS and OTP applications in %s come from %s" % (args.release, args.target_root))


def cmd_check_emu_flavor(args):
    found, path = emu_flavor.check(args.erlang_root, args.expect, args.profile)
    print("beambake-deps: %s runs the %s flavor, as expected" % (path, found))


def _parser():
    p = argparse.ArgumentParser(prog="beambake_deps", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    def hex_options(sp):
        sp.add_argument("--hex", default="", help="BEAM_HEX_DEPS records")
        sp.add_argument("--git", default="", help="BEAM_GIT_DEPS records")
        sp.add_argument("--unpinned", default="", help="BEAMBAKE_UNPINNED: apps whose record may lack the outer checksum")
        sp.add_argument("--src-dir", required=True, help="BEAM_UNPACKDIR (holds beam-deps/hex and beam-deps/git)")
        sp.add_argument("--max-tarball-bytes", type=int, default=64 << 20)
        sp.add_argument("--max-unpacked-bytes", type=int, default=256 << 20)
        sp.add_argument("--max-entries", type=int, default=20000)

    sp = sub.add_parser("unpack")
    hex_options(sp)
    sp.add_argument("--layout", required=True)
    sp.add_argument("--project", required=True, help="project source directory (S)")
    sp.set_defaults(fn=cmd_unpack)

    sp = sub.add_parser("verify")
    hex_options(sp)
    sp.set_defaults(fn=cmd_verify)

    sp = sub.add_parser("scan-buildpaths")
    sp.add_argument("--forbid", action="append", default=[])
    sp.add_argument("--beams-only", action="store_true", help="only .beam hits fail; others are notes")
    sp.add_argument("dir")
    sp.set_defaults(fn=cmd_scan_buildpaths)

    sp = sub.add_parser("release-erts")
    sp.add_argument("--release", required=True)
    sp.add_argument("--target-root", required=True, help="target Erlang root, e.g. ${STAGING_LIBDIR}/erlang")
    sp.add_argument("--host-root", required=True, help="native Erlang root (code:root_dir())")
    sp.add_argument("--erl", default="erl")
    sp.set_defaults(fn=cmd_release_erts)

    sp = sub.add_parser("check-emu-flavor")
    sp.add_argument("--erlang-root", required=True, help="target Erlang root (${STAGING_LIBDIR}/erlang) or a release")
    sp.add_argument("--expect", required=True, help="BEAM_EXPECTED_EMU_FLAVOR: jit or emu")
    sp.add_argument("--profile", default="", help="hardware profile name, for the message")
    sp.set_defaults(fn=cmd_check_emu_flavor)
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    if hasattr(args, "max_entries"):
        hex_tarball.default_limits = _limits(args)
    try:
        args.fn(args)
    except (records.RecordError, hex_tarball.HexTarballError, git_deps.GitPlacementError,
            release_erts.ReleaseErtsError, emu_flavor.EmuFlavorError, UsageError) as exc:
        print("beambake-deps: error: %s" % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
