import { useEffect, useState } from 'preact/hooks';
import { formatTime } from '../i18n/index.js';
import { useApp, useI18n, useObservable } from '../state/hooks.js';

/** The service or the car's data is unavailable or stale: a banner nobody can miss. */
export function ConnectionBanner() {
  const app = useApp();
  const { t, lang } = useI18n();
  const banner = useObservable(app.banner);
  const [now, setNow] = useState(Date.now());
  const counting = banner?.kind === 'service-unavailable' && banner.retryAt !== null;
  useEffect(() => {
    if (!counting) return undefined;
    const id = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(id);
  }, [counting]);

  if (!banner) return null;
  if (banner.kind === 'connecting') {
    return (
      <div class="banner info" role="status" data-banner="connecting">
        {t('banner.connecting')}
      </div>
    );
  }
  if (banner.kind === 'service-unavailable') {
    const secs = banner.retryAt !== null ? Math.max(0, Math.ceil((banner.retryAt - now) / 1000)) : null;
    return (
      <div class="banner danger" role="alert" data-banner="service-unavailable">
        <span>
          <strong>{t('banner.serviceDown')}</strong> {secs !== null ? t('banner.retryIn', { s: secs }) : ''}
        </span>
        <button type="button" class="banner-action" onClick={() => app.retryNow()}>
          {t('banner.retryNow')}
        </button>
      </div>
    );
  }
  const cause =
    banner.cause === 'broker'
      ? t('banner.causeBroker')
      : banner.lastFrameAt !== null
        ? t('banner.causeSilent', { time: formatTime(lang, banner.lastFrameAt) })
        : t('banner.causeSilentNever');
  return (
    <div class="banner warn" role="alert" data-banner="vehicle-stale">
      <span>
        <strong>{t('banner.vehicleStale')}</strong> {cause}
      </span>
    </div>
  );
}
