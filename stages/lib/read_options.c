/*
 * read_options.c - the `read:` section (crible-read): its schema, its
 * defaults, and its loading into crible_read_options (read_options.h).
 * Boilerplate patterns are compiled once here, at validation time, so that a
 * bad regular expression is reported with the file:line:column of the
 * pattern in the YAML file, before any input is read.
 */
#include "read_options.h"

#include <string.h>
#include <unicode/uregex.h>
#include <unicode/utext.h>

#include "options.h"

static const char *const format_names[] = {
    "auto", "text", "markdown", "html", "jsonl", "csv", "tsv", NULL
};
static const char *const invalid_choices[] = {"error", "replace", NULL};

/* French web boilerplate.  Each pattern is matched against the whole text
 * (after CRLF normalization) and every match is cut.  Worked example, the end
 * of a scraped review:
 *     ...Disponible sur Netflix.\n\nLaisser un commentaire\n\nVotre adresse
 *     e-mail ne sera pas publiée. ...\n\nRésoudre : *\n28 ⁄ 4 =
 * pattern 1 cuts from "Laisser un commentaire" (alone on its line) to the
 * end; the others catch the same pieces when they stand elsewhere. */
const char *const crible_read_boilerplate_defaults[] = {
    /* 1. a comment form heading alone on its line, and everything after it */
    "(?ims)^[\\t \\x{00A0}]*(?:laisser|laissez|ajouter|poster|écrire|rédiger|publier)"
    " (?:un|une|votre) (?:commentaire|réponse|avis)[\\t .:!\\x{00A0}]*$.*\\z",
    /* 2. the e-mail notice of comment forms */
    "(?im)^[\\t ]*votre adresse (?:e-?mail|de messagerie|électronique|mail)"
    " ne sera pas (?:publiée|affichée).*$",
    "(?im)^[\\t ]*les champs obligatoires sont (?:indiqués|marqués).*$",
    /* 3. arithmetic captchas: "Résoudre : *" and the "28 ⁄ 4 =" line after it */
    "(?im)^[\\t ]*(?:résoudre|résolvez|calculez|calculer)[\\t \\x{00A0}]*:.*(?:\\n.*=[\\t ]*\\S{0,4}[\\t ]*)?$",
    /* 4. share buttons */
    "(?im)^[\\t ]*(?:partager|partagez)(?: cet article| l['’]article| sur| via)?"
    "[\\t \\x{00A0}]*:?[\\t ]*(?:(?:facebook|twitter|x|linkedin|whatsapp|pinterest|"
    "telegram|reddit|e-?mail|imprimer|bluesky|threads)[\\t ,|·•]*)*$",
    /* 5. newsletter and cookie banners */
    "(?im)^[\\t ]*(?:abonnez-vous|inscrivez-vous) (?:à|a) (?:notre|la) newsletter.*$",
    "(?i)\\b(?:ce site utilise|nous utilisons) des cookies\\b[^\\n]*",
    NULL
};

static const char *const html_drop_defaults[] = {
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "object",
    "embed", "nav", "aside", "footer", "form", "button", "select", "textarea"
};

static const char *text_field_default[] = {"text"};

/* Compiles one pattern to report its syntax errors where it is written. */
static crible_status check_regex(const crible_node *n, crible_error *err)
{
    UErrorCode uerr = U_ZERO_ERROR;
    UParseError perr;
    UText *ut = utext_openUTF8(NULL, n->value, -1, &uerr);
    URegularExpression *re = uregex_openUText(ut, 0, &perr, &uerr);
    crible_status st = CRIBLE_OK;
    if (U_FAILURE(uerr))
        st = crible_node_error(n, err, CRIBLE_ECONFIG,
                               "invalid regular expression '%s': %s (pattern line %d, offset %d)",
                               n->value, u_errorName(uerr), perr.line, perr.offset);
    uregex_close(re);
    utext_close(ut);
    return st;
}

static crible_status check_patterns(const crible_config *config, const crible_node *value,
                                    crible_error *err)
{
    (void)config;
    if (value->kind == CRIBLE_NODE_SCALAR)
        return check_regex(value, err);
    for (size_t i = 0; i < value->count; i++) {
        crible_status st = check_regex(value->items[i], err);
        if (st != CRIBLE_OK)
            return st;
    }
    return CRIBLE_OK;
}

static crible_status check_delimiter(const crible_config *config, const crible_node *value,
                                     crible_error *err)
{
    (void)config;
    const char *v = value->value;
    if (!v || strlen(v) != 1 || v[0] == '"' || v[0] == '\n' || v[0] == '\r')
        return crible_node_error(value, err, CRIBLE_ECONFIG,
                                 "'csv_delimiter' must be one ASCII character other than"
                                 " a quote or a line break, like \",\" or \";\"");
    return CRIBLE_OK;
}

