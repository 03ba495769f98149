// Relays the page's pings to the worker over a port, reconnecting (and so waking it) when needed.
let port;
function connected() {
  if (!port) {
    port = chrome.runtime.connect();
    port.onMessage.addListener((message) => window.postMessage({ bench: 'pong', id: message.pong }, '*'));
    port.onDisconnect.addListener(() => {
      port = undefined;
    });
  }
  return port;
}
window.addEventListener('message', (event) => {
  if (event.source !== window || !event.data || event.data.bench !== 'ping') return;
  try {
    connected().postMessage({ ping: event.data.id });
  } catch {
    port = undefined;
    connected().postMessage({ ping: event.data.id });
  }
});
