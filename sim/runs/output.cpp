#include "sim/runs/output.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

namespace sim::runs {

namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

std::string write_file(const std::string& path, const std::string& text) {
  fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) {
    fs::create_directories(p.parent_path(), ec);
    if (ec) return fmt::format("cannot write {}: {}", path, ec.message());
  }
  // Beside the destination (the same filesystem, so rename is atomic); the pid keeps
  // parallel children apart.
  std::string tmp = fmt::format("{}.tmp-{}", path, static_cast<long>(getpid()));
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return fmt::format("cannot write {}: {}", path, errno_text());
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fflush(f) == 0 && ok;
  std::string why = ok ? "" : errno_text();
  ok = std::fclose(f) == 0 && ok;
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    why = errno_text();
  }
  if (!ok) {
    std::remove(tmp.c_str());
    return fmt::format("cannot write {}: {}", path, why.empty() ? errno_text() : why);
  }
  return "";
}

std::string write_files(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  for (const auto& [name, text] : files) {
    std::string err = write_file((fs::path(dir) / name).string(), text);
    if (!err.empty()) return err;
  }
  return "";
}

std::string prepare_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fmt::format("cannot write to {}: {}", dir, ec.message());
  std::string probe = fmt::format("{}/.infrasim-probe-{}", dir, static_cast<long>(getpid()));
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return fmt::format("cannot write to {}: {}", dir, errno_text());
  ::close(fd);
  ::unlink(probe.c_str());
  return "";
}

DirLock::DirLock(const std::string& dir) {
  error_ = prepare_dir(dir);
  if (!error_.empty()) return;
  fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) {
    error_ = fmt::format("cannot lock {}: {}", dir, errno_text());
    return;
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    error_ = errno == EWOULDBLOCK ? fmt::format("another infrasim command is writing {}; expected one command per "
                                                "output directory (wait for it, or choose another --out)",
                                                dir)
                                  : fmt::format("cannot lock {}: {}", dir, errno_text());
    ::close(fd_);
    fd_ = -1;
  }
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace sim::runs
