// Values the global setup hands to tests (vitest `provide` / `inject`).
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    homeserverUrl: string;
    registrationSecret: string;
    siteOrigin: string;
    secondSiteOrigin: string;
    widgetOrigin: string;
    chromeExtensionDir: string;
    firefoxExtensionDir: string;
  }
}
