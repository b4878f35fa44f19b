// What an HTTP server does with a connection whose bytes do not parse (docs/security.md, "Who it
// answers"). Node's default destroys the socket at once, which throws away an answer still being
// written or prepared: a client that pipelines garbage after a good request lost the answer to the
// request it did send. Here an answer in progress is finished first and the connection closed after
// it; a connection with nothing to answer is told 400.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

const BAD_REQUEST = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

/** Installs the handling on `server` (every HTTP server of the stack: origin, gateway, API, GraphQL). */
export function endOnClientError(server: Server): Server {
  const answering = new WeakMap<Duplex, ServerResponse>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    answering.set(req.socket, res);
    res.once("close", () => {
      if (answering.get(req.socket) === res) answering.delete(req.socket);
    });
  });
  server.on("clientError", (_error: NodeJS.ErrnoException, socket: Duplex & { bytesWritten?: number }) => {
    // Already closing after a complete answer (Connection: close): nothing more to say.
    if (socket.destroyed || socket.writableEnded) return;
    const res = answering.get(socket);
    if (res !== undefined && !res.writableFinished) {
      // Finish the answer to the request that did parse, then close: nothing after it is read.
      if (!res.headersSent) res.setHeader("connection", "close");
      res.once("close", () => (res.writableFinished ? socket.end() : socket.destroy()));
      return;
    }
    if (!socket.writable) socket.destroy();
    else socket.end((socket.bytesWritten ?? 0) === 0 ? BAD_REQUEST : undefined);
  });
  return server;
}
