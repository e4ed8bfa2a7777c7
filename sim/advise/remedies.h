#pragma once
// The standard remedies for a breached target (infrasim advise), chosen from
// the scenario's faults, the topology and what the baseline run reported. Pure:
// the command runs each remedy as a variant of the scenario (--set overrides)
// and advice.h judges and ranks them.
//
// AWS Resilience Hub recommends such changes from a configuration; here each is
// verified by simulation. The catalogue, and when each applies:
//
//   remedy                          applies to                                          change
//   one more replica                a tier the baseline saw saturated after a fault     replicas (nodes) + 1, and the count
//                                   (recovery "why": queue_full, busy %), or a          the saturation estimate needs
//                                   single-instance component a fault takes down
//   spreading over zones            a component whose every instance sits in a zone     zones: every zone of its region,
//                                   that a fault loses                                  replicas at least one per zone
//   synchronous replication         RPO of a database failover with async replication   replication.mode: sync
//   a shorter health-check interval RTO of a failover (the database's detection) or of  interval / 5 (at least 1s), timeout
//                                   an instance behind a load balancer's checks          at most the interval
//   a lower DNS TTL                 RTO of a database failover with a TTL above 5 s     failover.dns_ttl: 5s (RDS's endpoint)
//   more frequent backups           RPO of a restore from backup                        backup.interval: the RPO target
//   a retry budget                  error rate or RTO under faults                      not available yet: infrasim has no
//                                                                                       client retries (listed, never run)
//
// Each remedy carries alternative override sets (forms): the command applies the
// first whose paths exist in the files (a key deep in a block the topology does
// not write is set as the whole block, with the values the topology resolves to).

#include <string>
#include <vector>

#include "sim/report/run_report.h"
#include "sim/scenario/scenario.h"
#include "sim/topology/topology.h"

namespace sim::advise {

struct Remedy {
  std::string id;        ///< directory-safe and unique: "db-dns-ttl", "app-replicas-4"
  std::string kind;      ///< the remedy's name in the catalogue above
  std::string change;    ///< what changes, for people: "db: DNS TTL 60s -> 5s"
  std::vector<std::vector<std::string>> forms;  ///< override sets (--set syntax), tried in order
  std::vector<std::string> addresses;           ///< the breached checks it is meant for
  std::string cost_note;  ///< what it costs that a run does not measure ("" = nothing beyond the measured)
  int instances_added = 0;  ///< instances it adds to the topology
  bool available = true;    ///< false: not in this version; `change` says why
};

/// The checks the baseline breached (failing expectations and resilience targets), in its order.
std::vector<std::string> breached_checks(const report::RunReport& baseline);

/// The remedies worth trying for the baseline's breached checks, in catalogue order, each once.
/// The unavailable remedies that would apply are listed too (available = false).
std::vector<Remedy> remedies_for(const scenario::Scenario& s, const topology::Topology& t,
                                 const report::RunReport& baseline);

/// A duration in the files' syntax, exact: "1s", "0.5s", "300s".
std::string duration_value(double seconds);

}  // namespace sim::advise
