/**
 * Rows handed in while a write is in flight go together into the next write (group commit),
 * so 3,400 targets settling within a second cost a handful of transactions, not 3,400, and a
 * lone target still waits for no one. `add` resolves once its row is committed.
 */
export function groupCommit<T>(
  write: (rows: T[]) => Promise<void>,
  maxRows: number,
): (row: T) => Promise<void> {
  let pending: { row: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let writing = false;

  const drain = async (): Promise<void> => {
    writing = true;
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
      if (!writing) void drain();
    });
}
