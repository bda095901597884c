#!/usr/bin/env node
'use strict';
// The `leak-agent` command: see `leak-agent --help`.
require('../dist/integrations/cli.js')
  .main(process.argv.slice(2))
  .then((code) => {
    if (code !== undefined) process.exitCode = code;
  });
