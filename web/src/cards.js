// Tables become cards on a phone (CSS under 600 px): each cell carries its column's heading as data-label, which the
// card shows before the value. Labelled as tables appear, so the pages that draw them need not know.
function label(table) {
  const headings = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  if (!headings.length) return;
  for (const row of table.querySelectorAll('tbody tr')) {
    [...row.children].forEach((cell, i) => { if (!cell.dataset.label && headings[i]) cell.dataset.label = headings[i]; });
  }
}

export function labelTablesIn(root) {
  const pass = () => { for (const table of root.querySelectorAll('table')) label(table); };
  new MutationObserver(pass).observe(root, { childList: true, subtree: true });
  pass();
}
