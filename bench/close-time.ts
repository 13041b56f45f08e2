/** A workflow's close time in ms (sub-ms from the raw proto timestamp when present). */
import type { WorkflowExecutionDescription } from '@temporalio/client';

export function closeTimeMs(d: WorkflowExecutionDescription): number {
  const ts = d.raw.workflowExecutionInfo?.closeTime;
  if (ts && ts.seconds !== undefined && ts.seconds !== null) {
    return Number(ts.seconds) * 1000 + (ts.nanos ?? 0) / 1e6;
  }
  if (!d.closeTime) throw new Error(`workflow ${d.workflowId} is not closed`);
  return d.closeTime.getTime();
}
