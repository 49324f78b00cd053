# beambake-gleam.bbclass: offline build of a Gleam application (Erlang target).
#
# Thin on purpose: the build is scripts/beambake-build-gleam, which beambake's tests run as-is.
# beambake-deps (do_beam_unpack_deps, layout "gleam") unpacks the verified Hex packages and git
# checkouts into build/packages/<name> and records them in build/packages/packages.toml, which
# is what `gleam deps download` would leave. The build script then checks manifest.toml
# against gleam.toml, build/packages and BEAM_HEX_DEPS/BEAM_GIT_DEPS: any mismatch would make
# Gleam resolve or download, so it stops the build instead, naming the package.
#
# The result is Gleam's erlang-shipment (entrypoint.sh + compiled applications), installed in
# ${libdir}/${BEAM_APP}; it runs on the image's erlang.
#
# No task touches the network: do_compile runs without it, like every task but do_fetch.

# The sibling classes of the recipe's own layer: a generated recipe sets BEAMBAKE_CLASSES from
# its file's path (with several beambake layers in a build, BBPATH would give every recipe the
# first layer's); a hand-written recipe that inherits this class by name gets the ones in BBPATH.
BEAMBAKE_CLASSES ??= "${@os.path.dirname(bb.utils.which(d.getVar('BBPATH'), 'classes/beambake-deps.bbclass') or '/nonexistent/classes/x')}"
inherit ${BEAMBAKE_CLASSES}/beambake-deps.bbclass

BEAM_DEPS_LAYOUT = "gleam"
# The OTP application (generated recipes set it); PN is its name with `-` for `_`.
BEAM_APP ??= "${@d.getVar('BPN').replace('-', '_')}"

# meta-erlang's gleam recipe, built for the build host.
BEAM_GLEAM_DEPENDS ??= "gleam-native"
DEPENDS += "${BEAM_GLEAM_DEPENDS}"
RDEPENDS:${PN} += "erlang"

BEAM_SHIPMENT_DIR ??= "${B}/beambake-shipment"

B = "${S}"

do_configure[noexec] = "1"

do_compile() {
    python3 "${BEAMBAKE_SCRIPTS}/beambake-build-gleam" build --project "${S}" \
        --hex "${BEAM_HEX_DEPS}" --git "${BEAM_GIT_DEPS}" \
        --output "${BEAM_SHIPMENT_DIR}" --forbid "${TMPDIR}"
}
do_compile[file-checksums] += "${BEAMBAKE_SCRIPTS}/beambake-build-gleam:True"

do_install() {
    python3 "${BEAMBAKE_SCRIPTS}/beambake-build-gleam" install --shipment "${BEAM_SHIPMENT_DIR}" \
        --destdir "${D}" --libdir "${libdir}" --app "${BEAM_APP}" --forbid "${TMPDIR}"
}

FILES:${PN} += "${libdir}/${BEAM_APP}"
