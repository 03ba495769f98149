// Anti-clickjacking: the decision buttons arm only after a delay and while the window has focus,
// so a click aimed at the page before this window appeared cannot land on "Allow".
import { useEffect, useState } from 'preact/hooks';
import { APPROVAL_ARM_DELAY_MS } from '../shared/protocol/background-to-ui';

export function useArmedAfterFocus(isReady: boolean): boolean {
  const [isArmed, setArmed] = useState(false);
  useEffect(() => {
    if (!isReady) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const armSoon = () => {
      clearTimeout(timer);
      timer = setTimeout(() => setArmed(document.hasFocus()), APPROVAL_ARM_DELAY_MS);
    };
    const disarm = () => {
      clearTimeout(timer);
      setArmed(false);
    };
    armSoon();
    window.addEventListener('focus', armSoon);
    window.addEventListener('blur', disarm);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('focus', armSoon);
      window.removeEventListener('blur', disarm);
    };
  }, [isReady]);
  return isArmed;
}
