// Widget URL templates: the `$variable`s Matrix clients fill in a widget's URL before loading it
// (matrix-widget-api's runTemplate, MSC2873, MSC3819, MSC4039), and what each one tells the widget
// and the embedding page about the user. Pure: the background supplies the values.

/** What a filled variable tells others about the user; `null`: nothing about the user. */
export type TemplateFact = 'userId' | 'displayName' | 'avatarUrl' | 'roomId' | 'deviceId' | 'homeserver' | 'theme' | 'language';

/**
 * Every variable the extension fills, and the fact each one gives away. The names are the ones
 * matrix-widget-api's runTemplate fills (element-web uses it), plus one of ours for the embedding
 * page's origin: Matrix clients write their own URL into `parentUrl` literally, and a site owner
 * should not have to hard-code theirs.
 */
export const TEMPLATE_VARIABLES: Readonly<Record<string, TemplateFact | null>> = {
  matrix_user_id: 'userId',
  matrix_display_name: 'displayName',
  matrix_avatar_url: 'avatarUrl',
  matrix_room_id: 'roomId',
  matrix_widget_id: null,
  'org.matrix.msc2873.client_id': null,
  'org.matrix.msc2873.client_theme': 'theme',
  'org.matrix.msc2873.client_language': 'language',
  'org.matrix.msc3819.matrix_device_id': 'deviceId',
  'org.matrix.msc4039.matrix_base_url': 'homeserver',
  widget_bridge_parent_url: null,
};

export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;
export type TemplateValues = Partial<Record<string, string>>;

/** Facts in the order the approval window names them: who you are first. */
export const FACT_ORDER: readonly TemplateFact[] = ['userId', 'displayName', 'avatarUrl', 'deviceId', 'homeserver', 'roomId', 'language', 'theme'];

/** Longest names first, so `$matrix_room_id_x` can never be read as a shorter variable plus text. */
const NAMES_LONGEST_FIRST = Object.keys(TEMPLATE_VARIABLES).sort((a, b) => b.length - a.length);

/** Longer templates are refused: no real widget URL comes near it, and it bounds what is stored. */
export const MAX_TEMPLATE_LENGTH = 4096;

export type ParsedTemplate = {
  /** Origin + path: the widget's identity, which filling never changes. */
  widgetUrl: string;
  widgetOrigin: string;
  /** The known variables the template uses, each once. */
  variables: string[];
};

export class InvalidTemplate extends Error {}

/**
 * Where filling may happen: after the path. Variables in the origin or path stay as they are, so no
 * value can move the widget to another origin or path (its identity, under which grants are kept).
 */
function splitAtQuery(template: string): { head: string; tail: string } {
  const index = template.search(/[?#]/);
  return index < 0 ? { head: template, tail: '' } : { head: template.slice(0, index), tail: template.slice(index) };
}

/** Checks a template a page offered and lists the variables it uses. Throws InvalidTemplate. */
export function parseTemplate(template: string): ParsedTemplate {
  if (template.length > MAX_TEMPLATE_LENGTH) throw new InvalidTemplate('The widget URL is too long');
  let url: URL;
  try {
    url = new URL(template);
  } catch {
    throw new InvalidTemplate('The widget URL is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidTemplate('The widget URL must be http or https');
  if (url.username || url.password) throw new InvalidTemplate('The widget URL must not carry a user name or password');
  const variables = new Set<string>();
  forEachVariable(splitAtQuery(template).tail, (name) => variables.add(name));
  return { widgetUrl: `${url.origin}${url.pathname}`, widgetOrigin: url.origin, variables: [...variables] };
}

function forEachVariable(text: string, onVariable: (name: string, index: number) => void): void {
  for (let index = text.indexOf('$'); index >= 0; index = text.indexOf('$', index + 1)) {
    const name = NAMES_LONGEST_FIRST.find((candidate) => text.startsWith(candidate, index + 1));
    if (name !== undefined) onVariable(name, index);
  }
}

/**
 * Fills the known variables after the path, each value URL-encoded as one component (so a value can
 * add no parameter, fragment or path); unknown `$names` and variables without a value stay as they are.
 */
export function fillTemplate(template: string, values: TemplateValues): string {
  const { widgetUrl } = parseTemplate(template);
  const { head, tail } = splitAtQuery(template);
  let filled = '';
  let copiedUpTo = 0;
  forEachVariable(tail, (name, index) => {
    const value = values[name];
    if (value === undefined) return;
    filled += tail.slice(copiedUpTo, index) + encodeURIComponent(value);
    copiedUpTo = index + 1 + name.length;
  });
  const result = head + filled + tail.slice(copiedUpTo);
  // Belt and braces: the filled URL is the same widget.
  const parsed = new URL(result);
  if (`${parsed.origin}${parsed.pathname}` !== widgetUrl) throw new InvalidTemplate('Filling the template changed the widget URL');
  return result;
}

/** The facts a template's variables give away, in the window's order. */
export function factsOf(variables: readonly string[]): TemplateFact[] {
  const facts = new Set(variables.map((name) => TEMPLATE_VARIABLES[name]).filter((fact): fact is TemplateFact => fact != null));
  return FACT_ORDER.filter((fact) => facts.has(fact));
}

/**
 * The name under which the user's consent to give a widget one fact through its URL is remembered,
 * among the widget's decisions (like OpenID's). A widget can never request it as a capability.
 */
export function factConsent(fact: TemplateFact): string {
  return `${FACT_CONSENT_PREFIX}${fact}`;
}

const FACT_CONSENT_PREFIX = 'org.matrix.widget_bridge.url_fact:';

/** Whether a capability string names one of these consents (see `factConsent`). */
export function isFactConsent(capability: string): boolean {
  return capability.startsWith(FACT_CONSENT_PREFIX);
}

/** The fact a consent string names, if it is one. */
export function factOfConsent(capability: string): TemplateFact | undefined {
  if (!isFactConsent(capability)) return undefined;
  const fact = capability.slice(FACT_CONSENT_PREFIX.length) as TemplateFact;
  return FACT_ORDER.includes(fact) ? fact : undefined;
}

/**
 * A widget id for a page that gave none: stable for one template (so remembered decisions find
 * it again), and telling nothing about the user.
 */
export function defaultWidgetId(widgetUrl: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < widgetUrl.length; index++) {
    hash ^= widgetUrl.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `widget-bridge-${hash.toString(16).padStart(8, '0')}`;
}
