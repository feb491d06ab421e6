/**
 * The job details, the sources, the settings panel and the dialogs (with the schemas they validate
 * with) are not needed for the queue's first frame: they load once the whole queue is in and the
 * window is idle (loadPanels, called by start.tsx), or at once when one is opened earlier. Until
 * they are there, an opened panel says it is loading; if they cannot be loaded, the window says why.
 */
import { useEffect, useReducer } from 'preact/hooks';
import type { SettingsTab } from '../state/store';
import { t } from '../i18n/messages';
import { useStore } from './context';

type Panels = typeof import('./panels');

/** A module loaded once, on demand: `get()` is null until it is in; a failed load may be tried again. */
export function lazyModule<M>(importer: () => Promise<M>): { load(): Promise<M>; get(): M | null } {
  let loaded: M | null = null;
  let loading: Promise<M> | null = null;
  return {
    load: () =>
      (loading ??= importer().then(
        (m) => (loaded = m),
        (err: unknown) => {
          loading = null;
          throw err;
        },
      )),
    get: () => loaded,
  };
}

const panels = lazyModule<Panels>(() => import('./panels'));

/** Loads the panels once; a failed load may be tried again. */
export function loadPanels(): Promise<Panels> {
  return panels.load();
}

/** The module once loaded (loading it while wanted), or null; a failed load is said in a notice. */
export function useLazyModule<M>(mod: { load(): Promise<M>; get(): M | null }, wanted: boolean): M | null {
  const store = useStore();
  const [, changed] = useReducer((n: number) => n + 1, 0);
  const drawn = wanted ? mod.get() : null;
  // Decided on what this drawing showed, not on what is there when its effect runs: the module may
  // arrive in between (loaded at an idle moment meanwhile), and the drawing without it must still
  // be redone (load() then answers at once).
  useEffect(() => {
    if (!wanted || drawn) return;
    let live = true;
    mod.load().then(
      () => live && changed(0),
      (err: unknown) => live && store.notify('error', t.panelLoadFailed(err instanceof Error ? err.message : String(err))),
    );
    return () => {
      live = false;
    };
  }, [wanted, drawn, store, mod]);
  return drawn;
}

function usePanels(wanted: boolean): Panels | null {
  return useLazyModule(panels, wanted);
}

function Loading() {
  return (
    <div class="backdrop">
      <p class="loading" role="status">
        {t.panelLoading}
      </p>
    </div>
  );
}

export function LazySettingsPanel(props: { initialTab?: SettingsTab; sourceId?: string }) {
  const p = usePanels(true);
  return p ? <p.SettingsPanel initialTab={props.initialTab} sourceId={props.sourceId} /> : <Loading />;
}

export function LazyTrackDialog() {
  const p = usePanels(true);
  return p ? <p.TrackDialog /> : <Loading />;
}

export function LazyPrintDialog() {
  const p = usePanels(true);
  return p ? <p.PrintDialog /> : <Loading />;
}

/** The confirm and abort dialogs: nothing until one is asked for. */
export function LazyDialogs() {
  const store = useStore();
  const wanted = store.confirm.value !== null || store.abortKey.value !== null;
  const p = usePanels(wanted);
  if (!wanted) return null;
  if (!p) return <Loading />;
  return (
    <>
      <p.ConfirmDialog />
      <p.AbortDialog />
    </>
  );
}

export function LazySourcesPanel() {
  const p = usePanels(true);
  return p ? <p.SourcesPanel /> : <Loading />;
}

export function LazyServicePanel(props: { sourceId: string }) {
  const p = usePanels(true);
  return p ? <p.ServicePanel sourceId={props.sourceId} /> : <Loading />;
}

/** The job detail panel; until it is loaded, its place says so. */
export function LazyDetailPanel() {
  const p = usePanels(true);
  if (p) return <p.DetailPanel />;
  return (
    <aside class="detail" data-testid="detail-panel" aria-label={t.details}>
      <p role="status">{t.detailLoading}</p>
    </aside>
  );
}
