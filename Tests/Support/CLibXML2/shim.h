// libxml2's HTML parser, for tests that check rendered pages with a real parser (Debian: libxml2-dev).
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
