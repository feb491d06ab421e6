/**
 * The column chooser (a menu beside Export): shows or hides each column, says which ones the
 * window is too narrow for, and resets widths and choices. Document and State always show.
 */
import { t } from '../i18n/messages';
import { COLUMN_SPECS, DEFAULT_COLUMNS, squeezedColumns, toggleColumn } from '../state/columns';
import { useStore } from './context';

export function ColumnChooser() {
  const store = useStore();
  const choices = store.ui.value.columns;
  const squeezed = squeezedColumns(store).value;
  return (
    <details class="menu menu-end" data-testid="column-chooser">
      <summary>{t.columnChooser}</summary>
      <fieldset class="menu-items column-items">
        <legend class="visually-hidden">{t.columnChooserLabel}</legend>
        {squeezed.length > 0 && <p class="column-hint">{t.columnSqueezedHint}</p>}
        {COLUMN_SPECS.map((c) => {
          const fixed = c.priority === 1;
          const out = squeezed.includes(c.id);
          const visible = fixed || (!choices.hidden.includes(c.id) && !out);
          const note = fixed ? t.columnAlwaysShown : out ? t.columnSqueezed : null;
          return (
            <label key={c.id} class="check column-choice" data-col={c.id}>
              <input
                type="checkbox"
                checked={visible}
                disabled={fixed}
                aria-describedby={note ? `column-note-${c.id}` : undefined}
                onChange={(e) => store.updateUi({ columns: toggleColumn(store.ui.value.columns, c.id, e.currentTarget.checked) })}
              />
              {t.columns[c.id]}
              {note && (
                <span class="column-note" id={`column-note-${c.id}`}>
                  ({note})
                </span>
              )}
            </label>
          );
        })}
        <button type="button" data-testid="reset-columns" onClick={() => store.updateUi({ columns: DEFAULT_COLUMNS })}>
          {t.resetColumns}
        </button>
      </fieldset>
    </details>
  );
}
