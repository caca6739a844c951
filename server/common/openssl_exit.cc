#include "server/common/openssl_exit.h"

#include <openssl/crypto.h>

namespace salesops {

void KeepOpenSslUntilExit() { OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr); }

}  // namespace salesops
