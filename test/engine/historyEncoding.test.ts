/**
 * Stored history batches are built from the bytes each event was encoded to when it was appended
 * (engine/proto.ts encodeHistory, issue 9): they must be the very bytes protobufjs writes for the
 * whole `History`, whatever the event sizes (1-, 2- and 3-byte length prefixes).
 */
import { RECENT_EVENT_BYTES, decodeMessage, encodeHistory, encodeHistoryEvent, encodeMessage, encodeResponse, msToTimestamp, type Msg } from '../../engine/proto';

function event(eventId: number, payloadBytes: number): Msg {
  return {
    eventId,
    eventTime: msToTimestamp(1_780_000_000_000 + eventId),
    eventType: 'EVENT_TYPE_MARKER_RECORDED',
    taskId: eventId,
    markerRecordedEventAttributes: {
      markerName: 'core_local_activity',
      details: { data: { payloads: [{ metadata: { encoding: Buffer.from('binary/plain') }, data: Buffer.alloc(payloadBytes, 7) }] } },
      workflowTaskCompletedEventId: eventId - 1,
    },
  };
}

describe('encodeHistory', () => {
  const sizes = [0, 40, 200, 20_000];

  it('writes the bytes protobufjs writes, from remembered encodings', () => {
    const events = sizes.map((n, i) => event(i + 5, n));
    const expected = encodeMessage('temporal.api.history.v1.History', { events });
    for (const e of events) encodeHistoryEvent(e);
    expect(encodeHistory(events).equals(expected)).toBe(true);
  });

  it('encodes events it has no bytes for, and a stored batch decodes to the events', () => {
    const events = sizes.map((n, i) => event(i + 1, n));
    encodeHistoryEvent(events[1]);
    const blob = encodeHistory(events);
    expect(blob.equals(encodeMessage('temporal.api.history.v1.History', { events }))).toBe(true);
    const decoded = decodeMessage('temporal.api.history.v1.History', blob).events as Msg[];
    expect(decoded.map((e) => e.eventId)).toEqual([1, 2, 3, 4]);
    expect(decoded.map((e) => e.markerRecordedEventAttributes.details.data.payloads[0].data?.length ?? 0)).toEqual(sizes);
  });

  it('an empty batch is an empty History', () => {
    expect(encodeHistory([]).length).toBe(0);
  });
});

/**
 * A workflow task's response carries the events after the last started one, mostly stored a
 * moment before: it is written from their remembered bytes (engine/proto.ts encodeResponse) and
 * must read exactly as the response protobufjs writes whole.
 */
describe('encodeResponse', () => {
  const POLL = 'temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse';
  const poll = (events: Msg[]): Msg => ({
    taskToken: Buffer.from('token'),
    workflowExecution: { workflowId: 'wo-1', runId: 'run-1' },
    workflowType: { name: 'workOrder' },
    previousStartedEventId: 3,
    startedEventId: 3 + events.length,
    attempt: 1,
    history: { events },
    messages: [{ id: 'u1/request', protocolInstanceId: 'u1', eventId: 4 }],
  });

  it('reads as the whole response, from appended, stored and unknown events', () => {
    const events = [40, 200, 20_000, 0, 3].map((n, i) => event(i + 4, n));
    for (const e of events.slice(0, 4)) encodeHistoryEvent(e);
    encodeHistory(events.slice(0, 2)); // stored: their bytes move to the recent ones
    const res = poll(events);
    const bytes = encodeResponse(POLL, res);
    expect(decodeMessage(POLL, bytes)).toEqual(decodeMessage(POLL, encodeMessage(POLL, res)));
    expect(bytes.length).toBe(encodeMessage(POLL, res).length);
    expect(res.history.events).toBe(events); // the response object is left as it was
  });

  it('uses the remembered bytes of a stored event, and forgets the oldest beyond its budget', () => {
    const stored = event(9, 100);
    encodeHistoryEvent(stored);
    encodeHistory([stored]);
    // Would an encode now give other bytes? The remembered ones are sent: the event is unchanged
    // after it is appended, so a changed copy here shows which bytes were used.
    stored.markerRecordedEventAttributes.markerName = 'changed-after-append';
    const sent = decodeMessage(POLL, encodeResponse(POLL, poll([stored])));
    expect(sent.history.events[0].markerRecordedEventAttributes.markerName).toBe('core_local_activity');
    // Enough newer stored events push it out: it is encoded again (as it is now).
    const filler = Array.from({ length: Math.ceil(RECENT_EVENT_BYTES / 100_000) + 1 }, (_, i) => event(100 + i, 100_000));
    for (const e of filler) encodeHistoryEvent(e);
    encodeHistory(filler);
    const again = decodeMessage(POLL, encodeResponse(POLL, poll([stored])));
    expect(again.history.events[0].markerRecordedEventAttributes.markerName).toBe('changed-after-append');
  });

  it('other responses, and a response without events, are encoded whole', () => {
    const res = poll([]);
    expect(encodeResponse(POLL, res).equals(encodeMessage(POLL, res))).toBe(true);
    const other = { workflowExecution: { workflowId: 'w', runId: 'r' } };
    const T = 'temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest';
    expect(encodeResponse(T, { execution: other.workflowExecution }).equals(encodeMessage(T, { execution: other.workflowExecution }))).toBe(true);
  });
});
