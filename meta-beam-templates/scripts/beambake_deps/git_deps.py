"""Place a git dependency that BitBake's git fetcher already checked out at the pinned rev.

Shared by the layouts. The checkout under ${BEAM_UNPACKDIR}/beam-deps/git/<app> is copied, not
moved, so re-running the unpack task after a failure starts from the same fetched tree.
"""

import os
import shutil
import subprocess

from records import describe

__all__ = ["GitPlacementError", "checkout_rev", "copy_checkout"]


class GitPlacementError(Exception):
    pass


def _fail(dep, what):
    raise GitPlacementError("%s: %s" % (describe(dep), what))


def checkout_rev(dep, checkout_dir):
    """HEAD of the checkout, or None when it carries no .git (e.g. an archive-style unpack)."""
    if not os.path.exists(os.path.join(checkout_dir, ".git")):
        return None
    try:
        out = subprocess.run(["git", "--git-dir=" + os.path.join(checkout_dir, ".git"), "rev-parse",
                              "--verify", "--quiet", "HEAD"], check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError) as exc:
        _fail(dep, "cannot read HEAD of %s (%s)" % (checkout_dir, exc))
    return out.stdout.decode("ascii", "replace").strip()


def copy_checkout(dep, checkout_dir, dest_dir, subdir=None, keep_git=True):
    """Copy `checkout_dir` (or its `subdir`) to `dest_dir`, replacing what is there.

    Symlinks are copied as symlinks, never followed, so a link in the repository cannot pull
    files from outside it into the build. `keep_git` keeps `.git` (Mix's git SCM reads HEAD and
    origin from it to check mix.lock); tools that do not need it get a plain tree.
    """
    if not os.path.isdir(checkout_dir):
        _fail(dep, "the fetched checkout %s is missing (did do_fetch/do_unpack run?)" % checkout_dir)
    rev = checkout_rev(dep, checkout_dir)
    if rev is not None and rev != dep["rev"]:
        _fail(dep, "the checkout in %s is at %s, the lock pins %s" % (checkout_dir, rev, dep["rev"]))
    source = checkout_dir
    if subdir:
        source = os.path.join(checkout_dir, *subdir.split("/"))
        real_root = os.path.realpath(checkout_dir)
        if not (os.path.realpath(source) + os.sep).startswith(real_root + os.sep):
            _fail(dep, "subdir %r leaves the checkout" % subdir)
        if not os.path.isdir(source):
            _fail(dep, "subdir %r does not exist in the checkout at %s" % (subdir, dep["rev"]))
    if os.path.islink(dest_dir):
        _fail(dep, "destination %s is a symlink" % dest_dir)
    if os.path.lexists(dest_dir):
        shutil.rmtree(dest_dir)
    os.makedirs(os.path.dirname(os.path.abspath(dest_dir)), exist_ok=True)
    ignore = None if keep_git and not subdir else shutil.ignore_patterns(".git")
    shutil.copytree(source, dest_dir, symlinks=True, ignore=ignore)
    return rev
