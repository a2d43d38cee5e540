import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  type MessageContext,
  renderEmail,
  renderSms,
  SUPPORTED_LOCALES,
} from '../../../functions/messages';
import { TEMPLATE_NAMES } from '../../../functions/messages/template-names';
import { ctx } from '../../support/message-context';

/** Late fees on the balance above (2% fine, 15 days at 1% a month), as a rule that charges them adds. */
const lateFees: MessageContext['lateFees'] = {
  fine: { minor: 2_469, currency: 'BRL' },
  interest: { minor: 617, currency: 'BRL' },
  total: { minor: 126_536, currency: 'BRL' },
};

/** Another open invoice, as a consolidated message lists it. */
const other = (invoiceId: string, paymentUrl?: string): NonNullable<MessageContext['others']>[number] => ({
  invoiceId,
  balance: { minor: 50_000, currency: 'BRL' },
  dueDate: '2026-12-20',
  daysFromDue: -3,
  ...(paymentUrl === undefined ? {} : { paymentUrl }),
});

const NASTY_NAME = '<script>alert(1)</script> & "x"';
const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1] ?? '');
/** Any string, without the markers the properties use to find a value in the output. */
const unmarked = (arbitrary: fc.Arbitrary<string>) => arbitrary.map((s) => s.replace(/[⟦⟧]/g, ''));
const between = (output: string) => [...output.matchAll(/⟦([^⟧]*)⟧/g)].map((m) => m[1] ?? '');
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

describe('escapeHtml makes any text inert in element content and quoted attributes', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('leaves no <, >, " or \' in its output, for any input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(escapeHtml(text)).not.toMatch(/[<>"']/);
      }),
    );
  });
});

