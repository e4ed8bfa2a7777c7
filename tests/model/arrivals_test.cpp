// The arrival process (model/arrivals.h): Poisson counts against the integral
// of each shape's rate (computed here in closed form, not with profile.h),
// exponential gaps, class mix per phase, determinism, composition with traces,
// and the cut at the run's duration.
//
//   Profile tree ──> make_arrivals ──> next(), next(), ...  ──> counts per interval
//                                                                 vs ∫ rate dt ± 5 sqrt(∫ rate dt)
//
// Statistical bounds: the count of a Poisson process in an interval is Poisson with mean μ = ∫ rate dt
// and standard deviation sqrt(μ), and disjoint intervals are independent. Each interval is checked at
// |n − μ| <= 5 sqrt(μ) + 1 (two-sided tail 5.7e-7), and each profile as a whole with the chi-square
// statistic Σ (n − μ)² / μ, which has mean k and sd sqrt(2k) for k intervals, at k + 6 sqrt(2k) (tail
// ~1e-6 at these k). With the ~120 intervals below an arbitrary seed would fail spuriously well under once
// in 10^4; the seeds are fixed, so the tests are deterministic. A bias of the sampler (a wrong thinning
// bound, a lost segment) shows as a deviation proportional to μ, far outside these bounds at μ ~ 10^4.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/core/random.h"
#include "sim/model/arrivals.h"
#include "tests/test_util.h"

