import { useEffect, useRef, useState } from 'preact/hooks';
import { ROUTES, webSocketUrl } from '../api/routes.js';
import type { AssistantTurn } from '../api/types.js';
import { HandsFreeSession, probeVoiceStream, VoiceSession } from '../api/voice.js';
import { MicrophoneError, MicrophoneRecorder } from '../audio/recorder.js';
import { Card } from '../components/Card.js';
import { MicIcon } from '../components/icons.js';
import { LevelMeter } from '../components/LevelMeter.js';
import { ToggleButton } from '../components/ToggleButton.js';
import { NotAvailable } from '../components/NotAvailable.js';
import { useLoad } from '../components/useLoad.js';
import { formatNumber, formatTime, type MessageKey } from '../i18n/index.js';
import type { TurnRecord } from '../state/app.js';
import { useApp, useI18n, useObservable } from '../state/hooks.js';

type PttState = 'idle' | 'starting' | 'recording' | 'sending';
/** Hands-free: off, opening the microphone, or listening continuously. */
type HandsFreeState = 'off' | 'starting' | 'listening';

export function AssistantScreen() {
  const app = useApp();
  const turns = useObservable(app.turns);
  const { t } = useI18n();
  const last = turns[0];
  return (
    <div class="assistant-grid">
      <Card id="talk" title={t('assistant.ptt.label')} class="area-talk">
        <PushToTalk />
        <TypedCommand />
      </Card>
      <Card id="answer" title={t('assistant.answer')} class="area-answer">
        {last ? <TurnDetail turn={last} /> : <p class="muted">{t('assistant.noTurns')}</p>}
      </Card>
      <Card id="turns" title={t('assistant.recent')} class="area-turns">
        <RecentTurns turns={turns} />
      </Card>
    </div>
  );
}

function micMessage(err: unknown, t: (k: MessageKey, v?: Record<string, string>) => string): string {
  if (err instanceof MicrophoneError) {
    if (err.problem === 'denied') return t('assistant.micDenied');
    if (err.problem === 'no-device') return t('assistant.micMissing');
    if (err.problem === 'unsupported') return t('assistant.micUnsupported');
  }
  return t('assistant.micFailed', { message: (err as Error).message });
}

