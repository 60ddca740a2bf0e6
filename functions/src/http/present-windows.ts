import { windowState, type MaintenanceWindow } from '../domain/maintenance';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/**
 * A maintenance window as every answer shows it: its settings (the other form's fields null) and
 * where it stands at `now` (`windowState`: on or not, until when, and the next one).
 */
export function windowAnswer(w: MaintenanceWindow, now: Date) {
  const state = windowState(w, now);
  return {
    id: w.id,
    name: w.name,
    monitors: w.monitors === '*' ? '*' : [...w.monitors],
    schedule: w.schedule,
    tz: w.tz,
    duration: w.duration,
    start: iso(w.start),
    end: iso(w.end),
    createdAt: w.createdAt.toISOString(),
    active: state.active,
    activeUntil: iso(state.activeUntil),
    nextStart: iso(state.nextStart),
    nextEnd: iso(state.nextEnd),
  };
}
