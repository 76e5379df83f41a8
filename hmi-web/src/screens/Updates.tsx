import { useState } from 'preact/hooks';
import { updateProgress } from '../api/parse.js';
import type { OtaStatus } from '../api/types.js';
import { Card } from '../components/Card.js';
import { NotAvailable } from '../components/NotAvailable.js';
import { useLoad } from '../components/useLoad.js';
import { formatDuration, formatNumber, formatTime, hasKey, type MessageKey } from '../i18n/index.js';
import { useApp, useI18n, useObservable } from '../state/hooks.js';

export function UpdatesScreen() {
  const app = useApp();
  const { t } = useI18n();
  const [ota, reload] = useLoad(() => app.api.ota(), [], 3000);
  return (
    <div class="updates-grid">
      <Card id="models" title={t('updates.installed')} class="area-models">
        {ota.state === 'unavailable' ? (
          <NotAvailable route={ota.route} />
        ) : ota.state === 'error' ? (
          <p class="danger">{t('common.error', { message: ota.message })}</p>
        ) : ota.state === 'loading' ? (
          <p class="muted">{t('common.loading')}</p>
        ) : (
          <ModelsTable status={ota.data} />
        )}
      </Card>
      <Card id="progress" title={t('updates.progress')} class="area-progress">
        {ota.state === 'unavailable' ? (
          <NotAvailable route={ota.route} compact />
        ) : ota.state === 'ok' ? (
          <UpdateProgress status={ota.data} onAnswered={reload} />
        ) : (
          <p class="muted">{ota.state === 'loading' ? t('common.loading') : ''}</p>
        )}
      </Card>
      <SystemCard />
    </div>
  );
}

const keyOr = (key: string, t: (k: MessageKey) => string, fallback: string) => (hasKey(key) ? t(key) : fallback);

function ModelsTable({ status }: { status: OtaStatus }) {
  const { t } = useI18n();
  return (
    <>
      <p class="muted small">{t('updates.phase', { phase: keyOr(`updates.phase.${status.phase}`, t, status.phase) })}</p>
      {status.models.length === 0 ? (
        <p class="muted">{t('updates.noModels')}</p>
      ) : (
        <table class="models">
          <thead>
            <tr>
              <th scope="col">{t('updates.kind')}</th>
              <th scope="col">{t('updates.name')}</th>
              <th scope="col">{t('updates.version')}</th>
              <th scope="col">{t('updates.slot')}</th>
            </tr>
          </thead>
          <tbody>
            {status.models.map((m) => (
              <tr key={m.kind} data-model={m.kind}>
                <td>{m.kind}</td>
                <td>{m.name}</td>
                <td>
                  <code>{m.version}</code>
                  {m.previous && <span class="muted small"> ({t('updates.previous', { version: m.previous.version })})</span>}
                </td>
                <td>{m.slot}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function UpdateProgress({ status, onAnswered }: { status: OtaStatus; onAnswered(): void }) {
  const { t, lang } = useI18n();
  const u = status.update;
  const last = status.lastResult;
  const progress = updateProgress(u);
  const mb = (bytes: number) => formatNumber(lang, bytes / 1e6, 1);
  return (
    <div class="update" data-step={u?.step ?? 'none'}>
      {!u ? (
        <p class="muted">{t('updates.none')}</p>
      ) : (
        <>
          <p>
            <strong>
              {u.name} {u.version}
            </strong>{' '}
            <span class="muted">({u.kind})</span>
          </p>
          <p>{t('updates.step', { step: keyOr(`updates.step.${u.step}`, t, u.step) })}</p>
          {progress !== undefined && (
            <>
              <div class="bar" role="progressbar" aria-label={t('updates.progress')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress * 100)}>
                <div class="bar-fill" style={{ width: `${progress * 100}%` }} />
              </div>
              <p class="muted small">{t('updates.bytes', { received: mb(u.bytesReceived ?? 0), total: mb(u.bytesTotal) })}</p>
            </>
          )}
          {u.waitingFor === 'parked' && <p class="warn-text">{t('updates.waitingParked')}</p>}
          {u.waitingFor === 'consent' && u.consent === undefined && <Consent update={u} onAnswered={onAnswered} />}
        </>
      )}
      {last && (
        <p class={last.step === 'active' ? 'muted small' : 'danger small'}>
          {t('updates.lastResult', { name: last.name, version: last.version, step: keyOr(`updates.step.${last.step}`, t, last.step) })}
          {last.reason ? ` — ${last.reason}` : ''} {last.at > 0 ? `(${formatTime(lang, last.at)})` : ''}
        </p>
      )}
      {status.lastError && <p class="danger small">{t('updates.lastError', { reason: status.lastError.reason })}</p>}
    </div>
  );
}

function Consent({ update, onAnswered }: { update: NonNullable<OtaStatus['update']>; onAnswered(): void }) {
  const app = useApp();
  const { t } = useI18n();
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const answer = async (accept: boolean) => {
    setBusy(true);
    setNote(null);
    try {
      await app.api.otaConsent(update.assignmentId, accept);
      onAnswered();
    } catch (err) {
      setNote(t('common.error', { message: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="consent" role="alertdialog" aria-labelledby="consent-title" aria-describedby="consent-reason">
      <h3 id="consent-title">{t('updates.consentTitle', { name: update.name, version: update.version })}</h3>
      <p id="consent-reason" class="muted">
        {t('updates.consentReason')}
      </p>
      <div class="row">
        <button type="button" class="primary" disabled={busy} onClick={() => void answer(true)}>
          {t('updates.accept')}
        </button>
        <button type="button" class="action" disabled={busy} onClick={() => void answer(false)}>
          {t('updates.decline')}
        </button>
      </div>
      <p role="status" class="danger small">
        {note ?? ''}
      </p>
    </div>
  );
}

function SystemCard() {
  const app = useApp();
  const { t } = useI18n();
  const { health, failed } = useObservable(app.health);
  return (
    <Card id="system" title={t('updates.system')} class="area-system">
      <dl class="stats">
        <div>
          <dt>{t('updates.service')}</dt>
          <dd class={failed ? 'danger' : ''}>{health && !failed ? t('updates.uptime', { t: formatDuration(health.uptimeS) }) : t('status.offline')}</dd>
        </div>
        <div>
          <dt>{t('updates.bus')}</dt>
          <dd class={health?.mqtt.connected ? 'ok' : 'danger'}>{health ? t(health.mqtt.connected ? 'updates.connected' : 'updates.disconnected') : '—'}</dd>
        </div>
        <div>
          <dt>{t('updates.storage')}</dt>
          <dd class={health?.store.ok === false ? 'danger' : ''}>{health ? (health.store.ok ? t('updates.ok') : t('updates.problem', { detail: health.store.detail ?? '' })) : '—'}</dd>
        </div>
        <div>
          <dt>{t('updates.signals')}</dt>
          <dd>{health ? t('updates.signalsValue', { n: health.vehicle.signals, stale: health.vehicle.staleSignals }) : '—'}</dd>
        </div>
        <div>
          <dt>HMI</dt>
          <dd>
            <code>{__HMI_VERSION__}</code>
          </dd>
        </div>
      </dl>
    </Card>
  );
}