namespace sim::model {
namespace {

using scenario::Profile;
using scenario::TraceSpec;

const std::vector<std::string> kClasses = {"a", "b", "c"};
const std::vector<double> kShares = {0.7, 0.2, 0.1};

Profile constant(double rate) {
  Profile p;
  p.kind = Profile::Kind::kConstant;
  p.rate = rate;
  return p;
}

Profile ramp(double from, double to, double at, double over) {
  Profile p;
  p.kind = Profile::Kind::kRamp;
  p.from = from;
  p.to = to;
  p.at = at;
  p.over = over;
  return p;
}

Profile step(double from, double to, double at) {
  Profile p;
  p.kind = Profile::Kind::kStep;
  p.from = from;
  p.to = to;
  p.at = at;
  return p;
}

Profile spike(double base, double factor, double at, double length) {
  Profile p;
  p.kind = Profile::Kind::kSpike;
  p.rate = base;
  p.factor = factor;
  p.at = at;
  p.length = length;
  return p;
}

Profile diurnal(double mean, double amplitude, double period, double peak) {
  Profile p;
  p.kind = Profile::Kind::kDiurnal;
  p.mean = mean;
  p.amplitude = amplitude;
  p.period = period;
  p.peak = peak;
  return p;
}

Profile trace(const std::string& path, double scale = 1, double compress = 1, bool interpolate = false) {
  Profile p;
  p.kind = Profile::Kind::kTrace;
  p.trace.path = path;
  p.trace.format = TraceSpec::Format::kPerSecond;
  p.trace.scale = scale;
  p.trace.compress = compress;
  p.trace.interpolate = interpolate;
  return p;
}

Profile phase(Profile p, double length, std::map<std::string, double> mix = {}) {
  p.phase_length = length;
  p.mix = std::move(mix);
  return p;
}

Profile compose(Profile::Kind kind, std::vector<Profile> children) {
  Profile p;
  p.kind = kind;
  p.children = std::move(children);
  return p;
}

std::unique_ptr<ArrivalStream> stream(const Profile& p, double duration, std::uint64_t seed = 1,
                                      const std::vector<double>& shares = kShares) {
  core::Diagnostics d;
  auto s = make_arrivals(p, shares, kClasses, duration, core::Rng(seed), d);
  EXPECT_TRUE(s) << d.format();
  EXPECT_FALSE(d.has_errors()) << d.format();
  return s;
}

std::vector<Arrival> drain(ArrivalStream& s) {
  std::vector<Arrival> out;
  while (auto a = s.next()) out.push_back(*a);
  EXPECT_FALSE(s.next().has_value()) << "a finished stream must stay finished";
  return out;
}

// Counts of `arrivals` in [k·width, (k+1)·width), checked in order and inside [0, duration).
std::vector<double> counts_per_interval(const std::vector<Arrival>& arrivals, double width, double duration) {
  std::vector<double> n(static_cast<std::size_t>(std::ceil(duration / width)), 0.0);
  double last = 0;
  for (const Arrival& a : arrivals) {
    EXPECT_GE(a.time, last);
    EXPECT_LT(a.time, duration);
    EXPECT_GE(a.time, 0);
    last = a.time;
    ++n[std::min(n.size() - 1, static_cast<std::size_t>(a.time / width))];
  }
  return n;
}

// The same, counted as the arrivals come (no arrival is kept).
std::vector<double> counts_per_interval(ArrivalStream& s, double width, double duration) {
  std::vector<double> n(static_cast<std::size_t>(std::ceil(duration / width)), 0.0);
  double last = 0;
  bool ordered = true, inside = true;
  while (auto a = s.next()) {
    ordered = ordered && a->time >= last;
    inside = inside && a->time >= 0 && a->time < duration;
    last = a->time;
    ++n[std::min(n.size() - 1, static_cast<std::size_t>(a->time / width))];
  }
  EXPECT_TRUE(ordered) << "arrivals out of time order";
  EXPECT_TRUE(inside) << "an arrival outside [0, duration)";
  return n;
}

// The Poisson check described at the top, against an antiderivative of the rate.
void expect_poisson_counts(const Profile& p, double duration, double width, const std::function<double(double)>& F,
                           std::uint64_t seed = 1) {
  auto s = stream(p, duration, seed);
  ASSERT_TRUE(s);
  auto n = counts_per_interval(*s, width, duration);
  double chi2 = 0;
  int k = 0;
  for (std::size_t i = 0; i < n.size(); ++i) {
    double a = static_cast<double>(i) * width, b = std::min(duration, a + width);
    double mu = F(b) - F(a);
    EXPECT_LE(std::fabs(n[i] - mu), 5 * std::sqrt(mu) + 1) << "interval [" << a << ", " << b << ")";
    if (mu > 0) {
      chi2 += (n[i] - mu) * (n[i] - mu) / mu;
      ++k;
    }
  }
  EXPECT_LE(chi2, k + 6 * std::sqrt(2.0 * k)) << "chi-square over " << k << " intervals";
}

// ---- counts against the integral of the rate ------------------------------------------------------------

TEST(Arrivals, ConstantRateCountsMatchTheIntegral) {
  expect_poisson_counts(constant(2000), 100, 5, [](double t) { return 2000 * t; });
}

TEST(Arrivals, RampCountsMatchTheIntegral) {
  // 100/s until 20 s, linear to 5000/s at 80 s, then 5000/s.
  const double from = 100, to = 5000, at = 20, over = 60;
  auto F = [=](double t) {
    if (t < at) return from * t;
    double u = std::min(t, at + over) - at;
    double in_ramp = from * u + (to - from) * u * u / (2 * over);
    return from * at + in_ramp + to * std::max(0.0, t - at - over);
  };
  expect_poisson_counts(ramp(from, to, at, over), 100, 5, F);
  // A falling ramp, and one that starts at 0/s.
  expect_poisson_counts(ramp(4000, 0, 0, 50), 60, 5, [](double t) {
    double u = std::min(t, 50.0);
    return 4000 * u - 4000 * u * u / 100;
  });
}

TEST(Arrivals, StepCountsMatchTheIntegral) {
  // The step falls inside an interval (33.3 s), so the switch of segment is inside a count.
  expect_poisson_counts(step(1000, 3000, 33.3), 60, 5,
                        [](double t) { return t < 33.3 ? 1000 * t : 1000 * 33.3 + 3000 * (t - 33.3); });
}

TEST(Arrivals, SpikeCountsMatchTheIntegral) {
  // 500/s, 8x for 7.5 s from 40 s.
  expect_poisson_counts(spike(500, 8, 40, 7.5), 80, 2.5, [](double t) {
    double in = std::clamp(t - 40, 0.0, 7.5);
    return 500 * t + 500 * 7 * in;
  });
}

TEST(Arrivals, DiurnalCountsMatchTheIntegral) {
  // mean (1 + A cos(2π (t − peak) / P)); antiderivative mean (t + A P / 2π sin(2π (t − peak) / P)).
  // A large mean (6 M arrivals, 100,000 per interval, sd 316) makes a bias of 1 % in the thinning bound visible.
  const double mean = 20000, amp = 0.8, period = 100, peak = 30;
  expect_poisson_counts(diurnal(mean, amp, period, peak), 300, 5, [=](double t) {
    return mean * (t + amp * period / (2 * M_PI) * std::sin(2 * M_PI * (t - peak) / period));
  });
  // Full swing (the rate touches 0 at the trough).
  expect_poisson_counts(diurnal(300, 1.0, 40, 0), 120, 4, [=](double t) {
    return 300 * (t + 40 / (2 * M_PI) * std::sin(2 * M_PI * t / 40));
  });
}

TEST(Arrivals, ConstantRateGapsAreExponential) {
  // 200,000 gaps at 50/s. Mean: sd 1/(50 sqrt(n)) = 4.5e-5, checked at 5 sd. Kolmogorov-Smirnov against
  // 1 − exp(−50 x): the 0.1 % critical value of D is 1.95 / sqrt(n) = 0.0044.
  const int n = 200000;
  auto s = stream(constant(50), 1e9, 3);
  ASSERT_TRUE(s);
  std::vector<double> gaps;
  double last = 0;
  for (int i = 0; i < n; ++i) {
    auto a = s->next();
    ASSERT_TRUE(a);
    gaps.push_back(a->time - last);
    last = a->time;
  }
  double sum = 0;
  for (double g : gaps) sum += g;
  EXPECT_NEAR(sum / n, 1.0 / 50, 5 * (1.0 / 50) / std::sqrt(n));
  std::sort(gaps.begin(), gaps.end());
  double d = 0;
  for (int i = 0; i < n; ++i) {
    double cdf = 1 - std::exp(-50 * gaps[static_cast<std::size_t>(i)]);
    d = std::max({d, std::fabs(cdf - static_cast<double>(i) / n), std::fabs(cdf - static_cast<double>(i + 1) / n)});
  }
  EXPECT_LT(d, 1.95 / std::sqrt(n));
}

// ---- composition and class mix --------------------------------------------------------------------------

TEST(Arrivals, SequencePhasesUsePhaseTimeAndTheirMix) {
  // [0,10) 1000/s default shares; [10,20) 2000/s all b; [20,30) a step 0 -> 3000/s at 5 s of the phase,
  // half a, half c; nothing after 30 s although the run lasts 40 s.
  Profile p = compose(Profile::Kind::kSequence, {phase(constant(1000), 10), phase(constant(2000), 10, {{"b", 1.0}}),
                                                 phase(step(0, 3000, 5), 10, {{"a", 0.5}, {"c", 0.5}})});
  auto s = stream(p, 40, 5);
  ASSERT_TRUE(s);
  std::array<std::array<double, 3>, 4> by_phase{};  // [phase][class]
  for (const Arrival& a : drain(*s)) {
    ASSERT_LT(a.time, 30);
    ASSERT_FALSE(a.time >= 20 && a.time < 25) << "the step's phase-relative 5 s";
    by_phase[static_cast<std::size_t>(a.time / 10)][static_cast<std::size_t>(a.request_class)] += 1;
  }
  auto total = [](const std::array<double, 3>& c) { return c[0] + c[1] + c[2]; };
  // Counts: Poisson, 5 sd. Class fractions: binomial, sd sqrt(p (1 − p) / n), 5 sd.
  EXPECT_NEAR(total(by_phase[0]), 10000, 5 * 100);
  EXPECT_NEAR(total(by_phase[1]), 20000, 5 * std::sqrt(20000));
  EXPECT_NEAR(total(by_phase[2]), 15000, 5 * std::sqrt(15000));
  for (int c = 0; c < 3; ++c) {
    double n = total(by_phase[0]);
    double p0 = kShares[static_cast<std::size_t>(c)];
    EXPECT_NEAR(by_phase[0][static_cast<std::size_t>(c)] / n, p0, 5 * std::sqrt(p0 * (1 - p0) / n)) << "class " << c;
  }
  EXPECT_EQ(by_phase[1][1], total(by_phase[1]));
  EXPECT_EQ(by_phase[2][1], 0);
  double n2 = total(by_phase[2]);
  EXPECT_NEAR(by_phase[2][0] / n2, 0.5, 5 * std::sqrt(0.25 / n2));
}

TEST(Arrivals, SumMergesByTimeAndEachChildKeepsItsMix) {
  Profile p = compose(Profile::Kind::kSum, {phase(constant(300), 0, {{"a", 1.0}}), phase(constant(100), 0, {{"c", 1.0}})});
  auto s = stream(p, 100, 9);
  ASSERT_TRUE(s);
  std::array<double, 3> by_class{};
  auto arrivals = drain(*s);
  counts_per_interval(arrivals, 1, 100);  // order and range
  for (const Arrival& a : arrivals) by_class[static_cast<std::size_t>(a.request_class)] += 1;
  EXPECT_NEAR(by_class[0], 30000, 5 * std::sqrt(30000));
  EXPECT_EQ(by_class[1], 0);
  EXPECT_NEAR(by_class[2], 10000, 5 * 100);
}

TEST(Arrivals, ZeroRateAndCutAtDuration) {
  auto none = stream(constant(0), 100);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->next().has_value());
  auto cut = stream(constant(1000), 2.5);
  ASSERT_TRUE(cut);
  auto arrivals = drain(*cut);
  ASSERT_FALSE(arrivals.empty());
  EXPECT_LT(arrivals.back().time, 2.5);
  EXPECT_NEAR(static_cast<double>(arrivals.size()), 2500, 5 * 50);
}

// ---- determinism ----------------------------------------------------------------------------------------

TEST(Arrivals, SameSeedSameSequenceOtherStreamOtherSequence) {
  Profile p = compose(Profile::Kind::kSum, {diurnal(500, 0.5, 60, 10), spike(100, 5, 20, 10)});
  core::RngStreams streams(42);
  core::Diagnostics d;
  auto x = make_arrivals(p, kShares, kClasses, 60, streams.stream("arrivals"), d);
  auto y = make_arrivals(p, kShares, kClasses, 60, core::RngStreams(42).stream("arrivals"), d);
  auto z = make_arrivals(p, kShares, kClasses, 60, streams.stream("arrivals-2"), d);
  ASSERT_TRUE(x && y && z) << d.format();
  auto ax = drain(*x), ay = drain(*y), az = drain(*z);
  ASSERT_EQ(ax.size(), ay.size());
  for (std::size_t i = 0; i < ax.size(); ++i) {
    ASSERT_EQ(ax[i].time, ay[i].time) << i;
    ASSERT_EQ(ax[i].request_class, ay[i].request_class) << i;
  }
  std::size_t same = 0;
  for (std::size_t i = 0; i < std::min(ax.size(), az.size()); ++i) same += ax[i].time == az[i].time;
  EXPECT_EQ(same, 0u);
}

TEST(Arrivals, ClassSharesDoNotMoveArrivalTimes) {
  // Times and classes come from separate generators: another mix gives the same times (common random numbers
  // when comparing designs).
  auto x = stream(ramp(10, 1000, 0, 30), 30, 4, {0.7, 0.2, 0.1});
  auto y = stream(ramp(10, 1000, 0, 30), 30, 4, {0.1, 0.1, 0.8});
  ASSERT_TRUE(x && y);
  auto ax = drain(*x), ay = drain(*y);
  ASSERT_EQ(ax.size(), ay.size());
  for (std::size_t i = 0; i < ax.size(); ++i) ASSERT_EQ(ax[i].time, ay[i].time);
}

// ---- traces ---------------------------------------------------------------------------------------------

std::string per_second_file() { return sim::testing::repo_root() + "/tests/data/traces/per_second.txt"; }
const std::vector<double> kPerSecondCounts = {3, 0, 2, 5, 1, 4, 0, 7};

// Bin i gets round(S·C_i) − round(S·C_{i−1}), C_i the counts up to bin i.
std::vector<std::int64_t> expected_per_bin(const std::vector<double>& counts, double scale) {
  std::vector<std::int64_t> out;
  double cum = 0;
  for (double c : counts) {
    std::int64_t before = std::llround(scale * cum);
    cum += c;
    out.push_back(std::llround(scale * cum) - before);
  }
  return out;
}

TEST(ArrivalsTrace, ExactCountsPerBinWithScaleAndCompress) {
  for (double scale : {1.0, 0.37, 2.5, 123.4}) {
    auto s = stream(trace(per_second_file(), scale, 2), 1e6, 7);
    ASSERT_TRUE(s);
    auto arrivals = drain(*s);
    // compress 2: trace second i is simulated [i/2, (i+1)/2).
    auto n = counts_per_interval(arrivals, 0.5, 4);
    auto want = expected_per_bin(kPerSecondCounts, scale);
    std::int64_t total = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(n[i], static_cast<double>(want[i])) << "scale " << scale << " bin " << i;
      total += want[i];
    }
    EXPECT_EQ(static_cast<std::int64_t>(arrivals.size()), std::llround(scale * 22)) << "scale " << scale;
    EXPECT_EQ(total, std::llround(scale * 22));
  }
}

