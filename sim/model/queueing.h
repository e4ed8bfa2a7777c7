#pragma once
// Closed-form queueing results, the independent oracles the simulation is
// checked against (tests/engine/queueing_validation_test.cpp) and the
// analytic side of capacity planning.
//
// M/M/c: Poisson arrivals at rate λ, exponential service at rate μ per server,
// c servers, FCFS, infinite queue; offered load a = λ/μ, utilization ρ = a/c < 1.

namespace sim::model {

/// Erlang C: the probability that an arrival waits. REQUIRES: c >= 1, 0 <= a < c.
double erlang_c(int c, double a);
/// Mean time in queue, Wq = C(c, a) / (cμ − λ). REQUIRES: λ < cμ.
double mmc_mean_wait(int c, double lambda, double mu);
/// Mean response time, Wq + 1/μ.
double mmc_mean_response(int c, double lambda, double mu);
/// P(Wq > t) = C(c, a) e^(−(cμ − λ) t).
double mmc_wait_exceeds(int c, double lambda, double mu, double t);
/// The q-quantile of the response time (queue + service), solved numerically
/// from its exact distribution (hypoexponential mixture); exact for c = 1:
/// −ln(1 − q) / (μ − λ).
double mmc_response_quantile(int c, double lambda, double mu, double q);
/// The smallest c whose q-quantile response time is at most `target`, or -1 if
/// none up to `max_c`.
int mmc_min_servers(double lambda, double mu, double q, double target, int max_c);

}  // namespace sim::model
