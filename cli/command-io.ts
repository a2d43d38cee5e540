/** Where a `dunning` command writes: its output (a timeline, a report) to `out`, progress and problems to `err`. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}
