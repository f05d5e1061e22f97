// The Swarm managers: Raft (raft/), the replicated store, the leader's roles (orchestrators,
// allocator, scheduler, dispatcher) and the control plane that hosts them on manager nodes.
// orchsim-imports: api, kernel, metrics, network, scenario
export { ControlPlane } from "./control-plane.js";
export { Store, type StoreCommand, type StoreEvent, type TaskRecord, type NodeRecord } from "./store.js";
