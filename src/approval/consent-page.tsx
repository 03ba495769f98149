// The frame every approval shares: who asks (widget and site, prominent), a body that scrolls, and a
// footer that never does, so the decision buttons are on screen whatever the request's length.
import type { ComponentChildren } from 'preact';
import { t } from '../shared/ui/i18n';

export function ConsentPage({
  id,
  purpose,
  eyebrow,
  title,
  subtitle,
  error,
  onSubmit,
  children,
  footer,
}: {
  id: string;
  purpose: string;
  eyebrow: string;
  title: ComponentChildren;
  subtitle: ComponentChildren;
  /** The background's refusal of the last decision, shown above the request. */
  error: string;
  onSubmit: () => void;
  children: ComponentChildren;
  footer: ComponentChildren;
}) {
  return (
    <form
      id={id}
      class="consent"
      data-purpose={purpose}
      aria-labelledby="consent-title"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <header class="consent-head">
        <p class="eyebrow">{eyebrow}</p>
        <h1 id="consent-title">{title}</h1>
        <p class="consent-who">{subtitle}</p>
      </header>
      <div class="consent-body">
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {children}
      </div>
      <footer class="consent-actions">{footer}</footer>
    </form>
  );
}

/**
 * Remember + Deny + the primary action (named per approval): the same in every approval. When the
 * site has more requests waiting, "Deny all" answers them together (with Remember: the site is
 * switched off and asks no more).
 */
export function DecisionBar({
  remember,
  onRemember,
  isArmed,
  canApprove,
  approveLabel,
  onDeny,
  sitePendingCount,
  onDenyAll,
}: {
  remember: boolean;
  onRemember: (value: boolean) => void;
  isArmed: boolean;
  canApprove: boolean;
  approveLabel: string;
  onDeny: () => void;
  sitePendingCount: number;
  onDenyAll: () => void;
}) {
  const offersDenyAll = sitePendingCount > 1;
  return (
    <>
      <label class="inline remember">
        <input id="remember" type="checkbox" checked={remember} onChange={(event) => onRemember((event.currentTarget).checked)} />{' '}
        {t('approvalRemember')}
      </label>
      {offersDenyAll && remember && (
        <p id="deny-all-hint" class="muted small">
          {t('approvalDenyAllHint')}
        </p>
      )}
      <div class="actions">
        {offersDenyAll && (
          <button id="deny-all" type="button" onClick={onDenyAll}>
            {t('approvalDenyAll', String(sitePendingCount))}
          </button>
        )}
        <button id="deny" type="button" disabled={!isArmed} onClick={onDeny}>
          {t('deny')}
        </button>
        <button id="approve" class="primary" type="submit" disabled={!isArmed || !canApprove}>
          {approveLabel}
        </button>
      </div>
    </>
  );
}
