import type { TemplateName } from '../template-names';
import type { SupportedLocale } from './locale';

/**
 * Message texts. `{placeholders}` are filled with escaped values: {name}, {company}, {invoiceId}, {amount},
 * {dueDate}, {days} (absolute number of days from the due date), {description}.
 */
export interface TemplateTexts {
  readonly subject: string;
  /** Email paragraphs, before the payment link. */
  readonly paragraphs: readonly string[];
  readonly sms: string;
}

export interface LocaleCatalog {
  readonly greeting: string;
  readonly templates: Readonly<Record<TemplateName, TemplateTexts>>;
  readonly description: string;
  readonly payButton: string;
  readonly payLinkText: string;
  readonly alreadyPaid: string;
  readonly support: string;
  readonly signature: string;
  readonly legal: string;
  readonly optOutLink: string;
  readonly optOutReply: string;
  readonly smsStop: string;
  /** SMS: link line. */
  readonly smsPay: string;
}

const ptBR: LocaleCatalog = {
  greeting: 'Olá, {name}.',
  templates: {
    reminder: {
      subject: 'Lembrete: a fatura {invoiceId} vence em {days} dias',
      paragraphs: [
        'Este é um lembrete amigável: a fatura {invoiceId}, no valor de {amount}, vence em {dueDate} (daqui a {days} dias).',
      ],
      sms: '{company}: lembrete - fatura {invoiceId} de {amount} vence em {dueDate}.',
    },
    'due-today': {
      subject: 'A fatura {invoiceId} vence hoje',
      paragraphs: ['A fatura {invoiceId}, no valor de {amount}, vence hoje ({dueDate}).'],
      sms: '{company}: a fatura {invoiceId} de {amount} vence hoje ({dueDate}).',
    },
    overdue: {
      subject: 'Fatura {invoiceId} em aberto',
      paragraphs: [
        'Não identificamos o pagamento da fatura {invoiceId}, que venceu em {dueDate} (há {days} dias). O saldo em aberto é de {amount}.',
        'Se precisar de ajuda ou de outra forma de pagamento, fale conosco.',
      ],
      sms: '{company}: a fatura {invoiceId} venceu em {dueDate}. Saldo em aberto: {amount}.',
    },
    'final-notice': {
      subject: 'Último aviso: fatura {invoiceId}',
      paragraphs: [
        'A fatura {invoiceId} venceu em {dueDate} (há {days} dias) e o saldo de {amount} continua em aberto.',
        'Este é o nosso último aviso antes de encaminharmos o caso à nossa equipe de cobrança. Para evitar isso, regularize o pagamento ou entre em contato.',
      ],
      sms: '{company}: último aviso - fatura {invoiceId}, saldo {amount}, vencida em {dueDate}.',
    },
  },
  description: 'Referente a: {description}',
  payButton: 'Pagar agora',
  payLinkText: 'Para pagar, acesse: {url}',
  alreadyPaid: 'Se você já pagou, por favor desconsidere esta mensagem.',
  support: 'Dúvidas: {support}',
  signature: 'Atenciosamente,',
  legal: '{company} — {taxId}',
  optOutLink: 'Para não receber mais estes e-mails, acesse: {url}',
  optOutReply: 'Para não receber mais estes e-mails, responda a esta mensagem com a palavra SAIR.',
  smsStop: 'Responda SAIR para não receber mais SMS.',
  smsPay: 'Pague em {url}',
};

