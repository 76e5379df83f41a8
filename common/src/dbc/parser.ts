/**
 * DBC (Vector CANdb++) parser.
 *
 * Reads: VERSION, NS_ (skipped), BS_, BU_, BO_ (ids with bit 31 = 29-bit extended, lengths up to 64
 * bytes for CAN FD), SG_ (both byte orders, signed, factor/offset, min/max, unit, receivers, simple
 * `M`/`mN` and extended `mNM` multiplexing), CM_ (multi-line strings), BA_DEF_, BA_DEF_DEF_, BA_
 * (GenMsgCycleTime -> cycleTimeMs, GenSigStartValue -> startValue, VFrameFormat -> fd; other
 * attributes are read and ignored), VAL_, VAL_TABLE_, SIG_VALTYPE_ (float32/float64), SG_MUL_VAL_.
 * Every other section (EV_, BO_TX_BU_, SIG_GROUP_, CAT_, FILTER, SGTYPE_, *_REL_, ...) is skipped, as are
 * `//` line comments outside strings.
 *
 * Text that does not follow the grammar throws AURIGA_ERR_DBC_SYNTAX ("file:line: what is wrong").
 * Things that parse but cannot work (a signal outside its payload, a reference to a message that does
 * not exist, ...) are kept as warnings in `dbc.warnings`; such signals get `unusable` and the codec
 * never decodes or encodes them.
 */
import { DbcErrors, type AurigaError } from '../errors.js';
import { DbcLexer, describeToken, UnterminatedStringError, type Token } from './lexer.js';
import { rawRange, signalLayout } from './layout.js';
import type { Dbc, DbcMessage, DbcSignal, DbcWarning } from './types.js';

export interface ParseDbcOptions {
  /** Used in error messages; defaults to "<dbc>". */
  fileName?: string;
}

/** The error parseDbc throws: code AURIGA_ERR_DBC_SYNTAX, with the 1-based line and the file name. */
export type DbcSyntaxError = AurigaError & { readonly line: number; readonly fileName: string };

/** Sections that are valid DBC but carry nothing the codec needs: skipped up to their `;`. */
const SKIPPED_SECTIONS = new Set([
  'EV_', 'ENVVAR_DATA_', 'EV_DATA_', 'SGTYPE_', 'SGTYPE_VAL_', 'SIG_TYPE_REF_', 'SIG_GROUP_', 'SIGTYPE_VALTYPE_',
  'BO_TX_BU_', 'CAT_DEF_', 'CAT_', 'FILTER', 'NS_DESC_', 'BA_DEF_SGTYPE_', 'BA_SGTYPE_', 'BA_DEF_REL_', 'BA_REL_',
  'BA_DEF_DEF_REL_', 'BU_SG_REL_', 'BU_EV_REL_', 'BU_BO_REL_', 'SG_MUL_VAL_',
]);
const PARSED_SECTIONS = [
  'VERSION', 'NS_', 'BS_', 'BU_', 'BO_', 'SG_', 'CM_', 'BA_DEF_', 'BA_DEF_DEF_', 'BA_', 'VAL_', 'VAL_TABLE_',
  'SIG_VALTYPE_', 'SG_MUL_VAL_',
];
/** Words that start a statement; a skipped statement never runs past one of these at column 0. */
const KEYWORDS = new Set([...SKIPPED_SECTIONS, ...PARSED_SECTIONS]);

const EXTENDED_FLAG = 0x80000000;
const INDEPENDENT_SIGNALS_MESSAGE = 'VECTOR__INDEPENDENT_SIG_MSG';

export function parseDbc(text: string, options: ParseDbcOptions = {}): Dbc {
  return new DbcParser(text, options.fileName ?? '<dbc>').parse();
}

interface AttributeValue {
  value: number | string;
  line: number;
}

class DbcParser {
  private readonly lex: DbcLexer;
  private readonly dbc: Dbc = { version: '', nodes: [], messages: [], warnings: [] };
  /** Messages by the id exactly as the DBC writes it (bit 31 included), which is how CM_/BA_/VAL_ refer to them. */
  private readonly byRawId = new Map<number, DbcMessage>();
  private readonly messageNames = new Set<string>();
  private readonly signalLines = new Map<DbcSignal, number>();
  private current: DbcMessage | undefined;
  /** References to messages/signals, resolved once the whole file is read (order in the file does not matter). */
  private readonly pending: Array<() => void> = [];
  private readonly attributeEnums = new Map<string, string[]>();
  private readonly attributeDefaults = new Map<string, number | string>();
  private readonly messageAttributes = new Map<DbcMessage, Map<string, AttributeValue>>();
  private readonly signalStartValues = new Map<DbcSignal, AttributeValue>();

