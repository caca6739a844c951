#ifndef SALESOPS_SERVER_COMMON_OPENSSL_EXIT_H_
#define SALESOPS_SERVER_COMMON_OPENSSL_EXIT_H_

namespace salesops {

// Tells OpenSSL not to clean up in an atexit handler. Call first in main(),
// before anything uses OpenSSL (gRPC's TLS included).
//
// Why: OpenSSL 3 frees a thread's error state (an ERR_STATE, 904 bytes) from
// a thread-exit destructor whose key its atexit cleanup deletes. gRPC's
// threads may still be exiting while main() returns; one that exits after
// that cleanup keeps its error state, reachable from nothing: a leak the
// sanitizer pass reported once in a few hundred salesctl runs over TLS
// (grpc/grpc#38539 describes the same). Without the atexit cleanup every
// thread frees its own state as it exits, and the process's memory goes back
// to the system at exit as it always does.
void KeepOpenSslUntilExit();

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_OPENSSL_EXIT_H_
