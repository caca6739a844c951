#include "server/common/build_info.h"

#ifndef SALESOPS_VERSION
#define SALESOPS_VERSION "unknown"
#endif
#ifndef SALESOPS_GIT_COMMIT
#define SALESOPS_GIT_COMMIT "unknown"
#endif
#ifndef SALESOPS_BUILD_TYPE
#define SALESOPS_BUILD_TYPE "unknown"
#endif

namespace salesops {

const BuildInfo& Build() {
  static const BuildInfo info{SALESOPS_VERSION, SALESOPS_GIT_COMMIT, SALESOPS_BUILD_TYPE};
  return info;
}

}  // namespace salesops
