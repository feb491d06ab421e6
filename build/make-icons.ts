/**
 * Draws the app's icons with no external tools or downloads: the application icon (a printer
 * with a sheet of paper) as PNGs and a multi-size Windows .ico, the tray icons for each tray state
 * (idle, active, attention) for light and dark taskbars at 16 px and @2x, and the taskbar overlay
 * badges 1..9 and 9+. Run: npx tsx build/make-icons.ts  (the output is committed).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

type RGBA = [number, number, number, number];

export class Canvas {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 4);
  }

  /** Fills the pixels whose centre lies inside `inside(x, y)` (coordinates in 0..1 of the size), 4x4 supersampled. */
  fill(color: RGBA, inside: (x: number, y: number) => boolean): void {
    const n = 4;
    for (let py = 0; py < this.height; py++) {
      for (let px = 0; px < this.width; px++) {
        let hits = 0;
        for (let sy = 0; sy < n; sy++) {
          for (let sx = 0; sx < n; sx++) {
            if (inside((px + (sx + 0.5) / n) / this.width, (py + (sy + 0.5) / n) / this.height)) hits++;
          }
        }
        if (hits > 0) this.blend(px, py, color, hits / (n * n));
      }
    }
  }

  private blend(px: number, py: number, [r, g, b, a]: RGBA, coverage: number): void {
    const i = (py * this.width + px) * 4;
    const srcA = (a / 255) * coverage;
    const dstA = this.data[i + 3] / 255;
    const outA = srcA + dstA * (1 - srcA);
    if (outA === 0) return;
    const mix = (s: number, d: number) => Math.round((s * srcA + d * dstA * (1 - srcA)) / outA);
    this.data[i] = mix(r, this.data[i]);
    this.data[i + 1] = mix(g, this.data[i + 1]);
    this.data[i + 2] = mix(b, this.data[i + 2]);
    this.data[i + 3] = Math.round(outA * 255);
  }
}

// --- shapes (in 0..1 units) -----------------------------------------------------------------------

const roundRect = (x0: number, y0: number, x1: number, y1: number, r: number) => (x: number, y: number) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const circle = (cx: number, cy: number, r: number) => (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

// --- PNG and ICO encoding --------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([len, typed, crc]);
}

