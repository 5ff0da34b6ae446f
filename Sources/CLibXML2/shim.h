#include <libxml/xmlversion.h>
/* libxml2's headers pull in ICU's when it was built with ICU; Foundation ships its own ICU
   headers and the two clash in Swift's module cache. Nothing here needs ICU types. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

static inline void facteur_xml_free(void *p) { xmlFree(p); }
