// Plain-words descriptions of capabilities for the approval window and the popup. Pure.
import { parseCapability, type Capability } from './capability';

export type Risk = 'read' | 'send' | 'state' | 'timeline' | 'other';

export type CapabilityDescription = { raw: string; risk: Risk; text: string };

function describeParsed(capability: Capability): { risk: Risk; text: string } {
  switch (capability.kind) {
    case 'timeline':
      return capability.roomId === '*'
        ? { risk: 'timeline', text: 'See events in every room you are in' }
        : { risk: 'timeline', text: `See events in another room (${capability.roomId})` };
    case 'other':
      return { risk: 'other', text: `Unrecognised permission "${capability.raw}"` };
    case 'event': {
      const { direction, isState, eventType, refinement } = capability;
      if (isState) {
        const key = refinement === undefined ? 'any state key' : `state key "${refinement}"`;
        return direction === 'send'
          ? { risk: 'state', text: `Change room settings of type ${eventType} (${key}) as you` }
          : { risk: 'read', text: `See room settings of type ${eventType} (${key})` };
      }
      if (eventType === 'm.room.message') {
        const what = refinement === undefined ? 'messages' : `${refinement} messages`;
        return direction === 'send'
          ? { risk: 'send', text: `Send ${what} in the room as you` }
          : { risk: 'read', text: `See ${what} in the room` };
      }
      return direction === 'send'
        ? { risk: 'send', text: `Send ${eventType} events in the room as you` }
        : { risk: 'read', text: `See ${eventType} events in the room` };
    }
  }
}

/** Describes a capability string in words a user can judge. */
export function describeCapability(raw: string): CapabilityDescription {
  return { raw, ...describeParsed(parseCapability(raw)) };
}
