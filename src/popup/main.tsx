// The popup (also opened as a tab on first run, `?view=welcome`).
import { render } from 'preact';
import browser from 'webextension-polyfill';
import { UI_PORT_NAME } from '../shared/protocol/ports';
import { Popup } from './popup';
import { openStatusChannel } from './status-channel';

const statusChannel = openStatusChannel(() => browser.runtime.connect({ name: UI_PORT_NAME }));

const app = document.getElementById('app');
if (app) render(<Popup isWelcome={new URLSearchParams(location.search).get('view') === 'welcome'} statusChannel={statusChannel} />, app);
