/**
 * The HTTP API's routes, shared by the CDK construct (API Gateway resources and methods) and the local runtime's
 * HTTP server, so both expose exactly the same paths. `handler` names the file in functions/handlers/.
 */
export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly path: string;
  readonly handler: string;
  /**
   * `iam` (default): SigV4-signed requests of AWS principals. `none`: public — only for the debtor-facing links
   * (unsubscribe, statement), whose path carries an unguessable per-customer token the handler checks.
   */
  readonly auth?: 'iam' | 'none';
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/invoices', handler: 'create-invoices' },
  { method: 'GET', path: '/invoices/{id}', handler: 'get-invoice' },
  { method: 'GET', path: '/invoices/{id}/history', handler: 'get-history' },
  { method: 'POST', path: '/invoices/{id}/payments', handler: 'record-payment' },
  // An operator steers one invoice (issue #5): the waiting workflow step is resumed at once.
  { method: 'POST', path: '/invoices/{id}/pause', handler: 'change-invoice' },
  { method: 'POST', path: '/invoices/{id}/resume', handler: 'change-invoice' },
  { method: 'POST', path: '/invoices/{id}/dispute', handler: 'change-invoice' },
  { method: 'POST', path: '/invoices/{id}/resolve', handler: 'change-invoice' },
  { method: 'POST', path: '/invoices/{id}/promises', handler: 'change-invoice' },
  { method: 'POST', path: '/invoices/{id}/write-off', handler: 'change-invoice' },
  // Renegotiation into instalments (issue #5): the original's walk ends, each instalment walks as an invoice of its own.
  { method: 'POST', path: '/invoices/{id}/agreements', handler: 'create-agreement' },
  { method: 'POST', path: '/invoices/{id}/escalate', handler: 'escalate-invoice' },
  // An operator restarts a walk that should be running and is not (issue #13): the reconciler's repair, forced.
  { method: 'POST', path: '/invoices/{id}/restart', handler: 'restart-walk' },
  { method: 'PUT', path: '/customers/{id}', handler: 'update-customer' },
  { method: 'POST', path: '/customers/{id}/opt-outs', handler: 'record-opt-out' },
  // RFC 8058 one-click unsubscribe: the email's List-Unsubscribe link (GET shows a confirmation page, POST opts out)
  { method: 'GET', path: '/unsubscribe/{token}', handler: 'unsubscribe', auth: 'none' },
  { method: 'POST', path: '/unsubscribe/{token}', handler: 'unsubscribe', auth: 'none' },
  // The debtor's statement (issue #5): a signed, expiring link in the messages; JSON or a small HTML page.
  { method: 'GET', path: '/statements/{token}', handler: 'get-statement', auth: 'none' },
];
