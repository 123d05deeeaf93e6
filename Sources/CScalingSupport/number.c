#define _GNU_SOURCE
#include "scaling_support.h"

#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// The "C" locale, made once: strtod_l with it reads a '.' decimal point whatever the process locale is.
static locale_t c_locale = (locale_t)0;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void) {
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

int scaling_strtod(const unsigned char *bytes, size_t count, double *value) {
    char small[64];
    char *text = count < sizeof small ? small : malloc(count + 1);
    if (text == NULL) return 0;
    memcpy(text, bytes, count);
    text[count] = '\0';
    pthread_once(&c_locale_once, make_c_locale);
    char *end = NULL;
    double result = c_locale != (locale_t)0 ? strtod_l(text, &end, c_locale) : strtod(text, &end);
    int ok = count > 0 && end == text + count;
    if (text != small) free(text);
    if (ok) *value = result;
    return ok;
}