  constructor(
    text: string,
    private readonly fileName: string,
  ) {
    this.lex = new DbcLexer(text);
  }

  parse(): Dbc {
    try {
      this.statements();
    } catch (err) {
      if (err instanceof UnterminatedStringError) this.fail(err.line, 'a quoted string is never closed (missing ")');
      throw err;
    }
    for (const resolve of this.pending) resolve();
    this.applyAttributes();
    for (const message of this.dbc.messages) this.checkMessage(message);
    this.dbc.warnings.sort((a, b) => a.line - b.line);
    return this.dbc;
  }

  // ---------------------------------------------------------------- statements

  private statements(): void {
    for (;;) {
      const t = this.lex.next();
      if (t.kind === 'eof') return;
      if (t.kind !== 'word') {
        this.fail(t.line, `expected a keyword (BO_, SG_, CM_, ...) at the start of a statement but found ${describeToken(t)}`);
      }
      if (t.text !== 'SG_') this.current = undefined;
      switch (t.text) {
        case 'VERSION': this.version(); break;
        case 'NS_': this.newSymbols(); break;
        case 'BS_': this.bitTiming(t); break;
        case 'BU_': this.nodes(t); break;
        case 'BO_': this.message(t); break;
        case 'SG_': this.signal(t); break;
        case 'CM_': this.comment(t); break;
        case 'BA_DEF_': this.attributeDefinition(t); break;
        case 'BA_DEF_DEF_': this.attributeDefault(t); break;
        case 'BA_': this.attribute(t); break;
        case 'VAL_': this.valueDescriptions(t); break;
        case 'VAL_TABLE_': this.valueTable(t); break;
        case 'SIG_VALTYPE_': this.signalValueType(t); break;
        case 'SG_MUL_VAL_': this.extendedMultiplexing(t); break;
        default:
          if (SKIPPED_SECTIONS.has(t.text)) {
            this.skipStatement();
          } else if (/^[A-Z][A-Z0-9_]*$/.test(t.text)) {
            this.warn(t.line, `skipped unknown section ${t.text}`);
            this.skipStatement();
          } else {
            this.fail(t.line, `expected a keyword (BO_, SG_, CM_, ...) at the start of a statement but found ${describeToken(t)}`);
          }
      }
    }
  }

  private version(): void {
    const t = this.lex.next();
    if (t.kind !== 'string') this.fail(t.line, `VERSION expects a quoted string but found ${describeToken(t)}`);
    this.dbc.version = t.text;
  }

  /** NS_ lists the optional keywords the file may use, one per indented line; nothing to keep. */
  private newSymbols(): void {
    if (this.isPunct(this.lex.peek(), ':')) this.lex.next();
    for (;;) {
      const p = this.lex.peek();
      if (p.kind === 'eof') return;
      // Indented lines belong to the list; a lone keyword at column 0 too (some writers do not indent).
      const loneWord = p.kind === 'word' && this.lex.peek(1).line !== p.line && !['BS_', 'BU_', 'BO_', 'VERSION'].includes(p.text);
      if (p.atColumn0 && !loneWord) return;
      this.lex.next();
    }
  }

  /** BS_: [baudrate : BTR1 , BTR2] - obsolete bit timing, skipped to the end of the line. */
  private bitTiming(keyword: Token): void {
    while (this.lex.peek().kind !== 'eof' && this.lex.peek().line === keyword.line) this.lex.next();
  }

  /** BU_: node names, on the same line or on the following indented lines. */
  private nodes(keyword: Token): void {
    if (this.isPunct(this.lex.peek(), ':')) this.lex.next();
    for (;;) {
      const p = this.lex.peek();
      if (p.kind === 'eof' || (p.line !== keyword.line && p.atColumn0) || (p.kind === 'word' && KEYWORDS.has(p.text))) return;
      this.lex.next();
      if (this.isPunct(p, ',')) continue;
      if (p.kind !== 'word') this.fail(p.line, `BU_ expects node names but found ${describeToken(p)}`);
      if (!this.dbc.nodes.includes(p.text)) this.dbc.nodes.push(p.text);
    }
  }

