/**
 * Stored history batches are built from the bytes each event was encoded to when it was appended
 * (engine/proto.ts encodeHistory, issue 9): they must be the very bytes protobufjs writes for the
 * whole `History`, whatever the event sizes (1-, 2- and 3-byte length prefixes).
 */
import { decodeMessage, encodeHistory, encodeHistoryEvent, encodeMessage, msToTimestamp, type Msg } from '../../engine/proto';

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
