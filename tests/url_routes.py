"""Every URL the project serves, from the resolver: one walk for the tests that must cover them all
(tests/test_access_matrix.py, tests/audit/test_every_read.py)."""

from django.urls import URLPattern, URLResolver, get_resolver


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if pattern.namespace and namespace:
                ns = f"{namespace}:{pattern.namespace}"
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name, prefix + str(pattern.pattern)


def url_key(namespace, name, route):
    if name:
        return f"{namespace}:{name}" if namespace else name
    if namespace == "admin" and route.endswith("(?P<url>.*)$"):
        return "admin:<catch-all>"
    if namespace == "admin" and route.endswith("<path:object_id>/"):
        model = route.split("/")[1:3]
        return f"admin:{model[0]}_{model[1]}_<redirect>"
    return f"{namespace}:<unnamed {route}>"


def all_routes() -> list[tuple[str, str]]:
    """(key, route) of every URL pattern, sorted; the key is "namespace:name" (see url_key)."""
    return sorted({(url_key(ns, name, route), route) for ns, name, route in walk(get_resolver().url_patterns)})
