import type { RecordedRequest, Simulator } from '../../src/providers/simulator-kit.ts';

/** The start or stop requests the EMQX simulator received for one deployment. */
export function emqxPosts(sim: Simulator, action: 'start' | 'stop', deployment: string): RecordedRequest[] {
  return sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/deployments/${deployment}/${action}`));
}
