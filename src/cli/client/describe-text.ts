/**
 * `describe -o text`: the description's own fields as `Key  value` rows, then a section for
 * each of its details that is not empty (pending activities, children, Nexus operations,
 * callbacks, the pending workflow task, versioning, priority), each entry's fields indented,
 * without those that are null or empty.
 */
import { toText } from './output';

const SECTIONS: [key: string, title: string][] = [
  ['pendingActivities', 'Pending activities'],
  ['pendingChildren', 'Pending children'],
  ['pendingNexusOperations', 'Pending Nexus operations'],
  ['callbacks', 'Callbacks'],
  ['pendingWorkflowTask', 'Pending workflow task'],
  ['versioningInfo', 'Versioning'],
  ['priority', 'Priority'],
];
/** Fields that the sections show, or that are too long for a row. */
const NOT_ROWS = new Set([...SECTIONS.map(([k]) => k), 'raw', 'typedSearchAttributes']);

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

function entryText(entry: unknown): string {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return toText(entry);
  return toText(Object.fromEntries(Object.entries(entry as Record<string, unknown>).filter(([, v]) => !isEmpty(v))));
}

export function describeText(d: Record<string, unknown>): string {
  const rows = toText(Object.fromEntries(Object.entries(d).filter(([k]) => !NOT_ROWS.has(k))));
  const parts = [rows];
  for (const [key, title] of SECTIONS) {
    const v = d[key];
    if (isEmpty(v)) continue;
    if (Array.isArray(v)) {
      parts.push(`\n${title} (${v.length})\n${v.map((e) => indent(entryText(e), '  ')).join('\n\n')}`);
    } else {
      parts.push(`\n${title}\n${indent(entryText(v), '  ')}`);
    }
  }
  return parts.join('\n');
}
