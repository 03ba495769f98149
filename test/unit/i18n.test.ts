// Every message key the code uses exists in _locales/en, and every capability description renders.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCapability, type Message } from '../../src/shared/core/capability-description';
import messages from '../../public/_locales/en/messages.json';

const SRC = path.resolve(import.meta.dirname, '../../src');

function files(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(path.join(folder, entry.name)) : [path.join(folder, entry.name)],
  );
}

function keysOf(message: Message): string[] {
  return [message.key, ...message.substitutions.flatMap((part) => (typeof part === 'string' ? [] : keysOf(part)))];
}

describe('messages', () => {
  it('has every key passed to t() in the sources', () => {
    const used = files(SRC)
      .filter((file) => /\.tsx?$/.test(file))
      .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\b(?:t|tWith)\('([A-Za-z_]+)'/g)].map((match) => match[1]));
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((key) => !(key! in messages))).toEqual([]);
  });

  it('has every key a capability description can produce', () => {
    const samples = [
      'm.send.event:m.room.message', 'm.send.event:m.room.message#m.text', 'm.receive.event:m.room.message',
      'm.receive.event:m.room.message#m.notice', 'm.send.event:m.reaction', 'm.receive.event:m.reaction', 'm.send.event:m.room.redaction',
      'm.send.state_event:m.room.topic', 'm.receive.state_event:m.room.member#@a:b', 'm.timeline:*',
      'm.timeline:!r:hs', 'm.always_on_screen', 'org.matrix.msc3819.send.to_device:org.example',
      'm.receive.to_device:org.example', 'org.matrix.msc3973.user_directory_search', 'org.matrix.msc4039.upload_file',
      'org.matrix.msc4039.download_file', 'org.matrix.msc1960.get_openid',
      'org.matrix.msc4157.send.delayed_event', 'org.matrix.msc4157.update_delayed_event',
      'org.matrix.msc4407.send.sticky_event', 'org.matrix.msc4407.receive.sticky_event', 'org.matrix.msc4515.rtc_transports',
      'org.matrix.msc4533.rtc_livekit_get_token', 'org.matrix.msc4533.rtc_livekit_delegate_delayed_leave',
      'com.beeper.capabilities.receive.room_account_data:org.example', 'town.robin.msc3846.turn_servers',
      ...['userId', 'displayName', 'avatarUrl', 'roomId', 'deviceId', 'homeserver', 'theme', 'language'].map((fact) => `org.matrix.widget_bridge.url_fact:${fact}`),
      'm.capability.screenshot', 'm.sticker', 'org.matrix.msc2931.navigate', 'io.element.requires_client', 'com.beeper.capabilities.send.room_account_data:org.example',
    ];
    const keys = samples.flatMap((raw) => keysOf(describeCapability(raw).message));
    expect(keys.filter((key) => !(key in messages))).toEqual([]);
  });

  it('declares a placeholder for every $NAME$ it uses', () => {
    const problems = Object.entries(messages).flatMap(([key, value]) => {
      const used = [...value.message.matchAll(/\$([A-Z_]+)\$/g)].map((match) => match[1]!.toLowerCase());
      const declared = Object.keys((value as { placeholders?: Record<string, unknown> }).placeholders ?? {});
      return used.filter((name) => !declared.includes(name)).map((name) => `${key}: ${name}`);
    });
    expect(problems).toEqual([]);
  });
});
