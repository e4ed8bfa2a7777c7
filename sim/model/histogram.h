#pragma once
// A streaming latency histogram with bounded relative error (the DDSketch
// mapping): bucket i holds values in (γ^(i-1), γ^i] with γ = (1+α)/(1-α), and a
// quantile is reported as 2γ^i/(γ+1), within a factor (1 ± α) of the true
// order statistic. Memory is fixed (one counter per bucket over
// [1 µs, ~11.6 days]), independent of the number of samples.

#include <array>
#include <cstdint>

namespace sim::model {

class LogHistogram {
 public:
  static constexpr double kRelativeError = 0.005;  ///< α: reported quantiles are within ±0.5 %
  static constexpr double kMin = 1e-6;             ///< values below are counted in the first bucket
  static constexpr int kBuckets = 2800;            ///< covers up to kMin·γ^kBuckets ≈ 1.2e6 s

  void add(double value);
  /// A value with its bucket computed once, for adding it to several histograms.
  struct Sample {
    double value = 0;
    int bucket = 0;
  };
  static Sample prepare(double value);
  void add(const Sample& s);
  void merge(const LogHistogram& other);
  void clear();

  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
  double max() const { return max_; }
  double min() const { return count_ ? min_ : 0.0; }
  /// The q-quantile (0 <= q <= 1) as the lower-rank order statistic's bucket value; 0 when empty.
  double quantile(double q) const;
  /// How many values are at most `le`, as quantile() sees them (a bucket counts when its
  /// reported value is <= le): within the histogram's relative error of the exact count's bound.
  std::uint64_t count_at_most(double le) const;

 private:
  static int bucket_of(double v);
  static double value_of(int bucket);
  std::array<std::uint32_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
  double max_ = 0;
  double min_ = 0;
};

}  // namespace sim::model
