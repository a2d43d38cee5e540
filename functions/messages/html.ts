/** Escapes text for HTML element content and for quoted attribute values (`&`, `<`, `>`, `"`, `'`). */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The URL, normalised, when it is an absolute `http:` or `https:` URL — the only kind that may become a link.
 * `undefined` for anything else (`javascript:`, `data:`, relative paths, free text such as a boleto line).
 */
export function linkableUrl(text: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return undefined;
  }
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
}

/** `<a href>` for a URL already checked by {@link linkableUrl}; label and URL are escaped here. */
export function htmlLink(url: string, label: string, style = ''): string {
  const styleAttribute = style === '' ? '' : ` style="${escapeHtml(style)}"`;
  return `<a href="${escapeHtml(url)}"${styleAttribute}>${escapeHtml(label)}</a>`;
}
