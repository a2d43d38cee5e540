/** Limits of the fields of an invoice, customer or payment record (docs/formats.md). */

/** Longest accepted text for names, e-mails and other free fields. */
export const MAX_FIELD_LENGTH = 256;
/** Longest accepted invoice / customer id. */
export const MAX_ID_LENGTH = 128;
/** Longest accepted description. */
export const MAX_DESCRIPTION_LENGTH = 500;
/** Longest accepted payment URL. */
export const MAX_URL_LENGTH = 2048;
/** Longest accepted amount text: far more digits than Number.MAX_SAFE_INTEGER minor units ever need. */
export const MAX_AMOUNT_LENGTH = 40;
/** Dates and instants must fall in these years (Date.UTC reads years 0-99 as 1900-1999). */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;
