// Verifying this device, in the popup: the recovery key, emoji comparison with another of the
// user's devices (either may start), or first-time set-up for an account without cross-signing.
// Keys typed here go to the background once; the new recovery key is shown once and kept nowhere.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BridgeStatus, SessionStatus, VerificationView } from '../shared/protocol/background-to-ui';
import { askBackground } from '../shared/ui/background-client';
import { Button } from '../shared/ui/components';
import { t } from '../shared/ui/i18n';

/** How often the popup looks for incoming requests and the other device's progress. */
const POLL_MS = 700;

type SecretFormProps = { inputId: string; label: string; autocomplete: string; buttonId: string; buttonLabel: string; isBusy: boolean; onSecret: (secret: string) => void };

/** One secret (a recovery key, the account password) typed and sent once: the field is emptied on submit. */
function SecretForm({ inputId, label, autocomplete, buttonId, buttonLabel, isBusy, onSecret }: SecretFormProps) {
  const submit = (event: Event) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem(inputId) as HTMLInputElement;
    const secret = input.value;
    input.value = '';
    onSecret(secret);
  };
  return (
    <form onSubmit={submit} class="stacked-form">
      <label class="field" for={inputId}>
        {label}
      </label>
      <input id={inputId} class="input" name={inputId} type="password" autocomplete={autocomplete} required />
      <Button id={buttonId} type="submit" variant="primary" disabled={isBusy}>
        {buttonLabel}
      </Button>
    </form>
  );
}

type Props = { encryption: NonNullable<SessionStatus['encryption']>; onStatus: (status: BridgeStatus) => void; refresh: () => Promise<void> };

export function DeviceVerification({ encryption, onStatus, refresh }: Props) {
  const [view, setView] = useState<VerificationView | undefined>();
  const [error, setError] = useState('');
  const [isBusy, setBusy] = useState(false);
  const [newRecoveryKey, setNewRecoveryKey] = useState('');
  const isVerified = useRef(encryption.isDeviceVerified);
  isVerified.current = encryption.isDeviceVerified;

  useEffect(() => {
    let lastPhase = '';
    const poll = async () => {
      const reply = await askBackground({ kind: 'getVerification' });
      if (!reply.ok) return;
      setView(reply.value);
      if (reply.value.phase === 'done' && lastPhase !== 'done') void refresh();
      // The other device's signature reaches this one shortly after 'done', and a restore takes a
      // while: the status line follows until the device shows as verified.
      if ((reply.value.phase === 'done' || reply.value.backupRestore) && !isVerified.current) {
        const status = await askBackground({ kind: 'getStatus' });
        if (status.ok) onStatus(status.value);
      }
      lastPhase = reply.value.phase;
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(timer);
  }, [refresh, onStatus]);

  const run = async <T,>(ask: () => Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>, onDone: (value: T) => void) => {
    setBusy(true);
    setError('');
    const reply = await ask();
    setBusy(false);
    if (reply.ok) onDone(reply.value);
    else setError(reply.error.message);
  };

  const useRecoveryKey = (recoveryKey: string) => void run(() => askBackground({ kind: 'verifyWithRecoveryKey', recoveryKey }), onStatus);

  const setUp = (password: string) =>
    void run(() => askBackground({ kind: 'setUpEncryption', password }), (value) => {
      setNewRecoveryKey(value.recoveryKey);
      onStatus(value.status);
    });

  const verification = view && view.phase !== 'none' ? view : undefined;
  return (
    <div id="verification">
      {newRecoveryKey && (
        <div class="notice">
          <p>{t('newRecoveryKeyIntro')}</p>
          <code id="new-recovery-key">{newRecoveryKey}</code>
        </div>
      )}
      {encryption.isReady && !encryption.isDeviceVerified && encryption.hasCrossSigning && (
        <>
          <SecretForm inputId="recovery-key" label={t('recoveryKeyLabel')} autocomplete="off" buttonId="use-recovery-key" buttonLabel={t('useRecoveryKey')} isBusy={isBusy} onSecret={useRecoveryKey} />
          <p class="muted small or-line">{t('orOtherDevice')}</p>
          <Button id="request-verification" disabled={isBusy} onClick={() => void run(() => askBackground({ kind: 'requestVerification' }), setView)}>
            {t('verifyWithOtherDevice')}
          </Button>
        </>
      )}
      {encryption.isReady && encryption.hasCrossSigning === false && (
        <SecretForm inputId="setup-password" label={t('setUpPasswordLabel')} autocomplete="current-password" buttonId="set-up-encryption" buttonLabel={t('setUpEncryption')} isBusy={isBusy} onSecret={setUp} />
      )}
      {verification && <VerificationProgress view={verification} onView={setView} />}
      {view?.backupRestore && (
        <p id="backup-progress" data-finished={String(view.backupRestore.isFinished)} role="status">
          {view.backupRestore.isFinished
            ? t('backupRestored')
            : t('backupRestoring', String(view.backupRestore.done), String(view.backupRestore.total))}
        </p>
      )}
      {error && (
        <p id="verification-error" class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function VerificationProgress({ view, onView }: { view: VerificationView; onView: (view: VerificationView) => void }) {
  const answer = (isMatch: boolean) => void askBackground({ kind: 'confirmEmoji', isMatch }).then((reply) => reply.ok && onView(reply.value));
  return (
    <div id="verification-progress" data-phase={view.phase}>
      {view.phase === 'requested' && !view.initiatedByMe && (
        <>
          <p>{t('verificationIncoming', view.otherDeviceId ?? '?')}</p>
          <Button id="accept-verification" variant="primary" onClick={() => void askBackground({ kind: 'acceptVerification' }).then((reply) => reply.ok && onView(reply.value))}>
            {t('acceptVerification')}
          </Button>
        </>
      )}
      {view.phase === 'requested' && view.initiatedByMe && <p>{t('verificationWaiting')}</p>}
      {view.emoji && view.phase === 'started' && (
        <>
          <p>{t('compareEmoji')}</p>
          <ol id="sas-emoji" class="emoji">
            {view.emoji.map((item) => (
              <li key={item.name} data-name={item.name}>
                <span aria-hidden="true">{item.symbol}</span> {item.name}
              </li>
            ))}
          </ol>
          <div class="actions">
            <Button id="emoji-match" variant="primary" onClick={() => answer(true)}>
              {t('emojiMatch')}
            </Button>
            <Button id="emoji-mismatch" variant="danger" onClick={() => answer(false)}>
              {t('emojiMismatch')}
            </Button>
          </div>
        </>
      )}
      {view.phase === 'done' && <p>{t('verificationDone')}</p>}
      {view.failure && (
        <p id="verification-failure" class="error">
          {view.failure}
        </p>
      )}
      {(view.phase === 'requested' || view.phase === 'ready' || view.phase === 'started') && (
        <Button id="cancel-verification" variant="quiet" onClick={() => void askBackground({ kind: 'cancelVerification' }).then((reply) => reply.ok && onView(reply.value))}>
          {t('cancel')}
        </Button>
      )}
    </div>
  );
}
