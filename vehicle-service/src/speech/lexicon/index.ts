export { Lexicon, type Pronunciation } from './lexicon.js';
export { graphemeToPhoneme, spellLetters } from './g2p.js';
