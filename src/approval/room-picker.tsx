// The room picker: the user's joined rooms, searchable by name or ID; the page's hint preselected.
import { useState } from 'preact/hooks';
import type { RoomChoice } from '../shared/protocol/background-to-ui';
import { t } from '../shared/ui/i18n';

function label(room: RoomChoice): string {
  return room.name === room.roomId ? room.roomId : `${room.name} (${room.roomId})`;
}

export function RoomPicker({
  rooms,
  value,
  onChange,
  isFixed,
}: {
  rooms: RoomChoice[];
  value: string;
  onChange: (roomId: string) => void;
  /** The widget asks for more in the room it already has: the room is shown, not chosen. */
  isFixed: boolean;
}) {
  const [query, setQuery] = useState('');
  const needle = query.trim().toLowerCase();
  // The chosen room stays listed while searching, so the select never shows a value it lacks.
  const shown = rooms.filter((room) => room.roomId === value || !needle || label(room).toLowerCase().includes(needle));
  if (isFixed) {
    const room = rooms.find((candidate) => candidate.roomId === value);
    return (
      <div class="room-picker">
        <label for="room">{t('approvalRoom')}</label>
        <output id="room" data-room-id={value}>
          {room ? label(room) : value}
        </output>
      </div>
    );
  }
  return (
    <div class="room-picker">
      <label for="room-search">{t('approvalRoomSearch')}</label>
      <input id="room-search" type="search" value={query} onInput={(event) => setQuery((event.currentTarget).value)} />
      <label for="room">{t('approvalRoom')}</label>
      <select id="room" value={value} onChange={(event) => onChange((event.currentTarget).value)}>
        {shown.map((room) => (
          <option key={room.roomId} value={room.roomId}>
            {label(room)}
          </option>
        ))}
      </select>
    </div>
  );
}
