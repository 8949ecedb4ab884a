// Reference side of the Python/JavaScript interop tests: what the TypeScript
// coordinator does, with the same npm libraries (tweetnacl, JSON.stringify,
// @openzeppelin/merkle-tree). Reads one JSON request on stdin, writes one JSON
// answer on stdout.
//
//   node interop.cjs sign     [{receipt, seed}]                -> [{canonical_hex, signature, pubkey}]
//   node interop.cjs verify   [{receipt, receipt_signature}]   -> [bool]
//   node interop.cjs merkle   {values: [[v, v, v]], encoding?}  -> {root, dump, proofs}
//                             (encoding defaults to the receipts' [bytes32, bytes32, bytes32])
'use strict';

const fs = require('fs');
const nacl = require('tweetnacl');
const { StandardMerkleTree } = require('@openzeppelin/merkle-tree');

const fromHex = (hex) => Uint8Array.from(Buffer.from(hex.replace(/^0x/, ''), 'hex'));
const utf8 = (text) => Uint8Array.from(Buffer.from(text, 'utf8'));

function sign(requests) {
  return requests.map(({ receipt, seed }) => {
    const keys = nacl.sign.keyPair.fromSeed(fromHex(seed));
    const canonical = JSON.stringify(receipt);
    const signature = nacl.sign.detached(utf8(canonical), keys.secretKey);
    return {
      canonical_hex: Buffer.from(canonical, 'utf8').toString('hex'),
      signature: 'base64:' + Buffer.from(signature).toString('base64'),
      pubkey: 'ed25519:' + Buffer.from(keys.publicKey).toString('hex'),
    };
  });
}

function verify(requests) {
  // What the coordinator does (whitepaper §4.3): canonical JSON, UTF-8,
  // base64-decode the signature, hex-decode the key, detached verify.
  return requests.map(({ receipt, receipt_signature }) => {
    const signature = Uint8Array.from(Buffer.from(receipt_signature.replace(/^base64:/, ''), 'base64'));
    const pubkey = fromHex(receipt.provider_pubkey.replace(/^ed25519:/, ''));
    return nacl.sign.detached.verify(utf8(JSON.stringify(receipt)), signature, pubkey);
  });
}

function merkle({ values, encoding }) {
  const tree = StandardMerkleTree.of(values, encoding || ['bytes32', 'bytes32', 'bytes32']);
  const proofs = values.map((_, i) => tree.getProof(i));
  return { root: tree.root, dump: tree.dump(), proofs };
}

const commands = { sign, verify, merkle };
const command = commands[process.argv[2]];
if (!command) {
  process.stderr.write(`usage: node interop.cjs ${Object.keys(commands).join('|')} < request.json\n`);
  process.exit(2);
}
const request = JSON.parse(fs.readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(command(request)));
