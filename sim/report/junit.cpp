#include "sim/report/junit.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/core/source.h"
#include "sim/report/console.h"

namespace sim::report {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;
      case '\t': out += "&#9;"; break;
      case '\r': break;
      default:
        if (u >= 0x20) out += c;  // other control characters are not allowed in XML 1.0
    }
  }
  return out;
}

namespace {

struct Case {
  std::string name;
  std::string failure, failure_type, detail;  ///< a <failure> when failure is not empty
  std::string skipped;                        ///< a <skipped> when not empty
};

bool declared(const SuiteInput& s, const std::string& id) {
  return s.expected_failure &&
         std::find(s.expected_failure->fails.begin(), s.expected_failure->fails.end(), id) != s.expected_failure->fails.end();
}

// A check that failed (`message`, `detail`) or passed, with what the scenario declares about it.
Case check_case(const SuiteInput& s, const std::string& id, bool pass, const std::string& message,
                const std::string& detail) {
  Case c;
  c.name = id;
  if (declared(s, id)) {
    if (pass) {
      c.failure = fmt::format("declared to fail ({}), but passed: {}", s.expected_failure->reason, message);
      c.failure_type = "unexpected pass";
      c.detail = c.failure + "\n" + detail;
    } else {
      c.skipped = fmt::format("expected failure: {}. {}", s.expected_failure->reason, message);
    }
  } else if (!pass) {
    c.failure = message;
    c.failure_type = "expectation";
    c.detail = detail;
  }
  return c;
}

std::vector<Case> cases_of(const SuiteInput& s) {
  std::vector<Case> out;
  for (const auto& e : s.expectations) {
    std::string message = fmt::format("expected {} {}, actual {}", e.metric, e.expected, e.actual);
    std::string detail = e.line > 0 ? fmt::format("{}:{}: {}", s.file, e.line, message) : s.file + ": " + message;
    if (!e.reason.empty()) detail += "\nwhy: " + e.reason;
    if (!e.note.empty()) detail += "\nnote: " + e.note;
    out.push_back(check_case(s, e.id(), e.pass, message, detail));
  }
  for (const auto& a : s.resilience) {
    if (!a.exercised) {
      Case c;
      c.name = a.id();
      c.skipped = fmt::format("{} ({})", a.detail, a.expected);
      out.push_back(c);
      continue;
    }
    std::string message = fmt::format("expected {} targets {}; {}: {}", a.disruption, a.expected, a.detail, a.verdict());
    std::string detail = s.file + ": " + message + (a.why.empty() ? "" : "\nwhy: " + a.why);
    out.push_back(check_case(s, a.id(), a.met, message, detail));
  }
  Case cons;
  cons.name = "conservation";
  if (!s.conservation.ok) {
    cons.failure = fmt::format("request conservation violated: generated {}, completed + failed + in flight {}",
                               s.conservation.generated, s.conservation.accounted);
    cons.failure_type = "conservation";
    cons.detail = cons.failure;
  }
  out.push_back(cons);
  return out;
}

std::string seconds(double s) { return fmt::format("{:.3f}", std::max(0.0, s)); }

}  // namespace

SuiteInput suite_of(const std::string& file, const RunReport& report, double wall_seconds) {
  SuiteInput s;
  s.name = report.scenario.name;
  s.file = file;
  s.has_report = true;
  s.scenario = report.scenario;
  s.expectations = report.expectations;
  s.resilience = report.resilience;
  s.passed = report.passed;
  s.outcome = report.outcome;
  s.outcome_detail = report.outcome_detail;
  s.expected_failure = report.expected_failure;
  s.provenance = report.provenance;
  s.conservation = report.summary.conservation;
  s.wall_seconds = wall_seconds;
  return s;
}

