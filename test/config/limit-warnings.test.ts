// Warnings at config load: schedules that flip faster than their provider's start/stop limits can follow.
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load-config.ts';
import { definitions } from './fake-definition.ts';

// The fake provider allows 1 start per hour per resource (and no stop limit).
const config = (schedules: string, targets: string, provider = '{ type: fake, credentials: { token: tk-1 } }') =>
  `providers:\n  main: ${provider}\nschedules:\n${schedules}\ntargets:\n${targets}\n`;
const now = new Date('2026-11-23T00:00:00Z'); // a Monday

describe('limit warnings', () => {
  it('names a schedule that starts twice within its provider\'s start window, with counts and the first instance', () => {
    const text = config('  flappy: { running: ["Mon 08:00-08:20", "Mon 08:40-19:00"] }\n  calm: { running: ["Mon-Fri 08:00-19:00"] }', '  - { name: a, provider: main, resource: r1, schedule: flappy }\n  - { name: b, provider: main, resource: r2, schedule: calm }');
    const { warnings } = loadConfigText(text, { file: 'w.yaml', env: {}, definitions, now });
    expect(warnings).toEqual([
      'schedule "flappy" flips faster than provider "main" can follow: of 4 transitions in the 7 days from 2026-11-23T00:00:00.000Z, 1 would wait for a limit window (up to 21m), the first at 2026-11-23T08:40:00.000Z; main allows 1 start per 1h per resource. `offhours plan` shows when each really happens.',
    ]);
  });

  it('counts calls dropped because the schedule turns back before the window opens, and names inline schedules by their target', () => {
    const text = config('  calm: never', '  - { name: a, provider: main, resource: r1, schedule: { running: ["Mon 08:00-08:10", "Mon 08:20-08:25"] } }');
    // 08:20's start waits for 09:00, but the schedule stops again at 08:25: it is never sent
    expect(loadConfigText(text, { file: 'w.yaml', env: {}, definitions, now }).warnings).toEqual([
      'the schedule of target "a" flips faster than provider "main" can follow: of 4 transitions in the 7 days from 2026-11-23T00:00:00.000Z, 1 would be dropped because the schedule turns back before the window opens, the first at 2026-11-23T08:20:00.000Z; main allows 1 start per 1h per resource. `offhours plan` shows when each really happens.',
    ]);
  });

  it('plans targets sharing an API-key budget together', () => {
    const targets = ['a', 'b', 'c'].map((name) => `  - { name: ${name}, provider: main, resource: ${name}, schedule: office }`).join('\n');
    const text = config('  office: { running: ["Mon-Fri 08:00-19:00"] }', targets, '{ type: fake, credentials: { token: tk-1 }, limitScope: provider }');
    const [warning, ...rest] = loadConfigText(text, { file: 'w.yaml', env: {}, definitions, now }).warnings;
    expect(rest).toEqual([]);
    expect(warning).toContain('schedule "office" flips faster than provider "main" can follow (its 3 targets share these budgets)');
    expect(warning).toContain('main allows 1 start per 1h per API key');
  });

  it('says nothing without a start instant, or when every schedule fits', () => {
    const flappy = config('  flappy: { running: ["Mon 08:00-08:20", "Mon 08:40-19:00"] }', '  - { name: a, provider: main, resource: r1, schedule: flappy }');
    expect(loadConfigText(flappy, { file: 'w.yaml', env: {}, definitions }).warnings).toEqual([]);
    const calm = config('  office: { running: ["Mon-Fri 08:00-19:00"] }', '  - { name: a, provider: main, resource: r1, schedule: office }');
    expect(loadConfigText(calm, { file: 'w.yaml', env: {}, definitions, now }).warnings).toEqual([]);
  });
});
