import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { Admin } from 'kafkajs';
import { fetchCommittedOffsets } from '../../engine/bus/kafka/committed-offsets.ts';
import { EMPTY_VIEW, probeCluster } from '../../engine/bus/kafka/cluster-probe.ts';

// What kafkajs makes of a coordinator's answer while it reads the offsets topic after a broker
// restart (code 14), built by kafkajs's own error table so its naming is the one tested.
const require = createRequire(import.meta.url);
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as {
  createErrorFromCode(code: number): Error & { type: string };
};
const loading = () => createErrorFromCode(14);

/** An admin whose fetchOffsets fails with each of `failures` in turn, then answers. */
function adminFailing(failures: Error[]) {
  let calls = 0;
  const admin = {
    describeCluster: async () => ({
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }],
      controller: 1,
      clusterId: 'c',
    }),
    fetchTopicOffsets: async () => [{ partition: 0, offset: '7', high: '7', low: '0' }],
    fetchOffsets: async () => {
      const failure = failures[calls++];
      if (failure) throw failure;
      return [
        {
          topic: 'ticks',
          partitions: [
            { partition: 0, offset: '7', metadata: null },
            { partition: 1, offset: '-1', metadata: null },
          ],
        },
      ];
    },
  };
  return { admin: admin as unknown as Admin, calls: () => calls };
}

describe('committed offsets of a group', () => {
  it('asks again while the coordinator is still loading the group, then gives its offsets', async () => {
    const { admin, calls } = adminFailing([loading(), loading()]);
    const offsets = await fetchCommittedOffsets(admin, 'g', 'ticks', { retryEveryMs: 5 });
    expect(calls()).toBe(3);
    expect([...offsets]).toEqual([
      [0, 7],
      [1, -1],
    ]);
  });

  it('passes any other error on at once, and a loading coordinator once its wait is over', async () => {
    const refused = adminFailing([new Error('Connection refused')]);
    await expect(fetchCommittedOffsets(refused.admin, 'g', 'ticks', { retryEveryMs: 5 })).rejects.toThrow('refused');
    expect(refused.calls()).toBe(1);
    const stuck = adminFailing(Array.from({ length: 100 }, loading));
    await expect(fetchCommittedOffsets(stuck.admin, 'g', 'ticks', { waitMs: 50, retryEveryMs: 10 })).rejects.toThrow(
      'coordinator is loading',
    );
    expect(stuck.calls()).toBeLessThan(10);
  });

  it('leaves the cluster view reachable with its last offsets while the coordinator loads', async () => {
    const previous = { ...EMPTY_VIEW, reachable: true, committed: new Map([[0, 5]]) };
    expect(loading().message).toBe("The coordinator is loading and hence can't process requests for this group");
    const view = await probeCluster(adminFailing([loading()]).admin, 'ticks', 'g', previous);
    expect(view.reachable).toBe(true);
    expect(view.error).toBeUndefined();
    expect([...view.committed]).toEqual([[0, 5]]);
    expect([...view.endOffsets]).toEqual([[0, 7]]);
    const next = await probeCluster(adminFailing([]).admin, 'ticks', 'g', view);
    expect([...next.committed]).toEqual([[0, 7]]);
  });
});