SuiteInput suite_of_montecarlo(const std::string& file, const Json& mc, double wall_seconds) {
  SuiteInput s;
  s.scenario = parse_scenario_info(member(mc, "scenario"));
  s.name = s.scenario.name;
  s.file = file;
  s.has_report = true;
  if (member(member(mc, "scenario"), "runs").is_number_unsigned()) {
    s.runs = member(member(mc, "scenario"), "runs").get<std::size_t>();
  }
  for (const auto& e : member(mc, "expectations")) s.expectations.push_back(parse_expectation(e));
  s.passed = member(mc, "passed").is_boolean() && member(mc, "passed").get<bool>();
  s.outcome = s.passed ? "pass" : "fail";
  const Json& ok = member(member(member(mc, "summary"), "conservation"), "ok");
  s.conservation.ok = !ok.is_boolean() || ok.get<bool>();
  s.wall_seconds = wall_seconds;
  return s;
}

SuiteInput suite_without_report(const std::string& name, const std::string& file, const std::string& error,
                                double wall_seconds) {
  SuiteInput s;
  s.name = name;
  s.file = file;
  s.error = error;
  s.wall_seconds = wall_seconds;
  return s;
}

std::string junit_xml(const std::vector<SuiteInput>& suites) {
  std::string body;
  std::size_t tests = 0, failures = 0, errors = 0;
  double time = 0;
  for (std::size_t k = 0; k < suites.size(); ++k) {
    const SuiteInput& s = suites[k];
    std::vector<Case> cases = s.has_report ? cases_of(s) : std::vector<Case>{};
    std::size_t f = 0, sk = 0;
    for (const auto& c : cases) {
      f += c.failure.empty() ? 0 : 1;
      sk += c.skipped.empty() ? 0 : 1;
    }
    std::size_t e = s.has_report ? 0 : 1;
    std::size_t n = s.has_report ? cases.size() : 1;
    tests += n;
    failures += f;
    errors += e;
    time += s.wall_seconds;
    body += fmt::format("  <testsuite name=\"{}\" id=\"{}\" package=\"infrasim\" tests=\"{}\" failures=\"{}\" "
                        "errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
                        xml_escape(s.name), k, n, f, e, sk, seconds(s.wall_seconds));
    std::vector<std::pair<std::string, std::string>> props = {{"file", s.file}};
    if (s.has_report) {
      props.emplace_back("topology", s.scenario.topology);
      props.emplace_back("topology_file", s.scenario.topology_file);
      props.emplace_back("seed", std::to_string(s.scenario.seed));
      if (s.runs) props.emplace_back("runs", std::to_string(*s.runs));
      props.emplace_back("duration", Json(s.scenario.duration).dump());
      props.emplace_back("outcome", s.outcome);
      if (s.expected_failure) {
        props.emplace_back("expected_failure", s.expected_failure->reason);
        props.emplace_back("expected_failure.fails", core::join(s.expected_failure->fails));
      }
    }
    if (s.provenance) {
      const Provenance& p = *s.provenance;
      props.emplace_back("infrasim.version", p.version);
      props.emplace_back("command", p.command);
      props.emplace_back("seed_source", p.seed_source);
      if (!p.topology_override.empty()) props.emplace_back("topology_override", p.topology_override);
      for (const auto& o : p.overrides) props.emplace_back("override", o);
      for (const auto& x : p.extra_faults) props.emplace_back("extra_fault", x);
      for (const auto& in : p.inputs) props.emplace_back("input." + in.role, in.path + " sha256:" + in.sha256);
    }
    body += "    <properties>\n";
    for (const auto& [key, value] : props) {
      body += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape(key), xml_escape(value));
    }
    body += "    </properties>\n";
    std::string classname = "infrasim." + s.name;
    if (!s.has_report) {
      std::string error = s.error.empty() ? "the run wrote no report" : s.error;
      body += fmt::format("    <testcase name=\"run\" classname=\"{}\" time=\"{}\">\n", xml_escape(classname),
                          seconds(s.wall_seconds));
      body += fmt::format("      <error message=\"{}\" type=\"run\">{}: {}</error>\n    </testcase>\n", xml_escape(error),
                          xml_escape(s.file), xml_escape(error));
    }
    for (const auto& c : cases) {
      std::string attrs = fmt::format("name=\"{}\" classname=\"{}\" time=\"0.000\"", xml_escape(c.name),
                                      xml_escape(classname));
      if (!c.skipped.empty()) {
        body += fmt::format("    <testcase {}>\n      <skipped>{}</skipped>\n    </testcase>\n", attrs,
                            xml_escape(c.skipped));
      } else if (!c.failure.empty()) {
        body += fmt::format("    <testcase {}>\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n"
                            "    </testcase>\n",
                            attrs, xml_escape(c.failure), xml_escape(c.failure_type), xml_escape(c.detail));
      } else {
        body += fmt::format("    <testcase {}/>\n", attrs);
      }
    }
    body += "  </testsuite>\n";
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"infrasim\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">\n{}"
                     "</testsuites>\n",
                     tests, failures, errors, seconds(time), body);
}

