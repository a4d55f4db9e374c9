import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one node (a registry per node, so several nodes can share a process). */
export function createMetrics(nodeId: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ node: nodeId });
  return {
    registry,
    objectsIn: new Counter({
      name: 'citylink_objects_in_total',
      help: 'Objects accepted into this node, by kind and path (local, push, pull)',
      labelNames: ['kind', 'path'],
      registers: [registry],
    }),
    duplicatesIn: new Counter({
      name: 'citylink_objects_duplicate_total',
      help: 'Objects received that this node already held',
      registers: [registry],
    }),
    rejects: new Counter({
      name: 'citylink_rejects_total',
      help: 'Objects refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    objectsOut: new Counter({
      name: 'citylink_objects_out_total',
      help: 'Delivery outcomes reported by recipients',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    deliveryFailures: new Counter({
      name: 'citylink_delivery_failures_total',
      help: 'Failed delivery attempts (transport errors, 4xx/5xx, open breaker)',
      labelNames: ['peer'],
      registers: [registry],
    }),
    outboxDepth: new Gauge({
      name: 'citylink_outbox_depth',
      help: 'Deliveries waiting in the outbox',
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'citylink_delivery_latency_seconds',
      help: 'Time from an object entering the outbox to its delivery outcome',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600],
      registers: [registry],
    }),
    peerLinks: new Gauge({
      name: 'citylink_peer_links',
      help: 'Open WebSocket links from peer nodes that authenticated with a valid link token, by peer',
      labelNames: ['peer'],
      registers: [registry],
    }),
    logHead: new Gauge({ name: 'citylink_log_head_seq', help: 'Newest log sequence number', registers: [registry] }),
    clusterLeader: new Gauge({
      name: 'citylink_cluster_leader',
      help: 'Hub processes sharing a database: 1 on the process that runs the run-once jobs',
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
