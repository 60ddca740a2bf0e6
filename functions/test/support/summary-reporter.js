/**
 * Prints the run's closing counts as one plain line ("tests: N passed, N failed, N skipped") so
 * that CI logs and people can read the outcome without parsing Jest's summary.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    // A suite that could not run at all has no failed tests of its own; count it as one failure.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
