// A file system for durability tests that can lose power: what was not
// synced is gone. Like RocksDB's own FaultInjectionTestFS (and LevelDB's
// fault-injection Env), but ours and small.
//
// Use: open the store on it (EventStoreInternal::OpenWithFileSystem), write,
// then simulate the power cut in three steps:
//   fs->Deactivate();   // the machine is dead: later writes, syncs, closes,
//                       // renames and deletes do nothing and return OK (so
//                       // RocksDB's assertions, on in Debian's build, hold)
//   store.reset();      // destroy the store, as the dead process would
//   fs->DropUnsynced(); // every file written meanwhile shrinks to the bytes
//                       // synced (Sync/Fsync; not Flush, not Close); a file
//                       // never synced becomes empty
// and reopen the store on the real file system.
//
// What it models: the page cache is lost, the disk keeps what was synced.
// File creation, renames and deletes are taken as durable once done (the
// directory's own fsync is not modelled; RocksDB makes it anyway). Files
// that existed before it saw them written count as synced.
//
// Thread safety: every method may be called from any thread.
#ifndef SALESOPS_TESTS_STORE_FAULT_FS_H_
#define SALESOPS_TESTS_STORE_FAULT_FS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/file_system.h"

namespace salesops::testing {

class FaultFs final : public rocksdb::FileSystemWrapper {
 public:
  // On the real (default) file system.
  FaultFs();

  const char* Name() const override { return "SalesopsFaultFs"; }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  // The power cut, step 1: from now on writes, syncs, closes, renames and
  // deletes do nothing (and return OK).
  void Deactivate();
  bool active() const;
  // Step 3, after the store is destroyed: truncates every file written
  // since this FaultFs saw it created to its synced length. Returns the
  // number of bytes dropped; an error if a file could not be truncated.
  absl::StatusOr<uint64_t> DropUnsynced();

  // Bookkeeping of one file, for the wrappers.
  struct FileState {
    uint64_t size = 0;    // bytes written
    uint64_t synced = 0;  // bytes durable
  };
  void Written(const std::string& fname, uint64_t end);
  void Synced(const std::string& fname);

 private:
  absl::Status Track(const std::string& fname, bool existing);

  mutable absl::Mutex mu_;
  bool active_ ABSL_GUARDED_BY(mu_) = true;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
};

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_STORE_FAULT_FS_H_
