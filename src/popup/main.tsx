// The popup (also opened as a tab on first run, `?view=welcome`).
import { render } from 'preact';
import browser from 'webextension-polyfill';
import { UI_PORT_NAME } from '../shared/protocol/ports';
import { Popup } from './popup';

// Keeps the background syncing while the popup is open; the background says on it when the status changed.
const statusPort = browser.runtime.connect({ name: UI_PORT_NAME });

const app = document.getElementById('app');
if (app) render(<Popup isWelcome={new URLSearchParams(location.search).get('view') === 'welcome'} statusPort={statusPort} />, app);
