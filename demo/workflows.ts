/**
 * The demo's workflows, run by an in-process @temporalio/worker.
 * Only @temporalio/workflow may be imported here (it runs in the workflow sandbox).
 */
import { ApplicationFailure, condition, continueAsNew, defineQuery, defineSignal, setHandler, sleep } from '@temporalio/workflow';

export const addItem = defineSignal<[string]>('addItem');
export const checkout = defineSignal<[]>('checkout');
export const items = defineQuery<string[]>('items');

/** An order: items arrive by signal, `items` answers queries, `checkout` completes it. */
export async function order(customer: string): Promise<{ customer: string; items: string[]; total: number }> {
  const list: string[] = [];
  let done = false;
  setHandler(addItem, (item) => void list.push(item));
  setHandler(checkout, () => void (done = true));
  setHandler(items, () => list);
  await condition(() => done);
  return { customer, items: list, total: list.length * 10 };
}

/** Processes `batches` batches, one run each (continue-as-new), then reports the total. */
export async function batchJob(batches: number, done = 0, processed = 0): Promise<{ batches: number; processed: number }> {
  await sleep(300);
  const next = processed + 100;
  if (done + 1 < batches) await continueAsNew<typeof batchJob>(batches, done + 1, next);
  return { batches, processed: next };
}

/** Charges a card; declines with a typed, non-retryable error. */
export async function payment(amount: number): Promise<string> {
  throw ApplicationFailure.create({
    type: 'PaymentDeclined',
    message: `card declined for ${amount} EUR`,
    details: [{ amount, reason: 'insufficient funds' }],
    nonRetryable: true,
    cause: ApplicationFailure.create({ type: 'BankError', message: 'issuer said no', nonRetryable: true }),
  });
}

/** Waits for a long time (until cancelled or terminated). */
export async function longRunning(): Promise<string> {
  await sleep('1 day');
  return 'done';
}
