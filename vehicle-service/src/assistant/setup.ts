import { fileURLToPath } from 'node:url';
import { compileContextFile } from '../context/index.js';
import { Assistant, type AssistantOptions } from './assistant.js';
import { detectTts } from './tts/tts.js';

/** The shipped en-US car context (models/contexts/en-US/car.yaml in the repository). */
export const DEFAULT_CAR_CONTEXT_FILE = fileURLToPath(new URL('../../../models/contexts/en-US/car.yaml', import.meta.url));

export interface CreateAssistantOptions extends Omit<AssistantOptions, 'context' | 'tts'> {
  /** Default: DEFAULT_CAR_CONTEXT_FILE. */
  contextFile?: string;
  /** Probe for espeak-ng / flite (default true); false = text answers only. */
  tts?: boolean;
}

/** Compiles the car context and detects the TTS engine once, then builds the assistant (what the service wires). */
export async function createAssistant(options: CreateAssistantOptions): Promise<Assistant> {
  const { contextFile, tts, ...rest } = options;
  const context = await compileContextFile(contextFile ?? DEFAULT_CAR_CONTEXT_FILE);
  const engine = tts === false ? undefined : await detectTts({ logger: options.logger });
  return new Assistant({ ...rest, context, tts: engine });
}
