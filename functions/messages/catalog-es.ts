import { dayMonthYear } from '../calendar/calendar-date';
import type { LocaleCatalog } from './catalog';

/** Spanish (neutral, formal "usted"; the STOP keyword is the one SMS users know). */
export const CATALOG_ES: LocaleCatalog = {
  locale: 'es',
  formatDate: dayMonthYear,
  whenDue(days) {
    if (days < -1) return `vence en ${-days} días`;
    if (days === -1) return 'vence mañana';
    if (days === 0) return 'vence hoy';
    if (days === 1) return 'venció ayer';
    return `venció hace ${days} días`;
  },
  greeting: (name) => (name === '' ? 'Hola:' : `Hola, ${name}:`),
  templates: {
    reminder: {
      subject: (f) => `Recordatorio: factura ${f.invoiceId} ${f.whenDue}`,
      paragraphs: (f) => [
        `Le recordamos amablemente que la factura ${f.invoiceId}, por ${f.balance}, ${f.whenDue} (${f.dueDate}).`,
      ],
      sms: (f) => `recordatorio: la factura ${f.invoiceId} por ${f.balance} ${f.whenDue} (${f.dueDate}).`,
    },
    'due-today': {
      subject: (f) => `La factura ${f.invoiceId} ${f.whenDue}`,
      paragraphs: (f) => [
        `Le recordamos que la factura ${f.invoiceId}, por ${f.balance}, ${f.whenDue} (${f.dueDate}).`,
      ],
      sms: (f) => `la factura ${f.invoiceId} por ${f.balance} ${f.whenDue} (${f.dueDate}).`,
    },
    overdue: {
      subject: (f) => `Aviso sobre la factura ${f.invoiceId}`,
      paragraphs: (f) => [
        `Aún no hemos recibido el pago de la factura ${f.invoiceId}, que ${f.whenDue} (${f.dueDate}). El saldo pendiente es de ${f.balance}.`,
        'Si necesita ayuda u otra forma de pago, contáctenos: con gusto le ayudaremos.',
      ],
      sms: (f) => `la factura ${f.invoiceId} por ${f.balance} ${f.whenDue} (${f.dueDate}) y sigue pendiente.`,
    },
    'final-notice': {
      subject: (f) => `Aviso importante sobre la factura ${f.invoiceId}`,
      paragraphs: (f) => [
        `La factura ${f.invoiceId}, que ${f.whenDue} (${f.dueDate}), mantiene un saldo pendiente de ${f.balance}.`,
        'Este es nuestro último aviso antes de remitir la factura a nuestro equipo de cobranza. Si desea acordar una forma de pago, estamos a su disposición.',
      ],
      sms: (f) =>
        `último aviso antes del envío al equipo de cobranza: factura ${f.invoiceId}, ${f.balance}, vencimiento ${f.dueDate}.`,
    },
  },
  labels: {
    invoice: 'Factura',
    balance: 'Saldo pendiente',
    originalAmount: 'Importe original',
    dueDate: 'Vencimiento',
    description: 'Concepto',
    fine: 'Multa por atraso',
    interest: 'Intereses',
    updatedAmount: 'Importe actualizado',
  },
  lateFees: (f) =>
    `Con la multa por atraso de ${f.fine} y los intereses de ${f.interest}, el importe actualizado es de ${f.total}.`,
  smsLateFees: ({ numbers: n }) => `(saldo ${n.balance} + multa ${n.fine} + intereses ${n.interest})`,
  payButton: 'Pagar ahora',
  payLead: 'Para pagar, visite:',
  alreadyPaid: 'Si ya realizó el pago, por favor ignore este mensaje.',
  support: (contact) => `¿Dudas? Contáctenos: ${contact}`,
  signOff: 'Atentamente,',
  optOutLead: 'Para dejar de recibir estos correos, visite:',
  optOutReply: 'Para dejar de recibir estos correos, responda a este mensaje con la palabra BAJA.',
  smsPayLead: 'Pague en',
  smsAlreadyPaid: 'Si ya pagó, ignore este mensaje.',
  smsStop: 'Responde BAJA para no recibir más SMS.',
  othersLead: (count) =>
    count === 1
      ? 'También tiene esta otra factura pendiente:'
      : `También tiene estas ${count} otras facturas pendientes:`,
  otherInvoice: (f) => `Factura ${f.invoiceId}, por ${f.balance}, ${f.whenDue} (${f.dueDate}).`,
  totalLabel: (count) => `Saldo total (${count} facturas)`,
  smsOthers: (count, total) =>
    `+${count} ${count === 1 ? 'factura' : 'facturas'} ${total === undefined ? (count === 1 ? 'pendiente más' : 'pendientes más') : `más, total ${total}`}.`,
  offer: (o) =>
    `Si paga hasta el ${o.payBy}, se aplica un descuento del ${o.percent}%: el importe a pagar es de ${o.discounted}.`,
  shortOffer: (o) => `Si paga hasta el ${o.payBy}: ${o.discounted} (${o.percent}% de descuento).`,
  statementLead: 'Consulte todas sus facturas pendientes y pague en línea:',
  smsStatementLead: 'Su estado de cuenta:',
};
