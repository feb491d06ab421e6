/**
 * The History view's charts: finished jobs per hour or day stacked by outcome (uPlot, on a canvas,
 * coloured from the theme's CSS variables and redrawn when the theme changes), and categorical bars
 * (plain SVG in buttons: failures by printer, by reason, time to print per printer). Every bar is a
 * button or a click target that picks its jobs for the list below.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import '../history/history.css';
import { t } from '../i18n/messages';
import { formatInt } from '../i18n/format';
import { OUTCOMES, type Bucket, type BucketSize, type HistoryPick, type Outcome } from '../history/aggregate';
import { formatBucket } from '../history/format';

/** The colour of each outcome in the theme (the same variables as the state badges). */
const OUTCOME_VARS: Record<Outcome, string> = { completed: '--ok', failed: '--danger', canceled: '--warn', other: '--fg-muted' };

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** Bumps when the theme may have changed: the window's choice or the system's light/dark. */
function useThemeVersion(theme: string): string {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const bump = () => setVersion((v) => v + 1);
    media.addEventListener('change', bump);
    return () => media.removeEventListener('change', bump);
  }, []);
  return `${theme}:${version}`;
}

/** Which outcome's segment a value on the y axis falls in, stacked completed, failed, canceled, other. */
function segmentAt(counts: Bucket['counts'], y: number): Outcome | undefined {
  let top = 0;
  for (const o of OUTCOMES) {
    top += counts[o];
    if (y <= top && counts[o] > 0) return o;
  }
  return undefined;
}

export function JobsChart(props: { buckets: Bucket[]; bucket: BucketSize; theme: string; onPick: (pick: HistoryPick) => void; onDrawn: () => void }) {
  const host = useRef<HTMLDivElement>(null);
  const themeVersion = useThemeVersion(props.theme);
  const latest = useRef(props);
  latest.current = props;
  useEffect(() => {
    const el = host.current;
    if (!el || !props.buckets.length) return;
    const { buckets } = props;
    const xs = buckets.map((b) => (b.start + b.end) / 2000);
    // Stacked bars: each series is drawn from zero to its running total, the topmost first.
    const stacks: number[][] = [];
    const order = [...OUTCOMES].reverse();
    for (const o of order) stacks.push(buckets.map((b) => OUTCOMES.slice(0, OUTCOMES.indexOf(o) + 1).reduce((n, k) => n + b.counts[k], 0)));
    const muted = cssVar('--fg-muted');
    const grid = cssVar('--border');
    const bars = uPlot.paths.bars!({ size: [0.8, 48], align: 0 });
    let drawn = false;
    const chart = new uPlot(
      {
        width: Math.max(320, el.clientWidth || 640),
        height: 180,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        // Each bar fills its own hour or day: the first starts at the left edge, the last ends at the right.
        scales: { x: { time: true, range: () => [buckets[0]!.start / 1000, buckets.at(-1)!.end / 1000] }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
        axes: [
          { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
          { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? formatInt(v) : '')) },
        ],
        series: [{}, ...order.map((o) => ({ label: t.historyOutcomes[o], fill: cssVar(OUTCOME_VARS[o]), stroke: cssVar(OUTCOME_VARS[o]), width: 0, paths: bars, points: { show: false } }))],
        hooks: {
          draw: [
            () => {
              if (drawn) return;
              drawn = true;
              latest.current.onDrawn();
            },
          ],
        },
      },
      [xs, ...stacks],
      el,
    );
    const click = () => {
      const i = chart.cursor.idx;
      if (i === null || i === undefined) return;
      const b = latest.current.buckets[i];
      if (!b) return;
      const top = chart.cursor.top;
      const y = top === undefined || top < 0 ? undefined : chart.posToVal(top, 'y');
      latest.current.onPick({ kind: 'bucket', start: b.start, end: b.end, outcome: y === undefined ? undefined : segmentAt(b.counts, y) });
    };
    chart.over.addEventListener('click', click);
    const resize = new ResizeObserver(() => {
      const w = Math.max(320, el.clientWidth);
      if (w !== chart.width) chart.setSize({ width: w, height: 180 });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.over.removeEventListener('click', click);
      chart.destroy();
    };
    // Redrawn only when its data, bucket size or theme change.
  }, [props.buckets, props.bucket, themeVersion]);
  const total = props.buckets.reduce((n, b) => n + b.counts.completed + b.counts.failed + b.counts.canceled + b.counts.other, 0);
  return (
    <figure class="history-figure">
      <figcaption>{t.historyJobsPer(props.bucket)}</figcaption>
      <div class="history-chart" ref={host} role="img" aria-label={t.historyJobsChartLabel(props.bucket, formatInt(props.buckets.length), formatInt(total))} data-testid="history-jobs-chart" data-buckets={props.buckets.length} />
      <ul class="history-legend plain" aria-hidden="true">
        {OUTCOMES.map((o) => (
          <li key={o}>
            <span class={`history-swatch outcome-${o}`} /> {t.historyOutcomes[o]}
          </li>
        ))}
      </ul>
      <p class="muted history-hint">
        {t.historyClickHint} {props.buckets.length ? `${formatBucket(props.buckets[0]!.start, props.bucket)} – ${formatBucket(props.buckets.at(-1)!.start, props.bucket)}` : ''}
      </p>
    </figure>
  );
}

export interface BarItem {
  id: string;
  label: string;
  value: number;
  /** The words shown beside the bar (a count, or durations). */
  text: string;
  pick: HistoryPick;
  /** A second, thinner bar (the p50 beside the p95). */
  inner?: number;
}

/** Horizontal bars, one button each: choosing one picks its jobs. */
export function BarList(props: { title: string; items: BarItem[]; outcome: Outcome; empty: string; picked: string | null; onPick: (pick: HistoryPick) => void; testId: string }) {
  const max = Math.max(1, ...props.items.map((i) => i.value));
  return (
    <figure class="history-figure" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      {props.items.length === 0 ? (
        <p class="muted">{props.empty}</p>
      ) : (
        <ul class="plain history-bars">
          {props.items.map((item) => (
            <li key={item.id}>
              <button type="button" class="history-bar" aria-pressed={props.picked === item.id} data-testid="history-bar" data-id={item.id} onClick={() => props.onPick(item.pick)}>
                <span class="history-bar-label" title={item.label}>{item.label}</span>
                <svg class="history-bar-track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                  <rect class={`history-bar-fill outcome-${props.outcome}`} x="0" y="0" height="10" width={(100 * item.value) / max} />
                  {item.inner !== undefined && <rect class="history-bar-inner" x="0" y="3" height="4" width={(100 * item.inner) / max} />}
                </svg>
                <span class="history-bar-value">{item.text}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
