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
  if (s.report.is_null()) {
    *error = s.error.empty() ? "the run wrote no report" : s.error;
    return out;
  }
  std::string scenario = member_text(member(s.report, "scenario"), "name");
  if (scenario.empty()) scenario = s.name;
  const Json& ex = member(s.report, "expectations");
  if (ex.is_array()) {
    for (const auto& e : ex) {
      Case c;
      std::string metric = member_text(e, "metric");
      c.name = fmt::format("{} {}", metric, member_text(e, "expected"));
      c.classname = "infrasim." + scenario;
      c.file = s.file;
      c.line = member(e, "line").is_number_integer() ? member(e, "line").get<int>() : 0;
      if (member_text(e, "verdict") != "PASS") {
        c.failure = fmt::format("expected {} {}, actual {}", metric, member_text(e, "expected"), member_text(e, "actual"));
        c.detail = c.failure;
        if (!member_text(e, "note").empty()) c.detail += "\n" + member_text(e, "note");
      }
      out.push_back(c);
    }
  }
  Case cons;
  cons.name = "request conservation (generated = completed + failed + in flight)";
  cons.classname = "infrasim." + scenario;
  cons.file = s.file;
  const Json& ok = member(member(s.report, "summary"), "conservation");
  if (member(ok, "ok").is_boolean() && !member(ok, "ok").get<bool>()) {
    cons.failure = fmt::format("request conservation violated: generated {}, completed + failed + in flight {}",
                               member_text(ok, "generated"), member_text(ok, "completed_failed_in_flight"));
    cons.detail = cons.failure;
  }
  out.push_back(cons);
  return out;
}

}  // namespace

std::string junit_xml(const std::vector<SuiteInput>& suites) {
  std::string body;
  std::size_t tests = 0, failures = 0, errors = 0;
  for (const auto& s : suites) {
    std::string error;
    std::vector<Case> cases = cases_of(s, &error);
    std::string name = s.report.is_null() ? s.name : member_text(member(s.report, "scenario"), "name");
    if (name.empty()) name = s.name;
    std::size_t f = 0;
    for (const auto& c : cases) f += c.failure.empty() ? 0 : 1;
    std::size_t n = cases.empty() ? 1 : cases.size();
    std::size_t e = error.empty() ? 0 : 1;
    tests += n;
    failures += f;
    errors += e;
    body += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" file=\"{}\">\n",
                        xml_escape(name), n, f, e, xml_escape(s.file));
    if (!s.report.is_null()) {
      const Json& sc = member(s.report, "scenario");
      body += "    <properties>\n";
      for (const char* key : {"topology", "topology_file", "seed", "runs", "duration"}) {
        if (!member(sc, key).is_null()) {
          body += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", key, xml_escape(member_text(sc, key)));
        }
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
    std::string name = s.report.is_null() ? s.name : member_text(member(s.report, "scenario"), "name");
    if (name.empty()) name = s.name;
    if (s.report.is_null()) {
      ++failed;
      rows += fmt::format("| `{}` | :x: error | | {} |\n", name, s.error.empty() ? "no report" : s.error);
      continue;
    }
    std::size_t n = 0, pass = 0;
    std::string failing;
    const Json& ex = member(s.report, "expectations");
    if (ex.is_array()) {
      for (const auto& e : ex) {
        ++n;
        if (member_text(e, "verdict") == "PASS") {
          ++pass;
        } else {
          if (!failing.empty()) failing += "<br>";
          failing += fmt::format("{} {} (actual {})", member_text(e, "metric"), member_text(e, "expected"), member_text(e, "actual"));
        }
      }
    }
    bool ok = pass == n && !(member(s.report, "passed").is_boolean() && !member(s.report, "passed").get<bool>());
    failed += ok ? 0 : 1;
    const Json& sc = member(s.report, "scenario");
    std::string what = member_text(sc, "topology");
    if (!member(sc, "runs").is_null()) what += fmt::format(", {} runs", member_text(sc, "runs"));
    rows += fmt::format("| `{}` ({}) | {} | {}/{} | {} |\n", name, what, ok ? ":white_check_mark: pass" : ":x: **FAIL**",
                        pass, n, failing);
  }
  std::string md = fmt::format("## infrasim: {} scenario{}, {}\n\n", suites.size(), suites.size() == 1 ? "" : "s",
                               failed == 0 ? "all passed" : fmt::format("{} failed", failed));
  md += "| scenario | result | expectations met | failed expectations |\n|---|---|---|---|\n" + rows;
  return md + details;
}

}  // namespace sim::report
