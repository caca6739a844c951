// The precompiled header of the sanitizer build (SALESOPS_PCH, which the
// README's test command turns on): the headers nearly every translation unit
// parses — the generated messages and stubs, gRPC, Abseil's most used parts,
// GoogleTest and GoogleMock — so that they are parsed once, not in each of
// ~300 files: that build is what most of .ci/run's time goes to. Nothing here
// may be relied on: every file still includes what it uses, which the
// builds without it check — the ordinary build of a local `dev.sh test`,
// and in CI the clang fuzz build for the libraries its targets link.
#ifndef SALESOPS_TESTS_PRECOMPILED_H_
#define SALESOPS_TESTS_PRECOMPILED_H_

#include <grpcpp/grpcpp.h>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salesops/v1/admin.grpc.pb.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/coaching.grpc.pb.h"
#include "salesops/v1/internal.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/meetings.grpc.pb.h"
#include "salesops/v1/orders.grpc.pb.h"
#include "salesops/v1/support.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"

#endif  // SALESOPS_TESTS_PRECOMPILED_H_
