// Screenshots from the X server's own framebuffer, not from WebKit.
//
// Without a GPU the app has WebKit draw without compositing (src-tauri/src/renderer.rs), and in
// that mode WebKitGTK never answers WebDriver's "take screenshot". So the e2e runs Xvfb with
// `-fbdir DIR` (tests/desktop/run.sh), which keeps the screen in DIR/Xvfb_screen0 as an XWD
// image, and a screenshot is the window's rectangle cut out of it and saved as a PNG: exactly
// what a person looking at the screen would see.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** The directory Xvfb keeps its framebuffer in, when the test runs under one with -fbdir. */
export const FBDIR = process.env.FIELDWORK_E2E_FBDIR || null;

/** Decodes a 24/32-bit TrueColor ZPixmap XWD image into { width, height, rgb } (3 bytes a pixel). */
export function decodeXwd(buf) {
  const u32 = (i) => buf.readUInt32BE(i * 4);
  const headerSize = u32(0);
  const [version, format, , width, height] = [u32(1), u32(2), u32(3), u32(4), u32(5)];
  const byteOrder = u32(7);
  const bitsPerPixel = u32(11);
  const bytesPerLine = u32(12);
  const ncolors = u32(19);
  const masks = [u32(14), u32(15), u32(16)];
  if (version !== 7 || format !== 2 || bitsPerPixel !== 32) {
    throw new Error(`unsupported XWD image (version ${version}, format ${format}, ${bitsPerPixel} bpp)`);
  }
  const data = headerSize + ncolors * 12;
  if (buf.length < data + height * bytesPerLine) throw new Error('XWD image is truncated');
  const shifts = masks.map((m) => Math.clz32(1) - Math.clz32(m & -m) + 0);
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = data + y * bytesPerLine;
    for (let x = 0; x < width; x++) {
      const p = byteOrder === 0 ? buf.readUInt32LE(row + x * 4) : buf.readUInt32BE(row + x * 4);
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) rgb[o + c] = ((p & masks[c]) >>> shifts[c]) & 0xff;
    }
  }
  return { width, height, rgb };
}

function chunk(type, body) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed));
  return Buffer.concat([len, typed, crc]);
}

/** An 8-bit RGB PNG of the rectangle { x, y, width, height } of an image from decodeXwd. */
export function encodePng(image, rect = { x: 0, y: 0, width: image.width, height: image.height }) {
  const x0 = Math.max(0, Math.round(rect.x));
  const y0 = Math.max(0, Math.round(rect.y));
  const w = Math.min(image.width - x0, Math.round(rect.width));
  const h = Math.min(image.height - y0, Math.round(rect.height));
  if (w <= 0 || h <= 0) throw new Error(`window rectangle ${JSON.stringify(rect)} is off screen`);
  const raw = Buffer.alloc(h * (1 + w * 3));
  for (let y = 0; y < h; y++) {
    const start = ((y0 + y) * image.width + x0) * 3;
    image.rgb.copy(raw, y * (1 + w * 3) + 1, start, start + w * 3);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The given rectangle of the X screen as a PNG (Buffer); a blank rectangle is an error. */
export function captureScreen(rect) {
  const image = decodeXwd(fs.readFileSync(path.join(FBDIR, 'Xvfb_screen0')));
  const png = encodePng(image, rect);
  const first = image.rgb.readUIntBE(0, 3);
  let varied = false;
  for (let i = 3; i < image.rgb.length && !varied; i += 3) varied = image.rgb.readUIntBE(i, 3) !== first;
  if (!varied) throw new Error('the screen is one flat colour: the window drew nothing');
  return png;
}
