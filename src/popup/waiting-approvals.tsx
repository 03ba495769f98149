// Requests waiting for the user that did not open a window by themselves: their tab was in the
// background, or their site kept asking after denials. Review opens the next one now.
import { useState } from 'preact/hooks';
import { askBackground } from '../shared/ui/background-client';
import { Button } from '../shared/ui/components';
import { t } from '../shared/ui/i18n';

export function WaitingApprovals({ count }: { count: number }) {
  const [error, setError] = useState('');
  const review = async () => {
    const reply = await askBackground({ kind: 'reviewApprovals' });
    if (reply.ok) window.close();
    else setError(reply.error.message);
  };
  return (
    <p id="waiting-approvals" class="notice" role="status">
      {t('approvalsWaiting', String(count))}{' '}
      <Button id="review-approvals" variant="primary" size="small" onClick={() => void review()}>
        {t('approvalsReview')}
      </Button>
      {error && <span role="alert"> {error}</span>}
    </p>
  );
}
