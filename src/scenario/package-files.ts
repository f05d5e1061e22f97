// Files of the orchsim package that loading a scenario reads. Found by this module's own URL, so
// this file must stay two folders below the package root: src/scenario/ here, and in the bundled
// command every module lands in dist/bin/ (scripts/bundle.mjs; test/layout.test.ts holds them).

/** The Compose specification's JSON Schema, which stack files are checked against (stack/schema.ts). */
export const COMPOSE_SPEC_URL = new URL("../../assets/compose/compose-spec.json", import.meta.url);
