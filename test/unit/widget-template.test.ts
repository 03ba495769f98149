import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultWidgetId,
  factConsent,
  factOfConsent,
  factsOf,
  fillTemplate,
  InvalidTemplate,
  isFactConsent,
  parseTemplate,
  TEMPLATE_VARIABLES,
} from '../../src/shared/core/widget-template';
import { TOOLKIT_TEMPLATE_PATH } from '../../demo/toolkit-page.mjs';

const ALL_VALUES = {
  matrix_user_id: '@ann:example.org',
  matrix_display_name: 'Ann',
  matrix_avatar_url: 'https://hs.example.org/_matrix/media/v3/download/example.org/abc',
  matrix_room_id: '!room:example.org',
  matrix_widget_id: 'call-1',
  'org.matrix.msc2873.client_id': 'org.matrix.widget_bridge',
  'org.matrix.msc2873.client_theme': 'dark',
  'org.matrix.msc2873.client_language': 'de',
  'org.matrix.msc3819.matrix_device_id': 'ABCDEFGH',
  'org.matrix.msc4039.matrix_base_url': 'https://hs.example.org',
  widget_bridge_parent_url: 'https://news.example.com',
};

describe('fillTemplate', () => {
  it.each(Object.entries(ALL_VALUES))('fills $%s, URL-encoded', (name, value) => {
    const filled = fillTemplate(`https://w.example/app?v=$${name}&x=1`, ALL_VALUES);
    expect(new URL(filled).searchParams.get('v')).toBe(value);
    expect(filled).toBe(`https://w.example/app?v=${encodeURIComponent(value)}&x=1`);
  });

  it('fills every variable Element Call reads from its fragment', () => {
    const template =
      'https://call.example/room#?widgetId=$matrix_widget_id&userId=$matrix_user_id&deviceId=$org.matrix.msc3819.matrix_device_id&roomId=$matrix_room_id&baseUrl=$org.matrix.msc4039.matrix_base_url&parentUrl=$widget_bridge_parent_url';
    const filled = new URL(fillTemplate(template, ALL_VALUES));
    const params = new URLSearchParams(filled.hash.slice(2));
    expect(Object.fromEntries(params)).toEqual({
      widgetId: 'call-1',
      userId: '@ann:example.org',
      deviceId: 'ABCDEFGH',
      roomId: '!room:example.org',
      baseUrl: 'https://hs.example.org',
      parentUrl: 'https://news.example.com',
    });
  });

  it('fills the toolkit widget template: widgetId and parentUrl in the query, the matrix_* parameters in its #/? fragment', () => {
    const filled = new URL(fillTemplate(`https://w.example${TOOLKIT_TEMPLATE_PATH}`, ALL_VALUES));
    expect(filled.pathname).toBe('/toolkit/');
    expect(Object.fromEntries(filled.searchParams)).toEqual({ widgetId: 'call-1', parentUrl: 'https://news.example.com' });
    // @matrix-widget-toolkit/api reads the fragment from its first `?` on.
    expect(filled.hash.startsWith('#/?')).toBe(true);
    expect(Object.fromEntries(new URLSearchParams(filled.hash.slice(filled.hash.indexOf('?') + 1)))).toEqual({
      theme: 'dark',
      matrix_user_id: '@ann:example.org',
      matrix_display_name: 'Ann',
      matrix_avatar_url: ALL_VALUES.matrix_avatar_url,
      matrix_room_id: '!room:example.org',
      matrix_client_id: 'org.matrix.widget_bridge',
      matrix_client_language: 'de',
      matrix_device_id: 'ABCDEFGH',
      matrix_base_url: 'https://hs.example.org',
    });
    expect(parseTemplate(`https://w.example${TOOLKIT_TEMPLATE_PATH}`).variables.sort()).toEqual(Object.keys(TEMPLATE_VARIABLES).sort());
  });

  it('keeps a value from adding parameters, a fragment or a path', () => {
    const hostile = { ...ALL_VALUES, matrix_display_name: '&x=1#"<script>/../../evil?y=2', matrix_room_id: '!a%2F:hs/..' };
    const filled = new URL(fillTemplate('https://w.example/app?name=$matrix_display_name&room=$matrix_room_id', hostile));
    expect([...filled.searchParams.keys()]).toEqual(['name', 'room']);
    expect(filled.searchParams.get('name')).toBe(hostile.matrix_display_name);
    expect(filled.searchParams.get('room')).toBe(hostile.matrix_room_id);
    expect(filled.hash).toBe('');
    expect(filled.pathname).toBe('/app');
  });

  it('leaves unknown variables, variables without a value and lookalikes as they are', () => {
    const values = { matrix_user_id: '@ann:example.org' };
    expect(fillTemplate('https://w.example/?a=$matrix_unknown&b=$matrix_room_id&c=$$matrix_user_id&d=$', values)).toBe(
      'https://w.example/?a=$matrix_unknown&b=$matrix_room_id&c=$%40ann%3Aexample.org&d=$',
    );
  });

  it('never fills the origin or the path, so the widget stays the same widget', () => {
    const template = 'https://w.example/$matrix_user_id/app?u=$matrix_user_id';
    const filled = fillTemplate(template, ALL_VALUES);
    expect(filled).toBe('https://w.example/$matrix_user_id/app?u=%40ann%3Aexample.org');
    expect(parseTemplate(template).variables).toEqual(['matrix_user_id']);
  });

  it('takes the longest variable name', () => {
    expect(fillTemplate('https://w.example/?a=$matrix_room_id_suffix', ALL_VALUES)).toBe('https://w.example/?a=!room%3Aexample.org_suffix');
  });

  it('keeps origin and path whatever the values (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (userId, roomId) => {
        const filled = new URL(fillTemplate('https://w.example/a/b?u=$matrix_user_id#r=$matrix_room_id', { matrix_user_id: userId, matrix_room_id: roomId }));
        return filled.origin === 'https://w.example' && filled.pathname === '/a/b' && filled.searchParams.get('u') === userId && [...filled.searchParams.keys()].length === 1;
      }),
    );
  });
});

