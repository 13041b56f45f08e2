/**
 * TemporalHandledClient: a session with a temporal-handled daemon, spawned over stdio
 * or attached to over a Unix socket, a Windows named pipe or loopback TCP.
 *
 * While no call is in flight the connection does not keep Node's event loop alive,
 * so a program that forgets `close()` still exits (a spawned daemon then stops too).
 */
import * as net from 'node:net';
import { RpcConnection, type JsonCodec, type RequestOptions } from './connection';
import { spawnDaemonProcess, type SpawnOptions, type SpawnedDaemon } from './daemon-process';
import { DaemonConnectionError } from './errors';
import { WorkflowHandle } from './handle';
import type { CallOptions, DaemonStatus, InitializeResult, ParamsOf, ResultOf, StartWorkflowOptions, UpdateOptions, WithStartWorkflowOperation, WorkflowExecution } from './types';
import { callParams } from './types';
import { WorkflowUpdateHandle, type WaitForStage } from './update-handle';
import { streamed } from './streamed';

type InitializeParams = ParamsOf<'initialize'>;

export const CLIENT_VERSION = '0.1.0';

export interface SessionOptions {
  /** The session's default namespace (initialize's `namespace`); default: the daemon's. */
  namespace?: string;
  /** Sent as initialize's clientInfo.name (shown in the daemon's log). */
  clientName?: string;
  /**
   * How messages are parsed and written (default: JSON.parse / JSON.stringify). The
   * daemon writes numbers exactly as a workflow wrote them; a codec that keeps big
   * integers (a lossless JSON parser) lets them reach the program unrounded.
   */
  json?: JsonCodec;
}

export interface AttachOptions extends SessionOptions {
  /** The daemon's shared secret: required on TCP (the contents of its --token-file). */
  authToken?: string;
  /** TCP host (default 127.0.0.1; the daemon listens on loopback only). */
  host?: string;
}

export interface GetWorkflowHandleOptions {
  /** Pins describe, query, signal and result to this run. */
  runId?: string | null;
  /** Restricts cancel and terminate to the chain started by this run. */
  firstExecutionRunId?: string | null;
  /** Default: the session's namespace. */
  namespace?: string;
}

/** A timer that does not keep Node running. */
function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

interface Refable {
  ref(): unknown;
  unref(): unknown;
}

/** Keeps Node's event loop alive through the transport only while a call is in flight (or while closing). */
class LoopRef {
  private busy = false;
  private pinned = false;
  constructor(private readonly items: Refable[]) {}
  setBusy(busy: boolean): void {
    this.busy = busy;
    this.apply();
  }
  pin(): void {
    this.pinned = true;
    this.apply();
  }
  private apply(): void {
    const on = this.busy || this.pinned;
    for (const i of this.items) {
      if (on) i.ref();
      else i.unref();
    }
  }
}

export class TemporalHandledClient {
  private closing: Promise<void> | undefined;

  private constructor(
    /** @internal */ readonly rpc: RpcConnection,
    /** What the daemon answered to initialize: its version, the Temporal address, namespace and server version. */
    readonly initializeResult: InitializeResult,
    private readonly transport: { loop: LoopRef; spawned?: SpawnedDaemon; socket?: net.Socket },
  ) {}

  /**
   * Starts a daemon that serves this client on its stdio: `command` (default: this Node running
   * the repository's bin/temporal-handled.js) with `--stdio`, `--address`, `--namespace` and `args`.
   * `close()` stops it.
   */
  static async spawn(opts: SpawnOptions & SessionOptions = {}): Promise<TemporalHandledClient> {
    const spawned = await spawnDaemonProcess(opts);
    const { child } = spawned;
    const loop = new LoopRef([child, child.stdin, child.stdout, child.stderr].filter((x) => x !== null) as unknown as Refable[]);
    const rpc = new RpcConnection(child.stdout!, child.stdin!, {
      describeEnd: async () => {
        await Promise.race([spawned.exited, delay(1000)]);
        return spawned.stderrTail();
      },
      onBusy: (busy) => loop.setBusy(busy),
      json: opts.json,
    });
    return TemporalHandledClient.initialize(rpc, { loop, spawned }, opts, undefined).catch((err) => {
      child.kill();
      throw err;
    });
  }

