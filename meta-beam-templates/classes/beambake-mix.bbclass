# beambake-mix.bbclass: offline `mix release` of an Elixir application.
#
# Thin on purpose: the build is scripts/beambake-build-mix, which beambake's integration
# tests run as-is. Dependencies come from beambake-deps (do_beam_unpack_deps puts verified
# Hex packages in deps/); Mix compiles them through the offline provider
# scripts/mix/beambake_offline.exs instead of the Hex client, checking deps/ against mix.lock.
# Installation and packaging of the release: beambake-release.

# The sibling classes of the recipe's own layer: a generated recipe sets BEAMBAKE_CLASSES from
# its file's path (with several beambake layers in a build, BBPATH would give every recipe the
# first layer's); a hand-written recipe that inherits this class by name gets the ones in BBPATH.
BEAMBAKE_CLASSES ??= "${@os.path.dirname(bb.utils.which(d.getVar('BBPATH'), 'classes/beambake-deps.bbclass') or '/nonexistent/classes/x')}"
inherit ${BEAMBAKE_CLASSES}/beambake-deps.bbclass ${BEAMBAKE_CLASSES}/beambake-release.bbclass

BEAM_DEPS_LAYOUT = "mix"

# rebar3 compiles Hex packages whose build tool is rebar3 (MIX_REBAR3); drop it from
# BEAM_MIX_REBAR3_DEPENDS when no dependency needs it.
BEAM_MIX_REBAR3_DEPENDS ??= "rebar3-native"
DEPENDS += "elixir-native ${BEAM_MIX_REBAR3_DEPENDS}"

BEAM_MIX_ENV ??= "prod"
# Release to build when mix.exs defines several (empty: Mix's default).
BEAM_MIX_RELEASE ??= ""
# The release's Erlang distribution cookie. Empty (default): the package carries none and each
# device makes its own at first boot (/var/lib/${BEAM_APP}/cookie, see beambake-release), unless
# mix.exs sets `cookie:`. A value is written to releases/COOKIE: the same secret on every
# device, for releases that cluster across devices; it is then part of the image and sstate.
BEAM_RELEASE_COOKIE ??= ""
# Where the assembled release goes; beambake-release installs it from here.
BEAM_RELEASE_DIR ??= "${B}/beambake-release"

# Mix builds in the source tree (_build/ next to mix.exs).
B = "${S}"

do_configure[noexec] = "1"

do_compile() {
    export MIX_ENV="${BEAM_MIX_ENV}"
    # The empty temporary HOME lives in ${T}, and no .beam may mention ${TMPDIR}
    # (the buildpaths QA check).
    export BEAMBAKE_TMPDIR="${T}"
    export BEAMBAKE_FORBIDDEN_PATHS="${TMPDIR}"
    export BEAMBAKE_RELEASE_COOKIE="${BEAM_RELEASE_COOKIE}"
    set -- --project "${S}" --target-erlang-root "${BEAM_TARGET_ERLANG_ROOT}" --output "${BEAM_RELEASE_DIR}"
    if [ -n "${BEAM_MIX_RELEASE}" ]; then
        set -- "$@" --release-name "${BEAM_MIX_RELEASE}"
    fi
    sh "${BEAMBAKE_SCRIPTS}/beambake-build-mix" all "$@"
}
do_compile[file-checksums] += "${BEAMBAKE_SCRIPTS}/beambake-build-mix:True ${BEAMBAKE_SCRIPTS}/beambake-nif-env:True ${BEAMBAKE_SCRIPTS}/mix/beambake_offline.exs:True"