export function encodePng(c: Canvas): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(c.width, 0);
  ihdr.writeUInt32BE(c.height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((c.width * 4 + 1) * c.height);
  for (let y = 0; y < c.height; y++) {
    raw[y * (c.width * 4 + 1)] = 0; // filter: none
    Buffer.from(c.data.buffer, y * c.width * 4, c.width * 4).copy(raw, y * (c.width * 4 + 1) + 1);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** A Windows .ico holding PNG images (supported since Windows Vista), smallest first. */
export function encodeIco(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(images.length, 4);
  const entries: Buffer[] = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

// --- the drawings ------------------------------------------------------------------------------------

export type TrayIconState = 'idle' | 'active' | 'attention';
const STATE_COLOR: Record<TrayIconState, RGBA | null> = { idle: null, active: [0x1e, 0x88, 0xe5, 255], attention: [0xe5, 0x39, 0x35, 255] };

/** A printer: body, paper coming out of the top, output slot; `ink` for the outline colour. */
function drawPrinter(c: Canvas, body: RGBA, paper: RGBA, slot: RGBA): void {
  c.fill(paper, roundRect(0.28, 0.08, 0.72, 0.45, 0.03));
  c.fill(body, roundRect(0.1, 0.36, 0.9, 0.76, 0.09));
  c.fill(slot, roundRect(0.24, 0.62, 0.76, 0.68, 0.02));
  c.fill(paper, roundRect(0.28, 0.66, 0.72, 0.92, 0.03));
}

export function appIcon(size: number): Canvas {
  const c = new Canvas(size, size);
  c.fill([0x15, 0x65, 0xc0, 255], roundRect(0.02, 0.02, 0.98, 0.98, 0.2));
  drawPrinter(c, [0xe3, 0xf2, 0xfd, 255], [255, 255, 255, 255], [0x0d, 0x47, 0xa1, 255]);
  c.fill([0x43, 0xa0, 0x47, 255], circle(0.78, 0.48, 0.06));
  return c;
}

/** Dark taskbar: a light glyph; light taskbar: a dark glyph. A coloured dot says the state. */
export function trayIcon(state: TrayIconState, darkTaskbar: boolean, size: number): Canvas {
  const c = new Canvas(size, size);
  const ink: RGBA = darkTaskbar ? [0xf5, 0xf5, 0xf5, 255] : [0x21, 0x21, 0x21, 255];
  const paper: RGBA = darkTaskbar ? [0xbd, 0xbd, 0xbd, 255] : [0x75, 0x75, 0x75, 255];
  const slot: RGBA = darkTaskbar ? [0x42, 0x42, 0x42, 255] : [0xe0, 0xe0, 0xe0, 255];
  drawPrinter(c, ink, paper, slot);
  const color = STATE_COLOR[state];
  if (color) {
    c.fill(darkTaskbar ? [0x20, 0x20, 0x20, 255] : [255, 255, 255, 255], circle(0.76, 0.76, 0.26));
    c.fill(color, circle(0.76, 0.76, 0.2));
  }
  return c;
}

/** 3x5 digit glyphs for the overlay badge (rows top to bottom). */
const GLYPHS: Record<string, string[]> = {
  '0': ['111', '101', '101', '101', '111'],
  '1': ['010', '110', '010', '010', '111'],
  '2': ['111', '001', '111', '100', '111'],
  '3': ['111', '001', '111', '001', '111'],
  '4': ['101', '101', '111', '001', '001'],
  '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'],
  '7': ['111', '001', '010', '010', '010'],
  '8': ['111', '101', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'],
  '+': ['000', '010', '111', '010', '000'],
};

export function badgeIcon(text: string, size: number): Canvas {
  const c = new Canvas(size, size);
  c.fill([0xd3, 0x2f, 0x2f, 255], circle(0.5, 0.5, 0.5));
  const cols = text.length * 4 - 1;
  const cell = Math.min(0.62 / cols, 0.56 / 5);
  const x0 = 0.5 - (cols * cell) / 2;
  const y0 = 0.5 - (5 * cell) / 2;
  [...text].forEach((ch, i) => {
    const g = GLYPHS[ch];
    if (!g) throw new Error(`No badge glyph for "${ch}".`);
    g.forEach((row, r) =>
      [...row].forEach((bit, col) => {
        if (bit !== '1') return;
        const x = x0 + (i * 4 + col) * cell;
        const y = y0 + r * cell;
        c.fill([255, 255, 255, 255], (px, py) => px >= x && px < x + cell && py >= y && py < y + cell);
      }),
    );
  });
  return c;
}

export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;
export const TRAY_STATES: readonly TrayIconState[] = ['idle', 'active', 'attention'];
export const BADGES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '9+'] as const;

/** Writes every icon under `outDir` (build/icons); returns the files written. */
export function makeIcons(outDir: string): string[] {
  const written: string[] = [];
  const write = (rel: string, data: Buffer) => {
    const path = join(outDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
    written.push(rel);
  };
  write('icon.ico', encodeIco(ICO_SIZES.map((size) => ({ size, png: encodePng(appIcon(size)) }))));
  write('icon.png', encodePng(appIcon(512)));
  write('app.png', encodePng(appIcon(256)));
  for (const state of TRAY_STATES) {
    for (const dark of [false, true]) {
      const name = `${state}-${dark ? 'dark' : 'light'}`;
      write(`tray/${name}.png`, encodePng(trayIcon(state, dark, 16)));
      write(`tray/${name}@2x.png`, encodePng(trayIcon(state, dark, 32)));
    }
  }
  for (const b of BADGES) write(`badge/${b === '9+' ? '9plus' : b}.png`, encodePng(badgeIcon(b, 32)));
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = join(dirname(fileURLToPath(import.meta.url)), 'icons');
  const files = makeIcons(out);
  console.log(`Wrote ${files.length} icons to ${out}`);
}
