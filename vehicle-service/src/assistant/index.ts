/**
 * The in-car assistant: typed text or a recognized intent -> safe actuation requests (the vehicle
 * policy decides) -> a short answer in en-US or zh-CN, spoken by a local TTS when present.
 */
export {
  Assistant,
  MAX_TEXT_CHARS,
  type AssistantOptions,
  type AssistantResponse,
  type TurnOptions,
  type TurnTimings,
} from './assistant.js';
export { AssistantInputError } from './errors.js';
export { createAssistant, DEFAULT_CAR_CONTEXT_FILE, type CreateAssistantOptions } from './setup.js';
export { LANGUAGE_PACKS, outcomeAnswer, renderAnswer, type LanguagePack } from './answers/index.js';
export { CarModel, PATHS, seatsFor, zonesFor, type StateView } from './car.js';
export { CONFIRMATION_RULES, confirmationRuleFor, type ConfirmationContext, type ConfirmationRule } from './confirmation.js';
export { DialogueManager, DialogueSession } from './dialogue/session.js';
export { PLANNERS, type ExternalDomain, type ExternalHandler, type PlanContext, type Planner } from './intents/index.js';
export { detectTts, speakable, type SpokenAnswer, type Tts, type TtsEngine, type TtsOptions } from './tts/tts.js';
export {
  ANSWER_KEYS,
  ANSWER_LANGS,
  SEATS,
  type ActionOutcome,
  type AnswerKey,
  type AnswerLang,
  type AnswerSpec,
  type IntentInput,
  type Part,
  type Plan,
  type PlannedRequest,
  type Seat,
} from './types.js';
