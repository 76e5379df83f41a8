import type { ComponentChildren } from 'preact';

/** A real button with aria-pressed, for on/off controls. */
export function ToggleButton(props: {
  pressed: boolean | undefined;
  label: string;
  onToggle(next: boolean): void;
  disabled?: boolean;
  stale?: boolean;
  children?: ComponentChildren;
}) {
  return (
    <button
      type="button"
      class={`toggle ${props.pressed ? 'on' : ''} ${props.stale ? 'is-stale' : ''}`}
      aria-pressed={props.pressed === true}
      disabled={props.disabled}
      onClick={() => props.onToggle(!props.pressed)}
    >
      <span class="toggle-dot" aria-hidden="true" />
      <span>{props.children ?? props.label}</span>
    </button>
  );
}
