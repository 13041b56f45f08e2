/**
 * The WorkflowService RPCs this project uses, typed, over one `Connection`.
 *
 * With a codec server (remote-codec.ts), every payload of a request is encoded before it is
 * sent and every payload of an answer decoded, in one batch per message, as Temporal's CLI does
 * with its codec interceptor; search attributes are not (the server reads them). History is the
 * exception: GetWorkflowExecutionHistory answers as stored unless the call asks `payloads:
 * 'decode'` (a result, a history for display), so that an exported history still replays.
 */
import type * as protobuf from 'protobufjs/light';
import type { CallOptions, Connection, MessageType } from './connection';
import type { RemoteCodec } from './remote-codec';
import { payloadAt, payloadSlots } from './payload-visitor';
// Types only (this import is elided from the emitted JavaScript); the messages come from ./proto.
import { temporal } from '@temporalio/proto';
import { workflowservice as ws } from './proto';
import W = temporal.api.workflowservice.v1;

export class WorkflowService {
  constructor(
    readonly connection: Connection,
    readonly codec?: RemoteCodec,
  ) {}

  private async call<Req extends object, Res extends object>(method: string, reqType: MessageType<Req>, resType: Parameters<Connection['unary']>[2], req: Req, o: CallOptions = {}): Promise<Res> {
    const codec = this.codec;
    const namespace = String((req as { namespace?: unknown }).namespace ?? '');
    const sent = codec ? await this.encodeRequest(codec, reqType as unknown as protobuf.Type, req, namespace, o) : req;
    const res = (await this.connection.unary(method, reqType, resType, sent, o)) as Res;
    const decode = o.payloads === 'decode' || (o.payloads === undefined && method !== 'GetWorkflowExecutionHistory');
    if (codec && decode) await this.decodeMessage(resType as unknown as protobuf.Type, res, namespace, o);
    return res;
  }

  /** A copy of `req` with its payloads encoded by the codec (the caller's object is left as it was: it may be sent again). */
  private async encodeRequest<Req extends object>(codec: RemoteCodec, type: protobuf.Type, req: Req, namespace: string, o: CallOptions): Promise<Req> {
    if (payloadSlots(type, req).length === 0) return req;
    const copy = type.fromObject(req as Record<string, unknown>) as unknown as Req;
    const slots = payloadSlots(type, copy);
    const encoded = await codec.encode(slots.map(payloadAt), namespace, { signal: o.signal, timeoutMs: o.timeoutMs });
    slots.forEach((s, i) => {
      s.holder[s.key] = encoded[i];
    });
    return copy;
  }

  /** Decodes, in place, every payload of `message` (of the reflected type `type`) through the codec, if there is one. */
  async decodeMessage(type: protobuf.Type, message: object, namespace: string, o: CallOptions = {}): Promise<void> {
    if (!this.codec) return;
    const slots = payloadSlots(type, message);
    if (slots.length === 0) return;
    const decoded = await this.codec.decode(slots.map(payloadAt), namespace, { signal: o.signal, timeoutMs: o.timeoutMs });
    slots.forEach((s, i) => {
      s.holder[s.key] = decoded[i];
    });
  }

