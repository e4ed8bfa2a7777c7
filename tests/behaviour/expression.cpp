#include "tests/behaviour/expression.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>
#include <vector>

namespace sim::testing {

namespace {

using Json = nlohmann::json;

struct Value {
  enum class Kind { kNumber, kString, kNull } kind = Kind::kNumber;
  double num = 0;
  std::string str;
};

Value number(double x) { return {Value::Kind::kNumber, x, ""}; }
Value text(std::string s) { return {Value::Kind::kString, 0, std::move(s)}; }
Value null() { return {Value::Kind::kNull, 0, ""}; }

std::string show(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNumber: return fmt::format("{:.10g}", v.num);
    case Value::Kind::kString: return "\"" + v.str + "\"";
    case Value::Kind::kNull: return "null";
  }
  return "?";
}

[[noreturn]] void fail(const std::string& message) { throw std::runtime_error(message); }

// A JSON pointer with two conveniences: an array element by its name (or metric, component,
// fault, disruption field) instead of its index, and "*" for every element.
std::vector<const Json*> resolve(const Json& root, const std::string& pointer) {
  std::vector<const Json*> cur = {&root};
  std::size_t start = 1;
  while (start <= pointer.size()) {
    std::size_t end = pointer.find('/', start);
    std::string seg = pointer.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::vector<const Json*> next;
    for (const Json* j : cur) {
      if (j->is_object() && seg == "*") {
        for (const auto& e : j->items()) next.push_back(&e.value());
      } else if (j->is_object()) {
        if (!j->contains(seg)) fail(fmt::format("{}: no field '{}'", pointer, seg));
        next.push_back(&(*j)[seg]);
      } else if (j->is_array()) {
        if (seg == "*") {
          for (const auto& e : *j) next.push_back(&e);
        } else if (!seg.empty() && std::all_of(seg.begin(), seg.end(), ::isdigit)) {
          std::size_t i = std::stoul(seg);
          if (i >= j->size()) fail(fmt::format("{}: index {} beyond the {} elements", pointer, i, j->size()));
          next.push_back(&(*j)[i]);
        } else {
          const Json* found = nullptr;
          for (const auto& e : *j) {
            for (const char* key : {"name", "metric", "component", "fault", "disruption"}) {
              if (!found && e.is_object() && e.contains(key) && e[key] == seg) found = &e;
            }
          }
          if (!found) fail(fmt::format("{}: no element named '{}'", pointer, seg));
          next.push_back(found);
        }
      } else {
        fail(fmt::format("{}: '{}' is inside a {}", pointer, seg, j->type_name()));
      }
    }
    cur = std::move(next);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return cur;
}

Value value_of(const Json& j, const std::string& where) {
  if (j.is_number()) return number(j.get<double>());
  if (j.is_boolean()) return number(j.get<bool>() ? 1 : 0);
  if (j.is_string()) return text(j.get<std::string>());
  if (j.is_null()) return null();
  fail(fmt::format("{} is {}, not a value", where, j.type_name()));
}

class Parser {
 public:
  Parser(const std::string& s, const CaseRuns& runs) : s_(s), runs_(runs), run_(runs.first) {}

  CheckResult check() {
    Value lhs = expr();
    ws();
    CheckResult r;
    if (word_ahead("in")) {
      pos_ += 2;
      ws();
      char open = next();
      if (open != '[' && open != '(') fail("expected '[' or '(' after 'in'");
      Value lo = expr();
      ws();
      if (next() != ',') fail("expected ',' in the interval");
      Value hi = expr();
      ws();
      char close = next();
      if (close != ']' && close != ')') fail("expected ']' or ')' to close the interval");
      end();
      double x = num(lhs, "the left side"), a = num(lo, "the interval"), b = num(hi, "the interval");
      r.ok = (open == '[' ? x >= a : x > a) && (close == ']' ? x <= b : x < b);
      r.detail = fmt::format("{} in {}{}, {}{}", show(lhs), open, show(lo), show(hi), close);
      return r;
    }
    if (word_ahead("has")) {
      pos_ += 3;
      Value rhs = expr();
      end();
      r.ok = lhs.kind == Value::Kind::kString && rhs.kind == Value::Kind::kString && lhs.str.find(rhs.str) != std::string::npos;
      r.detail = fmt::format("{} has {}", lhs.kind == Value::Kind::kString ? "the text" : show(lhs), show(rhs));
      if (!r.ok && lhs.kind == Value::Kind::kString) r.detail += ":\n" + lhs.str;
      return r;
    }
    std::string op;
    for (const char* o : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (s_.compare(pos_, std::char_traits<char>::length(o), o) == 0) {
        op = o;
        break;
      }
    }
    if (op.empty()) fail("expected a comparison (==, !=, <, <=, >, >=, in, has)");
    pos_ += op.size();
    Value rhs = expr();
    end();
    r.detail = fmt::format("{} {} {}", show(lhs), op, show(rhs));
    if (op == "==" || op == "!=") {
      bool eq = lhs.kind == rhs.kind && (lhs.kind != Value::Kind::kNumber ||
                                         std::fabs(lhs.num - rhs.num) <= 1e-9 * std::max({1.0, std::fabs(lhs.num), std::fabs(rhs.num)})) &&
                lhs.str == rhs.str;
      r.ok = op == "==" ? eq : !eq;
      return r;
    }
    double a = num(lhs, "the left side"), b = num(rhs, "the right side");
    r.ok = op == "<" ? a < b : op == "<=" ? a <= b : op == ">" ? a > b : a >= b;
    return r;
  }

 private:
  void ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  char next() { return pos_ < s_.size() ? s_[pos_++] : '\0'; }
  char peek() {
    ws();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  void end() {
    ws();
    if (pos_ != s_.size()) fail(fmt::format("unexpected '{}'", s_.substr(pos_)));
  }
  bool word_ahead(std::string_view w) {
    ws();
    return s_.compare(pos_, w.size(), w) == 0 &&
           (pos_ + w.size() == s_.size() || !std::isalnum(static_cast<unsigned char>(s_[pos_ + w.size()])));
  }
  static bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }
  std::string ident() {
    ws();
    std::size_t b = pos_;
    while (pos_ < s_.size() && ident_char(s_[pos_])) ++pos_;
    if (b == pos_) fail(fmt::format("expected a name at '{}'", s_.substr(b)));
    return s_.substr(b, pos_ - b);
  }
  std::string pointer() {
    ws();
    if (peek() != '/') fail("expected a /json/pointer");
    std::size_t b = pos_;
    while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_])) && s_[pos_] != ',' && s_[pos_] != ')') ++pos_;
    return s_.substr(b, pos_ - b);
  }
  double num(const Value& v, const char* what) {
    if (v.kind != Value::Kind::kNumber) fail(fmt::format("{} is {}, not a number", what, show(v)));
    return v.num;
  }
  const CaseRun& run() {
    auto it = runs_.runs.find(run_);
    if (it == runs_.runs.end()) fail(fmt::format("no run named '{}'", run_));
    return it->second;
  }
  const Json& report() {
    const CaseRun& r = run();
    if (r.report.is_null()) fail(fmt::format("run '{}' wrote no report (exit {})\n{}", run_, r.exit_code, r.err));
    return r.report;
  }

  Value expr() {
    Value v = term();
    for (;;) {
      char c = peek();
      if (c != '+' && c != '-') return v;
      ++pos_;
      Value w = term();
      v = number(c == '+' ? num(v, "'+'") + num(w, "'+'") : num(v, "'-'") - num(w, "'-'"));
    }
  }
  Value term() {
    Value v = factor();
    for (;;) {
      char c = peek();
      if (c != '*' && c != '/') return v;
      ++pos_;
      Value w = factor();
      v = number(c == '*' ? num(v, "'*'") * num(w, "'*'") : num(v, "'/'") / num(w, "'/'"));
    }
  }
  Value factor() {
    if (peek() == '-') {
      ++pos_;
      return number(-num(factor(), "'-'"));
    }
    return primary();
  }
  Value primary() {
    char c = peek();
    if (c == '(') {
      ++pos_;
      Value v = expr();
      if (peek() != ')') fail("expected ')'");
      ++pos_;
      return v;
    }
    if (c == '"') {
      ++pos_;
      std::size_t e = s_.find('"', pos_);
      if (e == std::string::npos) fail("unterminated string");
      std::string t = s_.substr(pos_, e - pos_);
      pos_ = e + 1;
      return text(t);
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      std::size_t used = 0;
      double x = std::stod(s_.substr(pos_), &used);
      pos_ += used;
      return number(x);
    }
    if (c == '/') {
      std::string p = pointer();
      auto found = resolve(report(), p);
      if (found.size() != 1) fail(fmt::format("{} names {} values; expected one (use max, min, sum or len)", p, found.size()));
      return value_of(*found.front(), p);
    }
    std::string name = ident();
    if (pos_ < s_.size() && s_[pos_] == ':') {  // "run:term"
      ++pos_;
      if (!runs_.runs.count(name)) fail(fmt::format("no run named '{}'", name));
      std::string saved = run_;
      run_ = name;
      Value v = primary();
      run_ = saved;
      return v;
    }
    if (name == "null") return null();
    if (name == "exit") return number(run().exit_code);
    if (name == "signal") return number(run().signal);
    if (name == "stdout") return text(run().out);
    if (name == "stderr") return text(run().err);
    if (peek() != '(') fail(fmt::format("unknown name '{}'", name));
    ++pos_;
    Value v = call(name);
    if (peek() != ')') fail(fmt::format("expected ')' after the arguments of {}", name));
    ++pos_;
    return v;
  }

  bool more_args() {
    if (peek() != ',') return false;
    ++pos_;
    return true;
  }
  std::string word() {
    if (peek() == '"') return primary().str;
    return ident();
  }

  // The matching timeline events.
  std::vector<const Json*> events(const std::string& kind, const std::string& target) {
    std::vector<const Json*> out;
    for (const auto& e : report()["timeline"]) {
      if (e["kind"] == kind && (target.empty() || e["target"] == target)) out.push_back(&e);
    }
    return out;
  }

  Value call(const std::string& f) {
    if (f == "time" || f == "count") {
      std::string kind = word(), target;
      double n = 0;
      if (more_args()) target = word();
      if (f == "time" && more_args()) n = num(expr(), "the event's index");
      auto ev = events(kind, target);
      if (f == "count") return number(static_cast<double>(ev.size()));
      if (n < 0 || n >= static_cast<double>(ev.size())) {
        fail(fmt::format("run '{}' has {} '{}' event(s){}; expected event #{}", run_, ev.size(), kind,
                         target.empty() ? "" : " for " + target, n));
      }
      return number((*ev[static_cast<std::size_t>(n)])["time"].get<double>());
    }
    if (f == "max" || f == "min" || f == "sum" || f == "len") {
      std::string p = pointer();
      auto found = resolve(report(), p);
      if (f == "len") {
        return number(static_cast<double>(found.size() == 1 && found.front()->is_array() ? found.front()->size()
                                                                                          : found.size()));
      }
      std::vector<double> xs;
      for (const Json* j : found) {
        if (j->is_array()) {
          for (const auto& e : *j) xs.push_back(num(value_of(e, p), p.c_str()));
        } else {
          xs.push_back(num(value_of(*j, p), p.c_str()));
        }
      }
      if (xs.empty() && f != "sum") fail(fmt::format("{} names no values", p));
      if (f == "sum") {
        double s = 0;
        for (double x : xs) s += x;
        return number(s);
      }
      return number(f == "max" ? *std::max_element(xs.begin(), xs.end()) : *std::min_element(xs.begin(), xs.end()));
    }
    if (f == "at") {
      std::string p = pointer();
      if (!more_args()) fail("at(pointer, time): expected a time");
      double t = num(expr(), "the time");
      auto found = resolve(report(), p);
      if (found.size() != 1 || !found.front()->is_array()) fail(fmt::format("{} is not a series", p));
      double width = report()["scenario"]["window"].get<double>() * report()["windows"]["merged_windows"].get<double>();
      auto i = static_cast<std::size_t>(std::floor(t / width + 1e-9));
      if (i >= found.front()->size()) fail(fmt::format("{} has no point at {}s", p, t));
      return value_of((*found.front())[i], p);
    }
    if (f == "window_sum") {
      std::string field = word();
      if (!more_args()) fail("window_sum(field, from[, to]): expected a start time");
      double from = num(expr(), "the start"), to = INFINITY;
      if (more_args()) to = num(expr(), "the end");
      const Json& w = report()["windows"];
      if (!w.contains(field)) fail(fmt::format("/windows has no series '{}'", field));
      double s = 0;
      for (std::size_t i = 0; i < w["start"].size(); ++i) {
        double start = w["start"][i].get<double>();
        if (start >= from && start < to) s += w[field][i].get<double>();
      }
      return number(s);
    }
    if (f == "abs") return number(std::fabs(num(expr(), "abs")));
    if (f == "exp") return number(std::exp(num(expr(), "exp")));
    if (f == "ln") return number(std::log(num(expr(), "ln")));
    fail(fmt::format("unknown function '{}'", f));
  }

  const std::string& s_;
  const CaseRuns& runs_;
  std::string run_;
  std::size_t pos_ = 0;
};

}  // namespace

CheckResult evaluate_check(const std::string& check, const CaseRuns& runs) {
  try {
    return Parser(check, runs).check();
  } catch (const std::exception& e) {
    return {false, e.what()};
  }
}

}  // namespace sim::testing
