import { useEffect, useState } from 'preact/hooks';
import { useData, Failure } from '../components/useData.jsx';
import { Status, RunState, STATUSES } from '../components/Status.jsx';
import { query } from '../api.js';
import { href, navigate } from '../router.js';
import { ago, number } from '../format.js';

const COLUMNS = [
  ['name', 'node'],
  ['status', 'status'],
  ['environment', 'environment'],
  [null, 'roles'],
  ['os', 'os'],
  ['last_report', 'last report'],
  [null, 'last run'],
];

// Every filter lives in the URL (#/nodes?status=drifted&role=web&fact=os.release=12&page=2), so a view can be linked.
export function Nodes({ params }) {
  const current = {
    q: params.get('q') ?? '',
    status: params.getAll('status'),
    role: params.get('role') ?? '',
    environment: params.get('environment') ?? '',
    fact: params.getAll('fact'),
    sort: params.get('sort') ?? 'name',
    order: params.get('order') ?? 'asc',
    page: Number(params.get('page') ?? 1),
  };
  const go = (changes) => navigate('/nodes', { ...current, page: 1, ...changes });
  const list = useData(`/api/v1/dashboard/nodes${query({ ...current, page_size: 50 })}`);
  const [search, setSearch] = useState(current.q);
  // The address wins: a link or the Nodes tab replaces whatever was typed.
  useEffect(() => setSearch(current.q), [current.q]);
  useEffect(() => {
    if (search === current.q) return undefined;
    const timer = setTimeout(() => go({ q: search }), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const [factKey, setFactKey] = useState('');
  const [factValue, setFactValue] = useState('');

  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  const toggleStatus = (s) => go({ status: current.status.includes(s) ? current.status.filter((x) => x !== s) : [...current.status, s] });
  const sortBy = (key) => go({ sort: key, order: current.sort === key && current.order === 'asc' ? 'desc' : 'asc', page: current.page });
  const addFact = (event) => {
    event.preventDefault();
    if (!factKey || !factValue) return;
    go({ fact: [...current.fact, `${factKey}=${factValue}`] });
    setFactValue('');
  };

  return (
    <>
      <h1>Nodes</h1>
      <section class="filters">
        <input type="search" placeholder="Search names, roles, IPs" value={search} onInput={(e) => setSearch(e.currentTarget.value)} data-testid="search" />
        <div class="chips" data-testid="status-filter">
          {STATUSES.map((s) => {
            const count = data?.facets.statuses.find((x) => x.status === s)?.count ?? 0;
            return (
              <label class={`chip s-${s} ${current.status.includes(s) ? 'on' : ''}`} key={s}>
                <input type="checkbox" checked={current.status.includes(s)} onChange={() => toggleStatus(s)} data-testid={`status-${s}`} />
                {s} <span class="muted">{number(count)}</span>
              </label>
            );
          })}
        </div>
        <div class="row">
          <select value={current.role} onChange={(e) => go({ role: e.currentTarget.value })} data-testid="role-filter">
            <option value="">any role</option>
            {data?.facets.roles.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
          <select value={current.environment} onChange={(e) => go({ environment: e.currentTarget.value })} data-testid="environment-filter">
            <option value="">any environment</option>
            {data?.facets.environments.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
          <form class="fact" onSubmit={addFact}>
            <select value={factKey} onChange={(e) => setFactKey(e.currentTarget.value)} data-testid="fact-key">
              <option value="">fact…</option>
              {data?.facets.factKeys.map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
            <input placeholder="value or glob" value={factValue} onInput={(e) => setFactValue(e.currentTarget.value)} data-testid="fact-value" />
            <button type="submit" data-testid="fact-add">Add filter</button>
          </form>
        </div>
        {current.fact.length > 0 && (
          <div class="chips">
            {current.fact.map((f) => (
              <button class="chip on" key={f} onClick={() => go({ fact: current.fact.filter((x) => x !== f) })} title="remove this filter">{f} ✕</button>
            ))}
          </div>
        )}
      </section>
      <Failure error={list.error} />
      {data && (
        <>
          <p class="summary">
            <b data-testid="node-total">{number(data.total)}</b> nodes match
            {list.loading && <span class="muted"> · loading…</span>}
          </p>
          <table class="nodes" data-testid="nodes-table">
            <thead>
              <tr>
                {COLUMNS.map(([key, label]) => (
                  <th key={label}>
                    {key ? (
                      <button class="link" onClick={() => sortBy(key)} data-testid={`sort-${key}`}>
                        {label}{current.sort === key ? (current.order === 'asc' ? ' ▲' : ' ▼') : ''}
                      </button>
                    ) : label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.items.map((n) => (
                <tr key={n.name} data-testid="node-row">
                  <td><a href={href(`/nodes/${encodeURIComponent(n.name)}`)} data-testid="node-name">{n.name}</a>{n.connected && <span class="dot" title="watching" />}</td>
                  <td><Status status={n.status} /></td>
                  <td>{n.environment}</td>
                  <td>{n.roles.join(', ')}</td>
                  <td>{n.os} {n.release}</td>
                  <td>{ago(n.lastReportAt)}</td>
                  <td>{n.lastRun ? <><RunState state={n.lastRun.state} /> <span class="muted small">{n.lastRun.changed} changed, {n.lastRun.failed} failed</span></> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager">
            <button disabled={current.page <= 1} onClick={() => go({ page: current.page - 1 })} data-testid="page-prev">‹ previous</button>
            <span data-testid="page-of">page {data.page} of {pages}</span>
            <button disabled={current.page >= pages} onClick={() => go({ page: current.page + 1 })} data-testid="page-next">next ›</button>
          </nav>
        </>
      )}
    </>
  );
}