const en: LocaleCatalog = {
  greeting: 'Hello {name},',
  templates: {
    reminder: {
      subject: 'Reminder: invoice {invoiceId} is due in {days} days',
      paragraphs: ['A friendly reminder: invoice {invoiceId}, for {amount}, is due on {dueDate} (in {days} days).'],
      sms: '{company}: reminder - invoice {invoiceId} for {amount} is due on {dueDate}.',
    },
    'due-today': {
      subject: 'Invoice {invoiceId} is due today',
      paragraphs: ['Invoice {invoiceId}, for {amount}, is due today ({dueDate}).'],
      sms: '{company}: invoice {invoiceId} for {amount} is due today ({dueDate}).',
    },
    overdue: {
      subject: 'Invoice {invoiceId} is overdue',
      paragraphs: [
        'We have not received payment for invoice {invoiceId}, which was due on {dueDate} ({days} days ago). The outstanding balance is {amount}.',
        'If you need help or another way to pay, please get in touch.',
      ],
      sms: '{company}: invoice {invoiceId} was due on {dueDate}. Balance due: {amount}.',
    },
    'final-notice': {
      subject: 'Final notice: invoice {invoiceId}',
      paragraphs: [
        'Invoice {invoiceId} was due on {dueDate} ({days} days ago) and the balance of {amount} is still outstanding.',
        'This is our final notice before the account is handed to our collections team. To avoid this, please pay or contact us.',
      ],
      sms: '{company}: final notice - invoice {invoiceId}, balance {amount}, due {dueDate}.',
    },
  },
  description: 'For: {description}',
  payButton: 'Pay now',
  payLinkText: 'To pay, visit: {url}',
  alreadyPaid: 'If you have already paid, please disregard this message.',
  support: 'Questions: {support}',
  signature: 'Kind regards,',
  legal: '{company} — {taxId}',
  optOutLink: 'To stop receiving these emails, visit: {url}',
  optOutReply: 'To stop receiving these emails, reply to this message with the word UNSUBSCRIBE.',
  smsStop: 'Reply STOP to opt out.',
  smsPay: 'Pay at {url}',
};

const es: LocaleCatalog = {
  greeting: 'Hola, {name}:',
  templates: {
    reminder: {
      subject: 'Recordatorio: la factura {invoiceId} vence en {days} días',
      paragraphs: [
        'Un recordatorio amable: la factura {invoiceId}, por {amount}, vence el {dueDate} (en {days} días).',
      ],
      sms: '{company}: recordatorio - la factura {invoiceId} por {amount} vence el {dueDate}.',
    },
    'due-today': {
      subject: 'La factura {invoiceId} vence hoy',
      paragraphs: ['La factura {invoiceId}, por {amount}, vence hoy ({dueDate}).'],
      sms: '{company}: la factura {invoiceId} por {amount} vence hoy ({dueDate}).',
    },
    overdue: {
      subject: 'Factura {invoiceId} pendiente',
      paragraphs: [
        'No hemos recibido el pago de la factura {invoiceId}, que venció el {dueDate} (hace {days} días). El saldo pendiente es de {amount}.',
        'Si necesita ayuda u otra forma de pago, contáctenos.',
      ],
      sms: '{company}: la factura {invoiceId} venció el {dueDate}. Saldo pendiente: {amount}.',
    },
    'final-notice': {
      subject: 'Último aviso: factura {invoiceId}',
      paragraphs: [
        'La factura {invoiceId} venció el {dueDate} (hace {days} días) y el saldo de {amount} sigue pendiente.',
        'Este es nuestro último aviso antes de remitir la cuenta a nuestro equipo de cobranza. Para evitarlo, realice el pago o contáctenos.',
      ],
      sms: '{company}: último aviso - factura {invoiceId}, saldo {amount}, vencida el {dueDate}.',
    },
  },
  description: 'Concepto: {description}',
  payButton: 'Pagar ahora',
  payLinkText: 'Para pagar, visite: {url}',
  alreadyPaid: 'Si ya realizó el pago, por favor ignore este mensaje.',
  support: 'Consultas: {support}',
  signature: 'Atentamente,',
  legal: '{company} — {taxId}',
  optOutLink: 'Para dejar de recibir estos correos, visite: {url}',
  optOutReply: 'Para dejar de recibir estos correos, responda a este mensaje con la palabra BAJA.',
  smsStop: 'Responde BAJA para no recibir más SMS.',
  smsPay: 'Paga en {url}',
};

export const CATALOGS: Readonly<Record<SupportedLocale, LocaleCatalog>> = { 'pt-BR': ptBR, en, es };
