import { escapeHtml } from './html';
import { resolveLocale, type SupportedLocale } from './locale';

/** What the unsubscribe link shows: asking to confirm (GET), done (after the POST), or a link that is not valid. */
export type UnsubscribePage = 'confirm' | 'done' | 'invalid';

const TEXT: Record<SupportedLocale, Record<UnsubscribePage, { title: string; body: string; button?: string }>> = {
  'pt-BR': {
    confirm: {
      title: 'Cancelar o recebimento de e-mails',
      body: 'Deseja deixar de receber os e-mails de cobrança de {company}?',
      button: 'Não quero mais receber estes e-mails',
    },
    done: {
      title: 'Pronto',
      body: 'Você não receberá mais e-mails de cobrança de {company}. Outros canais podem continuar sendo usados.',
    },
    invalid: { title: 'Link inválido', body: 'Este link de cancelamento não é válido.' },
  },
  en: {
    confirm: {
      title: 'Stop these emails',
      body: 'Do you want to stop receiving collection emails from {company}?',
      button: 'Stop these emails',
    },
    done: {
      title: 'Done',
      body: 'You will no longer receive collection emails from {company}. Other channels may still be used.',
    },
    invalid: { title: 'Invalid link', body: 'This unsubscribe link is not valid.' },
  },
  es: {
    confirm: {
      title: 'Dejar de recibir correos',
      body: '¿Desea dejar de recibir los correos de cobranza de {company}?',
      button: 'No quiero recibir más estos correos',
    },
    done: {
      title: 'Listo',
      body: 'Ya no recibirá correos de cobranza de {company}. Otros canales pueden seguir usándose.',
    },
    invalid: { title: 'Enlace no válido', body: 'Este enlace para darse de baja no es válido.' },
  },
};

/**
 * The small HTML page behind an email's unsubscribe link, in the debtor's language (fallback English). It names the
 * company but nothing of the debtor (the link may be forwarded). `confirm` holds a form that POSTs back to the same
 * URL: opening the link does not unsubscribe — link scanners open links — the POST (or the mail client's RFC 8058
 * one-click POST) does.
 */
export function renderUnsubscribePage(
  page: UnsubscribePage,
  options: { locale?: string | undefined; company: string },
): string {
  const locale = resolveLocale(options.locale);
  const text = TEXT[locale][page];
  const body = escapeHtml(text.body.replace('{company}', options.company));
  const form =
    page === 'confirm' && text.button
      ? '<form method="post">' +
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">' +
        `<button type="submit">${escapeHtml(text.button)}</button></form>`
      : '';
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(text.title)}</title></head>` +
    `<body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem">` +
    `<h1>${escapeHtml(text.title)}</h1><p>${body}</p>${form}</body></html>`
  );
}
