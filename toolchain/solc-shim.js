#!/usr/bin/env node
// A `solc` executable backed by solcjs (npm `solc`), answering the subset of the
// native command line that py-solc-x and ape-solidity use:
//   solc --version
//   solc --standard-json [--base-path DIR] [--include-path DIR]... [--allow-paths A,B]
// Standard JSON is read from stdin and written to stdout, with nothing else on
// stdout (the solcjs CLI prints an SMT notice first, which breaks JSON parsing).
// Imports the input does not carry are read from the base path, then each
// include path, like native solc's file reader.
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require(process.env.DISPATCH_SOLCJS || 'solc');

function usage(code) {
  const text = [
    'solc (solcjs shim): native-compatible subset of the solc command line',
    '',
    'usage:',
    '  solc --version',
    '  solc --standard-json [--base-path DIR] [--include-path DIR]... [--allow-paths LIST]',
    '',
    'Reads Standard JSON input on stdin, writes Standard JSON output on stdout.',
  ].join('\n');
  (code === 0 ? process.stdout : process.stderr).write(text + '\n');
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, basePath: null, includePaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inlineValue] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      if (inlineValue !== undefined) return inlineValue;
      if (i + 1 >= argv.length) {
        process.stderr.write(`solc shim: ${flag} needs a value\n`);
        process.exit(2);
      }
      return argv[++i];
    };
    switch (flag) {
      case '--version': opts.version = true; break;
      case '--standard-json': opts.standardJson = true; break;
      case '--base-path': opts.basePath = value(); break;
      case '--include-path': opts.includePaths.push(value()); break;
      case '--allow-paths': value(); break; // reads are limited to the roots below anyway
      case '-h': case '--help': usage(0); break;
      default:
        process.stderr.write(`solc shim: unsupported argument ${arg}\n`);
        usage(2);
    }
  }
  return opts;
}

function makeImportReader(basePath, includePaths) {
  const roots = [basePath || process.cwd(), ...includePaths];
  return function readImport(importPath) {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : roots.map((root) => path.resolve(root, importPath));
    for (const candidate of candidates) {
      try {
        return { contents: fs.readFileSync(candidate, 'utf8') };
      } catch (_) { /* try the next root */ }
    }
    return { error: `File not found: ${importPath} (searched ${roots.join(', ')})` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.version) {
    // The native format, so that version parsers (py-solc-x) read it.
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  if (!opts.standardJson) usage(2);
  const input = fs.readFileSync(0, 'utf8');
  const output = solc.compile(input, { import: makeImportReader(opts.basePath, opts.includePaths) });
  process.stdout.write(output + '\n');
}

main();