  /**
   * Attaches to a running daemon: a Unix socket path or Windows pipe name (its `--socket`),
   * or a TCP port on loopback (its `--port`, with `authToken`).
   */
  static async attach(target: string | number, opts: AttachOptions = {}): Promise<TemporalHandledClient> {
    const where = typeof target === 'number' ? `${opts.host ?? '127.0.0.1'}:${target}` : target;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = typeof target === 'number' ? net.createConnection({ port: target, host: opts.host ?? '127.0.0.1' }) : net.createConnection(target);
      s.once('connect', () => {
        s.removeAllListeners('error');
        s.on('error', () => undefined);
        resolve(s);
      });
      s.once('error', (err) => reject(new DaemonConnectionError(`Cannot connect to the daemon at ${where}: ${err.message}`, { cause: err })));
    });
    const loop = new LoopRef([socket]);
    const rpc = new RpcConnection(socket, socket, {
      describeEnd: async () => `the daemon at ${where} closed it`,
      onBusy: (busy) => loop.setBusy(busy),
      json: opts.json,
    });
    return TemporalHandledClient.initialize(rpc, { loop, socket }, opts, opts.authToken).catch((err) => {
      socket.destroy();
      throw err;
    });
  }

  private static async initialize(rpc: RpcConnection, transport: TemporalHandledClient['transport'], opts: SessionOptions, authToken: string | undefined): Promise<TemporalHandledClient> {
    const params: Record<string, unknown> = { clientInfo: { name: opts.clientName ?? 'temporal-handled-client', version: CLIENT_VERSION } };
    if (opts.namespace !== undefined) params.namespace = opts.namespace;
    if (authToken !== undefined) params.authToken = authToken;
    try {
      const init = await rpc.call('initialize', params as InitializeParams);
      await rpc.notify('initialized', {});
      return new TemporalHandledClient(rpc, init, transport);
    } catch (err) {
      rpc.dispose();
      throw err;
    }
  }

  /** The session's default namespace. */
  get namespace(): string {
    return this.initializeResult.temporal.namespace;
  }

  /** Starts a workflow (signal-with-start when `startSignal` is given) and returns its handle. */
  async startWorkflow(opts: StartWorkflowOptions): Promise<WorkflowHandle> {
    const { signal, ...params } = opts;
    const info = await this.rpc.call('workflow/start', params, { signal });
    return new WorkflowHandle(this.rpc, info, info.handle);
  }

  /**
   * Update-with-start: starts the workflow unless it runs (per `startWorkflowOperation.idConflictPolicy`)
   * and sends it an update; returns both handles once the update reaches `waitForStage`.
   */
  async startUpdateWithStart<T = unknown>(
    name: string,
    opts: UpdateOptions & { waitForStage: WaitForStage; startWorkflowOperation: WithStartWorkflowOperation },
  ): Promise<{ workflow: WorkflowHandle; update: WorkflowUpdateHandle<T> }> {
    const r = await this.rpc.call(
      'workflow/startUpdateWithStart',
      Object.assign(
        { start: opts.startWorkflowOperation, update: name, waitForStage: opts.waitForStage },
        opts.args ? { args: opts.args } : {},
        opts.updateId ? { updateId: opts.updateId } : {},
        callParams(opts),
      ),
      { signal: opts.signal },
    );
    return { workflow: new WorkflowHandle(this.rpc, r.handle, r.handle.handle), update: new WorkflowUpdateHandle<T>(this.rpc, r.update) };
  }

  /** Update-with-start, waiting for the update's outcome: its value and both handles. */
  async executeUpdateWithStart<T = unknown>(
    name: string,
    opts: UpdateOptions & { startWorkflowOperation: WithStartWorkflowOperation },
  ): Promise<{ value: T; workflow: WorkflowHandle; update: WorkflowUpdateHandle<T> }> {
    const r = await this.rpc.call(
      'workflow/executeUpdateWithStart',
      Object.assign({ start: opts.startWorkflowOperation, update: name }, opts.args ? { args: opts.args } : {}, opts.updateId ? { updateId: opts.updateId } : {}, callParams(opts)),
      { signal: opts.signal },
    );
    return { value: r.value as T, workflow: new WorkflowHandle(this.rpc, r.handle, r.handle.handle), update: new WorkflowUpdateHandle<T>(this.rpc, r.update) };
  }

  /**
   * Lists runs matching a visibility query, page by page as the daemon streams them
   * (an async iterable: a list of any size is never held whole).
   */
  async *list(opts: CallOptions & { query?: string; limit?: number; pageSize?: number; namespace?: string } = {}): AsyncGenerator<WorkflowExecution, void, undefined> {
    const { signal, ...params } = opts;
    const pages = streamed((onProgress, sig) => this.rpc.request('workflow/list', params, { signal: sig, progressParam: 'partialResultToken', onProgress }), signal);
    for await (const page of pages) yield* (page as { executions: WorkflowExecution[] }).executions;
  }

  /** Counts runs matching a visibility query; with GROUP BY, the count of each group. */
  async count(query?: string, opts: CallOptions & { namespace?: string } = {}): Promise<ResultOf<'workflow/count'>> {
    const { signal, ...rest } = opts;
    return this.rpc.call('workflow/count', Object.assign({}, query !== undefined ? { query } : {}, rest), { signal });
  }

  /** A handle for an existing workflow. No call is made until the handle is first used. */
  getWorkflowHandle(workflowId: string, opts: GetWorkflowHandleOptions = {}): WorkflowHandle {
    const runId = opts.runId ?? null;
    return new WorkflowHandle(this.rpc, {
      workflowId,
      runId,
      resultRunId: runId,
      firstExecutionRunId: opts.firstExecutionRunId ?? null,
      namespace: opts.namespace ?? null,
    });
  }

  /** The daemon's status: uptime, clients, handles, in-flight calls, connection state, server version. */
  async status(opts: CallOptions = {}): Promise<DaemonStatus> {
    return this.rpc.call('daemon/status', {}, opts);
  }

  /** Any protocol method, by name, with its params (`$/progress` values go to `onProgress`). */
  async request<T = unknown>(method: string, params?: object, opts: RequestOptions = {}): Promise<T> {
    return this.rpc.request<T>(method, params, opts);
  }

  /** Ends the session (`shutdown`, then `exit`); a spawned daemon is waited for (and killed if it lingers). */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const { loop, spawned, socket } = this.transport;
    loop.pin();
    try {
      if (!this.rpc.isClosed) {
        try {
          await this.rpc.request('shutdown', undefined, { signal: AbortSignal.timeout(5000) });
        } catch {
          /* closing anyway */
        }
        await this.rpc.notify('exit');
      }
      if (spawned) {
        const { child } = spawned;
        const waitExit = (ms: number) => Promise.race([spawned.exited.then(() => true), delay(ms).then(() => false)]);
        child.stdin?.end();
        if (!(await waitExit(10_000))) {
          child.kill('SIGTERM');
          if (!(await waitExit(3000))) child.kill('SIGKILL');
        }
      }
      if (socket) {
        const closed = new Promise<void>((r) => (socket.closed ? r() : socket.once('close', () => r())));
        socket.end();
        await Promise.race([closed, delay(1000)]);
        socket.destroy();
      }
    } finally {
      this.rpc.dispose();
    }
  }
}
