// The floor of P1: the page's content script takes a child frame's fromWidget request, sends it to
// the background over one port, and posts the reply back into that frame. The same hops as the
// extension's relay (page ↔ content script ↔ background), none of its checks.
let port;
let nextId = 0;
/** Requests in flight: the frame each came from, by the id the port carries. */
const senders = new Map();
function connected() {
  if (!port) {
    port = chrome.runtime.connect();
    port.onMessage.addListener(({ relayId, request }) => {
      const sender = senders.get(relayId);
      senders.delete(relayId);
      sender?.source.postMessage(request, sender.origin);
    });
    port.onDisconnect.addListener(() => {
      port = undefined;
    });
  }
  return port;
}
window.addEventListener('message', (event) => {
  const data = event.data;
  if (!event.isTrusted || event.source === window || !data || data.api !== 'fromWidget' || data.response) return;
  const relayId = ++nextId;
  senders.set(relayId, { source: event.source, origin: event.origin });
  connected().postMessage({ relayId, request: data });
});
