// The site page that embeds the toolkit widget (demo/toolkit-widget) by its URL template, as a room's
// widget state event would hold a widget built on @matrix-widget-toolkit/api. Issue #14.

/**
 * The toolkit's registration URL: the widget's directory (with its trailing `/`), the parameters it
 * reads in the `#/?` fragment under the toolkit's names, in the order its
 * `generateWidgetRegistrationUrl` writes them. A Matrix client adds `widgetId` and `parentUrl` to the
 * query itself; the extension adds nothing, so the page asks for them with variables too.
 */
export const TOOLKIT_TEMPLATE_PATH = [
  '/toolkit/?widgetId=$matrix_widget_id&parentUrl=$widget_bridge_parent_url#/?',
  [
    'theme=$org.matrix.msc2873.client_theme',
    'matrix_user_id=$matrix_user_id',
    'matrix_display_name=$matrix_display_name',
    'matrix_avatar_url=$matrix_avatar_url',
    'matrix_room_id=$matrix_room_id',
    'matrix_client_id=$org.matrix.msc2873.client_id',
    'matrix_client_language=$org.matrix.msc2873.client_language',
    'matrix_device_id=$org.matrix.msc3819.matrix_device_id',
    'matrix_base_url=$org.matrix.msc4039.matrix_base_url',
  ].join('&'),
].join('');

function escapeAttribute(value) {
  return value.replace(/[&"<>]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The page: exactly one templated frame; `roomHint` preselects the room in the approval window. */
export function toolkitPage({ widgetOrigin, roomHint }) {
  const room = roomHint ? ` data-matrix-room="${escapeAttribute(roomHint)}"` : '';
  const template = `${widgetOrigin}${TOOLKIT_TEMPLATE_PATH}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Toolkit widget</title></head>
<body style="font:14px system-ui,sans-serif">
<h1>A widget built on the Matrix widget toolkit</h1>
<p>This page embeds a widget written with <code>@matrix-widget-toolkit/api</code>. The page gives only the
widget's URL template; Matrix Widget Bridge fills in who you are and which room, once you agree.</p>
<iframe data-matrix-widget-src="${escapeAttribute(template)}" data-matrix-widget-id="toolkit-demo" data-matrix-widget-name="Toolkit demo"${room} id="toolkit-widget" title="Toolkit widget" width="520" height="480"></iframe>
</body></html>`;
}
