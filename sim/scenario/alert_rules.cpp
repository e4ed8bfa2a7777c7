#include "sim/scenario/alert_rules.h"

#include <cctype>
#include <fmt/format.h>
#include <set>

#include "sim/core/yaml_reader.h"

namespace sim::scenario {

std::optional<double> parse_prometheus_duration(const std::string& text) {
  // model.ParseDuration: units in order y w d h m s ms, each at most once, no fractions.
  static const std::pair<const char*, double> kUnits[] = {{"y", 365 * 86400.0}, {"w", 7 * 86400.0}, {"d", 86400.0},
                                                          {"h", 3600.0},        {"ms", 1e-3},       {"m", 60.0},
                                                          {"s", 1.0}};
  if (text.empty() || text.size() > 40) return std::nullopt;
  if (text == "0") return 0.0;
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i - start > 12) return std::nullopt;
    double v = std::stod(text.substr(start, i - start));
    bool found = false;
    for (const auto& [u, f] : kUnits) {
      std::string_view unit(u);
      if (text.compare(i, unit.size(), unit) == 0 && !(unit == "m" && text.compare(i, 2, "ms") == 0)) {
        total += v * f;
        i += unit.size();
        found = true;
        break;
      }
    }
    if (!found) return std::nullopt;
  }
  return total;
}

std::optional<std::vector<AlertRule>> parse_alert_rules(const std::string& file, const std::string& text,
                                                        core::Diagnostics& diags) {
  std::size_t errors_before = diags.error_count();
  auto root = core::parse_yaml(file, text, diags, "a Prometheus rules file with groups:");
  if (!root) return std::nullopt;
  core::Reader r(file, diags);
  core::MapView top(r, *root, "rules file", {"groups"});
  if (!top.ok()) return std::nullopt;
  YAML::Node groups = top.require("groups", "groups: [{name: ..., rules: [...]}]");
  std::vector<AlertRule> out;
  std::set<std::string> names;
  if (groups.IsDefined() && r.is_seq(groups, "groups")) {
    for (const auto& g : groups) {
      core::MapView gm(r, g, "rule group", {"name", "interval", "rules", "limit", "query_offset"});
      if (!gm.ok()) continue;
      std::string gname;
      if (YAML::Node n = gm.require("name", "the group's name, like name: api"); n.IsDefined()) {
        gname = r.string(n).value_or("");
      }
      YAML::Node rules = gm.require("rules", "rules: [{alert: ..., expr: ...}]");
      if (!rules.IsDefined() || !r.is_seq(rules, "rules")) continue;
      for (const auto& rule : rules) {
        core::MapView rm(r, rule, "rule", {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"});
        if (!rm.ok()) continue;
        std::string which = rm.exactly_one_of({"alert", "record"}, true);
        YAML::Node expr = rm.require("expr", "a PromQL expression, like expr: up == 0");
        if (which != "alert" || !expr.IsDefined()) continue;
        AlertRule a;
        a.group = gname;
        a.pos = r.pos(rule);
        auto name = r.string(rm.get("alert"), "an alert name");
        auto e = r.string(expr, "a PromQL expression");
        if (!name || !e) continue;
        // Prometheus' rulefmt refuses these too: "one of 'record' or 'alert' must be set" and
        // "field 'expr' must be set in rule" (an empty value counts as unset).
        if (name->empty()) {
          r.error(rm.get("alert"), "empty alert name; expected a name like alert: HighErrorRate");
          continue;
        }
        if (e->find_first_not_of(" \t\r\n") == std::string::npos) {
          r.error(expr, "empty expression; expected a PromQL expression, like expr: up == 0");
          continue;
        }
        a.name = *name;
        a.expr = *e;
        if (rm.has("for")) {
          auto s = r.string(rm.get("for"), "a duration like 1m");
          auto d = s ? parse_prometheus_duration(*s) : std::nullopt;
          if (!d) {
            if (s) r.error(rm.get("for"), fmt::format("invalid duration '{}'; expected a Prometheus duration like 30s, "
                                                      "1m or 1h30m",
                                                      *s));
            continue;
          }
          a.hold = *d;
        }
        if (rm.has("keep_firing_for")) {
          r.error(rm.get("keep_firing_for"), "keep_firing_for is not supported by Debian's Prometheus 2.42; expected "
                                             "it removed");
          continue;
        }
        out.push_back(a);
      }
    }
  }
  if (out.empty() && diags.error_count() == errors_before) {
    r.error(*root, "no alerting rules; expected at least one rule with alert: and expr:");
  }
  if (diags.error_count() > errors_before) return std::nullopt;
  return out;
}

}  // namespace sim::scenario
