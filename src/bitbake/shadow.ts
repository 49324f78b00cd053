/**
 * A generated recipe whose PN is also a meta-erlang recipe (vernemq, rabbitmq-server, ...).
 * BitBake builds the PN from the layer with the highest BBFILE_PRIORITY, whatever the
 * versions: generated layers therefore have BBFILE_PRIORITY 10 (templates/layer.conf.in),
 * above meta-erlang's 7, so the generated recipe wins for its own application. The user is
 * told when it happens (a warning at generation time and a comment in the recipe), and the
 * names of the recipes the beambake classes build with are refused: generating "erlang"
 * would make the recipe depend on itself.
 */
import { BeambakeError } from '../util/errors.js';
import type { Project } from '../model.js';

/** BBFILE_PRIORITY of generated layers (templates/layer.conf.in) and of meta-erlang's conf/layer.conf. */
export const GENERATED_LAYER_PRIORITY = 10;
export const META_ERLANG_PRIORITY = 7;

/**
 * PNs of meta-erlang's recipes (file names up to the first `_`, BitBake's rule) on its
 * scarthgap branch (62acd049) and master (d4bd0123), the snapshots of ../shared/yocto.
 */
export const META_ERLANG_RECIPES: ReadonlySet<string> = new Set(
  (
    'atomvm atomvm-examples-system-info bbmustache beam-image beamruntime-tarball beamtools-tarball concuerror couchdb ' +
    'couchdb-image covertool elixir elvis epmd erlang erlang-embedded-image-minimal erlang-ls erlang-red erlang-red-image ' +
    'erlfmt erlinit exdoc gleam hello-elixir-interoperability hello-elixir-rustler hello-erlang-autoconf hello-erlang-c-node ' +
    'hello-erlang-interoperability hello-gleam-echo-server hello-http-server hello-phoenix livebook livebook-image lux ' +
    'meta-erlang-toolchain packagegroup-beam packagegroup-erlang-embedded packagegroup-erlang-embedded-initscripts ' +
    'packagegroup-erlang-sdk-target packbeam rabbitmq-image rabbitmq-server rebar rebar3 relsync riak riak-image tsung ' +
    'vernemq wings wings-image wrangler yanger yaws yaws-image'
  ).split(' '),
);

/** What beambake-deps/-mix/-rebar3/-gleam DEPEND on (target or -native): replacing them breaks every recipe. */
const BUILD_TOOL_RECIPES: ReadonlySet<string> = new Set(['erlang', 'elixir', 'rebar3', 'gleam']);

/** Throws for a PN the classes build with; returns the notice for a PN meta-erlang also has, else undefined. */
export function shadowNotice(pn: string, project: Project): string | undefined {
  if (BUILD_TOOL_RECIPES.has(pn)) {
    throw new BeambakeError(
      'LOCK_UNSUPPORTED',
      `a recipe named ${pn} would replace meta-erlang's ${pn}, which the beambake classes build with; give the application another name with --app-name`,
      { file: project.lockfile },
    );
  }
  if (!META_ERLANG_RECIPES.has(pn)) return undefined;
  return (
    `meta-erlang also has a recipe named ${pn}: this layer's BBFILE_PRIORITY ${GENERATED_LAYER_PRIORITY} (over meta-erlang's ${META_ERLANG_PRIORITY}) ` +
    `makes BitBake build this one; anything that depends on meta-erlang's ${pn} gets it too`
  );
}
