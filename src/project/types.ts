/** What a root project file says about the project itself, before options override it. */
export interface RootInfo {
  /** The project file read (mix.exs, src/x.app.src, gleam.toml, ...). */
  projectFile: string;
  name?: string;
  version?: string;
  umbrellaApps?: string[];
  /** Apps the project names as its own dependencies, when the project file says (sorted). */
  deps: string[];
  /** Why name or version could not be read, in words for the user. */
  problems: string[];
}
