// The network: the underlay fabric between hosts (latency, bandwidth; partitions and crashes
// come with the control plane), and later overlay networks and the ingress routing mesh.
// May import kernel/ and scenario/ types only.
export { Fabric, Partition } from "./fabric.js";
export type { Endpoint } from "./fabric.js";
export { gossipDelayUs, GOSSIP_ROUND_US, FAILURE_DETECTION_US } from "./gossip.js";
