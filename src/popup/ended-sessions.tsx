// Tells the user which accounts' sessions the homeserver ended (their device was removed or logged
// out elsewhere, or the sign-in expired for good). One notice per account, until the user logs in
// again as that account (the background forgets it then) or dismisses it here.
import { useState } from 'preact/hooks';
import type { BridgeStatus } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { Button } from '../shared/ui/components';
import { t } from '../shared/ui/i18n';

export function EndedSessions({ status, onStatus }: { status: BridgeStatus; onStatus: (status: BridgeStatus) => void }) {
  const [error, setError] = useState('');
  if (status.endedSessions.length === 0) return null;

  const dismiss = async (userId: string) => {
    setError('');
    const reply = await askBackground({ kind: 'dismissEndedSession', userId });
    if (reply.ok) onStatus(reply.value);
    else setError(reply.error.message);
  };

  return (
    <section id="ended-sessions" aria-label={t('endedSessionsLabel')}>
      {status.endedSessions.map((ended) => (
        <div key={ended.userId} class="notice session-ended" role="alert" data-user-id={ended.userId}>
          <p>{t('sessionEnded', ended.userId)}</p>
          <Button size="small" class="dismiss-ended" onClick={() => void dismiss(ended.userId)}>
            {t('dismissNotice')}
          </Button>
        </div>
      ))}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