  /** BO_ <id> <name>: <length> <sender> */
  private message(keyword: Token): void {
    const line = keyword.line;
    const idToken = this.lex.next();
    const rawId = this.integerOf(idToken, 'BO_', 'a numeric message id');
    if (rawId < 0 || rawId > 0xffffffff) this.fail(line, `BO_ message id ${idToken.text} is outside 0..4294967295`);
    const nameToken = this.lex.next();
    if (nameToken.kind !== 'word' || nameToken.line !== line) {
      this.fail(line, `BO_ expects a message name after the id but found ${describeToken(nameToken)}`);
    }
    this.expectPunct(':', `BO_ ${nameToken.text}`, line);
    const lengthToken = this.lex.next();
    const length = this.integerOf(lengthToken, `BO_ ${nameToken.text}`, 'the payload length in bytes');
    if (length < 0 || length > 64) {
      this.fail(line, `BO_ ${nameToken.text} has length ${length}; a CAN (FD) payload is 0..64 bytes`);
    }
    let sender = '';
    const senderToken = this.lex.peek();
    if (senderToken.kind === 'word' && senderToken.line === line) sender = this.lex.next().text;
    this.expectEndOfLine(line, `BO_ ${nameToken.text}`);

    const extended = rawId >= EXTENDED_FLAG;
    const id = extended ? rawId - EXTENDED_FLAG : rawId;
    const message: DbcMessage = { id, extended, name: nameToken.text, length, sender, signals: [] };
    if (length > 8) message.fd = true;
    if (nameToken.text !== INDEPENDENT_SIGNALS_MESSAGE && id > (extended ? 0x1fffffff : 0x7ff)) {
      this.warn(line, `message ${message.name} has id 0x${id.toString(16).toUpperCase()}, which does not fit ${
        extended ? 29 : 11} bits; no frame on a bus can carry it`);
    }
    if (this.byRawId.has(rawId)) {
      this.warn(line, `message ${message.name} repeats the id ${rawId} of ${this.byRawId.get(rawId)!.name}; lookups by id find the first`);
    } else {
      this.byRawId.set(rawId, message);
    }
    if (this.messageNames.has(message.name)) {
      this.warn(line, `message name ${message.name} is used twice; lookups by name find the first`);
    }
    this.messageNames.add(message.name);
    this.dbc.messages.push(message);
    this.current = message;
  }

