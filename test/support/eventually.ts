/**
 * Polls `probe` every 100 ms until `accept` holds or `ms` pass, and returns the last value
 * (the read model is written by activities after the workflow moves, so tests wait for it).
 */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  let last = await probe();
  while (!accept(last) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}