static const crible_schema fields_schema[] = {
    {.key = "id", .type = CRIBLE_TYPE_STRING},
    {.key = "title", .type = CRIBLE_TYPE_STRING},
    {.key = "text", .type = CRIBLE_TYPE_LIST},
    {0}
};

static const crible_schema boilerplate_schema[] = {
    {.key = "defaults", .type = CRIBLE_TYPE_BOOL},
    {.key = "patterns", .type = CRIBLE_TYPE_LIST, .check = check_patterns},
    {0}
};

const crible_schema crible_schema_read[] = {
    {.key = "format", .type = CRIBLE_TYPE_STRING, .choices = format_names},
    {.key = "invalid_utf8", .type = CRIBLE_TYPE_STRING, .choices = invalid_choices},
    {.key = "hidden", .type = CRIBLE_TYPE_BOOL},
    {.key = "title_from_first_line", .type = CRIBLE_TYPE_BOOL},
    {.key = "max_size", .type = CRIBLE_TYPE_SIZE},
    {.key = "fields", .type = CRIBLE_TYPE_MAP, .children = fields_schema},
    {.key = "csv_delimiter", .type = CRIBLE_TYPE_STRING, .check = check_delimiter},
    {.key = "html_drop", .type = CRIBLE_TYPE_LIST},
    {.key = "boilerplate", .type = CRIBLE_TYPE_MAP, .children = boilerplate_schema},
    {0}
};

void crible_read_options_init(crible_read_options *o)
{
    memset(o, 0, sizeof *o);
    o->format = CRIBLE_READ_AUTO;
    o->max_size = 1ULL << 30;
    o->id_field = "id";
    o->title_field = "title";
    o->text_fields = text_field_default;
    o->n_text_fields = 1;
    o->csv_delimiter = ',';
    o->html_drop = (const char **)html_drop_defaults;
    o->n_html_drop = sizeof html_drop_defaults / sizeof html_drop_defaults[0];
}

const char *crible_read_format_name(crible_read_format format)
{
    if ((unsigned)format < sizeof format_names / sizeof format_names[0] - 1)
        return format_names[format];
    return NULL;
}

bool crible_read_format_parse(const char *name, crible_read_format *out)
{
    for (int i = 0; format_names[i]; i++)
        if (strcmp(name, format_names[i]) == 0) {
            *out = (crible_read_format)i;
            return true;
        }
    return false;
}

crible_status crible_read_options_load(const crible_config *config,
                                       const crible_node *section,
                                       crible_read_options *o, crible_error *err)
{
    crible_read_options_init(o);
    if (!section)
        return CRIBLE_OK;
    crible_status st = crible_config_validate(config, section, "read", crible_schema_read, err);
    const char *s = NULL;
    if (st == CRIBLE_OK)
        st = crible_node_string(section, "format", &s, err);
    if (st == CRIBLE_OK && s)
        crible_read_format_parse(s, &o->format);   /* checked by the schema */
    s = NULL;
    if (st == CRIBLE_OK)
        st = crible_node_string(section, "invalid_utf8", &s, err);
    if (s)
        o->replace_invalid = strcmp(s, "replace") == 0;
    if (st == CRIBLE_OK)
        st = crible_node_bool(section, "hidden", &o->hidden, err);
    if (st == CRIBLE_OK)
        st = crible_node_bool(section, "title_from_first_line", &o->title_from_first_line, err);
    if (st == CRIBLE_OK)
        st = crible_node_size(section, "max_size", &o->max_size, err);
    const crible_node *fields = crible_node_get(section, "fields");
    if (st == CRIBLE_OK)
        st = crible_node_string(fields, "id", &o->id_field, err);
    if (st == CRIBLE_OK)
        st = crible_node_string(fields, "title", &o->title_field, err);
    if (st == CRIBLE_OK)
        st = crible_node_strings(fields, "text", &o->text_fields, &o->n_text_fields, err);
    if (st == CRIBLE_OK && o->n_text_fields == 0)
        st = crible_node_error(crible_node_get(fields, "text"), err, CRIBLE_ECONFIG,
                               "'text' must name at least one field");
    s = NULL;
    if (st == CRIBLE_OK)
        st = crible_node_string(section, "csv_delimiter", &s, err);
    if (s)
        o->csv_delimiter = s[0];
    if (st == CRIBLE_OK)
        st = crible_node_strings(section, "html_drop", &o->html_drop, &o->n_html_drop, err);
    const crible_node *bp = crible_node_get(section, "boilerplate");
    if (st == CRIBLE_OK)
        st = crible_node_bool(bp, "defaults", &o->boilerplate_defaults, err);
    if (st == CRIBLE_OK)
        st = crible_node_strings(bp, "patterns", &o->boilerplate, &o->n_boilerplate, err);
    return st;
}
