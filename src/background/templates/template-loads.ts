// The template loads the background filled: which embedder frame asked, for which widget, and the
// room the user chose. The frame's relay names its load when it announces the frame, and the host
// uses that room only if the attested frame is the one the load was filled for. Kept in
// storage.session too, so a worker stopped between the fill and the widget's load loses nothing.
import * as v from 'valibot';
import type { AttestedFrame } from '../widgets/frames/frame-attestation';

const TemplateLoad = v.object({
  loadId: v.string(),
  account: v.string(),
  tabId: v.number(),
  /** The frame whose content script asked for the fill (the widget frame's parent). */
  embedderFrameId: v.number(),
  widgetSite: v.string(),
  widgetUrl: v.string(),
  widgetId: v.string(),
  roomId: v.nullable(v.string()),
  /** Set once a widget frame took the load: no other frame can use it after that. */
  frameId: v.nullable(v.number()),
  createdAt: v.number(),
});
export type TemplateLoad = v.InferOutput<typeof TemplateLoad>;

/** Loads not taken by then are dropped; a page that asks again gets a new one. */
const UNTAKEN_LOAD_LIFETIME_MS = 10 * 60_000;
/** Per worker and in storage.session: a page cannot grow this without bound. */
const MAX_LOADS = 64;
const KEY_PREFIX = 'templateLoad:';

export type SessionArea = {
  read(key: string): Promise<unknown>;
  write(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
  keys(): Promise<string[]>;
};

export class TemplateLoads {
  private readonly order: string[] = [];

  constructor(
    private readonly area: SessionArea,
    private readonly now: () => number = Date.now,
  ) {}

  async add(load: Omit<TemplateLoad, 'frameId' | 'createdAt'>): Promise<TemplateLoad> {
    const stored: TemplateLoad = { ...load, frameId: null, createdAt: this.now() };
    this.order.push(stored.loadId);
    while (this.order.length > MAX_LOADS) void this.area.remove(KEY_PREFIX + (this.order.shift() ?? ''));
    await this.area.write(KEY_PREFIX + stored.loadId, stored);
    return stored;
  }

  /**
   * The load a relay named for `frame`, relayed by `relayFrameId`, if it was filled for exactly that
   * embedder, site, widget and account; the first frame to take it keeps it (its own reloads too).
   */
  async take(loadId: string, frame: AttestedFrame, relayFrameId: number, account: string): Promise<TemplateLoad | undefined> {
    const parsed = v.safeParse(TemplateLoad, await this.area.read(KEY_PREFIX + loadId));
    if (!parsed.success) return undefined;
    const load = parsed.output;
    const isForFrame =
      load.account === account &&
      load.tabId === frame.tabId &&
      load.embedderFrameId === relayFrameId &&
      load.widgetSite === frame.widgetSite &&
      load.widgetUrl === frame.widgetUrl &&
      (load.frameId === null ? this.now() - load.createdAt < UNTAKEN_LOAD_LIFETIME_MS : load.frameId === frame.frameId);
    if (!isForFrame) return undefined;
    if (load.frameId === null) await this.area.write(KEY_PREFIX + loadId, { ...load, frameId: frame.frameId });
    return load;
  }

  /** Drops the loads of a closed tab. */
  async forgetTab(tabId: number): Promise<void> {
    for (const key of await this.area.keys()) {
      if (!key.startsWith(KEY_PREFIX)) continue;
      const parsed = v.safeParse(TemplateLoad, await this.area.read(key));
      if (!parsed.success || parsed.output.tabId === tabId) await this.area.remove(key);
    }
  }
}
