// Sums every CI result into one closing line: "N passed, N failed[, N skipped]".
//   node scripts/test-summary.mjs [label=]file...
// Each file is a vitest JSON report (numPassedTests, …) or a result of scripts/ci-runtimes.mjs ({ passed, failed }).
// A file that is missing or unreadable counts as one failure, so a runtime that never reported cannot pass unseen;
// so does a report with no passed test. Prints one line per file, then the total; exits 1 on any failure.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2).length ? process.argv.slice(2) : ['.vitest-results.json'];
let passed = 0,
  failed = 0,
  skipped = 0;
for (const arg of args) {
  const eq = arg.indexOf('=');
  const [label, file] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, arg];
  let p = 0,
    f = 0,
    s = 0,
    note = '';
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    if ('numPassedTests' in report) {
      p = report.numPassedTests ?? 0;
      // A file that fails to load has no failed tests but a failed suite: count it so it cannot pass unseen.
      f = (report.numFailedTests ?? 0) || (report.numFailedTestSuites ?? 0);
      s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    } else {
      p = report.passed ?? 0;
      f = report.failed ?? 0;
    }
    if (p === 0 && f === 0) {
      f = 1;
      note = ' (no test passed)';
    }
  } catch (e) {
    f = 1;
    note = ` (no readable report at ${file}: ${e.message})`;
  }
  console.log(`  ${label}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}${note}`);
  passed += p;
  failed += f;
  skipped += s;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
