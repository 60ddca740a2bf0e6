/**
 * Runs `fn` over `items` with at most `limit` calls in flight. A slow item (a webhook near its
 * timeout, a contended Firestore transaction) then holds up one lane, not the whole batch.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
