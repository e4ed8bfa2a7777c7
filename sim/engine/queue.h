#pragma once
// A message queue tier (RabbitMQ/SQS-like): the broker acknowledges publishes
// (a call served by its station, see RequestFlow), messages wait FIFO, and
// `consumers` × `concurrency` consumer slots process them as CPU work on the
// consumer hosts (kernel jobs, so they share those hosts' CPUs). A failed job
// (failure_ratio) is retried after retry_delay, up to max_retries, then
// dead-lettered. A consumer that dies requeues its unacknowledged message at
// the head of the queue (RabbitMQ requeues it) and resumes when its host is back.

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "sim/core/random.h"
#include "sim/engine/cpu.h"
#include "sim/engine/tier.h"

namespace sim::engine {

class World;

class MessageQueue final : public Tier, public EventSink, public CpuClient {
 public:
  MessageQueue(World& world, int component);
  int broker() const { return stations_.front(); }
  /// A message was acknowledged by the broker at the kernel's now.
  void publish();

  void instance_down(int station, const std::string& why) override;
  void instance_up(int station) override;
  void collect(model::ComponentStats& out) override;
  double window_extra() override;
  void on_event(const Event& e) override;          ///< a retried message is due
  void cpu_done(std::uint64_t slot, bool ok) override;

 private:
  struct Message {
    double published = 0;
    int attempts = 0;
  };
  struct Slot {
    int station = -1;
    std::optional<Message> current;
    bool idle = true;
    core::Rng rng;
  };
  void enqueue(Message m, bool front);
  void dispatch();

  World& w_;
  int component_;
  std::vector<int> stations_;     ///< [0] broker, then consumers
  std::deque<Message> messages_;
  std::vector<Slot> slots_;
  std::deque<int> idle_;          ///< idle slots, in the order they became idle
  std::deque<Message> retry_line_;  ///< constant delay: due in FIFO order
  std::uint64_t jobs_done_ = 0, retried_ = 0, dead_letters_ = 0, depth_max_ = 0, window_depth_max_ = 0;
};

}  // namespace sim::engine
