"""The same catalogue, search and envelope as Examples/SearchApp (Catalogue.swift, Contracts.swift)."""
import os

from django.http import HttpResponse
from django.shortcuts import render
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

TOPICS = [
    "swift", "server", "rendering", "proxy", "cookie", "session", "router", "gateway", "envelope", "schema",
    "nginx", "kubernetes", "docker", "search", "cache", "stream", "websocket", "token", "header", "latency",
]


def make_entry(i):
    topic = TOPICS[i % len(TOPICS)]
    other = TOPICS[(i * 7 + 3) % len(TOPICS)]
    return {
        "id": i,
        "title": f"{topic[0].upper()}{topic[1:]} guide #{i}",
        "url": f"https://example.com/docs/{i}",
        "summary": f"How to use {topic} with {other} in production.",
    }


ENTRIES = [make_entry(i) for i in range(1, 301)]
HAYSTACKS = [(e["title"] + " " + e["summary"]).lower() for e in ENTRIES]


def search(query, limit):
    words = query.lower().split()
    results, total = [], 0
    for entry, haystack in zip(ENTRIES, HAYSTACKS):
        if all(word in haystack for word in words):
            total += 1
            if len(results) < limit:
                results.append(entry)
    return {"query": query, "total": total, "results": results}


class SearchSchema(serializers.Serializer):
    query = serializers.CharField(min_length=1, max_length=200, trim_whitespace=True)
    max_results = serializers.IntegerField(min_value=1, max_value=100, default=10)


class SearchView(APIView):
    def get(self, request):
        schema = SearchSchema(data=request.query_params)
        if not schema.is_valid():
            return Response({"status": "error", "data": None, "error": {"code": "validation_failed",
                             "message": "The input is not valid", "details": schema.errors, "request_id": None}}, status=422)
        found = search(schema.validated_data["query"], schema.validated_data["max_results"])
        return Response({"status": "success", "data": found, "error": None})


def search_page(request):
    """The example's search results page (Examples/SearchApp/Pages/SearchPage.swift) from a Django template."""
    return render(request, "search.html", search(request.GET.get("query", ""), 20), content_type="text/html; charset=utf-8")


_session = None


def search_page_fetched(request):
    """The same page, its data fetched per request from the DRF API process at BENCH_API_URL (a pooled
    requests.Session): the article's Next.js -> Django call, with Django on both sides."""
    global _session
    if _session is None:
        import requests

        _session = requests.Session()
    query = request.GET.get("query", "")
    answer = _session.get(os.environ["BENCH_API_URL"] + "/api/search/", params={"query": query, "max_results": 20},
                          headers={"Accept": "application/json"})
    envelope = answer.json()
    if envelope.get("status") != "success":
        return HttpResponse("Bad Gateway", status=502)
    return render(request, "search.html", envelope["data"], content_type="text/html; charset=utf-8")
