/** The settings tabs' fields, their error lists and the line that says how a save went. */
import { createContext } from 'preact';
import { useContext, useEffect } from 'preact/hooks';
import { problemDetail, wholeNumberIn, type AppError } from '../../../../preload/contract/model';
import { t } from '../../i18n/messages';
import { formatInt } from '../../i18n/format';
import { FieldError } from '../Modal';

export type Errors = Record<string, string>;
export type Outcome = { ok: boolean; message: string } | null;

/** The first message for each field, the field named by the first `depth` steps of its path. */
export function firstErrors(issues: { path: PropertyKey[]; message: string }[], depth = 1): Errors {
  const out: Errors = {};
  for (const i of issues) {
    const f = i.path.slice(0, depth).map(String).join('.') || 'form';
    out[f] ??= i.message;
  }
  return out;
}

/**
 * What is wrong with a typed whole number, in words ("Enter a whole number from 1 to 999."), or
 * null: the schema's own words ("Invalid input: expected number, received NaN") are not shown.
 */
export function wholeNumberProblem(text: string, min: number, max: number): string | null {
  return wholeNumberIn(text.trim(), min, max) === null ? t.wholeNumberBetween(formatInt(min), formatInt(max)) : null;
}

/** Maps a refusal from main (field like "settings.polling.graph.activeMs") to a field of a tab. */
export function serverFieldErrors(e: AppError, prefix: string, known: string[]): Errors {
  const field = e.field?.replace(/^settings\./, '') ?? '';
  if (field.startsWith(prefix)) {
    const rest = field.slice(prefix.length);
    const hit = known.find((k) => rest === k || rest.startsWith(`${k}.`));
    // Beside its input, which says which field it is: what is wrong with it, as the form's own checks say it.
    if (hit) return { [hit]: problemDetail(e) };
  }
  return { form: e.message };
}

/**
 * The settings tab a form is in: whether it is the one shown, how the panel is told of an outcome
 * that comes while it is not (a save that finishes after the user went to another tab), and
 * whether the tab holds edits not saved yet (useUnsaved in unsaved.ts).
 */
export interface TabPlace {
  shown: boolean;
  elsewhere: (outcome: NonNullable<Outcome>) => void;
  unsaved: (edited: boolean) => void;
}
export const TabPlaceContext = createContext<TabPlace>({ shown: true, elsewhere: () => undefined, unsaved: () => undefined });

/**
 * How the tab's last save (test, export) went, where the user acted. In a tab not shown, the line
 * waits there for the user's return, and the panel says it meanwhile (SettingsPanel.tsx).
 */
export function OutcomeLine(props: { outcome: Outcome }) {
  const { outcome } = props;
  const place = useContext(TabPlaceContext);
  useEffect(() => {
    if (outcome && !place.shown) place.elsewhere(outcome);
  }, [outcome]);
  if (!outcome) return null;
  return (
    <p class={outcome.ok ? 'result-ok' : 'error-text'} role={outcome.ok ? 'status' : 'alert'} data-testid={place.shown ? 'settings-outcome' : undefined}>
      {outcome.message}
    </p>
  );
}

export function TextField(props: { id: string; label: string; value: string; onInput: (v: string) => void; error?: string; type?: string; placeholder?: string; autoComplete?: string; step?: string }) {
  const errId = `${props.id}-error`;
  return (
    <>
      <label class="field">
        <span>{props.label}</span>
        <input
          id={props.id}
          name={props.id}
          type={props.type ?? 'text'}
          step={props.step}
          value={props.value}
          placeholder={props.placeholder}
          autoComplete={props.autoComplete ?? 'off'}
          spellcheck={false}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={props.error ? errId : undefined}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      </label>
      <FieldError id={errId} message={props.error} />
    </>
  );
}

export function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void; name?: string; disabled?: boolean; describedBy?: string }) {
  return (
    <label class="check">
      <input
        type="checkbox"
        name={props.name}
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={props.describedBy}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      {props.label}
    </label>
  );
}

/** A tab's Save button: "Saving…" while the save runs. */
export function SaveButton(props: { busy: boolean }) {
  return (
    <button type="submit" class="primary" disabled={props.busy}>
      {props.busy ? t.saving : t.save}
    </button>
  );
}
