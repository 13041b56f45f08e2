/**
 * How many result long polls this process keeps open in one namespace.
 *
 * The server caps concurrent long polls per namespace (frontend.namespaceCount,
 * 1,200 by default) and that cap is shared with the namespace's workers: a worker
 * whose task poll is refused backs off, and if result waits hold every slot it can
 * be kept from ever running the workflows they wait for. So the first time the
 * server refuses one of our polls (RESOURCE_EXHAUSTED), the budget drops to half of
 * the polls we were holding, leaving the rest to workers; waits over the budget look
 * for their close event without waiting (a call the cap does not count) and try
 * again later. The budget is lifted (back to its initial cap) once no result wait is left, or
 * after a minute without a refusal (if the pressure is still there, the next refusal halves it again).
 *
 * The initial cap (`maxLongPolls`, 1,000 by default: below the server's default 1,200, which
 * workers share) keeps many waits from storming the server with polls it will refuse: the waits
 * over it find their closes through the close watcher (close-watcher.ts) instead.
 */
export class LongPollBudget {
  private limit: number;
  private open = 0;
  private waits = 0;
  private refusedAt = 0;

  constructor(
    private readonly now: () => number = Date.now,
    /** How long after the last refusal the budget is lifted. */
    private readonly liftAfterMs = 60_000,
    private readonly initialCap = Infinity,
  ) {
    this.limit = initialCap;
  }

  /** The current budget (the initial cap until the server has refused a poll). */
  get cap(): number {
    return this.limit;
  }

  /** Long polls open now. */
  get inFlight(): number {
    return this.open;
  }

  /** Result waits in progress (holding a poll or not). */
  get waiting(): number {
    return this.waits;
  }

  /** A result wait begins. */
  join(): void {
    this.waits++;
  }

  /** A result wait ends; once none is left, the budget is lifted. */
  leave(): void {
    this.waits = Math.max(0, this.waits - 1);
    if (this.waits === 0) this.limit = this.initialCap;
  }

  /**
   * Takes a slot for one long poll; false when over the budget (the caller should not wait on the
   * server). `reserve`: slots to leave to other callers (result waits leave a tenth of a finite
   * budget to history pages and watches, which would otherwise wait for a slot that thousands of
   * result waits keep taking back).
   */
  tryAcquire(reserve = 0): boolean {
    if (this.limit !== this.initialCap && this.now() - this.refusedAt >= this.liftAfterMs) this.limit = this.initialCap;
    if (this.open >= this.limit - (Number.isFinite(this.limit) ? reserve : 0)) return false;
    this.open++;
    return true;
  }

  /** The slots result waits leave to others: a tenth of a finite budget. */
  get reserve(): number {
    return Number.isFinite(this.limit) ? Math.floor(this.limit / 10) : 0;
  }

  /** Gives a slot back. */
  release(): void {
    this.open = Math.max(0, this.open - 1);
  }

  /** The server refused a poll (its slot still held): at most half of the others from now on. */
  refused(): void {
    this.refusedAt = this.now();
    const others = Math.max(0, this.open - 1);
    this.limit = Math.min(this.limit, Math.max(1, Math.floor(others / 2)));
  }
}

/** One budget per namespace. */
export class LongPollBudgets {
  private readonly byNamespace = new Map<string, LongPollBudget>();

  /** `maxLongPolls`: each namespace's initial cap. */
  constructor(private readonly maxLongPolls = Infinity) {}

  for(namespace: string): LongPollBudget {
    let b = this.byNamespace.get(namespace);
    if (!b) this.byNamespace.set(namespace, (b = new LongPollBudget(Date.now, 60_000, this.maxLongPolls)));
    return b;
  }
}
