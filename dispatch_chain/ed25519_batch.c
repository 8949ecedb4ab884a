/*
 * Dispatch: libsodium's ed25519 verify over a chunk of receipts in one call.
 *
 * Called through cffi (dispatch_chain/ed25519_batch.py), which releases the
 * GIL for the whole call: the Python side parses the next chunk meanwhile.
 * `verify` is PyNaCl's own libsodium crypto_sign_verify_detached (what its
 * crypto_sign_open runs), so each outcome is exactly PyNaCl's. Signatures
 * are 64 bytes each and keys 32, back to back; message i is
 * messages[ends[i-1] .. ends[i]) (ends[-1] = 0). valid[i] is 1 when
 * signature i verifies over message i under key i, else 0.
 */
#include <stddef.h>

typedef int (*dispatch_verify_fn)(const unsigned char *signature, const unsigned char *message,
                                  unsigned long long message_length, const unsigned char *key);

void dispatch_verify_batch(dispatch_verify_fn verify, size_t n, const unsigned char *signatures,
                           const unsigned char *messages, const unsigned long long *ends,
                           const unsigned char *keys, unsigned char *valid) {
  unsigned long long start = 0;
  for (size_t i = 0; i < n; i++) {
    valid[i] = verify(signatures + 64 * i, messages + start, ends[i] - start, keys + 32 * i) == 0;
    start = ends[i];
  }
}
