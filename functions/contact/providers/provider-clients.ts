/**
 * A provider's SDK clients: `reads` (SES GetSuppressedDestination, SNS CheckIfPhoneNumberIsOptedOut) with the SDK's
 * standard retries, and `sends` (SendEmail, Publish) with none (`maxAttempts: 1`, functions/platform/aws/): a send has
 * no idempotency key, so an SDK retry after a connection reset once the provider had accepted it delivers a second
 * copy (docs/architecture.md "Send claims").
 */
export interface ProviderClients<Client> {
  readonly reads: Client;
  readonly sends: Client;
}

/** The clients given: a pair as it is, or one client for both (tests and tools: its retry settings then apply to sends). */
export function providerClients<Client extends object>(
  clients: Client | ProviderClients<Client>,
): ProviderClients<Client> {
  return 'reads' in clients && 'sends' in clients ? clients : { reads: clients, sends: clients };
}