  /** SG_ <name> [M|mN|mNM] : <start>|<length>@<order><sign> (<factor>,<offset>) [<min>|<max>] "<unit>" <receivers> */
  private signal(keyword: Token): void {
    const line = keyword.line;
    const nameToken = this.lex.next();
    if (nameToken.kind !== 'word' || nameToken.line !== line) {
      this.fail(line, `SG_ expects a signal name but found ${describeToken(nameToken)}`);
    }
    const name = nameToken.text;
    const message = this.current;
    if (!message) this.fail(line, `SG_ ${name} is not inside a message: an SG_ line must follow its BO_ line`);

    let isMultiplexer = false;
    let multiplexValue: number | undefined;
    let t = this.lex.next();
    if (t.kind === 'word' && t.line === line) {
      const m = /^(?:(M)|m(\d+)(M)?)$/.exec(t.text);
      if (!m) this.fail(line, `SG_ ${name}: bad multiplexer indicator "${t.text}" (expected M, m<value> or m<value>M)`);
      isMultiplexer = m[1] !== undefined || m[3] !== undefined;
      if (m[2] !== undefined) multiplexValue = Number(m[2]);
      t = this.lex.next();
    }
    if (!this.isPunct(t, ':') || t.line !== line) this.fail(line, `SG_ ${name} expects ":" but found ${describeToken(t)}`);

    // start|length@order sign
    const layoutText = this.lex.restOfLine(t.end).split('(')[0]!.trim();
    const badLayout = (): never =>
      this.fail(line, `SG_ expects "start|length@order" but found "${layoutText}" in signal ${name}`);
    const startToken = this.lex.next();
    const bar = this.lex.next();
    const lengthToken = this.lex.next();
    const at = this.lex.next();
    let orderToken = this.lex.next();
    if (startToken.kind !== 'word' || !this.isPunct(bar, '|') || lengthToken.kind !== 'word' || !this.isPunct(at, '@')) badLayout();
    if (orderToken.kind !== 'word' || orderToken.line !== line) badLayout();
    let orderSign = orderToken.text;
    if ((orderSign === '0' || orderSign === '1') && this.lex.peek().kind === 'word' && this.lex.peek().line === line) {
      orderToken = this.lex.next(); // tolerate "1 +"
      orderSign += orderToken.text;
    }
    if (!/^\d+$/.test(startToken.text) || !/^\d+$/.test(lengthToken.text) || !/^[01][+-]$/.test(orderSign)) badLayout();
    const startBit = Number(startToken.text);
    const length = Number(lengthToken.text);

    // (factor,offset)
    const scaleText = (from: Token) => this.lex.restOfLine(from.start).split(')')[0]!.trim() + ')';
    const open = this.lex.next();
    if (!this.isPunct(open, '(')) this.fail(line, `SG_ expects "(factor,offset)" but found ${describeToken(open)} in signal ${name}`);
    const factorToken = this.lex.next();
    const comma = this.lex.next();
    const offsetToken = this.lex.next();
    const close = this.lex.next();
    const factor = Number(factorToken.text);
    const offset = Number(offsetToken.text);
    if (factorToken.kind !== 'word' || !this.isPunct(comma, ',') || offsetToken.kind !== 'word' || !this.isPunct(close, ')') ||
      !Number.isFinite(factor) || !Number.isFinite(offset)) {
      this.fail(line, `SG_ expects "(factor,offset)" but found "${scaleText(open)}" in signal ${name}`);
    }

    // [min|max]
    const rangeOpen = this.lex.next();
    const minToken = this.lex.next();
    const rangeBar = this.lex.next();
    const maxToken = this.lex.next();
    const rangeClose = this.lex.next();
    const minimum = Number(minToken.text);
    const maximum = Number(maxToken.text);
    if (!this.isPunct(rangeOpen, '[') || minToken.kind !== 'word' || !this.isPunct(rangeBar, '|') || maxToken.kind !== 'word' ||
      !this.isPunct(rangeClose, ']') || !Number.isFinite(minimum) || !Number.isFinite(maximum)) {
      const text = this.lex.restOfLine(rangeOpen.start).split(']')[0]!.trim();
      this.fail(line, `SG_ expects "[minimum|maximum]" but found "${text}${text.includes(']') ? '' : ']'}" in signal ${name}`);
    }

    const unitToken = this.lex.next();
    if (unitToken.kind !== 'string') this.fail(line, `SG_ expects a quoted unit (may be "") but found ${describeToken(unitToken)} in signal ${name}`);

    const receivers: string[] = [];
    while (this.lex.peek().line === line && this.lex.peek().kind !== 'eof') {
      const r = this.lex.next();
      if (this.isPunct(r, ',')) continue;
      if (r.kind !== 'word') this.fail(line, `SG_ expects receiver node names but found ${describeToken(r)} in signal ${name}`);
      receivers.push(r.text);
    }

    const signal: DbcSignal = {
      name,
      startBit,
      length,
      byteOrder: orderSign[0] === '0' ? 'big_endian' : 'little_endian',
      signed: orderSign[1] === '-',
      valueType: 'integer',
      factor,
      offset,
      minimum,
      maximum,
      unit: unitToken.text,
      receivers,
      isMultiplexer,
    };
    if (multiplexValue !== undefined) signal.multiplexValue = multiplexValue;
    if (message.signals.some((s) => s.name === name)) {
      signal.unusable = `message ${message.name} already has a signal named ${name}`;
      this.warn(line, `signal ${message.name}.${name} is unusable: ${signal.unusable}`);
    }
    message.signals.push(signal);
    this.signalLines.set(signal, line);
    this.current = message;
  }

