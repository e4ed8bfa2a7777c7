#pragma once
// The bytes of a trace file, however it is packed: a plain file, a bzip2
// stream (several concatenated streams are read one after another, as bunzip2
// does), or the first regular file of a bzip2-compressed tar (the NASA trace's
// workload.tbz2, read in place). Compression is recognised by content, not by
// name. LineReader cuts the bytes into lines for the text formats.
//
// Errors are located Diagnostics, never exceptions: a file that cannot be
// opened is reported where the scenario names it; a corrupt archive at the
// file itself.

#include <bzlib.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"

namespace sim::trace {

// A byte stream over a trace file. Compressed input is recognised by content, not by name: "BZh" starts a
// bzip2 stream (several concatenated streams are read one after another, as bunzip2 does), and a first block
// that is a valid tar header makes it an archive whose first regular file is the trace.
class Input {
 public:
  explicit Input(core::Diagnostics& diags) : diags_(diags) {}
  ~Input() { close(); }
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  /// Opens `path`; a failure to open is reported at `where`, a corrupt archive at the file.
  bool open(const std::string& path, const core::SourcePos& where);

  /// Up to n bytes into buf: the count, 0 at the end, -1 after reporting an error.
  std::ptrdiff_t read(char* buf, std::size_t n);

  /// The name data errors are reported under: the path, or "path(member)" for a file inside an archive.
  const std::string& name() const { return name_; }

 private:
  bool fail_io();

  bool open_bz(const void* unused, int n_unused);

  void close();

  // Bytes from the file, decompressed in bzip2 mode; no tar logic here.
  std::ptrdiff_t raw_read(char* buf, std::size_t n);

  // Reads exactly n bytes (fewer only at the end of the data); -1 after an error.
  std::ptrdiff_t raw_read_full(char* buf, std::size_t n);

  // If the decompressed data is a tar archive, positions the stream at its first regular file; otherwise
  // keeps the bytes read so far for read().
  bool open_tar_member();

  core::Diagnostics& diags_;
  std::string path_, name_, member_name_;
  std::FILE* file_ = nullptr;
  BZFILE* bz_ = nullptr;
  bool bz_mode_ = false;
  int streams_ = 0;
  bool failed_ = false;
  std::string pending_;  // bytes read while probing for a tar header, served first
  std::size_t pending_pos_ = 0;
  bool in_member_ = false;
  std::uint64_t member_left_ = 0;
};

/// Lines of a text file (through Input, so a .bz2 works as well), without the line terminator ("\r\n" too).
class LineReader {
 public:
  explicit LineReader(Input& in) : in_(in), buf_(1 << 16) {}
  /// The next line into `out`; false at the end or after an error (then failed() is true).
  bool next(std::string& out);
  int line() const { return line_; }
  bool failed() const { return failed_; }

 private:
  static void strip_cr(std::string& s);
  Input& in_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  bool eof_ = false, partial_ = false, failed_ = false;
  int line_ = 0;
};

}  // namespace sim::trace
