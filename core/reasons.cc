#include "core/reasons.h"

namespace keyledger {

const std::string& reason_string(Reason reason) {
  // Never destroyed, so a Status destroyed at exit can still be read.
  static const auto* const kStrings = [] {
    auto* strings = new std::array<std::string, kReasonNames.size()>;
    for (std::size_t i = 0; i < kReasonNames.size(); ++i)
      (*strings)[i] = std::string(kReasonNames[i].name);
    return strings;
  }();
  return (*kStrings)[static_cast<std::size_t>(reason)];
}

}  // namespace keyledger
