import { useState } from 'preact/hooks';
import { api, token } from '../api.js';

// The same credential as the JSON API: a bearer token (admin or viewer), e.g. DATA_DIR/admin.token.
export function Login({ onSignedIn }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api('/api/v1/dashboard/session', { bearer: value.trim() });
      token.set(value.trim());
      onSignedIn(session);
    } catch (e) {
      setError(e.status === 401 ? 'The master does not know this token.' : e.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form onSubmit={submit} data-testid="login-form">
        <h1>Colabo.Config</h1>
        <p>Sign in with an API token: an admin or viewer token of this master (on the master host, the data dir's <code>admin.token</code>).</p>
        <label>
          API token
          <input type="password" name="token" autocomplete="off" value={value} onInput={(e) => setValue(e.currentTarget.value)} required />
        </label>
        <button type="submit" disabled={busy || !value.trim()}>Sign in</button>
        {error && <p class="error" role="alert" data-testid="login-error">{error}</p>}
        <p class="muted small">The token stays in this browser tab only (session storage) and is sent as an Authorization header.</p>
      </form>
    </main>
  );
}
