# beambake-rebar3.bbclass: offline `rebar3 release` (or `rebar3 tar`) of an Erlang application.
#
# Thin on purpose: the build is scripts/beambake-build-rebar3, which beambake's integration
# tests run as-is. beambake-deps (do_beam_unpack_deps, layout "rebar3") puts the verified Hex
# tarballs in rebar3's own package cache, so rebar3 unpacks them itself and checks each against
# rebar.lock's checksums again, and copies git dependencies to _build/default/lib with the
# origin URL rebar.lock records (see scripts/beambake_deps/layout_rebar3.py for why not
# _checkouts). Installation and packaging of the release: beambake-release.
#
# No task touches the network: do_compile runs without it, like every task but do_fetch.

# The sibling classes of the recipe's own layer: a generated recipe sets BEAMBAKE_CLASSES from
# its file's path (with several beambake layers in a build, BBPATH would give every recipe the
# first layer's); a hand-written recipe that inherits this class by name gets the ones in BBPATH.
BEAMBAKE_CLASSES ??= "${@os.path.dirname(bb.utils.which(d.getVar('BBPATH'), 'classes/beambake-deps.bbclass') or '/nonexistent/classes/x')}"
inherit ${BEAMBAKE_CLASSES}/beambake-deps.bbclass ${BEAMBAKE_CLASSES}/beambake-release.bbclass

BEAM_DEPS_LAYOUT = "rebar3"

DEPENDS += "rebar3-native"

# rebar3 profile (`rebar3 as <profile> release`).
BEAM_REBAR3_PROFILE ??= "prod"
# relx release to build when rebar.config defines several (empty: rebar3's default).
BEAM_REBAR3_RELEASE ??= ""
# "release" or "tar" (both end up as an unpacked release in BEAM_RELEASE_DIR).
BEAM_REBAR3_COMMAND ??= "release"
BEAM_RELEASE_DIR ??= "${B}/beambake-release"

# rebar3 builds in the source tree; its package cache is kept next to it, never in HOME.
B = "${S}"
export REBAR_CACHE_DIR = "${S}/.beambake/rebar3-cache"

do_configure[noexec] = "1"

do_compile() {
    # An empty HOME: no ~/.config/rebar3 or ~/.cache of the build host takes part.
    # $HOME, not ${HOME}: BitBake would expand the latter to the build user's own home.
    export HOME="${WORKDIR}/beambake-home"
    rm -rf "$HOME"
    mkdir -p "$HOME"
    # The NIF cross environment (ERTS_INCLUDE_DIR, ERL_CFLAGS, ...) for port compilers and
    # Makefile-based NIFs, from the target sysroot.
    . "${BEAMBAKE_SCRIPTS}/beambake-nif-env"
    set -- --project "${S}" --command "${BEAM_REBAR3_COMMAND}" --profile "${BEAM_REBAR3_PROFILE}" \
        --target-erlang "${BEAM_TARGET_ERLANG_ROOT}" --output "${BEAM_RELEASE_DIR}"
    if [ -n "${BEAM_REBAR3_RELEASE}" ]; then
        set -- "$@" --release-name "${BEAM_REBAR3_RELEASE}"
    fi
    python3 "${BEAMBAKE_SCRIPTS}/beambake-build-rebar3" "$@"
}
do_compile[file-checksums] += "${BEAMBAKE_SCRIPTS}/beambake-build-rebar3:True ${BEAMBAKE_SCRIPTS}/beambake-rebar3-index.escript:True ${BEAMBAKE_SCRIPTS}/beambake-nif-env:True"
do_compile[vardeps] += "BEAM_REBAR3_PROFILE BEAM_REBAR3_RELEASE BEAM_REBAR3_COMMAND"
