import type { KafkaMessage, Message } from 'kafkajs';
import type { CompanyProfile } from '../../domain/company.ts';
import type { Tick } from '../../domain/tick.ts';
import type { BusRecord } from '../bus.ts';
import type { DeadLetter } from '../../domain/dead-letter.ts';

/** A tick is a few hundred bytes; anything far larger is refused before parsing. */
export const MAX_TICK_BYTES = 64 * 1024;

/**
 * A tick as a Kafka record, keyed by symbol (one symbol, one partition, in order). The record keeps
 * the producer's clock as its timestamp, not the event time: retention is measured on record
 * timestamps, and a replay of last month's ticks would otherwise be deleted as soon as it is written.
 */
export function tickMessage(tick: Tick): Message {
  return { key: tick.symbol, value: JSON.stringify(tick) };
}

/** Decodes a record's bytes; what cannot be decoded still becomes a record, carrying why, for the dead-letter log. */
export function decodeRecord(message: KafkaMessage): BusRecord {
  const offset = Number(message.offset);
  const key = message.key?.toString('utf8') ?? '';
  const bytes = message.value;
  if (!bytes || bytes.length === 0) return { offset, key, value: null, error: 'invalid: empty message' };
  if (bytes.length > MAX_TICK_BYTES) {
    return {
      offset,
      key,
      value: bytes.subarray(0, 256).toString('utf8'),
      error: `invalid: ${bytes.length} bytes, more than the ${MAX_TICK_BYTES} a tick may take`,
    };
  }
  const text = bytes.toString('utf8');
  try {
    return { offset, key, value: JSON.parse(text) };
  } catch (error) {
    return { offset, key, value: text, error: `invalid: not JSON (${(error as Error).message})` };
  }
}

/** A dead letter as a record of the dead-letter topic: the reason and the origin travel in headers. */
export function deadLetterMessage(letter: DeadLetter): Message {
  return {
    value: letter.payload,
    timestamp: String(letter.at),
    headers: {
      reason: letter.reason,
      'source-topic': letter.topic,
      'source-partition': String(letter.partition),
      'source-offset': String(letter.offset),
    },
  };
}

/** A profile on the compacted companies topic: keyed by symbol, so compaction keeps the latest. */
export function companyMessage(profile: CompanyProfile): Message {
  return { key: profile.symbol, value: JSON.stringify(profile) };
}
