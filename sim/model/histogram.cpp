#include "sim/model/histogram.h"

#include <algorithm>
#include <cmath>

namespace sim::model {

namespace {
const double kGamma = (1.0 + LogHistogram::kRelativeError) / (1.0 - LogHistogram::kRelativeError);
const double kLogGamma = std::log(kGamma);
}  // namespace

int LogHistogram::bucket_of(double v) {
  if (!(v > kMin)) return 0;
  int i = static_cast<int>(std::ceil(std::log(v / kMin) / kLogGamma));
  return std::clamp(i, 0, kBuckets - 1);
}

double LogHistogram::value_of(int bucket) {
  if (bucket == 0) return kMin;
  return kMin * 2.0 * std::pow(kGamma, bucket) / (kGamma + 1.0);
}

LogHistogram::Sample LogHistogram::prepare(double value) {
  if (value < 0 || !std::isfinite(value)) value = 0;
  return Sample{value, bucket_of(value)};
}

void LogHistogram::add(double value) { add(prepare(value)); }

void LogHistogram::add(const Sample& s) {
  ++counts_[static_cast<std::size_t>(s.bucket)];
  if (count_ == 0 || s.value < min_) min_ = s.value;
  ++count_;
  sum_ += s.value;
  max_ = std::max(max_, s.value);
}

void LogHistogram::merge(const LogHistogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

void LogHistogram::clear() {
  counts_.fill(0);
  count_ = 0;
  sum_ = 0;
  max_ = 0;
  min_ = 0;
}

double LogHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Rank of the order statistic (1-based), as the "lower" definition: ceil(q n).
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[static_cast<std::size_t>(i)];
    if (seen >= rank) {
      // Never report beyond the observed extremes.
      return std::clamp(value_of(i), min_, max_);
    }
  }
  return max_;
}

std::uint64_t LogHistogram::count_at_most(double le) const {
  if (count_ == 0 || le < kMin) return 0;
  int last = bucket_of(le);
  if (value_of(last) > le) --last;
  std::uint64_t n = 0;
  for (int i = 0; i <= last; ++i) n += counts_[static_cast<std::size_t>(i)];
  return n;
}

}  // namespace sim::model
