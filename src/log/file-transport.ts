/**
 * Log lines to a file, appended. winston's own File transport drops write errors (its
 * stream's "error" handler only debugs them), so a full disk would lose every line in
 * silence: this one says so once on stderr, and keeps trying (a disk can be freed).
 */
import * as fs from 'node:fs';
import TransportStream from 'winston-transport';
import type { Logform } from 'winston';

const MESSAGE = Symbol.for('message');

export class FileLogTransport extends TransportStream {
  private stream: fs.WriteStream;
  private told = false;

  constructor(
    private readonly file: string,
    opts: { level: string; format: Logform.Format },
  ) {
    super({ level: opts.level, format: opts.format });
    this.stream = this.open();
  }

  private open(): fs.WriteStream {
    const s = fs.createWriteStream(this.file, { flags: 'a' });
    s.on('error', (err) => {
      if (!this.told) {
        this.told = true;
        process.stderr.write(`temporal-handled: cannot write the log file ${this.file}: ${err.message}; log lines are being lost\n`);
      }
      // The stream is gone after an error: the next line opens it again.
      if (this.stream === s) this.stream = undefined as unknown as fs.WriteStream;
    });
    return s;
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    this.stream ??= this.open();
    this.stream.write(`${String(info[MESSAGE])}\n`);
    next();
  }

  override close(): void {
    this.stream?.end();
  }
}
