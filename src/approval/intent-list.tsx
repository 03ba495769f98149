// What the widget will be able to do, as sentences computed from everything it would be granted,
// most far-reaching first. The raw capabilities are one click away (capability-details.tsx).
import { useMemo } from 'preact/hooks';
import { describeIntents, type Intent } from '../shared/core/capability-intents';
import { render, t, type MessageKey } from '../shared/ui/i18n';

function itemsText(intent: Intent): string {
  return intent.items.map((item) => (typeof item === 'string' ? item : render(item))).join(t('listSeparator'));
}

export function IntentList({ capabilities, roomId }: { capabilities: readonly string[]; roomId: string }) {
  const intents = useMemo(() => describeIntents(capabilities, roomId || undefined), [capabilities, roomId]);
  if (intents.length === 0) return <p class="muted">{t('approvalNothingChosen')}</p>;
  return (
    <ul id="intents" class="intents">
      {intents.map((intent) => (
        <li key={intent.id} class="intent" data-intent={intent.id} data-tone={intent.tone}>
          <span class="tone">{t(`tone_${intent.tone}` as MessageKey)}</span>
          <span class="intent-text">
            <strong>{render(intent.message)}</strong>
            {intent.items.length > 0 && <span class="intent-items">{itemsText(intent)}</span>}
          </span>
        </li>
      ))}
    </ul>
  );
}
