export const STATUSES = ['failing', 'drifted', 'pending', 'unresponsive', 'revoked', 'new', 'converged'];

export const Status = ({ status }) => <span class={`status s-${status}`}>{status}</span>;

export const RunState = ({ state }) => <span class={`status s-${state || 'new'}`}>{state || '—'}</span>;
