import type { ComponentChildren } from 'preact';

/** A titled section; `id` ties the heading to the region for screen readers. */
export function Card(props: { id: string; title: string; class?: string; aside?: ComponentChildren; children: ComponentChildren }) {
  const headingId = `${props.id}-title`;
  return (
    <section class={`card ${props.class ?? ''}`} aria-labelledby={headingId} data-card={props.id}>
      <header class="card-head">
        <h2 id={headingId}>{props.title}</h2>
        {props.aside}
      </header>
      {props.children}
    </section>
  );
}
