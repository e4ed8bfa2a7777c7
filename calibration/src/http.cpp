#include "calibration/src/http.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace calib {
namespace {

constexpr std::size_t kMaxHead = 16384;

std::string lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Splits the head into its first line and calls f(name_lowercase, value) per header line.
template <typename F>
std::string_view for_each_header(std::string_view head, F f) {
  std::size_t eol = head.find("\r\n");
  std::string_view first = head.substr(0, eol);
  std::size_t pos = eol + 2;
  while (pos < head.size()) {
    std::size_t next = head.find("\r\n", pos);
    if (next == std::string_view::npos) next = head.size();
    std::string_view line = head.substr(pos, next - pos);
    pos = next + 2;
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    f(lower(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
  }
  return first;
}

}  // namespace

std::optional<RequestHead> parse_request(std::string_view data, bool* bad) {
  *bad = false;
  std::size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (data.size() > kMaxHead) *bad = true;
    return std::nullopt;
  }
  std::string_view head = data.substr(0, end + 4);
  RequestHead r;
  r.length = head.size();
  std::string connection;
  bool has_body = false;
  std::string_view first = for_each_header(head, [&](const std::string& name, std::string_view value) {
    if (name == "connection") connection = lower(value);
    if ((name == "content-length" && value != "0") || name == "transfer-encoding") has_body = true;
  });
  std::size_t sp1 = first.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : first.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || has_body) {
    *bad = true;
    return std::nullopt;
  }
  r.method = std::string(first.substr(0, sp1));
  r.path = std::string(first.substr(sp1 + 1, sp2 - sp1 - 1));
  std::string_view version = first.substr(sp2 + 1);
  if (version == "HTTP/1.1") {
    r.keep_alive = connection.find("close") == std::string::npos;
  } else if (version == "HTTP/1.0") {
    r.keep_alive = connection.find("keep-alive") != std::string::npos;
  } else {
    *bad = true;
    return std::nullopt;
  }
  return r;
}

std::optional<ResponseHead> parse_response(std::string_view data, bool* bad) {
  *bad = false;
  std::size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (data.size() > kMaxHead) *bad = true;
    return std::nullopt;
  }
  std::string_view head = data.substr(0, end + 4);
  ResponseHead r;
  r.head_length = head.size();
  std::string_view first = for_each_header(head, [&](const std::string& name, std::string_view value) {
    if (name == "x-backend") r.backend = std::string(value);
    if (name == "content-length") {
      r.content_length = std::strtoull(std::string(value).c_str(), nullptr, 10);
      r.has_content_length = true;
    }
  });
  // "HTTP/1.1 200 OK"
  if (first.size() < 12 || first.substr(0, 5) != "HTTP/") {
    *bad = true;
    return std::nullopt;
  }
  std::size_t sp = first.find(' ');
  if (sp == std::string_view::npos || sp + 4 > first.size()) {
    *bad = true;
    return std::nullopt;
  }
  r.status = std::atoi(std::string(first.substr(sp + 1, 3)).c_str());
  if (r.status < 100 || r.status > 599) {
    *bad = true;
    return std::nullopt;
  }
  return r;
}

std::string make_response(int status, std::string_view reason, std::string_view backend, std::string_view body,
                          bool keep_alive) {
  std::string r = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  r += "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (!backend.empty()) r += "X-Backend: " + std::string(backend) + "\r\n";
  r += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  r += body;
  return r;
}

}  // namespace calib
