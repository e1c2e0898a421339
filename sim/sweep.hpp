#pragma once
// `millpond sweep` and `millpond merge`: one `millpond test` option set run over a range of
// seeds, spread over threads (runs are independent; each stays single-threaded and
// deterministic) and optionally over machines (--shard K/N, then `millpond merge`).
//
// The final table depends only on the option set and on which seeds ran, never on --jobs, the
// sharding or the order in which runs finished: records are kept per seed and aggregated in
// seed order, floating means are summed in seed order, and latency quantiles come from
// histograms with fixed bucket edges, whose merge is exact integer addition.

#include <cstdint>
#include <iosfwd>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace millpond::sim {

// Ok-op latencies in microseconds. Values below 256 us keep their own bucket; above, a bucket
// keeps the 8 leading bits, so its lower edge is within 0.4 % of every value in it. The edges
// depend on the value alone, so histograms from different runs, threads or machines add up to
// exactly the histogram of all the values.
class LatencyHistogram {
  public:
    static std::int64_t bucket_edge(std::int64_t latency_us);

    void add(std::int64_t latency_us, std::int64_t count = 1);
    void merge(const LatencyHistogram& other);
    // After rebuilding from stored buckets (add(edge, count)): the exact maximum, which lies
    // in the top bucket. REQUIRES: bucket_edge(max_us) == the top bucket's edge.
    void restore_max(std::int64_t max_us);
    std::int64_t count() const { return count_; }
    std::int64_t max_us() const { return max_us_; }
    // The lower edge of the bucket holding the value of rank min(n-1, floor(n*q)) in sorted
    // order (figures.cpp's rank), the exact maximum for q = 1, 0 when empty.
    std::int64_t quantile_us(double q) const;
    const std::map<std::int64_t, std::int64_t>& buckets() const { return buckets_; }

  private:
    std::map<std::int64_t, std::int64_t> buckets_;  // lower edge -> count
    std::int64_t count_ = 0;
    std::int64_t max_us_ = 0;
};

// What one seed's run left behind, everything the table and the JSON need.
struct SeedRecord {
    std::uint64_t seed = 0;
    std::string verdict;                            // valid | invalid | unknown | aborted
    std::map<std::string, std::int64_t> anomalies;  // error type (no colon) -> count
    double msgs_per_op_all = 0;
    double msgs_per_op_servers = 0;
    double ok_fraction = 0;
    std::int64_t ops = 0;     // completed client ops (:stats :count)
    std::string fingerprint;  // hex
    std::string aborted;      // why the run stopped early, when it did
    LatencyHistogram latency;
};

struct SweepReport {
    // The `millpond test` options without --seed, canonical (as the repro line spells them).
    std::vector<std::string> options;
    std::uint64_t seed_first = 0;
    std::uint64_t seed_last = 0;
    // Shard K of N of the range; 0/0 when the report covers the whole range.
    std::uint64_t shard_index = 0;
    std::uint64_t shard_count = 0;
    // --fail-fast stopped the sweep before the end of its seeds.
    bool stopped_early = false;
    std::vector<SeedRecord> records;  // ascending seeds
};

// Seeds of shard K (1-based) of N over first..last: those with (s - first) mod N == K - 1.
// REQUIRES: first <= last, 1 <= shard_index <= shard_count.
std::vector<std::uint64_t> shard_seeds(std::uint64_t first, std::uint64_t last,
                                       std::uint64_t shard_index, std::uint64_t shard_count);

// The line `millpond test` prints to replay one seed of the sweep.
std::string sweep_repro(const SweepReport& report, std::uint64_t seed);

std::string render_sweep_table(const SweepReport& report);
// 0 when every run was valid, else 1.
int sweep_exit_code(const SweepReport& report);

nlohmann::json sweep_to_json(const SweepReport& report);
// Nullopt with `*error` set (one line, no file name) when the JSON is not a sweep report.
std::optional<SweepReport> sweep_from_json(const nlohmann::json& json, std::string* error);

// `millpond sweep ...` (args exclude "sweep"). Progress goes to `err`, redrawn in place when
// `err_is_tty`, else one line every few seconds.
int run_sweep_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                      bool err_is_tty = false);

// `millpond merge FILE.json... [--json OUT]`.
int run_merge_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace millpond::sim
