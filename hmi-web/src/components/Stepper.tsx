/** − value + with labelled buttons (each at least 56 px) and the value announced as it changes. */
export function Stepper(props: {
  label: string;
  value: string;
  unit: string;
  stale: boolean;
  decLabel: string;
  incLabel: string;
  onDec(): void;
  onInc(): void;
  disabled?: boolean;
}) {
  return (
    <div class="stepper" role="group" aria-label={props.label}>
      <button type="button" class="step-btn" aria-label={props.decLabel} disabled={props.disabled} onClick={props.onDec}>
        <span aria-hidden="true">−</span>
      </button>
      <output class={`step-value ${props.stale ? 'is-stale' : ''}`} aria-live="polite">
        {props.value}
        <small>{props.unit}</small>
      </output>
      <button type="button" class="step-btn" aria-label={props.incLabel} disabled={props.disabled} onClick={props.onInc}>
        <span aria-hidden="true">+</span>
      </button>
    </div>
  );
}
