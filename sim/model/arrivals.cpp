#include "sim/model/arrivals.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <fmt/format.h>
#include <limits>
#include <utility>

#include "sim/trace/trace.h"

namespace sim::model {
namespace {

using core::Diagnostics;
using core::Rng;
using scenario::Profile;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kRampPieces = 64;     // thinning segments per ramp
constexpr int kDiurnalPieces = 96;  // thinning segments per diurnal period (15 min of a day)

// Chooses a request class from cumulative shares with one uniform draw (a handful of classes: a linear
// scan beats an alias table).
class ClassPicker {
 public:
  explicit ClassPicker(const std::vector<double>& shares) {
    double sum = 0;
    for (double s : shares) sum += s;
    double acc = 0;
    for (double s : shares) {
      acc += s / sum;
      cumulative_.push_back(acc);
    }
    // The last class with a positive share absorbs rounding, so u < 1 always finds a class.
    for (std::size_t i = cumulative_.size(); i-- > 0;) {
      if (shares[i] > 0) {
        for (std::size_t j = i; j < cumulative_.size(); ++j) cumulative_[j] = 2.0;
        break;
      }
    }
  }
  int pick(Rng& rng) const {
    if (cumulative_.size() == 1) return 0;
    double u = rng.uniform();
    int i = 0;
    while (u >= cumulative_[static_cast<std::size_t>(i)]) ++i;
    return i;
  }

 private:
  std::vector<double> cumulative_;
};

// Generators of a leaf, seeded from its path in the profile tree.
struct LeafRngs {
  Rng times, classes;
  explicit LeafRngs(std::uint64_t seed)
      : times(core::splitmix64(seed ^ 0x74696d6573ULL)), classes(core::splitmix64(seed ^ 0x636c6173736573ULL)) {}
};

std::uint64_t child_seed(std::uint64_t parent, std::size_t index) {
  return core::splitmix64(parent + 0x9e3779b97f4a7c15ULL * (index + 1));
}

// ---- synthetic shapes: non-homogeneous Poisson ------------------------------------------------------------

class PoissonStream final : public ArrivalStream {
 public:
  // Arrivals at local times [0, end - offset) of shape `p`, reported at offset + local time.
  PoissonStream(const Profile& p, double offset, double end, ClassPicker picker, std::uint64_t seed)
      : p_(p), offset_(offset), end_(end - offset), picker_(std::move(picker)), rngs_(seed) {
    enter(0);
  }

  std::optional<Arrival> next() override {
    for (;;) {
      if (bound_ > 0) {
        t_ -= std::log(rngs_.times.uniform_open0()) * inv_bound_;  // exponential gap at the segment's bound
      } else {
        t_ = seg_end_;
      }
      if (t_ >= seg_end_) {
        // Memorylessness: the candidate past the segment is discarded, and the next one starts at its end.
        if (seg_end_ >= end_) {
          bound_ = 0;
          t_ = seg_end_ = end_;
          return std::nullopt;
        }
        t_ = seg_end_;
        enter(t_);
        continue;
      }
      if (!exact_ && rngs_.times.uniform() * bound_ >= rate(t_)) continue;  // thinning
      return Arrival{offset_ + t_, picker_.pick(rngs_.classes)};
    }
  }

 private:
  double rate(double t) const {
    switch (p_.kind) {
      case Profile::Kind::kRamp:
        if (t < p_.at) return p_.from;
        if (t >= p_.at + p_.over) return p_.to;
        return p_.from + (p_.to - p_.from) * (t - p_.at) / p_.over;
      case Profile::Kind::kDiurnal:
        return std::max(0.0, p_.mean * (1.0 + p_.amplitude * std::cos(2.0 * M_PI * (t - p_.peak) / p_.period)));
      default:
        return bound_;  // piecewise constant: exact segments only
    }
  }

