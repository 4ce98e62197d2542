// The one clock people read in the web app: every time and date on a page is in the pipeline's zone (Pipeline__TimeZone,
// which /config.json carries; the server's DisplayClock), never the browser's, so a clerk whose phone is set to another
// zone reads the same times as the workbooks, the deadlines and the server's messages.

/** The product's zone until /config.json names one (Pipeline__TimeZone's default). */
const DEFAULT_ZONE = 'Asia/Shanghai';
let formatter = partsFormatter(DEFAULT_ZONE);

function partsFormatter(timeZone) {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
}

/** Use the pipeline's zone (an IANA name); an unknown name keeps the current one. */
export function useZone(timeZone) {
  if (!timeZone) return;
  try {
    formatter = partsFormatter(timeZone);
  } catch {
    console.warn(`未知时区 ${timeZone}，时间按 ${formatter.resolvedOptions().timeZone} 显示`);
  }
}

/** The zone times are shown in. */
export const zone = () => formatter.resolvedOptions().timeZone;

function parts(at) {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) return null;
  return Object.fromEntries(formatter.formatToParts(d).map(p => [p.type, p.value]));
}

/** A time as a person reads it, like the server's: 2026-12-03 14:05 (an ISO string or a Date; '' for none). */
export function formatTime(at) {
  if (!at) return '';
  const p = parts(at);
  return p ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}` : String(at);
}

/** The time of day of an instant, as a person reads it: 14:05 ('' for none). */
export function timeOf(at) {
  if (!at) return '';
  const p = parts(at);
  return p ? `${p.hour}:${p.minute}` : '';
}

/** The pipeline zone's date of an instant, as a date input wants it: 2026-12-03. */
export function dateOf(at = new Date()) {
  const p = parts(at);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The pipeline zone's month of an instant, as the API names periods: 2026-12. */
export function monthOf(at = new Date()) {
  return dateOf(at).slice(0, 7);
}
