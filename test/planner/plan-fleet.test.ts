// The plan as the worker will carry it out: budgets shared by targets, several calls per window, calls
// deferred twice, `any`, and overrides holding a target.
import { describe, expect, it } from 'vitest';
import { planBudgets } from '../../src/planner/plan-budgets.ts';
import { planFleet, planTransitions, type PlanBudget } from '../../src/planner/plan-transitions.ts';
import { edgeSchedule } from '../support/fake-schedule.ts';

const HOUR = 3_600_000;
const from = new Date('2026-11-23T09:00:00Z');
const until = new Date('2026-11-23T18:00:00Z');
const brief = (plan: ReturnType<typeof planFleet>) => plan.map((p) => `${p.target} ${p.at.slice(11, 16)} ${p.action ?? '-'} ${p.outcome} ${p.runsAt?.slice(11, 19) ?? '-'}`);
const shared = (key: string, max: number, perMs: number): PlanBudget[] => [{ key, max, perMs, label: `${max} per ${perMs}ms` }];

describe('planFleet', () => {
  it('shares a budget between targets in time order: the later one waits for the window', () => {
    const stopAt10 = edgeSchedule('s', 'running', [{ at: '2026-11-23T10:00:00Z', state: 'stopped' }]);
    const stopAt1030 = edgeSchedule('s', 'running', [{ at: '2026-11-23T10:30:00Z', state: 'stopped' }]);
    const plan = planFleet({
      targets: [
        { target: 'b', schedule: stopAt1030, budgets: { stop: shared('key:stop', 1, HOUR) } },
        { target: 'a', schedule: stopAt10, budgets: { stop: shared('key:stop', 1, HOUR) } },
      ],
      from,
      until,
    });
    expect(brief(plan)).toEqual(['a 10:00 stop on-time 10:00:00', 'b 10:30 stop deferred 11:00:00']);
    expect(plan[1]!.note).toBe('1 per 3600000ms: deferred to 2026-11-23T11:00:00.000Z');
  });

  it('admits `max` calls in any window, as the limiter\'s sliding log does', () => {
    const flappy = edgeSchedule('s', 'running', [
      { at: '2026-11-23T10:00:00Z', state: 'stopped' },
      { at: '2026-11-23T10:05:00Z', state: 'running' },
      { at: '2026-11-23T10:10:00Z', state: 'stopped' },
      { at: '2026-11-23T10:15:00Z', state: 'running' },
      { at: '2026-11-23T10:20:00Z', state: 'stopped' },
    ]);
    const plan = planTransitions({ target: 't', schedule: flappy, limits: { stop: { max: 2, perMs: HOUR } }, from, until });
    expect(brief(plan)).toEqual(['t 10:00 stop on-time 10:00:00', 't 10:05 start on-time 10:05:00', 't 10:10 stop on-time 10:10:00', 't 10:15 start on-time 10:15:00', 't 10:20 stop deferred 11:00:00']);
  });

  it('defers again when a budget freed for one call is taken by another waiting for the same moment', () => {
    const stop = (at: string) => edgeSchedule('s', 'running', [{ at, state: 'stopped' }]);
    const budgets = { stop: shared('key:stop', 1, HOUR) };
    const plan = planFleet({
      targets: [
        { target: 'a', schedule: stop('2026-11-23T10:00:00Z'), budgets },
        { target: 'b', schedule: stop('2026-11-23T10:10:00Z'), budgets },
        { target: 'c', schedule: stop('2026-11-23T10:20:00Z'), budgets },
      ],
      from,
      until,
    });
    expect(brief(plan)).toEqual(['a 10:00 stop on-time 10:00:00', 'b 10:10 stop deferred 11:00:00', 'c 10:20 stop deferred 12:00:00']);
  });

  it('takes a token from every budget of a call: the per-resource one and the key-wide `all`', () => {
    const budgets = planBudgets({ provider: 'ch', resource: 'svc-1' }, { stop: { max: 5, perMs: HOUR }, all: { max: 1, perMs: 10_000 } }, 'resource');
    expect(budgets.stop!.map((budget) => [budget.key, budget.perMs, budget.label])).toEqual([
      ['ch:r:svc-1:stop', HOUR + 5_000, 'ch allows 5 stop per 1h per resource'],
      ['ch:all', 10_250, 'ch allows 1 requests per 10s per API key'],
    ]);
    const other = planBudgets({ provider: 'ch', resource: 'svc-2' }, { stop: { max: 5, perMs: HOUR }, all: { max: 1, perMs: 10_000 } }, 'resource');
    const stop = edgeSchedule('s', 'running', [{ at: '2026-11-23T19:00:00Z', state: 'stopped' }]);
    const plan = planFleet({ targets: [{ target: 'one', schedule: stop, budgets }, { target: 'two', schedule: stop, budgets: other }], from, until: new Date('2026-11-23T20:00:00Z') });
    expect(brief(plan)).toEqual(['one 19:00 stop on-time 19:00:00', 'two 19:00 stop deferred 19:00:10']);
    expect(plan[1]!.note).toContain('ch allows 1 requests per 10s per API key');
  });

  it('keys budgets per API key for provider-scoped limits', () => {
    const budgets = planBudgets({ provider: 'ul', resource: 'i-1' }, { start: { max: 80, perMs: 60_000 } }, 'provider');
    expect(budgets.start![0]!.key).toBe('ul:start');
    expect(budgets.stop).toBeUndefined();
  });
});