describe('customer and company values are escaped in the HTML and kept as written in the text', () => {
  it('shows a script-like name as text in the HTML and raw in the plain-text body', () => {
    // Prepare
    const context = {
      ...ctx,
      customer: { name: NASTY_NAME },
      invoice: { ...ctx.invoice, description: '<img src=x onerror=alert(1)>' },
    };

    // Act
    const email = renderEmail('overdue', 'en', context);

    // Assess
    expect(email.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;,');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.html).not.toContain('<script');
    expect(email.html).not.toContain('<img');
    expect(email.text).toContain(`Hello ${NASTY_NAME},`);
    expect(email.text).toContain('Description: <img src=x onerror=alert(1)>');
  });

  it('escapes the company, tax id, invoice id and support contact too', () => {
    // Prepare
    const context: MessageContext = {
      ...ctx,
      company: { legalName: 'A&B <Ltda>', taxId: '"1"', supportContact: '<b>help</b>' },
      invoice: { ...ctx.invoice, invoiceId: 'INV<1>' },
    };

    // Act
    const { html } = renderEmail('reminder', 'pt-BR', context);

    // Assess
    expect(html).toContain('A&amp;B &lt;Ltda&gt; — &quot;1&quot;');
    expect(html).toContain('INV&lt;1&gt;');
    expect(html).toContain('&lt;b&gt;help&lt;/b&gt;');
    expect(html).not.toMatch(/<(b|Ltda|1)>/);
  });

  it('never lets an arbitrary supplied value open a tag or an attribute (property)', () => {
    const value = unmarked(fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(
        fc.record({
          name: value,
          description: value,
          invoiceId: value,
          company: value,
          support: value,
          other: value,
          otherUrl: value,
        }),
        fc.constantFrom(...TEMPLATE_NAMES),
        fc.constantFrom(...SUPPORTED_LOCALES),
        fc.boolean(),
        (v, template, locale, charged) => {
          // Prepare: a consolidated message, the other invoice's id and payment reference supplied too
          const context: MessageContext = {
            ...ctx,
            ...(charged ? { lateFees } : {}),
            company: { legalName: `⟦${v.company}⟧`, taxId: ctx.company.taxId, supportContact: `⟦${v.support}⟧` },
            customer: { name: `⟦${v.name}⟧` },
            invoice: { ...ctx.invoice, invoiceId: `⟦${v.invoiceId}⟧`, description: `⟦${v.description}⟧` },
            others: [other(`⟦${v.other}⟧+`, `⟦${v.otherUrl}⟧`)], // `+`: never the invoice's own id
          };

          // Act
          const { html } = renderEmail(template, locale, context);

          // Assess
          const spans = between(html);
          expect(spans.length).toBeGreaterThanOrEqual(7);
          for (const span of spans) expect(span).not.toMatch(/[<>"]/);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('only http(s) URLs become links; anything else is shown as text', () => {
  it('shows a javascript: payment URL as escaped text, never as an href, in the HTML, text and SMS', () => {
    // Prepare
    const context = { ...ctx, invoice: { ...ctx.invoice, paymentUrl: 'javascript:alert("x")' } };

    // Act
    const email = renderEmail('overdue', 'en', context);
    const sms = renderSms('overdue', 'en', context);

    // Assess
    expect(hrefs(email.html)).toEqual([]);
    expect(email.html).not.toContain('Pay now');
    expect(email.html).toContain('To pay, visit: javascript:alert(&quot;x&quot;)</p>');
    expect(email.text).toContain('To pay, visit: javascript:alert("x")');
    expect(sms.text).toContain('Pay at javascript:alert("x")');
  });

  it('shows a payment reference that is not a URL (a boleto line) as text', () => {
    const boleto = '34191.79001 01043.510047 91020.150008 1 92750000123450';
    const email = renderEmail('due-today', 'pt-BR', { ...ctx, invoice: { ...ctx.invoice, paymentUrl: boleto } });
    expect(email.text).toContain(`Para pagar, acesse: ${boleto}`);
    expect(hrefs(email.html)).toEqual([]);
  });

  it('links an http(s) URL, escaped inside the attribute, as a button and as a visible link', () => {
    // Prepare
    const context = { ...ctx, invoice: { ...ctx.invoice, paymentUrl: 'https://pay.example.com/x?a=1&b="2"' } };

    // Act
    const { html } = renderEmail('reminder', 'en', context);

    // Assess
    expect(hrefs(html)).toEqual([
      'https://pay.example.com/x?a=1&amp;b=%222%22',
      'https://pay.example.com/x?a=1&amp;b=%222%22',
    ]);
    expect(html).toContain('>Pay now</a>');
  });

  it('never produces an href that is not http(s), for any payment (own or listed) or unsubscribe URL (property)', () => {
    const anyUrl = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        'javascript:alert(1)',
        ' JaVaScRiPt:alert(1)',
        'java\nscript:alert(1)',
        '\tjavascript:alert(1)',
        'data:text/html,<script>alert(1)</script>',
        'vbscript:msgbox(1)',
        '//evil.example.com/x',
        'https://ok.example.com/"><script>alert(1)</script>',
      ),
    );
    fc.assert(
      fc.property(anyUrl, anyUrl, anyUrl, (paymentUrl, unsubscribeUrl, otherPaymentUrl) => {
        // Act
        const { html } = renderEmail('final-notice', 'en', {
          ...ctx,
          invoice: { ...ctx.invoice, paymentUrl },
          optOut: { unsubscribeUrl },
          others: [other('INV-2026-0043', otherPaymentUrl)],
        });

        // Assess
        for (const href of hrefs(html)) expect(href).toMatch(/^https?:\/\/[^\s<>"]+$/);
        expect(html).not.toMatch(/<script/i);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('supplied values cannot add lines to the text body, the subject or the SMS', () => {
  it('collapses a newline in a name to a space', () => {
    const multi = { ...ctx, customer: { name: 'Maria\r\nBcc: evil@example.com' } };
    expect(renderEmail('reminder', 'en', multi).text).toContain('Hello Maria Bcc: evil@example.com,\n');
  });

  it('keeps the text body line count and the subject and SMS on one line, for any values (property)', () => {
    const lineCount = (charged: boolean, others: number) =>
      renderEmail('overdue', 'es', {
        ...ctx,
        ...(charged ? { lateFees } : {}),
        invoice: { ...ctx.invoice, description: 'x' },
        ...(others > 0 ? { others: Array.from({ length: others }, (_, i) => other(`O-${i}`, 'x')) } : {}),
      }).text.split('\n').length;
    const value = unmarked(fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(
        fc.record({ name: value, description: value, invoiceId: value, company: value }),
        fc.boolean(),
        fc.array(fc.record({ invoiceId: value, paymentUrl: value }), { maxLength: 3 }),
        (v, charged, others) => {
          // Prepare: up to three other invoices listed (a consolidated message), their ids (kept distinct by the
          // `#i` after the value) and links supplied too
          const context: MessageContext = {
            ...ctx,
            ...(charged ? { lateFees } : {}),
            company: { ...ctx.company, legalName: `⟦${v.company}⟧` },
            customer: { name: `⟦${v.name}⟧` },
            invoice: { ...ctx.invoice, invoiceId: `⟦${v.invoiceId}⟧`, description: `⟦${v.description}⟧` },
            ...(others.length > 0
              ? { others: others.map((o, i) => other(`⟦${o.invoiceId}⟧#${i}`, `⟦${o.paymentUrl}⟧`)) }
              : {}),
          };

          // Act
          const email = renderEmail('overdue', 'es', context);
          const sms = renderSms('overdue', 'es', context);

          // Assess
          expect(email.text.split('\n').length).toBe(lineCount(charged, others.length));
          expect(email.subject).not.toMatch(CONTROL);
          expect(sms.text).not.toMatch(CONTROL);
          for (const span of [...between(email.text), ...between(sms.text)]) expect(span).not.toMatch(CONTROL);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('does not expand placeholder-like text in supplied values', () => {
    const sneaky = { ...ctx, customer: { name: '{amount} {{name}} $& $1' } };
    expect(renderEmail('reminder', 'en', sneaky).text).toContain('Hello {amount} {{name}} $& $1,');
  });
});
