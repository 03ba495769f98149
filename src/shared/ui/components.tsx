// The few building blocks the extension's pages share: buttons in three variants, a switch, a card, a
// disclosure, an avatar and a handful of inline icons. Styled by components.css with theme.css's
// tokens; no UI kit. They carry no words of their own: every label comes from the caller (i18n).
import type { ButtonHTMLAttributes, ComponentChildren, HTMLAttributes } from 'preact';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  /** primary: the one thing to do; secondary: the others; danger: what takes something away; quiet: inline. */
  variant?: 'primary' | 'secondary' | 'danger' | 'quiet';
  size?: 'small' | 'normal';
};

export function Button({ variant = 'secondary', size = 'normal', class: className, type = 'button', ...rest }: ButtonProps) {
  const classes = ['btn', `btn-${variant}`, size === 'small' ? 'btn-small' : '', typeof className === 'string' ? className : ''];
  return <button type={type} class={classes.filter(Boolean).join(' ')} {...rest} />;
}

/** A button that shows only an icon: `label` is its accessible name (and tooltip). */
export function IconButton({ label, icon, ...rest }: { label: string; icon: IconName } & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'icon'>) {
  return (
    <button type="button" class="icon-button" aria-label={label} title={label} {...rest}>
      <Icon name={icon} />
    </button>
  );
}

type SwitchProps = {
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** The visible label; a switch always says what it switches. */
  children: ComponentChildren;
  /** An accessible name when the visible label alone would be ambiguous in a list. */
  ariaLabel?: string;
  id?: string;
  disabled?: boolean;
};

/** An on/off switch: a real checkbox with `role="switch"`, so keyboards and screen readers know it. */
export function Switch({ checked, onChange, children, ariaLabel, id, disabled }: SwitchProps) {
  return (
    <label class="switch">
      <input
        type="checkbox"
        role="switch"
        id={id}
        checked={checked}
        disabled={disabled}
        aria-label={ariaLabel}
        onChange={(event) => onChange(event.currentTarget.checked)}
      />
      <span class="switch-track" aria-hidden="true" />
      <span class="switch-label">{children}</span>
    </label>
  );
}

export function Card({ children, class: className, ...rest }: HTMLAttributes<HTMLElement> & { children: ComponentChildren }) {
  return (
    <section class={['ui-card', typeof className === 'string' ? className : ''].filter(Boolean).join(' ')} {...rest}>
      {children}
    </section>
  );
}

type DisclosureProps = {
  summary: ComponentChildren;
  children: ComponentChildren;
  class?: string;
  id?: string;
  onToggle?: (isOpen: boolean) => void;
};

/** Details one click away: a `<details>` with a chevron that turns when open. */
export function Disclosure({ summary, children, class: className, id, onToggle }: DisclosureProps) {
  return (
    <details class={['disclosure', className ?? ''].filter(Boolean).join(' ')} id={id} onToggle={(event) => onToggle?.(event.currentTarget.open)}>
      <summary>
        <Icon name="chevron" />
        <span>{summary}</span>
      </summary>
      <div class="disclosure-body">{children}</div>
    </details>
  );
}

/** A person's initial in a circle, its colour derived from their ID so accounts tell apart. */
export function Avatar({ name, seed, size = 'normal' }: { name: string; seed: string; size?: 'small' | 'normal' }) {
  const initial = [...name.replace(/^@/, '')][0]?.toUpperCase() ?? '?';
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return (
    <span class={`avatar avatar-${size}`} data-hue={hash % 6} aria-hidden="true">
      {initial}
    </span>
  );
}

export type IconName = 'gear' | 'back' | 'search' | 'chevron' | 'globe' | 'check' | 'cross' | 'plus';

const PATHS: Record<IconName, string> = {
  gear: 'M10 6.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7Zm7 4.6v-2.2l-2.1-.5a5 5 0 0 0-.5-1.2l1.1-1.8-1.6-1.6-1.8 1.1a5 5 0 0 0-1.2-.5L10.4 2H8.2l-.5 2.1a5 5 0 0 0-1.2.5L4.7 3.5 3.1 5.1l1.1 1.8a5 5 0 0 0-.5 1.2L1.6 8.6v2.2l2.1.5c.1.4.3.8.5 1.2l-1.1 1.8 1.6 1.6 1.8-1.1c.4.2.8.4 1.2.5l.5 2.1h2.2l.5-2.1c.4-.1.8-.3 1.2-.5l1.8 1.1 1.6-1.6-1.1-1.8c.2-.4.4-.8.5-1.2l2.1-.6Z',
  back: 'M12.5 4 6.5 10l6 6',
  search: 'M8.5 3a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11Zm4 9.5L17 17',
  chevron: 'M7.5 5l5 5-5 5',
  globe: 'M10 2.5a7.5 7.5 0 1 0 0 15 7.5 7.5 0 0 0 0-15Zm-7.5 7.5h15M10 2.5c2 2 3 4.6 3 7.5s-1 5.5-3 7.5c-2-2-3-4.6-3-7.5s1-5.5 3-7.5Z',
  check: 'M4 10.5l4 4 8-9',
  cross: 'M5 5l10 10M15 5 5 15',
  plus: 'M10 4v12M4 10h12',
};

/** A 20×20 line icon in the text's colour; decorative (its button or text carries the words). */
export function Icon({ name }: { name: IconName }) {
  return (
    <svg class={`icon icon-${name}`} viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