TEST(ArrivalsTrace, UniformWithinBins) {
  // One bin of 200,000 requests: times uniform on [0, 1). KS at 0.1 %: D < 1.95 / sqrt(n).
  std::string dir = sim::testing::temp_dir("arrivals-uniform");
  std::string path = dir + "/one.txt";
  sim::testing::write_file(path, "200000\n");
  auto s = stream(trace(path), 10, 8);
  ASSERT_TRUE(s);
  auto arrivals = drain(*s);
  ASSERT_EQ(arrivals.size(), 200000u);
  double d = 0, n = static_cast<double>(arrivals.size());
  for (std::size_t i = 0; i < arrivals.size(); ++i) {
    double x = arrivals[i].time;
    d = std::max({d, std::fabs(x - static_cast<double>(i) / n), std::fabs(x - static_cast<double>(i + 1) / n)});
  }
  EXPECT_LT(d, 1.95 / std::sqrt(n));
  std::filesystem::remove_all(dir);
}

TEST(ArrivalsTrace, InterpolationShapesBinsButKeepsCounts) {
  // Bins 10, 100, 10 (x1000). With interpolate, the middle bin's density rises linearly from 55 at its start
  // to 100 at its centre and falls back to 55: the middle half [0.25, 0.75) holds
  // 2 · 0.25 · (77.5 + 100) / 2 / (0.5 · (55 + 100) / 2 · 2) = 0.5726 of it (uniform: 0.5).
  // Binomial sd sqrt(p (1 − p) / n) = 0.0016 at n = 100,000; checked at 5 sd.
  std::string dir = sim::testing::temp_dir("arrivals-interp");
  std::string path = dir + "/peak.txt";
  sim::testing::write_file(path, "10 100 10\n");
  auto s = stream(trace(path, 1000, 1, true), 10, 12);
  ASSERT_TRUE(s);
  auto arrivals = drain(*s);
  auto n = counts_per_interval(arrivals, 1, 3);
  EXPECT_EQ(n, (std::vector<double>{10000, 100000, 10000}));
  double middle = 0;
  for (const Arrival& a : arrivals) middle += a.time >= 1.25 && a.time < 1.75;
  double expected = (2 * 0.25 * (77.5 + 100) / 2) / (0.5 * (55 + 100) / 2 * 2);
  EXPECT_NEAR(middle / 100000, expected, 5 * std::sqrt(expected * (1 - expected) / 100000));
  // The first bin (edges repeat their own rate): 10 at its start, 10 at its centre, 55 at its end — mean
  // position (∫ x f) / (∫ f) over the two linear pieces = 0.6107.
  double sum = 0;
  for (const Arrival& a : arrivals) {
    if (a.time < 1) sum += a.time;
  }
  auto piece = [](double fa, double fb, double x0) {  // ∫ x f and ∫ f of a line over [x0, x0 + 0.5]
    double h = 0.5;
    return std::pair<double, double>{h * (fa * (x0 + h / 3) + fb * (x0 + 2 * h / 3)) / 2, h * (fa + fb) / 2};
  };
  auto [m1, a1] = piece(10, 10, 0);
  auto [m2, a2] = piece(10, 55, 0.5);
  double mean = (m1 + m2) / (a1 + a2);
  // Uniform on the piecewise density has sd below 0.3; the mean of 10,000 is within 5 · 0.3 / 100.
  EXPECT_NEAR(sum / 10000, mean, 5 * 0.3 / 100);
  std::filesystem::remove_all(dir);
}

