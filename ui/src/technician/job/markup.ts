/**
 * What a photo is marked up with, and how it is drawn: arrows, circles (ellipses in the box
 * dragged) and short text, in red with a white edge, sized to the picture (a 4,000-pixel photo
 * gets lines as thick, relative to it, as a 640-pixel one).
 */

export type Tool = 'arrow' | 'circle' | 'text';

export interface Point {
  x: number;
  y: number;
}

export type Shape =
  | { kind: 'arrow'; from: Point; to: Point }
  | { kind: 'circle'; from: Point; to: Point }
  | { kind: 'text'; from: Point; text: string };

const RED = '#e3262b';
const EDGE = '#ffffff';

/** The line width for a picture of `width` × `height` pixels: about 1/200 of its long edge. */
export function strokeFor(width: number, height: number): number {
  return Math.max(3, Math.round(Math.max(width, height) / 200));
}

/** The two sides of an arrow's head at `to`, for a line from `from`. */
export function arrowHead(from: Point, to: Point, size: number): [Point, Point] {
  const angle = Math.atan2(to.y - from.y, to.x - from.x);
  const spread = Math.PI / 7;
  return [
    { x: to.x - size * Math.cos(angle - spread), y: to.y - size * Math.sin(angle - spread) },
    { x: to.x - size * Math.cos(angle + spread), y: to.y - size * Math.sin(angle + spread) },
  ];
}

/** The ellipse in the box from `from` to `to`: its centre and radii. */
export function ellipseIn(
  from: Point,
  to: Point,
): { cx: number; cy: number; rx: number; ry: number } {
  return {
    cx: (from.x + to.x) / 2,
    cy: (from.y + to.y) / 2,
    rx: Math.abs(to.x - from.x) / 2,
    ry: Math.abs(to.y - from.y) / 2,
  };
}

/** The subset of the 2D context the drawing uses (a canvas's, or a test's recorder). */
export type Pen = Pick<
  CanvasRenderingContext2D,
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'ellipse'
  | 'stroke'
  | 'strokeText'
  | 'fillText'
  | 'lineWidth'
  | 'strokeStyle'
  | 'fillStyle'
  | 'lineCap'
  | 'lineJoin'
  | 'font'
  | 'textBaseline'
>;

/** Draws `shapes` on a picture of `width` × `height`: each in white, wider, then in red. */
export function drawShapes(
  ctx: Pen,
  shapes: readonly Shape[],
  width: number,
  height: number,
): void {
  const w = strokeFor(width, height);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const s of shapes) {
    for (const [colour, width_] of [
      [EDGE, w * 2],
      [RED, w],
    ] as const) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width_;
      if (s.kind === 'arrow') {
        const [a, b] = arrowHead(s.from, s.to, w * 6);
        ctx.beginPath();
        ctx.moveTo(s.from.x, s.from.y);
        ctx.lineTo(s.to.x, s.to.y);
        ctx.moveTo(a.x, a.y);
        ctx.lineTo(s.to.x, s.to.y);
        ctx.lineTo(b.x, b.y);
        ctx.stroke();
      } else if (s.kind === 'circle') {
        const e = ellipseIn(s.from, s.to);
        ctx.beginPath();
        ctx.ellipse(e.cx, e.cy, Math.max(e.rx, 1), Math.max(e.ry, 1), 0, 0, Math.PI * 2);
        ctx.stroke();
      } else {
        ctx.font = `bold ${w * 8}px sans-serif`;
        ctx.textBaseline = 'middle';
        if (colour === EDGE) {
          ctx.lineWidth = w * 2;
          ctx.strokeText(s.text, s.from.x, s.from.y);
        } else {
          ctx.fillStyle = RED;
          ctx.fillText(s.text, s.from.x, s.from.y);
        }
      }
    }
  }
}
