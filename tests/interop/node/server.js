// grpc-js implementation of colabo.rpc.test.TestService (same behaviour as the .NET EchoService).
// Usage: node server.js [--tls-dir DIR] [--port N]   prints "LISTENING <port>" when ready.
'use strict';
const { grpc, loadService, args, read } = require('./common');

const opts = args();
const TestService = loadService();

function reply(request, call, index) {
  if (request.failWithCode) {
    const metadata = new grpc.Metadata();
    metadata.set('x-failure-reason', 'requested');
    return { error: { code: request.failWithCode, details: request.failWithMessage, metadata } };
  }
  const seen = call.metadata.get('x-echo');
  const seenBin = call.metadata.get('x-echo-bin');
  const payload = request.responseSize > 0 ? Buffer.alloc(request.responseSize) : request.payload;
  return {
    value: {
      text: request.text,
      payload,
      index,
      seenHeader: seen.length ? String(seen[0]) : '',
      seenBinaryHeader: seenBin.length ? seenBin[0] : Buffer.alloc(0),
    },
  };
}

const server = new grpc.Server({ 'grpc.max_concurrent_streams': 1000 });
server.addService(TestService.service, {
  unary(call, callback) {
    if (call.request.hang) { call.on('cancelled', () => {}); return; } // answered by the deadline or a cancel
    const r = reply(call.request, call, 0);
    callback(r.error || null, r.value);
  },
  idempotentUnary(call, callback) {
    const r = reply(call.request, call, 0);
    callback(r.error || null, r.value);
  },
  serverStream(call) {
    const count = Math.max(1, call.request.count);
    for (let i = 0; i < count; i++) {
      const r = reply(call.request, call, i);
      if (r.error) { call.emit('error', r.error); return; }
      call.write(r.value);
    }
    if (call.request.hang) return; // held open until the client goes away (benchmark idle streams)
    call.end();
  },
  clientStream(call, callback) {
    const texts = [];
    let failed = false;
    call.on('data', (request) => {
      if (failed) return;
      if (request.failWithCode) { failed = true; callback(reply(request, call, 0).error); return; }
      texts.push(request.text);
    });
    call.on('end', () => { if (!failed) callback(null, { text: texts.join(','), index: texts.length }); });
  },
  duplex(call) {
    let i = 0;
    call.on('data', (request) => {
      const r = reply(request, call, i++);
      if (r.error) { call.emit('error', r.error); return; }
      call.write(r.value);
    });
    call.on('end', () => call.end());
  },
});

let credentials = grpc.ServerCredentials.createInsecure();
if (opts['tls-dir']) {
  const dir = opts['tls-dir'];
  credentials = grpc.ServerCredentials.createSsl(read(dir, 'ca.crt'), [{ cert_chain: read(dir, 'server.crt'), private_key: read(dir, 'server.key') }], true);
}
server.bindAsync(`127.0.0.1:${opts.port || 0}`, credentials, (err, port) => {
  if (err) { console.error(err.message); process.exit(1); }
  console.log(`LISTENING ${port}`);
});
process.on('SIGTERM', () => server.forceShutdown());