  // Sets the segment holding local time t: its end, the rate bound, and whether the rate is constant there.
  void enter(double t) {
    double seg_end = kInf, bound = 0;
    bool exact = true;
    switch (p_.kind) {
      case Profile::Kind::kConstant:
        bound = p_.rate;
        break;
      case Profile::Kind::kStep:
        if (t < p_.at) {
          seg_end = p_.at;
          bound = p_.from;
        } else {
          bound = p_.to;
        }
        break;
      case Profile::Kind::kSpike:
        if (t < p_.at) {
          seg_end = p_.at;
          bound = p_.rate;
        } else if (t < p_.at + p_.length) {
          seg_end = p_.at + p_.length;
          bound = p_.rate * p_.factor;
        } else {
          bound = p_.rate;
        }
        break;
      case Profile::Kind::kRamp:
        if (t < p_.at) {
          seg_end = p_.at;
          bound = p_.from;
        } else if (t >= p_.at + p_.over || p_.from == p_.to) {
          seg_end = t >= p_.at + p_.over ? kInf : p_.at + p_.over;
          bound = t >= p_.at + p_.over ? p_.to : p_.from;
        } else {
          // Linear: the maximum over a piece is at one of its ends.
          double h = p_.over / kRampPieces;
          double j = std::floor((t - p_.at) / h);
          if (p_.at + (j + 1) * h <= t) ++j;
          seg_end = std::min(p_.at + (j + 1) * h, p_.at + p_.over);
          bound = std::max(ramp_value(p_.at + j * h), ramp_value(seg_end)) * (1.0 + 1e-12);
          exact = false;
        }
        break;
      case Profile::Kind::kDiurnal:
        if (p_.amplitude == 0) {
          bound = std::max(0.0, p_.mean);
        } else {
          // Pieces anchored at the peak: the maximum of cos over a piece is at one of its ends.
          double h = p_.period / kDiurnalPieces;
          double j = std::floor((t - p_.peak) / h);
          seg_end = p_.peak + (j + 1) * h;
          if (seg_end <= t) {
            ++j;
            seg_end = p_.peak + (j + 1) * h;
          }
          double c0 = std::cos(2.0 * M_PI * j / kDiurnalPieces), c1 = std::cos(2.0 * M_PI * (j + 1) / kDiurnalPieces);
          double amp = p_.amplitude >= 0 ? p_.amplitude * std::max(c0, c1) : -p_.amplitude;
          bound = std::max(0.0, p_.mean * (1.0 + amp)) * (1.0 + 1e-12);
          exact = false;
        }
        break;
      default:
        assert(false && "PoissonStream built for a non-synthetic profile");
    }
    // Every segment ends after t, even where rounding would make a piece empty: next() always advances.
    seg_end_ = std::min(seg_end <= t ? std::nextafter(t, kInf) : seg_end, end_);
    bound_ = std::max(0.0, bound);
    inv_bound_ = bound_ > 0 ? 1.0 / bound_ : 0;
    exact_ = exact;
  }

  // The ramp's line at x, clamped to its ends.
  double ramp_value(double x) const {
    return p_.from + (p_.to - p_.from) * std::clamp((x - p_.at) / p_.over, 0.0, 1.0);
  }

  Profile p_;  // a leaf: a copy is small, and the stream does not depend on the caller's lifetime
  double offset_, end_;
  ClassPicker picker_;
  LeafRngs rngs_;
  double t_ = 0;
  double seg_end_ = 0, bound_ = 0, inv_bound_ = 0;
  bool exact_ = true;
};

// ---- trace replay: exact counts per bin ---------------------------------------------------------------

// The y in [0, len] where the area under the line from (0, fa) to (len, fb) reaches m.
double invert_linear(double fa, double fb, double len, double m) {
  double slope = (fb - fa) / len;
  double disc = std::max(0.0, fa * fa + 2.0 * slope * m);
  double denom = fa + std::sqrt(disc);
  if (denom <= 0) return 0;
  return std::clamp(2.0 * m / denom, 0.0, len);  // the stable root of fa·y + slope·y²/2 = m
}

class TraceStream final : public ArrivalStream {
 public:
  TraceStream(trace::TraceBins bins, const scenario::TraceSpec& spec, double offset, double end, ClassPicker picker,
              std::uint64_t seed)
      : bins_(std::move(bins)),
        scale_(spec.scale),
        width_(bins_.bin_width / spec.compress),
        interpolate_(spec.interpolate),
        offset_(offset),
        end_(end),
        picker_(std::move(picker)),
        rngs_(seed) {}

  std::optional<Arrival> next() override {
    while (left_ == 0) {
      if (done_ || bin_ + 1 >= static_cast<std::int64_t>(bins_.counts.size())) return finish();
      ++bin_;
      if (offset_ + static_cast<double>(bin_) * width_ >= end_) return finish();
      // Cumulative rounding: the scaled counts of all bins so far add up to round(scale × their sum).
      cum_ += count(bin_);
      std::int64_t rounded = std::llround(scale_ * cum_);
      left_ = rounded - rounded_;
      rounded_ = rounded;
      x_ = 0;
      if (interpolate_ && left_ > 0) shape_bin();
    }
    // The next of left_ sorted uniforms on [x_, 1): its minimum is 1 − (1 − x_)·V^(1/left_).
    double v = rngs_.times.uniform_open0();
    x_ = 1.0 - (1.0 - x_) * (left_ == 1 ? v : std::exp(std::log(v) / static_cast<double>(left_)));
    --left_;
    double within = interpolate_ ? locate(x_) : x_;
    double t = offset_ + (static_cast<double>(bin_) + within) * width_;
    if (t >= end_) return finish();
    return Arrival{t, picker_.pick(rngs_.classes)};
  }

