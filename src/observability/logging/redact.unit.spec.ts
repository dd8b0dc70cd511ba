import { credentialParametersOf, isCredentialParameter, redactSecrets, redactUrl } from './redact';

describe('credentials in URLs (issue #12 item 4)', () => {
  it('takes api keys, tokens, passwords and secrets for credentials, in any spelling', () => {
    for (const name of [
      'api_key',
      'apikey',
      'API-Key',
      'apiKey',
      'x-api-key',
      'key',
      'token',
      'access_token',
      'id_token',
      'password',
      'db_password',
      'client_secret',
      'admin_api_key',
      'api_key[eq]',
      'api%5Fkey',
    ]) {
      expect([name, isCredentialParameter(name)]).toEqual([name, true]);
    }
    for (const name of ['limit', 'cursor', 'q', 'after', 'wait', 'customerId', 'sort', 'keyword', 'monkey']) {
      expect([name, isCredentialParameter(name)]).toEqual([name, false]);
    }
  });

  it('lists the credential parameters of a URL by name, once each', () => {
    expect(credentialParametersOf('/admin/projections?api_key=k1&limit=5&token=t&api_key=k2')).toEqual([
      'api_key',
      'token',
    ]);
    expect(credentialParametersOf('/views/orders?status=shipped')).toEqual([]);
    expect(credentialParametersOf('/views/orders')).toEqual([]);
  });

  it('replaces their values with *** wherever a URL appears in a log line, and nothing else', () => {
    expect(redactUrl('GET /admin/projections?api_key=adm1n-secret-key&limit=5 -> 401')).toBe(
      'GET /admin/projections?api_key=***&limit=5 -> 401',
    );
    expect(redactUrl('/x?limit=5&Access-Token=abc.def;password=p"')).toBe(
      '/x?limit=5&Access-Token=***;password=***"',
    );
    expect(redactSecrets('see https://u:pw@host/p?token=abc')).toBe('see https://u:***@host/p?token=***');
    expect(redactUrl('/views/orders?status=shipped&after=42')).toBe('/views/orders?status=shipped&after=42');
  });
});
