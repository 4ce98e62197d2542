// The form's open problems, field by field. After each edit, every field the edit can affect is recomputed from all
// that touches it — its own value check, the required check (once the clerk has tried to submit), every cross-field
// rule it takes part in, and a server answer about it until it is edited — so an unrelated edit never clears an error
// that is still true. Pure: no DOM; the page draws what `recompute` returns.

/**
 * @param {object} p
 * @param {(id: string) => string | null} p.ownError  the field's value and required check, or null
 * @param {(id: string) => object[]} p.rulesOf        the cross-field rules the field takes part in
 * @param {(rules: object[]) => {field: string, message: string, warning?: boolean}[]} p.checkRules
 * @param {string[]} p.order                          field ids in form order (the summary's order)
 * @param {(id: string) => string | null} [p.ownWarning] the field's quality warning (soft range, change), or null
 */
export function createFieldErrors({ ownError, rulesOf, checkRules, order, ownWarning = () => null }) {
  const shown = new Map(); // id → { message, warning }
  const server = new Map(); // id → message, until the field is edited
  const position = new Map(order.map((id, i) => [id, i]));

  /** The fields whose problems may change when `ids` change: themselves and every field of a rule they take part in. */
  function affected(ids) {
    const out = new Set(ids);
    for (const id of ids) for (const rule of rulesOf(id)) for (const other of [rule.field, ...rule.others]) out.add(other);
    return out;
  }

  /** Recomputes the problems of every field `ids` can affect; answers [id, problem | null] for each of them. */
  function recompute(ids) {
    const fields = affected(ids);
    const rules = new Set();
    for (const id of fields) for (const rule of rulesOf(id)) rules.add(rule);
    const findings = new Map();
    for (const f of checkRules([...rules])) {
      const had = findings.get(f.field);
      // An error outranks a warning; the first of each kind is shown.
      if (!had || (had.warning && !f.warning)) findings.set(f.field, { message: f.message, warning: !!f.warning });
    }
    const changes = [];
    for (const id of fields) {
      if (!position.has(id)) continue;
      const own = ownError(id);
      let problem = own ? { message: own, warning: false }
        : server.has(id) ? { message: server.get(id), warning: false }
          : findings.get(id) || null;
      // A quality warning shows while nothing is wrong, with a rule's warning if there is one; it asks for an explanation.
      const quality = !problem || problem.warning ? ownWarning(id) : null;
      if (quality) problem = { message: problem ? `${quality}；${problem.message}` : quality, warning: true, quality: true };
      if (problem) shown.set(id, problem); else shown.delete(id);
      changes.push([id, problem]);
    }
    return changes;
  }

  return {
    recompute,
    /** The clerk changed the field: a server answer about its former value no longer holds. */
    edited(id) { server.delete(id); },
    /** A server answer (422) about a field the form sent. */
    serverError(id, message) { server.set(id, message); },
    /** Open errors (not warnings) in form order: [{ field, message }]. */
    open() {
      return [...shown].filter(([, p]) => !p.warning)
        .sort((a, b) => position.get(a[0]) - position.get(b[0]))
        .map(([field, p]) => ({ field, message: p.message }));
    },
    get size() { return [...shown.values()].filter(p => !p.warning).length; },
  };
}
