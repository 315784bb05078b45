import { useEffect, useState } from 'preact/hooks';
import { api, token, whenUnauthorized } from './api.js';
import { useRoute } from './router.js';
import { Login } from './pages/Login.jsx';
import { Overview } from './pages/Overview.jsx';
import { Nodes } from './pages/Nodes.jsx';
import { Node } from './pages/Node.jsx';
import { Drift } from './pages/Drift.jsx';

export function App() {
  const [session, setSession] = useState(null);
  const [checking, setChecking] = useState(Boolean(token.get()));
  const route = useRoute();

  const signOut = () => { token.clear(); setSession(null); };

  useEffect(() => {
    whenUnauthorized(signOut);
    if (!token.get()) return;
    api('/api/v1/dashboard/session')
      .then(setSession)
      .catch(() => token.clear())
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <main class="loading">Checking your session…</main>;
  if (!session) return <Login onSignedIn={setSession} />;

  const [, section, name] = route.path.split('/');
  let page;
  if (section === 'nodes' && name) page = <Node name={decodeURIComponent(name)} session={session} params={route.params} />;
  else if (section === 'nodes') page = <Nodes params={route.params} />;
  else if (section === 'drift') page = <Drift params={route.params} />;
  else page = <Overview />;

  const tab = (target, label) => (
    <a href={`#/${target}`} class={(section ?? '') === target ? 'active' : ''}>{label}</a>
  );
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">Colabo.Config</a>
        <nav>
          {tab('', 'Overview')}
          {tab('nodes', 'Nodes')}
          {tab('drift', 'Drift')}
        </nav>
        <span class="who" data-testid="session">
          {session.name} · <b>{session.role}</b>
        </span>
        <button class="link" onClick={signOut} data-testid="sign-out">Sign out</button>
      </header>
      <main>{page}</main>
    </>
  );
}
