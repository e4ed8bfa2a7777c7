#pragma once
// Every file infrasim writes goes through here: written to a temporary file
// beside its destination, then renamed over it, so an interrupted run (killed,
// out of disk) never leaves half a report: a reader finds the old file or the
// new one, never a mix. Output directories are checked before anything runs,
// and a batch command holds a lock on its output directory so that two
// commands cannot write (or clean) the same one at once.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sim::runs {

/// Writes `text` to `path` atomically (temporary file + rename), creating the
/// folders on the way. Returns "" on success, else why not ("cannot write
/// reports/x/report.json: No space left on device").
std::string write_file(const std::string& path, const std::string& text);

/// Writes several files into `dir`, each atomically, in the given order (put the
/// file that marks a complete output last). Stops at the first failure; returns
/// "" or why it failed.
std::string write_files(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files);

/// Creates `dir` if needed and checks that files can be created in it. Returns
/// "" or why not ("cannot write to /x: Permission denied"): commands call it for
/// their outputs before running anything, so that an unwritable --out is bad
/// input (exit 2) and not a failure after hours of simulation.
std::string prepare_dir(const std::string& dir);

/// An exclusive lock on a directory (flock), held until destroyed or the process
/// and its children end. Another infrasim holding it is reported, not waited for.
class DirLock {
 public:
  /// Locks `dir` (created if needed). On failure `error()` says why: "another
  /// infrasim command is writing DIR; expected one command per output directory".
  explicit DirLock(const std::string& dir);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

}  // namespace sim::runs
