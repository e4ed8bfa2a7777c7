#pragma once
// nginx configuration files, read as nginx reads them, and the part of one
// that infrasim models: an `upstream {}` block (balancing method, servers
// with weight / max_fails / fail_timeout / backup / down / slow_start, zone),
// the `limit_req` that applies where it is proxied to, the proxy_* timeouts and
// proxy_next_upstream retries there, and worker_processes.
//
// The syntax is nginx's own (src/core/ngx_conf_file.c): directives are words
// ending in ';' or opening a '{ ... }' block; '#' starts a comment; "..." and
// '...' quote (with \" \' \\ \n \t \r escapes); "${var}" is one word. Every
// syntax error is located (file:line:col) and says what was expected; nothing
// is half-read. `include` is not followed: it is reported.

#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/topology/topology.h"

namespace sim::import {

using topology::ImportNote;
using topology::SourcePos;

/// One directive: `name arg...;` or `name arg... { children }`.
struct NginxDirective {
  std::string name;
  std::vector<std::string> args;
  std::vector<SourcePos> arg_pos;  ///< parallel to args
  SourcePos pos;                   ///< of the name
  bool block = false;
  std::vector<NginxDirective> children;
};

struct NginxConfig {
  std::string file;
  std::vector<NginxDirective> directives;  ///< the main context
};

/// Parses nginx configuration text named `file` (registered with diags for
/// excerpts). Syntax errors are located diagnostics; nullopt after any error.
std::optional<NginxConfig> parse_nginx(const std::string& file, const std::string& text, core::Diagnostics& diags);

/// What infrasim takes from one upstream and the places that proxy to it.
struct NginxUpstream {
  std::string name;
  SourcePos pos;
  /// The load balancer nginx is: `flavor: nginx` (topology::flavor_defaults, nginx's own defaults)
  /// with what the file sets over them: algorithm, weights, backup, passive (max_fails /
  /// fail_timeout), slow_start, rate_limit (a limit_req shared by all clients), connect_timeout and
  /// read_timeout (proxy_*_timeout), retry (proxy_next_upstream, _tries, _timeout), processes and
  /// shared_state (worker_processes; an upstream `zone` shares the workers' state).
  topology::LoadBalancerSpec lb = topology::flavor_defaults(topology::LbFlavor::kNginx);
  int instances = 0;                      ///< distinct servers that can receive traffic (primaries, then backups)
  std::optional<double> read_timeout;     ///< proxy_read_timeout where it is proxied to: also the backend's timeout
  std::vector<ImportNote> notes;          ///< mapped, not modelled yet, ignored: every directive, with its place
};

/// Extracts `upstream` ("" = the file's only one) from `config`. A missing name
/// (or several upstreams and none named) is an error at `ref` (where the name
/// was asked for; the config's file:0:0 when empty), listing the known ones.
/// Bad values inside (weight=x, rate=fast) are located errors.
std::optional<NginxUpstream> nginx_upstream(const NginxConfig& config, const std::string& upstream,
                                            const SourcePos& ref, core::Diagnostics& diags);

/// Reads and parses `path`, then nginx_upstream(). Errors about the file itself
/// (missing, unreadable) are located at `ref` when it has a line.
std::optional<NginxUpstream> load_nginx_upstream(const std::string& path, const std::string& upstream,
                                                 const SourcePos& ref, core::Diagnostics& diags);

/// nginx's time syntax: "30s", "1m", "1h30m", "500ms", a bare number of seconds.
std::optional<double> parse_nginx_time(const std::string& text);

}  // namespace sim::import
