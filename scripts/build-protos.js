#!/usr/bin/env node
/**
 * Writes dist/src/temporal/temporal-api.json: the protobuf descriptors of the
 * WorkflowService calls the daemon makes, and every message and enum they reach,
 * taken from @temporalio/proto. Loading this subset instead of the package's whole
 * root (which also holds the worker-side core SDK protos) halves the daemon's
 * start-up cost for protobufs. src/temporal/proto.ts falls back to the full root
 * when the file is missing.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const protobuf = require('protobufjs/light');

const root = path.resolve(__dirname, '..');
const full = require('@temporalio/proto/protos/json-module');
const SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';
const METHODS = [
  'StartWorkflowExecution',
  'SignalWithStartWorkflowExecution',
  'DescribeWorkflowExecution',
  'QueryWorkflow',
  'SignalWorkflowExecution',
  'RequestCancelWorkflowExecution',
  'TerminateWorkflowExecution',
  'GetWorkflowExecutionHistory',
  'ListWorkflowExecutions',
  'CountWorkflowExecutions',
  'GetSystemInfo',
  'DescribeNamespace',
  'UpdateWorkflowExecution',
  'PollWorkflowExecutionUpdate',
  'ExecuteMultiOperation',
];
const EXTRA = ['google.rpc.Status', 'temporal.api.errordetails.v1', 'temporal.api.failure.v1.MultiOperationExecutionAborted'];

const keep = new Set();
function visit(obj) {
  if (!obj || keep.has(obj.fullName)) return;
  if (obj instanceof protobuf.Type) {
    keep.add(obj.fullName);
    obj.resolveAll();
    for (const f of obj.fieldsArray) if (f.resolvedType) visit(f.resolvedType);
    for (const n of obj.nestedArray) visit(n);
  } else if (obj instanceof protobuf.Enum) {
    keep.add(obj.fullName);
  } else if (obj instanceof protobuf.Namespace) {
    for (const n of obj.nestedArray) visit(n);
  }
}
const service = full.lookupService(SERVICE);
for (const name of METHODS) {
  const m = service.methods[name];
  if (!m) throw new Error(`${SERVICE} has no method ${name}`);
  m.resolve();
  visit(m.resolvedRequestType);
  visit(m.resolvedResponseType);
}
for (const name of EXTRA) visit(full.lookup(name));
visit(full.lookup('temporal.api.enums.v1'));

const out = new protobuf.Root();
for (const name of [...keep].sort()) {
  const obj = full.lookup(name);
  const parts = name.replace(/^\./, '').split('.');
  let ns = out;
  for (const p of parts.slice(0, -1)) ns = ns.get(p) || ns.add(new protobuf.Namespace(p)).get(p);
  if (ns.get(obj.name)) continue; // added already as the parent of a nested type
  const json = obj.toJSON();
  if (obj instanceof protobuf.Type) {
    delete json.nested;
    ns.add(protobuf.Type.fromJSON(obj.name, json));
  } else {
    ns.add(protobuf.Enum.fromJSON(obj.name, json));
  }
}
const target = path.join(root, 'dist', 'src', 'temporal', 'temporal-api.json');
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, JSON.stringify(out.toJSON()));
