import { useData, Failure } from '../components/useData.jsx';
import { ChangeChart } from '../components/ChangeChart.jsx';
import { href } from '../router.js';
import { ago, number, short, when } from '../format.js';

export function Overview() {
  const overview = useData('/api/v1/dashboard/overview?days=7');
  const repo = useData('/api/v1/status');
  const o = overview.data;
  return (
    <>
      <h1>Fleet overview</h1>
      <Failure error={overview.error} />
      {o && (
        <>
          <section class="cards" data-testid="status-counts">
            <a class="card total" href="#/nodes">
              <span class="label">nodes</span>
              <span class="value" data-testid="count-total">{number(o.total)}</span>
              <span class="muted small">{number(o.connected)} connected</span>
            </a>
            {o.statuses.map((s) => (
              <a class={`card c-${s.status}`} href={href('/nodes', { status: s.status })} key={s.status}>
                <span class="label">{s.status}</span>
                <span class="value" data-testid={`count-${s.status}`}>{number(s.count)}</span>
              </a>
            ))}
          </section>
          <section class="panel">
            <h2>Changes and drift, last {o.days} days</h2>
            <ChangeChart buckets={o.changes} bucketHours={o.bucketHours} />
          </section>
          <div class="columns">
            <section class="panel">
              <h2>Drifting most</h2>
              {o.topDrift.length === 0 ? <p class="muted">No drift in the last {o.days} days.</p> : (
                <table data-testid="top-drift">
                  <thead><tr><th>resource</th><th>role</th><th class="num">corrective</th><th class="num">nodes</th><th>last</th></tr></thead>
                  <tbody>
                    {o.topDrift.map((r) => (
                      <tr key={r.resourceId + r.role}>
                        <td><a href={href('/drift', { resource: r.resourceId })}>{r.resourceId}</a></td>
                        <td>{r.role}</td>
                        <td class="num">{number(r.corrective)}</td>
                        <td class="num">{number(r.nodes)}</td>
                        <td>{ago(r.lastAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section class="panel" data-testid="repo-status">
              <h2>Role repository</h2>
              <Failure error={repo.error} />
              {repo.data && <RepoStatus status={repo.data} />}
            </section>
          </div>
          <p class="muted small">As of {when(o.generatedAt)}.</p>
        </>
      )}
    </>
  );
}

function RepoStatus({ status }) {
  if (!status.repo) return <p class="muted">No role repository configured (<code>--repo</code>).</p>;
  return (
    <>
      <p><code>{status.repo}</code></p>
      {status.environments.length === 0 && <p class="muted">Nothing fetched yet.</p>}
      {status.environments.map((e) => (
        <div class="environment" key={e.environment}>
          <h3>{e.environment}</h3>
          <dl>
            <dt>published</dt><dd data-testid={`published-${e.environment}`}><code>{short(e.publishedCommit) || '—'}</code> {e.publishedAt && <span class="muted">{ago(e.publishedAt)}</span>}</dd>
            <dt>head</dt><dd><code>{short(e.headCommit)}</code> {e.lastFetchAt && <span class="muted">fetched {ago(e.lastFetchAt)}</span>}</dd>
          </dl>
          {e.lastFailedCommit && (
            <div class="compile-error" data-testid={`compile-error-${e.environment}`}>
              <p><b>Commit <code>{short(e.lastFailedCommit)}</code> did not compile</b>; nodes keep the last good catalog.</p>
              <ul>
                {(e.lastErrors ?? []).slice(0, 10).map((x, i) => (
                  <li key={i}><code>{x.file}:{x.line}:{x.column}</code> {x.message}{x.node && <span class="muted"> ({x.node})</span>}</li>
                ))}
              </ul>
            </div>
          )}
        </div>
      ))}
    </>
  );
}
