/**
 * The WorkflowService RPCs this project uses, typed, over one `Connection`.
 */
import type { CallOptions, Connection } from './connection';
// Types only (this import is elided from the emitted JavaScript); the messages come from ./proto.
import { temporal } from '@temporalio/proto';
import { workflowservice as ws } from './proto';
import W = temporal.api.workflowservice.v1;

export class WorkflowService {
  constructor(readonly connection: Connection) {}

  startWorkflowExecution(req: W.IStartWorkflowExecutionRequest, o?: CallOptions): Promise<W.StartWorkflowExecutionResponse> {
    return this.connection.unary('StartWorkflowExecution', ws.StartWorkflowExecutionRequest, ws.StartWorkflowExecutionResponse, req, o);
  }
  signalWithStartWorkflowExecution(req: W.ISignalWithStartWorkflowExecutionRequest, o?: CallOptions): Promise<W.SignalWithStartWorkflowExecutionResponse> {
    return this.connection.unary('SignalWithStartWorkflowExecution', ws.SignalWithStartWorkflowExecutionRequest, ws.SignalWithStartWorkflowExecutionResponse, req, o);
  }
  describeWorkflowExecution(req: W.IDescribeWorkflowExecutionRequest, o?: CallOptions): Promise<W.DescribeWorkflowExecutionResponse> {
    return this.connection.unary('DescribeWorkflowExecution', ws.DescribeWorkflowExecutionRequest, ws.DescribeWorkflowExecutionResponse, req, o);
  }
  queryWorkflow(req: W.IQueryWorkflowRequest, o?: CallOptions): Promise<W.QueryWorkflowResponse> {
    return this.connection.unary('QueryWorkflow', ws.QueryWorkflowRequest, ws.QueryWorkflowResponse, req, o);
  }
  signalWorkflowExecution(req: W.ISignalWorkflowExecutionRequest, o?: CallOptions): Promise<W.SignalWorkflowExecutionResponse> {
    return this.connection.unary('SignalWorkflowExecution', ws.SignalWorkflowExecutionRequest, ws.SignalWorkflowExecutionResponse, req, o);
  }
  requestCancelWorkflowExecution(req: W.IRequestCancelWorkflowExecutionRequest, o?: CallOptions): Promise<W.RequestCancelWorkflowExecutionResponse> {
    return this.connection.unary('RequestCancelWorkflowExecution', ws.RequestCancelWorkflowExecutionRequest, ws.RequestCancelWorkflowExecutionResponse, req, o);
  }
  terminateWorkflowExecution(req: W.ITerminateWorkflowExecutionRequest, o?: CallOptions): Promise<W.TerminateWorkflowExecutionResponse> {
    return this.connection.unary('TerminateWorkflowExecution', ws.TerminateWorkflowExecutionRequest, ws.TerminateWorkflowExecutionResponse, req, o);
  }
  getWorkflowExecutionHistory(req: W.IGetWorkflowExecutionHistoryRequest, o?: CallOptions): Promise<W.GetWorkflowExecutionHistoryResponse> {
    return this.connection.unary('GetWorkflowExecutionHistory', ws.GetWorkflowExecutionHistoryRequest, ws.GetWorkflowExecutionHistoryResponse, req, o);
  }
  updateWorkflowExecution(req: W.IUpdateWorkflowExecutionRequest, o?: CallOptions): Promise<W.UpdateWorkflowExecutionResponse> {
    return this.connection.unary('UpdateWorkflowExecution', ws.UpdateWorkflowExecutionRequest, ws.UpdateWorkflowExecutionResponse, req, o);
  }
  pollWorkflowExecutionUpdate(req: W.IPollWorkflowExecutionUpdateRequest, o?: CallOptions): Promise<W.PollWorkflowExecutionUpdateResponse> {
    return this.connection.unary('PollWorkflowExecutionUpdate', ws.PollWorkflowExecutionUpdateRequest, ws.PollWorkflowExecutionUpdateResponse, req, o);
  }
  executeMultiOperation(req: W.IExecuteMultiOperationRequest, o?: CallOptions): Promise<W.ExecuteMultiOperationResponse> {
    return this.connection.unary('ExecuteMultiOperation', ws.ExecuteMultiOperationRequest, ws.ExecuteMultiOperationResponse, req, o);
  }
  listWorkflowExecutions(req: W.IListWorkflowExecutionsRequest, o?: CallOptions): Promise<W.ListWorkflowExecutionsResponse> {
    return this.connection.unary('ListWorkflowExecutions', ws.ListWorkflowExecutionsRequest, ws.ListWorkflowExecutionsResponse, req, o);
  }
  countWorkflowExecutions(req: W.ICountWorkflowExecutionsRequest, o?: CallOptions): Promise<W.CountWorkflowExecutionsResponse> {
    return this.connection.unary('CountWorkflowExecutions', ws.CountWorkflowExecutionsRequest, ws.CountWorkflowExecutionsResponse, req, o);
  }
  getSystemInfo(o?: CallOptions): Promise<W.GetSystemInfoResponse> {
    return this.connection.unary('GetSystemInfo', ws.GetSystemInfoRequest, ws.GetSystemInfoResponse, {}, o);
  }
  describeNamespace(req: W.IDescribeNamespaceRequest, o?: CallOptions): Promise<W.DescribeNamespaceResponse> {
    return this.connection.unary('DescribeNamespace', ws.DescribeNamespaceRequest, ws.DescribeNamespaceResponse, req, o);
  }
}
