import { describe, expect, it } from 'vitest';
import { Throttle } from '../../engine/base/throttle.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Throttle', () => {
  it('runs a burst once at its start and once after it, with the state of the last request', async () => {
    let state = 0;
    const seen: number[] = [];
    const throttle = new Throttle(50, () => seen.push(state));
    for (state = 1; state <= 20; state++) throttle.request();
    state = 20;
    expect(seen).toEqual([1]); // the first request of a quiet period runs at once
    const deadline = Date.now() + 2_000;
    while (seen.length < 2 && Date.now() < deadline) await sleep(5);
    expect(seen).toEqual([1, 20]);
    await sleep(120);
    expect(seen).toEqual([1, 20]); // nothing asked since: nothing runs
    throttle.cancel();
  });

  it('cancel() drops a pending run', async () => {
    const seen: number[] = [];
    const throttle = new Throttle(30, () => seen.push(seen.length));
    throttle.request();
    throttle.request();
    throttle.cancel();
    await sleep(80);
    expect(seen).toEqual([0]);
  });
});
