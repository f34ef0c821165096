import { describe, expect, it } from 'vitest';
import { arrowHead, drawShapes, ellipseIn, type Pen, strokeFor } from './markup';

/** A pen that records what is drawn. */
function recorder() {
  const calls: string[] = [];
  const pen = {
    lineWidth: 0,
    strokeStyle: '',
    fillStyle: '',
    lineCap: 'butt',
    lineJoin: 'miter',
    font: '',
    textBaseline: 'alphabetic',
    beginPath: () => calls.push('begin'),
    moveTo: (x: number, y: number) => calls.push(`move ${x},${y}`),
    lineTo: (x: number, y: number) => calls.push(`line ${Math.round(x)},${Math.round(y)}`),
    ellipse: (x: number, y: number, rx: number, ry: number) =>
      calls.push(`ellipse ${x},${y} ${rx}×${ry}`),
    stroke() {
      calls.push(`stroke ${String(pen.strokeStyle)} ${pen.lineWidth}`);
    },
    strokeText: (text: string) => calls.push(`outline ${text}`),
    fillText(text: string) {
      calls.push(`fill ${text} ${String(pen.fillStyle)}`);
    },
  };
  return { pen: pen as unknown as Pen, calls };
}

describe('marking up a photo', () => {
  it('sizes the lines to the picture, never thinner than 3 px', () => {
    expect(strokeFor(4000, 3000)).toBe(20);
    expect(strokeFor(640, 480)).toBe(3);
    expect(strokeFor(100, 100)).toBe(3);
  });

  it('points an arrow head back along the line, symmetric about it', () => {
    const [a, b] = arrowHead({ x: 0, y: 0 }, { x: 100, y: 0 }, 10);
    expect(a.x).toBeLessThan(100);
    expect(b.x).toBeCloseTo(a.x);
    expect(a.y).toBeCloseTo(-b.y);
  });

  it('fits a circle in the box dragged, whichever way', () => {
    expect(ellipseIn({ x: 10, y: 20 }, { x: 50, y: 0 })).toEqual({
      cx: 30,
      cy: 10,
      rx: 20,
      ry: 10,
    });
  });

  it('draws every shape white and wider first, then red on top', () => {
    const { pen, calls } = recorder();
    drawShapes(
      pen,
      [
        { kind: 'arrow', from: { x: 0, y: 0 }, to: { x: 100, y: 0 } },
        { kind: 'circle', from: { x: 0, y: 0 }, to: { x: 40, y: 20 } },
        { kind: 'text', from: { x: 5, y: 5 }, text: 'Leak' },
      ],
      640,
      480,
    );
    expect(calls.filter((c) => c.startsWith('stroke'))).toEqual([
      'stroke #ffffff 6',
      'stroke #e3262b 3',
      'stroke #ffffff 6',
      'stroke #e3262b 3',
    ]);
    expect(calls).toContain('ellipse 20,10 20×10');
    expect(calls.indexOf('outline Leak')).toBeLessThan(calls.indexOf('fill Leak #e3262b'));
  });
});
