#pragma once
// The hunt's wall-clock budget: the one place the hunt reads a clock. It never reaches a run
// (each run sees only its options and seed); it only decides when the search stops trying.

#include <chrono>

namespace millpond::sim {

class WallBudget {
  public:
    explicit WallBudget(double seconds)
        : start_(std::chrono::steady_clock::now()), seconds_(seconds) {}

    double elapsed_s() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
    // True once `fraction` of the budget is used.
    bool spent(double fraction = 1.0) const { return elapsed_s() >= seconds_ * fraction; }
    double seconds() const { return seconds_; }

  private:
    std::chrono::steady_clock::time_point start_;
    double seconds_;
};

}  // namespace millpond::sim