function PushToTalk() {
  const app = useApp();
  const { t, lang } = useI18n();
  // Open-and-close the voice socket; only when that fails ask over HTTP whether the route exists.
  const [voice] = useLoad(async () => (await probeVoiceStream(webSocketUrl(ROUTES.voiceStream, window.location))) || app.api.hasVoiceStream(), []);
  const [state, setState] = useState<PttState>('idle');
  const [level, setLevel] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const session = useRef<VoiceSession | null>(null);
  const recorder = useRef<MicrophoneRecorder | null>(null);
  const releasedEarly = useRef(false);
  const [handsFree, setHandsFree] = useState<HandsFreeState>('off');
  const handsFreeSession = useRef<HandsFreeSession | null>(null);

  useEffect(
    () => () => {
      session.current?.cancel();
      handsFreeSession.current?.close();
      void recorder.current?.close();
    },
    [],
  );

  const available = voice.state === 'ok' && voice.data;

  const newRecorder = () => new MicrophoneRecorder({ pcm: (f) => (handsFreeSession.current ?? session.current)?.sendPcm(f), level: setLevel });

  const stopHandsFree = () => {
    handsFreeSession.current?.close();
    handsFreeSession.current = null;
    recorder.current?.stop();
    setLevel(0);
    setHandsFree('off');
  };

  const startHandsFree = async () => {
    if (handsFree !== 'off' || state !== 'idle' || !available) return;
    setProblem(null);
    setHandsFree('starting');
    const s = new HandsFreeSession({
      url: webSocketUrl(ROUTES.voiceStream, window.location),
      lang,
      onResult: (result, seconds) => {
        app.addVoiceTurn(seconds, { result });
        if (result.answer.audioUrl) playAnswer(result.answer.audioUrl);
      },
      onUtteranceError: (err) => setProblem(t('assistant.voiceFailed', { message: err.message })),
      onClosed: (err) => {
        if (handsFreeSession.current !== s) return;
        stopHandsFree();
        setProblem(t('assistant.voiceFailed', { message: err.message }));
      },
    });
    handsFreeSession.current = s;
    recorder.current ??= newRecorder();
    try {
      await recorder.current.start();
    } catch (err) {
      s.close();
      if (handsFreeSession.current === s) handsFreeSession.current = null;
      setProblem(micMessage(err, t));
      setHandsFree('off');
      return;
    }
    // Toggled off while the microphone was opening.
    if (handsFreeSession.current !== s) {
      recorder.current.stop();
      return;
    }
    setHandsFree('listening');
  };

  const start = async () => {
    if (state !== 'idle' || !available || handsFree !== 'off') return;
    setProblem(null);
    releasedEarly.current = false;
    setState('starting');
    const s = new VoiceSession({ url: webSocketUrl(ROUTES.voiceStream, window.location), lang });
    session.current = s;
    recorder.current ??= newRecorder();
    try {
      await recorder.current.start();
    } catch (err) {
      s.cancel();
      session.current = null;
      setProblem(micMessage(err, t));
      setState('idle');
      return;
    }
    setState('recording');
    if (releasedEarly.current) await stop();
  };

  const stop = async () => {
    const s = session.current;
    if (!s) return;
    if (!recorder.current?.isRecording) {
      // Released while the microphone was still opening: stop as soon as it is open.
      releasedEarly.current = true;
      return;
    }
    recorder.current.stop();
    setState('sending');
    let outcome: { result: AssistantTurn } | { error: Error };
    try {
      outcome = { result: await s.end() };
    } catch (err) {
      outcome = { error: err as Error };
      setProblem(t('assistant.voiceFailed', { message: (err as Error).message }));
    }
    session.current = null;
    app.addVoiceTurn(s.secondsSent, outcome);
    if ('result' in outcome && outcome.result.answer.audioUrl) playAnswer(outcome.result.answer.audioUrl);
    setState('idle');
  };

  const handsFreeOn = handsFree !== 'off';
  const label = state === 'recording' || state === 'starting' ? t('assistant.ptt.recording') : state === 'sending' ? t('assistant.ptt.sending') : t('assistant.ptt.idle');
  return (
    <div class="ptt">
      <button
        type="button"
        class={`ptt-button ${state}`}
        aria-pressed={state === 'recording' || state === 'starting'}
        aria-label={`${t('assistant.ptt.label')}: ${label}`}
        aria-describedby="ptt-help"
        disabled={!available || state === 'sending' || handsFreeOn}
        data-state={state}
        onPointerDown={(e) => {
          (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
          void start();
        }}
        onPointerUp={() => void stop()}
        onPointerCancel={() => void stop()}
        onKeyDown={(e) => {
          if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) {
            e.preventDefault();
            void start();
          }
        }}
        onKeyUp={(e) => {
          if (e.key === ' ' || e.key === 'Enter') {
            e.preventDefault();
            void stop();
          }
        }}
        onContextMenu={(e) => e.preventDefault()}
      >
        <MicIcon size={64} />
        <span>{label}</span>
      </button>
      <div class="hands-free-row">
        <ToggleButton
          pressed={handsFreeOn}
          label={t('assistant.handsFree')}
          disabled={!available || (!handsFreeOn && state !== 'idle')}
          onToggle={(on) => (on ? void startHandsFree() : stopHandsFree())}
        />
        <LevelMeter level={level} label={t('assistant.level')} active={state === 'recording' || handsFree === 'listening'} />
      </div>
      <p id="ptt-help" class="ptt-help" role="status" aria-live="polite" data-hands-free={handsFree}>
        {voice.state === 'unavailable'
          ? t('assistant.voiceUnavailable')
          : voice.state === 'error'
            ? t('common.error', { message: voice.message })
            : (problem ?? (handsFree === 'listening' ? t('assistant.handsFreeListening') : ''))}
      </p>
    </div>
  );
}

function playAnswer(url: string): void {
  const audio = new Audio(url);
  void audio.play().catch(() => undefined);
}

