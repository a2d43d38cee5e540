import type { UrlValue } from './facts';
import { escapeHtml, htmlLink } from './html';

/**
 * The content of an email, once, so that the HTML body and its plain-text alternative say the same things.
 * All strings are plain text: the HTML writer escapes every one of them.
 */
export type EmailBlock =
  /** A paragraph, optionally ending with a URL (a link when it is http(s), else text). */
  | { readonly kind: 'paragraph'; readonly text: string; readonly url?: UrlValue; readonly tone?: 'muted' | 'small' }
  /** A bulleted list, each item optionally ending with a URL (other invoices of a consolidated message). */
  | { readonly kind: 'list'; readonly items: readonly { readonly text: string; readonly url?: UrlValue }[] }
  /** Label/value rows (invoice, balance, due date…). */
  | { readonly kind: 'details'; readonly rows: readonly (readonly [label: string, value: string])[] }
  /** A call-to-action button (HTML only: the text body carries the same URL in a paragraph). */
  | { readonly kind: 'button'; readonly label: string; readonly url: string }
  /** Lines kept together (sign-off and sender). */
  | { readonly kind: 'lines'; readonly lines: readonly string[] }
  /** A separator before the footer. */
  | { readonly kind: 'rule' };

const PARAGRAPH_STYLE = 'margin:0 0 16px 0;';
const TONE_STYLE = { muted: 'color:#52606d;', small: 'font-size:12px;color:#7b8794;' } as const;
const LIST_STYLE = 'margin:0 0 16px 0;padding-left:20px;';
const ITEM_STYLE = 'margin:0 0 8px 0;';
const DETAILS_STYLE = 'margin:0 0 16px 0;padding:12px 16px;background-color:#f4f5f7;border-radius:6px;';
const BUTTON_STYLE =
  'display:inline-block;background-color:#0b6bcb;color:#ffffff;padding:10px 20px;border-radius:6px;text-decoration:none;font-weight:bold;';

/** The HTML document: a small, inline-styled page (no tables, no external resources). */
export function emailHtml(blocks: readonly EmailBlock[], meta: { lang: string; title: string }): string {
  return [
    '<!doctype html>',
    `<html lang="${escapeHtml(meta.lang)}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(meta.title)}</title></head>`,
    '<body style="margin:0;padding:24px;background-color:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2933;">',
    '<div style="max-width:560px;margin:0 auto;padding:24px;background-color:#ffffff;border-radius:8px;font-size:15px;line-height:1.5;">',
    ...blocks.map(blockHtml),
    '</div>',
    '</body>',
    '</html>',
  ].join('\n');
}

function blockHtml(block: EmailBlock): string {
  switch (block.kind) {
    case 'paragraph': {
      const style = PARAGRAPH_STYLE + (block.tone ? TONE_STYLE[block.tone] : '');
      const url = block.url ? ` ${urlHtml(block.url)}` : '';
      return `<p style="${style}">${escapeHtml(block.text)}${url}</p>`;
    }
    case 'list': {
      const items = block.items.map(
        (item) => `<li style="${ITEM_STYLE}">${escapeHtml(item.text)}${item.url ? ` ${urlHtml(item.url)}` : ''}</li>`,
      );
      return `<ul style="${LIST_STYLE}">${items.join('')}</ul>`;
    }
    case 'details': {
      const rows = block.rows.map(([label, value]) => `<strong>${escapeHtml(label)}:</strong> ${escapeHtml(value)}`);
      return `<p style="${DETAILS_STYLE}">${rows.join('<br>')}</p>`;
    }
    case 'button':
      return `<p style="${PARAGRAPH_STYLE}">${htmlLink(block.url, block.label, BUTTON_STYLE)}</p>`;
    case 'lines':
      return `<p style="${PARAGRAPH_STYLE}">${block.lines.map(escapeHtml).join('<br>')}</p>`;
    case 'rule':
      return '<hr style="border:none;border-top:1px solid #e4e7eb;margin:16px 0;">';
  }
}

function urlHtml(value: UrlValue): string {
  return value.kind === 'link' ? htmlLink(value.url, value.url) : escapeHtml(value.text);
}

/** The plain-text alternative: blocks separated by blank lines. */
export function emailText(blocks: readonly EmailBlock[]): string {
  return blocks
    .map(blockText)
    .filter((text) => text !== '')
    .join('\n\n');
}

function blockText(block: EmailBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return block.url ? `${block.text} ${urlText(block.url)}` : block.text;
    case 'list':
      return block.items.map((item) => `- ${item.url ? `${item.text} ${urlText(item.url)}` : item.text}`).join('\n');
    case 'details':
      return block.rows.map(([label, value]) => `${label}: ${value}`).join('\n');
    case 'button':
    case 'rule':
      return '';
    case 'lines':
      return block.lines.join('\n');
  }
}

function urlText(value: UrlValue): string {
  return value.kind === 'link' ? value.url : value.text;
}
