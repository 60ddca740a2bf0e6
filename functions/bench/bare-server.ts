/**
 * The floor of this machine for the ping bench: a bare `node:http` server, run in its own process
 * (`node -e BARE_SERVER`), answering every request with the fixed JSON a ping answers on the
 * embedded server (the same two-space JSON, content type and length), and nothing else: no
 * routing, no store, no headers beyond those. What the embedded server adds is measured against it.
 */

/** The body the embedded server answers a routine ping of the bench's monitors with (`handlePing`). */
export const BARE_BODY = JSON.stringify({ ok: true, monitor: 'job 0', status: 'up' }, null, 2);

/** Source for `node -e`; listens on 127.0.0.1:$PORT and prints `listening` once it does. */
export const BARE_SERVER = `
  const body = ${JSON.stringify(BARE_BODY)};
  require('node:http').createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  }).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
`;
