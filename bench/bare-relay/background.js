// The floor of P1: a background that answers every widget request at once, with nothing to check,
// store or ask. `supported_api_versions` gets the version list the extension answers (the same
// bytes over the same hops), anything else an empty response.
const SUPPORTED_VERSIONS = [
  '0.0.1',
  '0.0.2',
  'org.matrix.msc2762',
  'org.matrix.msc2762_update_state',
  'org.matrix.msc2871',
  'org.matrix.msc2876',
  'org.matrix.msc2974',
  'org.matrix.msc3819',
  'town.robin.msc3846',
  'org.matrix.msc3869',
  'org.matrix.msc3973',
  'org.matrix.msc4039',
  'org.matrix.msc4515',
  'org.matrix.msc4533',
  'org.matrix.msc4157',
];
chrome.runtime.onConnect.addListener((port) => {
  port.onMessage.addListener(({ relayId, request }) => {
    const response = request.action === 'supported_api_versions' ? { supported_versions: SUPPORTED_VERSIONS } : {};
    port.postMessage({ relayId, request: { ...request, response } });
  });
});
