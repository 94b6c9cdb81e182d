import { Injectable } from '@nestjs/common';

interface Closable {
  close(): void;
}

/** The open event streams of this process, so shutdown can end them before the HTTP server closes. */
@Injectable()
export class SseHub {
  private readonly streams = new Set<Closable>();

  track<T extends Closable>(stream: T): T {
    this.streams.add(stream);
    return stream;
  }

  release(stream: Closable): void {
    this.streams.delete(stream);
  }

  get open(): number {
    return this.streams.size;
  }

  closeAll(): void {
    for (const stream of [...this.streams]) stream.close();
    this.streams.clear();
  }
}