describe('planFleet with `any`', () => {
  it('sends nothing for `any`, and drops a deferred call whose target the schedule then leaves alone', () => {
    const schedule = edgeSchedule('s', 'running', [
      { at: '2026-11-23T10:00:00Z', state: 'stopped' },
      { at: '2026-11-23T10:10:00Z', state: 'running' },
      { at: '2026-11-23T10:20:00Z', state: 'stopped' },
      { at: '2026-11-23T10:30:00Z', state: 'any' },
      { at: '2026-11-23T12:00:00Z', state: 'running' },
    ]);
    const plan = planTransitions({ target: 't', schedule, limits: { start: { max: 1, perMs: HOUR }, stop: { max: 1, perMs: HOUR } }, from, until });
    expect(brief(plan)).toEqual([
      't 10:00 stop on-time 10:00:00',
      't 10:10 start on-time 10:10:00',
      't 10:20 stop merged -',
      't 10:30 - nothing-to-do -',
      't 12:00 start nothing-to-do -', // still running: the stop was never sent
    ]);
    expect(plan[2]!.note).toBe('dropped: the schedule turns to leaving it alone at 2026-11-23T10:30:00.000Z, before the window opens');
    expect(plan[3]!.note).toBe('the schedule leaves the target alone: nothing is sent');
  });

  it('sends the first call after `any` when the state was never known', () => {
    const schedule = edgeSchedule('s', 'any', [{ at: '2026-11-23T10:00:00Z', state: 'running' }]);
    expect(brief(planTransitions({ target: 't', schedule, limits: {}, from, until }))).toEqual(['t 10:00 start on-time 10:00:00']);
  });
});

describe('planFleet with overrides', () => {
  const office = edgeSchedule('office', 'stopped', [
    { at: '2026-11-23T10:00:00Z', state: 'running' },
    { at: '2026-11-23T16:00:00Z', state: 'stopped' },
  ]);

  it('holds the target while the override lasts, then follows the schedule, saying who and why', () => {
    const override = { state: 'stopped' as const, until: '2026-11-23T12:00:00.000Z', setAt: '2026-11-23T08:00:00.000Z', by: 'ana', reason: 'migration' };
    const plan = planTransitions({ target: 't', schedule: office, limits: {}, from, until, override });
    expect(brief(plan)).toEqual(['t 10:00 start overridden -', 't 12:00 start on-time 12:00:00', 't 16:00 stop on-time 16:00:00']);
    expect(plan[0]!.note).toBe('override stopped until 2026-11-23T12:00:00.000Z by ana: migration holds it: nothing is sent');
    expect(plan[1]!.reason).toBe('override stopped until 2026-11-23T12:00:00.000Z by ana: migration ends; schedule office: running');
  });

  it('ignores an override that has expired by the start of the plan', () => {
    const override = { state: 'stopped' as const, until: '2026-11-23T08:30:00.000Z', setAt: '2026-11-23T08:00:00.000Z' };
    expect(brief(planTransitions({ target: 't', schedule: office, limits: {}, from, until, override }))).toEqual(['t 10:00 start on-time 10:00:00', 't 16:00 stop on-time 16:00:00']);
  });
});
