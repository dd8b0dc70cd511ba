// Prints Jest's totals as the plain closing line CI reads: "Tests: N passed, N failed, N skipped".
const fs = require('node:fs');
const results = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
process.exit(results.success ? 0 : 1);
