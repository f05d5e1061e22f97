// The scenario loader: YAML scenario files -> a validated, normalised `Scenario` in which every
// unit is resolved (microseconds, bytes, cores, per-second rates) and every default filled in,
// or a `ScenarioError` naming file, line and field of every problem, before any simulation runs.
//
// This folder models the scenario format, not the cluster: of the rest of orchsim it imports only
// the kernel's `DistributionSpec` (the one type for work and durations), besides its own files,
// node's fs and path, and the `yaml`, `ajv` and `dotenv` libraries; the rest of orchsim imports
// its types. `stack/` reads Compose files into the same form.
// orchsim-imports: kernel

export { groupTotals, loadScenarioFile, parseScenario, type LoadOptions } from "./load.js";
export { ScenarioError, formatIssue, type ScenarioIssue } from "./errors.js";
export { overrideText, type Override } from "./overrides.js";
export {
  parseBandwidthBitsPerS,
  parseCpuCores,
  parseDurationUs,
  parseFraction,
  parseRatePerS,
  parseSizeBytes,
  formatDurationUs,
  formatBytes,
  type UnitResult,
} from "./units.js";
export { parseConstraint, type Constraint } from "./constraints.js";
export { MANAGER_PREFIX, nodeName } from "./cluster.js";
export { DEFAULTS, BUILT_IN_STRATEGIES, LIMITS } from "./defaults.js";
export type * from "./types.js";
export { DEFAULT_NETWORK, INGRESS_NETWORK } from "./networks.js";
