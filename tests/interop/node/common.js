// Shared by the grpc-js peers: loads the test proto and builds credentials from a certificate directory.
'use strict';
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO = path.join(__dirname, '..', '..', 'Rpc.Tests', 'Protos', 'test.proto');

function loadService() {
  const definition = protoLoader.loadSync(PROTO, { keepCase: false, longs: Number, enums: Number, defaults: true, oneofs: true });
  return grpc.loadPackageDefinition(definition).colabo.rpc.test.TestService;
}

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

function read(dir, name) {
  return fs.readFileSync(path.join(dir, name));
}

module.exports = { grpc, loadService, args, read };