std::string ci_summary_markdown(const std::vector<SuiteInput>& suites) {
  Tally tally;
  std::string rows, details;
  for (const auto& s : suites) {
    const std::string& name = s.name;
    if (!s.has_report) {
      tally.add_error();
      rows += fmt::format("| `{}` | :x: error | | {} |\n", name, s.error.empty() ? "no report" : s.error);
      continue;
    }
    tally.add(s.outcome);
    std::size_t n = 0, pass = 0;
    std::string failing;
    auto note_failure = [&](const std::string& text) {
      if (!failing.empty()) failing += "<br>";
      failing += text;
    };
    for (const auto& e : s.expectations) {
      ++n;
      if (e.pass) {
        ++pass;
      } else {
        note_failure(fmt::format("{} {} (actual {})", e.metric, e.expected, e.actual));
        if (!e.reason.empty()) details += fmt::format("- `{}` {}: {}\n", name, e.id(), e.reason);
      }
    }
    for (const auto& a : s.resilience) {
      if (!a.exercised) continue;
      ++n;
      if (a.met) {
        ++pass;
      } else {
        note_failure(fmt::format("{}: {} breached ({})", a.id(), a.expected, a.detail));
        if (!a.why.empty()) details += fmt::format("- `{}` {}: {}\n", name, a.id(), a.why);
      }
    }
    std::string verdict = s.outcome == "pass"               ? ":white_check_mark: pass"
                          : s.outcome == "expected failure" ? ":white_check_mark: failed as declared"
                          : s.outcome == "unexpected pass"  ? ":x: **unexpected pass**"
                          : s.outcome == "failed otherwise" ? ":x: **FAIL** (not as declared)"
                                                            : ":x: **FAIL**";
    if (s.expected_failure) failing += (failing.empty() ? "" : "<br>") + ("declared: " + s.expected_failure->reason);
    if (!s.outcome_detail.empty()) failing += "<br>" + s.outcome_detail;
    std::string what = s.scenario.topology;
    if (s.runs) what += fmt::format(", {} runs", *s.runs);
    rows += fmt::format("| `{}` ({}) | {} | {}/{} | {} |\n", name, what, verdict, pass, n, failing);
  }
  std::size_t bad = tally.failed + tally.unexpected + tally.errors;
  std::string md = fmt::format("## infrasim: {} scenario{}, {}\n\n", suites.size(), suites.size() == 1 ? "" : "s",
                               bad == 0 ? (tally.expected_failures ? fmt::format("all as expected ({} failed as declared)",
                                                                                 tally.expected_failures)
                                                                   : std::string("all passed"))
                                        : fmt::format("{} failed", bad));
  md += "| scenario | result | checks met | failed checks |\n|---|---|---|---|\n" + rows;
  if (!details.empty()) md += "\n### Why\n\n" + details;
  return md;
}

}  // namespace sim::report
