// Every test process, and every server or process a test starts, runs without abuse limits
// unless the test is about them: limits must never make an unrelated suite flaky. The limit
// tests turn them on explicitly.
process.env.CRONPEEK_RATE_LIMITS = 'off';
