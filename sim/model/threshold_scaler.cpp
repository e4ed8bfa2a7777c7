#include "sim/model/threshold_scaler.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/core/units.h"

namespace sim::model {
namespace {

using scenario::ThresholdRule;

std::string value_text(const std::string& metric, double v) {
  if (metric == "cpu" || metric == "memory") return core::format_ratio(v);
  if (metric == "latency_p99") return core::format_duration(v);
  if (metric == "rps") return core::format_rate(v);
  return core::format_number(v, 6);
}

std::string rule_text(const ThresholdRule& r, bool up) {
  return fmt::format("{} {} {} for {}", r.metric, up ? ">" : "<", value_text(r.metric, r.threshold),
                     core::format_duration(r.duration));
}

// Updates the streaks of one direction's rules and reports them.
std::vector<RuleStatus> update(const std::vector<ThresholdRule>& rules, std::vector<std::optional<double>>* since,
                               bool up, double now, const ScalingMetrics& m) {
  std::vector<RuleStatus> out(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    std::optional<double> v = m.get(rules[i].metric);
    bool holds = v && (up ? *v > rules[i].threshold : *v < rules[i].threshold);
    if (!holds) {
      (*since)[i].reset();
      continue;
    }
    if (!(*since)[i]) (*since)[i] = now;
    out[i].holds = true;
    out[i].held_for = now - *(*since)[i];
    out[i].fired = out[i].held_for >= rules[i].duration;
  }
  return out;
}

// The largest step among the fired rules, and the first rule that has it (for the reason).
int largest_step(const std::vector<ThresholdRule>& rules, const std::vector<RuleStatus>& st, std::size_t* which) {
  int step = 0;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (st[i].fired && rules[i].step > step) {
      step = rules[i].step;
      *which = i;
    }
  }
  return step;
}

}  // namespace

std::optional<double> ScalingMetrics::get(const std::string& metric) const {
  if (metric == "cpu") return cpu;
  if (metric == "memory") return memory;
  if (metric == "latency_p99") return latency_p99;
  if (metric == "rps") return rps;
  if (metric == "queue_length") return queue_length;
  return std::nullopt;
}

const char* threshold_limit_name(ThresholdLimit limit) {
  switch (limit) {
    case ThresholdLimit::kNone: return "none";
    case ThresholdLimit::kCooldown: return "cooldown";
    case ThresholdLimit::kMax: return "max";
    case ThresholdLimit::kMin: return "min";
  }
  return "?";
}

ThresholdScaler::ThresholdScaler(scenario::ThresholdPolicy policy)
    : policy_(std::move(policy)), up_since_(policy_.up.size()), down_since_(policy_.down.size()) {}

ThresholdDecision ThresholdScaler::evaluate(double now, int current, const ScalingMetrics& metrics) {
  ThresholdDecision d;
  d.now = now;
  d.current = current;
  d.desired = current;
  // Streaks advance at every evaluation, whatever is decided.
  d.up = update(policy_.up, &up_since_, true, now, metrics);
  d.down = update(policy_.down, &down_since_, false, now, metrics);
  const int lo = policy_.min, hi = policy_.max;

  if (current < lo) {
    d.desired = lo;
    d.limit = ThresholdLimit::kMin;
    d.reason = fmt::format("scale up {} -> {}: below min {}", current, lo, lo);
  } else if (current > hi) {
    d.desired = hi;
    d.limit = ThresholdLimit::kMax;
    d.reason = fmt::format("scale down {} -> {}: above max {}", current, hi, hi);
  } else {
    std::size_t up_rule = 0, down_rule = 0;
    const int up_step = largest_step(policy_.up, d.up, &up_rule);
    const bool any_up_holds = std::any_of(d.up.begin(), d.up.end(), [](const RuleStatus& s) { return s.holds; });
    const int down_step = any_up_holds ? 0 : largest_step(policy_.down, d.down, &down_rule);
    if (up_step > 0) {
      const std::string why = rule_text(policy_.up[up_rule], true);
      if (last_up_ && now - *last_up_ < policy_.cooldown_up) {
        d.limit = ThresholdLimit::kCooldown;
        d.reason = fmt::format("no change at {}: {} fired, but the scale-up cooldown {} runs until {}", current, why,
                               core::format_duration(policy_.cooldown_up),
                               core::format_duration(*last_up_ + policy_.cooldown_up));
      } else {
        d.desired = std::min(current + up_step, hi);
        if (d.desired < current + up_step) d.limit = ThresholdLimit::kMax;
        d.reason = d.rescale()
                       ? fmt::format("scale up {} -> {}: {} (+{}){}", current, d.desired, why, up_step,
                                     d.limit == ThresholdLimit::kMax ? fmt::format(", trimmed by max {}", hi) : "")
                       : fmt::format("no change at {}: {} fired, but max is {}", current, why, hi);
      }
    } else if (down_step > 0) {
      const std::string why = rule_text(policy_.down[down_rule], false);
      std::optional<double> last = last_up_;
      if (last_down_ && (!last || *last_down_ > *last)) last = last_down_;
      if (last && now - *last < policy_.cooldown_down) {
        d.limit = ThresholdLimit::kCooldown;
        d.reason = fmt::format("no change at {}: {} fired, but the scale-down cooldown {} runs until {}", current, why,
                               core::format_duration(policy_.cooldown_down),
                               core::format_duration(*last + policy_.cooldown_down));
      } else {
        d.desired = std::max(current - down_step, lo);
        if (d.desired > current - down_step) d.limit = ThresholdLimit::kMin;
        d.reason = d.rescale()
                       ? fmt::format("scale down {} -> {}: {} (-{}){}", current, d.desired, why, down_step,
                                     d.limit == ThresholdLimit::kMin ? fmt::format(", trimmed by min {}", lo) : "")
                       : fmt::format("no change at {}: {} fired, but min is {}", current, why, lo);
      }
    } else {
      d.reason = fmt::format("no change at {}: no rule fired", current);
    }
  }
  if (d.desired > current) last_up_ = now;
  if (d.desired < current) last_down_ = now;
  return d;
}

}  // namespace sim::model
