/**
 * Voice contexts: the intents, expressions and slots a speech decoder and the typed-text assistant
 * understand. Load a context (Auriga's YAML format or Picovoice Rhino's, auto-detected), compile it
 * to a word graph, then match text against it, list its vocabulary or generate its sentences.
 */
export type {
  ArcTag,
  CompiledContext,
  CompiledIntent,
  ContextDefinition,
  ContextFormat,
  ExpressionDefinition,
  ExpressionNode,
  GraphArc,
  IntentDefinition,
  ListSlotType,
  NumberKind,
  NumberSlotType,
  SentenceSample,
  SlotType,
  SlotValue,
  SourceLocation,
  Understanding,
  WordGraph,
} from './types.js';
export { ContextInvalidError, ContextNotFoundError, type ContextErrorLocation, type LocatedContextError } from './errors.js';
export {
  BUILTIN_SLOT_TYPES,
  loadContextFile,
  parseContext,
  withSlotValues,
  type ParseContextOptions,
  type SlotValueInput,
} from './load.js';
export { compileContext, slotPhrases, type SlotPhrase } from './compile.js';
export {
  enumerateSentences,
  listVocabulary,
  sampleSentences,
  type EnumerateOptions,
  type SampleOptions,
} from './sentences.js';
export { MATCH_COSTS, matchText, matchTextDetailed, type MatchDetails, type MatchOptions } from './match.js';
export { expandWord, isValidWord, languageRules, normalizeText, type LanguageRules } from './normalize.js';
export { integerWords, ordinalWords, parseSpokenNumber, spellNumber } from './numbers.js';

import { loadContextFile } from './load.js';
import { compileContext } from './compile.js';
import type { CompiledContext } from './types.js';

/** Load and compile a context file in one step. */
export async function compileContextFile(path: string): Promise<CompiledContext> {
  return compileContext(await loadContextFile(path));
}
export { sentencesCli, SENTENCES_CLI_USAGE, type CliIo } from './sentences-cli.js';