describe('parseTemplate', () => {
  it('gives the widget URL and the variables used', () => {
    expect(parseTemplate('https://w.example:8443/app/?u=$matrix_user_id&r=$matrix_room_id&u2=$matrix_user_id#t=$org.matrix.msc2873.client_theme')).toEqual({
      widgetUrl: 'https://w.example:8443/app/',
      widgetOrigin: 'https://w.example:8443',
      variables: ['matrix_user_id', 'matrix_room_id', 'org.matrix.msc2873.client_theme'],
    });
  });

  it.each(['/relative?u=$matrix_user_id', 'javascript:alert(1)', 'data:text/html,hi', 'https://user:pw@w.example/', 'not a url', `https://w.example/?${'a'.repeat(5000)}`])(
    'refuses %j',
    (template) => {
      expect(() => parseTemplate(template)).toThrow(InvalidTemplate);
    },
  );
});

describe('facts', () => {
  it('names what the variables give away, who you are first', () => {
    expect(factsOf(['matrix_room_id', 'matrix_widget_id', 'org.matrix.msc4039.matrix_base_url', 'org.matrix.msc3819.matrix_device_id', 'matrix_user_id'])).toEqual([
      'userId',
      'deviceId',
      'homeserver',
      'roomId',
    ]);
    expect(factsOf(['matrix_widget_id', 'widget_bridge_parent_url', 'org.matrix.msc2873.client_id'])).toEqual([]);
  });

  it('gives every variable that tells about the user a consent of its own, which reads back', () => {
    for (const fact of Object.values(TEMPLATE_VARIABLES)) {
      if (fact === null) continue;
      expect(isFactConsent(factConsent(fact))).toBe(true);
      expect(factOfConsent(factConsent(fact))).toBe(fact);
    }
    expect(isFactConsent('m.send.event:m.room.message')).toBe(false);
    expect(factOfConsent('org.matrix.widget_bridge.url_fact:password')).toBeUndefined();
  });
});

describe('defaultWidgetId', () => {
  it('is stable per widget URL and differs between widgets', () => {
    expect(defaultWidgetId('https://w.example/app')).toBe(defaultWidgetId('https://w.example/app'));
    expect(defaultWidgetId('https://w.example/app')).not.toBe(defaultWidgetId('https://w.example/other'));
    expect(defaultWidgetId('https://w.example/app')).toMatch(/^widget-bridge-[0-9a-f]{8}$/);
  });
});
