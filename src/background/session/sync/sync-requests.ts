// Which of the client's requests are /sync requests, for the fetch wrappers around js-sdk's syncs
// (sync-peek.ts, sync-hold.ts).

/** The request's URL when it is a /sync of the client API, else undefined. */
export function clientSyncUrl(input: RequestInfo | URL): URL | undefined {
  try {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return /\/_matrix\/client\/[^/]+\/sync$/.test(url.pathname) ? url : undefined;
  } catch {
    return undefined;
  }
}