 private:
  std::optional<Arrival> finish() {
    done_ = true;
    left_ = 0;
    return std::nullopt;
  }

  double count(std::int64_t i) const {
    i = std::clamp<std::int64_t>(i, 0, static_cast<std::int64_t>(bins_.counts.size()) - 1);
    return bins_.counts[static_cast<std::size_t>(i)];
  }

  // The density over the bin (in bin units): linear from the mean of this and the previous bin's rate at
  // 0, through this bin's rate at 1/2, to the mean with the next bin's at 1.
  void shape_bin() {
    double c = count(bin_);
    f0_ = 0.5 * (count(bin_ - 1) + c);
    f1_ = c;
    f2_ = 0.5 * (c + count(bin_ + 1));
    mass1_ = 0.25 * (f0_ + f1_);
    mass_ = mass1_ + 0.25 * (f1_ + f2_);
  }

  // The inverse of the bin's cumulative density at u in [0, 1): monotone, so sorted u stay sorted.
  double locate(double u) const {
    double m = u * mass_;
    if (m <= mass1_) return invert_linear(f0_, f1_, 0.5, m);
    return 0.5 + invert_linear(f1_, f2_, 0.5, m - mass1_);
  }

  trace::TraceBins bins_;
  double scale_, width_;
  bool interpolate_;
  double offset_, end_;
  ClassPicker picker_;
  LeafRngs rngs_;
  std::int64_t bin_ = -1;
  double cum_ = 0;
  std::int64_t rounded_ = 0;
  std::int64_t left_ = 0;
  double x_ = 0;
  bool done_ = false;
  double f0_ = 0, f1_ = 0, f2_ = 0, mass1_ = 0, mass_ = 0;
};

// ---- composition ------------------------------------------------------------------------------------------

class SumStream final : public ArrivalStream {
 public:
  explicit SumStream(std::vector<std::unique_ptr<ArrivalStream>> children) : children_(std::move(children)) {
    for (auto& c : children_) heads_.push_back(c->next());
  }
  std::optional<Arrival> next() override {
    std::size_t best = heads_.size();
    for (std::size_t i = 0; i < heads_.size(); ++i) {
      if (heads_[i] && (best == heads_.size() || heads_[i]->time < heads_[best]->time)) best = i;
    }
    if (best == heads_.size()) return std::nullopt;
    Arrival a = *heads_[best];
    heads_[best] = children_[best]->next();
    return a;
  }

 private:
  std::vector<std::unique_ptr<ArrivalStream>> children_;
  std::vector<std::optional<Arrival>> heads_;
};

class SequenceStream final : public ArrivalStream {
 public:
  explicit SequenceStream(std::vector<std::unique_ptr<ArrivalStream>> phases) : phases_(std::move(phases)) {}
  std::optional<Arrival> next() override {
    while (current_ < phases_.size()) {
      if (auto a = phases_[current_]->next()) return a;
      phases_[current_].reset();  // a finished phase frees its trace
      ++current_;
    }
    return std::nullopt;
  }

 private:
  std::vector<std::unique_ptr<ArrivalStream>> phases_;
  std::size_t current_ = 0;
};

class EmptyStream final : public ArrivalStream {
 public:
  std::optional<Arrival> next() override { return std::nullopt; }
};

// ---- building the tree ------------------------------------------------------------------------------------

struct Builder {
  const std::vector<std::string>& class_names;
  Diagnostics& diags;
  bool ok = true;

