import { describe, expect, it } from 'vitest';
import { grantKey, isOnSite, siteOf, widgetUrlOf } from '../../src/shared/core/widget-identity';

describe('widget identity', () => {
  it('names the embedding frame when it is not the top site', () => {
    expect(siteOf('https://news.example', 'https://news.example')).toBe('https://news.example');
    expect(siteOf('https://news.example', 'https://ads.example')).toBe('https://news.example › https://ads.example');
  });

  it('keeps nested widgets on their top site for the site switch, and apart for grants', () => {
    const nested = siteOf('https://news.example', 'https://ads.example');
    expect(isOnSite(nested, 'https://news.example')).toBe(true);
    expect(isOnSite('https://news.example.evil', 'https://news.example')).toBe(false);
    const identity = { account: '@a:hs', widgetUrl: 'https://w.example/w', widgetId: 'w' };
    expect(grantKey({ ...identity, siteOrigin: nested }, '!r:hs')).not.toBe(grantKey({ ...identity, siteOrigin: 'https://news.example' }, '!r:hs'));
  });

  it('drops query and fragment from the widget URL (widgets carry per-user data there)', () => {
    expect(widgetUrlOf('https://w.example/app/index.html?widgetId=x&token=y#z')).toBe('https://w.example/app/index.html');
  });
});
