# beambake-release.bbclass: install and package a BEAM release built by beambake-mix or
# beambake-rebar3 (never inherited directly by a recipe).
#
# The tool class builds the release into ${BEAM_RELEASE_DIR} with ERTS and OTP applications
# from the TARGET sysroot (${BEAM_TARGET_ERLANG_ROOT}, i.e. ${STAGING_LIBDIR}/erlang as
# meta-erlang's erlang recipe stages it) and ERL_COMPILER_OPTIONS=deterministic; do_install
# runs scripts/beambake-install-release, which beambake's integration tests run as-is:
#   - the release goes to ${libdir}/${BEAM_APP};
#   - any .beam mentioning ${TMPDIR} stops the build, so the buildpaths QA check passes
#     without INSANE_SKIP;
#   - a systemd unit and/or a SysV init script are rendered from files/*.in.
#
# Packages: ${PN} (the release), ${PN}-erts (its ERTS), ${PN}-dev (sources, headers),
# ${PN}-staticdev, ${PN}-dbg (split debug info of ERTS and NIFs).
#
# Init integration, on by default where the distro uses that init system; turn either off
# with "0" (local.conf, the recipe or a .bbappend):
#   BEAM_INIT_SYSTEMD, BEAM_INIT_SYSVINIT
# The service runs as BEAM_RELEASE_USER (default root). For a dedicated user, set it and create
# the user in a .bbappend (inherit useradd; USERADD_PACKAGES = "${PN}"; USERADD_PARAM:${PN} =
# "--system --home-dir /var/lib/<app> --no-create-home --shell /bin/false --user-group <user>").
# useradd is not inherited here because it refuses an empty USERADD_PACKAGES, which "root" needs.

inherit systemd update-rc.d

# The OTP application (generated recipes set it); PN is its name with `-` for `_`.
BEAM_APP ??= "${@d.getVar('BPN').replace('-', '_')}"
# Start script in the release's bin/ (empty: the only one there).
BEAM_RELEASE_NAME ??= ""
# Set by the tool class: where the assembled release is.
BEAM_RELEASE_DIR ??= "${B}/beambake-release"

BEAM_INIT_SYSTEMD ??= "${@bb.utils.contains('DISTRO_FEATURES', 'systemd', '1', '0', d)}"
BEAM_INIT_SYSVINIT ??= "${@bb.utils.contains('DISTRO_FEATURES', 'sysvinit', '1', '0', d)}"
BEAM_RELEASE_USER ??= "root"

SYSTEMD_PACKAGES = "${@'${PN}' if d.getVar('BEAM_INIT_SYSTEMD') == '1' else ''}"
SYSTEMD_SERVICE:${PN} = "${BEAM_APP}.service"
SYSTEMD_AUTO_ENABLE:${PN} ??= "enable"

# An empty INITSCRIPT_PACKAGES (not unset) makes update-rc.d.bbclass add no scriptlets.
INITSCRIPT_PACKAGES = "${@'${PN}' if d.getVar('BEAM_INIT_SYSVINIT') == '1' else ''}"
INITSCRIPT_NAME:${PN} = "${BEAM_APP}"
INITSCRIPT_PARAMS:${PN} ??= "defaults 90 10"

# The ERTS goes in its own package after -dev and -staticdev, which take its headers and
# archives first.
PACKAGE_BEFORE_PN += "${PN}-erts"
RDEPENDS:${PN} += "${@'${PN}-erts' if d.getVar('BEAM_RELEASE_INCLUDES_ERTS') != '0' else ''}"
# "0" for a release built without ERTS (it then runs on the image's erlang).
BEAM_RELEASE_INCLUDES_ERTS ??= "1"

BEAM_RELEASE_ROOT = "${libdir}/${BEAM_APP}"
FILES:${PN}-erts = "${BEAM_RELEASE_ROOT}/erts-*"
FILES:${PN}-dev += "\
    ${BEAM_RELEASE_ROOT}/lib/*/src \
    ${BEAM_RELEASE_ROOT}/lib/*/include \
    ${BEAM_RELEASE_ROOT}/lib/*/c_src \
    ${BEAM_RELEASE_ROOT}/erts-*/include \
    ${BEAM_RELEASE_ROOT}/erts-*/src \
    ${BEAM_RELEASE_ROOT}/erts-*/doc \
    ${BEAM_RELEASE_ROOT}/erts-*/man \
"
FILES:${PN}-staticdev += "\
    ${BEAM_RELEASE_ROOT}/erts-*/lib/*.a \
    ${BEAM_RELEASE_ROOT}/erts-*/lib/internal/*.a \
    ${BEAM_RELEASE_ROOT}/lib/*/lib/*.a \
    ${BEAM_RELEASE_ROOT}/lib/*/priv/*.a \
"
FILES:${PN}-dbg += "\
    ${BEAM_RELEASE_ROOT}/erts-*/bin/.debug \
    ${BEAM_RELEASE_ROOT}/lib/*/bin/.debug \
    ${BEAM_RELEASE_ROOT}/lib/*/priv/.debug \
    ${BEAM_RELEASE_ROOT}/lib/*/priv/lib/.debug \
    ${BEAM_RELEASE_ROOT}/lib/*/priv/bin/.debug \
    ${BEAM_RELEASE_ROOT}/lib/*/priv/native/.debug \
"
FILES:${PN} += "\
    ${BEAM_RELEASE_ROOT} \
    ${systemd_system_unitdir}/${BEAM_APP}.service \
    ${sysconfdir}/init.d/${BEAM_APP} \
"

# A plain do_install, not EXPORT_FUNCTIONS: BitBake refuses to export shell functions from a
# class whose name has a dash. Recipes extend it with do_install:append as usual.
do_install() {
    set -- --release "${BEAM_RELEASE_DIR}" --destdir "${D}" --libdir "${libdir}" \
        --app "${BEAM_APP}" --user "${BEAM_RELEASE_USER}" --forbid "${TMPDIR}"
    if [ -n "${BEAM_RELEASE_NAME}" ]; then
        set -- "$@" --release-name "${BEAM_RELEASE_NAME}"
    fi
    if [ "${BEAM_INIT_SYSTEMD}" = "1" ]; then
        set -- "$@" --systemd-unitdir "${systemd_system_unitdir}"
    fi
    if [ "${BEAM_INIT_SYSVINIT}" = "1" ]; then
        set -- "$@" --sysvinit-dir "${sysconfdir}/init.d"
    fi
    python3 "${BEAMBAKE_SCRIPTS}/beambake-install-release" "$@"
}
do_install[file-checksums] += "${BEAMBAKE_SCRIPTS}/beambake-install-release:True ${BEAMBAKE_SCRIPTS}/../files/beambake-release.service.in:True ${BEAMBAKE_SCRIPTS}/../files/beambake-release.init.in:True"
do_install[vardeps] += "BEAM_APP BEAM_RELEASE_NAME BEAM_RELEASE_USER BEAM_INIT_SYSTEMD BEAM_INIT_SYSVINIT"
