// Values the global setup hands to tests (vitest `provide` / `inject`).
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    homeserverUrl: string;
    registrationSecret: string;
    /** Where the run's Synapse stores: `sqlite` or `postgres <major version>`. */
    homeserverDatabase: string;
    /** The local MatrixRTC JWT service stand-in that Synapse advertises as its LiveKit transport. */
    livekitServiceUrl: string;
    siteOrigin: string;
    secondSiteOrigin: string;
    widgetOrigin: string;
    chromeExtensionDir: string;
    firefoxExtensionDir: string;
  }
}
