#pragma once
// Where input comes from, and how a problem with a name in it is said — once
// for every reader (topology, scenario, sweep, capacity plan, HPA state,
// traces, the command line):
//
//   SourcePos      file:line:column of something written in a file
//   resolve_path   a path as written in a file, relative to that file's folder
//   join, trim     lists of names in messages; text as written around a value
//   unknown_name   "unknown component 'dbx'; did you mean 'db'?" or
//                  "unknown key 'x' in lb; expected one of algorithm, replicas";
//                  a key named as another tool names it ("minReplicas") gets its
//                  infrasim name (core/foreign_names.h)
//
// The YAML reader (core/yaml_reader.h) builds on these: Reader::pos(),
// Reader::error(SourcePos, ...) and MapView::read() (a key's value into a field).

#include <string>
#include <string_view>
#include <vector>

namespace sim::core {

/// Where something was written: 1-based line and column; 0 means the whole
/// file (line 0) or the whole line (column 0).
struct SourcePos {
  std::string file;
  int line = 0, column = 0;
};

/// `path` as written in `base_file`: an absolute path as it is, a relative one
/// from base_file's folder; lexically normalised ("a/../b" -> "b"). Never
/// touches the disk.
std::string resolve_path(const std::string& base_file, const std::string& path);

/// "a, b, c" (or with another separator).
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

/// `text` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

/// What unknown_name() says about a name that is not among the known ones.
struct UnknownName {
  std::string_view noun = {};    ///< what it should have been: "component", "key", "request class"
  std::string_view name = {};    ///< as written
  std::string_view in = {};      ///< where, "" or e.g. "health_check": "unknown key 'x' in health_check"
  std::string_view prefix = {};  ///< before the message: "tier 'web' names " -> "tier 'web' names unknown component ..."
  std::string_view none = "expected one of none";  ///< the second half when nothing is known
};

/// The one message for a name that is not known:
///   "<prefix>unknown key '<name>'[ in <in>]; did you mean '<key>'? (Kubernetes' minReplicas is min here; docs/ecosystem.md)"
///                                                                            a key that is another tool's name for one of `known`
///   "<prefix>unknown <noun> '<name>'[ in <in>]; did you mean '<closest>'?"   a close one exists (closest_match)
///   "<prefix>unknown <noun> '<name>'[ in <in>]; expected one of a, b, c"     otherwise (duplicates listed once)
///   "<prefix>unknown <noun> '<name>'[ in <in>]; <none>"                      `known` is empty
std::string unknown_name(const UnknownName& what, const std::vector<std::string>& known);

/// The name unknown_name() offers in "did you mean" for `what` (the foreign
/// name's counterpart or the closest by edit distance); "" when it offers none.
std::string suggested_name(const UnknownName& what, const std::vector<std::string>& known);

}  // namespace sim::core
