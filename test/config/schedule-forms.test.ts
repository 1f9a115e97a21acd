// The peer schedule forms in a config file: accepted where schedules are, errors at their path and line.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfigText } from '../../src/config/load-config.ts';
import { definitions } from './fake-definition.ts';

const FILE = `providers:
  main: { type: fake, credentials: { token: tk-1 } }
schedules:
  kd: { downtime: "Sat-Sun 00:00-24:00 CET, Fri-Fri 20:00-24:00 CET" }
  c7n: { custodian: "off=(M-F,19);on=(M-F,7);tz=pt", skip-days: ["2026-12-25"] }
  ais:
    timezone: Europe/Berlin
    periods:
      - { name: office, begintime: "09:00", endtime: "17:00", weekdays: mon-fri }
targets:
  - { name: a, provider: main, resource: r1, schedule: kd }
  - { name: b, provider: main, resource: r2, schedule: c7n }
  - { name: c, provider: main, resource: r3, schedule: ais }
  - { name: d, provider: main, resource: r4, schedule: Mon-Fri 07:30-20:30 Europe/Berlin }
`;
const load = (text: string) => loadConfigText(text, { file: 'forms.yaml', env: {}, definitions });

function problemsOf(text: string) {
  try {
    load(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('peer schedule forms in a config', () => {
  it('compiles every form, and a bare kube-downscaler string in a target as its inline schedule', () => {
    const { targets } = load(FILE);
    expect(targets.map((target) => target.scheduleName)).toEqual(['kd', 'c7n', 'ais', 'd/inline']);
    const at = new Date('2026-02-05T10:00:00Z'); // a Thursday
    expect(targets.map((target) => target.schedule.stateAt(at).reason)).toEqual([
      'schedule kd: outside downtime',
      'schedule c7n: custodian offhour (m-f,19) fired',
      'schedule ais: within period office',
      'schedule d/inline: within uptime Mon-Fri 07:30-20:30 Europe/Berlin',
    ]);
  });

  it('reports a bad part, tag or period at its path and line', () => {
    expect(problemsOf(FILE.replace('Fri-Fri 20:00-24:00 CET', 'Fri-Fri 20:00-25:00 CET'))).toEqual([
      { path: 'schedules.kd.downtime', line: 4, message: 'invalid downtime part 2 "Fri-Fri 20:00-25:00 CET": "25:00" is not a time of day (hours 0-24, minutes 0-59)' },
    ]);
    expect(problemsOf(FILE.replace('tz=pt', 'tz=mars'))).toEqual([
      { path: 'schedules.c7n.custodian', line: 5, message: 'invalid custodian tag "off=(M-F,19);on=(M-F,7);tz=mars": unknown timezone "mars" (a Custodian alias such as pt, et, cet, or an IANA name)' },
    ]);
    expect(problemsOf(FILE.replace('weekdays: mon-fri', 'weekdays: "mon#6"'))).toEqual([
      { path: 'schedules.ais.periods[0].weekdays', line: 9, message: 'invalid period "office": weekdays "mon#6": the n of "mon#6" must be 1-5' },
    ]);
    expect(problemsOf(FILE.replace('skip-days', 'skip_days'))).toEqual([{ path: 'schedules.c7n.skip_days', line: 5, message: 'unknown key "skip_days"' }]);
  });
});
