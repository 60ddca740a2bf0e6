import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

/**
 * A webhook target that accepts every connection, reads the request and never answers: the
 * noisy neighbour's endpoint. It counts connections opened and connections the sender gave up on.
 */
export interface Tarpit {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Connections accepted so far. */
  opened: number;
  /** Connections the sender has closed (it timed out); the tarpit itself never closes one. */
  closed: number;
  close(): Promise<void>;
}

export async function startTarpit(): Promise<Tarpit> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    tarpit.opened++;
    sockets.add(socket);
    socket.resume();
    socket.on('close', () => {
      if (sockets.delete(socket)) tarpit.closed++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const tarpit: Tarpit = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    opened: 0,
    closed: 0,
    async close() {
      const open = [...sockets];
      sockets.clear();
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return tarpit;
}

/** A webhook target that answers 200 after `delayMs` and remembers the most requests it held at once. */
export interface CountingReceiver {
  origin: string;
  /** Request paths, in order of arrival. */
  paths: string[];
  /** The most requests in progress at the same moment. */
  mostAtOnce: number;
  /** Called as each request arrives, before it is answered. */
  onRequest(fn: (path: string) => void): void;
  close(): Promise<void>;
}

export async function startCountingReceiver(delayMs = 0): Promise<CountingReceiver> {
  let inProgress = 0;
  let notify: (path: string) => void = () => {};
  const server = http.createServer((req, res) => {
    inProgress++;
    receiver.mostAtOnce = Math.max(receiver.mostAtOnce, inProgress);
    receiver.paths.push(req.url ?? '');
    notify(req.url ?? '');
    req.resume();
    setTimeout(() => {
      inProgress--;
      res.writeHead(200, { 'Content-Length': '0' }).end();
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: CountingReceiver = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths: [],
    mostAtOnce: 0,
    onRequest(fn) {
      notify = fn;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}
