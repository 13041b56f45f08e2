/**
 * The WorkflowService RPCs this project uses, typed, over one `Connection`.
 */
import type { CallOptions, Connection } from './connection';
import { workflowservice as ws } from './proto';

export class WorkflowService {
  constructor(readonly connection: Connection) {}

  startWorkflowExecution(req: ws.IStartWorkflowExecutionRequest, o?: CallOptions): Promise<ws.StartWorkflowExecutionResponse> {
    return this.connection.unary('StartWorkflowExecution', ws.StartWorkflowExecutionRequest, ws.StartWorkflowExecutionResponse, req, o);
  }
  signalWithStartWorkflowExecution(req: ws.ISignalWithStartWorkflowExecutionRequest, o?: CallOptions): Promise<ws.SignalWithStartWorkflowExecutionResponse> {
    return this.connection.unary('SignalWithStartWorkflowExecution', ws.SignalWithStartWorkflowExecutionRequest, ws.SignalWithStartWorkflowExecutionResponse, req, o);
  }
  describeWorkflowExecution(req: ws.IDescribeWorkflowExecutionRequest, o?: CallOptions): Promise<ws.DescribeWorkflowExecutionResponse> {
    return this.connection.unary('DescribeWorkflowExecution', ws.DescribeWorkflowExecutionRequest, ws.DescribeWorkflowExecutionResponse, req, o);
  }
  queryWorkflow(req: ws.IQueryWorkflowRequest, o?: CallOptions): Promise<ws.QueryWorkflowResponse> {
    return this.connection.unary('QueryWorkflow', ws.QueryWorkflowRequest, ws.QueryWorkflowResponse, req, o);
  }
  signalWorkflowExecution(req: ws.ISignalWorkflowExecutionRequest, o?: CallOptions): Promise<ws.SignalWorkflowExecutionResponse> {
    return this.connection.unary('SignalWorkflowExecution', ws.SignalWorkflowExecutionRequest, ws.SignalWorkflowExecutionResponse, req, o);
  }
  requestCancelWorkflowExecution(req: ws.IRequestCancelWorkflowExecutionRequest, o?: CallOptions): Promise<ws.RequestCancelWorkflowExecutionResponse> {
    return this.connection.unary('RequestCancelWorkflowExecution', ws.RequestCancelWorkflowExecutionRequest, ws.RequestCancelWorkflowExecutionResponse, req, o);
  }
  terminateWorkflowExecution(req: ws.ITerminateWorkflowExecutionRequest, o?: CallOptions): Promise<ws.TerminateWorkflowExecutionResponse> {
    return this.connection.unary('TerminateWorkflowExecution', ws.TerminateWorkflowExecutionRequest, ws.TerminateWorkflowExecutionResponse, req, o);
  }
  getWorkflowExecutionHistory(req: ws.IGetWorkflowExecutionHistoryRequest, o?: CallOptions): Promise<ws.GetWorkflowExecutionHistoryResponse> {
    return this.connection.unary('GetWorkflowExecutionHistory', ws.GetWorkflowExecutionHistoryRequest, ws.GetWorkflowExecutionHistoryResponse, req, o);
  }
  getSystemInfo(o?: CallOptions): Promise<ws.GetSystemInfoResponse> {
    return this.connection.unary('GetSystemInfo', ws.GetSystemInfoRequest, ws.GetSystemInfoResponse, {}, o);
  }
  describeNamespace(req: ws.IDescribeNamespaceRequest, o?: CallOptions): Promise<ws.DescribeNamespaceResponse> {
    return this.connection.unary('DescribeNamespace', ws.DescribeNamespaceRequest, ws.DescribeNamespaceResponse, req, o);
  }
}
