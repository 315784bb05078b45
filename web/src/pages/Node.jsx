import { useState } from 'preact/hooks';
import { useData, Failure } from '../components/useData.jsx';
import { Status, RunState } from '../components/Status.jsx';
import { api } from '../api.js';
import { ago, short, when } from '../format.js';

export function Node({ name, session }) {
  const node = useData(`/api/v1/dashboard/nodes/${encodeURIComponent(name)}`);
  const d = node.data;
  return (
    <>
      <p class="crumbs"><a href="#/nodes">Nodes</a> ›</p>
      <h1 data-testid="node-title">{name}</h1>
      <Failure error={node.error} />
      {d && (
        <>
          <section class="panel head">
            <Status status={d.node.status} />
            <span>environment <b>{d.node.environment}</b></span>
            <span>roles <b data-testid="node-roles">{d.node.roles.join(', ') || '—'}</b></span>
            <span>last report <b>{ago(d.node.lastReportAt)}</b></span>
            <span>last seen <b>{ago(d.node.lastSeenAt)}</b></span>
            <span>{d.node.connected ? 'watching' : 'not connected'}</span>
            {session.role === 'admin' && <RunNow name={name} />}
          </section>
          <div class="columns">
            <section class="panel">
              <h2>Facts</h2>
              <table class="kv" data-testid="facts">
                <tbody>{d.facts.map((f) => <tr key={f.key}><th>{f.key}</th><td>{f.value}</td></tr>)}</tbody>
              </table>
            </section>
            <section class="panel">
              <h2>Resources, last known state</h2>
              <table data-testid="resource-states">
                <thead><tr><th>resource</th><th>role</th><th>status</th><th>last change</th></tr></thead>
                <tbody>
                  {d.resources.map((r) => (
                    <tr key={r.resourceId}>
                      <td>{r.resourceId}</td><td>{r.role}</td><td>{r.status}</td>
                      <td>{r.lastChangeClass ? <><span class={`class c-${r.lastChangeClass}`}>{r.lastChangeClass}</span> {ago(r.lastChangedAt)}</> : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
          <section class="panel">
            <h2>Report timeline</h2>
            <Timeline name={name} runs={d.runs} />
          </section>
          <section class="panel">
            <h2>Catalog {d.catalog && <span class="muted small">{short(d.catalog.hash)} · commit <code>{short(d.catalog.commit)}</code></span>}</h2>
            {d.catalog ? <Catalog catalog={d.catalog} /> : <p class="muted">No catalog served to this node yet.</p>}
          </section>
        </>
      )}
    </>
  );
}

// Admins only; the master checks the role again (a viewer's POST gets 403).
function RunNow({ name }) {
  const [noop, setNoop] = useState(false);
  const [result, setResult] = useState(null);
  const run = async () => {
    setResult(null);
    try {
      const answer = await api('/api/v1/RunNow', { method: 'POST', body: { selector: name, mode: noop ? 'RUN_MODE_NOOP' : 'RUN_MODE_ENFORCE' } });
      setResult({ ok: true, text: `Run requested on ${(answer.nodes ?? []).join(', ') || 'no node'}.` });
    } catch (e) {
      setResult({ ok: false, text: e.message });
    }
  };
  return (
    <span class="run-now">
      <label><input type="checkbox" checked={noop} onChange={(e) => setNoop(e.currentTarget.checked)} /> noop</label>
      <button onClick={run} data-testid="run-now">Run now</button>
      {result && <span class={result.ok ? 'ok' : 'error'} data-testid="run-now-result">{result.text}</span>}
    </span>
  );
}

function Timeline({ name, runs }) {
  const [open, setOpen] = useState(null);
  if (runs.length === 0) return <p class="muted">No report yet.</p>;
  return (
    <ol class="timeline" data-testid="timeline">
      {runs.map((r) => (
        <li key={r.runId} class={`run s-${r.state}`}>
          <button class="link run-line" onClick={() => setOpen(open === r.runId ? null : r.runId)} data-testid="run">
            <RunState state={r.state} /> <span>{when(r.finishedAt)}</span>
            <span class="muted">{r.mode}</span>
            <span>{r.total} resources: {r.inSync} in sync, {r.changed} changed ({r.corrective} corrective, {r.intentional} intentional){r.wouldChange ? `, ${r.wouldChange} would change` : ''}{r.failed ? `, ${r.failed} failed` : ''}{r.skipped ? `, ${r.skipped} skipped` : ''}</span>
          </button>
          {r.error && <p class="error">{r.error}</p>}
          {open === r.runId && <RunOutcomes name={name} runId={r.runId} />}
        </li>
      ))}
    </ol>
  );
}

function RunOutcomes({ name, runId }) {
  const run = useData(`/api/v1/dashboard/nodes/${encodeURIComponent(name)}/runs/${encodeURIComponent(runId)}`);
  if (run.error) return <Failure error={run.error} />;
  if (!run.data) return <p class="muted">loading…</p>;
  if (run.data.outcomes.length === 0) return <p class="muted">Every resource was in sync.</p>;
  return (
    <div class="outcomes" data-testid="outcomes">
      {run.data.outcomes.map((o) => (
        <div class="outcome" key={o.resourceId}>
          <p><b>{o.resourceId}</b> <span class="muted">{o.role}</span> {o.status} {o.class && <span class={`class c-${o.class}`}>{o.class}</span>} {o.message && <span class="muted">{o.message}</span>}</p>
          {o.changes.length > 0 && (
            <table class="diff">
              <thead><tr><th>property</th><th>before</th><th>after</th></tr></thead>
              <tbody>
                {o.changes.map((c) => (
                  <tr key={c.property}>
                    <td>{c.property}</td>
                    <td class="before"><pre>{c.before ?? '(absent)'}</pre></td>
                    <td class="after"><pre>{c.after ?? '(absent)'}</pre></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </div>
  );
}

function Catalog({ catalog }) {
  return (
    <div class="catalog" data-testid="catalog">
      {catalog.resources.map((r) => (
        <details key={r.id}>
          <summary><b>{r.id}</b> <span class="muted">{r.role}</span></summary>
          <table class="kv">
            <tbody>
              {r.properties.map((p) => (
                <tr key={p.name}><th>{p.name}</th><td class={p.secret ? 'secret' : ''}><pre>{p.value}</pre></td></tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
    </div>
  );
}
