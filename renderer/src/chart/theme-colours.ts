/** The chart's colours from the page's CSS variables, which follow the theme. */
export function themeColours() {
  const styles = getComputedStyle(document.documentElement);
  const colour = (name: string, fallback: string) => styles.getPropertyValue(name).trim() || fallback;
  const border = colour('--border', '#333');
  const grid = colour('--grid', '#222');
  return {
    layout: { textColor: colour('--text-muted', '#999'), panes: { separatorColor: border } },
    grid: { vertLines: { color: grid }, horzLines: { color: grid } },
    rightPriceScale: { borderColor: border },
    timeScale: { borderColor: border },
  };
}
