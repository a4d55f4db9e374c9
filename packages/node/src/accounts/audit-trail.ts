import type { AuditQuery, NewAuditEvent, Store } from '@citylink/store';

/** The node's audit log: what people and peers did here, newest first. */
export class AuditTrail {
  constructor(private readonly store: Store) {}

  record(event: NewAuditEvent): Promise<unknown> {
    return this.store.audit(event);
  }

  async list(q: AuditQuery) {
    return (await this.store.listAudit(q)).map((e) => ({ ...e, at: e.at.toISOString() }));
  }
}
