/**
 * Walks the reconciler must look at that no execution's status shows (docs/architecture.md "Workflow", the
 * reconciler): a change whose resume Step Functions did not take (`resume`), a registration stored but whose start
 * message could not be queued, or whose start failed in the starter and may be dead-lettered (`start`). A mark is written only on those failure paths — the healthy path writes
 * nothing — and the reconciler's daily run reads them all with one Query instead of scanning every invoice (a Scan
 * costs the whole table's size in read units, every day, for every invoice ever registered).
 * DynamoDB: functions/stores/dynamodb/walk-attention.ts (one partition, `WALKS#attention`).
 */

export type AttentionReason = 'resume' | 'start';

export interface WalkMark {
  readonly invoiceId: string;
  readonly reason: AttentionReason;
  readonly at: string;
}

export interface WalkAttention {
  /** Marks the invoice's walk for the reconciler's next look (a put: marking twice keeps one mark, the latest). */
  flagWalk(mark: WalkMark): Promise<void>;

  /** Every marked walk, by invoice id. */
  flaggedWalks(): AsyncIterable<WalkMark>;

  /** The walk was looked at and needs nothing more: its mark goes (nothing when there is none). */
  clearWalk(invoiceId: string): Promise<void>;
}
