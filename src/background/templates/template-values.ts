// The values a widget URL template is filled with, read from the account's own session: the page
// never supplies one about the user (it cannot know them, and must not choose them).
import type { MatrixClient } from 'matrix-js-sdk';
import browser from 'webextension-polyfill';
import { factsOf, type TemplateFact, type TemplateValues } from '../../shared/core/widget-template';

/** MSC2873's client id: which client hosts the widget. */
export const CLIENT_ID = 'org.matrix.widget_bridge';

export type TemplateContext = {
  client: MatrixClient;
  widgetId: string;
  /** The room the user chose, if the template needs one. */
  roomId: string | null;
  /** The embedding frame's origin (browser-attested). */
  embedderOrigin: string;
  theme: 'light' | 'dark';
};

export type FactValue = { fact: TemplateFact; value: string };

async function profileOf(client: MatrixClient, userId: string): Promise<{ displayName: string; avatarUrl: string }> {
  // The profile is a nicety: with the server slow or the profile private, the user ID stands in,
  // as matrix-widget-api's runTemplate does.
  const profile = await client.getProfileInfo(userId).catch((): { displayname?: string; avatar_url?: string } => ({}));
  const avatarUrl = profile.avatar_url ? (client.mxcUrlToHttp(profile.avatar_url, 96, 96, 'crop') ?? '') : '';
  return { displayName: profile.displayname || userId, avatarUrl };
}

/** The values of every variable the template uses (and only those: no profile read otherwise). */
export async function templateValues(variables: readonly string[], context: TemplateContext): Promise<TemplateValues> {
  const { client } = context;
  const userId = client.getSafeUserId();
  const needsProfile = variables.includes('matrix_display_name') || variables.includes('matrix_avatar_url');
  const profile = needsProfile ? await profileOf(client, userId) : { displayName: userId, avatarUrl: '' };
  return {
    matrix_user_id: userId,
    matrix_display_name: profile.displayName,
    matrix_avatar_url: profile.avatarUrl,
    matrix_room_id: context.roomId ?? '',
    matrix_widget_id: context.widgetId,
    'org.matrix.msc2873.client_id': CLIENT_ID,
    'org.matrix.msc2873.client_theme': context.theme,
    'org.matrix.msc2873.client_language': browser.i18n.getUILanguage(),
    'org.matrix.msc3819.matrix_device_id': client.getDeviceId() ?? '',
    'org.matrix.msc4039.matrix_base_url': client.baseUrl,
    widget_bridge_parent_url: context.embedderOrigin,
  };
}

const VARIABLE_OF_FACT: Record<TemplateFact, string> = {
  userId: 'matrix_user_id',
  displayName: 'matrix_display_name',
  avatarUrl: 'matrix_avatar_url',
  roomId: 'matrix_room_id',
  deviceId: 'org.matrix.msc3819.matrix_device_id',
  homeserver: 'org.matrix.msc4039.matrix_base_url',
  theme: 'org.matrix.msc2873.client_theme',
  language: 'org.matrix.msc2873.client_language',
};

/** What the approval window shows the user: each fact with the value the widget would get. */
export function factValues(variables: readonly string[], values: TemplateValues): FactValue[] {
  return factsOf(variables).map((fact) => ({ fact, value: values[VARIABLE_OF_FACT[fact]] ?? '' }));
}
