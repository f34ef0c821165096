import { describe, expect, it } from 'vitest';
import { MAX_POINTS, MIN_POINTS, StrokeRecorder, lineWidth } from './strokes';

describe('StrokeRecorder', () => {
  it('records strokes with times relative to the first point', () => {
    const r = new StrokeRecorder();
    r.begin(10, 10, 0.5, 1000);
    r.extend(20, 10, 0.5, 1016);
    r.begin(30, 30, 0, 1200);
    const json = r.toJSON(400.4, 180);
    expect(json.width).toBe(400);
    expect(json.strokes).toHaveLength(2);
    expect(json.strokes[0]?.[1]).toEqual({ x: 20, y: 10, p: 0.5, t: 16 });
    // No pressure (a mouse) counts as medium pressure.
    expect(json.strokes[1]?.[0]).toEqual({ x: 30, y: 30, p: 0.5, t: 200 });
  });

  it('a tap is not a signature; a short line is', () => {
    const r = new StrokeRecorder();
    r.begin(0, 0, 0.5, 0);
    expect(r.signed).toBe(false);
    for (let i = 1; i < MIN_POINTS; i++) r.extend(i * 3, 0, 0.5, i);
    expect(r.signed).toBe(true);
  });

  it('ignores jitter smaller than a pixel', () => {
    const r = new StrokeRecorder();
    r.begin(0, 0, 0.5, 0);
    expect(r.extend(0.3, 0.2, 0.5, 1)).toBeNull();
    expect(r.points).toBe(1);
  });

  it('undo removes the last stroke, clear removes all', () => {
    const r = new StrokeRecorder();
    r.begin(0, 0, 0.5, 0);
    r.extend(5, 5, 0.5, 1);
    r.begin(9, 9, 0.5, 2);
    r.undo();
    expect(r.strokes).toHaveLength(1);
    expect(r.points).toBe(2);
    r.clear();
    expect(r.strokes).toHaveLength(0);
    expect(r.points).toBe(0);
  });

  it('stops at the point limit', () => {
    const r = new StrokeRecorder();
    r.begin(0, 0, 0.5, 0);
    for (let i = 1; i < MAX_POINTS + 50; i++) r.extend(i * 2, 0, 0.5, i);
    expect(r.points).toBe(MAX_POINTS);
    expect(r.begin(1, 1, 0.5, 0)).toBe(false);
  });

  it('line width grows with pressure', () => {
    expect(lineWidth(1)).toBeGreaterThan(lineWidth(0.5));
    expect(lineWidth(0)).toBeGreaterThan(0);
  });
});
