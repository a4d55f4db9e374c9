import type { Logger } from 'pino';

/** Work nobody awaits: run now or on a timer; `close()` stops the timers and waits for what runs. */
export class BackgroundTasks {
  readonly #tasks = new Set<Promise<unknown>>();
  readonly #timers: NodeJS.Timeout[] = [];
  #closed = false;

  constructor(private readonly log: Logger) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `fn` now; failures are logged, never unhandled. */
  run(fn: () => Promise<unknown>): void {
    if (this.#closed) return;
    const task = fn()
      .catch((err) => {
        if (!this.#closed) this.log.warn({ err: String(err) }, 'background task failed');
      })
      .finally(() => this.#tasks.delete(task));
    this.#tasks.add(task);
  }

  /** Runs `fn` every `ms` (the timer does not keep the process alive). */
  every(ms: number, fn: () => Promise<unknown>): void {
    const timer = setInterval(() => this.run(fn), ms);
    timer.unref();
    this.#timers.push(timer);
  }

  /** Runs `fn` once after `ms`; cancelled by `close()`. */
  after(ms: number, fn: () => Promise<unknown>): void {
    if (this.#closed) return;
    const timer = setTimeout(() => this.run(fn), ms);
    timer.unref();
    this.#timers.push(timer);
  }

  /** Stops taking work and clears the timers (what runs goes on until `settled`). */
  stop(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
  }

  settled(): Promise<unknown> {
    return Promise.allSettled([...this.#tasks]);
  }
}
