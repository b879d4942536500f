/*
 * icu_places.c - prints the French names ICU knows for places, as gazetteer
 * lines (see stages/lib/entities_gazetteer.h for the format):
 *   LOC<TAB>Royaume-Uni<TAB><TAB>cap
 * (`cap`: matched only when written with capitals: "Chine", not "chine")
 * Sources, all from ICU's own locale data (no network, no hand list):
 *   - every ISO 3166 country and UN M.49 region with a French display name
 *     (uloc_getDisplayCountry with "fr"),
 *   - every time zone's exemplar city in French (Paris, Londres, Montréal).
 * Built and run by config/gen/gen-gazetteers.sh; not part of crible itself.
 */
#include <stdio.h>
#include <string.h>
#include <unicode/uloc.h>
#include <unicode/ucal.h>
#include <unicode/uenum.h>
#include <unicode/ustring.h>
#include <unicode/ures.h>
#include <unicode/putil.h>

static void put(const UChar *u, int32_t n, char *out, size_t cap)
{
    UErrorCode e = U_ZERO_ERROR;
    int32_t len = 0;
    u_strToUTF8(out, (int32_t)cap, &len, u, n, &e);
    if (U_FAILURE(e)) out[0] = 0;
}

int main(void)
{
    UErrorCode e = U_ZERO_ERROR;
    char name[512], code[16];
    UChar buf[256];
    /* countries: ISO codes, then M.49 numeric regions 001..999 */
    const char *const *isos = uloc_getISOCountries();
    for (size_t i = 0; isos[i]; i++) {
        snprintf(code, sizeof code, "und_%s", isos[i]);
        e = U_ZERO_ERROR;
        int32_t n = uloc_getDisplayCountry(code, "fr", buf, 256, &e);
        if (U_FAILURE(e) || n == 0) continue;
        put(buf, n, name, sizeof name);
        if (strcmp(name, isos[i]) == 0) continue;
        printf("LOC\t%s\t\tcap\n", name);
    }
    for (int r = 1; r < 1000; r++) {
        snprintf(code, sizeof code, "und_%03d", r);
        e = U_ZERO_ERROR;
        int32_t n = uloc_getDisplayCountry(code, "fr", buf, 256, &e);
        if (U_FAILURE(e) || n == 0) continue;
        put(buf, n, name, sizeof name);
        /* 001 is "Monde": "le monde" is a common noun, not a place */
        if (strcmp(name, code + 4) == 0 || r == 1) continue;
        printf("LOC\t%s\t\tcap\n", name);
    }
    /* exemplar cities of time zones, from the French zoneStrings */
    e = U_ZERO_ERROR;
    UResourceBundle *zs = ures_openDirect(U_ICUDATA_NAME "-zone", "fr", &e);
    if (U_SUCCESS(e)) {
        UResourceBundle *strings = ures_getByKey(zs, "zoneStrings", NULL, &e);
        while (U_SUCCESS(e) && ures_hasNext(strings)) {
            UResourceBundle *z = ures_getNextResource(strings, NULL, &e);
            if (U_FAILURE(e)) break;
            if (ures_getType(z) == URES_TABLE) {
                UErrorCode e2 = U_ZERO_ERROR;
                int32_t n = 0;
                const UChar *city = ures_getStringByKey(z, "ec", &n, &e2);
                if (U_SUCCESS(e2) && n > 0) {
                    put(city, n, name, sizeof name);
                    printf("LOC\t%s\t\tcap\n", name);
                }
            }
            ures_close(z);
        }
        ures_close(strings);
        ures_close(zs);
    }
    return 0;
}