  // The shares of a node's own mix, or nullopt (after an error) when it names an unknown class.
  std::optional<std::vector<double>> mix_shares(const Profile& p) {
    std::vector<double> shares(class_names.size(), 0.0);
    double sum = 0;
    for (const auto& [name, share] : p.mix) {
      auto it = std::find(class_names.begin(), class_names.end(), name);
      if (it == class_names.end()) {
        std::string known;
        for (const std::string& n : class_names) known += (known.empty() ? "" : ", ") + n;
        diags.error(p.pos.file, p.pos.line, p.pos.column,
                    fmt::format("mix names unknown request class '{}'; expected one of: {}", name, known));
        return std::nullopt;
      }
      shares[static_cast<std::size_t>(it - class_names.begin())] = share;
      sum += share;
    }
    if (!(sum > 0)) {
      diags.error(p.pos.file, p.pos.line, p.pos.column, "mix shares sum to 0; expected positive shares");
      return std::nullopt;
    }
    return shares;
  }

  // Checks what a skipped subtree (after the end of the run) would need, without building it.
  void check_only(const Profile& p) {
    if (!p.mix.empty() && !mix_shares(p)) ok = false;
    if (p.kind == Profile::Kind::kTrace && !trace::check_trace(p.trace, diags)) ok = false;
    for (const Profile& c : p.children) check_only(c);
  }

  std::unique_ptr<ArrivalStream> build(const Profile& p, const std::vector<double>& inherited, double offset,
                                       double end, std::uint64_t seed) {
    std::vector<double> own;
    const std::vector<double>* shares = &inherited;
    if (!p.mix.empty()) {
      auto s = mix_shares(p);
      if (!s) {
        ok = false;
        return nullptr;
      }
      own = std::move(*s);
      shares = &own;
    }
    switch (p.kind) {
      case Profile::Kind::kTrace: {
        auto bins = trace::load_trace(p.trace, diags);
        if (!bins) {
          ok = false;
          return nullptr;
        }
        return std::make_unique<TraceStream>(std::move(*bins), p.trace, offset, end, ClassPicker(*shares), seed);
      }
      case Profile::Kind::kSum: {
        std::vector<std::unique_ptr<ArrivalStream>> children;
        for (std::size_t i = 0; i < p.children.size(); ++i) {
          auto c = build(p.children[i], *shares, offset, end, child_seed(seed, i));
          if (c) children.push_back(std::move(c));
        }
        if (!ok) return nullptr;
        if (children.size() == 1) return std::move(children.front());
        return std::make_unique<SumStream>(std::move(children));
      }
      case Profile::Kind::kSequence: {
        std::vector<std::unique_ptr<ArrivalStream>> phases;
        double start = offset;
        for (std::size_t i = 0; i < p.children.size(); ++i) {
          const Profile& c = p.children[i];
          if (start >= end) {
            check_only(c);
          } else if (auto s = build(c, *shares, start, std::min(end, start + c.phase_length), child_seed(seed, i))) {
            phases.push_back(std::move(s));
          }
          start += c.phase_length;
        }
        if (!ok) return nullptr;
        return std::make_unique<SequenceStream>(std::move(phases));
      }
      default:
        return std::make_unique<PoissonStream>(p, offset, end, ClassPicker(*shares), seed);
    }
  }
};

}  // namespace

std::unique_ptr<ArrivalStream> make_arrivals(const scenario::Profile& load, const std::vector<double>& default_shares,
                                             const std::vector<std::string>& class_names, double duration, Rng rng,
                                             Diagnostics& diags) {
  assert(default_shares.size() == class_names.size() && "one default share per request class");
  assert(std::isfinite(duration) && duration > 0 && "the run's duration must be finite and positive");
  std::size_t errors_before = diags.error_count();
  double sum = 0;
  bool negative = false;
  for (double s : default_shares) {
    sum += s;
    negative = negative || s < 0;
  }
  if (class_names.empty() || negative || !(sum > 0)) {
    diags.error(load.pos.file, load.pos.line, load.pos.column,
                class_names.empty() ? "the topology defines no request classes; expected at least one"
                                    : "request class shares do not add up to a positive total; expected shares "
                                      "that sum to 100%");
    return nullptr;
  }
  Builder b{class_names, diags};
  auto stream = b.build(load, default_shares, 0.0, duration, rng.next_u64());
  if (!b.ok || diags.error_count() > errors_before) return nullptr;
  if (!stream) return std::make_unique<EmptyStream>();
  return stream;
}

std::unique_ptr<ArrivalStream> make_arrivals(const scenario::Profile& load, const topology::Topology& topo,
                                             double duration, Rng rng, Diagnostics& diags) {
  std::vector<double> shares;
  std::vector<std::string> names;
  for (const auto& r : topo.requests) {
    shares.push_back(r.share);
    names.push_back(r.name);
  }
  return make_arrivals(load, shares, names, duration, rng, diags);
}

}  // namespace sim::model
