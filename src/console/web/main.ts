/**
 * The console's shell: header, key handling and a hash router (#/, #/p/<name>, #/p/<name>/parked,
 * #/plan[/<name>]). The hash never carries the key. Each page polls while it is shown and stops when left.
 */
import { type ApiError, forgetKey, storedKey } from './api';
import { fill, h } from './dom';
import { loginPage } from './views/login';
import { overviewPage } from './views/overview';
import { parkedPage } from './views/parked';
import { planPage } from './views/plan';
import { projectionPage } from './views/projection';
import { describe, type PageContext, type Stop } from './ui';

const main = document.getElementById('main') as HTMLElement;
const connection = document.getElementById('connection') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const forget = document.getElementById('forget-key') as HTMLButtonElement;
let stop: Stop = () => undefined;
let refusal: ApiError | undefined;

const context: PageContext = {
  keyRefused(error) {
    forgetKey();
    refusal = error;
    route();
  },
  connection(error) {
    if (error === null) {
      connection.className = 'connection connection-ok';
      fill(connection, `Updated ${new Date().toLocaleTimeString()}`);
    } else {
      connection.className = 'connection connection-error';
      fill(connection, describe(error).message);
    }
  },
};

function route(): void {
  stop();
  const signedIn = storedKey() !== null;
  nav.hidden = !signedIn;
  forget.hidden = !signedIn;
  if (!signedIn) {
    connection.className = 'connection';
    fill(connection);
    const reason = refusal;
    refusal = undefined;
    stop = loginPage(main, reason, () => route());
    document.title = 'Prism console: admin key';
    return;
  }
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const [page, name, sub] = parts;
  if (page === 'p' && name !== undefined && name !== '') {
    document.title = `${name}: Prism console`;
    stop = sub === 'parked' ? parkedPage(main, context, name) : projectionPage(main, context, name);
  } else if (page === 'plan') {
    document.title = 'Plan: Prism console';
    stop = planPage(main, context, name === '' ? undefined : name);
  } else {
    document.title = 'Projections: Prism console';
    stop = overviewPage(main, context);
  }
  for (const link of nav.querySelectorAll('a')) {
    const current = link.getAttribute('data-page') === (page === 'plan' ? 'plan' : 'overview');
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

forget.addEventListener('click', () => {
  forgetKey();
  location.hash = '#/';
  route();
});
window.addEventListener('hashchange', () => {
  route();
  main.focus();
});
window.addEventListener('error', (event) => {
  // Never a blank page: a bug in the console is shown in words instead.
  fill(
    main,
    h(
      'div',
      { class: 'message message-error', role: 'alert' },
      `The console hit an error: ${event.message}. Reload the page.`,
    ),
  );
});
route();