  /** CM_ ["text" | BU_ node "text" | BO_ id "text" | SG_ id signal "text" | EV_ name "text"] ; */
  private comment(keyword: Token): void {
    const t = this.lex.next();
    if (t.kind === 'string') {
      this.endStatement('CM_'); // network comment: not kept
      return;
    }
    if (t.kind !== 'word' || !['BU_', 'BO_', 'SG_', 'EV_'].includes(t.text)) {
      this.fail(t.line, `CM_ expects a quoted comment or BU_, BO_, SG_, EV_ but found ${describeToken(t)}`);
    }
    let rawId: number | undefined;
    let signalName: string | undefined;
    if (t.text === 'BO_' || t.text === 'SG_') rawId = this.integerOf(this.lex.next(), `CM_ ${t.text}`, 'a numeric message id');
    if (t.text === 'SG_' || t.text === 'BU_' || t.text === 'EV_') {
      const n = this.lex.next();
      if (n.kind !== 'word') this.fail(n.line, `CM_ ${t.text} expects a name but found ${describeToken(n)}`);
      signalName = n.text;
    }
    const text = this.lex.next();
    if (text.kind !== 'string') this.fail(text.line, `CM_ expects a quoted comment but found ${describeToken(text)}`);
    this.endStatement('CM_');
    if (rawId === undefined) return; // node and environment variable comments are not kept
    const line = keyword.line;
    const kind = t.text;
    this.pending.push(() => {
      const message = this.messageFor(rawId, line, 'CM_');
      if (!message) return;
      if (kind === 'BO_') {
        message.comment = text.text;
      } else {
        const signal = this.signalFor(message, signalName!, line, 'CM_');
        if (signal) signal.comment = text.text;
      }
    });
  }

  /** BA_DEF_ [BU_|BO_|SG_|EV_] "name" type ... ; - only ENUM value lists are kept (to read VFrameFormat). */
  private attributeDefinition(keyword: Token): void {
    let t = this.lex.next();
    if (t.kind === 'word' && ['BU_', 'BO_', 'SG_', 'EV_'].includes(t.text)) t = this.lex.next();
    if (t.kind !== 'string') this.fail(keyword.line, `BA_DEF_ expects a quoted attribute name but found ${describeToken(t)}`);
    const name = t.text;
    const type = this.lex.next();
    if (type.kind !== 'word') this.fail(keyword.line, `BA_DEF_ "${name}" expects a type (INT, HEX, FLOAT, STRING, ENUM) but found ${describeToken(type)}`);
    const values: string[] = [];
    for (;;) {
      const p = this.lex.peek();
      if (p.kind === 'eof' || (p.atColumn0 && p.kind === 'word' && KEYWORDS.has(p.text))) break;
      this.lex.next();
      if (this.isPunct(p, ';')) break;
      if (p.kind === 'string') values.push(p.text);
    }
    if (type.text === 'ENUM') this.attributeEnums.set(name, values);
  }

  /** BA_DEF_DEF_ "name" value ; */
  private attributeDefault(keyword: Token): void {
    const name = this.lex.next();
    if (name.kind !== 'string') this.fail(keyword.line, `BA_DEF_DEF_ expects a quoted attribute name but found ${describeToken(name)}`);
    const value = this.attributeValue('BA_DEF_DEF_', name.text);
    this.endStatement('BA_DEF_DEF_');
    this.attributeDefaults.set(name.text, value);
  }

  /** BA_ "name" [BU_ node | BO_ id | SG_ id signal | EV_ name] value ; */
  private attribute(keyword: Token): void {
    const line = keyword.line;
    const name = this.lex.next();
    if (name.kind !== 'string') this.fail(line, `BA_ expects a quoted attribute name but found ${describeToken(name)}`);
    let kind = '';
    let rawId: number | undefined;
    let signalName: string | undefined;
    const p = this.lex.peek();
    if (p.kind === 'word' && ['BU_', 'BO_', 'SG_', 'EV_'].includes(p.text)) {
      kind = this.lex.next().text;
      if (kind === 'BO_' || kind === 'SG_') rawId = this.integerOf(this.lex.next(), `BA_ "${name.text}" ${kind}`, 'a numeric message id');
      if (kind !== 'BO_') {
        const n = this.lex.next();
        if (n.kind !== 'word') this.fail(n.line, `BA_ "${name.text}" ${kind} expects a name but found ${describeToken(n)}`);
        signalName = n.text;
      }
    }
    const value = this.attributeValue('BA_', name.text);
    this.endStatement('BA_');
    const wanted = kind === 'BO_' ? ['GenMsgCycleTime', 'VFrameFormat'] : kind === 'SG_' ? ['GenSigStartValue'] : [];
    if (rawId === undefined || !wanted.includes(name.text)) return; // other attributes: read, not kept
    this.pending.push(() => {
      const message = this.messageFor(rawId, line, `BA_ "${name.text}"`);
      if (!message) return;
      if (kind === 'BO_') {
        let attributes = this.messageAttributes.get(message);
        if (!attributes) this.messageAttributes.set(message, (attributes = new Map()));
        attributes.set(name.text, { value, line });
      } else {
        const signal = this.signalFor(message, signalName!, line, `BA_ "${name.text}"`);
        if (signal) this.signalStartValues.set(signal, { value, line });
      }
    });
  }

