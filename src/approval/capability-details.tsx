// Every requested capability with its own description and a checkbox, grouped by what it risks:
// where the user can narrow the grant. Closed by default; the intents above say what it adds up to.
import { useMemo } from 'preact/hooks';
import { describeCapability, RISK_ORDER, type CapabilityDescription, type Risk } from '../shared/core/capability-description';
import { render, t, type MessageKey } from '../shared/ui/i18n';

export function CapabilityDetails({
  capabilities,
  roomId,
  unchecked,
  onToggle,
}: {
  capabilities: readonly string[];
  roomId: string;
  unchecked: ReadonlySet<string>;
  onToggle: (capability: string, isChecked: boolean) => void;
}) {
  const groups = useMemo(() => {
    const byRisk = new Map<Risk, CapabilityDescription[]>();
    for (const capability of capabilities) {
      const description = describeCapability(capability, roomId || undefined);
      byRisk.set(description.risk, [...(byRisk.get(description.risk) ?? []), description]);
    }
    return RISK_ORDER.filter((risk) => byRisk.has(risk)).map((risk) => ({ risk, items: byRisk.get(risk) ?? [] }));
  }, [capabilities, roomId]);
  const chosen = capabilities.filter((capability) => !unchecked.has(capability)).length;

  return (
    <details id="capability-details" class="details">
      <summary>{t('approvalDetails', String(chosen), String(capabilities.length))}</summary>
      <p class="muted">{t('approvalDetailsHint')}</p>
      <div id="capabilities">
        {groups.map(({ risk, items }) => (
          <fieldset key={risk} data-risk={risk}>
            <legend>{t(`risk_${risk}` as MessageKey)}</legend>
            {items.map((item, index) => {
              const id = `capability-${risk}-${index}`;
              return (
                <div key={item.raw} class="capability">
                  <input
                    type="checkbox"
                    id={id}
                    data-capability={item.raw}
                    checked={!unchecked.has(item.raw)}
                    onChange={(event) => onToggle(item.raw, (event.currentTarget).checked)}
                  />
                  <label for={id} class="inline">
                    {render(item.message)}
                    <code class="raw">{item.raw}</code>
                  </label>
                </div>
              );
            })}
          </fieldset>
        ))}
      </div>
    </details>
  );
}
