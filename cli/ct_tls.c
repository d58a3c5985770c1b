// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The connectivity test's CA, made on the spot with libcrypto: an EC P-256
 * self-signed CA, and the HTTPS server's certificate it signs for
 * echo.netobs-ct.test, 10.247.0.20 and fd00:6e6f:6374::20. The CA's key is
 * never written: nothing else is ever signed with it, so a copy of ca.pem
 * trusts this run's server and nothing more.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ct_internal.h"

#define CT_CERT_DAYS 30

static int tls_fail(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();

	snprintf(err, errlen, "making the test CA: %s: %s", what,
		 e ? ERR_reason_error_string(e) : "failed");
	ERR_clear_error();
	return -1;
}

static int cert_add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* A certificate for key, named cn, issued by issuer (NULL: itself) and signed with issuer_key. */
static X509 *cert_make(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key)
{
	X509 *cert = X509_new();
	unsigned char serial[16];
	BIGNUM *serial_bn = NULL;
	X509_NAME *name;

	if (!cert || RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f; /* a positive serial */
	serial_bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!serial_bn || !BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(cert)) ||
	    !X509_set_version(cert, X509_VERSION_3) ||
	    /* An hour back: clocks of the namespaces are the host's, but a probe may run elsewhere. */
	    !X509_gmtime_adj(X509_getm_notBefore(cert), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(cert), 60L * 60 * 24 * CT_CERT_DAYS) ||
	    !X509_set_pubkey(cert, key))
		goto fail;
	name = X509_get_subject_name(cert);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					(const unsigned char *)"netobs connectivity test", -1, -1,
					0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
					0) ||
	    !X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name))
		goto fail;
	if (!issuer) {
		if (cert_add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
		    cert_add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") ||
		    cert_add_ext(cert, cert, NID_subject_key_identifier, "hash"))
			goto fail;
	} else {
		if (cert_add_ext(cert, issuer, NID_basic_constraints, "critical,CA:FALSE") ||
		    cert_add_ext(cert, issuer, NID_key_usage, "critical,digitalSignature") ||
		    cert_add_ext(cert, issuer, NID_ext_key_usage, "serverAuth") ||
		    cert_add_ext(cert, issuer, NID_subject_key_identifier, "hash") ||
		    cert_add_ext(cert, issuer, NID_authority_key_identifier, "keyid:always") ||
		    cert_add_ext(cert, issuer, NID_subject_alt_name,
				 "DNS:echo.netobs-ct.test,IP:10.247.0.20,IP:fd00:6e6f:6374::20"))
			goto fail;
	}
	if (!X509_sign(cert, issuer_key, EVP_sha256()))
		goto fail;
	BN_free(serial_bn);
	return cert;
fail:
	BN_free(serial_bn);
	X509_free(cert);
	return NULL;
}

/* Write a PEM file: the certificate, or the private key (then readable by root only). */
static int pem_write(const char *name, X509 *cert, EVP_PKEY *key, char *err, size_t errlen)
{
	char path[PATH_MAX];
	FILE *f;
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", CT_STATE_DIR, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, key ? 0600 : 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)
		 : PEM_write_X509(f, cert);
	if (fclose(f) != 0 || !ok) {
		snprintf(err, errlen, "writing %s: %s", path, ok ? strerror(errno) : "PEM error");
		return -1;
	}
	return 0;
}

int ct_tls_make_ca(char *err, size_t errlen)
{
	EVP_PKEY *ca_key = NULL, *server_key = NULL;
	X509 *ca = NULL, *server = NULL;
	int ret = -1;

	ca_key = EVP_EC_gen("P-256");
	server_key = EVP_EC_gen("P-256");
	if (!ca_key || !server_key) {
		tls_fail(err, errlen, "generating P-256 keys");
		goto out;
	}
	ca = cert_make(ca_key, "netobs connectivity test CA", NULL, ca_key);
	if (!ca) {
		tls_fail(err, errlen, "the CA certificate");
		goto out;
	}
	server = cert_make(server_key, "echo.netobs-ct.test", ca, ca_key);
	if (!server) {
		tls_fail(err, errlen, "the server certificate");
		goto out;
	}
	if (pem_write(CT_CA_FILE, ca, NULL, err, errlen) ||
	    pem_write(CT_CERT_FILE, server, NULL, err, errlen) ||
	    pem_write(CT_KEY_FILE, NULL, server_key, err, errlen))
		goto out;
	ret = 0;
out:
	X509_free(server);
	X509_free(ca);
	EVP_PKEY_free(server_key);
	EVP_PKEY_free(ca_key);
	return ret;
}
