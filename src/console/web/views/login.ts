/**
 * The admin key form. The key is checked by one call to the admin API before it is kept (sessionStorage:
 * gone when the tab closes); a refused key is said so in words and not kept.
 */
import { api, ApiError, forgetKey, storeKey } from '../api';
import { fill, h } from '../dom';
import { errorBox, infoBox } from '../ui';

export function loginPage(main: HTMLElement, reason: ApiError | undefined, opened: () => void): () => void {
  const input = h('input', {
    id: 'admin-key',
    name: 'admin-key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'admin-key-help',
  });
  const message = h('div', { 'aria-live': 'assertive' }, reason === undefined ? null : errorBox(reason));
  const submit = h('button', { type: 'submit' }, 'Open the console');
  const open = async (event: Event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key === '') {
      fill(message, errorBox(new Error('Enter the admin key first.')));
      return;
    }
    submit.disabled = true;
    fill(message, infoBox('Checking the key…'));
    storeKey(key);
    try {
      await api('GET', '/admin/console/overview');
      opened();
    } catch (error) {
      if (error instanceof ApiError && error.status !== 0 && error.status !== 503) forgetKey();
      fill(message, errorBox(error));
      submit.disabled = false;
      input.focus();
    }
  };
  fill(
    main,
    h('h1', {}, 'Prism console'),
    h(
      'form',
      { class: 'login', onsubmit: (event) => void open(event) },
      h('label', { for: 'admin-key' }, 'Admin key'),
      input,
      h(
        'p',
        { id: 'admin-key-help', class: 'muted' },
        'An admin key from PRISM_API_KEYS. It stays in this tab only (sessionStorage) and is sent as an ' +
          'Authorization header, never in a URL.',
      ),
      submit,
    ),
    message,
  );
  input.focus();
  return () => undefined;
}
