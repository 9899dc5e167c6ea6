#pragma once
// Intel snapshots for the detector tests: one threat list (and optionally one
// trusted list) written to the test's temporary folder and built as picket
// builds its lists at start-up.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>

#include "picket/intel/store.hpp"

namespace inteltest {

inline std::unique_ptr<const picket::intel::Snapshot> snapshot_with(const std::string& name, const std::string& text,
                                                                    const std::string& trusted = "") {
  namespace intel = picket::intel;
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  intel::IntelConfig cfg;
  cfg.default_lists = false;
  intel::ListSpec s;
  s.path = path;
  cfg.threat_lists.push_back(s);
  if (!trusted.empty()) {
    const std::string tp = ::testing::TempDir() + "/trusted_" + name;
    std::ofstream(tp) << trusted;
    intel::ListSpec t;
    t.path = tp;
    cfg.trusted_lists.push_back(t);
  }
  intel::BuildReport rep;
  auto snap = intel::build_snapshot(cfg, rep);
  EXPECT_TRUE(rep.errors.empty()) << rep.errors[0];
  return snap;
}

}  // namespace inteltest
