// The users: open-loop clients that send requests at a workload's rate (rate-profile.ts), with
// timeouts and retries (client.ts), and the calls a request makes to other services (calls.ts).
// orchsim-imports: cluster, kernel, metrics, network, scenario
export { Clients, type Request } from "./client.js";
export { RateProfile } from "./rate-profile.js";
export { ServiceCalls } from "./calls.js";
