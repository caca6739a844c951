// What tests may reach inside the RocksDB event log and nothing else may:
// fault hooks. Not part of the EventLog contract; include only from tests.
#ifndef SALESOPS_SERVER_STORE_EVENT_STORE_INTERNAL_H_
#define SALESOPS_SERVER_STORE_EVENT_STORE_INTERNAL_H_

#include <memory>

#include "absl/status/statusor.h"
#include "rocksdb/file_system.h"
#include "server/store/event_store.h"

namespace salesops::store {

struct EventStoreInternal {
  // While set, Append fails as if RocksDB's write had failed (the store is
  // then failed, as after a real write error).
  static void FailWrites(EventStore& store, bool fail) { store.test_fail_writes_.store(fail); }

  // EventStore::Open with every file operation going through `fs` (e.g. a
  // file system that can lose what was not synced: tests/store/fault_fs.h).
  // `fs` must outlive the store.
  static absl::StatusOr<std::unique_ptr<EventStore>> OpenWithFileSystem(const StoreOptions& options,
                                                                        std::shared_ptr<rocksdb::FileSystem> fs);
};

}  // namespace salesops::store

#endif  // SALESOPS_SERVER_STORE_EVENT_STORE_INTERNAL_H_
