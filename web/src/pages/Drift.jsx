import { useData, Failure } from '../components/useData.jsx';
import { href, navigate } from '../router.js';
import { ago, number } from '../format.js';

const WINDOWS = [1, 7, 30];

export function Drift({ params }) {
  const days = Number(params.get('days') ?? 7);
  const role = params.get('role') ?? '';
  const resource = params.get('resource') ?? '';
  const go = (changes) => navigate('/drift', { days, role, resource, ...changes });
  const drift = useData(`/api/v1/dashboard/drift?days=${days}&role=${encodeURIComponent(role)}&resource=${encodeURIComponent(resource)}`);
  const d = drift.data;
  return (
    <>
      <h1>Drift</h1>
      <section class="filters row">
        <span>last</span>
        {WINDOWS.map((w) => (
          <button key={w} class={`chip ${w === days ? 'on' : ''}`} onClick={() => go({ days: w })}>{w} {w === 1 ? 'day' : 'days'}</button>
        ))}
        {role && <button class="chip on" onClick={() => go({ role: '' })} data-testid="role-chip">role {role} ✕</button>}
      </section>
      <Failure error={drift.error} />
      {d && (
        <>
          <section class="panel">
            <h2>Resources that drift most{role && ` in role ${role}`}</h2>
            <p class="muted small">Corrective: the desired state did not change, the host drifted and the agent changed it back. Intentional: a new catalog changed it.</p>
            {d.resources.length === 0 ? <p class="muted">No changes in this window.</p> : (
              <table data-testid="drift-resources">
                <thead><tr><th>resource</th><th>role</th><th class="num">corrective</th><th class="num">intentional</th><th class="num">failed</th><th class="num">drifted nodes</th><th>last</th></tr></thead>
                <tbody>
                  {d.resources.map((r) => (
                    <tr key={r.resourceId + r.role} class={r.resourceId === resource ? 'selected' : ''}>
                      <td><a href={href('/drift', { days, role, resource: r.resourceId })} data-testid="drift-resource">{r.resourceId}</a></td>
                      <td><a href={href('/drift', { days, role: r.role, resource })}>{r.role}</a></td>
                      <td class="num">{number(r.corrective)}</td>
                      <td class="num">{number(r.intentional)}</td>
                      <td class="num">{number(r.failed)}</td>
                      <td class="num">{number(r.nodes)}</td>
                      <td>{ago(r.lastAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          {resource && (
            <section class="panel">
              <h2>On which nodes: <code>{resource}</code> <span class="muted small">{d.nodes.length === 200 ? 'the 200 with most changes' : `${d.nodes.length} nodes`}</span></h2>
              <div class="scroll">
              <table data-testid="drift-nodes">
                <thead><tr><th>node</th><th class="num">corrective</th><th class="num">intentional</th><th class="num">failed</th><th>last</th></tr></thead>
                <tbody>
                  {d.nodes.map((n) => (
                    <tr key={n.node}>
                      <td><a href={href(`/nodes/${encodeURIComponent(n.node)}`)}>{n.node}</a></td>
                      <td class="num">{number(n.corrective)}</td>
                      <td class="num">{number(n.intentional)}</td>
                      <td class="num">{number(n.failed)}</td>
                      <td>{ago(n.lastAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              </div>
            </section>
          )}
          <section class="panel">
            <h2>Per role</h2>
            <table data-testid="drift-roles">
              <thead><tr><th>role</th><th class="num">nodes</th><th class="num">drifted nodes</th><th class="num">corrective</th><th class="num">intentional</th><th class="num">failed</th></tr></thead>
              <tbody>
                {d.roles.map((r) => (
                  <tr key={r.role}>
                    <td><a href={href('/drift', { days, role: r.role })}>{r.role || '(none)'}</a></td>
                    <td class="num">{number(r.nodes)}</td>
                    <td class="num">{number(r.driftedNodes)}</td>
                    <td class="num">{number(r.corrective)}</td>
                    <td class="num">{number(r.intentional)}</td>
                    <td class="num">{number(r.failed)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </>
  );
}