function TypedCommand() {
  const app = useApp();
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const command = text.trim();
    if (!command || busy) return;
    setBusy(true);
    setNote(null);
    const turn = await app.sendText(command);
    setBusy(false);
    if (turn.unavailable) setNote(t('assistant.textUnavailable'));
    else if (turn.error) setNote(t('assistant.textFailed', { message: turn.error }));
    else {
      setText('');
      if (turn.result?.answer.audioUrl) playAnswer(turn.result.answer.audioUrl);
    }
  };
  return (
    <form class="typed" onSubmit={(e) => void submit(e)}>
      <label for="typed-command">{t('assistant.typedLabel')}</label>
      <div class="typed-row">
        <input
          id="typed-command"
          type="text"
          autocomplete="off"
          enterKeyHint="send"
          value={text}
          placeholder={t('assistant.typedPlaceholder')}
          onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" class="primary" disabled={busy || text.trim() === ''}>
          {t('assistant.send')}
        </button>
      </div>
      <p class="typed-note" role="status" aria-live="polite">
        {note ?? ''}
      </p>
    </form>
  );
}

function inputText(turn: TurnRecord, t: (k: MessageKey, v?: Record<string, string>) => string, lang: 'en-US' | 'zh-CN'): string {
  return turn.source === 'voice' ? t('assistant.spoken', { s: formatNumber(lang, turn.seconds ?? 0, 1) }) : `“${turn.input}”`;
}

function TurnDetail({ turn }: { turn: TurnRecord }) {
  const { t, lang } = useI18n();
  const r = turn.result;
  return (
    <div class="turn-detail" data-turn={turn.id}>
      <p class="turn-input muted">{inputText(turn, t, lang)}</p>
      {turn.unavailable ? (
        <NotAvailable route={turn.source === 'voice' ? ROUTES.voiceStream : ROUTES.text} />
      ) : turn.error ? (
        <p class="danger" role="alert">
          {t('common.error', { message: turn.error })}
        </p>
      ) : r ? (
        <>
          <p class="answer-text" lang={r.answer.lang || undefined} data-answer>
            {r.answer.text}
          </p>
          {r.expectsReply && <p class="accent-text">{t('assistant.expectsReply')}</p>}
          {r.answer.audioUrl && (
            <button type="button" class="action compact" onClick={() => playAnswer(r.answer.audioUrl!)}>
              {t('assistant.playAnswer')}
            </button>
          )}
          <dl class="intent">
            <div>
              <dt>{t('assistant.intent')}</dt>
              <dd data-intent={r.intent ?? ''}>{r.isUnderstood && r.intent ? <code>{r.intent}</code> : <span class="warn-text">{t('assistant.notUnderstood')}</span>}</dd>
            </div>
            {Object.keys(r.slots).length > 0 && (
              <div>
                <dt>{t('assistant.slots')}</dt>
                <dd class="chips">
                  {Object.entries(r.slots).map(([k, v]) => (
                    <span class="chip" key={k} data-slot={k}>
                      {k}: {typeof v === 'object' ? JSON.stringify(v) : String(v)}
                    </span>
                  ))}
                </dd>
              </div>
            )}
          </dl>
          {r.actions.length > 0 && (
            <div class="actions-list">
              <h3>{t('assistant.actions')}</h3>
              <ul>
                {r.actions.map((a, i) => (
                  <li key={i} class={a.status === 'confirmed' ? 'ok' : a.status === 'timeout' ? 'warn' : 'danger'} data-action-status={a.status}>
                    <code>{a.path.replace(/^Vehicle\./, '')}</code> = {String(a.value)} — {t(`actuation.status.${a.status}` as MessageKey)}
                    {a.reason ? `: ${a.reason}` : ''}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </>
      ) : null}
      <p class="muted small">{formatTime(lang, turn.at)}</p>
    </div>
  );
}

function RecentTurns({ turns }: { turns: readonly TurnRecord[] }) {
  const { t, lang } = useI18n();
  if (turns.length === 0) return <p class="muted">{t('common.none')}</p>;
  return (
    <ol class="turn-list">
      {turns.map((turn) => (
        <li key={turn.id} data-turn={turn.id}>
          <span class="muted small">{formatTime(lang, turn.at)}</span>
          <span class="turn-line">{inputText(turn, t, lang)}</span>
          <span class="turn-line small">
            {turn.result ? (turn.result.isUnderstood ? (turn.result.intent ?? '') : t('assistant.notUnderstood')) : turn.unavailable ? t('common.notAvailable') : (turn.error ?? '')}
            {turn.result ? ` — ${turn.result.answer.text}` : ''}
          </span>
        </li>
      ))}
    </ol>
  );
}
