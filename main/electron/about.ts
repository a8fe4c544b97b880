/** The About dialog's content: the obligations to TradingView and Yahoo travel with every copy of the app. */
import { LINKS } from './policy.ts';

export interface AboutDialog {
  title: string;
  message: string;
  detail: string;
  buttons: { label: string; link?: string }[];
}

export function aboutDialog(
  version: string,
  versions: { electron?: string; chrome?: string; node?: string },
): AboutDialog {
  return {
    title: 'About Market Monitor',
    message: `Market Monitor ${version}`,
    detail: [
      'A real-time stock market monitor.',
      '',
      `Charts by TradingView Lightweight Charts™ (${LINKS.tradingView}).`,
      'Yahoo Finance data is for personal use only, under Yahoo’s terms.',
      '',
      `Electron ${versions.electron ?? '?'} · Chromium ${versions.chrome ?? '?'} · Node ${versions.node ?? '?'}`,
    ].join('\n'),
    buttons: [
      { label: 'OK' },
      { label: 'TradingView Lightweight Charts', link: LINKS.tradingView },
      { label: 'Yahoo Finance', link: LINKS.yahooFinance },
    ],
  };
}
