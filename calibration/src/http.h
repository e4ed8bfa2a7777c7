#pragma once
// The little HTTP/1.1 the calibration tools speak: a request head (no body) on the
// backend's side, a response's status, headers and Content-Length body on the load
// generator's side. Enough for nginx and HAProxy as reverse proxies; not a general
// HTTP implementation (no chunked bodies, no pipelining).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace calib {

struct RequestHead {
  std::string method;
  std::string path;
  bool keep_alive = true;   ///< HTTP/1.1 without "Connection: close", or HTTP/1.0 with keep-alive
  std::size_t length = 0;   ///< bytes of the head, including the blank line
};

/// Parses the request head at the start of `data`. Returns nullopt while the head is
/// incomplete; sets *bad when the bytes cannot be a request (then close the connection).
std::optional<RequestHead> parse_request(std::string_view data, bool* bad);

struct ResponseHead {
  int status = 0;
  std::string backend;            ///< the X-Backend header, empty when absent
  std::size_t head_length = 0;    ///< bytes of the head, including the blank line
  std::size_t content_length = 0; ///< 0 when absent
  bool has_content_length = false;
};

/// Parses a response head at the start of `data`: nullopt while incomplete; *bad when malformed.
std::optional<ResponseHead> parse_response(std::string_view data, bool* bad);

/// A complete response with a small text body, and X-Backend: `backend` when not empty.
std::string make_response(int status, std::string_view reason, std::string_view backend, std::string_view body,
                          bool keep_alive);

}  // namespace calib
