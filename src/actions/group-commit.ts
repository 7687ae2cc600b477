export interface GroupCommitOptions {
  maxRows: number;
  /** How long a row may wait for others while more are expected. */
  waitMs: number;
  /** Whether more rows are on their way; when not, a waiting write goes at once. */
  expectMore: () => boolean;
}

/**
 * Group commit: while more rows are expected, a row waits at most `waitMs` for others, and rows
 * handed in meanwhile or while a write is in flight go together into the next write, so 3,400
 * targets settling within seconds cost tens of transactions, not 3,400; the last row, or a lone
 * one, waits for nothing. `add` resolves once its row is committed.
 */
export function groupCommit<T>(
  write: (rows: T[]) => Promise<void>,
  options: GroupCommitOptions,
): (row: T) => Promise<void> {
  const { maxRows, waitMs, expectMore } = options;
  let pending: { row: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let writing = false;
  let wake: (() => void) | undefined;

  const gather = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => wake?.(), waitMs);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  const drain = async (): Promise<void> => {
    if (waitMs > 0 && expectMore() && pending.length < maxRows) await gather();
    while (pending.length > 0) {
      const batch = pending.slice(0, maxRows);
      pending = pending.slice(maxRows);
      try {
        await write(batch.map((p) => p.row));
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    writing = false;
  };

  return (row) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ row, resolve, reject });
      if (!expectMore() || pending.length >= maxRows) wake?.();
      if (writing) return;
      writing = true;
      void drain();
    });
}
