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
}
