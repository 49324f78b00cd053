"""Mix layout: every dependency goes to `deps/<app>`, where `mix deps.compile` looks for it.

Hex packages are unpacked there with a `.beambake-hex` marker recording what was unpacked
(name, version, repository and both checksums, as computed from the tarball). The offline
dependency provider (scripts/mix/beambake_offline.exs) compares that marker with mix.lock in
its `lock_status/1`, so a deps/ tree that does not match the lock stops the build.

Git dependencies are copied whole, with `.git`: Mix's own git SCM then checks HEAD and the
origin URL against mix.lock. BitBake points origin at its mirror, so origin is reset to the
URL mix.lock records for the app (which is what `mix deps.get` would have set).
"""

import os
import re
import subprocess

import git_deps
import hex_tarball
from records import describe

__all__ = ["MARKER", "deps_dir", "place_hex", "place_git"]

MARKER = ".beambake-hex"


def deps_dir(project_dir):
    # Mix itself honours MIX_DEPS_PATH; follow it so both agree on where deps live.
    return os.environ.get("MIX_DEPS_PATH") or os.path.join(project_dir, "deps")


def place_hex(dep, tarball_path, project_dir, limits=None):
    dest = os.path.join(deps_dir(project_dir), dep["app"])
    tarball = hex_tarball.unpack(dep, tarball_path, dest, limits)
    lines = [
        "name=%s" % dep["name"],
        "version=%s" % dep["version"],
        "repo=%s" % dep["repo"],
        "inner=%s" % tarball.inner_checksum,
        "outer=%s" % tarball.outer_checksum,
        "build_tools=%s" % ",".join(tarball.build_tools),
    ]
    with open(os.path.join(dest, MARKER), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return dest


_LOCK_GIT = re.compile(
    r'^\s*"?(?P<app>[a-z][a-z0-9_]*)"?\s*:\s*\{\s*:git\s*,\s*"(?P<url>[^"\\\n]*)"\s*,\s*"(?P<rev>[0-9a-f]{40})"',
    re.MULTILINE,
)


def _lock_git_entry(dep, project_dir):
    lock_path = os.path.join(project_dir, "mix.lock")
    try:
        with open(lock_path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise git_deps.GitPlacementError("%s: cannot read %s (%s)" % (describe(dep), lock_path, exc.strerror))
    for match in _LOCK_GIT.finditer(text):
        if match.group("app") == dep["app"]:
            return match.group("url"), match.group("rev")
    raise git_deps.GitPlacementError("%s: %s has no git entry for this app" % (describe(dep), lock_path))


def place_git(dep, checkout_dir, project_dir):
    url, lock_rev = _lock_git_entry(dep, project_dir)
    if lock_rev != dep["rev"]:
        raise git_deps.GitPlacementError(
            "%s: mix.lock pins %s but the recipe fetched %s (regenerate the recipe)" % (describe(dep), lock_rev, dep["rev"]))
    dest = os.path.join(deps_dir(project_dir), dep["app"])
    # subdir/sparse are applied by Mix itself (it reads deps/<app>/<subdir>), so the whole
    # checkout goes in.
    rev = git_deps.copy_checkout(dep, checkout_dir, dest, keep_git=True)
    if rev is None:
        raise git_deps.GitPlacementError(
            "%s: the checkout in %s has no .git; Mix needs it to check mix.lock" % (describe(dep), checkout_dir))
    try:
        subprocess.run(["git", "--git-dir=" + os.path.join(dest, ".git"), "config", "remote.origin.url", url],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise git_deps.GitPlacementError("%s: cannot set origin of %s (%s)" % (describe(dep), dest, exc))
    return dest
