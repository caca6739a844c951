// What was built: the version (CMake's project version), the git commit as of
// the last configure, and the build type. For --version and the
// salesops_build_info metric.
#ifndef SALESOPS_SERVER_COMMON_BUILD_INFO_H_
#define SALESOPS_SERVER_COMMON_BUILD_INFO_H_

namespace salesops {

struct BuildInfo {
  const char* version;
  const char* commit;
  const char* build_type;
};

const BuildInfo& Build();

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_BUILD_INFO_H_
