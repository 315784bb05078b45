// Stacked bars of change-log entries per time bucket: corrective (drift), intentional, failed.
// Plain SVG: no chart library, nothing fetched at run time.
const SERIES = [
  ['corrective', 'drift (corrective)'],
  ['intentional', 'intentional'],
  ['failed', 'failed'],
];

export function ChangeChart({ buckets, bucketHours }) {
  const width = 760;
  const height = 200;
  const left = 44;
  const bottom = 22;
  const plotWidth = width - left - 8;
  const plotHeight = height - bottom - 8;
  const totals = buckets.map((b) => b.corrective + b.intentional + b.failed);
  const max = Math.max(1, ...totals);
  const step = plotWidth / Math.max(1, buckets.length);
  const bar = Math.max(1, step * 0.8);
  const y = (v) => 8 + plotHeight - (v / max) * plotHeight;
  const labelEvery = Math.max(1, Math.ceil(buckets.length / 7));
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="changes and drift over time" data-testid="change-chart">
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={left} x2={width - 8} y1={y(max * f)} y2={y(max * f)} class="grid" />
            <text x={left - 6} y={y(max * f) + 4} class="axis" text-anchor="end">{Math.round(max * f)}</text>
          </g>
        ))}
        {buckets.map((b, i) => {
          let base = 0;
          const x = left + i * step + (step - bar) / 2;
          return (
            <g key={b.start}>
              <title>{`${new Date(b.start).toISOString().slice(0, 16).replace('T', ' ')}Z +${bucketHours}h: ${b.corrective} corrective on ${b.driftedNodes} nodes, ${b.intentional} intentional, ${b.failed} failed`}</title>
              {SERIES.map(([key]) => {
                const v = b[key];
                if (!v) return null;
                const top = y(base + v);
                const rect = <rect key={key} x={x} y={top} width={bar} height={y(base) - top} class={`bar-${key}`} />;
                base += v;
                return rect;
              })}
              {i % labelEvery === 0 && (
                <text x={x + bar / 2} y={height - 6} class="axis" text-anchor="middle">
                  {new Date(b.start).toISOString().slice(5, bucketHours >= 24 ? 10 : 13).replace('T', ' ')}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        {SERIES.map(([key, label]) => (
          <span key={key} class="legend">
            <i class={`bar-${key}`} /> {label}: <b data-testid={`chart-total-${key}`}>{buckets.reduce((n, b) => n + b[key], 0)}</b>
          </span>
        ))}
        <span class="legend muted">{bucketHours} h per bar</span>
      </figcaption>
    </figure>
  );
}
