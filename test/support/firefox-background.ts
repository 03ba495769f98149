// Firefox's background is an event page in the extension process, which WebDriver BiDi does not list as
// a browsing context (only tabs). The harness reaches it from the browser's own chrome window instead,
// where BiDi evaluates with system privileges (Firefox launched with --remote-allow-system-access):
// - evaluate: a one-shot frame script in the event page's <browser> runs the expression in the page's
//   global through the Debugger API (as the devtools console does, so the extension's CSP, which forbids
//   eval, does not apply), and posts the JSON of its (awaited) value back;
// - stop: Extension.terminateBackground(), the call Firefox makes itself when the idle timer runs out
//   and behind about:debugging's "Terminate background script".
import type { Browser } from 'puppeteer-core';
import type { ExtensionBackground } from './browser-driver';
import { eventually } from './homeserver';

/** Puppeteer's BiDi connection (public on its BidiBrowser, which the package does not export as a type). */
export type BidiConnection = { send(method: string, params: object): Promise<{ result: unknown }> };
type Evaluated = { type: string; result?: { type: string; value?: unknown }; exceptionDetails?: { text: string } };

/**
 * Runs expressions with system privileges in the browser's chrome window of `browser`; in each, `ext`
 * is extension `geckoId`'s parent-side object (and `policy` its WebExtensionPolicy).
 */
export function privilegedEvaluator(browser: Browser, geckoId: string): <T>(expression: string) => Promise<T> {
  const connection = (browser as unknown as { connection: BidiConnection }).connection;
  let chromeContext: Promise<string> | undefined;
  const chromeWindow = () =>
    (chromeContext ??= connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' }).then(({ result }) => {
      const top = (result as { contexts: { context: string; url: string }[] }).contexts.find((context) =>
        context.url.startsWith('chrome://browser/'),
      );
      if (!top) throw new Error('no chrome window: is Firefox started with --remote-allow-system-access?');
      return top.context;
    }));
  return async <T>(expression: string): Promise<T> => {
    const { result } = await connection.send('script.evaluate', {
      // BiDi hands objects back as its own remote values: JSON is simpler to read.
      expression: `(async () => { const policy = WebExtensionPolicy.getByID(${JSON.stringify(geckoId)}); const ext = policy.extension; return JSON.stringify(await (${expression})); })()`,
      target: { context: await chromeWindow() },
      awaitPromise: true,
      resultOwnership: 'none',
    });
    const evaluated = result as Evaluated;
    if (evaluated.type !== 'success') throw new Error(`privileged evaluation failed: ${evaluated.exceptionDetails?.text ?? 'unknown'}`);
    const json = evaluated.result?.value;
    return (typeof json === 'string' ? JSON.parse(json) : undefined) as T;
  };
}

/** The background of extension `geckoId`, reached through the chrome window of `browser`. */
export function firefoxBackground(browser: Browser, geckoId: string): ExtensionBackground {
  const privileged = privilegedEvaluator(browser, geckoId);
  let calls = 0;

  return {
    async evaluate<T>(expression: string): Promise<T> {
      const reply = `mwb-test:evaluate:${++calls}`;
      const script = `
        const { addDebuggerToGlobal } = ChromeUtils.importESModule('resource://gre/modules/jsdebugger.sys.mjs');
        addDebuggerToGlobal(globalThis);
        (async () => {
          const debuggerApi = new Debugger();
          try {
            const completion = debuggerApi.addDebuggee(content).executeInGlobal(${JSON.stringify(expression)});
            if (!completion) throw new Error('the background was terminated while evaluating');
            if ('throw' in completion) {
              const thrown = completion.throw;
              throw new Error(String(thrown && typeof thrown === 'object' ? thrown.unsafeDereference() : thrown));
            }
            const value = completion.return;
            return value && typeof value === 'object' ? await value.unsafeDereference() : value;
          } finally {
            debuggerApi.removeAllDebuggees();
          }
        })().then(
          (value) => sendAsyncMessage(${JSON.stringify(reply)}, { json: value === undefined ? undefined : JSON.stringify(value) }),
          (error) => sendAsyncMessage(${JSON.stringify(reply)}, { error: String(error) }),
        );`;
      // As in Chromium, a stopped background is waited for, never woken: what wakes it is the extension's.
      const answer = await eventually('a running Firefox background', () =>
        privileged<{ json?: string; error?: string } | undefined>(`ext.backgroundState !== 'running' ? undefined : new Promise((resolve) => {
        const messages = ext._backgroundPageFrameLoader.messageManager;
        // A page terminated while it evaluates never answers: its suspension answers instead.
        const suspended = () => done({ error: 'the background was stopped while evaluating' });
        const listener = ({ data }) => done(data);
        const done = (data) => {
          messages.removeMessageListener(${JSON.stringify(reply)}, listener);
          ext.off('background-script-suspend', suspended);
          resolve(data);
        };
        ext.on('background-script-suspend', suspended);
        messages.addMessageListener(${JSON.stringify(reply)}, listener);
        messages.loadFrameScript('data:,' + encodeURIComponent(${JSON.stringify(script)}), false);
      })`),
      );
      if (answer.error !== undefined) throw new Error(`in the Firefox background: ${answer.error}`);
      return (answer.json === undefined ? undefined : JSON.parse(answer.json)) as T;
    },
    async stop() {
      // One round trip from the call to the termination, so a stop "n ms after a send" lands when asked.
      const outcome = await eventually('a running Firefox background to stop', () =>
        privileged<'stopped' | 'kept' | undefined>(`(async () => {
          if (ext.backgroundState !== 'running') return undefined;
          // The page's browsing context: discarded once the page is really gone, whatever wakes a new one right after.
          const page = ext._backgroundPageFrameLoader.browsingContext;
          // Like about:debugging: open devtools and listeners still running do not hold the page.
          await ext.terminateBackground({ ignoreDevToolsAttached: true, disableResetIdleForTest: true });
          return page.isDiscarded || ext._backgroundPageFrameLoader?.browsingContext !== page ? 'stopped' : 'kept';
        })()`),
      );
      if (outcome !== 'stopped') throw new Error('Firefox kept the background page after terminateBackground');
    },
  };
}
