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
import { count, formatInt } from '../i18n/format';
import { OUTCOMES, type Bucket, type BucketSize, type HistoryPick, type Outcome } from '../history/aggregate';
import { formatBucket, timeAxisLabels } from '../history/format';

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

/** uPlot's columns: bucket middles (s) and, per outcome topmost first, each bar's running total. */
function chartData(buckets: readonly Bucket[]): uPlot.AlignedData {
  const xs = buckets.map((b) => (b.start + b.end) / 2000);
  // Stacked bars: each series is drawn from zero to its running total, the topmost first.
  const stacks = [...OUTCOMES].reverse().map((o) => buckets.map((b) => OUTCOMES.slice(0, OUTCOMES.indexOf(o) + 1).reduce((n, k) => n + b.counts[k], 0)));
  return [xs, ...stacks];
}

type JobsChartProps = { buckets: Bucket[]; bucket: BucketSize; theme: string; onPick: (pick: HistoryPick) => void; onDrawn: () => void };

/**
 * The chart in `el`, coloured from the theme now; `holds` names the buckets it shows. A draw says
 * so (onDrawn) only once the buckets it shows are the ones last asked for.
 */
function makeChart(el: HTMLElement, latest: { current: JobsChartProps }, holds: { current: readonly Bucket[] }): uPlot {
  const muted = cssVar('--fg-muted');
  const grid = cssVar('--border');
  const bars = uPlot.paths.bars!({ size: [0.8, 48], align: 0 });
  const order = [...OUTCOMES].reverse();
  // Each bar fills its own hour or day: the first starts at the left edge, the last ends at the right.
  const xRange = (): uPlot.Range.MinMax => {
    const b = holds.current;
    return b.length ? [b[0]!.start / 1000, b.at(-1)!.end / 1000] : [0, 1];
  };
  return new uPlot(
    {
      width: Math.max(320, el.clientWidth || 640),
      height: 180,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: true, range: xRange }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
      axes: [
        // Labels in the window's locale; room for the longest ("12:00 PM", "Dec 30").
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, space: 64, values: (_u, ticks, _axis, _space, spacing) => timeAxisLabels(ticks, spacing) },
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? formatInt(v) : '')) },
      ],
      series: [{}, ...order.map((o) => ({ label: t.historyOutcomes[o], fill: cssVar(OUTCOME_VARS[o]), stroke: cssVar(OUTCOME_VARS[o]), width: 0, paths: bars, points: { show: false } }))],
      hooks: { draw: [() => holds.current === latest.current.buckets && latest.current.onDrawn()] },
    },
    chartData(holds.current),
    el,
  );
}

export function JobsChart(props: JobsChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const themeVersion = useThemeVersion(props.theme);
  const latest = useRef(props);
  latest.current = props;
  const chart = useRef<uPlot | null>(null);
  const holds = useRef<readonly Bucket[]>(props.buckets);
  // Made once, and again only when the theme changes (its colours are read from the theme then).
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    holds.current = latest.current.buckets;
    const made = makeChart(el, latest, holds);
    chart.current = made;
    const click = () => {
      const i = made.cursor.idx;
      if (i === null || i === undefined) return;
      const b = holds.current[i];
      if (!b) return;
      const top = made.cursor.top;
      const y = top === undefined || top < 0 ? undefined : made.posToVal(top, 'y');
      latest.current.onPick({ kind: 'bucket', start: b.start, end: b.end, outcome: y === undefined ? undefined : segmentAt(b.counts, y) });
    };
    made.over.addEventListener('click', click);
    const resize = new ResizeObserver(() => {
      const w = Math.max(320, el.clientWidth);
      if (w !== made.width) made.setSize({ width: w, height: 180 });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      made.over.removeEventListener('click', click);
      chart.current = null;
      made.destroy();
    };
  }, [themeVersion]);
  // New buckets (another period, bucket size or filter) go into the chart that is there.
  useEffect(() => {
    const made = chart.current;
    if (!made || holds.current === props.buckets) return;
    holds.current = props.buckets;
    made.setData(chartData(props.buckets));
  }, [props.buckets]);
  const total = props.buckets.reduce((n, b) => n + b.counts.completed + b.counts.failed + b.counts.canceled + b.counts.other, 0);
  return (
    <figure class="history-figure">
      <figcaption>{t.historyJobsPer(props.bucket)}</figcaption>
      <div class="history-chart" ref={host} role="img" aria-label={t.historyJobsChartLabel(props.bucket, count(props.buckets.length), count(total))} data-testid="history-jobs-chart" data-buckets={props.buckets.length} />
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
