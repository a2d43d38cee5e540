/**
 * The `dunning` command (`npx dunning …` from the repository root; the package's `bin`).
 */
import '../local/system/quiet-warnings';
import { readFileSync } from 'node:fs';
import { checkCommand } from './check';
import { operatorCommand } from './operator-command';
import { simulateCommand } from './simulate';

const USAGE = `Usage: dunning <command> [options]

Commands:
  simulate                run the real workflow over a portfolio on a virtual clock and print the timeline
  check                   check a simulated timeline against the rule: hours, holidays, caps, opt-outs, payments
  invoices submit <file>  register the invoices of a CSV / JSON / JSON Lines file
  invoice show <id>       status, balance, stage, hold
  invoice pay|pause|resume|dispute|resolve|write-off|promise|escalate|restart <id>
                          steer one invoice (dunning invoice --help for the flags)
  history <id>            the invoice's audit trail
  customer update <id> <file.json>
                          replace a customer's name and contact details (a JSON object file)
  customer opt-out <id> --channel email|sms
                          record that the customer opted out of a channel
             (dunning <command> --help for the options; the operator commands talk to \`npm start\` by default,
              --url <API URL> or --stack <deployed stack name> for another)`;

// `dunning … | head`: the reader went away; stop quietly as other command-line tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Handlers log through console.log; the timeline owns stdout, so everything else goes to stderr.
  const write = process.stdout.write.bind(process.stdout);
  console.log = (...args: unknown[]) => console.error(...args);
  const io = {
    out: (text: string) => void write(text),
    err: (text: string) => void process.stderr.write(text),
  };
  switch (command) {
    case 'simulate':
      return simulateCommand(rest, io);
    case 'check':
      return checkCommand(rest, io, () => readFileSync(0, 'utf8'));
    case 'invoices':
    case 'invoice':
    case 'history':
    case 'customer':
      return operatorCommand(argv, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      io.err(`Unknown command "${command}".\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  },
);
