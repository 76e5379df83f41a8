import type { ActuationView } from '../state/app.js';
import { useApp, useI18n, useObservable } from '../state/hooks.js';

/** The outcome of the last tap on a control: pending, done, or refused/failed with the reason. */
export function ActuationNote(props: { control: string }) {
  const app = useApp();
  const { t } = useI18n();
  const view: ActuationView | undefined = useObservable(app.actuations)[props.control];
  let text = '';
  let tone = '';
  if (view) {
    switch (view.state) {
      case 'pending':
        text = t('actuation.pending');
        tone = 'muted';
        break;
      case 'confirmed':
        text = t('actuation.confirmed');
        tone = 'ok';
        break;
      case 'refused':
        text = t('actuation.refused', { reason: view.reason ?? '' });
        tone = 'danger';
        break;
      case 'failed':
        text = t('actuation.failed', { reason: view.reason ?? '' });
        tone = 'danger';
        break;
      case 'timeout':
        text = t('actuation.timeout', { reason: view.reason ?? '' });
        tone = 'warn';
        break;
      case 'error':
        text = t('actuation.error', { message: view.reason });
        tone = 'danger';
        break;
    }
  }
  // Always rendered (empty when idle) so the live region exists before the outcome arrives.
  return (
    <p class={`actuation-note ${tone}`} role="status" aria-live="polite" data-control={props.control} data-state={view?.state ?? 'idle'}>
      {text}
    </p>
  );
}
