import type { ScheduleSpec } from './job-schedule.ts';

const DAY_NAMES = ['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays'];

const two = (n: number) => String(n).padStart(2, '0');
const isNumber = (field: string) => /^\d+$/.test(field);

/** "Mondays, Wednesdays and Fridays"; undefined for a weekday field these words do not cover. */
function weekdays(field: string): string | undefined {
  if (field === '1-5') return 'Weekdays';
  if (field === '0,6' || field === '6,0' || field === '6-7' || field === '6,7') return 'Weekends';
  const days: number[] = [];
  for (const part of field.split(',')) {
    const range = /^(\d)-(\d)$/.exec(part);
    if (range) {
      for (let d = Number(range[1]); d <= Number(range[2]); d++) days.push(d % 7);
    } else if (/^\d$/.test(part)) days.push(Number(part) % 7);
    else return undefined;
  }
  if (days.some((d) => d > 6)) return undefined;
  const unique = [...new Set(days)];
  if (unique.length === 7) return 'Every day';
  const names = unique.map((d) => DAY_NAMES[d]!);
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * A schedule as a sentence for the job list: "Every day at 18:30", "Weekdays at 18:00", "Every 15
 * minutes". A cron expression these words do not cover is shown as it is ("Cron 0 9-17/2 * * *").
 * The zone is the caller's to add.
 */
export function scheduleInWords(schedule: ScheduleSpec): string {
  if (schedule.type === 'daily') return `Every day at ${schedule.time}`;
  const expression = schedule.expression.trim();
  const fields = expression.split(/\s+/);
  const raw = `Cron ${expression}`;
  if (fields.length !== 5) return raw;
  const [minute, hour, day, month, weekday] = fields as [string, string, string, string, string];
  const every = /^\*\/(\d+)$/.exec(minute);
  if (every && hour === '*' && day === '*' && month === '*' && weekday === '*')
    return every[1] === '1' ? 'Every minute' : `Every ${every[1]} minutes`;
  if (isNumber(minute) && hour === '*' && day === '*' && month === '*' && weekday === '*')
    return `Every hour at minute ${Number(minute)}`;
  if (!isNumber(minute) || !isNumber(hour) || month !== '*') return raw;
  const at = `at ${two(Number(hour))}:${two(Number(minute))}`;
  if (day === '*' && weekday === '*') return `Every day ${at}`;
  if (day === '*') {
    const days = weekdays(weekday);
    return days ? `${days} ${at}` : raw;
  }
  if (isNumber(day) && weekday === '*') return `On day ${Number(day)} of every month ${at}`;
  return raw;
}