  startWorkflowExecution(req: W.IStartWorkflowExecutionRequest, o?: CallOptions): Promise<W.StartWorkflowExecutionResponse> {
    return this.call('StartWorkflowExecution', ws.StartWorkflowExecutionRequest, ws.StartWorkflowExecutionResponse, req, o);
  }
  signalWithStartWorkflowExecution(req: W.ISignalWithStartWorkflowExecutionRequest, o?: CallOptions): Promise<W.SignalWithStartWorkflowExecutionResponse> {
    return this.call('SignalWithStartWorkflowExecution', ws.SignalWithStartWorkflowExecutionRequest, ws.SignalWithStartWorkflowExecutionResponse, req, o);
  }
  describeWorkflowExecution(req: W.IDescribeWorkflowExecutionRequest, o?: CallOptions): Promise<W.DescribeWorkflowExecutionResponse> {
    return this.call('DescribeWorkflowExecution', ws.DescribeWorkflowExecutionRequest, ws.DescribeWorkflowExecutionResponse, req, o);
  }
  queryWorkflow(req: W.IQueryWorkflowRequest, o?: CallOptions): Promise<W.QueryWorkflowResponse> {
    return this.call('QueryWorkflow', ws.QueryWorkflowRequest, ws.QueryWorkflowResponse, req, o);
  }
  signalWorkflowExecution(req: W.ISignalWorkflowExecutionRequest, o?: CallOptions): Promise<W.SignalWorkflowExecutionResponse> {
    return this.call('SignalWorkflowExecution', ws.SignalWorkflowExecutionRequest, ws.SignalWorkflowExecutionResponse, req, o);
  }
  requestCancelWorkflowExecution(req: W.IRequestCancelWorkflowExecutionRequest, o?: CallOptions): Promise<W.RequestCancelWorkflowExecutionResponse> {
    return this.call('RequestCancelWorkflowExecution', ws.RequestCancelWorkflowExecutionRequest, ws.RequestCancelWorkflowExecutionResponse, req, o);
  }
  terminateWorkflowExecution(req: W.ITerminateWorkflowExecutionRequest, o?: CallOptions): Promise<W.TerminateWorkflowExecutionResponse> {
    return this.call('TerminateWorkflowExecution', ws.TerminateWorkflowExecutionRequest, ws.TerminateWorkflowExecutionResponse, req, o);
  }
  getWorkflowExecutionHistory(req: W.IGetWorkflowExecutionHistoryRequest, o?: CallOptions): Promise<W.GetWorkflowExecutionHistoryResponse> {
    return this.call('GetWorkflowExecutionHistory', ws.GetWorkflowExecutionHistoryRequest, ws.GetWorkflowExecutionHistoryResponse, req, o);
  }
  updateWorkflowExecution(req: W.IUpdateWorkflowExecutionRequest, o?: CallOptions): Promise<W.UpdateWorkflowExecutionResponse> {
    return this.call('UpdateWorkflowExecution', ws.UpdateWorkflowExecutionRequest, ws.UpdateWorkflowExecutionResponse, req, o);
  }
  pollWorkflowExecutionUpdate(req: W.IPollWorkflowExecutionUpdateRequest, o?: CallOptions): Promise<W.PollWorkflowExecutionUpdateResponse> {
    return this.call('PollWorkflowExecutionUpdate', ws.PollWorkflowExecutionUpdateRequest, ws.PollWorkflowExecutionUpdateResponse, req, o);
  }
  executeMultiOperation(req: W.IExecuteMultiOperationRequest, o?: CallOptions): Promise<W.ExecuteMultiOperationResponse> {
    return this.call('ExecuteMultiOperation', ws.ExecuteMultiOperationRequest, ws.ExecuteMultiOperationResponse, req, o);
  }
  listWorkflowExecutions(req: W.IListWorkflowExecutionsRequest, o?: CallOptions): Promise<W.ListWorkflowExecutionsResponse> {
    return this.call('ListWorkflowExecutions', ws.ListWorkflowExecutionsRequest, ws.ListWorkflowExecutionsResponse, req, o);
  }
  countWorkflowExecutions(req: W.ICountWorkflowExecutionsRequest, o?: CallOptions): Promise<W.CountWorkflowExecutionsResponse> {
    return this.call('CountWorkflowExecutions', ws.CountWorkflowExecutionsRequest, ws.CountWorkflowExecutionsResponse, req, o);
  }
  getSystemInfo(o?: CallOptions): Promise<W.GetSystemInfoResponse> {
    return this.call('GetSystemInfo', ws.GetSystemInfoRequest, ws.GetSystemInfoResponse, {}, o);
  }
  describeNamespace(req: W.IDescribeNamespaceRequest, o?: CallOptions): Promise<W.DescribeNamespaceResponse> {
    return this.call('DescribeNamespace', ws.DescribeNamespaceRequest, ws.DescribeNamespaceResponse, req, o);
  }
}
