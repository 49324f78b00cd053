"""Put the TARGET's ERTS and OTP applications into a release built with the native Erlang.

`mix release` can only take ERTS from a path written in the project's own mix.exs
(`include_erts:`), and no documented switch or environment variable sets it from outside. So
the release is built with the native ERTS (same OTP version as the target: meta-erlang builds
erlang-native and erlang from one recipe) and then every architecture-specific file Mix copied
from the native install is replaced by the target sysroot's file at the same relative path:
`erts-<vsn>/**` (except Mix's relocatable `bin/erl` wrapper) and each OTP application
`lib/<app>-<vsn>/**` (crypto's NIF, asn1's, ...). Target BEAM files are stripped again, as Mix
stripped the native ones, which also removes the erlang recipe's build paths from them.

The versions must match exactly; anything else is an error naming the missing piece.
"""

import os
import shutil
import subprocess
import tempfile

__all__ = ["ReleaseErtsError", "use_target_erts"]

# Written by Mix itself (ROOTDIR computed at run time); the target's copy hard-codes a prefix.
_KEEP = {"bin/erl"}


class ReleaseErtsError(Exception):
    pass


def _files(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            out.append(os.path.relpath(path, root).replace(os.sep, "/"))
    return out


def _replace_tree(release_dir, target_dir, notes, keep=()):
    """Overwrite each file of `release_dir` with the target's; drop those the target lacks."""
    replaced = []
    for rel in _files(release_dir):
        if rel in keep:
            continue
        dest = os.path.join(release_dir, *rel.split("/"))
        src = os.path.join(target_dir, *rel.split("/"))
        if os.path.isfile(src):
            os.unlink(dest)
            shutil.copy2(src, dest)  # follows links: the release must be self-contained
            replaced.append(dest)
        else:
            os.unlink(dest)
            notes.append("removed %s (not in the target sysroot)" % os.path.relpath(dest, os.path.dirname(release_dir)))
    return replaced


def use_target_erts(release_root, target_root, host_root, erl="erl"):
    """Swap native ERTS/OTP files in `release_root` for those under `target_root`; returns notes."""
    notes = []
    if os.path.realpath(target_root) == os.path.realpath(host_root):
        notes.append("target Erlang root is the native one (%s): files are re-copied unchanged" % target_root)
    entries = sorted(os.listdir(release_root))
    erts = [e for e in entries if e.startswith("erts-")]
    if len(erts) > 1:
        raise ReleaseErtsError("%s holds several ERTS directories: %s" % (release_root, ", ".join(erts)))
    if not erts:
        notes.append("the release includes no ERTS (include_erts: false); only OTP applications were replaced")
    for name in erts:
        target = os.path.join(target_root, name)
        if not os.path.isdir(target):
            raise ReleaseErtsError(
                "the target sysroot has no %s (under %s): the native Erlang that built the release and the "
                "target erlang must be the same OTP version" % (name, target_root))
        _replace_tree(os.path.join(release_root, name), target, notes, keep=_KEEP)

    beams = []
    lib = os.path.join(release_root, "lib")
    for app_dir in sorted(os.listdir(lib)) if os.path.isdir(lib) else []:
        # Only applications that come from the native OTP install: Elixir's own applications
        # and the project's are architecture-independent BEAM code built here.
        if not os.path.isdir(os.path.join(host_root, "lib", app_dir)):
            continue
        target = os.path.join(target_root, "lib", app_dir)
        if not os.path.isdir(target):
            raise ReleaseErtsError(
                "the target sysroot has no lib/%s (under %s): native and target OTP versions differ"
                % (app_dir, target_root))
        replaced = _replace_tree(os.path.join(lib, app_dir), target, notes)
        beams.extend(p for p in replaced if p.endswith(".beam"))
    if beams:
        _strip(beams, erl)
    return notes


def _strip(beams, erl):
    # beam_lib:strip_files keeps only the chunks the loader needs, as Mix's strip_beams does.
    # The list goes through a file: it can exceed what one environment variable may hold.
    with tempfile.NamedTemporaryFile("w", suffix=".beams", delete=False, encoding="utf-8") as f:
        f.write("\n".join(beams))
        list_file = f.name
    # -eval does not halt on an exception, so the catch does (else erl would wait forever).
    script = ("try {ok, B} = file:read_file(os:getenv(\"BEAMBAKE_STRIP_LIST\")), "
              "Fs = [binary_to_list(F) || F <- binary:split(B, <<\"\\n\">>, [global, trim])], "
              "{ok, _} = beam_lib:strip_files(Fs), halt(0) "
              "catch C:R -> io:format(\"~p: ~p~n\", [C, R]), halt(1) end.")
    try:
        subprocess.run([erl, "-noshell", "-eval", script], check=True,
                       env=dict(os.environ, BEAMBAKE_STRIP_LIST=list_file),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except (OSError, subprocess.CalledProcessError) as exc:
        output = (getattr(exc, "stdout", b"") or b"").decode("utf-8", "replace")[-2000:]
        raise ReleaseErtsError("stripping the target BEAM files failed: %s %s" % (exc, output))
    finally:
        os.unlink(list_file)