  private attributeValue(keyword: string, name: string): number | string {
    const t = this.lex.next();
    if (t.kind === 'string') return t.text;
    const value = t.kind === 'word' ? Number(t.text) : NaN;
    if (!Number.isFinite(value)) this.fail(t.line, `${keyword} "${name}" expects a number or a quoted string value but found ${describeToken(t)}`);
    return value;
  }

  /** VAL_ <id> <signal> (<value> "<label>")* ;  or  VAL_ <environment variable> ... ; */
  private valueDescriptions(keyword: Token): void {
    const line = keyword.line;
    const first = this.lex.next();
    if (first.kind !== 'word') this.fail(line, `VAL_ expects a message id and signal name but found ${describeToken(first)}`);
    let rawId: number | undefined;
    let signalName: string | undefined;
    if (/^\d+$/.test(first.text)) {
      rawId = Number(first.text);
      const n = this.lex.next();
      if (n.kind !== 'word') this.fail(n.line, `VAL_ ${first.text} expects a signal name but found ${describeToken(n)}`);
      signalName = n.text;
    }
    const choices = this.valuePairs('VAL_');
    if (rawId === undefined) return; // environment variable value descriptions are not kept
    this.pending.push(() => {
      const message = this.messageFor(rawId, line, 'VAL_');
      const signal = message && this.signalFor(message, signalName!, line, 'VAL_');
      if (signal) signal.choices = choices;
    });
  }

  /** VAL_TABLE_ <name> (<value> "<label>")* ; - a named table; read and checked, not attached to signals. */
  private valueTable(keyword: Token): void {
    const name = this.lex.next();
    if (name.kind !== 'word') this.fail(keyword.line, `VAL_TABLE_ expects a table name but found ${describeToken(name)}`);
    this.valuePairs('VAL_TABLE_');
  }

  private valuePairs(keyword: string): Map<number, string> {
    const choices = new Map<number, string>();
    for (;;) {
      const p = this.lex.peek();
      if (this.isPunct(p, ';')) {
        this.lex.next();
        return choices;
      }
      if (p.kind !== 'word' || KEYWORDS.has(p.text)) return choices; // tolerate a missing ';'
      this.lex.next();
      const value = Number(p.text);
      const label = this.lex.next();
      if (!Number.isFinite(value) || label.kind !== 'string') {
        this.fail(p.line, `${keyword} expects value/label pairs like 1 "On" but found ${describeToken(p)} ${describeToken(label)}`);
      }
      choices.set(value, label.text);
    }
  }

  /** SIG_VALTYPE_ <id> <signal> : 0|1|2 ;  (1 = IEEE float32, 2 = IEEE float64) */
  private signalValueType(keyword: Token): void {
    const line = keyword.line;
    const rawId = this.integerOf(this.lex.next(), 'SIG_VALTYPE_', 'a numeric message id');
    const n = this.lex.next();
    if (n.kind !== 'word') this.fail(line, `SIG_VALTYPE_ expects a signal name but found ${describeToken(n)}`);
    if (this.isPunct(this.lex.peek(), ':')) this.lex.next();
    const typeToken = this.lex.next();
    if (typeToken.kind !== 'word' || !/^[012]$/.test(typeToken.text)) {
      this.fail(line, `SIG_VALTYPE_ expects 0 (integer), 1 (float32) or 2 (float64) but found ${describeToken(typeToken)}`);
    }
    this.endStatement('SIG_VALTYPE_');
    this.pending.push(() => {
      const message = this.messageFor(rawId, line, 'SIG_VALTYPE_');
      const signal = message && this.signalFor(message, n.text, line, 'SIG_VALTYPE_');
      if (signal) signal.valueType = (['integer', 'float32', 'float64'] as const)[Number(typeToken.text)]!;
    });
  }

