// The REST face's OpenAPI 3.0 document, generated from the same routes (and
// so from the same google.api.http annotations) the gateway serves.
#ifndef JUNHENG_CLIENTS_WEB_OPENAPI_H_
#define JUNHENG_CLIENTS_WEB_OPENAPI_H_

#include <string>

#include "clients/web/routes.h"

namespace junheng::web {

// Multi-segment variables are spelled out ({name=counties/*/years/*} becomes
// /v1/counties/{county}/years/{year}) so that every path is distinct and a
// generated client builds it from its parts.
std::string OpenApiDocument(const RouteTable& routes);

// The OpenAPI path of a template, e.g.
// "/v1/counties/{county}/years/{year}:evaluate".
std::string OpenApiPath(const PathTemplate& path);

}  // namespace junheng::web

#endif  // JUNHENG_CLIENTS_WEB_OPENAPI_H_
