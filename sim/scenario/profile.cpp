#include "sim/scenario/profile.h"

#include <algorithm>
#include <cmath>

namespace sim::scenario {

double rate_at(const Profile& p, double t) {
  switch (p.kind) {
    case Profile::Kind::kConstant:
      return p.rate;
    case Profile::Kind::kRamp:
      if (t < p.at) return p.from;
      if (t >= p.at + p.over) return p.to;
      return p.from + (p.to - p.from) * (t - p.at) / p.over;
    case Profile::Kind::kStep:
      return t < p.at ? p.from : p.to;
    case Profile::Kind::kSpike:
      return (t >= p.at && t < p.at + p.length) ? p.rate * p.factor : p.rate;
    case Profile::Kind::kDiurnal:
      return p.mean * (1.0 + p.amplitude * std::cos(2.0 * M_PI * (t - p.peak) / p.period));
    case Profile::Kind::kTrace:
      return 0;
    case Profile::Kind::kSum: {
      double s = 0;
      for (const Profile& c : p.children) s += rate_at(c, t);
      return s;
    }
    case Profile::Kind::kSequence: {
      double start = 0;
      for (const Profile& c : p.children) {
        if (t < start + c.phase_length) return rate_at(c, t - start);
        start += c.phase_length;
      }
      return 0;
    }
  }
  return 0;
}

double peak_rate(const Profile& p) {
  if (contains_trace(p)) return 0;
  switch (p.kind) {
    case Profile::Kind::kConstant: return p.rate;
    case Profile::Kind::kRamp:
    case Profile::Kind::kStep: return std::max(p.from, p.to);
    case Profile::Kind::kSpike: return p.rate * std::max(1.0, p.factor);
    case Profile::Kind::kDiurnal: return p.mean * (1.0 + p.amplitude);
    case Profile::Kind::kTrace: return 0;
    case Profile::Kind::kSum: {
      double s = 0;
      for (const Profile& c : p.children) s += peak_rate(c);
      return s;
    }
    case Profile::Kind::kSequence: {
      double m = 0;
      for (const Profile& c : p.children) m = std::max(m, peak_rate(c));
      return m;
    }
  }
  return 0;
}

bool contains_trace(const Profile& p) {
  if (p.kind == Profile::Kind::kTrace) return true;
  return std::any_of(p.children.begin(), p.children.end(), [](const Profile& c) { return contains_trace(c); });
}

}  // namespace sim::scenario