TEST(ArrivalsTrace, MergedWithPoissonAndCutByPhaseAndDuration) {
  // A sum of the trace (x10, all a) and 5/s (all c); then the same trace in a 3.5 s phase of a sequence.
  Profile t = phase(trace(per_second_file(), 10), 0, {{"a", 1.0}});
  Profile p = compose(Profile::Kind::kSum, {t, phase(constant(5), 0, {{"c", 1.0}})});
  auto s = stream(p, 8, 2);
  ASSERT_TRUE(s);
  std::array<double, 3> by_class{};
  auto arrivals = drain(*s);
  counts_per_interval(arrivals, 1, 8);
  for (const Arrival& a : arrivals) by_class[static_cast<std::size_t>(a.request_class)] += 1;
  EXPECT_EQ(by_class[0], 220);
  EXPECT_NEAR(by_class[2], 40, 5 * std::sqrt(40.0) + 1);

  Profile seq = compose(Profile::Kind::kSequence, {phase(constant(0), 1), phase(trace(per_second_file(), 10), 3.5)});
  auto q = stream(seq, 100, 2);
  ASSERT_TRUE(q);
  auto n = counts_per_interval(drain(*q), 0.5, 5);
  // Trace seconds 0, 1, 2 fill [1, 4); second 3 (50 requests) is cut at 4.5 s, half-way: its arrivals are
  // uniform, so about 25 fall before the cut (binomial sd 3.5).
  EXPECT_EQ(n[0] + n[1], 0);
  EXPECT_EQ(n[2] + n[3], 30);
  EXPECT_EQ(n[4] + n[5], 0);
  EXPECT_EQ(n[6] + n[7], 20);
  EXPECT_NEAR(n[8], 25, 5 * 3.6);
  EXPECT_EQ(n[9], 0);
}

