#ifndef SYNTOP_COPENSSL_SHIM_H
#define SYNTOP_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

/* OpenSSL spells these as macros over SSL_ctrl, which Swift cannot call. */
static inline int syntop_ssl_ctx_min_tls12(SSL_CTX *context) {
    return (int)SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}
static inline int syntop_ssl_set_sni(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
/* A peer that closes without close_notify has closed, as Redis does; a renegotiation is refused. */
static inline void syntop_ssl_ctx_client_options(SSL_CTX *context) {
    SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}
static inline int syntop_err_reason(unsigned long code) {
    return ERR_GET_REASON(code);
}
/* Called when the server asks for a client certificate and none was given: marks the session,
   so that the close that follows is explained, and sends none. */
static int syntop_certificate_requested(SSL *ssl, X509 **certificate, EVP_PKEY **key) {
    (void)certificate;
    (void)key;
    SSL_set_app_data(ssl, (void *)1);
    return 0;
}
static inline void syntop_ssl_ctx_note_certificate_requests(SSL_CTX *context) {
    SSL_CTX_set_client_cert_cb(context, syntop_certificate_requested);
}
static inline int syntop_ssl_certificate_was_requested(const SSL *ssl) {
    return SSL_get_app_data(ssl) != NULL;
}
#endif
