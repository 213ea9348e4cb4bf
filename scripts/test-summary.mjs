// Prints the plain closing line 'N passed, N failed, N skipped' from vitest's JSON report.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
try {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  if (r.numFailedTestSuites) console.log(`(${r.numFailedTestSuites} test files failed to run or had failing hooks)`);
} catch (e) {
  console.log(`0 passed, 1 failed (no vitest report at ${file}: ${e.message})`);
}
