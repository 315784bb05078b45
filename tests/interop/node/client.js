// grpc-js client running the interop scenarios against a server; prints one JSON object with the results.
// Usage: node client.js --target 127.0.0.1:PORT [--tls-dir DIR]
'use strict';
const { grpc, loadService, args, read } = require('./common');

const opts = args();
const TestService = loadService();
let credentials = grpc.credentials.createInsecure();
const channelOptions = {};
if (opts['tls-dir']) {
  const dir = opts['tls-dir'];
  credentials = grpc.credentials.createSsl(read(dir, 'ca.crt'), read(dir, 'client.key'), read(dir, 'client.crt'));
  channelOptions['grpc.ssl_target_name_override'] = 'localhost';
  channelOptions['grpc.default_authority'] = 'localhost';
}
const client = new TestService(opts.target, credentials, channelOptions);

const unary = (request, metadata = new grpc.Metadata(), options = {}) => new Promise((resolve) => {
  client.unary(request, metadata, options, (err, value) => resolve({ err, value }));
});

async function main() {
  const results = {};
  const metadata = new grpc.Metadata();
  metadata.set('x-echo', 'from-node');
  metadata.set('x-echo-bin', Buffer.from([0, 1, 2, 255]));
  const u = await unary({ text: 'hello from grpc-js' }, metadata);
  results.unary = u.err ? `error ${u.err.code}` : u.value.text;
  results.seenHeader = u.value ? u.value.seenHeader : null;
  results.seenBinaryHeader = u.value ? Buffer.from(u.value.seenBinaryHeader).toString('hex') : null;
  results.peerCommonName = u.value ? u.value.peerCommonName : null;

  const big = await unary({ text: 'big', responseSize: 1024 * 1024 });
  results.bigReplyBytes = big.err ? -1 : big.value.payload.length;

  const e = await unary({ failWithCode: 5, failWithMessage: 'no such node «web-1» 100%' });
  results.errorCode = e.err ? e.err.code : 0;
  results.errorMessage = e.err ? e.err.details : null;
  results.errorTrailer = e.err && e.err.metadata ? String(e.err.metadata.get('x-failure-reason')[0] || '') : null;

  // A status message larger than the server's header-encoding buffer: HEADERS plus CONTINUATION frames.
  const long = await unary({ failWithCode: 9, failWithMessage: 'drift-'.repeat(500) });
  results.longErrorMessage = long.err ? long.err.details : null;

  const d = await unary({ hang: true }, new grpc.Metadata(), { deadline: Date.now() + 300 });
  results.deadlineCode = d.err ? d.err.code : 0;

  results.serverStream = await new Promise((resolve) => {
    const indexes = [];
    const call = client.serverStream({ text: 's', count: 5 });
    call.on('data', (r) => indexes.push(r.index));
    call.on('error', (err) => resolve(`error ${err.code}`));
    call.on('end', () => resolve(indexes));
  });

  results.clientStream = await new Promise((resolve) => {
    const call = client.clientStream((err, value) => resolve(err ? `error ${err.code}` : value.text));
    for (const t of ['a', 'b', 'c']) call.write({ text: t });
    call.end();
  });

  results.duplex = await new Promise((resolve) => {
    const texts = [];
    const call = client.duplex();
    call.on('data', (r) => texts.push(r.text));
    call.on('error', (err) => resolve(`error ${err.code}`));
    call.on('end', () => resolve(texts));
    for (const t of ['x', 'y', 'z']) call.write({ text: t });
    call.end();
  });

  results.streamError = await new Promise((resolve) => {
    const call = client.duplex();
    call.on('data', () => {});
    call.on('error', (err) => resolve(err.code));
    call.on('end', () => resolve(0));
    call.write({ text: 'ok' });
    call.write({ failWithCode: 10, failWithMessage: 'conflict' });
    call.end();
  });

  console.log(JSON.stringify(results));
  client.close();
}

main().catch((err) => { console.error(err); process.exit(1); });
