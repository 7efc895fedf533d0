// Runs Electronegativity on a folder (argv[2]) and prints its findings as JSON, manual reviews marked.
const run = require('@doyensec/electronegativity/dist/runner.js');
run({ input: process.argv[2], output: null, isSarif: false, customScan: null, excludeFromScan: ['availablesecurityfixesglobalcheck'], severitySet: 'medium', confidenceSet: null, isRelative: true, verbose: false, electronVersionOverride: process.argv[3] })
  .then((result) => process.stdout.write(JSON.stringify(result)))
  .catch((error) => {
    process.stderr.write(String(error));
    process.exit(1);
  });
