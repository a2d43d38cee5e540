/**
 * Structured JSON logs (one line per entry, CloudWatch-friendly). Callers log ids, stages, outcomes and error
 * names — never debtor names, emails or phone numbers: logs are not a place for personal data.
 */
type Fields = Record<string, string | number | boolean | undefined | null>;

function write(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Fields = {}): void {
  if (process.env.DUNNING_QUIET_LOGS === '1' && level === 'INFO') return;
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'ERROR') console.error(line);
  else console.log(line);
}

export const log = {
  info: (message: string, fields?: Fields) => write('INFO', message, fields),
  warn: (message: string, fields?: Fields) => write('WARN', message, fields),
  error: (message: string, fields?: Fields) => write('ERROR', message, fields),
};
