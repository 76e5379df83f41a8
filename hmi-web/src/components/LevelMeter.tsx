/** The microphone level as a meter (0..1). */
export function LevelMeter(props: { level: number; label: string; active: boolean }) {
  const pct = Math.round(Math.max(0, Math.min(1, props.level)) * 100);
  return (
    <div class={`level-meter ${props.active ? 'active' : ''}`} role="meter" aria-label={props.label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <div class="level-fill" style={{ transform: `scaleX(${pct / 100})` }} />
    </div>
  );
}
