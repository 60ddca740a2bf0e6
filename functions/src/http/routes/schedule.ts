import { previewSchedule } from '../../services/schedule-preview';
import { parseBody } from '../errors';
import { clientAddress } from '../limits';
import { schedulePreviewQuery } from '../schedule-preview-schemas';
import { mount, type RouteContext } from './route';

/**
 * A schedule's next expected runs, for forms that show them before a monitor exists. It reads
 * nothing stored, so it needs no key; like the other anonymous routes it is limited per client
 * address (429 with Retry-After).
 */
export function mountScheduleRoutes(ctx: RouteContext): void {
  const { router, deps, limits } = ctx;
  mount(router, '/v1/schedule/preview', {
    get: async (req, res) => {
      await limits.take('schedulePreview', clientAddress(req));
      const q = parseBody(schedulePreviewQuery, { ...req.query });
      const { timing, next } = previewSchedule(deps, { schedule: q.schedule, tz: q.tz, count: q.count });
      res.json({
        schedule: timing.cron ?? timing.schedule,
        ...(timing.cron !== null ? { tz: timing.tz } : {}),
        period: timing.schedule,
        next: next.map((d) => d.toISOString()),
      });
    },
  });
}
