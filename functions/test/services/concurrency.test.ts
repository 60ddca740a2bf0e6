import { forEachConcurrently } from '../../src/services/concurrency';

describe('forEachConcurrently', () => {
  test('visits every item once with no more than the limit in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5 * (n % 3)));
      seen.push(n);
      inFlight--;
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });

  test('does nothing for no items', async () => {
    const fn = jest.fn(async () => {});
    await forEachConcurrently([], 4, fn);
    expect(fn).not.toHaveBeenCalled();
  });
});
