import { useI18n } from '../state/hooks.js';

/** Shown where a route is not on this service yet: says so, never invents data. */
export function NotAvailable(props: { route: string; compact?: boolean }) {
  const { t } = useI18n();
  if (props.compact) {
    return (
      <p class="not-available compact" role="note" data-not-available={props.route}>
        <strong>{t('common.notAvailable')}</strong> <code class="muted">{props.route}</code>
      </p>
    );
  }
  return (
    <div class="not-available" role="note" data-not-available={props.route}>
      <strong>{t('common.notAvailable')}</strong>
      <span class="muted">{t('common.notAvailableDetail', { route: props.route })}</span>
    </div>
  );
}
