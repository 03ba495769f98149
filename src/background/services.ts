// The background's long-lived parts, built once per worker lifetime. Module state is only a
// cache: everything here can be rebuilt from IndexedDB and storage.session after a stopped worker.
import { keyValueStore } from './adapters/database';
import { ApprovalQueue } from './approvals/approval-queue';
import { AuditLog } from './grants/audit-log';
import { GrantStore } from './grants/grant-store';
import { SiteSettings } from './grants/site-settings';
import { loadCryptoWasm } from './session/crypto/crypto-wasm';
import { Accounts } from './session/accounts';
import { AccountSessions } from './session/session-store';
import { OidcClientStore } from './session/login/oidc-client-store';
import { readSession, removeSession, sessionKeys, writeSession } from './adapters/session-storage';
import { HostRecords } from './widgets/host/host-record';
import { HostRegistry } from './widgets/host/host-registry';
import { FrameChallenges } from './widgets/frames/frame-challenges';
import { FrameSlots } from './widgets/frames/frame-slots';
import type { ListFrames } from './widgets/frames/frame-attestation';
import { listFrames } from './adapters/web-navigation';
import { UiPorts } from './ui-ports';
import { TemplateLoads } from './templates/template-loads';

export type Services = {
  accounts: Accounts;
  grants: GrantStore;
  sites: SiteSettings;
  audit: AuditLog;
  approvals: ApprovalQueue;
  hosts: HostRegistry;
  hostRecords: HostRecords;
  /** Nonces that tell each widget port which frame it is for (frame attestation). */
  frameChallenges: FrameChallenges;
  /** Widget frames taken per tab (one host each, at most 32) and each frame's last commit. */
  frameSlots: FrameSlots;
  /** The tab's frames as the browser lists them (webNavigation). */
  listFrames: ListFrames;
  /** Open extension pages, told when the status changes by itself. */
  uiPorts: UiPorts;
  /** The extension's registrations with OpenID services (OIDC-native login). */
  oidcClients: OidcClientStore;
  /** Widget URL templates filled after the user's consent, for their frames to claim. */
  templateLoads: TemplateLoads;
};

let services: Services | undefined;

export function getServices(): Services {
  if (!services) {
    const grants = new GrantStore(keyValueStore('grants'), keyValueStore('bindings'));
    const hosts = new HostRegistry();
    // Sync covers only the rooms the grants reach (issue #8), and follows them as they change.
    const session = new Accounts(new AccountSessions(keyValueStore('session')), {
      persistence: 'indexeddb',
      loadCrypto: loadCryptoWasm,
      syncScope: (userId) => grants.syncScope(userId),
      hasUnrecordedPushes: () => hosts.hasUnrecordedPushes(),
      isBackedUp: () => hosts.isBackedUp(),
    });
    grants.onChange(() => void session.syncScopeChanged());
    // The homeserver ended the active account's session: its widgets stop before another account can
    // become active (they reconnect and ask again, as after a logout). Its grants stay (accounts.ts).
    session.onActiveAccountEnded(() => hosts.closeAll('The homeserver ended this session'));
    session.onLiveEvent((roomId, event, userId) => hosts.deliver(roomId, event, userId));
    session.onToDeviceEvent((event, userId) => hosts.deliverToDevice(event, userId));
    const hostRecords = new HostRecords({ read: readSession, write: writeSession, remove: removeSession, keys: sessionKeys });
    // Widgets live before the previous worker stopped get the events synced before they are back.
    hosts.expectReturning(hostRecords.frameKeys());
    const uiPorts = new UiPorts();
    session.onStatusChange(() => uiPorts.statusChanged());
    services = {
      accounts: session,
      grants,
      sites: new SiteSettings(keyValueStore('sites')),
      audit: new AuditLog(keyValueStore('audit')),
      approvals: new ApprovalQueue(),
      hosts,
      hostRecords,
      frameChallenges: new FrameChallenges(),
      uiPorts,
      frameSlots: new FrameSlots(hosts),
      listFrames,
      oidcClients: new OidcClientStore(keyValueStore('session')),
      templateLoads: new TemplateLoads({ read: readSession, write: writeSession, remove: removeSession, keys: sessionKeys }),
    };
  }
  return services;
}
