// watch_turn_servers / unwatch_turn_servers (MSC3846): the homeserver's TURN credentials for widgets
// that place calls, pushed as update_turn_servers now and again before they expire.
import { Method } from 'matrix-js-sdk';
import { request, type Homeserver } from '../actions/room-actions';
import { WidgetRequestRefused } from '../actions/widget-errors';

export type TurnServer = { uris: string[]; username: string; password: string };

/** Credentials are refreshed this long before their time to live runs out. */
const REFRESH_MARGIN_S = 60;

export async function fetchTurnServer(homeserver: Homeserver): Promise<{ server: TurnServer; ttlSeconds: number }> {
  const response = await request<{ uris?: string[]; username?: string; password?: string; ttl?: number }>(homeserver, Method.Get, '/voip/turnServer');
  if (!response.uris?.length || !response.username || !response.password) {
    throw new WidgetRequestRefused('Your homeserver offers no TURN servers');
  }
  return { server: { uris: response.uris, username: response.username, password: response.password }, ttlSeconds: response.ttl ?? 3600 };
}

/** Pushes credentials and keeps them fresh until stopped. */
export class TurnServerWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly homeserver: () => Promise<Homeserver>,
    private readonly push: (server: TurnServer) => void,
  ) {}

  /**
   * Throws (a refusal the widget sees) when the homeserver has no TURN servers. The first push waits
   * a task, so the reply to watch_turn_servers goes out before it: matrix-widget-api only takes
   * update_turn_servers once its watch request was answered, and drops one that comes earlier.
   */
  async start(): Promise<void> {
    const { server, ttlSeconds } = await fetchTurnServer(await this.homeserver());
    this.timer = setTimeout(() => {
      this.push(server);
      this.schedule(ttlSeconds);
    }, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ttlSeconds: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.homeserver()
        .then(fetchTurnServer)
        .then(({ server, ttlSeconds: next }) => {
          this.push(server);
          this.schedule(next);
        })
        .catch(() => this.schedule(REFRESH_MARGIN_S));
    }, Math.max(REFRESH_MARGIN_S, ttlSeconds - REFRESH_MARGIN_S) * 1000);
  }
}
