/**
 * Imported first by the local entry points: Node 22 warns that `node:sqlite` (which fauxqs uses for its queues) is
 * experimental, once per process. The warning is noise for users of `npm start` and `dunning`; every other warning
 * still prints.
 */
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (text.includes('SQLite is an experimental feature')) return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
