#include "sim/import/nginx.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <set>

#include "sim/core/units.h"
#include "sim/core/yaml_reader.h"
#include "sim/topology/rate_limits.h"

namespace sim::import {
namespace {

using core::Diagnostics;
using Note = ImportNote;

constexpr int kMaxDepth = 64;          // nginx has no limit; a deeper file is not a configuration
constexpr std::size_t kMaxArgs = 1000;  // per directive

// ---- tokenizer + parser (ngx_conf_file.c's rules) --------------------------------------------------------

class Parser {
 public:
  Parser(std::string file, const std::string& text, Diagnostics& diags)
      : file_(std::move(file)), text_(text), diags_(diags) {}

  std::optional<NginxConfig> run() {
    NginxConfig cfg;
    cfg.file = file_;
    struct Open {
      NginxDirective d;
      SourcePos brace;
    };
    std::vector<Open> stack;  // open blocks; their children collect in d.children
    auto current = [&]() -> std::vector<NginxDirective>& {
      return stack.empty() ? cfg.directives : stack.back().d.children;
    };
    std::vector<std::string> words;
    std::vector<SourcePos> word_pos;
    while (true) {
      skip_space_and_comments();
      if (at_end()) break;
      char c = text_[i_];
      SourcePos here = pos();
      if (c == ';' || c == '{') {
        ++i_;
        ++col_;
        if (words.empty()) {
          return fail(here, fmt::format("unexpected '{}'; expected a directive name before it", c));
        }
        NginxDirective d;
        d.name = words.front();
        d.pos = word_pos.front();
        d.args.assign(words.begin() + 1, words.end());
        d.arg_pos.assign(word_pos.begin() + 1, word_pos.end());
        words.clear();
        word_pos.clear();
        if (c == ';') {
          current().push_back(std::move(d));
        } else {
          if (static_cast<int>(stack.size()) >= kMaxDepth) {
            return fail(here, fmt::format("blocks nested deeper than {} levels; expected a flatter configuration",
                                          kMaxDepth));
          }
          d.block = true;
          stack.push_back({std::move(d), here});
        }
        continue;
      }
      if (c == '}') {
        ++i_;
        ++col_;
        if (!words.empty()) {
          return fail(here, fmt::format("unexpected '}}' after '{}'; expected ';' to end the directive first",
                                        words.front()));
        }
        if (stack.empty()) return fail(here, "unexpected '}'; expected a directive (no block is open)");
        NginxDirective done = std::move(stack.back().d);
        stack.pop_back();
        current().push_back(std::move(done));
        continue;
      }
      if (words.size() > kMaxArgs) return fail(here, fmt::format("more than {} arguments; expected ';'", kMaxArgs));
      auto w = word();
      if (!w) return std::nullopt;
      words.push_back(std::move(*w));
      word_pos.push_back(here);
    }
    if (!words.empty()) {
      return fail(pos(), fmt::format("unexpected end of file after '{}' (line {}); expected ';' or '{{'",
                                     words.front(), word_pos.front().line));
    }
    if (!stack.empty()) {
      const Open& o = stack.back();
      return fail(pos(), fmt::format("unexpected end of file; expected '}}' to close '{}' opened at line {}",
                                     o.d.name, o.brace.line));
    }
    return cfg;
  }

 private:
  bool at_end() const { return i_ >= text_.size(); }
  SourcePos pos() const { return {file_, line_, col_}; }

  std::nullopt_t fail(const SourcePos& p, std::string msg) {
    diags_.error(p, std::move(msg));
    return std::nullopt;
  }

