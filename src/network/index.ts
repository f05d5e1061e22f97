// The network: the data plane of the cluster, keyed by network. The underlay fabric between
// hosts (latency, NICs, partitions; the small messages' state of every link in one table,
// link-meters.ts), flow-level bandwidth shared max-min fairly (bandwidth/), the one delivery path
// every message takes (delivery.ts), overlay networks (VXLAN: VNI, subnet, MTU, encryption;
// overlay.ts, packets.ts), their addresses (ipam.ts, used by the managers' allocator), service
// discovery and IPVS load balancing fed by gossip (routing.ts, endpoints.ts, gossip.ts), client
// connections and DNS caching (connections.ts), the routing mesh's entry (mesh.ts) and its
// balancer's health checks (entry-check.ts), and image pulls (images.ts).
// May import kernel/ and scenario/ types only.
// orchsim-imports: kernel, scenario
export { DataPlane } from "./data-plane.js";
export { Channel, Delivery, FAST_PATH_BYTES, TCP_WINDOW_BYTES } from "./delivery.js";
export type { KernelCpu, NetHost, Parcel } from "./delivery.js";
export { Fabric, Partition, pathOf } from "./fabric.js";
export type { Endpoint, PathKind } from "./fabric.js";
export { buildOverlays, FIRST_VNI } from "./overlay.js";
export type { OverlayNetwork } from "./overlay.js";
export { Routing } from "./routing.js";
export type { RoutedContainer } from "./routing.js";
export { newBackend } from "./endpoints.js";
export type { Backend, ServiceEndpoints } from "./endpoints.js";
export { ConnectionPool, DnsCache, forgottenByIpvs, IPVS_IDLE_TIMEOUT_US } from "./connections.js";
export type { Connection } from "./connections.js";
export { IngressEntry, entryListed } from "./mesh.js";
export type { EntryHost } from "./mesh.js";
export { EntryHealthchecks } from "./entry-check.js";
export { Images } from "./images.js";
export { failureDetectionUs, firstProbeUs, GOSSIP_ROUND_US, GOSSIP_TO_THE_DEAD_US } from "./gossip.js";
