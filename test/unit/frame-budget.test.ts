import { describe, expect, it } from 'vitest';
import { FrameBudget } from '../../renderer/src/chart/frame-budget.ts';

/** Animation frames driven by hand: frame(t) runs what was requested, as the browser would at time t. */
function frames() {
  let queued: Array<(now: number) => void> = [];
  return {
    requestFrame: (callback: (now: number) => void) => queued.push(callback),
    frame(now: number) {
      const due = queued;
      queued = [];
      for (const callback of due) callback(now);
    },
    get pending() {
      return queued.length;
    },
  };
}

/** Panels that count their updates. */
function panels(n: number) {
  const applied = Array.from({ length: n }, () => 0);
  const jobs = applied.map((_, i) => () => applied[i]!++);
  return { applied, jobs };
}

describe('FrameBudget (live chart updates per animation frame)', () => {
  it('applies up to the budget at once, the rest in the next frames, longest waiting first', () => {
    const clock = frames();
    const budget = new FrameBudget({ initial: 4, requestFrame: clock.requestFrame, max: 4 });
    const { applied, jobs } = panels(10);
    for (const job of jobs) budget.run(job);
    expect(applied).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    clock.frame(16);
    expect(applied).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    clock.frame(32);
    expect(applied).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    clock.frame(48);
    expect(clock.pending).toBe(0); // nothing waits: no more frames asked for
  });

  it('applies a panel at most once per frame: a second message in the same frame waits for the next', () => {
    const clock = frames();
    const budget = new FrameBudget({ initial: 8, requestFrame: clock.requestFrame });
    const { applied, jobs } = panels(1);
    budget.run(jobs[0]!);
    budget.run(jobs[0]!);
    budget.run(jobs[0]!);
    expect(applied).toEqual([1]);
    clock.frame(16);
    expect(applied).toEqual([2]); // the two waiting requests are one update
    clock.frame(32);
    expect(applied).toEqual([2]);
  });

  it('lowers the budget after a late frame and raises it by one per frame on time', () => {
    const clock = frames();
    const budget = new FrameBudget({ initial: 16, min: 2, requestFrame: clock.requestFrame });
    const { jobs } = panels(40);
    for (const job of jobs) budget.run(job);
    clock.frame(0);
    clock.frame(50); // 50 ms since the last frame: late
    expect(budget.perFrame).toBe(12);
    clock.frame(66);
    expect(budget.perFrame).toBe(13);
  });

  it('a cancelled job (a panel gone) never runs', () => {
    const clock = frames();
    const budget = new FrameBudget({ initial: 1, max: 1, requestFrame: clock.requestFrame });
    const { applied, jobs } = panels(2);
    budget.run(jobs[0]!);
    budget.run(jobs[1]!);
    budget.cancel(jobs[1]!);
    clock.frame(16);
    clock.frame(32);
    expect(applied).toEqual([1, 0]);
  });
});
