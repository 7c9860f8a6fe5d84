import { render } from 'preact';
import { App } from './app.js';
import { html } from './ui.js';
import './styles.css';

render(html`<${App} />`, document.getElementById('app'));

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
    // no service worker (a private window, an old browser): the app works online only
  });
}