  void advance() {
    if (text_[i_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++i_;
  }

  static bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

  void skip_space_and_comments() {
    while (!at_end()) {
      char c = text_[i_];
      if (space(c)) {
        advance();
      } else if (c == '#') {
        while (!at_end() && text_[i_] != '\n') advance();
      } else {
        break;
      }
    }
  }

  std::optional<std::string> word() {
    std::string out;
    char q = text_[i_];
    if (q == '"' || q == '\'') {
      SourcePos open = pos();
      advance();
      while (true) {
        if (at_end()) {
          return fail(open, fmt::format("unterminated quoted string; expected a closing {} before the end of file", q));
        }
        char c = text_[i_];
        if (c == '\\' && i_ + 1 < text_.size()) {
          char n = text_[i_ + 1];
          // ngx_conf_read_token keeps unknown escapes as written (the backslash included).
          if (n == '"' || n == '\'' || n == '\\') {
            out += n;
          } else if (n == 't') {
            out += '\t';
          } else if (n == 'r') {
            out += '\r';
          } else if (n == 'n') {
            out += '\n';
          } else {
            out += c;
            out += n;
          }
          advance();
          advance();
          continue;
        }
        if (c == q) {
          advance();
          break;
        }
        out += c;
        advance();
      }
      if (!at_end() && !space(text_[i_]) && text_[i_] != ';' && text_[i_] != '{' && text_[i_] != '}') {
        return fail(pos(), fmt::format("unexpected '{}' after a quoted string; expected a space, ';' or '{{'",
                                       text_[i_]));
      }
      return out;
    }
    while (!at_end()) {
      char c = text_[i_];
      if (space(c) || c == ';' || c == '{' || c == '}') break;
      if (c == '$' && i_ + 1 < text_.size() && text_[i_ + 1] == '{') {  // "${var}" is part of the word
        SourcePos open = pos();
        while (!at_end() && text_[i_] != '}') {
          if (text_[i_] == '\n' || text_[i_] == ';') {
            return fail(open, "unterminated variable '${'; expected '}' to close it on the same line");
          }
          out += text_[i_];
          advance();
        }
        if (at_end()) return fail(open, "unterminated variable '${'; expected '}' to close it");
        out += '}';
        advance();
        continue;
      }
      out += c;
      advance();
    }
    return out;
  }

  std::string file_;
  const std::string& text_;
  Diagnostics& diags_;
  std::size_t i_ = 0;
  int line_ = 1, col_ = 1;
};

// ---- values --------------------------------------------------------------------------------------------

std::string shown(const NginxDirective& d) {
  std::string s = d.name;
  for (const auto& a : d.args) s += " " + a;
  if (s.size() > 120) s = s.substr(0, 117) + "...";
  return s;
}

// "10r/s", "30r/m".
std::optional<double> parse_nginx_rate(const std::string& text) {
  if (!text.ends_with("r/s") && !text.ends_with("r/m")) return std::nullopt;
  auto v = core::parse_number(text.substr(0, text.size() - 3));
  if (!v || *v <= 0 || *v > 1e9) return std::nullopt;
  return text.ends_with("r/s") ? *v : *v / 60;
}

// Why a directive outside the upstream's path is not used (the ignored list).
std::string ignored_reason(const std::string& name) {
  if (name.starts_with("ssl_") || name == "ssl") return "TLS is not modelled";
  if (name == "add_header" || name == "proxy_set_header" || name == "more_set_headers" || name == "proxy_hide_header")
    return "headers are not modelled";
  if (name == "listen" || name == "server_name" || name == "root" || name == "index" || name == "return" ||
      name == "rewrite" || name == "try_files")
    return "addresses and routing inside nginx are not modelled";
  if (name.starts_with("proxy_cache") || name == "proxy_buffering" || name.starts_with("proxy_buffer"))
    return "response caching and buffering are not modelled";
  if (name == "proxy_http_version" || name == "keepalive" || name == "keepalive_timeout" ||
      name == "keepalive_requests")
    return "connection reuse is not modelled";
  if (name.starts_with("gzip")) return "compression is not modelled";
  if (name.starts_with("access_log") || name == "error_log" || name == "log_format") return "logging is not modelled";
  if (name == "worker_connections" || name == "events") return "nginx's connection limits are not modelled";
  return "not modelled";
}

// The upstream named in a proxy_pass/grpc_pass URL: "http://backend/x" -> "backend".
std::string proxied_upstream(const NginxDirective& d) {
  if ((d.name != "proxy_pass" && d.name != "grpc_pass") || d.args.empty()) return "";
  std::string u = d.args[0];
  auto scheme = u.find("://");
  if (scheme != std::string::npos) u = u.substr(scheme + 3);
  auto end = u.find_first_of("/:?$");
  return u.substr(0, end);
}

// Inherited settings at one level (nginx: a directive at an inner level replaces the outer one;
// limit_req directives are inherited only when the inner level has none).
struct Context {
  const NginxDirective* read_timeout = nullptr;
  const NginxDirective* connect_timeout = nullptr;
  const NginxDirective* next_upstream = nullptr;
  const NginxDirective* next_upstream_tries = nullptr;
  const NginxDirective* next_upstream_timeout = nullptr;
  std::vector<const NginxDirective*> limit_req;
};

Context inherit(const Context& outer, const std::vector<NginxDirective>& level) {
  Context c = outer;
  std::vector<const NginxDirective*> limits;
  for (const auto& d : level) {
    if (d.name == "proxy_read_timeout" || d.name == "grpc_read_timeout") c.read_timeout = &d;
    if (d.name == "proxy_connect_timeout" || d.name == "grpc_connect_timeout") c.connect_timeout = &d;
    if (d.name == "proxy_next_upstream" || d.name == "grpc_next_upstream") c.next_upstream = &d;
    if (d.name == "proxy_next_upstream_tries") c.next_upstream_tries = &d;
    if (d.name == "proxy_next_upstream_timeout") c.next_upstream_timeout = &d;
    if (d.name == "limit_req") limits.push_back(&d);
  }
  if (!limits.empty()) c.limit_req = limits;
  return c;
}

struct Proxying {
  const NginxDirective* pass = nullptr;
  Context ctx;
};

// Every proxy_pass to `name`, with the settings in force there.
void find_proxying(const std::vector<NginxDirective>& level, const Context& outer, const std::string& name,
                   std::vector<Proxying>* out, int depth) {
  if (depth > kMaxDepth) return;
  Context here = inherit(outer, level);
  for (const auto& d : level) {
    if (proxied_upstream(d) == name) out->push_back({&d, here});
    if (d.block && d.name != "upstream") find_proxying(d.children, here, name, out, depth + 1);
  }
}

void collect_upstreams(const std::vector<NginxDirective>& level, std::vector<const NginxDirective*>* out, int depth) {
  if (depth > kMaxDepth) return;
  for (const auto& d : level) {
    if (d.block && d.name == "upstream") out->push_back(&d);
    if (d.block && d.name != "upstream") collect_upstreams(d.children, out, depth + 1);
  }
}

void collect_zones(const std::vector<NginxDirective>& level, std::map<std::string, const NginxDirective*>* out,
                   int depth) {
  if (depth > kMaxDepth) return;
  for (const auto& d : level) {
    if (d.name == "limit_req_zone") {
      for (const auto& a : d.args) {
        if (a.starts_with("zone=")) {
          std::string z = a.substr(5);
          out->emplace(z.substr(0, z.find(':')), &d);
        }
      }
    }
    if (d.block) collect_zones(d.children, out, depth + 1);
  }
}

class UpstreamReader {
 public:
  UpstreamReader(const NginxConfig& cfg, Diagnostics& diags) : cfg_(cfg), diags_(diags) {}

  std::optional<NginxUpstream> read(const std::string& wanted, const SourcePos& ref) {
    std::size_t errors_before = diags_.error_count();
    std::vector<const NginxDirective*> ups;
    collect_upstreams(cfg_.directives, &ups, 0);
    std::vector<std::string> names;
    for (const auto* u : ups) names.push_back(u->args.empty() ? "" : u->args[0]);
    const NginxDirective* up = nullptr;
    SourcePos at = ref.line > 0 ? ref : SourcePos{cfg_.file, 0, 0};
    std::string list = fmt::format("{}", fmt::join(names, ", "));
    if (wanted.empty()) {
      if (ups.empty()) {
        diags_.error(at, fmt::format("{} has no upstream block; expected one like upstream backend {{ server "
                                     "app1:3000; }}",
                                     cfg_.file));
        return std::nullopt;
      }
      if (ups.size() > 1) {
        diags_.error(at, fmt::format("{} has {} upstreams ({}); expected the one to use to be named, like "
                                     "upstream: {}",
                                     cfg_.file, ups.size(), list, names.front()));
        return std::nullopt;
      }
      up = ups.front();
    } else {
      for (const auto* u : ups) {
        if (!u->args.empty() && u->args[0] == wanted) up = u;
      }
      if (!up) {
        diags_.error(at, ups.empty() ? fmt::format("{} has no upstream block; expected upstream {} {{ ... }}",
                                                   cfg_.file, wanted)
                                     : core::unknown_name({.noun = "upstream", .name = wanted, .in = cfg_.file}, names));
        return std::nullopt;
      }
    }
    NginxUpstream out;
    out.pos = up->pos;
    if (up->args.size() != 1) {
      diags_.error(up->pos, fmt::format("upstream has {} names; expected exactly one, like upstream backend {{",
                                        up->args.size()));
      return std::nullopt;
    }
    out.name = up->args[0];
    mapped(*up, fmt::format("a load balancer and its backend (upstream {})", out.name));
    read_block(*up, &out);
    read_proxying(&out);
    read_workers(&out);
    note_rest(*up);
    if (diags_.error_count() > errors_before) return std::nullopt;
    return out;
  }

 private:
  void note(ImportNote::Kind k, const NginxDirective& d, std::string detail) {
    notes_.push_back({k, d.pos, shown(d), std::move(detail)});
    used_.insert(&d);
  }
  void mapped(const NginxDirective& d, std::string detail) { note(ImportNote::Kind::kMapped, d, std::move(detail)); }
  void pending(const NginxDirective& d, std::string detail) { note(ImportNote::Kind::kPending, d, std::move(detail)); }
  void ignored(const NginxDirective& d, std::string detail) { note(ImportNote::Kind::kIgnored, d, std::move(detail)); }

  // `what`: the parameter ("fail_timeout=") when it is not the directive itself.
  std::optional<double> time_arg(const NginxDirective& d, std::size_t i, const std::string& text,
                                 const std::string& what = "") {
    auto v = parse_nginx_time(text);
    if (!v) {
      diags_.error(d.arg_pos[i], fmt::format("invalid time '{}' in {}; expected nginx's time syntax like 30s, "
                                             "1m, 500ms or 1h30m",
                                             text, what.empty() ? d.name : d.name + " " + what));
    }
    return v;
  }

  void need_args(const NginxDirective& d, std::size_t lo, std::size_t hi, const char* example) {
    if (d.args.size() < lo || d.args.size() > hi) {
      diags_.error(d.pos, fmt::format("'{}' takes {}; expected {}", d.name,
                                      lo == hi ? fmt::format("{} argument{}", lo, lo == 1 ? "" : "s")
                                               : fmt::format("{} to {} arguments", lo, hi),
                                      example));
    }
  }

  struct Server {
    std::string address;
    double weight = 1;
    bool backup = false;
    const NginxDirective* d;
    // nginx's defaults (ngx_http_upstream_module): max_fails=1 fail_timeout=10s.
    int max_fails = 1;
    double fail_timeout = 10;
    std::optional<double> slow_start;
  };

  void read_block(const NginxDirective& up, NginxUpstream* out) {
    std::vector<Server> primaries, backups;
    const NginxDirective* method = nullptr;
    topology::LoadBalancerSpec& lb = out->lb;
    for (const auto& d : up.children) {
      if (d.name == "server") {
        if (d.args.empty()) {
          diags_.error(d.pos, "'server' has no address; expected server host:port [weight=N] [max_fails=N] "
                              "[fail_timeout=T] [backup]");
          continue;
        }
        Server s{d.args[0], 1, false, &d, 1, 10, std::nullopt};
        bool down = false;
        std::vector<std::string> other;
        for (std::size_t i = 1; i < d.args.size(); ++i) {
          const std::string& a = d.args[i];
          auto value = [&](const char* key) { return a.substr(std::string(key).size()); };
          if (a.starts_with("weight=")) {
            auto w = core::parse_number(value("weight="));
            if (!w || *w < 1 || *w > 1e6 || std::floor(*w) != *w) {
              diags_.error(d.arg_pos[i], fmt::format("invalid weight '{}'; expected a whole number >= 1, like "
                                                     "weight=3",
                                                     value("weight=")));
            } else {
              s.weight = *w;
            }
          } else if (a.starts_with("max_fails=")) {
            auto v = core::parse_number(value("max_fails="));
            if (!v || *v < 0 || std::floor(*v) != *v || *v > 1000) {
              diags_.error(d.arg_pos[i], fmt::format("invalid max_fails '{}'; expected a whole number from 0 to "
                                                     "1000, like max_fails=3",
                                                     value("max_fails=")));
            } else {
              s.max_fails = static_cast<int>(*v);
            }
          } else if (a.starts_with("fail_timeout=")) {
            if (auto t = time_arg(d, i, value("fail_timeout="), "fail_timeout=")) {
              if (*t <= 0) {
                diags_.error(d.arg_pos[i], "fail_timeout=0; expected a time above 0, like fail_timeout=10s (or "
                                           "max_fails=0 to turn the accounting off)");
              } else {
                s.fail_timeout = *t;
              }
            }
          } else if (a.starts_with("slow_start=")) {
            if (auto t = time_arg(d, i, value("slow_start="), "slow_start=")) s.slow_start = *t;
          } else if (a == "backup") {
            s.backup = true;
          } else if (a == "down") {
            down = true;
          } else if (a.starts_with("max_conns=") || a == "resolve" || a.starts_with("route=") ||
                     a.starts_with("service=") || a == "drain") {
            other.push_back(a);
          } else {
            diags_.error(d.arg_pos[i], fmt::format("unknown server parameter '{}'; expected weight=, max_fails=, "
                                                   "fail_timeout=, backup, down, max_conns= or slow_start=",
                                                   a));
          }
        }
        used_.insert(&d);
        if (down) {
          ignored(d, "marked down: not an instance");
          continue;
        }
        if (!other.empty()) {
          pending(d, fmt::format("{}: not modelled yet", fmt::join(other, " ")));
        }
        (s.backup ? backups : primaries).push_back(s);
      } else if (d.name == "least_conn" || d.name == "ip_hash" || d.name == "random" || d.name == "hash" ||
                 d.name == "least_time") {
        if (method) {
          diags_.error(d.pos, fmt::format("'{}' after '{}' (line {}); expected one balancing method per upstream",
                                          d.name, method->name, method->pos.line));
          continue;
        }
        method = &d;
        if (d.name == "least_conn") {
          need_args(d, 0, 0, "least_conn;");
          lb.algorithm = topology::LbAlgorithm::kLeastConn;
          mapped(d, "components.<lb>.algorithm: least_conn");
        } else if (d.name == "random") {
          need_args(d, 0, 2, "random; or random two least_conn;");
          if (!d.args.empty() && d.args[0] != "two") {
            diags_.error(d.arg_pos[0], fmt::format("unknown random parameter '{}'; expected two", d.args[0]));
          }
          if (d.args.size() == 2 && d.args[1] != "least_conn" && d.args[1] != "least_time=header" &&
              d.args[1] != "least_time=last_byte") {
            diags_.error(d.arg_pos[1], fmt::format("unknown random method '{}'; expected least_conn", d.args[1]));
          }
          if (d.args.empty()) {
            lb.algorithm = topology::LbAlgorithm::kRandom;
            mapped(d, "components.<lb>.algorithm: random");
          } else {
            lb.algorithm = topology::LbAlgorithm::kPowerOfTwo;
            mapped(d, "components.<lb>.algorithm: power_of_two (two random choices, the less loaded)");
          }
        } else if (d.name == "least_time") {
          lb.algorithm = topology::LbAlgorithm::kLeastConn;
          pending(d, "least_time (NGINX Plus) is not modelled; mapped to algorithm: least_conn");
        } else {
          // ip_hash / hash $key: the choice follows the client, which infrasim does not model yet.
          lb.algorithm = topology::LbAlgorithm::kRoundRobin;
          pending(d, fmt::format("{} keys on the client, and infrasim has no clients yet (per-client issue); mapped "
                                 "to algorithm: round_robin",
                                 d.name));
        }
      } else if (d.name == "zone") {
        // Without a zone each worker process keeps its own counts and failures (ngx_http_upstream_module, zone).
        zone_ = &d;
        lb.shared_state = true;
        mapped(d, "components.<lb>.shared_state: true (the worker processes share counts and failures)");
      } else if (d.name == "keepalive" || d.name == "keepalive_timeout" || d.name == "keepalive_requests" ||
                 d.name == "keepalive_time") {
        ignored(d, "connection reuse is not modelled");
      } else {
        ignored(d, ignored_reason(d.name));
      }
    }
    // nginx lists the same machine twice when a `backup` line repeats a primary's address: it adds no instance.
    std::set<std::string> primary_addresses;
    for (const auto& s : primaries) primary_addresses.insert(s.address);
    std::vector<Server> real_backups;
    for (const auto& s : backups) {
      if (primary_addresses.count(s.address)) {
        ignored(*s.d, fmt::format("backup {} is also a primary server: the same machine, so no extra instance",
                                  s.address));
      } else {
        real_backups.push_back(s);
      }
    }
    if (primaries.empty()) {
      diags_.error(up.pos, fmt::format("upstream '{}' has no usable primary server; expected at least one "
                                       "server line without backup or down",
                                       up.args.empty() ? "" : up.args[0]));
      return;
    }
    std::vector<Server> all = primaries;
    all.insert(all.end(), real_backups.begin(), real_backups.end());
    out->instances = static_cast<int>(all.size());
    lb.backup = static_cast<int>(real_backups.size());
    bool weighted = false;
    for (const auto& s : all) weighted = weighted || s.weight != 1;
    if (weighted) {
      for (const auto& s : all) lb.weights.push_back(s.weight);
    }
    std::string servers;
    for (const auto& s : primaries) servers += (servers.empty() ? "" : ", ") + s.address;
    for (const auto& s : real_backups) servers += (servers.empty() ? "" : ", ") + s.address + " (backup)";
    notes_.push_back({ImportNote::Kind::kMapped, up.pos, fmt::format("servers of upstream {}", out->name),
                      fmt::format("components.<backend>.replicas: {} ({}){}", out->instances, servers,
                                  lb.backup ? fmt::format("; components.<lb>.backup: {}", lb.backup) : "")});
    if (weighted) {
      std::string w;
      for (double x : lb.weights) w += (w.empty() ? "" : ", ") + core::format_number(x);
      bool honoured = lb.algorithm == topology::LbAlgorithm::kRoundRobin ||
                      lb.algorithm == topology::LbAlgorithm::kRandom;
      if (lb.algorithm == topology::LbAlgorithm::kRoundRobin) lb.algorithm = topology::LbAlgorithm::kWeighted;
      notes_.push_back(
          {honoured ? ImportNote::Kind::kMapped : ImportNote::Kind::kPending, up.pos, "server weights",
           honoured ? fmt::format("components.<lb>.weights: [{}]{}", w,
                                  lb.algorithm == topology::LbAlgorithm::kWeighted
                                      ? ", algorithm: weighted (nginx's weighted round robin)"
                                      : "")
                    : fmt::format("components.<lb>.weights: [{}]; infrasim's {} ignores weights (nginx compares "
                                  "active/weight): the choice is unweighted",
                                  w, lb.algorithm == topology::LbAlgorithm::kLeastConn ? "least_conn"
                                                                                       : "power_of_two")});
    }
    if (!method) {
      notes_.push_back({ImportNote::Kind::kMapped, up.pos, "no balancing method",
                        weighted ? "nginx's default, weighted round robin" : "components.<lb>.algorithm: round_robin "
                                                                              "(nginx's default)"});
    }
    read_passive(all, &lb);
  }

  // max_fails / fail_timeout / slow_start are per server in nginx and per load balancer in infrasim:
  // the servers agree (the usual case) or the first server's values apply, and that is said.
  void read_passive(const std::vector<Server>& all, topology::LoadBalancerSpec* lb) {
    auto text = [](const Server& s) {
      return fmt::format("max_fails={} fail_timeout={}", s.max_fails, core::format_duration(s.fail_timeout));
    };
    const Server& first = all.front();
    bool same = std::all_of(all.begin(), all.end(), [&](const Server& s) {
      return s.max_fails == first.max_fails && s.fail_timeout == first.fail_timeout;
    });
    lb->passive.kind = first.max_fails == 0 ? topology::PassiveHealth::Kind::kOff : topology::PassiveHealth::Kind::kNginx;
    lb->passive.max_fails = first.max_fails == 0 ? 1 : first.max_fails;
    lb->passive.fail_timeout = first.fail_timeout;
    std::string passive = first.max_fails == 0
                              ? "components.<lb>.passive: off (max_fails=0)"
                              : fmt::format("components.<lb>.passive: {{max_fails: {}, fail_timeout: {}}}",
                                            first.max_fails, core::format_duration(first.fail_timeout));
    for (const Server& s : all) {
      bool given = std::any_of(s.d->args.begin(), s.d->args.end(), [](const std::string& a) {
        return a.starts_with("max_fails=") || a.starts_with("fail_timeout=");
      });
      std::string what = given ? passive : passive + " (nginx's defaults max_fails=1 fail_timeout=10s)";
      if (same || &s == &first) {
        mapped(*s.d, what);
      } else {
        pending(*s.d, fmt::format("{}: infrasim has one passive setting per load balancer, the first server's ({})",
                                  text(s), text(first)));
      }
    }
    std::optional<double> slow;
    bool slow_same = true;
    for (const Server& s : all) {
      if (!s.slow_start) continue;
      if (slow && *slow != *s.slow_start) slow_same = false;
      if (!slow) slow = s.slow_start;
    }
    if (!slow) return;
    bool everywhere = std::all_of(all.begin(), all.end(), [](const Server& s) { return s.slow_start.has_value(); });
    if (slow_same && everywhere) {
      lb->slow_start = *slow;
      notes_.push_back({ImportNote::Kind::kMapped, first.d->pos, "slow_start=",
                        fmt::format("components.<lb>.slow_start: {} (NGINX Plus)", core::format_duration(*slow))});
    } else {
      notes_.push_back({ImportNote::Kind::kPending, first.d->pos, "slow_start=",
                        "infrasim has one slow_start per load balancer; the servers' differ: none written"});
    }
  }

  // worker_processes (main context; nginx's default 1): each worker balances on its own, and without an
  // upstream `zone` keeps its own counts and failures.
  void read_workers(NginxUpstream* out) {
    const NginxDirective* wp = nullptr;
    for (const auto& d : cfg_.directives) {
      if (d.name == "worker_processes") wp = &d;
    }
    if (!wp) return;
    need_args(*wp, 1, 1, "worker_processes 4; or worker_processes auto;");
    if (wp->args.size() != 1) return;
    if (wp->args[0] == "auto") {
      pending(*wp, "auto is one worker per CPU core of nginx's machine, which this file does not say: "
                   "components.<lb>.processes stays 1 (write processes: N)");
      return;
    }
    auto n = core::parse_number(wp->args[0]);
    if (!n || *n < 1 || *n > 1024 || std::floor(*n) != *n) {
      diags_.error(wp->arg_pos[0], fmt::format("invalid worker_processes '{}'; expected a whole number from 1 to "
                                               "1024, or auto",
                                               wp->args[0]));
      return;
    }
    out->lb.processes = static_cast<int>(*n);
    if (out->lb.processes > 1 && !zone_) out->lb.shared_state = false;
    mapped(*wp, fmt::format("components.<lb>.processes: {}{}", out->lb.processes,
                            out->lb.processes > 1 && !zone_ ? " (no zone in the upstream: shared_state: false, each "
                                                              "worker keeps its own view)"
                                                            : ""));
  }

  std::optional<double> one_time(const NginxDirective* d, const char* example) {
    if (!d) return std::nullopt;
    need_args(*d, 1, 1, example);
    if (d->args.size() != 1) return std::nullopt;
    return time_arg(*d, 0, d->args[0]);
  }

  void read_proxying(NginxUpstream* out) {
    std::vector<Proxying> places;
    find_proxying(cfg_.directives, Context{}, out->name, &places, 0);
    std::map<std::string, const NginxDirective*> zones;
    collect_zones(cfg_.directives, &zones, 0);
    topology::LoadBalancerSpec& lb = out->lb;
    if (places.empty()) {
      notes_.push_back({ImportNote::Kind::kIgnored, out->pos, fmt::format("upstream {}", out->name),
                        "no proxy_pass to it in this file: nginx's defaults for timeouts and retries "
                        "(flavor: nginx), no request limit"});
      return;
    }
    // Several locations may proxy to it; infrasim has one backend timeout: the first place's, and the others must agree.
    const Proxying& p = places.front();
    mapped(*p.pass, "the path from the load balancer to the backend");
    for (std::size_t i = 1; i < places.size(); ++i) mapped(*places[i].pass, "the same backend");
    const Context& c = p.ctx;
    if (c.read_timeout) {
      if (auto t = one_time(c.read_timeout, "proxy_read_timeout 60s;")) {
        if (*t <= 0) {
          diags_.error(c.read_timeout->arg_pos[0], "proxy_read_timeout 0; expected a time above 0");
        } else {
          out->read_timeout = *t;
          lb.read_timeout = *t;
          mapped(*c.read_timeout, fmt::format("components.<lb>.read_timeout: {}", core::format_duration(*t)));
          mapped(*c.read_timeout, fmt::format("components.<backend>.timeout: {}", core::format_duration(*t)));
        }
      }
    } else {
      out->read_timeout = 60;
      notes_.push_back({ImportNote::Kind::kMapped, p.pass->pos, "proxy_read_timeout (not set)",
                        "components.<lb>.read_timeout: 1m (nginx's default)"});
      notes_.push_back({ImportNote::Kind::kMapped, p.pass->pos, "proxy_read_timeout (not set)",
                        "components.<backend>.timeout: 1m (nginx's default)"});
    }
    if (c.connect_timeout) {
      if (auto t = one_time(c.connect_timeout, "proxy_connect_timeout 60s;")) {
        if (*t <= 0) {
          diags_.error(c.connect_timeout->arg_pos[0], "proxy_connect_timeout 0; expected a time above 0");
        } else {
          lb.connect_timeout = *t;
          mapped(*c.connect_timeout, fmt::format("components.<lb>.connect_timeout: {}", core::format_duration(*t)));
        }
      }
    }
    read_next_upstream(c, p, &lb);
    // Every limit_req of the level applies to each request (nginx checks them all): a list of limits.
    for (const NginxDirective* d : c.limit_req) read_limit(*d, zones, out);
  }

  // proxy_next_upstream (default: error timeout), _tries (0: no limit), _timeout (0: none).
  void read_next_upstream(const Context& c, const Proxying& p, topology::LoadBalancerSpec* lb) {
    topology::LbRetry& t = lb->retry;
    if (c.next_upstream) {
      const NginxDirective& d = *c.next_upstream;
      if (d.args.empty()) {
        diags_.error(d.pos, "'proxy_next_upstream' takes at least one condition; expected proxy_next_upstream "
                            "error timeout;");
        return;
      }
      t.on_error = t.on_reset = t.on_timeout = t.on_connect_timeout = t.on_5xx = false;
      std::vector<std::string> on, fivexx, unmodelled;
      bool off = false;
      for (std::size_t i = 0; i < d.args.size(); ++i) {
        const std::string& a = d.args[i];
        if (a == "error") {
          t.on_error = t.on_reset = true;
          on.push_back("error");
        } else if (a == "timeout") {
          t.on_timeout = t.on_connect_timeout = true;
          on.push_back("timeout");
        } else if (a == "http_500" || a == "http_502" || a == "http_503" || a == "http_504") {
          t.on_5xx = true;
          fivexx.push_back(a);
        } else if (a == "non_idempotent") {
          t.non_idempotent = true;
        } else if (a == "off") {
          off = true;
        } else if (a == "invalid_header" || a == "http_403" || a == "http_404" || a == "http_429") {
          unmodelled.push_back(a);
        } else {
          diags_.error(d.arg_pos[i],
                       fmt::format("unknown proxy_next_upstream condition '{}'; expected error, timeout, "
                                   "invalid_header, http_500, http_502, http_503, http_504, http_403, http_404, "
                                   "http_429, non_idempotent or off",
                                   a));
        }
      }
      if (off && d.args.size() > 1) {
        diags_.error(d.pos, "proxy_next_upstream off with other conditions; expected off alone");
        return;
      }
      if (off) {
        t = topology::LbRetry{};
        mapped(d, "components.<lb>.retry: off");
      } else {
        if (!fivexx.empty()) on.push_back("http_5xx");
        mapped(d, fmt::format("components.<lb>.retry.on: [{}]{}", fmt::join(on, ", "),
                              t.non_idempotent ? ", non_idempotent: true" : ""));
        if (!fivexx.empty() && fivexx.size() < 4) {
          pending(d, fmt::format("{}: infrasim's error answers have no status code, so http_5xx retries on any of "
                                 "them",
                                 fmt::join(fivexx, " ")));
        }
        if (!unmodelled.empty()) {
          ignored(d, fmt::format("{}: infrasim's backends send no such answers", fmt::join(unmodelled, " ")));
        }
      }
    } else {
      notes_.push_back({ImportNote::Kind::kMapped, p.pass->pos, "proxy_next_upstream (not set)",
                        "components.<lb>.retry.on: [error, timeout] (nginx's default, flavor: nginx)"});
    }
    if (c.next_upstream_tries && !c.next_upstream_tries->args.empty()) {
      const NginxDirective& d = *c.next_upstream_tries;
      need_args(d, 1, 1, "proxy_next_upstream_tries 3;");
      auto n = core::parse_number(d.args[0]);
      if (!n || *n < 0 || *n > 1000 || std::floor(*n) != *n) {
        diags_.error(d.arg_pos[0], fmt::format("invalid proxy_next_upstream_tries '{}'; expected a whole number "
                                               "from 0 (no limit) to 1000",
                                               d.args[0]));
      } else {
        t.tries = static_cast<int>(*n);
        mapped(d, fmt::format("components.<lb>.retry.tries: {}{}", t.tries, t.tries == 0 ? " (no limit)" : ""));
      }
    } else if (c.next_upstream_tries) {
      need_args(*c.next_upstream_tries, 1, 1, "proxy_next_upstream_tries 3;");
    }
    if (auto v = one_time(c.next_upstream_timeout, "proxy_next_upstream_timeout 10s;")) {
      t.timeout = *v;
      mapped(*c.next_upstream_timeout,
             fmt::format("components.<lb>.retry.timeout: {}{}", core::format_duration(*v), *v == 0 ? " (none)" : ""));
    }
  }

  void read_limit(const NginxDirective& d, const std::map<std::string, const NginxDirective*>& zones,
                  NginxUpstream* out) {
    std::string zone;
    int burst = 0, delay_n = 0;
    bool nodelay = false, delay = false;
    for (std::size_t i = 0; i < d.args.size(); ++i) {
      const std::string& a = d.args[i];
      if (a.starts_with("zone=")) {
        zone = a.substr(5);
      } else if (a.starts_with("burst=")) {
        auto b = core::parse_number(a.substr(6));
        if (!b || *b < 0 || *b > 1e7 || std::floor(*b) != *b) {
          diags_.error(d.arg_pos[i], fmt::format("invalid burst '{}'; expected a whole number >= 0, like burst=20",
                                                 a.substr(6)));
        } else {
          burst = static_cast<int>(*b);
        }
      } else if (a == "nodelay") {
        nodelay = true;
      } else if (a.starts_with("delay=")) {
        auto v = core::parse_number(a.substr(6));
        if (!v || *v < 0 || *v > 1e7 || std::floor(*v) != *v) {
          diags_.error(d.arg_pos[i], fmt::format("invalid delay '{}'; expected a whole number >= 0, like delay=8",
                                                 a.substr(6)));
        } else {
          delay = true;
          delay_n = static_cast<int>(*v);
        }
      } else {
        diags_.error(d.arg_pos[i], fmt::format("unknown limit_req parameter '{}'; expected zone=, burst=, nodelay "
                                               "or delay=",
                                               a));
      }
    }
    if (zone.empty()) {
      diags_.error(d.pos, "limit_req has no zone; expected limit_req zone=NAME [burst=N] [nodelay]");
      return;
    }
    auto z = zones.find(zone);
    if (z == zones.end()) {
      std::vector<std::string> known;
      for (const auto& [k, v] : zones) known.push_back(k);
      diags_.error(d.pos,
           core::unknown_name({.noun = "zone",
                               .name = zone,
                               .prefix = "limit_req names ",
                               .none = "no limit_req_zone defines one; expected limit_req_zone KEY zone=NAME:10m "
                                       "rate=10r/s"},
                              known));
      return;
    }
    const NginxDirective& zd = *z->second;
    used_.insert(&zd);
    std::string key;
    std::optional<double> rate;
    for (std::size_t i = 0; i < zd.args.size(); ++i) {
      const std::string& a = zd.args[i];
      if (a.starts_with("rate=")) {
        rate = parse_nginx_rate(a.substr(5));
        if (!rate) {
          diags_.error(zd.arg_pos[i], fmt::format("invalid rate '{}'; expected requests per second or minute, "
                                                  "like rate=10r/s or rate=30r/m",
                                                  a.substr(5)));
        }
      } else if (!a.starts_with("zone=") && !a.starts_with("sync") && key.empty()) {
        key = a;
      }
    }
    if (!rate) {
      if (std::none_of(zd.args.begin(), zd.args.end(), [](const std::string& a) { return a.starts_with("rate="); })) {
        diags_.error(zd.pos, "limit_req_zone has no rate; expected rate=10r/s");
      }
      return;
    }
    // The key (ngx_http_limit_req_module: one bucket per value of the key): a value that differs per
    // client — the address ($binary_remote_addr, $remote_addr, $realip_remote_addr), a header such as
    // an API key or X-Forwarded-For ($http_*), a cookie or query argument ($cookie_*, $arg_*) — makes
    // one bucket per client (key: client); one shared by every request ($server_name, $host,
    // $server_addr, a constant) one bucket (key: global). Other variables (per URL: $uri) are not
    // modelled: said, and no limit is written for them.
    auto per_client = [](const std::string& k) {
      for (const char* v : {"$binary_remote_addr", "$remote_addr", "$realip_remote_addr", "$http_", "$cookie_", "$arg_"}) {
        if (k.find(v) != std::string::npos) return true;
      }
      return false;
    };
    auto shared = [](const std::string& k) {
      return k.find('$') == std::string::npos || k == "$server_name" || k == "$host" || k == "$server_addr";
    };
    topology::RateLimit lim;
    if (per_client(key)) {
      lim.key = topology::RateLimit::Key::kClient;
    } else if (!shared(key)) {
      pending(d, fmt::format("a bucket per value of {} ({}, burst {}): infrasim keys limits by client, class or "
                             "nothing; no rate_limit written",
                             key, core::format_rate(*rate), burst));
      notes_.push_back({ImportNote::Kind::kPending, zd.pos, shown(zd), "the zone of the limit_req above"});
      return;
    }
    if (nodelay && delay) {
      diags_.error(d.pos, "limit_req has both nodelay and delay=; expected one of them");
      return;
    }
    lim.rate = *rate;
    lim.burst = burst;
    lim.nodelay = nodelay;
    lim.delay = delay ? std::min(delay_n, burst) : 0;
    lim.pos = d.pos;
    out->lb.rate_limits.push_back(lim);
    mapped(d, "components.<lb>.rate_limit: " + rate_limit_text(lim) +
                  (lim.key == topology::RateLimit::Key::kClient
                       ? fmt::format(" (a bucket per value of {}: per client)", key)
                       : ""));
    mapped(zd, "the zone of the limit_req above");
  }

  // Everything in the file not used above, in file order.
  void note_rest(const NginxDirective& chosen) {
    std::vector<Note> rest;
    walk_rest(cfg_.directives, chosen, &rest, 0);
    notes_.insert(notes_.end(), rest.begin(), rest.end());
  }

  void walk_rest(const std::vector<NginxDirective>& level, const NginxDirective& chosen, std::vector<Note>* rest,
                 int depth) {
    if (depth > kMaxDepth) return;
    for (const auto& d : level) {
      if (&d == &chosen) continue;
      if (used_.count(&d)) continue;
      if (d.name == "include") {
        rest->push_back({ImportNote::Kind::kIgnored, d.pos, shown(d),
                         "include is not followed: pass the included file to infrasim import too, or inline it"});
        continue;
      }
      if (d.block && d.name == "upstream") {
        rest->push_back({ImportNote::Kind::kIgnored, d.pos, shown(d),
                         fmt::format("another upstream (import it with upstream: {})", d.args.empty() ? "" : d.args[0])});
        continue;
      }
      if (d.block && (d.name == "http" || d.name == "server" || d.name == "location" || d.name == "stream" ||
                      d.name == "if" || d.name == "map" || d.name == "events" || d.name == "types" ||
                      d.name == "limit_except")) {
        if (d.name == "map" || d.name == "events" || d.name == "types" || d.name == "limit_except" || d.name == "if") {
          rest->push_back({ImportNote::Kind::kIgnored, d.pos, shown(d), ignored_reason(d.name)});
          continue;
        }
        walk_rest(d.children, chosen, rest, depth + 1);
        continue;
      }
      rest->push_back({ImportNote::Kind::kIgnored, d.pos, shown(d), ignored_reason(d.name)});
    }
  }

 public:
  std::vector<Note> notes_;

 private:
  const NginxConfig& cfg_;
  Diagnostics& diags_;
  std::set<const NginxDirective*> used_;
  const NginxDirective* zone_ = nullptr;  ///< the upstream's `zone`, if any
};

}  // namespace

std::optional<double> parse_nginx_time(const std::string& text) {
  // ngx_parse_time: ms, s, m, h, d, w, M (30 days), y (365 days); a bare number is seconds.
  if (text.empty() || text.size() > 40) return std::nullopt;
  double total = 0;
  std::size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) return std::nullopt;
    double v = std::stod(text.substr(start, i - start));
    double unit = 1;
    if (i < text.size()) {
      if (text.compare(i, 2, "ms") == 0) {
        unit = 1e-3;
        i += 2;
      } else {
        switch (text[i]) {
          case 's': unit = 1; break;
          case 'm': unit = 60; break;
          case 'h': unit = 3600; break;
          case 'd': unit = 86400; break;
          case 'w': unit = 7 * 86400; break;
          case 'M': unit = 30 * 86400; break;
          case 'y': unit = 365 * 86400; break;
          default: return std::nullopt;
        }
        ++i;
      }
    } else if (any) {
      return std::nullopt;  // "1m30" is not a time in nginx
    }
    total += v * unit;
    any = true;
  }
  if (!std::isfinite(total) || total > 1e12) return std::nullopt;
  return total;
}

std::optional<NginxConfig> parse_nginx(const std::string& file, const std::string& text, Diagnostics& diags) {
  diags.add_source(file, text);
  return Parser(file, text, diags).run();
}

std::optional<NginxUpstream> nginx_upstream(const NginxConfig& config, const std::string& upstream,
                                            const SourcePos& ref, Diagnostics& diags) {
  UpstreamReader r(config, diags);
  auto out = r.read(upstream, ref);
  if (!out) return std::nullopt;
  out->notes = std::move(r.notes_);
  std::stable_sort(out->notes.begin(), out->notes.end(), [](const Note& a, const Note& b) {
    return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
  });
  return out;
}

std::optional<NginxUpstream> load_nginx_upstream(const std::string& path, const std::string& upstream,
                                                 const SourcePos& ref, Diagnostics& diags) {
  std::string why = core::unreadable_reason(path);
  if (!why.empty() && ref.line > 0) {
    diags.error(ref,
            fmt::format("cannot read nginx configuration '{}': {}; expected a readable file", path, why));
    return std::nullopt;
  }
  auto text = core::read_text_file(path, diags);
  if (!text) return std::nullopt;
  auto cfg = parse_nginx(path, *text, diags);
  if (!cfg) return std::nullopt;
  return nginx_upstream(*cfg, upstream, ref, diags);
}

}  // namespace sim::import
