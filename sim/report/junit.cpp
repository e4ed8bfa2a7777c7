#include "sim/report/junit.h"

#include <fmt/format.h>

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
  std::string name, classname, file, failure, detail;
  int line = 0;
};

std::vector<Case> cases_of(const SuiteInput& s, std::string* error) {
  std::vector<Case> out;
  if (!s.has_report) {
    *error = s.error.empty() ? "the run wrote no report" : s.error;
    return out;
  }
  for (const auto& e : s.expectations) {
    Case c;
    c.name = e.key();
    c.classname = "infrasim." + s.name;
    c.file = s.file;
    c.line = e.line;
    if (!e.pass) {
      c.failure = fmt::format("expected {} {}, actual {}", e.metric, e.expected, e.actual);
      c.detail = c.failure;
      if (!e.note.empty()) c.detail += "\n" + e.note;
    }
    out.push_back(c);
  }
  Case cons;
  cons.name = "request conservation (generated = completed + failed + in flight)";
  cons.classname = "infrasim." + s.name;
  cons.file = s.file;
  if (!s.conservation.ok) {
    cons.failure = fmt::format("request conservation violated: generated {}, completed + failed + in flight {}",
                               s.conservation.generated, s.conservation.accounted);
    cons.detail = cons.failure;
  }
  out.push_back(cons);
  return out;
}

}  // namespace

SuiteInput suite_of(const std::string& file, const RunReport& report) {
  SuiteInput s;
  s.name = report.scenario.name;
  s.file = file;
  s.has_report = true;
  s.scenario = report.scenario;
  s.expectations = report.expectations;
  s.passed = report.passed;
  s.conservation = report.summary.conservation;
  return s;
}

SuiteInput suite_of_montecarlo(const std::string& file, const Json& mc) {
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
  const Json& ok = member(member(member(mc, "summary"), "conservation"), "ok");
  s.conservation.ok = !ok.is_boolean() || ok.get<bool>();
  return s;
}

SuiteInput suite_without_report(const std::string& name, const std::string& file, const std::string& error) {
  SuiteInput s;
  s.name = name;
  s.file = file;
  s.error = error;
  return s;
}

std::string junit_xml(const std::vector<SuiteInput>& suites) {
  std::string body;
  std::size_t tests = 0, failures = 0, errors = 0;
  for (const auto& s : suites) {
    std::string error;
    std::vector<Case> cases = cases_of(s, &error);
    const std::string& name = s.name;
    std::size_t f = 0;
    for (const auto& c : cases) f += c.failure.empty() ? 0 : 1;
    std::size_t n = cases.empty() ? 1 : cases.size();
    std::size_t e = error.empty() ? 0 : 1;
    tests += n;
    failures += f;
    errors += e;
    body += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" file=\"{}\">\n",
                        xml_escape(name), n, f, e, xml_escape(s.file));
    if (s.has_report) {
      std::vector<std::pair<const char*, std::string>> props = {{"topology", s.scenario.topology},
                                                                 {"topology_file", s.scenario.topology_file},
                                                                 {"seed", std::to_string(s.scenario.seed)}};
      if (s.runs) props.emplace_back("runs", std::to_string(*s.runs));
      props.emplace_back("duration", Json(s.scenario.duration).dump());
      body += "    <properties>\n";
      for (const auto& [key, value] : props) {
        body += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", key, xml_escape(value));
      }
      body += "    </properties>\n";
    }
    if (!error.empty()) {
      body += fmt::format("    <testcase name=\"run\" classname=\"infrasim.{}\" file=\"{}\">\n", xml_escape(name),
                          xml_escape(s.file));
      body += fmt::format("      <error message=\"{}\" type=\"run\">{}</error>\n    </testcase>\n", xml_escape(error),
                          xml_escape(error));
    }
    for (const auto& c : cases) {
      std::string attrs = fmt::format("name=\"{}\" classname=\"{}\" file=\"{}\"", xml_escape(c.name),
                                      xml_escape(c.classname), xml_escape(c.file));
      if (c.line > 0) attrs += fmt::format(" line=\"{}\"", c.line);
      if (c.failure.empty()) {
        body += fmt::format("    <testcase {}/>\n", attrs);
      } else {
        body += fmt::format("    <testcase {}>\n      <failure message=\"{}\" type=\"expectation\">{}</failure>\n"
                            "    </testcase>\n",
                            attrs, xml_escape(c.failure), xml_escape(c.detail));
      }
    }
    body += "  </testsuite>\n";
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"infrasim\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n{}</testsuites>\n",
                     tests, failures, errors, body);
}

std::string ci_summary_markdown(const std::vector<SuiteInput>& suites) {
  std::size_t failed = 0;
  std::string rows, details;
  for (const auto& s : suites) {
    const std::string& name = s.name;
    if (!s.has_report) {
      ++failed;
      rows += fmt::format("| `{}` | :x: error | | {} |\n", name, s.error.empty() ? "no report" : s.error);
      continue;
    }
    std::size_t n = 0, pass = 0;
    std::string failing;
    for (const auto& e : s.expectations) {
      ++n;
      if (e.pass) {
        ++pass;
      } else {
        if (!failing.empty()) failing += "<br>";
        failing += fmt::format("{} {} (actual {})", e.metric, e.expected, e.actual);
      }
    }
    bool ok = pass == n && s.passed;
    failed += ok ? 0 : 1;
    std::string what = s.scenario.topology;
    if (s.runs) what += fmt::format(", {} runs", *s.runs);
    rows += fmt::format("| `{}` ({}) | {} | {}/{} | {} |\n", name, what, ok ? ":white_check_mark: pass" : ":x: **FAIL**",
                        pass, n, failing);
  }
  std::string md = fmt::format("## infrasim: {} scenario{}, {}\n\n", suites.size(), suites.size() == 1 ? "" : "s",
                               failed == 0 ? "all passed" : fmt::format("{} failed", failed));
  md += "| scenario | result | expectations met | failed expectations |\n|---|---|---|---|\n" + rows;
  return md + details;
}

}  // namespace sim::report
