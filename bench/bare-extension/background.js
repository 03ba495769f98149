// The bench baseline (P3): a worker that answers every ping at once, with nothing to restore.
chrome.runtime.onConnect.addListener((port) => {
  port.onMessage.addListener((message) => port.postMessage({ pong: message.ping }));
});
