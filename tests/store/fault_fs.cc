#include "tests/store/fault_fs.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"

namespace salesops::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

// One writable file: forwards while the FaultFs is active and reports what
// was written and synced; does nothing once it is not.
class FaultFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultFile(FaultFs& fs, std::string fname, std::unique_ptr<rocksdb::FSWritableFile> file, uint64_t size)
      : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), fname_(std::move(fname)), size_(size) {}

  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options, IODebugContext* dbg) override {
    if (!fs_.active()) return IOStatus::OK();
    IOStatus s = target()->Append(data, options, dbg);
    if (s.ok()) Wrote(size_ + data.size());
    return s;
  }
  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
    if (!fs_.active()) return IOStatus::OK();
    IOStatus s = target()->Append(data, options, info, dbg);
    if (s.ok()) Wrote(size_ + data.size());
    return s;
  }
  IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const IOOptions& options,
                            IODebugContext* dbg) override {
    if (!fs_.active()) return IOStatus::OK();
    IOStatus s = target()->PositionedAppend(data, offset, options, dbg);
    if (s.ok()) Wrote(std::max(size_, offset + data.size()));
    return s;
  }
  IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
    if (!fs_.active()) return IOStatus::OK();
    IOStatus s = target()->PositionedAppend(data, offset, options, info, dbg);
    if (s.ok()) Wrote(std::max(size_, offset + data.size()));
    return s;
  }
  IOStatus Truncate(uint64_t size, const IOOptions& options, IODebugContext* dbg) override {
    if (!fs_.active()) return IOStatus::OK();
    IOStatus s = target()->Truncate(size, options, dbg);
    if (s.ok()) Wrote(size);
    return s;
  }
  IOStatus Flush(const IOOptions& options, IODebugContext* dbg) override {
    if (!fs_.active()) return IOStatus::OK();
    return target()->Flush(options, dbg);
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    if (!fs_.active()) return IOStatus::OK();
    IOStatus s = target()->Sync(options, dbg);
    if (s.ok()) fs_.Synced(fname_);
    return s;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    if (!fs_.active()) return IOStatus::OK();
    IOStatus s = target()->Fsync(options, dbg);
    if (s.ok()) fs_.Synced(fname_);
    return s;
  }
  // sync_file_range: starts writeback, promises nothing.
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const IOOptions& options, IODebugContext* dbg) override {
    if (!fs_.active()) return IOStatus::OK();
    return target()->RangeSync(offset, nbytes, options, dbg);
  }
  IOStatus Close(const IOOptions& options, IODebugContext* dbg) override {
    if (!fs_.active()) return IOStatus::OK();
    return target()->Close(options, dbg);
  }
  // The size RocksDB sees is what it wrote, synced or not.
  uint64_t GetFileSize(const IOOptions& options, IODebugContext* dbg) override {
    if (!fs_.active()) return size_;
    return target()->GetFileSize(options, dbg);
  }

 private:
  void Wrote(uint64_t end) {
    size_ = end;
    fs_.Written(fname_, end);
  }

  FaultFs& fs_;
  const std::string fname_;
  uint64_t size_;  // this handle is used by one thread at a time
};

}  // namespace

FaultFs::FaultFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

bool FaultFs::active() const {
  absl::MutexLock lock(&mu_);
  return active_;
}

void FaultFs::Deactivate() {
  absl::MutexLock lock(&mu_);
  active_ = false;
}

void FaultFs::Written(const std::string& fname, uint64_t end) {
  absl::MutexLock lock(&mu_);
  if (!active_) return;
  files_[fname].size = end;
}

void FaultFs::Synced(const std::string& fname) {
  absl::MutexLock lock(&mu_);
  if (!active_) return;
  FileState& f = files_[fname];
  f.synced = f.size;
}

IOStatus FaultFs::NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                  std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->NewWritableFile(fname, options, &file, dbg);
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    // A new (emptied) file: nothing of it is durable yet. Once the power is
    // cut, the file stays as the cut found it.
    if (active_) files_[fname] = FileState{};
  }
  *result = std::make_unique<FaultFile>(*this, fname, std::move(file), 0);
  return IOStatus::OK();
}

IOStatus FaultFs::ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                     std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->ReopenWritableFile(fname, options, &file, dbg);
  if (!s.ok()) return s;
  uint64_t size = 0;
  {
    absl::MutexLock lock(&mu_);
    auto known = files_.find(fname);
    if (known != files_.end()) {
      size = known->second.size;
    } else {
      std::error_code ignored;
      size = std::filesystem::file_size(fname, ignored);
      if (ignored) size = 0;
      // Written before we saw it: durable.
      if (active_) files_[fname] = FileState{size, size};
    }
  }
  *result = std::make_unique<FaultFile>(*this, fname, std::move(file), size);
  return IOStatus::OK();
}

IOStatus FaultFs::ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                    const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  // A recycled log: the rename, then a file written from its start.
  IOStatus s = RenameFile(old_fname, fname, IOOptions(), dbg);
  if (!s.ok()) return s;
  return NewWritableFile(fname, options, result, dbg);
}

IOStatus FaultFs::RenameFile(const std::string& src, const std::string& target_name, const IOOptions& options,
                             IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  if (!active_) return IOStatus::OK();
  IOStatus s = target()->RenameFile(src, target_name, options, dbg);
  if (!s.ok()) return s;
  auto moved = files_.find(src);
  if (moved != files_.end()) {
    files_[target_name] = moved->second;
    files_.erase(moved);
  } else {
    files_.erase(target_name);  // replaced by a file written before we saw it
  }
  return s;
}

IOStatus FaultFs::DeleteFile(const std::string& fname, const IOOptions& options, IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  if (!active_) return IOStatus::OK();
  IOStatus s = target()->DeleteFile(fname, options, dbg);
  if (s.ok()) files_.erase(fname);
  return s;
}

absl::StatusOr<uint64_t> FaultFs::DropUnsynced() {
  absl::MutexLock lock(&mu_);
  uint64_t dropped = 0;
  for (const auto& [fname, state] : files_) {
    std::error_code error;
    const uint64_t size = std::filesystem::file_size(fname, error);
    if (error) continue;  // never created, or gone
    if (size <= state.synced) continue;
    std::filesystem::resize_file(fname, state.synced, error);
    if (error) return absl::InternalError(absl::StrCat("cannot truncate ", fname, ": ", error.message()));
    dropped += size - state.synced;
  }
  return dropped;
}

}  // namespace salesops::testing
