// The producer's retry policy, with a stand-in for kafkajs' send(): the failure that matters (the
// broker wrote a batch, the answer was lost) cannot be caused on demand on a real broker. The real
// broker tests in test/kafka cover the rest of the path.
import type { Message, Producer, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BufferedProducer } from '../../engine/bus/kafka/buffered-producer.ts';
import { until } from './helpers.ts';

function standIn(failFirst: number, error: () => Error = () => new Error('connection lost')) {
  const attempts: string[][] = [];
  let calls = 0;
  const producer = {
    send: async ({ messages }: { messages: Message[] }): Promise<RecordMetadata[]> => {
      attempts.push(messages.map((m) => String(m.value)));
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (calls++ < failFirst) throw error();
      return [];
    },
  } as unknown as Producer;
  return { producer, attempts };
}

const messages = (from: number, count: number): Message[] =>
  Array.from({ length: count }, (_, i) => ({ key: 'K', value: String(from + i) }));

describe('BufferedProducer', () => {
  it('retries a failed batch with exactly the same records, however many were queued meanwhile', async () => {
    const { producer, attempts } = standIn(2);
    const out = new BufferedProducer(producer, { topic: 't', capacity: 1_000 });
    await out.enqueue(messages(0, 3));
    await out.enqueue(messages(3, 4)); // arrives while the first batch is failing
    await until(() => out.buffered === 0, 'everything sent', 10_000);
    expect(attempts.slice(0, 3)).toEqual([
      ['0', '1', '2'],
      ['0', '1', '2'],
      ['0', '1', '2'],
    ]);
    expect(attempts.slice(3).flat()).toEqual(['3', '4', '5', '6']);
    expect(out.sent).toBe(7);
    expect(out.error).toBeUndefined();
  });

  it('starts a new producer session when the broker refuses the sequence, instead of stalling', async () => {
    const sequenceError = () =>
      Object.assign(new Error('The broker received an out of order sequence number'), {
        type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
      });
    const { producer, attempts } = standIn(1, sequenceError);
    let recovered = 0;
    const out = new BufferedProducer(producer, {
      topic: 't',
      capacity: 1_000,
      recover: async () => {
        recovered++;
      },
    });
    await out.enqueue(messages(0, 2));
    await until(() => out.buffered === 0, 'sent after the new session', 10_000);
    expect(recovered).toBe(1);
    expect(attempts).toEqual([
      ['0', '1'],
      ['0', '1'],
    ]);
  });

  it('makes the producer wait at capacity rather than drop anything', async () => {
    const { producer } = standIn(3);
    const out = new BufferedProducer(producer, { topic: 't', capacity: 5 });
    let released = false;
    const waiting = out.enqueue(messages(0, 8)).then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(released).toBe(false);
    expect(out.buffered).toBe(8);
    await waiting;
    await until(() => out.buffered === 0, 'drained', 10_000);
    expect(out.sent).toBe(8);
  });
});
