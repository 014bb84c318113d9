import * as grpc from '@grpc/grpc-js';
import { EngineError } from '../errors';
import { DECODE_OPTIONS, encodeMessage, encodeResponse, lookupService, lookupType, type Msg } from '../proto';

/** What a handler gets besides the request: the call's deadline and cancellation. */
export interface CallContext {
  /** Milliseconds until the caller's deadline (Infinity when none). */
  remainingMs(): number;
  cancelled: boolean;
  onCancel(cb: () => void): void;
}

export type Handler = (req: Msg, ctx: CallContext) => Promise<Msg>;

/**
 * Registers every method of a protobuf service on a grpc-js server. Methods without a handler
 * answer UNIMPLEMENTED; handler errors become gRPC statuses and never escape.
 */
export function addService(server: grpc.Server, serviceName: string, handlers: Record<string, Handler>, onError: (method: string, err: unknown) => void): void {
  const service = lookupService(serviceName);
  const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of Object.values(service.methods) as Array<{ name: string; requestStream?: boolean; responseStream?: boolean; resolve(): void; resolvedRequestType: { fullName: string }; resolvedResponseType: { fullName: string } }>) {
    // Streaming methods (health Watch) are left out: grpc-js answers UNIMPLEMENTED for them.
    if (method.requestStream || method.responseStream) continue;
    method.resolve();
    const reqType = method.resolvedRequestType.fullName.replace(/^\./, '');
    const resType = method.resolvedResponseType.fullName.replace(/^\./, '');
    definition[method.name] = {
      path: `/${serviceName}/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    };
    const handler = handlers[method.name];
    implementation[method.name] = (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      if (!handler) {
        callback({ code: grpc.status.UNIMPLEMENTED, details: `${method.name} is not implemented by this engine` });
        return;
      }
      let req: Msg;
      try {
        const t = lookupType(reqType);
        req = t.toObject(t.decode(call.request), DECODE_OPTIONS);
      } catch (err) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: `malformed ${method.name} request: ${(err as Error).message}` });
        return;
      }
      const cancelCbs: Array<() => void> = [];
      const ctx: CallContext = {
        remainingMs: () => {
          const d = call.getDeadline();
          const ms = d instanceof Date ? d.getTime() : Number(d);
          return Number.isFinite(ms) && ms > 0 ? ms - Date.now() : Infinity;
        },
        cancelled: false,
        onCancel: (cb) => cancelCbs.push(cb),
      };
      call.on('cancelled', () => {
        ctx.cancelled = true;
        for (const cb of cancelCbs) cb();
      });
      handler(req, ctx).then(
        (res) => {
          let buf: Buffer;
          try {
            buf = encodeResponse(resType, res ?? {});
          } catch (err) {
            onError(method.name, err);
            callback({ code: grpc.status.INTERNAL, details: `engine could not encode ${method.name} response` });
            return;
          }
          callback(null, buf);
        },
        (err) => callback(toServiceError(method.name, err, onError)),
      );
    };
  }
  server.addService(definition, implementation);
}

function toServiceError(method: string, err: unknown, onError: (method: string, err: unknown) => void): Partial<grpc.StatusObject> {
  if (err instanceof EngineError) {
    const metadata = new grpc.Metadata();
    if (err.details) {
      const detail = { type_url: `type.googleapis.com/${err.details.typeName}`, value: encodeMessage(err.details.typeName, err.details.value) };
      metadata.set('grpc-status-details-bin', encodeMessage('google.rpc.Status', { code: err.code, message: err.message, details: [detail] }));
    }
    return { code: err.code, details: err.message, metadata };
  }
  onError(method, err);
  return { code: grpc.status.INTERNAL, details: `engine error in ${method}: ${(err as Error)?.message ?? String(err)}` };
}
