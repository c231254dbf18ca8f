-- wrk reporting hook: prints p50, p95 and p99 latency in milliseconds.
done = function(summary, latency, requests)
  io.write(string.format("   p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, %d requests, %d errors (status), %.0f req/s\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6)))
end
