// nodetls: a small Node.js TLS peer for pcaps/generate.sh (node's own `tls` module only).
//
//   node nodetls.mjs server --port P [--tls 1.2|1.3] --cert CHAIN --key KEY [--ca ROOT]
//        [--request-cert] [--reject-unauthorized] [--renegotiate] [--keylog FILE] [--n CONNECTIONS]
//   node nodetls.mjs client --port P [--tls 1.2|1.3] [--cert CHAIN --key KEY] [--ca ROOT]
//        [--no-reject-unauthorized] [--servername localhost] [--keylog FILE]
//
// The server answers the first data of each connection with a short HTTP response and ends the
// connection; with --renegotiate (TLS 1.2) it first renegotiates, asking for a client certificate
// (requestCert and rejectUnauthorized as given; SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION so
// that the renegotiation is a full handshake), and answers when that is done. The client sends
// one HTTP request and prints what comes back. Key logs are appended from the 'keylog' events.
import crypto from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';

const [mode, ...rest] = process.argv.slice(2);
const opt = {};
for (let i = 0; i < rest.length; i++) {
  const name = rest[i].replace(/^--/, '');
  if (['request-cert', 'reject-unauthorized', 'no-reject-unauthorized', 'renegotiate'].includes(name)) {
    opt[name] = true;
  } else {
    opt[name] = rest[++i];
  }
}

const common = {};
if (opt.tls) {
  const v = { '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' }[opt.tls];
  if (!v) throw new Error(`unknown --tls ${opt.tls}`);
  common.minVersion = v;
  common.maxVersion = v;
}
if (opt.cert) common.cert = fs.readFileSync(opt.cert);
if (opt.key) common.key = fs.readFileSync(opt.key);
if (opt.ca) common.ca = fs.readFileSync(opt.ca);
const keylog = (line) => { if (opt.keylog) fs.appendFileSync(opt.keylog, line); };
const port = Number(opt.port);

if (mode === 'server') {
  let left = Number(opt.n || 1);
  const server = tls.createServer({
    ...common,
    requestCert: !!opt['request-cert'] && !opt.renegotiate,
    rejectUnauthorized: !!opt['reject-unauthorized'] && !opt.renegotiate,
    // A renegotiation that resumes the session would ask for no certificate: make it a full one.
    ...(opt.renegotiate ? { secureOptions: crypto.constants.SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION } : {}),
  });
  server.on('keylog', (line) => keylog(line));
  server.on('tlsClientError', (err) => {
    console.log(`server: tlsClientError: ${err.code || ''} ${err.message}`);
    if (--left === 0) server.close();
  });
  server.on('secureConnection', (socket) => {
    console.log(`server: secure, ${socket.getProtocol()}, authorized=${socket.authorized}` +
      (socket.authorizationError ? ` (${socket.authorizationError})` : ''));
    let answered = false;
    const answer = () => {
      socket.end('HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n');
    };
    socket.on('data', (data) => {
      console.log(`server: read ${JSON.stringify(data.toString())}`);
      if (answered) return;
      answered = true;
      if (opt.renegotiate) {
        socket.renegotiate({
          requestCert: !!opt['request-cert'],
          rejectUnauthorized: !!opt['reject-unauthorized'],
        }, (err) => {
          if (err) {
            console.log(`server: renegotiation failed: ${err.code || ''} ${err.message}`);
            socket.destroy();
            return;
          }
          console.log(`server: renegotiated, authorized=${socket.authorized}` +
            (socket.authorizationError ? ` (${socket.authorizationError})` : ''));
          answer();
        });
      } else {
        answer();
      }
    });
    socket.on('error', (err) => console.log(`server: socket error: ${err.code || ''} ${err.message}`));
    socket.on('close', () => { if (--left === 0) server.close(); });
  });
  server.listen(port, '127.0.0.1', () => console.log('ready'));
} else if (mode === 'client') {
  const socket = tls.connect({
    ...common,
    host: '127.0.0.1',
    port,
    servername: opt.servername || 'localhost',
    rejectUnauthorized: !opt['no-reject-unauthorized'],
  });
  socket.on('keylog', (line) => keylog(line));
  socket.on('secureConnect', () => {
    console.log(`client: secure, ${socket.getProtocol()}, authorized=${socket.authorized}` +
      (socket.authorizationError ? ` (${socket.authorizationError})` : ''));
    socket.write('GET / HTTP/1.0\r\n\r\n');
  });
  socket.on('data', (data) => console.log(`client: read ${JSON.stringify(data.toString())}`));
  socket.on('error', (err) => console.log(`client: error: ${err.code || ''} ${err.message}`));
  socket.on('end', () => console.log('client: end'));
  socket.setTimeout(5000, () => socket.destroy());
} else {
  console.error('usage: node nodetls.mjs server|client --port P ...');
  process.exit(2);
}
