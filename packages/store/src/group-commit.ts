/**
 * Group commit: jobs submitted while a write is in flight are written together by
 * the next one, in a single transaction, and each caller's promise settles when
 * the transaction holding its job commits. `write` returns one result per job,
 * in order. One fsync then serves many concurrent callers. A group whose write
 * fails is written again job by job, so one bad job does not fail its neighbours.
 */
export class GroupCommit<J, R = void> {
  #queue: { job: J; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  #writing = false;

  constructor(private readonly write: (jobs: readonly J[]) => Promise<R[]>) {}

  submit(job: J): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0);
      try {
        const results = await this.write(batch.map((b) => b.job));
        for (const [i, b] of batch.entries()) b.resolve(results[i]!);
      } catch (err) {
        if (batch.length === 1) batch[0]!.reject(err);
        // The group's transaction rolled back, perhaps for one job's sake: write each
        // alone, so that only a job that fails by itself fails.
        else for (const b of batch) await this.write([b.job]).then(([r]) => b.resolve(r!), b.reject);
      }
    }
    this.#writing = false;
  }
}
