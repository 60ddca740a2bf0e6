/** A clock tests move by hand. Starts at a fixed instant so figures in assertions are stable. */
export class FakeClock {
  private t: number;
  constructor(start = '2026-03-28T02:00:00.000Z') {
    this.t = Date.parse(start);
  }
  now = (): Date => new Date(this.t);
  advance(seconds: number): Date {
    this.t += seconds * 1000;
    return this.now();
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
}
