import { jsonErrorMessage, objectRecord, type ParsedRecord, RecordText, recordTooLargeMessage } from './parsed-record';

type State = 'start' | 'valueOrEnd' | 'value' | 'commaOrEnd' | 'element' | 'after' | 'stopped';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function isWhitespace(c: number): boolean {
  return c === SPACE || c === NEWLINE || c === CARRIAGE_RETURN || c === TAB;
}

/**
 * Splits a top-level JSON array, fed as text chunks cut anywhere, into its elements without holding the whole
 * document: it tracks nesting depth, strings and escapes, and line numbers, and parses each complete element with
 * JSON.parse. Elements that are not objects, or are larger than `maxRecordBytes` (skipped without being buffered),
 * become error entries and splitting goes on. A syntax error becomes one error entry and ends the splitting
 * (`stopped`), since there is no reliable place to resume; everything before it was already returned.
 */
export class JsonArraySplitter {
  private state: State = 'start';
  private line = 1;
  // The element being read.
  private elementLine = 0;
  private scalar = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private readonly elementText: RecordText;

  constructor(private readonly maxRecordBytes: number) {
    this.elementText = new RecordText(maxRecordBytes);
  }

  /** True once a syntax error ended the splitting; later input is ignored. */
  get stopped(): boolean {
    return this.state === 'stopped';
  }

  /** Feeds the next text chunk; returns the records (and errors) completed by it, in order. */
  push(text: string): ParsedRecord[] {
    const out: ParsedRecord[] = [];
    let segmentStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.state === 'element') {
        if (this.scalar) {
          if (isWhitespace(c) || c === COMMA || c === CLOSE_BRACKET) {
            this.elementText.append(text.slice(segmentStart, i));
            this.finishElement(out);
            i--; // the terminator is read again, outside the element
          }
          continue;
        }
        if (c === NEWLINE) this.line++;
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === BACKSLASH) this.escaped = true;
          else if (c === QUOTE) this.inString = false;
        } else if (c === QUOTE) this.inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) this.depth--;
        if (this.depth === 0 && !this.inString) {
          this.elementText.append(text.slice(segmentStart, i + 1));
          this.finishElement(out);
        }
        continue;
      }
      if (this.state === 'stopped') return out;
      if (isWhitespace(c)) {
        if (c === NEWLINE) this.line++;
        continue;
      }
      switch (this.state) {
        case 'start':
          if (c === OPEN_BRACKET) this.state = 'valueOrEnd';
          else this.fail(out, this.line, `the file must hold a JSON array of invoice objects, found ${found(c)}`);
          break;
        case 'valueOrEnd':
        case 'value':
          if (c === CLOSE_BRACKET && this.state === 'valueOrEnd') this.state = 'after';
          else if (c === CLOSE_BRACKET || c === COMMA) {
            this.fail(out, this.line, `not valid JSON: expected an element, found ${found(c)}`);
          } else {
            this.startElement(c);
            segmentStart = i;
          }
          break;
        case 'commaOrEnd':
          if (c === COMMA) this.state = 'value';
          else if (c === CLOSE_BRACKET) this.state = 'after';
          else {
            this.fail(
              out,
              this.line,
              `not valid JSON: expected "," or "]" after the element of line ${this.elementLine}, found ${found(c)}`,
            );
          }
          break;
        case 'after':
          this.fail(out, this.line, `not valid JSON: unexpected ${found(c)} after the closing "]"`);
          break;
      }
    }
    if (this.state === 'element') this.elementText.append(text.slice(segmentStart));
    return out;
  }

  /** Signals the end of the input; returns the error for an unfinished document, if any. */
  end(): ParsedRecord[] {
    const out: ParsedRecord[] = [];
    switch (this.state) {
      case 'start':
        this.fail(out, this.line, 'the file is empty: expected a JSON array of invoice objects');
        break;
      case 'element':
        if (this.scalar) {
          this.finishElement(out);
          if (!this.stopped) this.fail(out, this.line, 'not valid JSON: the array is not closed with "]"');
        } else {
          this.fail(out, this.elementLine, 'not valid JSON: the file ends inside this element');
        }
        break;
      case 'valueOrEnd':
      case 'value':
      case 'commaOrEnd':
        this.fail(out, this.line, 'not valid JSON: the array is not closed with "]"');
        break;
    }
    return out;
  }

  private startElement(c: number): void {
    this.state = 'element';
    this.elementLine = this.line;
    this.escaped = false;
    this.scalar = false;
    this.depth = 0;
    this.inString = false;
    if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth = 1;
    else if (c === QUOTE) this.inString = true;
    else this.scalar = true;
    // The scan goes on after this opening character, which is the first of the element's text.
  }

  private finishElement(out: ParsedRecord[]): void {
    this.state = 'commaOrEnd';
    const line = this.elementLine;
    const text = this.elementText.take();
    if (text === undefined) {
      out.push({ line, error: recordTooLargeMessage(this.maxRecordBytes) });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.fail(out, line, `not valid JSON: ${jsonErrorMessage(error)}`);
      return;
    }
    out.push(objectRecord(line, value));
  }

  private fail(out: ParsedRecord[], line: number, error: string): void {
    out.push({ line, error });
    this.state = 'stopped';
    this.elementText.take(); // what was kept of the element is not needed any more
  }
}

function found(c: number): string {
  return JSON.stringify(String.fromCharCode(c));
}
