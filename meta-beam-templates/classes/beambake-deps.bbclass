# beambake-deps.bbclass: offline BEAM dependencies for beambake recipes.
#
# Inherited by beambake-mix, beambake-rebar3 and beambake-gleam (never directly by a recipe).
# It
#   - turns the Hex tarballs and git checkouts that do_fetch/do_unpack brought in (SRC_URI from
#     the generated <app>-beam-deps.inc) into the layout the build tool reads, after checking
#     each against its lock record (do_beam_unpack_deps, scripts/beambake_deps);
#   - exports the cross environment NIF builds read (elixir_make, rebar3 port compilers,
#     Rustler, hand-written Makefiles), pointing at the TARGET Erlang in the recipe sysroot.
#
# Only do_fetch touches the network. No task here or in the tool classes sets [network].

# Where fetched files are unpacked: UNPACKDIR from styhead on, WORKDIR before (scarthgap).
BEAM_UNPACKDIR = "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

# Set by the generated <app>-beam-deps.inc (validated records, see scripts/beambake_deps/records.py).
BEAM_HEX_DEPS ??= ""
BEAM_GIT_DEPS ??= ""

# mix | rebar3 | gleam: set by the tool class.
BEAM_DEPS_LAYOUT ??= ""

# The scripts next to the classes in use (BEAMBAKE_CLASSES: the recipe's own layer), so each
# recipe runs the scripts its classes were written with, whatever other beambake layers the
# build has. Not in layer.conf: its values are global and the last beambake layer would win.
BEAMBAKE_CLASSES ??= "${@os.path.dirname(bb.utils.which(d.getVar('BBPATH'), 'classes/beambake-deps.bbclass') or '/nonexistent/classes/x')}"
BEAMBAKE_SCRIPTS ??= "${@os.path.join(os.path.dirname(d.getVar('BEAMBAKE_CLASSES')), 'scripts')}"

# erlang-native compiles; erlang (the target) provides ERTS headers, libei and, for releases,
# the ERTS and OTP applications that end up on the device.
DEPENDS += "erlang-native erlang"

# The target Erlang as meta-erlang's erlang recipe stages it.
BEAM_TARGET_ERLANG_ROOT = "${STAGING_LIBDIR}/erlang"

# --- NIF cross environment -------------------------------------------------------------
# CC, CFLAGS, LDFLAGS, CXX... are already exported for the target by bitbake.conf.
# ERTS_INCLUDE_DIR, ERL_CFLAGS and ERL_LDFLAGS need the erts-<vsn> directory name, known only
# once the sysroot exists: scripts/beambake-nif-env derives them at task time from
# BEAMBAKE_TARGET_ERLANG_ROOT (the build scripts source it; other tasks call
# beambake_nif_env below).
export BEAMBAKE_TARGET_ERLANG_ROOT = "${BEAM_TARGET_ERLANG_ROOT}"
export ERL_EI_INCLUDE_DIR = "${BEAM_TARGET_ERLANG_ROOT}/usr/include"
export ERL_EI_LIBDIR = "${BEAM_TARGET_ERLANG_ROOT}/usr/lib"
export ERL_INTERFACE_INCLUDE_DIR = "${BEAM_TARGET_ERLANG_ROOT}/usr/include"
export ERL_INTERFACE_LIB_DIR = "${BEAM_TARGET_ERLANG_ROOT}/usr/lib"
# Nerves/elixir_make convention: the toolchain prefix, e.g. aarch64-poky-linux-
export CROSSCOMPILE = "${TARGET_PREFIX}"
# rebar3 port compiler (pc) and rebar2-style port_env: the target triplet.
export REBAR_TARGET_ARCH = "${TARGET_SYS}"

# Rust target triple for Rustler NIFs (cargo). RUST_TARGET_SYS wins when a Rust class set it.
def beambake_rust_target(d):
    explicit = d.getVar('RUST_TARGET_SYS')
    if explicit:
        return explicit
    arch = d.getVar('TARGET_ARCH') or ''
    libc = 'musl' if (d.getVar('TCLIBC') or '') == 'musl' else 'gnu'
    tune = d.getVar('TUNE_FEATURES') or ''
    if arch == 'arm':
        abi = libc + 'eabihf' if 'callconvention-hard' in tune.split() else libc + 'eabi'
        return 'armv7-unknown-linux-' + abi if 'armv7a' in tune or 'armv7ve' in tune else 'arm-unknown-linux-' + abi
    if arch == 'riscv64':
        return 'riscv64gc-unknown-linux-' + libc
    if arch in ('i586', 'i686'):
        return 'i686-unknown-linux-' + libc
    return arch + '-unknown-linux-' + libc

BEAM_RUST_TARGET ??= "${@beambake_rust_target(d)}"
export CARGO_BUILD_TARGET = "${BEAM_RUST_TARGET}"
export RUSTLER_TARGET = "${BEAM_RUST_TARGET}"

# For tasks that build NIFs outside the beambake build scripts (e.g. a recipe's own
# do_compile:append): exports ERTS_INCLUDE_DIR, ERL_CFLAGS, ERL_LDFLAGS.
beambake_nif_env() {
    . "${BEAMBAKE_SCRIPTS}/beambake-nif-env"
}

# --- dependency unpacking --------------------------------------------------------------
# Every tarball and checkout is checked (outer and inner checksum, VERSION, metadata name and
# version, git rev) before any is placed; then each goes where the tool expects it.
do_beam_unpack_deps() {
    if [ -z "${BEAM_DEPS_LAYOUT}" ]; then
        bbfatal "BEAM_DEPS_LAYOUT is not set: inherit beambake-mix, beambake-rebar3 or beambake-gleam"
    fi
    python3 "${BEAMBAKE_SCRIPTS}/beambake_deps" unpack \
        --layout "${BEAM_DEPS_LAYOUT}" \
        --hex "${BEAM_HEX_DEPS}" \
        --git "${BEAM_GIT_DEPS}" \
        --src-dir "${BEAM_UNPACKDIR}" \
        --project "${S}"
}
do_beam_unpack_deps[dirs] = "${S}"
do_beam_unpack_deps[vardeps] += "BEAM_HEX_DEPS BEAM_GIT_DEPS BEAM_DEPS_LAYOUT"
do_beam_unpack_deps[file-checksums] += "${BEAMBAKE_SCRIPTS}/beambake_deps/*.py:True"
# Before do_patch, so recipe patches can apply to dependency sources (patchdir=deps/<app>).
addtask beam_unpack_deps after do_unpack before do_patch
