import { ApiError } from '../../contracts/errors';
import type { FieldIssue } from '../../values/field-issue';
import type { InvoiceStatus } from '../invoice';
import type { InvoiceCommandType } from './decision';

/** The invoice's status does not allow the command (HTTP 409). */
export class InvalidTransition extends ApiError {
  override readonly name = 'InvalidTransition';
  /** The API error code: `InvoiceNotOpen` for payments (as before), `InvalidTransition` for the rest. */
  declare readonly code: 'InvalidTransition' | 'InvoiceNotOpen';
  constructor(
    readonly invoiceId: string,
    readonly status: InvoiceStatus,
    readonly command: InvoiceCommandType,
    why: string,
  ) {
    super(
      409,
      command === 'payment' ? 'InvoiceNotOpen' : 'InvalidTransition',
      `Invoice ${invoiceId} is ${status}: cannot ${describeCommand(command)} (${why})`,
    );
  }
  override get details(): readonly FieldIssue[] {
    return [{ path: '(status)', issue: `is ${this.status}` }];
  }
}

function describeCommand(type: InvoiceCommandType): string {
  switch (type) {
    case 'promise':
      return 'record a promise to pay';
    case 'payment':
      return 'record a payment';
    case 'promise-deadline':
      return 'end a promise';
    case 'write-off':
      return 'write it off';
    case 'renegotiate':
      return 'renegotiate it';
    default:
      return `${type} it`;
  }
}
