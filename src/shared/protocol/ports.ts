// Names of runtime ports; the background tells contexts apart by name and by sender.
export const WIDGET_PORT_NAME = 'widget-frame';
export const UI_PORT_NAME = 'extension-ui';
/** One per iframe that carries a widget URL template, from its embedder's content script. */
export const TEMPLATE_PORT_NAME = 'widget-template';
