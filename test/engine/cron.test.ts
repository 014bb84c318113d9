import { parseCron, parseGoDuration } from '../../engine/timers/cron';

describe('cron schedules', () => {
  const at = (iso: string) => Date.parse(iso);
  const next = (spec: string, from: string) => new Date(parseCron(spec).next(at(from))).toISOString();

  it('finds the next fire time of five-field schedules (UTC)', () => {
    expect(next('*/15 * * * *', '2030-01-01T10:07:30Z')).toBe('2030-01-01T10:15:00.000Z');
    expect(next('0 9 * * MON-FRI', '2030-01-04T09:00:00Z')).toBe('2030-01-07T09:00:00.000Z'); // Friday -> Monday
    expect(next('30 8 1 * *', '2030-01-31T12:00:00Z')).toBe('2030-02-01T08:30:00.000Z');
    expect(next('0 0 29 2 *', '2030-03-01T00:00:00Z')).toBe('2032-02-29T00:00:00.000Z');
    expect(next('@daily', '2030-06-15T23:59:00Z')).toBe('2030-06-16T00:00:00.000Z');
  });

  it('supports @every with Go durations', () => {
    expect(parseCron('@every 1h30m').next(0)).toBe(5_400_000);
    expect(parseGoDuration('500ms')).toBe(500);
  });

  it('refuses malformed schedules', () => {
    expect(() => parseCron('61 * * * *')).toThrow(/CronSchedule/);
    expect(() => parseCron('* * *')).toThrow(/5 fields/);
    expect(() => parseCron('@every soon')).toThrow(/duration/);
  });
});
