// The floor of P1: a background that answers every widget request at once, with nothing to check,
// store or ask. `supported_api_versions` gets a version list, anything else an empty response.
chrome.runtime.onConnect.addListener((port) => {
  port.onMessage.addListener(({ relayId, request }) => {
    const response = request.action === 'supported_api_versions' ? { supported_versions: ['0.0.1', '0.0.2'] } : {};
    port.postMessage({ relayId, request: { ...request, response } });
  });
});
