import { SharedValues } from '../../engine/history/mutableState';
import { fromJsonValue, toJsonValue } from '../../engine/persistence/pgCodec';

/** Start-up at 100 000 open runs (issue 9): decoded once, equal values shared between runs. */
describe('start-up decoding and sharing', () => {
  it('revives bytes and NUL strings in place, anywhere in the value', () => {
    const original = { a: [Buffer.from('x'), { b: 'with\u0000nul' }], c: { d: Buffer.from([0, 1, 2]) }, e: 1, f: null };
    const parsed = JSON.parse(JSON.stringify(toJsonValue(original)));
    const nested = parsed.a[1];
    const revived = fromJsonValue<typeof original>(parsed);
    expect(revived).toBe(parsed);
    expect(revived.a[1]).toBe(nested);
    expect(revived).toEqual(original);
    expect(Buffer.isBuffer(revived.c.d)).toBe(true);
  });

  it('keeps objects that only look like encoded bytes', () => {
    const parsed = { $b64: 'eA==', other: 1, list: [{ $b64: 5 }], deep: { $nul: 'eA==', x: 2 } };
    expect(fromJsonValue(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
  });

  it('shares equal values and strings, and leaves distinct ones apart', () => {
    const shared = new SharedValues();
    const attrs = (runId: string, bytes: number[]) => ({
      taskQueue: { kind: 'TASK_QUEUE_KIND_NORMAL', name: 'work-orders' },
      workflowType: { name: 'workOrderWorkflow' },
      searchAttributes: { indexedFields: { TemporalChangeVersion: { data: Buffer.from(bytes) } } },
      identity: `${1}@vm`,
      firstExecutionRunId: `${runId}`,
      originalExecutionRunId: `${runId}`,
    });
    const a = attrs('run-a', [1, 2]);
    const aStart = shared.startAttrs(a, 'run-a');
    const b = shared.startAttrs(attrs('run-b', [1, 2]), 'run-b');
    const c = shared.startAttrs(attrs('run-c', [1, 3]), 'run-c');
    expect(aStart).not.toBe(a);
    expect(aStart).toEqual(a);
    expect(b.taskQueue).toBe(aStart.taskQueue);
    expect(b.workflowType).toBe(aStart.workflowType);
    expect(b.searchAttributes).toBe(aStart.searchAttributes);
    expect(c.searchAttributes).not.toBe(aStart.searchAttributes);
    expect(c.searchAttributes.indexedFields.TemporalChangeVersion.data).toEqual(Buffer.from([1, 3]));
    expect(b.firstExecutionRunId).toBe('run-b');
    expect(shared.object(undefined)).toBeUndefined();
  });
});