// ---- bad input ------------------------------------------------------------------------------------------

TEST(Arrivals, BadInputIsADiagnosticNotACrash) {
  Profile p = phase(constant(10), 0, {{"bogus", 1.0}});
  p.pos = {"scenario.yaml", 3, 9};
  core::Diagnostics d;
  EXPECT_EQ(make_arrivals(p, kShares, kClasses, 10, core::Rng(1), d), nullptr);
  EXPECT_EQ(d.format_short(), "scenario.yaml:3:9: error: mix names unknown request class 'bogus'; expected one of: a, "
                              "b, c\n");

  Profile t = trace(sim::testing::repo_root() + "/tests/data/traces/missing.txt");
  t.trace.pos = {"scenario.yaml", 5, 3};
  core::Diagnostics e;
  EXPECT_EQ(make_arrivals(t, kShares, kClasses, 10, core::Rng(1), e), nullptr);
  EXPECT_EQ(e.format_short(), "scenario.yaml:5:3: error: cannot open trace '" + t.trace.path +
                                  "': No such file or directory\n");

  // A phase after the end of the run is still checked.
  Profile late = compose(Profile::Kind::kSequence, {phase(constant(1), 10), phase(t, 10)});
  core::Diagnostics f;
  EXPECT_EQ(make_arrivals(late, kShares, kClasses, 5, core::Rng(1), f), nullptr);
  EXPECT_TRUE(f.has_errors());

  core::Diagnostics g;
  EXPECT_EQ(make_arrivals(constant(1), {0, 0, 0}, kClasses, 10, core::Rng(1), g), nullptr);
  EXPECT_EQ(g.format_short(), ": error: request class shares do not add up to a positive total; expected shares that "
                              "sum to 100%\n");
}

// ---- speed (printed, not asserted: timing depends on the machine and the build) ------------------------

TEST(ArrivalsSpeed, ConstantRateArrivalsPerWallSecond) {
  const double rate = 1e6, duration = 5;
  auto s = stream(constant(rate), duration, 1);
  ASSERT_TRUE(s);
  auto t0 = std::chrono::steady_clock::now();
  std::int64_t n = 0, classes = 0;
  while (auto a = s->next()) {
    ++n;
    classes += a->request_class;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ measure  ] constant rate, 3 classes: %lld arrivals in %.3f s = %.1f M arrivals per wall-second\n",
              static_cast<long long>(n), secs, static_cast<double>(n) / secs / 1e6);
  EXPECT_NEAR(static_cast<double>(n), rate * duration, 5 * std::sqrt(rate * duration));
  EXPECT_GT(classes, 0);

  auto d = stream(diurnal(rate, 0.5, 1, 0), duration, 1);
  ASSERT_TRUE(d);
  t0 = std::chrono::steady_clock::now();
  n = 0;
  while (d->next()) ++n;
  secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ measure  ] diurnal (thinning): %.1f M arrivals per wall-second\n", static_cast<double>(n) / secs / 1e6);
}

}  // namespace
}  // namespace sim::model
