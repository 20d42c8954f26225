import { h, render } from 'preact';
import { App } from './app.js';

// The page's only script (app.js, built by scripts/build-web.mjs): mounts the workspace.
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(h(App, null), root);
}
