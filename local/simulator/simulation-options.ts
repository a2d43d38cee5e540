/** What `dunning simulate` asks of the simulation engine (local/simulator/simulation.ts), and where it reports. */

/** Where the simulation writes its progress and warnings (the command's standard error). */
export interface SimulationIo {
  err(text: string): void;
}

export interface SimulationOptions {
  readonly rule: string;
  readonly invoices: string;
  readonly events?: string;
  readonly from?: string;
  readonly until?: string;
  readonly config?: string;
  /** Seconds between progress lines on `err` (0 = none). @default 2 */
  readonly progressSeconds?: number;
  /** Progress as readable lines, or as `@@progress {json}` lines for a parent process. @default 'text' */
  readonly progress?: 'text' | 'json';
  /**
   * Worker processes to spread the customers over (each runs its own local system on one core).
   * @default one per CPU core, at most one per 250 invoices
   */
  readonly workers?: number;
  /** How DynamoDB is reached (see LocalSystemOptions.dynamodb). @default 'in-process' */
  readonly dynamodb?: 'http' | 'in-process';
  /** A fault profile file (docs/formats.md "Fault profiles"). */
  readonly faults?: string;
  /** Where to write the outbox: every message the emulated providers accepted, as JSON Lines. */
  readonly outbox?: string;
  /**
   * A worker's shard index, given by the parent process (shards.ts): the fault plane's PRNG is seeded with the
   * profile's seed plus it; the worker reports its fault counts to the parent instead of printing a summary.
   */
  readonly shard?: number;
}
