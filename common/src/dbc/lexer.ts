/**
 * Tokenizer for DBC text. A DBC file is a sequence of keyword statements; most end with `;`, but
 * BO_, SG_, BU_, BS_ and NS_ are line-oriented, so every token records its line and whether it
 * starts its line at column 0 (indented lines continue the BU_ and NS_ lists).
 */

export type TokenKind = 'word' | 'string' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** For strings: the unescaped content; otherwise the text as written. */
  text: string;
  /** Offsets into the source: [start, end). */
  start: number;
  end: number;
  /** 1-based line of the token's first character. */
  line: number;
  /** 1-based line of its last character (differs from `line` for multi-line strings). */
  endLine: number;
  /** The token is the first on its line and starts at column 0. */
  atColumn0: boolean;
}

/** Single-character punctuation of the DBC grammar; everything else that is not space or `"` forms words. */
const PUNCT = new Set([':', ';', ',', '|', '@', '(', ')', '[', ']']);

export class UnterminatedStringError extends Error {
  constructor(readonly line: number) {
    super('string is not closed: missing "');
  }
}

export class DbcLexer {
  private pos = 0;
  private line = 1;
  /** Offset of the first character of the current line. */
  private lineStart = 0;
  private readonly ahead: Token[] = [];
  /** endLine of the last token next() returned. */
  lastLine = 1;

  constructor(readonly source: string) {
    // A UTF-8 byte order mark is not part of the first keyword.
    if (source.charCodeAt(0) === 0xfeff) this.pos = this.lineStart = 1;
  }

  next(): Token {
    const t = this.ahead.length > 0 ? this.ahead.shift()! : this.scan();
    this.lastLine = t.endLine;
    return t;
  }

  /** Looks `n` tokens ahead without consuming (0 = the next token). */
  peek(n = 0): Token {
    while (this.ahead.length <= n) this.ahead.push(this.scan());
    return this.ahead[n]!;
  }

  /** The source text of the rest of the line from `offset` (without the line break). */
  restOfLine(offset: number): string {
    let end = offset;
    const s = this.source;
    while (end < s.length && s.charCodeAt(end) !== 10 && s.charCodeAt(end) !== 13) end++;
    return s.slice(offset, end);
  }

  private scan(): Token {
    const s = this.source;
    const n = s.length;
    let sawNewline = this.pos === this.lineStart;
    // Skip whitespace and `//` comments, tracking lines.
    for (;;) {
      if (this.pos >= n) break;
      const c = s.charCodeAt(this.pos);
      if (c === 10) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
        sawNewline = true;
      } else if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
        this.pos++;
      } else if (c === 47 && s.charCodeAt(this.pos + 1) === 47) {
        while (this.pos < n && s.charCodeAt(this.pos) !== 10) this.pos++;
      } else {
        break;
      }
    }
    const start = this.pos;
    const line = this.line;
    const atColumn0 = sawNewline && start === this.lineStart;
    if (start >= n) return { kind: 'eof', text: '', start, end: start, line, endLine: line, atColumn0: false };

    const ch = s[start]!;
    if (ch === '"') {
      let text = '';
      let i = start + 1;
      let chunk = i;
      for (;;) {
        if (i >= n) throw new UnterminatedStringError(line);
        const c = s.charCodeAt(i);
        if (c === 34) break;
        if (c === 92 && i + 1 < n) {
          // Backslash escapes: \" and \\ ; any other escaped character stands for itself.
          text += s.slice(chunk, i);
          i++;
          if (s.charCodeAt(i) === 10) {
            this.line++;
            this.lineStart = i + 1;
          }
          text += s[i];
          i++;
          chunk = i;
          continue;
        }
        if (c === 10) {
          this.line++;
          this.lineStart = i + 1;
        }
        i++;
      }
      text += s.slice(chunk, i);
      this.pos = i + 1;
      return { kind: 'string', text: text.replace(/\r\n/g, '\n'), start, end: this.pos, line, endLine: this.line, atColumn0 };
    }
    if (PUNCT.has(ch)) {
      this.pos++;
      return { kind: 'punct', text: ch, start, end: this.pos, line, endLine: line, atColumn0 };
    }
    let i = start;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c <= 32 || c === 34 || PUNCT.has(s[i]!)) break;
      if (c === 47 && s.charCodeAt(i + 1) === 47) break;
      i++;
    }
    this.pos = i;
    return { kind: 'word', text: s.slice(start, i), start, end: i, line, endLine: line, atColumn0 };
  }
}

/** How a token reads in an error message. */
export function describeToken(t: Token): string {
  if (t.kind === 'eof') return 'the end of the file';
  if (t.kind === 'string') return JSON.stringify(t.text.length > 40 ? `${t.text.slice(0, 40)}...` : t.text);
  return `"${t.text}"`;
}