  /** SG_MUL_VAL_ <id> <signal> <switch> <low>-<high>[, <low>-<high>]* ; */
  private extendedMultiplexing(keyword: Token): void {
    const line = keyword.line;
    const rawId = this.integerOf(this.lex.next(), 'SG_MUL_VAL_', 'a numeric message id');
    const signalToken = this.lex.next();
    const switchToken = this.lex.next();
    if (signalToken.kind !== 'word' || switchToken.kind !== 'word') {
      this.fail(line, `SG_MUL_VAL_ expects "<message id> <signal> <switch signal> <low>-<high>, ..." but found ${describeToken(signalToken)} ${describeToken(switchToken)}`);
    }
    const ranges: Array<[number, number]> = [];
    for (;;) {
      const t = this.lex.next();
      if (this.isPunct(t, ';')) break;
      if (this.isPunct(t, ',')) continue;
      const m = t.kind === 'word' ? /^(\d+)-(\d+)$/.exec(t.text) : null;
      if (!m) this.fail(t.line, `SG_MUL_VAL_ expects value ranges like 3-5 but found ${describeToken(t)}`);
      const low = Number(m[1]);
      const high = Number(m[2]);
      if (high < low) this.fail(t.line, `SG_MUL_VAL_ range ${t.text} ends before it starts`);
      ranges.push([low, high]);
      const next = this.lex.peek();
      if (next.kind === 'eof' || (next.atColumn0 && next.kind === 'word' && KEYWORDS.has(next.text))) break;
    }
    if (ranges.length === 0) this.fail(line, `SG_MUL_VAL_ ${signalToken.text} lists no value ranges`);
    this.pending.push(() => {
      const message = this.messageFor(rawId, line, 'SG_MUL_VAL_');
      const signal = message && this.signalFor(message, signalToken.text, line, 'SG_MUL_VAL_');
      if (!signal) return;
      signal.multiplexerName = switchToken.text;
      signal.multiplexRanges = ranges;
      signal.multiplexValue = ranges[0]![0];
    });
  }

  /** Skips a statement the codec does not need, up to its `;` (never past the next keyword at column 0). */
  private skipStatement(): void {
    for (;;) {
      const p = this.lex.peek();
      if (p.kind === 'eof' || (p.atColumn0 && p.kind === 'word' && KEYWORDS.has(p.text))) return;
      this.lex.next();
      if (this.isPunct(p, ';')) return;
    }
  }

  // ---------------------------------------------------------------- after the whole file is read

  private applyAttributes(): void {
    const defaultCycle = this.attributeDefaults.get('GenMsgCycleTime');
    const defaultStart = this.attributeDefaults.get('GenSigStartValue');
    const frameFormats = this.attributeEnums.get('VFrameFormat');
    for (const message of this.dbc.messages) {
      const attributes = this.messageAttributes.get(message);
      const cycle = attributes?.get('GenMsgCycleTime')?.value ?? defaultCycle;
      if (typeof cycle === 'number' && cycle > 0) message.cycleTimeMs = cycle;
      const format = attributes?.get('VFrameFormat')?.value ?? this.attributeDefaults.get('VFrameFormat');
      // Vector's enum: ..., 14 "StandardCAN_FD", 15 "ExtendedCAN_FD"; the value is an index into it.
      const formatName = typeof format === 'number' ? (frameFormats?.[format] ?? (format === 14 || format === 15 ? 'CAN_FD' : '')) : format;
      if (formatName !== undefined && /FD/i.test(formatName)) message.fd = true;

      for (const signal of message.signals) {
        const explicit = this.signalStartValues.get(signal);
        const start = explicit?.value ?? defaultStart;
        if (start === undefined) continue;
        const value = typeof start === 'number' ? start : Number(start);
        const { min, max } = rawRange(signal);
        const integerOk = signal.valueType !== 'integer' || Number.isInteger(value);
        if (Number.isFinite(value) && integerOk && value >= min && value <= max) {
          signal.startValue = value;
        } else if (explicit) {
          this.warn(explicit.line, `GenSigStartValue ${String(start)} of ${message.name}.${signal.name} is not a raw value the ${
            signal.length}-bit ${signal.signed ? 'signed' : 'unsigned'} signal can hold; ignored`);
        }
      }
    }
  }

