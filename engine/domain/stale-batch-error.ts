/**
 * Another consumer (or an earlier delivery) already stored results past this batch's start: the
 * batch must not count again. Happens to a consumer that lost its partition in a rebalance. The
 * store throws it; the bus's consumer catches it and re-reads from the stored offset.
 */
export class StaleBatchError extends Error {
  constructor(topic: string, partition: number, stored: number, from: number) {
    super(`${topic}#${partition}: results up to offset ${stored} are stored already; batch from ${from} refused`);
    this.name = 'StaleBatchError';
  }
}
