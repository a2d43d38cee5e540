import type { CalendarDate } from '../calendar/calendar-date';
import type { LocaleCatalog } from './catalog';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** `November 20, 2026`. */
function monthDayYear(date: CalendarDate): string {
  return `${MONTHS[date.month - 1] ?? ''} ${date.day}, ${date.year}`;
}

/** English. */
export const CATALOG_EN: LocaleCatalog = {
  locale: 'en',
  formatDate: monthDayYear,
  whenDue(days) {
    if (days < -1) return `is due in ${-days} days`;
    if (days === -1) return 'is due tomorrow';
    if (days === 0) return 'is due today';
    if (days === 1) return 'was due yesterday';
    return `was due ${days} days ago`;
  },
  greeting: (name) => (name === '' ? 'Hello,' : `Hello ${name},`),
  templates: {
    reminder: {
      subject: (f) => `Reminder: invoice ${f.invoiceId} ${f.whenDue}`,
      paragraphs: (f) => [
        `This is a friendly reminder that invoice ${f.invoiceId}, for ${f.balance}, ${f.whenDue} (${f.dueDate}).`,
      ],
      sms: (f) => `reminder: invoice ${f.invoiceId} for ${f.balance} ${f.whenDue} (${f.dueDate}).`,
    },
    'due-today': {
      subject: (f) => `Invoice ${f.invoiceId} ${f.whenDue}`,
      paragraphs: (f) => [
        `Just a reminder that invoice ${f.invoiceId}, for ${f.balance}, ${f.whenDue} (${f.dueDate}).`,
      ],
      sms: (f) => `invoice ${f.invoiceId} for ${f.balance} ${f.whenDue} (${f.dueDate}).`,
    },
    overdue: {
      subject: (f) => `Notice about invoice ${f.invoiceId}`,
      paragraphs: (f) => [
        `We have not yet received payment for invoice ${f.invoiceId}, which ${f.whenDue} (${f.dueDate}). The outstanding balance is ${f.balance}.`,
        'If you need help or another way to pay, please get in touch: we are happy to help.',
      ],
      sms: (f) => `invoice ${f.invoiceId} for ${f.balance} ${f.whenDue} (${f.dueDate}) and remains unpaid.`,
    },
    'final-notice': {
      subject: (f) => `Important notice about invoice ${f.invoiceId}`,
      paragraphs: (f) => [
        `Invoice ${f.invoiceId}, which ${f.whenDue} (${f.dueDate}), still has an outstanding balance of ${f.balance}.`,
        'This is our final notice before the invoice is referred to our collections team. If you would like to arrange payment, we are here to help.',
      ],
      sms: (f) =>
        `final notice before referral to our collections team: invoice ${f.invoiceId}, ${f.balance}, due ${f.dueDate}.`,
    },
  },
  labels: {
    invoice: 'Invoice',
    balance: 'Balance due',
    originalAmount: 'Original amount',
    dueDate: 'Due date',
    description: 'Description',
    fine: 'Late fine',
    interest: 'Interest',
    updatedAmount: 'Updated amount',
  },
  lateFees: (f) =>
    `With the late-payment fine of ${f.fine} and interest of ${f.interest}, the updated amount is ${f.total}.`,
  smsLateFees: ({ numbers: n }) => `(balance ${n.balance} + fine ${n.fine} + interest ${n.interest})`,
  payButton: 'Pay now',
  payLead: 'To pay, visit:',
  alreadyPaid: 'If you have already paid, please disregard this message.',
  support: (contact) => `Questions? Contact us: ${contact}`,
  signOff: 'Kind regards,',
  optOutLead: 'To stop receiving these emails, visit:',
  optOutReply: 'To stop receiving these emails, reply to this message with the word UNSUBSCRIBE.',
  smsPayLead: 'Pay at',
  smsAlreadyPaid: 'If already paid, please disregard.',
  smsStop: 'Reply STOP to opt out.',
  othersLead: (count) =>
    count === 1 ? 'You also have this other open invoice:' : `You also have these ${count} other open invoices:`,
  otherInvoice: (f) => `Invoice ${f.invoiceId}, for ${f.balance}, ${f.whenDue} (${f.dueDate}).`,
  totalLabel: (count) => `Total balance (${count} invoices)`,
  smsOthers: (count, total) =>
    `+${count} other ${total === undefined ? 'open ' : ''}${count === 1 ? 'invoice' : 'invoices'}${total === undefined ? '' : `, total ${total}`}.`,
  offer: (o) => `If paid by ${o.payBy}, a ${o.percent}% discount applies: the amount to pay is ${o.discounted}.`,
  shortOffer: (o) => `If paid by ${o.payBy}: ${o.discounted} (${o.percent}% off).`,
  statementLead: 'See all your open invoices and pay online:',
  smsStatementLead: 'Your statement:',
};
