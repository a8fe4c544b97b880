import { useEffect, useState } from 'react';
import type { WatchItem } from '../../../engine/api/contract.ts';
import type { FeedHealth, StaleReason } from '../../../engine/domain/feed-health.ts';

const MODE_LABELS: Record<FeedHealth['mode'], string> = {
  streaming: 'stream',
  polling: 'poll',
  simulated: '',
  replay: '',
};

const STALE_LABELS: Record<StaleReason, string> = {
  paused: 'paused',
  'rate-limited': 'rate-limited',
  session: 'session refused',
  offline: 'offline',
  'provider-error': 'provider error',
  'unknown-symbol': 'unknown symbol',
  'bad-data': 'bad data',
  'market-closed': 'market closed',
  delayed: 'delayed',
  'stream-down': 'stream down',
  'no-data': 'no data',
  'no-key': 'no key',
  'over-limit': 'over free limit',
};

/** "4 s", "12 min", "3 h", "2 d": how long ago the feed last heard of the symbol. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1_000));
  if (s < 60) return `${s} s`;
  if (s < 3_600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3_600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** Re-renders every second, so ages move on between watchlist events. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/**
 * One watchlist row's feed: provider and path (stream or poll), the age of its data, and, when its
 * price is stale, why. A stale row is marked, so an old price never passes for a live one.
 */
export function FeedHealthCell({ item, id }: { item: WatchItem; id?: string }) {
  const now = useNow(1_000);
  const feed = item.feed;
  // Hidden from the row's name (it changes every second) and read as its description through the id.
  if (!feed) return <span className="col-feed" id={id} aria-hidden="true" />;
  const heard = feed.receivedAt ?? item.last?.ts ?? null;
  const source = [feed.provider.replace(' Finance', ''), MODE_LABELS[feed.mode]].filter(Boolean).join(' ');
  const age = heard === null ? 'no data yet' : formatAge(now - heard);
  const parts = [source, age, feed.stale ? STALE_LABELS[feed.stale.reason] : ''].filter(Boolean);
  const title = [
    `${feed.provider}, ${feed.mode}${feed.why ? ` (${feed.why})` : ''}`,
    heard === null ? 'nothing received yet' : `last heard ${new Date(heard).toLocaleString()}`,
    feed.stale ? `stale: ${feed.stale.detail}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <span
      className={`col-feed ${feed.mode}${feed.stale ? ' stale' : ''}`}
      id={id}
      aria-hidden="true"
      title={title}
      data-mode={feed.mode}
      data-stale={feed.stale?.reason}
    >
      {parts.join(' · ')}
    </span>
  );
}
