// A submission refused with 412 (…/values-changed): the village's values changed after the version this page (or the
// uploaded workbook) was prepared from. Which fields to put before the clerk, what each may keep, and the values the form
// takes afterwards. Pure: no DOM and no requests.

/** True for the API's answer to a submission prepared from values that changed since. */
export const isValuesChanged = err => err && err.status === 412 && /\/values-changed$/.test((err.problem && err.problem.type) || '');

/**
 * One row per changed field of the 412's `changed` list.
 * `choosable`: the clerk sent a value for the field that differs from the newer stored one, so one of the two must be
 * chosen; otherwise the newer value is simply taken (the clerk sent nothing for it, or the same value).
 * `choice` (the default): the newer value when the clerk left the field as the page had loaded it (only the other writer
 * changed it), the clerk's own when the clerk changed it too.
 * @param {Array<{field: string, name?: string, unit?: string, value: string, origin: string, source?: string, at: string, submitted?: string|null}>} changed
 * @param {(field: string) => (string|undefined)} loaded the value the page showed for the field when it was loaded
 */
export function conflictRows(changed, loaded) {
  return (changed || []).map(c => {
    const mine = c.submitted == null ? null : String(c.submitted);
    const choosable = mine != null && mine !== c.value;
    return {
      field: c.field, name: c.name || c.field, unit: c.unit || '', theirs: c.value, mine, at: c.at, source: c.source, origin: c.origin,
      choosable,
      choice: choosable && mine !== (loaded(c.field) ?? null) ? 'mine' : 'theirs',
    };
  });
}

/** The value the form takes for a row, given the clerk's choice ('mine' or 'theirs'; the row's default when absent). */
export const resolvedValue = (row, choice) => (row.choosable && (choice || row.choice) === 'mine' ? row.mine : row.theirs);
