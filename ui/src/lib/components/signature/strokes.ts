/**
 * The strokes of a signature, independent of how they are drawn: points in CSS pixels of the
 * pad with the pressure and the time since the first point. Kept with the signature image so a
 * signature can be re-rendered or examined later, and small enough to store (rounded numbers).
 */
export interface StrokePoint {
  x: number;
  y: number;
  /** 0–1; 0.5 for devices without pressure (mouse). */
  p: number;
  /** Milliseconds since the first point of the signature. */
  t: number;
}

export interface Signature {
  width: number;
  height: number;
  strokes: StrokePoint[][];
}

/** Fewest points a signature must have to count as one (a tap is not a signature). */
export const MIN_POINTS = 8;
/** Most points kept: a pad scribbled on for minutes must not become megabytes of JSON. */
export const MAX_POINTS = 20_000;

export class StrokeRecorder {
  strokes: StrokePoint[][] = [];
  private origin: number | null = null;
  private count = 0;

  /** Starts a stroke at a point; returns false once the signature is full. */
  begin(x: number, y: number, pressure: number, time: number): boolean {
    if (this.count >= MAX_POINTS) return false;
    this.origin ??= time;
    this.strokes.push([this.point(x, y, pressure, time)]);
    this.count += 1;
    return true;
  }

  /** Adds a point to the current stroke, dropping ones too close to the last to matter. */
  extend(x: number, y: number, pressure: number, time: number): StrokePoint | null {
    const stroke = this.strokes.at(-1);
    if (!stroke || this.count >= MAX_POINTS) return null;
    const last = stroke.at(-1);
    if (last && Math.hypot(last.x - x, last.y - y) < 0.75) return null;
    const point = this.point(x, y, pressure, time);
    stroke.push(point);
    this.count += 1;
    return point;
  }

  undo(): void {
    const removed = this.strokes.pop();
    this.count -= removed?.length ?? 0;
    if (this.strokes.length === 0) this.origin = null;
  }

  clear(): void {
    this.strokes = [];
    this.count = 0;
    this.origin = null;
  }

  get points(): number {
    return this.count;
  }

  /** Whether enough has been drawn to count as a signature. */
  get signed(): boolean {
    return this.count >= MIN_POINTS;
  }

  toJSON(width: number, height: number): Signature {
    return { width: Math.round(width), height: Math.round(height), strokes: this.strokes };
  }

  private point(x: number, y: number, pressure: number, time: number): StrokePoint {
    const p = pressure > 0 ? pressure : 0.5;
    return {
      x: Math.round(x * 10) / 10,
      y: Math.round(y * 10) / 10,
      p: Math.round(p * 100) / 100,
      t: Math.round(time - (this.origin ?? time)),
    };
  }
}

/** Line width for a pressure: pens press lighter or harder, a mouse draws a steady line. */
export function lineWidth(pressure: number): number {
  return 1.2 + pressure * 2.6;
}
