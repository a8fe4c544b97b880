// Renders resources/icon.svg into every icon the installers need, so the SVG stays the one source.
// Run after changing the SVG: node scripts/make-icons.mjs (the outputs are committed; packaging needs no renderer).
import fs from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import png2icons from 'png2icons';

const resources = path.resolve(import.meta.dirname, '..', 'resources');
const svg = fs.readFileSync(path.join(resources, 'icon.svg'));
export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

const render = (source, size) => new Resvg(source, { fitTo: { mode: 'width', value: size } }).render().asPng();

fs.mkdirSync(path.join(resources, 'icons'), { recursive: true });
for (const size of ICON_SIZES)
  fs.writeFileSync(path.join(resources, 'icons', `${size}x${size}.png`), render(svg, size));
const master = render(svg, 1024);
fs.writeFileSync(path.join(resources, 'icon.png'), master);
// BICUBIC keeps the small Windows sizes sharp enough; the .ico carries PNG frames (Vista and later).
fs.writeFileSync(path.join(resources, 'icon.icns'), png2icons.createICNS(master, png2icons.BICUBIC, 0));
fs.writeFileSync(path.join(resources, 'icon.ico'), png2icons.createICO(master, png2icons.BICUBIC, 0, true, true));

// Tray: the glyph with a dot that shows the connection state; @2x for high-density displays.
const TRAY_STATES = { live: '#26a69a', degraded: '#f6c343', offline: '#8a93a3' };
fs.mkdirSync(path.join(resources, 'tray'), { recursive: true });
for (const [state, colour] of Object.entries(TRAY_STATES)) {
  const withDot = svg
    .toString()
    .replace('</svg>', `<circle cx="824" cy="824" r="176" fill="${colour}" stroke="#0f1218" stroke-width="48"/></svg>`);
  fs.writeFileSync(path.join(resources, 'tray', `${state}.png`), render(withDot, 16));
  fs.writeFileSync(path.join(resources, 'tray', `${state}@2x.png`), render(withDot, 32));
}
console.log(`Icons written to ${resources}`);
