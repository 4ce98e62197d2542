// Periods as the API names them: 2026 (year), 2026-Q4 (quarter), 2026-11 (month).
import { monthOf } from './clock.js';

export function kindOf(period) {
  if (/^\d{4}$/.test(period)) return 'Year';
  if (/^\d{4}-Q[1-4]$/.test(period)) return 'Quarter';
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return 'Month';
  return null;
}

export const kindName = { Month: '月', Quarter: '季', Year: '年' };

/** This month in the pipeline's zone (the reporting calendar's), not the browser's. */
export function currentMonth(now = new Date()) {
  return monthOf(now);
}

export function previous(period, steps = 1) {
  const kind = kindOf(period);
  const year = Number(period.slice(0, 4));
  if (kind === 'Year') return String(year - steps);
  if (kind === 'Quarter') {
    const index = year * 4 + Number(period.slice(6)) - 1 - steps;
    return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
  }
  const index = year * 12 + Number(period.slice(5)) - 1 - steps;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function display(period) {
  const kind = kindOf(period);
  if (kind === 'Year') return `${period}年`;
  if (kind === 'Quarter') return `${period.slice(0, 4)}年第${period.slice(6)}季度`;
  if (kind === 'Month') return `${period.slice(0, 4)}年${Number(period.slice(5))}月`;
  return period;
}

/** Level from the shape of a 12-digit code, as the registry reads it: trailing zeros mark the upper levels. */
export function levelOf(code) {
  if (/^\d{2}0{10}$/.test(code) || /^\d{4}0{8}$/.test(code)) return 'City';
  if (/^\d{6}0{6}$/.test(code)) return 'District';
  if (/^\d{9}000$/.test(code)) return 'Township';
  return 'Village';
}

export const levelName = { City: '市级', District: '区县级', Township: '乡镇（街道）级', Village: '村（社区）级' };
