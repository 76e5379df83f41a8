export { buildDecoderGraph, type DecoderGraph, type DecoderGraphOptions, type GraphCosts, type WordPronouncer } from './graph.js';
export { viterbi, type SearchOptions, type SearchResult } from './viterbi.js';
export { frameEntropies, interpret, readTags, type Interpretation, type RejectionOptions } from './decode.js';
export { DEFAULT_WORD_LOOP_OPTIONS, WordLoop, type WordLoopOptions } from './word-loop.js';
