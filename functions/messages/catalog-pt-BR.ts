import { dayMonthYear } from '../calendar/calendar-date';
import type { LocaleCatalog } from './catalog';

/** Brazilian Portuguese. */
export const CATALOG_PT_BR: LocaleCatalog = {
  locale: 'pt-BR',
  formatDate: dayMonthYear,
  whenDue(days) {
    if (days < -1) return `vence em ${-days} dias`;
    if (days === -1) return 'vence amanhã';
    if (days === 0) return 'vence hoje';
    if (days === 1) return 'venceu ontem';
    return `venceu há ${days} dias`;
  },
  greeting: (name) => (name === '' ? 'Olá.' : `Olá, ${name}.`),
  templates: {
    reminder: {
      subject: (f) => `Lembrete: fatura ${f.invoiceId} ${f.whenDue}`,
      paragraphs: (f) => [
        `Este é um lembrete amigável: a fatura ${f.invoiceId}, no valor de ${f.balance}, ${f.whenDue} (${f.dueDate}).`,
      ],
      sms: (f) => `lembrete: fatura ${f.invoiceId}, ${f.balance}, ${f.whenDue} (${f.dueDate}).`,
    },
    'due-today': {
      subject: (f) => `Fatura ${f.invoiceId} ${f.whenDue}`,
      paragraphs: (f) => [
        `Passando para lembrar que a fatura ${f.invoiceId}, no valor de ${f.balance}, ${f.whenDue} (${f.dueDate}).`,
      ],
      sms: (f) => `fatura ${f.invoiceId}, ${f.balance}, ${f.whenDue} (${f.dueDate}).`,
    },
    overdue: {
      subject: (f) => `Aviso sobre a fatura ${f.invoiceId}`,
      paragraphs: (f) => [
        `Ainda não identificamos o pagamento da fatura ${f.invoiceId}, que ${f.whenDue} (${f.dueDate}). O saldo em aberto é de ${f.balance}.`,
        'Se precisar de ajuda ou de outra forma de pagamento, fale conosco: teremos prazer em ajudar.',
      ],
      sms: (f) => `fatura ${f.invoiceId}, ${f.balance}, ${f.whenDue} (${f.dueDate}) e segue em aberto.`,
    },
    'final-notice': {
      subject: (f) => `Aviso importante sobre a fatura ${f.invoiceId}`,
      paragraphs: (f) => [
        `A fatura ${f.invoiceId}, que ${f.whenDue} (${f.dueDate}), continua com saldo em aberto de ${f.balance}.`,
        'Este é o nosso último aviso antes de encaminharmos a fatura à nossa equipe de cobrança. Se quiser combinar uma forma de pagamento, estamos à disposição.',
      ],
      sms: (f) =>
        `último aviso antes do envio à equipe de cobrança: fatura ${f.invoiceId}, ${f.balance}, vencimento ${f.dueDate}.`,
    },
  },
  labels: {
    invoice: 'Fatura',
    balance: 'Saldo em aberto',
    originalAmount: 'Valor original',
    dueDate: 'Vencimento',
    description: 'Referente a',
    fine: 'Multa',
    interest: 'Juros',
    updatedAmount: 'Valor atualizado',
  },
  lateFees: (f) => `Com a multa por atraso de ${f.fine} e juros de ${f.interest}, o valor atualizado é de ${f.total}.`,
  smsLateFees: ({ numbers: n }) => `(saldo ${n.balance} + multa ${n.fine} + juros ${n.interest})`,
  payButton: 'Pagar agora',
  payLead: 'Para pagar, acesse:',
  alreadyPaid: 'Se você já pagou, por favor desconsidere esta mensagem.',
  support: (contact) => `Dúvidas? Fale conosco: ${contact}`,
  signOff: 'Atenciosamente,',
  optOutLead: 'Para não receber mais estes e-mails, acesse:',
  optOutReply: 'Para não receber mais estes e-mails, responda a esta mensagem com a palavra SAIR.',
  smsPayLead: 'Pague em',
  smsAlreadyPaid: 'Se já pagou, desconsidere.',
  smsStop: 'Responda SAIR para não receber mais SMS.',
  othersLead: (count) =>
    count === 1
      ? 'Você também tem esta outra fatura em aberto:'
      : `Você também tem estas ${count} outras faturas em aberto:`,
  otherInvoice: (f) => `Fatura ${f.invoiceId}, no valor de ${f.balance}, ${f.whenDue} (${f.dueDate}).`,
  totalLabel: (count) => `Saldo total (${count} faturas)`,
  smsOthers: (count, total) =>
    `+${count} ${count === 1 ? 'outra fatura' : 'outras faturas'}${total === undefined ? ' em aberto' : `, total ${total}`}.`,
  offer: (o) =>
    `Para pagamento até ${o.payBy}, há um desconto de ${o.percent}%: o valor a pagar fica em ${o.discounted}.`,
  shortOffer: (o) => `Se pagar até ${o.payBy}: ${o.discounted} (${o.percent}% de desconto).`,
  statementLead: 'Veja todas as suas faturas em aberto e pague online:',
  smsStatementLead: 'Seu extrato:',
};