  /** Checks that every signal fits its payload and that every multiplexed signal has a usable switch. */
  private checkMessage(message: DbcMessage): void {
    const byName = new Map<string, DbcSignal>();
    for (const s of message.signals) if (!byName.has(s.name)) byName.set(s.name, s);
    const topSwitch =
      message.signals.find((s) => s.isMultiplexer && s.multiplexValue === undefined) ?? message.signals.find((s) => s.isMultiplexer);
    if (topSwitch) message.multiplexer = topSwitch;

    const markUnusable = (signal: DbcSignal, problem: string) => {
      if (signal.unusable) return;
      signal.unusable = problem;
      this.warn(this.signalLines.get(signal) ?? 0, `signal ${message.name}.${signal.name} is unusable: ${problem}`);
    };

    for (const signal of message.signals) {
      const layout = signalLayout(signal, message.length);
      if ('problem' in layout) markUnusable(signal, layout.problem);
      if (signal.multiplexValue !== undefined && signal.multiplexerName === undefined) {
        if (topSwitch && topSwitch !== signal) signal.multiplexerName = topSwitch.name;
        else markUnusable(signal, `it is multiplexed (m${signal.multiplexValue}) but message ${message.name} has no multiplexer switch (M)`);
      }
    }
    // Switches: must exist, be integers, be usable, and not (indirectly) switch themselves.
    let changed = true;
    while (changed) {
      changed = false;
      for (const signal of message.signals) {
        if (signal.unusable || signal.multiplexerName === undefined) continue;
        const sw = byName.get(signal.multiplexerName);
        let problem: string | undefined;
        if (!sw) problem = `its multiplexer switch ${signal.multiplexerName} is not a signal of ${message.name}`;
        else if (sw.valueType !== 'integer') problem = `its multiplexer switch ${sw.name} is a float signal`;
        else if (sw.length > 32) problem = `its multiplexer switch ${sw.name} is longer than 32 bits`;
        else if (sw.unusable) problem = `its multiplexer switch ${sw.name} is unusable`;
        else if (this.switchesItself(signal, byName)) problem = `its multiplexer switches form a loop`;
        if (problem) {
          markUnusable(signal, problem);
          changed = true;
        }
      }
    }
  }

  private switchesItself(signal: DbcSignal, byName: Map<string, DbcSignal>): boolean {
    const seen = new Set<DbcSignal>([signal]);
    let s: DbcSignal | undefined = signal;
    while (s?.multiplexerName !== undefined) {
      s = byName.get(s.multiplexerName);
      if (!s) return false;
      if (seen.has(s)) return true;
      seen.add(s);
    }
    return false;
  }

  // ---------------------------------------------------------------- helpers

  private messageFor(rawId: number, line: number, what: string): DbcMessage | undefined {
    const message = this.byRawId.get(rawId);
    if (!message) this.warn(line, `${what} refers to message id ${rawId}, which no BO_ defines; ignored`);
    return message;
  }

  private signalFor(message: DbcMessage, name: string, line: number, what: string): DbcSignal | undefined {
    const signal = message.signals.find((s) => s.name === name);
    if (!signal) this.warn(line, `${what} refers to signal ${name}, which message ${message.name} does not have; ignored`);
    return signal;
  }

  private integerOf(t: Token, context: string, what: string): number {
    if (t.kind !== 'word' || !/^[+-]?\d+$/.test(t.text)) this.fail(t.line, `${context} expects ${what} but found ${describeToken(t)}`);
    return Number(t.text);
  }

  private isPunct(t: Token, ch: string): boolean {
    return t.kind === 'punct' && t.text === ch;
  }

  private expectPunct(ch: string, context: string, line: number): void {
    const t = this.lex.next();
    if (!this.isPunct(t, ch) || t.line !== line) this.fail(line, `${context} expects "${ch}" but found ${describeToken(t)}`);
  }

  private expectEndOfLine(line: number, context: string): void {
    const p = this.lex.peek();
    if (p.kind !== 'eof' && p.line === line) this.fail(line, `${context}: unexpected ${describeToken(p)} at the end of the line`);
  }

  /** A statement ends with `;`; a missing one is tolerated when the next statement starts on a new line. */
  private endStatement(keyword: string): void {
    const p = this.lex.peek();
    if (this.isPunct(p, ';')) {
      this.lex.next();
      return;
    }
    if (p.kind === 'eof' || p.line > this.lex.lastLine) return;
    this.fail(p.line, `${keyword} expects ";" but found ${describeToken(p)}`);
  }

  private warn(line: number, message: string): void {
    this.dbc.warnings.push({ line, message } satisfies DbcWarning);
  }

  private fail(line: number, what: string): never {
    const err = DbcErrors.syntax(this.fileName, line, what);
    throw Object.assign(err, { line, fileName: this.fileName }) as DbcSyntaxError;
  }
}
