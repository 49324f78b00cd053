"""Which BEAM flavor a (target) ERTS runs: the JIT (BeamAsm) or the interpreter, read from its files.

erlang:system_info(emu_flavor) cannot be asked of a target ERTS at build time (it would have to
run on the board), so the emulator binary is read instead: BeamAsm generates machine code with
the AsmJit library, which is compiled into beam only for the JIT flavor and leaves its name in
the binary (assertion and error texts); an interpreter build has no AsmJit in it. Checked against
Debian's OTP 25 for amd64 and arm64 (jit) and armhf (emu) and OTP 29 for amd64 (jit).
"""

import glob
import os
import re

__all__ = ["EmuFlavorError", "erts_flavor", "check"]

FLAVORS = ("jit", "emu")
_ASMJIT = re.compile(rb"asmjit", re.IGNORECASE)
# the emulator erlexec starts by default, then the flavor-specific names of multi-flavor installs
_EMULATORS = ("beam.smp", "beam.jit.smp", "beam.emu.smp")


class EmuFlavorError(Exception):
    pass


def _emulator(erlang_root):
    ertses = sorted(d for d in glob.glob(os.path.join(glob.escape(erlang_root), "erts-*")) if os.path.isdir(d))
    if not ertses:
        raise EmuFlavorError("no erts-<vsn> directory under %s (is erlang in DEPENDS?)" % erlang_root)
    if len(ertses) > 1:
        raise EmuFlavorError("several ERTS under %s: %s" % (erlang_root, ", ".join(os.path.basename(e) for e in ertses)))
    for name in _EMULATORS:
        path = os.path.join(ertses[0], "bin", name)
        if os.path.isfile(path):
            return ertses[0], path
    raise EmuFlavorError("%s has no bin/beam.smp" % ertses[0])


def erts_flavor(erlang_root):
    """("jit" | "emu", path of the emulator read) for the ERTS under `erlang_root` (a lib/erlang or a release)."""
    _, path = _emulator(erlang_root)
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"\x7fELF"):
        raise EmuFlavorError("%s is not an ELF executable" % path)
    return ("jit" if _ASMJIT.search(data) else "emu"), path


def check(erlang_root, expected, profile=""):
    """Raise EmuFlavorError unless the ERTS under `erlang_root` has the `expected` flavor."""
    if expected not in FLAVORS:
        raise EmuFlavorError("expected flavor %r is neither jit nor emu" % expected)
    found, path = erts_flavor(erlang_root)
    if found != expected:
        words = {"jit": "the JIT (BeamAsm)", "emu": "the interpreter"}
        raise EmuFlavorError(
            "the target ERTS runs %s (emu_flavor %s: %s), but %s expects %s (BEAM_EXPECTED_EMU_FLAVOR = \"%s\"): "
            "build erlang for this MACHINE with the flavor the board supports, or regenerate the recipe with "
            "the --profile of this board"
            % (words[found], found, path, ("hardware profile " + profile) if profile else "the recipe", words[expected], expected))
    return found, path
