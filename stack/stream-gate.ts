// GraphQL subscriptions are long-lived streams (server-sent events or multipart answers). Each holds
// a socket to the indexer for as long as the client keeps it open, so they are counted per client
// and in all, and go to the indexer over their own sockets: open streams can never take the sockets
// ordinary queries need (docs/security.md, "Subscriptions").

export type StreamLimits = { perClient: number; total: number };

export const STREAM_LIMITS: StreamLimits = { perClient: 8, total: 200 };

/** Whether a request asks for a streamed answer (a subscription, or @defer/@stream). */
export function isStreamRequest(accept: string | undefined): boolean {
  return accept !== undefined && /text\/event-stream|multipart\/mixed/i.test(accept);
}

export class StreamGate {
  readonly limits: StreamLimits;
  readonly #byClient = new Map<string, number>();
  #open = 0;

  constructor(limits: StreamLimits = STREAM_LIMITS) {
    this.limits = limits;
  }

  get open(): number {
    return this.#open;
  }

  /**
   * Takes a stream slot for `client`; the returned release must be called once the stream ends.
   * Undefined with the reason when the client or the stack has no slot left.
   */
  enter(client: string): { release: () => void } | { refused: string; status: 429 | 503 } {
    const mine = this.#byClient.get(client) ?? 0;
    if (mine >= this.limits.perClient)
      return {
        status: 429,
        refused: `this client already has ${mine} subscriptions open; at most ${this.limits.perClient}: close one first`,
      };
    if (this.#open >= this.limits.total)
      return {
        status: 503,
        refused: `the stack serves ${this.#open} subscriptions, its most; try again later`,
      };
    this.#byClient.set(client, mine + 1);
    this.#open++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#open--;
        const left = (this.#byClient.get(client) ?? 1) - 1;
        if (left === 0) this.#byClient.delete(client);
        else this.#byClient.set(client, left);
      },
    };
  }
}
