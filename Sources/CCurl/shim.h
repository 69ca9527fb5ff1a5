#ifndef CORRAL_CCURL_SHIM_H
#define CORRAL_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
// wrapper per kind of argument.

/// A callback for CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION or CURLOPT_READFUNCTION.
typedef size_t (*corral_curl_callback)(char *buffer, size_t size, size_t count, void *context);

static inline CURLcode corral_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode corral_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode corral_curl_set_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode corral_curl_set_callback(CURL *handle, CURLoption option, corral_curl_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode corral_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
